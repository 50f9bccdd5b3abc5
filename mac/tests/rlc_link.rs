//! RLC entities over a simulated satellite link, driven by virtual time.
//!
//! The link delays every PDU by the one-way delay plus a random jitter (which reorders
//! PDUs), loses PDUs and duplicates them, with a seeded ChaCha RNG. Each side gets a
//! transmit opportunity of a random grant every TTI. AM must deliver every SDU exactly once
//! and in order, in both directions; UM must deliver an in-order subsequence without
//! duplicates, and everything when nothing is lost.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bytes::{Bytes, BytesMut};
use ntn_mac::rlc::RlcEvent;
use ntn_mac::rlc::am::{RlcAmConfig, RlcAmEntity};
use ntn_mac::rlc::pdu::UmSnLength;
use ntn_mac::rlc::timers::{MaxRetxThreshold, TPollRetransmit, TReordering, TStatusProhibit};
use ntn_mac::rlc::um::{RlcUmConfig, RlcUmEntity};
use ntn_types::{Duration, Instant};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// LEO at 600 km, transparent: UE–eNB round trip ≈ 26 ms (one way 13 ms).
const LEO_ONE_WAY: Duration = Duration::from_millis(13);
/// GEO, transparent: round trip ≈ 541 ms (one way 270.5 ms).
const GEO_ONE_WAY: Duration = Duration::from_micros(270_500);

#[derive(Debug, Clone, Copy)]
struct LinkParams {
    one_way: Duration,
    jitter_ms: i64,
    loss: f64,
    dup: f64,
    tti: Duration,
    grant_min: usize,
    grant_max: usize,
}

/// One direction of the link: PDUs in flight keyed by (arrival time, sequence).
#[derive(Default)]
struct Pipe {
    in_flight: BTreeMap<(Instant, u64), Bytes>,
    seq: u64,
}

impl Pipe {
    fn send(&mut self, rng: &mut ChaCha8Rng, p: &LinkParams, now: Instant, pdu: Bytes) {
        if rng.random_bool(p.loss) {
            return;
        }
        let copies = if rng.random_bool(p.dup) { 2 } else { 1 };
        for _ in 0..copies {
            let jitter = Duration::from_millis(rng.random_range(0..=p.jitter_ms));
            self.seq += 1;
            self.in_flight
                .insert((now + p.one_way + jitter, self.seq), pdu.clone());
        }
    }
    fn next(&self) -> Option<Instant> {
        self.in_flight.keys().next().map(|k| k.0)
    }
    fn pop_due(&mut self, now: Instant) -> Option<Bytes> {
        let (&k, _) = self.in_flight.iter().next()?;
        if k.0 <= now {
            self.in_flight.remove(&k)
        } else {
            None
        }
    }
}

fn sdus(rng: &mut ChaCha8Rng, n: usize, tag: u8) -> Vec<Bytes> {
    (0..n)
        .map(|i| {
            let len = rng.random_range(1..=300usize);
            let mut v = vec![tag; len];
            // The first bytes carry the index so that order errors are visible.
            v[0] = tag;
            if len >= 3 {
                v[1] = (i >> 8) as u8;
                v[2] = i as u8;
            }
            for b in v.iter_mut().skip(3) {
                *b = rng.random();
            }
            Bytes::from(v)
        })
        .collect()
}

struct AmOutcome {
    a_got: Vec<Bytes>,
    b_got: Vec<Bytes>,
    failures: usize,
    end: Instant,
    retx: u64,
    status: u64,
    duplicates: u64,
    stalls: u64,
}

