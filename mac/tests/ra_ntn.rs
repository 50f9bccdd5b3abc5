//! NB-IoT random access over a LEO (RTT ≈ 26 ms) and a GEO (RTT ≈ 541 ms) link, with a
//! minimal cell that answers Msg1 with a RAR, expects Msg3 exactly where its grant put it
//! (k0 + K_offset after the RAR, on its UL frame that lags its DL frame by K_mac), and
//! answers Msg3 with Msg4 carrying the UE Contention Resolution Identity.
//!
//! The procedure succeeds on both orbits with the NTN rules, and fails, as it must, when
//! the UE ignores one of them: the RAR window offset (the RAR arrives after the window
//! closed), K_offset on Msg3 (the grant would need a transmission before it was received),
//! or the RTT extension of the contention resolution timer (Msg4 arrives after it expired).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_mac::mac::pdu::{
    Dpr, LCID_CCCH, LinkDirection, MacPduRepr, MacSubPdu, NbRar, NbRarGrant, RarPduRepr,
};
use ntn_mac::mac::ra::{NtnTiming, RaConfig, RaEvent, RaProcedure, RaStats, RaTransmit};
use ntn_types::{Duration, Instant};
use std::collections::BTreeMap;

const MS: fn(i64) -> Duration = Duration::from_millis;

#[derive(Debug, Clone, Copy)]
struct Orbit {
    /// True one-way delay UE ↔ eNB.
    one_way: Duration,
    k_mac: Duration,
    k_offset: Duration,
}

/// LEO 600 km, transparent payload: 13 ms one way; K_offset 30 ms ≥ RTT.
const LEO: Orbit = Orbit {
    one_way: Duration::from_millis(13),
    k_mac: Duration::ZERO,
    k_offset: Duration::from_millis(30),
};
/// GEO, transparent payload: 270.5 ms one way (RTT 541 ms); the reference point sits 20 ms
/// of round trip short of the eNB (K_mac = 20 ms); K_offset 560 ms ≥ RTT.
const GEO: Orbit = Orbit {
    one_way: Duration::from_micros(270_500),
    k_mac: Duration::from_millis(20),
    k_offset: Duration::from_millis(560),
};

const PROC: Duration = Duration::from_millis(10); // eNB processing before answering
const PREAMBLE: Duration = Duration::from_millis(6);
const MSG3: Duration = Duration::from_millis(8);
const K0: Duration = Duration::from_millis(12); // RAR grant I_delay = 0

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rules {
    window: bool,
    k_offset: bool,
    timer: bool,
}
const ALL: Rules = Rules {
    window: true,
    k_offset: true,
    timer: true,
};

fn config(o: Orbit, r: Rules) -> RaConfig {
    RaConfig {
        preamble_trans_max: 5,
        max_attempts_per_ce: vec![3, 3, 3],
        preamble_duration: PREAMBLE,
        rar_window_delay: MS(4),
        ra_response_window: MS(20),
        contention_resolution_timer: MS(64),
        msg3_duration: MSG3,
        initial_target_power_dbm: -112.0,
        power_ramping_step_db: 2.0,
        p_cmax_dbm: 23.0,
        ntn: Some(NtnTiming {
            k_offset: o.k_offset,
            k_mac: o.k_mac,
            rar_window_offset: r.window,
            contention_timer_extension: r.timer,
            msg3_k_offset: r.k_offset,
        }),
        seed: 42,
    }
}

enum Msg {
    ToEnbPreamble { rapid: u8 },
    ToEnbMsg3 { pdu: Vec<u8> },
    ToUeRar(Vec<u8>),
    ToUeMsg4 { rnti: u16, pdu: Vec<u8> },
}

struct Outcome {
    event: RaEvent,
    at: Instant,
    stats: RaStats,
    msg3_missed_by_enb: u32,
    preamble_powers: Vec<(u8, f32)>,
}

