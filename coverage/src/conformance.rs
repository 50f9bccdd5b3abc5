//! Conformance of the coverage engine against Skyfield (`vectors/data/coverage/`, made by
//! `vectors/gen/skyfield_coverage.py`): per grid cell and mask, the covered samples within one
//! 60 s step, the summed visible-satellite count within 2 and the best elevation within 0.05°.
//! The caller hands the vector text in; nothing here touches a file. Used by the vector test
//! and by `ntn conformance`.

use crate::{
    Constellation, CoverageConfig, Grid, GridSpec, Method, Shard, TimeWindow, run, statistics,
};
use ntn_types::conformance::SuiteReport;
use serde_json::Value;

/// Covered fraction, visible count and best elevation per cell against Skyfield; one case per
/// (cell, mask).
pub fn skyfield_coverage(catalog_text: &str, json_text: &str) -> SuiteReport {
    let mut report = SuiteReport::new(
        "skyfield-coverage",
        "coverage/engine",
        "Skyfield 1.55 Walker 72/6/1 coverage (vectors/data/coverage/skyfield_coverage.json)",
        "covered samples ±1 step, visible sum ±2, best elevation ±0.05°",
    );
    let reference: Value = match serde_json::from_str(json_text) {
        Ok(v) => v,
        Err(e) => {
            report.case("reference", false, e.to_string());
            return report;
        }
    };
    let constellation = match Constellation::from_catalog_text(catalog_text) {
        Ok(c) => c,
        Err(e) => {
            report.case("catalog", false, e.to_string());
            return report;
        }
    };
    let (Some(start), Some(samples), Some(rows)) = (
        reference["window"]["start"]
            .as_str()
            .and_then(|s| s.parse().ok()),
        reference["window"]["samples"].as_u64(),
        reference["rows"].as_array(),
    ) else {
        report.case(
            "reference",
            false,
            "window.start, window.samples or rows missing",
        );
        return report;
    };
    let grid = match Grid::new(GridSpec::global(10.0)) {
        Ok(g) => g,
        Err(e) => {
            report.case("grid", false, e.to_string());
            return report;
        }
    };
    for mask in [10.0, 25.0] {
        let cfg = CoverageConfig::new(
            TimeWindow {
                start,
                duration_s: samples as f64 * 60.0,
                step_s: 60.0,
            },
            mask,
        );
        let result = match run(
            &constellation,
            &grid,
            &cfg,
            Shard::WHOLE,
            Method::Indexed,
            &mut |_, _| {},
        ) {
            Ok(r) => r,
            Err(e) => {
                report.case(format!("mask {mask}"), false, e.to_string());
                continue;
            }
        };
        let cells = match statistics(&result) {
            Ok((cells, _)) => cells,
            Err(e) => {
                report.case(format!("mask {mask}"), false, e.to_string());
                continue;
            }
        };
        for row in rows.iter().filter(|r| r["mask_deg"].as_f64() == Some(mask)) {
            let (Some(lat), Some(lon)) = (row["lat_deg"].as_f64(), row["lon_deg"].as_f64()) else {
                report.case(format!("mask {mask}"), false, format!("bad row {row}"));
                continue;
            };
            let name = format!("({lat}, {lon}) mask {mask}");
            let c = ((lat + 85.0) / 10.0).round() as usize * 36
                + ((lon + 175.0) / 10.0).round() as usize;
            let (Some(cell), Some(ours)) = (cells.get(c), result.cells.get(c)) else {
                report.case(name, false, "not a cell of the 10° grid");
                continue;
            };
            if (cell.lat_deg, cell.lon_deg) != (lat, lon) {
                report.case(name, false, "not a cell centre of the 10° grid");
                continue;
            }
            let (Some(theirs), Some(vis_theirs)) =
                (row["covered_samples"].as_i64(), row["visible_sum"].as_i64())
            else {
                report.case(name, false, format!("bad row {row}"));
                continue;
            };
            let d = (ours.covered as i64 - theirs).abs();
            let dv = (ours.visible_sum as i64 - vis_theirs).abs();
            let elev = match (
                row["max_best_elevation_deg"].as_f64(),
                cell.max_best_elevation_deg,
            ) {
                (Some(e), Some(o)) => Ok((o - e).abs()),
                (None, None) => Ok(0.0),
                (e, o) => Err(format!("best elevation: ours {o:?}, Skyfield {e:?}")),
            };
            match elev {
                Ok(de) if d <= 1 && dv <= 2 && de < 0.05 => report.case(
                    name,
                    true,
                    format!("Δcovered {d}, Δvisible {dv}, Δelevation {de:.4}°"),
                ),
                Ok(de) => report.case(
                    name,
                    false,
                    format!(
                        "covered {} vs {theirs}, visible {} vs {vis_theirs}, Δelevation {de:.4}°",
                        ours.covered, ours.visible_sum
                    ),
                ),
                Err(e) => report.case(name, false, e),
            }
        }
    }
    report
}