/// Runs two AM entities against each other until both directions are delivered and idle
/// or `limit` of virtual time passes.
fn run_am(
    cfg: RlcAmConfig,
    p: LinkParams,
    seed: u64,
    n_sdus: usize,
    limit: Duration,
) -> (Vec<Bytes>, Vec<Bytes>, AmOutcome) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let t0 = Instant::ZERO;
    let mut a = RlcAmEntity::new(cfg.clone(), t0);
    let mut b = RlcAmEntity::new(cfg, t0);
    let a_sdus = sdus(&mut rng, n_sdus, 0xa0);
    let b_sdus = sdus(&mut rng, n_sdus / 2, 0xb0);
    for s in &a_sdus {
        a.handle_sdu(t0, s.clone()).unwrap();
    }
    for s in &b_sdus {
        b.handle_sdu(t0, s.clone()).unwrap();
    }
    let (mut ab, mut ba) = (Pipe::default(), Pipe::default());
    let mut out = AmOutcome {
        a_got: Vec::new(),
        b_got: Vec::new(),
        failures: 0,
        end: t0,
        retx: 0,
        status: 0,
        duplicates: 0,
        stalls: 0,
    };
    let mut next_tti = t0;
    let end = t0 + limit;
    loop {
        let now = [
            Some(next_tti),
            ab.next(),
            ba.next(),
            a.poll_timeout(),
            b.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap();
        if now > end {
            break;
        }
        while let Some(pdu) = ab.pop_due(now) {
            b.handle_pdu(now, &pdu);
        }
        while let Some(pdu) = ba.pop_due(now) {
            a.handle_pdu(now, &pdu);
        }
        a.handle_timeout(now);
        b.handle_timeout(now);
        if now >= next_tti {
            next_tti = now + p.tti;
            let g = rng.random_range(p.grant_min..=p.grant_max);
            let mut o = BytesMut::new();
            if a.pull_pdu(now, g, &mut o) > 0 {
                ab.send(&mut rng, &p, now, o.freeze());
            }
            let g = rng.random_range(p.grant_min..=p.grant_max);
            let mut o = BytesMut::new();
            if b.pull_pdu(now, g, &mut o) > 0 {
                ba.send(&mut rng, &p, now, o.freeze());
            }
        }
        for (e, got) in [(&mut a, &mut out.a_got), (&mut b, &mut out.b_got)] {
            while let Some(ev) = e.poll_event() {
                match ev {
                    RlcEvent::Sdu(s) => got.push(s),
                    RlcEvent::MaxRetransmissions { .. } => out.failures += 1,
                    _ => {}
                }
            }
        }
        out.end = now;
        if out.b_got.len() >= a_sdus.len()
            && out.a_got.len() >= b_sdus.len()
            && a.is_idle()
            && b.is_idle()
        {
            break;
        }
    }
    out.retx = a.stats().pdus_retx + b.stats().pdus_retx;
    out.status = a.stats().status_tx + b.stats().status_tx;
    out.duplicates = a.stats().duplicates + b.stats().duplicates;
    out.stalls = a.stats().window_stalls + b.stats().window_stalls;
    (a_sdus, b_sdus, out)
}

/// LTE-style AM (pollPDU 16, pollByte 25 kB) when `nb_iot` is false; NB-IoT rules otherwise.
fn am_cfg(poll_ms: u32, reorder_ms: Option<u32>, prohibit_ms: u32, nb_iot: bool) -> RlcAmConfig {
    RlcAmConfig {
        nb_iot,
        enable_status_report_sn_gap: nb_iot,
        poll_pdu: (!nb_iot).then_some(16),
        poll_byte: (!nb_iot).then_some(25_000),
        t_poll_retransmit: TPollRetransmit::from_ms(poll_ms).unwrap(),
        t_reordering: reorder_ms.map(|m| TReordering::from_ms(m).unwrap()),
        t_status_prohibit: TStatusProhibit::from_ms(prohibit_ms).unwrap(),
        max_retx_threshold: MaxRetxThreshold::new(32).unwrap(),
        ..RlcAmConfig::nb_iot_default()
    }
}

