//! Covered fraction per cell against the independent Skyfield reference
//! (`vectors/data/coverage/skyfield_coverage.json`, made by `vectors/gen/skyfield_coverage.py`).
#![allow(clippy::unwrap_used)] // test: a failure is the test failing

use ntn_coverage::*;
use serde_json::Value;

#[test]
fn covered_fraction_matches_skyfield_within_one_step() {
    let reference: Value = serde_json::from_str(include_str!(
        "../../vectors/data/coverage/skyfield_coverage.json"
    ))
    .unwrap();
    assert_eq!(reference["provenance"]["kind"], "reference");
    let catalog = include_str!("../../vectors/data/coverage/walker72.tle");
    let constellation = Constellation::from_catalog_text(catalog).unwrap();
    assert_eq!(constellation.len(), 72);
    let grid = Grid::new(GridSpec::global(10.0)).unwrap();
    let start = reference["window"]["start"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let samples = reference["window"]["samples"].as_u64().unwrap() as u32;
    let rows = reference["rows"].as_array().unwrap();
    assert!(rows.len() >= 40);
    let mut checked = 0;
    let mut worst_samples = 0i64;
    let mut worst_elev = 0.0f64;
    for mask in [10.0, 25.0] {
        let cfg = CoverageConfig::new(
            TimeWindow {
                start,
                duration_s: samples as f64 * 60.0,
                step_s: 60.0,
            },
            mask,
        );
        let result = run(
            &constellation,
            &grid,
            &cfg,
            Shard::WHOLE,
            Method::Indexed,
            &mut |_, _| {},
        )
        .unwrap();
        let (cells, _) = statistics(&result).unwrap();
        for row in rows.iter().filter(|r| r["mask_deg"].as_f64() == Some(mask)) {
            let lat = row["lat_deg"].as_f64().unwrap();
            let lon = row["lon_deg"].as_f64().unwrap();
            let c = ((lat + 85.0) / 10.0).round() as usize * 36
                + ((lon + 175.0) / 10.0).round() as usize;
            let cell = &cells[c];
            assert_eq!((cell.lat_deg, cell.lon_deg), (lat, lon));
            let ours = result.cells[c].covered as i64;
            let theirs = row["covered_samples"].as_i64().unwrap();
            let d = (ours - theirs).abs();
            worst_samples = worst_samples.max(d);
            assert!(
                d <= 1,
                "cell ({lat}, {lon}) mask {mask}: {ours} covered samples, Skyfield {theirs}"
            );
            // Visible-satellite counts summed over the window agree as well.
            let vis_ours = result.cells[c].visible_sum as i64;
            let vis_theirs = row["visible_sum"].as_i64().unwrap();
            assert!(
                (vis_ours - vis_theirs).abs() <= 2,
                "({lat}, {lon}): {vis_ours} vs {vis_theirs}"
            );
            match row["max_best_elevation_deg"].as_f64() {
                Some(e) => {
                    let ours = cell.max_best_elevation_deg.unwrap();
                    worst_elev = worst_elev.max((ours - e).abs());
                    assert!((ours - e).abs() < 0.05, "({lat}, {lon}): {ours} vs {e}");
                }
                None => assert_eq!(cell.max_best_elevation_deg, None),
            }
            checked += 1;
        }
    }
    assert!(checked >= 40, "{checked}");
    eprintln!(
        "{checked} cells: worst covered-sample difference {worst_samples}, worst max-elevation difference {worst_elev:.4} deg"
    );
}
