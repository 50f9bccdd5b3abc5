//! A `UeStack` and a `CellStack` through the minimal carrier of `ntn_stack::loopback`,
//! driven by the true orbit: every transmission arrives after the true propagation delay
//! (transparent: service and feeder link), shifted by the true service-link Doppler, and
//! decodes (unless a test asks for losses or an outage). LEO (CBERS 2 over Montréal, gateway
//! in Toronto) and GEO (a geostationary element set, UE and gateway at low elevation): cell
//! found, SIB31 read, RA, attach with AKA and NAS security, ≥ 20 uplink and downlink data
//! exchanges, all measured by the cell-side receiver within the NB-IoT timing and ±0.1 ppm
//! frequency bounds; without pre-compensation RA fails. Deterministic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_orbit::elements::{parse_tle, tle_checksum};
use ntn_orbit::frames::Geodetic;
use ntn_orbit::{EarthOrientation, GroundSite, Satellite, TimeBase, UtcTime};
use ntn_stack::cell::{CellConfig, CellEvent, Payload, SiteDeg};
use ntn_stack::link::TS_S;
use ntn_stack::loopback::{self, Impairments, LoopbackRun};
use ntn_stack::ntn::NtnConfig;
use ntn_stack::ue::{TrafficConfig, UeConfig, UeStackEvent};
use ntn_types::{Duration, Instant};

/// UE transmit timing error bound used here: Te = 24·T_s (0.78 µs), the TS 36.133 §7.1.2
/// figure for the narrowest (1.4 MHz / NB-IoT) bandwidth class.
const TE_S: f64 = 24.0 * TS_S;

fn run(
    sat: Satellite,
    tb: TimeBase,
    ue_site: GroundSite,
    imp: Impairments,
    cell_cfg: CellConfig,
    ue_cfg: UeConfig,
    secs: i64,
) -> LoopbackRun {
    loopback::run(sat, tb, ue_site, imp, cell_cfg, ue_cfg, secs).unwrap()
}

fn leo() -> (Satellite, TimeBase, GroundSite, SiteDeg) {
    let sat = Satellite::new(
        parse_tle(
            Some("CBERS 2"),
            "1 28057U 03049A   06177.78615833  .00000060  00000-0  35940-4 0  1836",
            "2 28057  98.4283 247.6961 0000884  88.1964 271.9322 14.35478080140550",
            None,
        )
        .unwrap(),
    )
    .unwrap();
    let origin: UtcTime = "2006-06-27T01:45:20Z".parse().unwrap();
    let ue = GroundSite::from_degrees(45.5017, -73.5673, 50.0);
    let gw = SiteDeg {
        lat_deg: 43.65,
        lon_deg: -79.38,
        alt_m: 80.0,
    };
    (sat, TimeBase::new(origin), ue, gw)
}

/// A geostationary element set (synthetic, for the test) with UE and gateway placed on
/// either side of its sub-satellite point at low elevation.
fn geo() -> (Satellite, TimeBase, GroundSite, SiteDeg) {
    let mut l1 = "1 99999U 06001A   06177.50000000  .00000000  00000-0  00000-0 0   99".to_string();
    let mut l2 = format!(
        "2 99999 {:8.4} {:8.4} 0002000 {:8.4} {:8.4} {:11.8}{:5}",
        0.05, 75.0, 270.0, 90.0, 1.002_737_91, 10
    );
    l1 += &tle_checksum(&l1).to_string();
    l2 += &tle_checksum(&l2).to_string();
    let sat = Satellite::new(parse_tle(Some("GEO TEST"), &l1, &l2, None).unwrap()).unwrap();
    let origin: UtcTime = "2006-06-26T12:00:00Z".parse().unwrap();
    let tb = TimeBase::new(origin);
    let s = sat
        .state_ecef(origin, &EarthOrientation::default())
        .unwrap();
    let sub = Geodetic::from_ecef(&s.position);
    let ue = GroundSite::from_degrees(sub.lat_deg() + 67.0, sub.lon_deg(), 10.0);
    let gw = SiteDeg {
        lat_deg: sub.lat_deg() - 67.0,
        lon_deg: sub.lon_deg(),
        alt_m: 10.0,
    };
    (sat, tb, ue, gw)
}

