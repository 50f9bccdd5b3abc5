//! HARQ with the IoT-NTN rules over a GEO round trip: a cell ([`CellHarq`]) and a UE
//! ([`UeHarq`]) exchange NPDSCH and HARQ-ACKs through a channel with a one-way delay d, the UE
//! pre-compensating T_TA = 2d, with the NB-IoT timing of `ntn_mac::mac::timing`.
//!
//! Checked: (1) K_offset ≥ RTT is what makes the HARQ-ACK timing causal (without it the UE
//! would have to send the ACK before it receives the NPDSCH); (2) the DL HARQ RTT timer
//! extended by the UE–eNB RTT expires just before a retransmission can arrive, never after
//! (no early DCI), while the unextended timer would have the UE monitor NPDCCH for ~RTT in
//! vain; (3) with 2 processes and a 541 ms RTT, disabling HARQ feedback lets the cell keep
//! sending instead of stalling for the ACKs; (4) UL HARQ mode B lets a process be granted
//! again before the UL HARQ RTT.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bytes::Bytes;
use ntn_mac::mac::harq::{
    CellDlAction, CellHarq, HarqConfig, HarqEvent, UeHarq, UlGrantKind, UlHarqMode,
};
use ntn_mac::mac::timing::{NtnOffsets, harq_ack_start, npdsch_start};
use ntn_types::{Duration, Instant};

/// GEO: UE–eNB RTT ≈ 541 ms (ntn-reference §6.1, transparent payload, 10° elevation).
const GEO_RTT_MS: i64 = 541;
/// NPDSCH of 4 subframes (I_SF = 3), HARQ-ACK of 2 ms (NPUSCH format 2, one RU of 4 slots
/// at 15 kHz), ACK resource 0 (k0 = 13, 15 kHz).
const NPDSCH_SF: u64 = 4;
const ACK_SF: u64 = 2;
const ACK_RESOURCE: u8 = 0;
/// Cell processing time between receiving an ACK/NACK and the next DCI.
const PROC_SF: u64 = 4;

fn sf(n: u64) -> Instant {
    Instant::from_nanos(n as i64 * 1_000_000)
}

struct Link {
    /// One-way delay (cell → UE and UE → cell).
    d: Duration,
    offsets: NtnOffsets,
}

impl Link {
    fn geo(k_cell_offset: u32) -> Self {
        Link {
            d: Duration::from_micros(GEO_RTT_MS * 500),
            offsets: NtnOffsets {
                k_cell_offset,
                k_ue_offset: 0,
                k_mac: 0,
            },
        }
    }
    fn rtt(&self) -> Duration {
        self.d + self.d
    }
    /// Subframe index s of the cell's DL frame, as true time at the UE's receiver.
    fn ue_rx(&self, s: u64) -> Instant {
        sf(s) + self.d
    }
    /// UL subframe s transmitted by the UE (advanced by T_TA = 2d), as true time.
    fn ue_tx(&self, s: u64) -> Instant {
        sf(s) + self.d - self.rtt()
    }
}

/// One DL transport block, DCI at subframe `dci_end`: returns (NPDSCH end, ACK start, ACK
/// end) as DL/UL subframe indices.
fn dl_timing(link: &Link, dci_end: u64) -> (u64, u64, u64) {
    let start = npdsch_start(dci_end, 0, 8);
    let end = start + NPDSCH_SF - 1;
    let ack = harq_ack_start(end, ACK_RESOURCE, true, link.offsets.k_offset());
    (end, ack, ack + ACK_SF)
}

#[test]
fn k_offset_makes_harq_ack_causal_in_geo() {
    for (k, causal) in [(0u32, false), (500, false), (545, true)] {
        let link = Link::geo(k);
        let (end, ack, _) = dl_timing(&link, 1000);
        // The UE has the NPDSCH after its last subframe arrives; it must start the ACK later.
        let rx_done = link.ue_rx(end + 1);
        let tx_at = link.ue_tx(ack);
        assert_eq!(
            tx_at >= rx_done,
            causal,
            "K_offset {k}: rx {rx_done} tx {tx_at}"
        );
    }
}

