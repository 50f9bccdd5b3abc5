//! End-to-end runs of `ntn_sim::e2e` through the engine and the link abstraction on the
//! TR 38.821 SC9 link budget, with both node kinds:
//! - `full` (the default): `CellStack` + `UeStack` (RA, RRC, NAS attach with AKA and
//!   security, data over NAS), with the cell's link adaptation (CE level → NPDSCH
//!   repetitions, measured UL C/N0 → NPUSCH tones and repetitions);
//! - `probe`: the link-level probe cell and UE (real NTN pre-compensation, a probe protocol
//!   instead of MAC/RRC/NAS), kept as a reference.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is the report

use ntn_sim::e2e::{E2eScenario, Level, run};
use ntn_sim::engine::{NbChannel, SimEvent};
use ntn_sim::report::E2eReport;

fn go(sc: &E2eScenario) -> E2eReport {
    run(sc, &mut |_, _| {}).unwrap()
}

fn probe(mut sc: E2eScenario) -> E2eScenario {
    sc.stack = "probe".into();
    sc
}

/// 60 s of the pass around culmination, full stacks.
fn short() -> E2eScenario {
    E2eScenario {
        start: Some("2006-06-27T01:46:00Z".into()),
        duration_s: Some(60.0),
        traffic: ntn_sim::e2e::TrafficScenario {
            exchanges: 10,
            bytes: 32,
            period_s: 3.0,
        },
        ..Default::default()
    }
}

/// Every uplink transmission the cell decoded, as its own receiver measured it: NPUSCH
/// within the timing limit (the NPUSCH cyclic prefix) and everything within 0.1 ppm.
fn assert_ul_measured_within_limits(r: &E2eReport) {
    let s = &r.summary;
    assert!(s.ul_within_limits, "{s:?}");
    let decoded: Vec<_> = r.ul.iter().filter(|p| p.decoded).collect();
    assert!(!decoded.is_empty());
    for p in decoded {
        assert!(p.freq_error_hz.abs() <= s.freq_limit_hz, "{p:?}");
        if p.channel == NbChannel::NpuschF1 {
            assert!(
                p.timing_error_us
                    .is_none_or(|t| t.abs() <= s.timing_limit_us),
                "{p:?}"
            );
        }
    }
    assert!(
        r.ul.iter()
            .any(|p| p.decoded && p.channel == NbChannel::NpuschF1 && p.timing_error_us.is_some()),
        "no NPUSCH timing measured"
    );
}

#[test]
fn shortened_leo_pass_attaches_and_exchanges_data() {
    let r = go(&short());
    let s = &r.summary;
    assert!(r.nodes.contains("UeStack"), "{}", r.nodes);
    assert!(r.simulated_s <= 60.0);
    assert!(s.cell_found_s.unwrap() < 1.0, "{:?}", s.cell_found_s);
    assert!(s.sib31_read_s.unwrap() < 4.0);
    assert!(s.connected_s.unwrap() < 6.0, "{:?}", s.connected_s);
    // Attach with EPS AKA and NAS security.
    assert!(s.attached_s.unwrap() < 10.0, "{}", s.verdict);
    assert!(s.verdict.starts_with("attached"), "{}", s.verdict);
    assert_eq!(s.exchanges, 10, "{}", s.verdict);
    assert_ul_measured_within_limits(&r);
    // Latency: two service-link trips, K_offset, grant delays and repetitions at
    // culmination: a hundred-odd ms, not seconds.
    let l = s.latency_mean_s.unwrap();
    assert!(l > 0.02 && l < 0.5, "{l}");
}

/// The shortened pass with every transmission through our PHY as IQ.
fn short_sample() -> E2eScenario {
    E2eScenario {
        level: Level::Sample,
        ..short()
    }
}

