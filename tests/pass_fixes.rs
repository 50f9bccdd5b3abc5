//! `ntn pass` fixes of issue 21: the run's title names the terminal actually used, and a pass
//! already under way at the window start is simulated to its LOS, not for 120 s.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is the report

mod common;
use common::ntn;
use ntn_orbit::passes::PassSearch;
use ntn_orbit::{GroundSite, UtcTime};
use ntn_sim::e2e::{E2eScenario, satellites, window};

#[test]
fn run_title_names_the_given_site() {
    let (ok, out, err) = ntn(&[
        "pass",
        "--site",
        "46.81,-71.21,100",
        "--stack",
        "probe",
        "--acquire-every",
        "0s",
        "--no-plot",
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    let title = j["run"]["scenario"].as_str().unwrap();
    assert!(title.contains("46.8100°, -71.2100°"), "{title}");
    assert!(!title.contains("Montréal"), "{title}");
}

#[test]
fn pass_in_progress_at_the_start_is_simulated_to_its_los() {
    let mut sc = E2eScenario::default();
    let sats = satellites(&sc).unwrap();
    let g = sc.ue.position;
    let found = PassSearch {
        site: GroundSite::from_degrees(g[0], g[1], g[2]),
        mask_deg: sc.min_elevation_deg,
        start: sats[0].epoch(),
        end: sats[0].epoch().add_secs(3.0 * 86_400.0),
        eop: ntn_orbit::eop::bundled_at(sats[0].epoch()),
    }
    .run(&sats[0]);
    let pass = found
        .passes
        .iter()
        .find(|p| p.duration_s() > 400.0 && !p.aos_at_window_start)
        .unwrap();
    // Start three minutes into the pass.
    let start: UtcTime = pass.aos.add_secs(180.0);
    sc.start = Some(start.to_string());
    sc.duration_s = None;
    let (origin, span_s) = window(&sc, &sats).unwrap();
    assert!(origin.secs_since(start).abs() < 1e-3, "{origin} {start}");
    let remaining = pass.los.secs_since(start);
    assert!(remaining > 200.0, "{remaining}");
    assert!(
        span_s >= remaining,
        "span {span_s} s < {remaining} s to LOS"
    );
}