fn configs(
    gw: SiteDeg,
    k_offset_ms: u16,
    precompensate: bool,
    exchanges: u32,
) -> (CellConfig, UeConfig) {
    let cell = CellConfig {
        payload: Payload::Transparent { gateway: gw },
        k_offset_ms,
        ..CellConfig::default()
    };
    let ue = UeConfig {
        ntn: NtnConfig {
            precompensate,
            ..NtnConfig::default()
        },
        traffic: TrafficConfig {
            exchanges,
            interval_s: 1.0,
            bytes: 32,
        },
        seed: 7,
        ..UeConfig::default()
    };
    (cell, ue)
}

fn has(events: &[(Instant, UeStackEvent)], f: impl Fn(&UeStackEvent) -> bool) -> bool {
    events.iter().any(|(_, e)| f(e))
}

fn check_connected_run(r: &LoopbackRun, f_ul_hz: f64) {
    let ev = &r.ue_events;
    for (name, want) in [
        (
            "CellFound",
            has(ev, |e| matches!(e, UeStackEvent::CellFound)),
        ),
        (
            "MibDecoded",
            has(ev, |e| matches!(e, UeStackEvent::MibDecoded { .. })),
        ),
        (
            "Sib1Decoded",
            has(ev, |e| matches!(e, UeStackEvent::Sib1Decoded { .. })),
        ),
        (
            "Sib31Decoded",
            has(ev, |e| matches!(e, UeStackEvent::Sib31Decoded { .. })),
        ),
        (
            "RaSucceeded",
            has(ev, |e| matches!(e, UeStackEvent::RaSucceeded { .. })),
        ),
        (
            "Connected",
            has(ev, |e| matches!(e, UeStackEvent::Connected)),
        ),
        (
            "Authenticated",
            has(ev, |e| matches!(e, UeStackEvent::Authenticated)),
        ),
        (
            "SecurityActivated",
            has(ev, |e| matches!(e, UeStackEvent::SecurityActivated)),
        ),
        ("Attached", has(ev, |e| matches!(e, UeStackEvent::Attached))),
    ] {
        assert!(want, "no {name}: {:#?}", &ev[..ev.len().min(40)]);
    }
    let dl = ev
        .iter()
        .filter(|(_, e)| matches!(e, UeStackEvent::DataExchanged { .. }))
        .count();
    let ul = r
        .cell_events
        .iter()
        .filter(|(_, e)| matches!(e, CellEvent::UplinkData { .. }))
        .count();
    assert!(ul >= 20 && dl >= 20, "uplink {ul}, downlink {dl} exchanges");
    // Every uplink reception, as the cell's receiver measured it.
    let meas: Vec<_> = r
        .cell_events
        .iter()
        .filter_map(|(_, e)| match e {
            CellEvent::UplinkMeasured(m) => Some(*m),
            _ => None,
        })
        .collect();
    assert!(meas.len() > 40, "{} uplink receptions", meas.len());
    let f_max = 0.1e-6 * f_ul_hz;
    if std::env::var("NTN_TRACE").is_ok() {
        for (t, e) in &r.cell_events {
            if let CellEvent::UplinkMeasured(m) = e {
                println!(
                    "{:.3} {:?} {:.1} ns {:.2} Hz",
                    t.as_secs_f64(),
                    m.channel,
                    m.timing_error_s.unwrap_or(f64::NAN) * 1e9,
                    m.freq_offset_hz
                );
            }
        }
    }
    for m in &meas {
        assert!(m.accepted, "rejected: {m:?}");
        let te = m
            .timing_error_s
            .expect("the link level measures every timing");
        assert!(te.abs() <= TE_S, "timing {m:?}");
        assert!(m.freq_offset_hz.abs() <= f_max, "frequency {m:?}");
    }
    let s = r.cell.stats();
    println!(
        "RTT {:.1} ms: {} UL receptions, max |timing error| {:.1} ns (Te {:.0} ns), max |freq| {:.2} Hz (0.1 ppm {:.1} Hz), {ul} UL / {dl} DL data",
        r.rtt_s * 1e3,
        meas.len(),
        s.max_abs_timing_error_s * 1e9,
        TE_S * 1e9,
        s.max_abs_freq_offset_hz,
        f_max
    );
}