fn run(o: Orbit, r: Rules) -> Outcome {
    let t0 = Instant::ZERO;
    let mut ue = RaProcedure::new(config(o, r), t0);
    // T_TA: the UE pre-compensates the round trip to the reference point.
    let ue_ta = o.one_way + o.one_way - o.k_mac;
    let ccch = vec![0x40, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc];
    ue.start(t0, ccch, Dpr { ph: 1, dv: 3 }, ue_ta);
    let mut q: BTreeMap<(Instant, u64), Msg> = BTreeMap::new();
    let mut seq = 0u64;
    let mut push = |q: &mut BTreeMap<(Instant, u64), Msg>, t: Instant, m: Msg| {
        seq += 1;
        q.insert((t, seq), m);
    };
    let tc_rnti = 0x4601;
    let mut expected_msg3: Option<Instant> = None;
    let mut msg3_missed = 0;
    let mut powers = Vec::new();
    loop {
        let now = [ue.poll_timeout(), q.keys().next().map(|k| k.0)]
            .into_iter()
            .flatten()
            .min()
            .expect("the procedure always ends with an event");
        assert!(now < t0 + Duration::from_secs(60), "no end");
        while let Some((&k, _)) = q.iter().next() {
            if k.0 > now {
                break;
            }
            match q.remove(&k).unwrap() {
                Msg::ToEnbPreamble { rapid } => {
                    // eNB: preamble fully received now; answer after PROC.
                    let rar = RarPduRepr {
                        backoff_indicator: Some(2),
                        rars: vec![(
                            rapid,
                            NbRar {
                                ta: 0,
                                grant: NbRarGrant {
                                    spacing_15khz: true,
                                    subcarrier_indication: 0,
                                    scheduling_delay: 0,
                                    msg3_repetitions: 0,
                                    mcs: 0,
                                },
                                tc_rnti,
                            },
                        )],
                    };
                    let mut b = Vec::new();
                    rar.emit(&mut b).unwrap();
                    let tx = now + PROC;
                    // The eNB expects Msg3 on its UL frame: k0 + K_offset after the RAR,
                    // which lags its DL frame by K_mac.
                    expected_msg3 = Some(tx + K0 + o.k_offset + o.k_mac);
                    push(&mut q, tx + o.one_way, Msg::ToUeRar(b));
                }
                Msg::ToEnbMsg3 { pdu } => {
                    let on_time = expected_msg3
                        .is_some_and(|e| (now.duration_since(e)).as_nanos().abs() < 500_000);
                    if !on_time {
                        msg3_missed += 1;
                        continue;
                    }
                    let p = MacPduRepr::parse(&pdu, LinkDirection::Uplink).unwrap();
                    let ccch = p.elements.iter().find(|e| e.lcid == LCID_CCCH).unwrap();
                    // Skip the DPR octet in front of the CCCH SDU; echo its first 48 bits.
                    let cri: Vec<u8> = ccch.payload[1..7].to_vec();
                    let setup = [0x68u8, 0x01, 0x02];
                    let msg4 = MacPduRepr {
                        elements: vec![
                            MacSubPdu {
                                lcid: 28,
                                payload: &cri,
                            },
                            MacSubPdu {
                                lcid: LCID_CCCH,
                                payload: &setup,
                            },
                        ],
                        padding: 0,
                    };
                    let mut b = Vec::new();
                    msg4.emit(LinkDirection::Downlink, 12, &mut b).unwrap();
                    push(
                        &mut q,
                        now + MSG3 + PROC + o.one_way,
                        Msg::ToUeMsg4 {
                            rnti: tc_rnti,
                            pdu: b,
                        },
                    );
                }
                Msg::ToUeRar(b) => ue.handle_rar(now, &b),
                Msg::ToUeMsg4 { rnti, pdu } => ue.handle_msg4(now, rnti, &pdu),
            }
        }
        ue.handle_timeout(now);
        while let Some(t) = ue.poll_transmit() {
            match t {
                RaTransmit::Preamble {
                    at,
                    rapid,
                    ce_level,
                    target_power_dbm,
                } => {
                    powers.push((ce_level, target_power_dbm));
                    push(
                        &mut q,
                        at + PREAMBLE + o.one_way,
                        Msg::ToEnbPreamble { rapid },
                    );
                }
                RaTransmit::Msg3 { at, pdu, .. } => {
                    push(&mut q, at + o.one_way, Msg::ToEnbMsg3 { pdu });
                }
            }
        }
        if let Some(ev) = ue.poll_event() {
            return Outcome {
                event: ev,
                at: now,
                stats: ue.stats().clone(),
                msg3_missed_by_enb: msg3_missed,
                preamble_powers: powers,
            };
        }
    }
}

/// Success time on the first attempt, from the link geometry:
/// RAR at the UE = preamble end + 2·d + PROC; Msg3 arrives at the eNB k0 + K_offset + K_mac
/// after the RAR left it; Msg4 reaches the UE MSG3 + PROC + d later.
fn expected_success(o: Orbit) -> Instant {
    let rar_tx = Instant::ZERO + PREAMBLE + o.one_way + PROC;
    let msg3_rx = rar_tx + K0 + o.k_offset + o.k_mac;
    msg3_rx + MSG3 + PROC + o.one_way
}