#[test]
fn shortened_leo_pass_at_sample_level_attaches_and_exchanges_data() {
    let r = go(&short_sample());
    let s = &r.summary;
    // Every reception went through the sample-level PHY; the terminal acquired the cell
    // with the cold cell search.
    assert_eq!(r.engine.link_level, 0, "{:?}", r.engine);
    assert!(r.engine.sample_level > 100, "{:?}", r.engine);
    assert!(r.engine.acquisitions >= 1, "{:?}", r.engine);
    assert!(s.cell_found_s.unwrap() < 3.0, "{:?}", s.cell_found_s);
    assert!(s.attached_s.is_some(), "{}", s.verdict);
    assert!(s.verdict.starts_with("attached"), "{}", s.verdict);
    assert!(s.exchanges >= 8, "{}", s.verdict);
    // The residuals are what the cell's NPRACH and NPUSCH receivers estimated from the IQ.
    assert_ul_measured_within_limits(&r);
    assert!(s.dl_bler < 0.2, "{}", s.dl_bler);
}

#[test]
fn shortened_pass_through_ntn_tdl_c_fading_at_both_levels() {
    // The link level draws from the TDL-C curves; the sample level runs one fading process
    // per link and direction through our PHY. Both attach and carry the data; the cell's
    // receivers still measure every UL residual within the limits.
    for level in [Level::Link, Level::Sample] {
        let sc = E2eScenario {
            channel: "tdl-c".into(),
            level,
            ..short()
        };
        let r = go(&sc);
        let s = &r.summary;
        assert!(
            s.verdict.starts_with("attached"),
            "{level:?}: {}",
            s.verdict
        );
        assert!(s.exchanges >= 8, "{level:?}: {}", s.verdict);
        assert_ul_measured_within_limits(&r);
        // The same run in AWGN hears differently: the fading is in what was delivered.
        let awgn = go(&E2eScenario { level, ..short() });
        assert_ne!(r.trace_hash, awgn.trace_hash, "{level:?}");
    }
    let bad = E2eScenario {
        channel: "tdl-z".into(),
        ..short()
    };
    assert!(run(&bad, &mut |_, _| {}).is_err());
}

#[test]
fn sample_level_without_precompensation_random_access_never_succeeds() {
    let mut sc = short_sample();
    sc.precompensation = false;
    sc.duration_s = Some(30.0);
    let r = go(&sc);
    let s = &r.summary;
    assert!(s.cell_found_s.is_some(), "{}", s.verdict);
    assert!(s.connected_s.is_none(), "{}", s.verdict);
    assert!(s.preambles >= 3, "{}", s.preambles);
    assert_eq!(s.preambles_detected, 0);
    assert!(s.verdict.contains("never succeeded"), "{}", s.verdict);
}

#[test]
fn sample_level_same_seed_same_hash() {
    let mut sc = short_sample();
    sc.duration_s = Some(20.0);
    let a = go(&sc);
    let b = go(&sc);
    assert_eq!(a.trace_hash, b.trace_hash);
    assert_eq!(a.report_hash, b.report_hash);
    sc.seed = 5;
    assert_ne!(go(&sc).trace_hash, a.trace_hash);
}

#[test]
fn whole_default_leo_pass_meets_the_acceptance_figures() {
    let r = go(&E2eScenario::default());
    let s = &r.summary;
    assert!(r.nodes.contains("UeStack"), "{}", r.nodes);
    assert!(r.simulated_s > 500.0, "{}", r.simulated_s);
    assert!(s.attached_s.is_some(), "{}", s.verdict);
    assert!(s.exchanges >= 20, "{}", s.verdict);
    assert!(s.preambles >= s.preambles_detected);
    assert_ul_measured_within_limits(&r);
    // Down to the 10° mask the adapted formats carry both ways.
    assert!(s.dl_bler < 0.1, "{}", s.dl_bler);
    assert!(s.ul_bler < 0.1, "{}", s.ul_bler);
    // The pass curves span both signs of Doppler.
    let max = r
        .pass
        .iter()
        .map(|p| p.doppler_dl_hz)
        .fold(f64::MIN, f64::max);
    let min = r
        .pass
        .iter()
        .map(|p| p.doppler_dl_hz)
        .fold(f64::MAX, f64::min);
    assert!(max > 30e3 && min < -30e3, "{min} … {max}");
}

#[test]
fn probe_nodes_still_carry_the_pass() {
    let r = go(&probe(E2eScenario::default()));
    let s = &r.summary;
    assert!(s.exchanges >= 20, "{}", s.verdict);
    assert_ul_measured_within_limits(&r);
}