fn check_am(cfg: RlcAmConfig, p: LinkParams, seed: u64, n: usize) -> Result<(), TestCaseError> {
    let (a_sdus, b_sdus, out) = run_am(cfg, p, seed, n, Duration::from_secs(900));
    prop_assert_eq!(out.failures, 0);
    prop_assert_eq!(&out.b_got, &a_sdus, "A→B at {}", out.end);
    prop_assert_eq!(&out.a_got, &b_sdus, "B→A at {}", out.end);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// LEO (RTT ≈ 26 ms): t-PollRetransmit 100 ms, t-Reordering 40 ms, t-StatusProhibit 35 ms.
    #[test]
    fn am_exactly_once_in_order_leo(
        seed in any::<u64>(),
        loss in 0.0f64..0.3,
        dup in 0.0f64..0.2,
        jitter_ms in 0i64..20,
        n in 1usize..60,
    ) {
        let p = LinkParams { one_way: LEO_ONE_WAY, jitter_ms, loss, dup,
            tti: Duration::from_millis(4), grant_min: 3, grant_max: 120 };
        check_am(am_cfg(100, Some(40), 35, false), p, seed, n)?;
    }

    /// GEO (RTT ≈ 541 ms): t-PollRetransmit 1000 ms (ms1000-v1310), t-Reordering 200 ms,
    /// t-StatusProhibit 800 ms (ms800-v1310, > RTT: one NACK per round trip).
    #[test]
    fn am_exactly_once_in_order_geo(
        seed in any::<u64>(),
        loss in 0.0f64..0.3,
        dup in 0.0f64..0.2,
        jitter_ms in 0i64..60,
        n in 1usize..60,
    ) {
        let p = LinkParams { one_way: GEO_ONE_WAY, jitter_ms, loss, dup,
            tti: Duration::from_millis(10), grant_min: 3, grant_max: 200 };
        check_am(am_cfg(1000, Some(200), 800, false), p, seed, n)?;
    }

    /// NB-IoT NTN over GEO: t-PollRetransmit 1000 ms (T-PollRetransmit-NB-r13),
    /// t-ReorderingExt-r17 2200 ms, enableStatusReportSN-Gap, no t-StatusProhibit.
    #[test]
    fn am_exactly_once_in_order_geo_nb_iot(
        seed in any::<u64>(),
        loss in 0.0f64..0.2,
        dup in 0.0f64..0.1,
        jitter_ms in 0i64..60,
        n in 1usize..40,
    ) {
        let p = LinkParams { one_way: GEO_ONE_WAY, jitter_ms, loss, dup,
            tti: Duration::from_millis(20), grant_min: 3, grant_max: 80 };
        check_am(am_cfg(1000, Some(2200), 0, true), p, seed, n)?;
    }

    /// NB-IoT default over LEO: no t-Reordering and no t-StatusProhibit (both 0), no
    /// enableStatusReportSN-Gap: STATUS reports answer polls only, losses are repaired
    /// through t-PollRetransmit (500 ms here).
    #[test]
    fn am_exactly_once_in_order_leo_nb_iot_poll_only(
        seed in any::<u64>(),
        loss in 0.0f64..0.2,
        dup in 0.0f64..0.1,
        jitter_ms in 0i64..20,
        n in 1usize..30,
    ) {
        let p = LinkParams { one_way: LEO_ONE_WAY, jitter_ms, loss, dup,
            tti: Duration::from_millis(10), grant_min: 3, grant_max: 80 };
        let mut cfg = am_cfg(500, None, 0, true);
        cfg.enable_status_report_sn_gap = false;
        check_am(cfg, p, seed, n)?;
    }

    /// UM with loss and reordering: an in-order subsequence, nothing twice; all of it when
    /// nothing is lost.
    #[test]
    fn um_in_order_subsequence(
        seed in any::<u64>(),
        loss in 0.0f64..0.3,
        jitter_ms in 0i64..14,
        n in 1usize..80,
        ten_bit in any::<bool>(),
    ) {
        let sn = if ten_bit { UmSnLength::Ten } else { UmSnLength::Five };
        let p = LinkParams { one_way: LEO_ONE_WAY, jitter_ms, loss, dup: 0.0,
            tti: Duration::from_millis(2), grant_min: 3, grant_max: 100 };
        let (sent, got) = run_um(sn, p, seed, n);
        let mut it = sent.iter();
        for g in &got {
            prop_assert!(it.any(|s| s == g), "UM delivered out of order or corrupt");
        }
        let (sent, got) = run_um(sn, LinkParams { loss: 0.0, ..p }, seed, n);
        prop_assert_eq!(got, sent);
    }
}

fn run_um(sn: UmSnLength, p: LinkParams, seed: u64, n: usize) -> (Vec<Bytes>, Vec<Bytes>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let t0 = Instant::ZERO;
    // t-Reordering above the jitter so that reordering alone loses nothing.
    let cfg = RlcUmConfig::new(sn, Some(TReordering::from_ms(40).unwrap()));
    let mut a = RlcUmEntity::new(cfg.clone(), t0);
    let mut b = RlcUmEntity::new(cfg, t0);
    let sent = sdus(&mut rng, n, 0xc0);
    let mut pipe = Pipe::default();
    let mut got = Vec::new();
    let mut next_tti = t0;
    // Send slowly enough that the SN window (16 with 5 bits) never wraps in flight:
    // one PDU per TTI, and the jitter bounded.
    let mut queued = 0;
    loop {
        let now = [Some(next_tti), pipe.next(), b.poll_timeout()]
            .into_iter()
            .flatten()
            .min()
            .unwrap();
        if now > t0 + Duration::from_secs(60) {
            break;
        }
        while let Some(pdu) = pipe.pop_due(now) {
            b.handle_pdu(now, &pdu);
        }
        b.handle_timeout(now);
        while let Some(ev) = b.poll_event() {
            if let RlcEvent::Sdu(s) = ev {
                got.push(s);
            }
        }
        if now >= next_tti {
            next_tti = now + p.tti;
            if queued < sent.len() {
                a.handle_sdu(now, sent[queued].clone()).unwrap();
                queued += 1;
            }
            let g = rng.random_range(p.grant_min..=p.grant_max);
            let mut o = BytesMut::new();
            if a.pull_pdu(now, g, &mut o) > 0 {
                pipe.send(&mut rng, &p, now, o.freeze());
            }
        }
        if queued == sent.len()
            && a.buffer_state().total() == 0
            && pipe.next().is_none()
            && b.poll_timeout().is_none()
        {
            break;
        }
    }
    (sent, got)
}