#[test]
fn dl_retransmission_waits_exactly_the_extended_rtt() {
    let link = Link::geo(545);
    let mut cfg = HarqConfig::terrestrial();
    cfg.ue_enb_rtt = link.rtt();
    let mut ue = UeHarq::new(cfg, Instant::ZERO).unwrap();
    let mut cell = CellHarq::new(cfg, Instant::ZERO).unwrap();

    // First transmission fails at the UE.
    let dci_end = 100;
    let (end, ack, ack_end) = dl_timing(&link, dci_end);
    let (p, action) = cell.dl_next(sf(dci_end)).unwrap();
    let CellDlAction::New { ndi } = action else {
        panic!("expected new data")
    };
    cell.dl_sent(
        p,
        &action,
        Bytes::from_static(b"tb"),
        sf(end + 1),
        sf(ack_end) + Duration::from_millis(1),
    )
    .unwrap();
    let a = ue
        .handle_dl_assignment(link.ue_rx(dci_end), p, ndi)
        .unwrap();
    assert!(a.new_data && a.feedback);
    ue.handle_dl_decoded(
        link.ue_rx(end + 1),
        p,
        false,
        link.ue_tx(ack),
        link.ue_tx(ack_end),
    )
    .unwrap();
    let nack = ue.poll_transmit().unwrap();
    assert!(!nack.ack);
    // The NACK reaches the cell at the end of UL subframe ack_end (UE TA = 2d).
    let nack_at_cell = link.ue_tx(ack_end) + link.d;
    assert_eq!(nack_at_cell, sf(ack_end));
    cell.dl_feedback(nack_at_cell, p, false).unwrap();
    let (p2, retx) = cell.dl_next(nack_at_cell).unwrap();
    assert_eq!(p2, p);
    let CellDlAction::Retransmit { ndi: ndi2, tb } = retx else {
        panic!("expected a retransmission")
    };
    assert_eq!(ndi2, ndi);
    assert_eq!(&tb[..], b"tb");

    // The earliest retransmission DCI the cell can send reaches the UE here:
    let retx_dci_at_ue = link.ue_rx(ack_end + PROC_SF);
    let rtt_expiry = ue.poll_timeout().unwrap();
    assert!(
        rtt_expiry <= retx_dci_at_ue,
        "timer {rtt_expiry} after DCI {retx_dci_at_ue}"
    );
    // … and the timer is tight: it expires within the cell's processing time of it.
    assert!(retx_dci_at_ue - rtt_expiry <= Duration::from_millis(PROC_SF as i64));
    // Without the NTN extension the UE would monitor NPDCCH ~RTT too early.
    let unextended = link.ue_tx(ack_end) + Duration::from_millis(3);
    assert!(retx_dci_at_ue - unextended >= Duration::from_millis(GEO_RTT_MS));

    ue.handle_timeout(rtt_expiry);
    assert_eq!(ue.poll_event(), Some(HarqEvent::DlRttExpired(p)));
    let a = ue.handle_dl_assignment(retx_dci_at_ue, p, ndi2).unwrap();
    assert!(!a.new_data, "same NDI is a retransmission");
    assert_eq!(ue.stats().early_dci, 0);
    assert_eq!(ue.stats().dl_retx, 1);
}