#[test]
fn leo_succeeds_with_ntn_rules() {
    let out = run(LEO, ALL);
    assert_eq!(
        out.event,
        RaEvent::Success {
            c_rnti: 0x4601,
            ta_command: 0,
            attempts: 1
        }
    );
    assert_eq!(out.at, expected_success(LEO));
    assert_eq!(out.msg3_missed_by_enb, 0);
}

#[test]
fn geo_succeeds_with_ntn_rules() {
    let out = run(GEO, ALL);
    assert!(matches!(out.event, RaEvent::Success { attempts: 1, .. }));
    // 6 + 270.5 + 10 + 12 + 560 + 20 + 8 + 10 + 270.5 = 1167 ms after the first preamble.
    assert_eq!(out.at, expected_success(GEO));
    assert_eq!(out.at, Instant::ZERO + MS(1167));
}

#[test]
fn geo_fails_when_rar_window_ignores_the_rtt() {
    let out = run(
        GEO,
        Rules {
            window: false,
            ..ALL
        },
    );
    // Every RAR arrives ≈ 541 ms after the preamble; the 20 ms window closed 517 ms before.
    assert_eq!(out.event, RaEvent::Failure { attempts: 5 });
    assert_eq!(out.stats.rar_window_expiries, 5);
    assert_eq!(out.stats.preambles, 5);
    // Power ramping on CE level 0, then PCMAX on CE level 1.
    assert_eq!(
        out.preamble_powers,
        vec![(0, -112.0), (0, -110.0), (0, -108.0), (1, 23.0), (1, 23.0)]
    );
}

#[test]
fn leo_fails_too_with_a_short_window_and_no_offset() {
    // RTT 26 ms + 10 ms processing > 4 + 20 ms: even LEO needs the offset for this window.
    let out = run(
        LEO,
        Rules {
            window: false,
            ..ALL
        },
    );
    assert_eq!(out.event, RaEvent::Failure { attempts: 5 });
    assert_eq!(out.stats.rar_window_expiries, 5);
}

#[test]
fn geo_fails_without_k_offset_on_msg3() {
    let out = run(
        GEO,
        Rules {
            k_offset: false,
            ..ALL
        },
    );
    // k0 = 12 ms < T_TA = 521 ms: Msg3 would have to leave before the RAR arrived.
    assert_eq!(out.event, RaEvent::Failure { attempts: 5 });
    assert_eq!(out.stats.msg3_too_late, 5);
}

#[test]
fn leo_msg3_misses_the_enb_slot_without_k_offset() {
    let out = run(
        LEO,
        Rules {
            k_offset: false,
            ..ALL
        },
    );
    // k0 = 12 ms < T_TA = 26 ms: too late to send as well.
    assert_eq!(out.event, RaEvent::Failure { attempts: 5 });
    assert_eq!(out.stats.msg3_too_late, 5);
}

#[test]
fn geo_fails_when_contention_timer_is_not_extended() {
    let out = run(
        GEO,
        Rules {
            timer: false,
            ..ALL
        },
    );
    // Msg4 arrives ≈ 559 ms after Msg3 ended; the 64 ms timer expired long before.
    assert_eq!(out.event, RaEvent::Failure { attempts: 5 });
    assert_eq!(out.stats.contention_failures, 5);
    assert_eq!(out.stats.rar_window_expiries, 0);
}

#[test]
fn sib31_ranges() {
    let t = NtnTiming::from_sib31(560, Some(20)).unwrap();
    assert_eq!((t.k_offset, t.k_mac), (GEO.k_offset, GEO.k_mac));
    assert_eq!(
        NtnTiming::from_sib31(30, None).unwrap().k_mac,
        Duration::ZERO
    );
    assert!(NtnTiming::from_sib31(1024, None).is_none());
    assert!(NtnTiming::from_sib31(0, Some(0)).is_none());
    assert!(NtnTiming::from_sib31(0, Some(513)).is_none());
}

#[test]
fn deterministic() {
    let a = run(
        GEO,
        Rules {
            timer: false,
            ..ALL
        },
    );
    let b = run(
        GEO,
        Rules {
            timer: false,
            ..ALL
        },
    );
    assert_eq!(a.at, b.at);
    assert_eq!(a.stats, b.stats);
}