/// A fixed GEO case printed for the report: 200 SDUs, 20 % loss, 10 % duplication.
#[test]
fn am_geo_fixed_case() {
    let p = LinkParams {
        one_way: GEO_ONE_WAY,
        jitter_ms: 40,
        loss: 0.2,
        dup: 0.1,
        tti: Duration::from_millis(10),
        grant_min: 3,
        grant_max: 200,
    };
    let (a_sdus, b_sdus, out) = run_am(
        am_cfg(1000, Some(200), 800, false),
        p,
        7,
        200,
        Duration::from_secs(900),
    );
    assert_eq!(out.failures, 0);
    assert_eq!(out.b_got, a_sdus);
    assert_eq!(out.a_got, b_sdus);
    println!(
        "GEO fixed case: done at {}, retx {}, status {}, duplicates {}",
        out.end, out.retx, out.status, out.duplicates
    );
    // Losses were repaired by ARQ, duplicates were discarded.
    assert!(out.retx > 20, "retx {}", out.retx);
    assert!(out.duplicates > 10, "duplicates {}", out.duplicates);
    assert!(out.status > 10, "status {}", out.status);
    // Done within a bounded number of GEO round trips.
    assert!(
        out.end < Instant::ZERO + Duration::from_secs(120),
        "end {}",
        out.end
    );
}

/// SN wrap-around: 3000 SDUs over a lossy LEO link push the 10-bit AM SN (and VT(A),
/// VR(R), VR(MS) with it) through several wraps; the window stalls and recovers.
#[test]
fn am_leo_sn_wraps_several_times() {
    let p = LinkParams {
        one_way: LEO_ONE_WAY,
        jitter_ms: 10,
        loss: 0.1,
        dup: 0.05,
        tti: Duration::from_millis(1),
        grant_min: 3,
        grant_max: 160,
    };
    let cfg = RlcAmConfig {
        max_sdus: 4096,
        ..am_cfg(100, Some(40), 35, false)
    };
    let (a_sdus, b_sdus, out) = run_am(cfg, p, 11, 3000, Duration::from_secs(900));
    assert_eq!(out.failures, 0);
    assert_eq!(out.b_got.len(), 3000);
    assert_eq!(out.b_got, a_sdus);
    assert_eq!(out.a_got, b_sdus);
    assert!(out.retx > 100, "retx {}", out.retx);
}

/// GEO with a PDU every ms: 541 PDUs would be in flight per round trip, more than the
/// 512-PDU AM window, so the transmitter stalls on the window (and polls, §5.2.2.1) and
/// still delivers everything in order across SN wraps.
#[test]
fn am_geo_window_stall_and_wrap() {
    let p = LinkParams {
        one_way: GEO_ONE_WAY,
        jitter_ms: 5,
        loss: 0.05,
        dup: 0.0,
        tti: Duration::from_millis(1),
        grant_min: 20,
        grant_max: 60,
    };
    let cfg = RlcAmConfig {
        max_sdus: 4096,
        ..am_cfg(1000, Some(200), 800, false)
    };
    let (a_sdus, _, out) = run_am(cfg, p, 5, 2000, Duration::from_secs(900));
    assert_eq!(out.failures, 0);
    assert_eq!(out.b_got, a_sdus);
    println!(
        "GEO stall case: done at {}, retx {}, stalls {}",
        out.end, out.retx, out.stalls
    );
    assert!(out.stalls > 100, "stalls {}", out.stalls);
}