#[test]
fn leo_attach_and_data_measured_by_the_cell() {
    let (sat, tb, ue, gw) = leo();
    let (cell_cfg, ue_cfg) = configs(gw, 40, true, 25);
    let f_ul = cell_cfg.f_ul_hz;
    let r = run(sat, tb, ue, Impairments::default(), cell_cfg, ue_cfg, 45);
    assert!(r.rtt_s > 0.015 && r.rtt_s < 0.04, "LEO RTT {}", r.rtt_s);
    check_connected_run(&r, f_ul);
    // The 30 s validity was renewed by re-reading SIB31 before it ran out.
    let reads = r
        .ue_events
        .iter()
        .filter(|(_, e)| matches!(e, UeStackEvent::Sib31Decoded { .. }))
        .count();
    assert!(reads >= 2, "SIB31 read {reads} times");
    assert!(!has(&r.ue_events, |e| matches!(
        e,
        UeStackEvent::UlSyncLost
    )));
    // Traffic over, the cell releases the connection after its inactivity timer.
    assert!(has(&r.ue_events, |e| matches!(e, UeStackEvent::Released)));
}

#[test]
fn losing_the_satellite_is_a_radio_link_failure_then_cell_search() {
    let (sat, tb, ue, gw) = leo();
    let (cell_cfg, ue_cfg) = configs(gw, 40, true, 25);
    let outage = Instant::ZERO + Duration::from_secs(12);
    let r = run(
        sat,
        tb,
        ue,
        Impairments {
            outage_from: Some(outage),
            ..Impairments::default()
        },
        cell_cfg,
        ue_cfg,
        25,
    );
    assert!(has(&r.ue_events, |e| matches!(e, UeStackEvent::Attached)));
    let rlf = r
        .ue_events
        .iter()
        .position(|(_, e)| matches!(e, UeStackEvent::RadioLinkFailure { .. }))
        .expect("radio link failure");
    let lost = r
        .ue_events
        .iter()
        .position(|(_, e)| matches!(e, UeStackEvent::CellLost))
        .expect("cell lost");
    assert!(rlf <= lost);
    let t = r.ue_events[rlf].0;
    assert!(t > outage && t <= outage + Duration::from_secs(6), "{t:?}");
}

#[test]
fn geo_attach_with_the_541_ms_round_trip() {
    let (sat, tb, ue, gw) = geo();
    let (cell_cfg, ue_cfg) = configs(gw, 560, true, 22);
    let f_ul = cell_cfg.f_ul_hz;
    let r = run(sat, tb, ue, Impairments::default(), cell_cfg, ue_cfg, 50);
    assert!(r.rtt_s > 0.53 && r.rtt_s < 0.56, "GEO RTT {}", r.rtt_s);
    check_connected_run(&r, f_ul);
}

#[test]
fn without_precompensation_random_access_fails() {
    let (sat, tb, ue, gw) = leo();
    let (cell_cfg, ue_cfg) = configs(gw, 40, false, 25);
    let r = run(sat, tb, ue, Impairments::default(), cell_cfg, ue_cfg, 20);
    // Either MAC gives up (preambleTransMax) or RRC's T300 runs out first.
    assert!(
        has(&r.ue_events, |e| matches!(
            e,
            UeStackEvent::RaFailed { .. } | UeStackEvent::ConnectionFailed { .. }
        )),
        "{:?}",
        r.ue_events
    );
    assert!(!has(&r.ue_events, |e| matches!(
        e,
        UeStackEvent::RaSucceeded { .. }
    )));
    let s = r.cell.stats();
    assert!(s.preambles_received >= 5, "{s:?}");
    assert_eq!(s.preambles_detected, 0, "{s:?}");
    // The preambles arrived about a round trip late and far off frequency.
    let worst = r
        .cell_events
        .iter()
        .filter_map(|(_, e)| match e {
            CellEvent::UplinkMeasured(m) => Some(m.freq_offset_hz.abs()),
            _ => None,
        })
        .fold(0.0, f64::max);
    assert!(worst > 1_000.0, "{worst}");
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let trace = |seed| {
        let (sat, tb, ue, gw) = leo();
        let (cell_cfg, mut ue_cfg) = configs(gw, 40, true, 3);
        ue_cfg.seed = seed;
        let r = run(sat, tb, ue, Impairments::default(), cell_cfg, ue_cfg, 8);
        format!("{:x}{:?}{:?}", r.trace_hash, r.ue_events, r.cell_events)
    };
    assert_eq!(trace(7), trace(7));
    assert_ne!(trace(7), trace(8));
}