/// Runs the cell's DL for `horizon_ms` with 2 processes, all ACKed; returns TBs sent and the
/// UE's ACK count.
fn run_dl(feedback_disabled: u8, horizon_ms: u64) -> (u64, u64) {
    let link = Link::geo(545);
    let cfg = HarqConfig {
        processes: 2,
        dl_feedback_disabled: feedback_disabled,
        ul_mode: [UlHarqMode::A; 2],
        ue_enb_rtt: link.rtt(),
        max_dl_tx: 4,
    };
    let mut cell = CellHarq::new(cfg, Instant::ZERO).unwrap();
    let mut ue = UeHarq::new(cfg, Instant::ZERO).unwrap();
    // (arrival at cell, process) of ACKs in flight.
    let mut acks: Vec<(Instant, u8)> = Vec::new();
    let mut t = 0u64;
    // The anchor carrier carries one NPDCCH+NPDSCH at a time: next DCI after this NPDSCH.
    while t < horizon_ms {
        let now = sf(t);
        acks.sort();
        while let Some(&(at, p)) = acks.first() {
            if at > now {
                break;
            }
            acks.remove(0);
            cell.dl_feedback(at, p, true).unwrap();
        }
        cell.handle_timeout(now);
        let Some((p, action)) = cell.dl_next(now) else {
            t += 1;
            continue;
        };
        let (end, ack, ack_end) = dl_timing(&link, t);
        let ndi = match action {
            CellDlAction::New { ndi } | CellDlAction::Retransmit { ndi, .. } => ndi,
        };
        cell.dl_sent(
            p,
            &action,
            Bytes::from_static(b"x"),
            sf(end + 1),
            sf(ack_end) + Duration::from_millis(1),
        )
        .unwrap();
        let a = ue.handle_dl_assignment(link.ue_rx(t), p, ndi).unwrap();
        assert!(a.new_data);
        ue.handle_dl_decoded(
            link.ue_rx(end + 1),
            p,
            true,
            link.ue_tx(ack),
            link.ue_tx(ack_end),
        )
        .unwrap();
        if let Some(h) = ue.poll_transmit() {
            acks.push((link.ue_tx(ack_end) + link.d, h.process));
        }
        t = end + 1;
    }
    (cell.stats().dl_new, ue.stats().acks_sent)
}

#[test]
fn feedback_disabling_removes_the_geo_stall() {
    let (with_fb, acks) = run_dl(0b00, 5000);
    let (without_fb, no_acks) = run_dl(0b11, 5000);
    println!("GEO, 5 s, 2 HARQ processes: {with_fb} TBs with feedback, {without_fb} without");
    assert_eq!(acks, with_fb);
    assert_eq!(no_acks, 0);
    // With feedback each process is held ~ k0 + K_offset + ACK ≈ 0.57 s per TB.
    assert!((14..=20).contains(&with_fb), "{with_fb}");
    // Without, only the NPDCCH→NPDSCH timing limits the cell (≈ 9 ms per TB).
    assert!(without_fb > 20 * with_fb, "{without_fb} vs {with_fb}");
}

#[test]
fn ul_mode_b_skips_the_ul_harq_rtt() {
    let rtt = Duration::from_millis(GEO_RTT_MS);
    for (mode, early) in [(UlHarqMode::A, 1), (UlHarqMode::B, 0)] {
        let cfg = HarqConfig {
            processes: 1,
            dl_feedback_disabled: 0,
            ul_mode: [mode; 2],
            ue_enb_rtt: rtt,
            max_dl_tx: 4,
        };
        let mut ue = UeHarq::new(cfg, Instant::ZERO).unwrap();
        assert_eq!(
            ue.handle_ul_grant(sf(0), 0, true, sf(30)).unwrap(),
            UlGrantKind::NewData
        );
        ue.set_ul_pdu(0, Bytes::from_static(b"ul")).unwrap();
        match mode {
            UlHarqMode::A => assert_eq!(ue.poll_timeout(), Some(sf(30 + 4) + rtt)),
            UlHarqMode::B => assert_eq!(ue.poll_timeout(), None),
        }
        // A new grant 100 ms later (well inside the GEO RTT).
        assert_eq!(ue.ul_expects_grant(sf(100), 0), mode == UlHarqMode::B);
        let k = ue.handle_ul_grant(sf(100), 0, false, sf(130)).unwrap();
        assert_eq!(k, UlGrantKind::NewData);
        assert_eq!(ue.stats().early_dci, early);
    }
}
