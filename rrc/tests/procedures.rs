//! UE and cell RRC procedures against each other over a link with a one-way delay (LEO ≈ 13 ms,
//! GEO ≈ 270.5 ms, i.e. a 541 ms round trip), on virtual time: system information with SIB31-NB
//! validity and re-acquisition, connection establishment, NAS transport, security mode,
//! release, resume, early data, T300 expiry, reject and radio link failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use ntn_rrc::asn1::{
    CipheringAlgorithmR12, EstablishmentCauseNBR13,
    RRCEarlyDataRequestNBR15IEsEstablishmentCauseR15, ReleaseCauseNBR13, SecurityAlgorithmConfig,
    SecurityAlgorithmConfigIntegrityProtAlgorithm,
    ServingSatelliteInfoR17UlSyncValidityDurationR17 as UlSync, SystemInformationBlockType31NBR17,
};
use ntn_rrc::procedures::defaults::example_ntn_cell;
use ntn_rrc::procedures::{
    CellEvent, CellRrc, ConnectionFailure, DlChannel, EarlyDataRequest, FrameTiming, ResumeRequest,
    RlfCause, RrcEvent, STmsi, Srb, UeIdentity, UeKey, UeRrc, UeRrcConfig, UeRrcState,
};
use ntn_types::time::{Duration, Instant};

const UE: UeKey = UeKey(0x4601);
const LEO_ONE_WAY: Duration = Duration::from_micros(13_000);
const GEO_ONE_WAY: Duration = Duration::from_micros(270_500);