#[test]
fn without_precompensation_random_access_never_succeeds() {
    for sc in [short(), probe(short())] {
        let mut sc = sc;
        sc.precompensation = false;
        let r = go(&sc);
        let s = &r.summary;
        assert!(s.connected_s.is_none(), "{}", sc.stack);
        assert!(s.attached_s.is_none(), "{}", sc.stack);
        assert!(s.preambles >= 5, "{}: {}", sc.stack, s.preambles);
        assert_eq!(s.preambles_detected, 0);
        assert!(s.verdict.contains("never succeeded"), "{}", s.verdict);
        assert!(
            s.verdict.contains("without pre-compensation"),
            "{}",
            s.verdict
        );
    }
}

#[test]
fn geo_attach_over_the_541_ms_round_trip() {
    let r = go(&E2eScenario::geo());
    let s = &r.summary;
    assert!(r.nodes.contains("UeStack"), "{}", r.nodes);
    assert!(s.attached_s.is_some(), "{}", s.verdict);
    assert!(s.exchanges >= 20, "{}", s.verdict);
    assert_ul_measured_within_limits(&r);
    // UE → satellite → gateway: half the round trip (≈ 510 ms here; 541 ms at 10°).
    let rtt_ms = 2.0 * r.pass[0].delay_ms;
    assert!(rtt_ms > 480.0 && rtt_ms < 545.0, "{rtt_ms}");
    // An exchange takes at least the round trip.
    assert!(
        s.latency_mean_s.unwrap() > rtt_ms * 1e-3,
        "{:?}",
        s.latency_mean_s
    );
}

#[test]
fn two_satellites_rlf_then_the_next_satellite() {
    let r = go(&E2eScenario::two_satellites(540.0));
    let s = &r.summary;
    assert_eq!(s.cells, vec![1, 2], "{:?}", r.timeline);
    assert!(s.radio_link_failures >= 1);
    let at = |f: &dyn Fn(&SimEvent) -> bool| -> Vec<f64> {
        r.timeline
            .iter()
            .filter(|e| f(&e.event))
            .map(|e| e.t_s)
            .collect()
    };
    let rlf = at(&|e| matches!(e, SimEvent::RadioLinkFailure { .. }))[0];
    let found2 = at(&|e| matches!(e, SimEvent::CellFound { cell: 2 }))[0];
    assert!(found2 > rlf);
    assert_eq!(at(&|e| matches!(e, SimEvent::Connected)).len(), 2);
    // Attached on both satellites' cells, and data flowed on the second.
    let attached = at(&|e| matches!(e, SimEvent::Attached));
    assert_eq!(attached.len(), 2, "{:?}", r.timeline);
    assert!(attached[1] > found2);
    assert!(
        at(&|e| matches!(e, SimEvent::DataExchange { .. }))
            .iter()
            .any(|&t| t > attached[1])
    );
    assert_ul_measured_within_limits(&r);
}

#[test]
fn same_seed_same_hash_other_seed_other_hash() {
    for base in [short(), probe(short())] {
        let a = go(&base);
        let b = go(&base);
        assert_eq!(a.report_hash, b.report_hash);
        assert_eq!(a.trace_hash, b.trace_hash);
        assert_eq!(a.report_hash, format!("{:016x}", a.compute_hash()));
        let mut sc = base.clone();
        sc.seed = 2;
        let c = go(&sc);
        assert_ne!(a.report_hash, c.report_hash);
        assert_ne!(a.trace_hash, c.trace_hash);
    }
}

#[test]
fn bundled_scenario_files_parse_and_run() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/scenarios");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let mut sc = E2eScenario::from_toml(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // Keep CI short: the first 60 s from culmination.
        sc.start = Some("2006-06-27T01:46:00Z".into());
        sc.duration_s = Some(60.0);
        let r = go(&sc);
        assert!(
            r.summary.connected_s.is_some(),
            "{}: {}",
            path.display(),
            r.summary.verdict
        );
        n += 1;
    }
    assert!(n >= 3);
    assert!(E2eScenario::from_toml("bogus = 1").is_err());
}