#[test]
fn data_after_a_release_reconnects_with_the_s_tmsi() {
    let (sat, tb, ue, gw) = leo();
    let (cell_cfg, mut ue_cfg) = configs(gw, 40, true, 3);
    // Longer than the cell's 10 s inactivity timer: each message finds the UE idle.
    ue_cfg.traffic.interval_s = 12.0;
    let r = run(sat, tb, ue, Impairments::default(), cell_cfg, ue_cfg, 45);
    let count =
        |f: &dyn Fn(&UeStackEvent) -> bool| r.ue_events.iter().filter(|(_, e)| f(e)).count();
    let echoes = count(&|e| matches!(e, UeStackEvent::DataExchanged { .. }));
    let releases = count(&|e| matches!(e, UeStackEvent::Released));
    let connections = count(&|e| matches!(e, UeStackEvent::RaSucceeded { .. }));
    assert!(
        echoes >= 3 && releases >= 2 && connections >= 3,
        "{:#?}",
        r.ue_events
    );
}

#[test]
fn one_transmission_in_ten_lost_still_attaches_and_exchanges_data() {
    let (sat, tb, ue, gw) = leo();
    let (cell_cfg, ue_cfg) = configs(gw, 40, true, 25);
    let r = run(
        sat,
        tb,
        ue,
        Impairments {
            loss: 0.1,
            seed: 3,
            ..Impairments::default()
        },
        cell_cfg,
        ue_cfg,
        60,
    );
    assert!(has(&r.ue_events, |e| matches!(e, UeStackEvent::Attached)));
    let dl = r
        .ue_events
        .iter()
        .filter(|(_, e)| matches!(e, UeStackEvent::DataExchanged { .. }))
        .count();
    let ul = r
        .cell_events
        .iter()
        .filter(|(_, e)| matches!(e, CellEvent::UplinkData { .. }))
        .count();
    assert!(ul >= 20 && dl >= 20, "uplink {ul}, downlink {dl}");
    for (_, e) in &r.cell_events {
        if let CellEvent::UplinkMeasured(m) = e
            && m.accepted
        {
            assert!(m.timing_error_s.is_some_and(|t| t.abs() <= TE_S), "{m:?}");
        }
    }
}

#[test]
fn a_gnss_error_shows_in_what_the_cell_measures() {
    let (sat, tb, ue, gw) = leo();
    let (mut cell_cfg, ue_cfg) = configs(gw, 40, true, 5);
    // 1 ms NPUSCH (12 tones, no repetition) and NPDSCH without repetition: the uplink
    // instants of both runs stay close, so the difference isolates the fix's error.
    cell_cfg.ul_target_ebn0_db = -20.0;
    cell_cfg.dl_repetitions_per_ce = [1, 1, 1];
    let exact = run(
        sat.clone(),
        tb,
        ue,
        Impairments::default(),
        cell_cfg.clone(),
        ue_cfg.clone(),
        12,
    );
    // A fix 0.0005° (≈ 56 m) north of the truth.
    let off = run(
        sat,
        tb,
        ue,
        Impairments {
            gnss_error_lat_deg: 5e-4,
            ..Impairments::default()
        },
        cell_cfg,
        ue_cfg,
        12,
    );
    let (e0, e1) = (
        exact.cell.stats().max_abs_timing_error_s,
        off.cell.stats().max_abs_timing_error_s,
    );
    println!(
        "max |UL timing error| at the cell: {:.0} ns exact fix, {:.0} ns with a 56 m error",
        e0 * 1e9,
        e1 * 1e9
    );
    assert!(e1 > e0 + 30e-9, "exact {e0}, with GNSS error {e1}");
}