fn sib31(validity: UlSync) -> SystemInformationBlockType31NBR17 {
    // pycrate vector sib31_orb_1 (orbital parameters, no epochTime), validity replaced
    let hex = "07ffffffffffffffffffffffffffffffffffffffffc77fe0";
    let bytes: Vec<u8> = (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    let mut s = ntn_rrc::decode_sib31(&bytes).unwrap();
    s.serving_satellite_info_r17.ul_sync_validity_duration_r17 = validity;
    assert!(s.serving_satellite_info_r17.epoch_time_r17.is_none());
    s
}

#[derive(Debug, Clone)]
enum Pdu {
    Dl(DlChannel, Option<FrameTiming>, Vec<u8>),
    Ul(Srb, Vec<u8>),
}

/// UE + cell + delay line, and the events each side produced (with their times).
struct Link {
    ue: UeRrc,
    cell: CellRrc,
    one_way: Duration,
    now: Instant,
    queue: BTreeMap<(Instant, u64), Pdu>,
    seq: u64,
    ue_events: Vec<(Instant, RrcEvent)>,
    cell_events: Vec<(Instant, CellEvent)>,
    /// Deliver SI messages with SIB31 only while the UE asked for them (AcquireSib31).
    sib31_on_request_only: bool,
    sib31_wanted: bool,
    /// Stop delivering SIB31 altogether (satellite stopped broadcasting it, say).
    block_sib31: bool,
    /// Drop everything the UE sends.
    drop_uplink: bool,
    sib31_reads: usize,
}

impl Link {
    fn new(one_way: Duration, validity: UlSync) -> Self {
        let t0 = Instant::ZERO;
        let cfg = example_ntn_cell(t0, sib31(validity)).unwrap();
        Self {
            ue: UeRrc::new(UeRrcConfig::default()),
            cell: CellRrc::new(cfg, t0),
            one_way,
            now: t0,
            queue: BTreeMap::new(),
            seq: 0,
            ue_events: Vec::new(),
            cell_events: Vec::new(),
            sib31_on_request_only: false,
            sib31_wanted: false,
            block_sib31: false,
            drop_uplink: false,
            sib31_reads: 0,
        }
    }

    fn push(&mut self, at: Instant, pdu: Pdu) {
        self.seq += 1;
        self.queue.insert((at, self.seq), pdu);
    }

    fn drain(&mut self) {
        while let Some(t) = self.cell.poll_transmit() {
            let at = self.now + self.one_way;
            self.push(at, Pdu::Dl(t.channel, t.at, t.bytes));
        }
        while let Some(t) = self.ue.poll_transmit() {
            if !self.drop_uplink {
                let at = self.now + self.one_way;
                self.push(at, Pdu::Ul(t.srb, t.bytes));
            }
        }
        while let Some(e) = self.ue.poll_event() {
            match &e {
                RrcEvent::AcquireSib31 { .. } => self.sib31_wanted = true,
                RrcEvent::Sib31Updated { .. } => self.sib31_wanted = false,
                _ => {}
            }
            self.ue_events.push((self.now, e));
        }
        while let Some(e) = self.cell.poll_event() {
            self.cell_events.push((self.now, e));
        }
    }

    fn deliver(&mut self, pdu: Pdu) {
        match pdu {
            Pdu::Dl(DlChannel::BcchBch, _, b) => self.ue.handle_bcch_bch(self.now, &b),
            Pdu::Dl(DlChannel::BcchDlSch, at, b) => {
                let carries_sib31 = ntn_rrc::decode_bcch_dl_sch(&b)
                    .map(|m| ntn_rrc::sib31_in(&m).count() > 0)
                    .unwrap_or(false);
                if carries_sib31 {
                    if self.block_sib31 || (self.sib31_on_request_only && !self.sib31_wanted) {
                        return;
                    }
                    self.sib31_reads += 1;
                }
                self.ue.handle_bcch_dl_sch(self.now, at.unwrap(), &b);
            }
            Pdu::Dl(DlChannel::Srb { srb: Srb::Srb0, .. }, _, b) => {
                self.ue.handle_dl_ccch(self.now, &b)
            }
            Pdu::Dl(DlChannel::Srb { .. }, _, b) => self.ue.handle_dl_dcch(self.now, &b),
            Pdu::Ul(Srb::Srb0, b) => self.cell.handle_ul_ccch(self.now, UE, &b),
            Pdu::Ul(_, b) => self.cell.handle_ul_dcch(self.now, UE, &b),
        }
    }

    /// Runs until `until` (inclusive).
    fn run_until(&mut self, until: Instant) {
        loop {
            self.drain();
            let next = [
                self.queue.keys().next().map(|k| k.0),
                self.ue.poll_timeout(),
                self.cell.poll_timeout(),
            ]
            .into_iter()
            .flatten()
            .min();
            let Some(t) = next.filter(|t| *t <= until) else {
                self.now = until;
                return;
            };
            self.now = t.max(self.now);
            while let Some(entry) = self.queue.first_entry() {
                if entry.key().0 > self.now {
                    break;
                }
                let pdu = entry.remove();
                self.deliver(pdu);
                self.drain();
            }
            self.ue.handle_timeout(self.now);
            self.cell.handle_timeout(self.now);
        }
    }

    fn run_for(&mut self, d: Duration) {
        let until = self.now + d;
        self.run_until(until);
    }

    fn ue_event_time(&self, f: impl Fn(&RrcEvent) -> bool) -> Option<Instant> {
        self.ue_events.iter().find(|(_, e)| f(e)).map(|(t, _)| *t)
    }

    fn cell_event_time(&self, f: impl Fn(&CellEvent) -> bool) -> Option<Instant> {
        self.cell_events.iter().find(|(_, e)| f(e)).map(|(t, _)| *t)
    }

    /// Until SiAcquired.
    fn acquire(&mut self) -> Instant {
        self.run_for(Duration::from_secs(4));
        self.ue_event_time(|e| matches!(e, RrcEvent::SiAcquired))
            .expect("SI acquired within 4 s")
    }

    fn connect(&mut self, nas: &[u8]) -> Instant {
        let t = self.now;
        self.ue
            .connect(
                t,
                UeIdentity::Random(0x12_3456_789a),
                EstablishmentCauseNBR13::MoSignalling,
                nas.to_vec(),
            )
            .unwrap();
        t
    }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

#[test]
fn system_information_is_acquired_with_sib31_and_its_validity() {
    let mut l = Link::new(LEO_ONE_WAY, UlSync::S30);
    l.acquire();
    let (rx, epoch, until) = l
        .ue_events
        .iter()
        .find_map(|(t, e)| match e {
            RrcEvent::Sib31Updated {
                epoch, valid_until, ..
            } => Some((*t, *epoch, *valid_until)),
            _ => None,
        })
        .expect("SIB31 received");
    // No epochTime: the epoch is the end of the SI window (160 ms) that carried SIB31, in the
    // UE's downlink timing (the message came in the window's first subframe).
    assert_eq!(epoch, rx + Duration::from_millis(160));
    assert_eq!(until - epoch, Duration::from_secs(30));
    let si_at = l
        .ue_event_time(|e| matches!(e, RrcEvent::SiAcquired))
        .unwrap();
    assert!(si_at >= rx);
    assert!(l.ue.sib2().is_some() && l.ue.sib31_valid(l.now));
    assert_eq!(l.ue.timer_values().t318, Some(Duration::from_millis(1000)));
}

#[test]
fn sib31_with_epoch_time_uses_the_next_sfn() {
    use ntn_rrc::asn1::ServingSatelliteInfoR17EpochTimeR17;
    use ntn_rrc::procedures::sysinfo::sib31_epoch;
    let mut s = sib31(UlSync::S10);
    s.serving_satellite_info_r17.epoch_time_r17 =
        Some(ServingSatelliteInfoR17EpochTimeR17::new(5, 3));
    let rx_at = Instant::from_nanos(7_000_000_000);
    // received in SFN 1020 subframe 2: SFN 5 is the next upcoming one (9 frames ahead, wrapped)
    let rx = FrameTiming {
        hsfn: 1,
        sfn: 1020,
        subframe: 2,
    };
    let epoch = sib31_epoch(&s, rx, rx_at, None);
    assert_eq!(epoch, rx_at + Duration::from_millis(9 * 10 + 3 - 2));
    // received in SFN 5 itself, subframe 7: the current SFN (epoch 4 ms in the past)
    let rx = FrameTiming {
        hsfn: 1,
        sfn: 5,
        subframe: 7,
    };
    assert_eq!(
        sib31_epoch(&s, rx, rx_at, None),
        rx_at - Duration::from_millis(4)
    );
}

#[test]
fn sib31_is_reacquired_before_it_expires() {
    // 5 s validity, 2 s margin: the UE reads SIB31 only when it asks and never loses UL sync.
    let mut l = Link::new(LEO_ONE_WAY, UlSync::S5);
    l.sib31_on_request_only = true;
    l.acquire();
    l.run_for(Duration::from_secs(60));
    let asks = l
        .ue_events
        .iter()
        .filter(|(_, e)| matches!(e, RrcEvent::AcquireSib31 { .. }))
        .count();
    assert!(
        !l.ue_events
            .iter()
            .any(|(_, e)| matches!(e, RrcEvent::UlSyncLost)),
        "UL sync must not lapse"
    );
    // every ~3 s (5 s validity − 2 s margin, plus up to one SI period of 1.28 s to the next copy)
    assert!((14..=25).contains(&asks), "{asks} requests in 60 s");
    assert!(l.sib31_reads >= asks);
    assert!(l.ue.sib31_valid(l.now));
}

#[test]
fn connection_establishment_with_leo_and_geo_round_trips() {
    for one_way in [LEO_ONE_WAY, GEO_ONE_WAY] {
        let mut l = Link::new(one_way, UlSync::S60);
        l.acquire();
        let t300 = l.ue.timer_values().t300;
        let t_req = l.connect(b"\x07\x41attach");
        l.run_for(Duration::from_secs(3));
        let t_conn = l
            .ue_event_time(|e| matches!(e, RrcEvent::Connected { resumed: false, .. }))
            .expect("connected");
        let rtt = one_way + one_way;
        // request up, setup down: exactly one round trip with an instant cell
        assert_eq!(t_conn - t_req, rtt, "one-way {}", secs(one_way));
        assert!(
            t_conn - t_req < t300,
            "T300 {} s covers the RTT",
            secs(t300)
        );
        assert_eq!(l.ue.state(), UeRrcState::Connected);
        let got = l.cell_events.iter().find_map(|(_, e)| match e {
            CellEvent::Connected { nas, .. } => nas.clone(),
            _ => None,
        });
        assert_eq!(got.as_deref(), Some(&b"\x07\x41attach"[..]));

        // NAS both ways on SRB1bis
        l.cell.send_nas(l.now, UE, b"dl-nas-1").unwrap();
        l.ue.send_nas(l.now, b"ul-nas-1").unwrap();
        l.run_for(Duration::from_secs(1));
        assert!(
            l.ue_events
                .iter()
                .any(|(_, e)| *e == RrcEvent::NasPdu(b"dl-nas-1".to_vec()))
        );
        assert!(
            l.cell_events
                .iter()
                .any(|(_, e)| matches!(e, CellEvent::NasPdu { nas, .. } if nas == b"ul-nas-1"))
        );

        // AS security: the stack accepts the command; DCCH moves to SRB1
        let alg = SecurityAlgorithmConfig::new(
            CipheringAlgorithmR12::Eea2,
            SecurityAlgorithmConfigIntegrityProtAlgorithm::Eia2,
        );
        l.cell.start_security(l.now, UE, alg).unwrap();
        l.run_for(one_way + Duration::from_millis(1));
        assert!(l.ue_events.iter().any(|(_, e)| matches!(
            e,
            RrcEvent::SecurityModeCommand {
                ciphering: CipheringAlgorithmR12::Eea2,
                ..
            }
        )));
        l.ue.security_mode_result(l.now, true).unwrap();
        let tx = l.ue.poll_transmit().unwrap();
        assert_eq!(tx.srb, Srb::Srb1);
        l.push(l.now + one_way, Pdu::Ul(tx.srb, tx.bytes));
        l.run_for(Duration::from_secs(1));
        assert!(
            l.cell_event_time(|e| matches!(e, CellEvent::SecurityModeComplete { .. }))
                .is_some()
        );
        l.ue.send_nas(l.now, b"ul-nas-2").unwrap();
        assert_eq!(l.ue.poll_transmit().unwrap().srb, Srb::Srb1);

        // release
        let t_rel = l.now;
        l.cell
            .release(l.now, UE, ReleaseCauseNBR13::Other, None)
            .unwrap();
        l.run_for(Duration::from_secs(1));
        let t_idle = l
            .ue_event_time(
                |e| matches!(e, RrcEvent::Released(r) if r.cause == Some(ReleaseCauseNBR13::Other)),
            )
            .unwrap();
        assert_eq!(t_idle - t_rel, one_way);
        assert_eq!(l.ue.state(), UeRrcState::Idle);
        assert!(!l.ue.security_active());
    }
}

#[test]
fn t300_expires_when_the_cell_does_not_answer() {
    let mut l = Link::new(GEO_ONE_WAY, UlSync::S60);
    l.acquire();
    l.drop_uplink = true;
    let t300 = l.ue.timer_values().t300;
    let t_req = l.connect(b"nas");
    assert_eq!(l.ue.state(), UeRrcState::Connecting);
    l.run_for(t300 + Duration::from_secs(1));
    let t_fail = l
        .ue_event_time(|e| *e == RrcEvent::ConnectionFailed(ConnectionFailure::T300Expiry))
        .expect("T300 expiry");
    assert_eq!(t_fail - t_req, t300);
    assert_eq!(l.ue.state(), UeRrcState::Idle);
    assert!(
        !l.ue_events
            .iter()
            .any(|(_, e)| matches!(e, RrcEvent::Connected { .. }))
    );
}

#[test]
fn a_reject_ends_the_attempt_with_the_wait_time() {
    let mut l = Link::new(LEO_ONE_WAY, UlSync::S60);
    l.acquire();
    l.connect(b"nas");
    // the cell accepts automatically; answer a second UE's worth: re-run with a rejecting cell
    let cfg = l.cell.config().clone();
    let mut cfg = cfg;
    cfg.accept_connections = false;
    l.cell = CellRrc::new(cfg, l.now);
    l.run_for(Duration::from_millis(20));
    assert!(
        l.cell_event_time(|e| matches!(e, CellEvent::ConnectionRequest { .. }))
            .is_some()
    );
    l.cell.reject(l.now, UE, 16).unwrap();
    l.run_for(Duration::from_millis(50));
    assert!(l.ue_events.iter().any(|(_, e)| *e
        == RrcEvent::ConnectionFailed(ConnectionFailure::Rejected {
            extended_wait_time_s: 16
        })));
    assert_eq!(l.ue.state(), UeRrcState::Idle);
}

#[test]
fn request_waits_for_a_fresh_sib31() {
    let mut l = Link::new(LEO_ONE_WAY, UlSync::S5);
    l.sib31_on_request_only = true;
    l.acquire();
    // let the stored SIB31 get within the 2 s margin, but block the refresh reads
    l.block_sib31 = true;
    l.run_for(Duration::from_millis(3500));
    l.block_sib31 = false;
    let t_req = l.connect(b"nas");
    assert_eq!(l.ue.state(), UeRrcState::WaitingForSib31);
    l.run_for(Duration::from_secs(3));
    let t_conn = l
        .ue_event_time(|e| matches!(e, RrcEvent::Connected { .. }))
        .expect("connected");
    let t_sib = l
        .ue_events
        .iter()
        .filter(|(t, e)| *t >= t_req && matches!(e, RrcEvent::Sib31Updated { .. }))
        .map(|(t, _)| *t)
        .next()
        .unwrap();
    assert!(t_sib < t_conn, "the request went out after the new SIB31");
}

#[test]
fn t317_expiry_in_connected_loses_ul_sync_and_t318_ends_in_rlf() {
    let mut l = Link::new(LEO_ONE_WAY, UlSync::S5);
    l.acquire();
    l.connect(b"nas");
    l.run_for(Duration::from_millis(100));
    assert_eq!(l.ue.state(), UeRrcState::Connected);
    l.block_sib31 = true;
    l.run_for(Duration::from_secs(8));
    let lost = l
        .ue_event_time(|e| *e == RrcEvent::UlSyncLost)
        .expect("T317 expired");
    let rlf = l
        .ue_event_time(|e| {
            *e == RrcEvent::RadioLinkFailure {
                cause: RlfCause::T318Expiry,
                reestablish: false,
            }
        })
        .expect("T318 expired");
    assert_eq!(
        rlf - lost,
        Duration::from_millis(1000),
        "T318 from SIB2-NB ntn-ConfigCommon"
    );
    assert_eq!(l.ue.state(), UeRrcState::Idle);
}

#[test]
fn t317_expiry_recovers_when_sib31_arrives_within_t318() {
    let mut l = Link::new(LEO_ONE_WAY, UlSync::S5);
    l.sib31_on_request_only = true;
    l.acquire();
    l.connect(b"nas");
    l.run_for(Duration::from_millis(100));
    // block reads until UL sync is lost, then allow them again
    l.block_sib31 = true;
    let mut lost_at = None;
    for _ in 0..800 {
        l.run_for(Duration::from_millis(10));
        if let Some(t) = l.ue_event_time(|e| *e == RrcEvent::UlSyncLost) {
            lost_at = Some(t);
            break;
        }
    }
    let lost_at = lost_at.expect("UL sync lost");
    // the stack reads SIB31 (say on another carrier) 300 ms later, within T318 = 1 s
    l.run_until(lost_at + Duration::from_millis(300));
    let si = l.cell.config().si_messages[1].clone();
    let msg = ntn_rrc::asn1::BCCHDLSCHMessageNB::new(ntn_rrc::asn1::BCCHDLSCHMessageTypeNB::C1(
        ntn_rrc::asn1::BCCHDLSCHMessageTypeNBC1::SystemInformationR13(si),
    ));
    let bytes = ntn_rrc::encode("BCCH-DL-SCH-Message-NB", &msg).unwrap();
    let at = FrameTiming::at(l.now, Instant::ZERO);
    l.ue.handle_bcch_dl_sch(l.now, at, &bytes);
    l.run_for(Duration::from_secs(2));
    let back = l
        .ue_event_time(|e| *e == RrcEvent::UlSyncRestored)
        .expect("restored");
    assert_eq!(back - lost_at, Duration::from_millis(300));
    assert_eq!(l.ue.state(), UeRrcState::Connected);
    assert!(
        !l.ue_events
            .iter()
            .any(|(_, e)| matches!(e, RrcEvent::RadioLinkFailure { .. }))
    );
}

#[test]
fn radio_link_failure_with_t310_n310_n311() {
    let mut l = Link::new(LEO_ONE_WAY, UlSync::S900);
    l.acquire();
    l.connect(b"nas");
    l.run_for(Duration::from_millis(100));
    let tv = *l.ue.timer_values();
    // N311 in-sync before T310 expires: no failure
    for _ in 0..tv.n310 {
        l.ue.handle_out_of_sync(l.now);
    }
    assert!(l.ue.poll_timeout().unwrap() <= l.now + tv.t310);
    for _ in 0..tv.n311 {
        l.ue.handle_in_sync(l.now);
    }
    l.run_for(tv.t310 + Duration::from_millis(10));
    assert_eq!(l.ue.state(), UeRrcState::Connected);
    // N310 out-of-sync and nothing else: T310 expiry is an RLF; no AS security → RRC_IDLE
    let t_start = l.now;
    for _ in 0..tv.n310 {
        l.ue.handle_out_of_sync(l.now);
    }
    l.run_for(tv.t310 + Duration::from_millis(10));
    let t_rlf = l
        .ue_event_time(|e| {
            *e == RrcEvent::RadioLinkFailure {
                cause: RlfCause::T310Expiry,
                reestablish: false,
            }
        })
        .expect("RLF");
    assert_eq!(t_rlf - t_start, tv.t310);
    assert_eq!(l.ue.state(), UeRrcState::Idle);
}

#[test]
fn radio_link_failure_with_security_runs_t311() {
    let mut l = Link::new(GEO_ONE_WAY, UlSync::S900);
    l.acquire();
    l.connect(b"nas");
    l.run_for(Duration::from_secs(1));
    let alg = SecurityAlgorithmConfig::new(
        CipheringAlgorithmR12::Eea0,
        SecurityAlgorithmConfigIntegrityProtAlgorithm::Eia2,
    );
    l.cell.start_security(l.now, UE, alg).unwrap();
    l.run_for(Duration::from_secs(1));
    l.ue.security_mode_result(l.now, true).unwrap();
    l.run_for(Duration::from_secs(1));
    let tv = *l.ue.timer_values();
    l.ue.handle_random_access_problem(l.now);
    let t = l.now;
    l.drain();
    assert!(l.ue_events.iter().any(|(_, e)| *e
        == RrcEvent::RadioLinkFailure {
            cause: RlfCause::RandomAccessProblem,
            reestablish: true
        }));
    assert_eq!(l.ue.state(), UeRrcState::RadioLinkFailure);
    l.run_for(tv.t311 + Duration::from_millis(10));
    let idle = l
        .ue_events
        .iter()
        .find(|(_, e)| matches!(e, RrcEvent::Released(r) if r.cause.is_none()))
        .map(|(t, _)| *t)
        .unwrap();
    assert_eq!(idle - t, tv.t311);
}

#[test]
fn suspend_and_resume() {
    let mut l = Link::new(LEO_ONE_WAY, UlSync::S900);
    l.acquire();
    l.connect(b"nas");
    l.run_for(Duration::from_millis(100));
    let id = [1, 2, 3, 4, 5];
    l.cell
        .release(l.now, UE, ReleaseCauseNBR13::RrcSuspend, Some(id))
        .unwrap();
    l.run_for(Duration::from_millis(100));
    let r = l
        .ue_events
        .iter()
        .find_map(|(_, e)| match e {
            RrcEvent::Released(r) => Some(*r),
            _ => None,
        })
        .unwrap();
    assert_eq!(r.cause, Some(ReleaseCauseNBR13::RrcSuspend));
    assert_eq!(r.resume_identity, Some(id));
    l.ue.resume(
        l.now,
        ResumeRequest {
            resume_identity: id,
            short_resume_mac_i: [0xab, 0xcd],
            cause: EstablishmentCauseNBR13::MoData,
            nas: Some(b"svc".to_vec()),
        },
    )
    .unwrap();
    l.run_for(Duration::from_millis(100));
    assert!(
        l.ue_events
            .iter()
            .any(|(_, e)| matches!(e, RrcEvent::Connected { resumed: true, .. }))
    );
    assert!(l.cell_events.iter().any(|(_, e)| *e
        == CellEvent::ResumeRequest {
            ue: UE,
            known: true
        }));
    assert!(
        l.cell_events
            .iter()
            .any(|(_, e)| matches!(e, CellEvent::Connected { nas: Some(n), .. } if n == b"svc"))
    );
    assert!(l.ue.security_active());
}

#[test]
fn control_plane_early_data() {
    let mut l = Link::new(GEO_ONE_WAY, UlSync::S900);
    l.acquire();
    let s_tmsi = STmsi {
        mmec: 0x12,
        m_tmsi: 0xdead_beef,
    };
    l.ue.early_data(
        l.now,
        EarlyDataRequest {
            s_tmsi,
            cause: RRCEarlyDataRequestNBR15IEsEstablishmentCauseR15::MoData,
            nas: b"cpsr+esm-data".to_vec(),
        },
    )
    .unwrap();
    l.run_for(Duration::from_secs(1));
    let got = l.cell_events.iter().find_map(|(_, e)| match e {
        CellEvent::EarlyData { s_tmsi, nas, .. } => Some((*s_tmsi, nas.clone())),
        _ => None,
    });
    assert_eq!(got, Some((s_tmsi, b"cpsr+esm-data".to_vec())));
    l.cell
        .early_data_complete(l.now, UE, Some(b"echo"))
        .unwrap();
    l.run_for(Duration::from_secs(1));
    assert!(
        l.ue_events
            .iter()
            .any(|(_, e)| *e == RrcEvent::NasPdu(b"echo".to_vec()))
    );
    assert!(
        l.ue_events
            .iter()
            .any(|(_, e)| *e == RrcEvent::EarlyDataComplete)
    );
    assert_eq!(l.ue.state(), UeRrcState::Idle);
}

#[test]
fn value_tag_change_invalidates_and_reacquires() {
    let mut l = Link::new(LEO_ONE_WAY, UlSync::S900);
    l.acquire();
    let mut cfg = l.cell.config().clone();
    cfg.mib.system_info_value_tag_r13 = (cfg.mib.system_info_value_tag_r13 + 1) % 32;
    l.cell = CellRrc::new(cfg, l.now);
    l.run_for(Duration::from_secs(4));
    let inv = l
        .ue_event_time(|e| *e == RrcEvent::SiInvalidated)
        .expect("invalidated");
    let again = l
        .ue_events
        .iter()
        .filter(|(t, e)| *t > inv && *e == RrcEvent::SiAcquired)
        .count();
    assert_eq!(again, 1);
    // SIB31 keeps its own validity (§5.2.1.3)
    assert!(l.ue.sib31_valid(l.now));
}

#[test]
fn requests_in_the_wrong_state_are_errors_and_garbage_is_counted() {
    let mut ue = UeRrc::new(UeRrcConfig::default());
    let now = Instant::ZERO;
    assert!(
        ue.connect(
            now,
            UeIdentity::Random(1),
            EstablishmentCauseNBR13::MoData,
            vec![]
        )
        .is_err()
    );
    assert!(ue.send_nas(now, b"x").is_err());
    assert!(ue.security_mode_result(now, true).is_err());
    ue.handle_dl_dcch(now, &[0xff; 3]);
    ue.handle_bcch_bch(now, &[]);
    assert_eq!(ue.decode_errors(), 2);
    assert!(matches!(ue.poll_event(), Some(RrcEvent::DecodeError(_))));
}
