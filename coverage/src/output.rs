//! Writers for a complete result: per-cell CSV and GeoJSON, and the JSON summary. Each takes
//! a `Write`; none opens a file. Numbers are printed with fixed decimals, so equal results
//! give equal bytes.

use crate::error::CoverageError;
use crate::grid::Grid;
use crate::result::CoveragePartial;
use crate::stats::{CellStats, Summary};
use serde::Serialize;
use std::io::Write;

/// Column names of the per-cell CSV.
pub const CSV_HEADER: &str = "lat_deg,lon_deg,area_km2,covered_fraction,mean_visible,\
max_visible,outages,longest_outage_s,mean_outage_s,mean_best_elevation_deg,\
max_best_elevation_deg,max_abs_doppler_hz,max_delay_ms,cn_p10_db,cn_p50_db,cn_p90_db,\
visible_hist,cn_hist";

fn opt(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(String::new, |x| format!("{x:.decimals$}"))
}

/// One CSV row per cell (row-major, south-west first). `visible_hist` is the visible-count
/// histogram as `k0;k1;…` (samples with 0, 1, … satellites; the last bin is "or more");
/// `cn_hist` the best-server C/N histogram over covered samples, bin i spanning
/// `cn_min_db + i·cn_bin_db` upwards (first and last bins open-ended; see the summary's
/// configuration). Both stop at their last non-zero bin.
pub fn write_cells_csv(
    result: &CoveragePartial,
    cells: &[CellStats],
    w: &mut dyn Write,
) -> Result<(), CoverageError> {
    let vb = result.header.config.visible_bins as usize;
    let cb = result.header.config.cn_bins_used();
    let mut out = String::with_capacity(cells.len() * 200);
    out.push_str(CSV_HEADER);
    out.push('\n');
    for (c, s) in cells.iter().enumerate() {
        let cn = s.cn_percentiles_db;
        out.push_str(&format!(
            "{:.4},{:.4},{:.3},{:.6},{:.4},{},{},{:.1},{:.1},{},{},{},{},{},{},{},",
            s.lat_deg,
            s.lon_deg,
            s.area_km2,
            s.covered_fraction,
            s.mean_visible,
            s.max_visible,
            s.outages,
            s.longest_outage_s,
            s.mean_outage_s,
            opt(s.mean_best_elevation_deg, 4),
            opt(s.max_best_elevation_deg, 4),
            opt(s.max_abs_doppler_hz, 1),
            opt(s.max_delay_ms, 4),
            opt(cn.map(|p| p[0]), 1),
            opt(cn.map(|p| p[1]), 1),
            opt(cn.map(|p| p[2]), 1),
        ));
        push_hist(&mut out, &result.visible_hist[c * vb..(c + 1) * vb]);
        out.push(',');
        if cb > 0 {
            push_hist(&mut out, &result.cn_hist[c * cb..(c + 1) * cb]);
        }
        out.push('\n');
    }
    w.write_all(out.as_bytes())?;
    Ok(())
}

/// `k0;k1;…` up to the last non-zero bin (empty when all are zero).
fn push_hist(out: &mut String, hist: &[u32]) {
    if let Some(last) = hist.iter().rposition(|&k| k > 0) {
        for (i, k) in hist[..=last].iter().enumerate() {
            if i > 0 {
                out.push(';');
            }
            out.push_str(&k.to_string());
        }
    }
}

/// A GeoJSON FeatureCollection with one Polygon per cell (its lat/lon quadrangle) and the
/// cell statistics as properties.
pub fn write_cells_geojson(
    grid: &Grid,
    cells: &[CellStats],
    w: &mut dyn Write,
) -> Result<(), CoverageError> {
    let mut out = String::with_capacity(cells.len() * 400);
    out.push_str("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (c, s) in cells.iter().enumerate() {
        let [w_, s_, e_, n_] = grid.cell_bounds_deg(c);
        if c > 0 {
            out.push_str(",\n");
        }
        let props = serde_json::to_string(s)
            .map_err(|e| CoverageError::Format(format!("GeoJSON properties: {e}")))?;
        out.push_str(&format!(
            "{{\"type\":\"Feature\",\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":\
             [[[{w_:.4},{s_:.4}],[{e_:.4},{s_:.4}],[{e_:.4},{n_:.4}],[{w_:.4},{n_:.4}],\
             [{w_:.4},{s_:.4}]]]}},\"properties\":{props}}}"
        ));
    }
    out.push_str("\n]}\n");
    w.write_all(out.as_bytes())?;
    Ok(())
}

#[derive(Serialize)]
struct SummaryFile<'a> {
    summary: &'a Summary,
    config: &'a crate::config::CoverageConfig,
    constellation_fingerprint: String,
}

/// The summary as pretty JSON, with the configuration it came from.
pub fn write_summary_json(
    result: &CoveragePartial,
    summary: &Summary,
    w: &mut dyn Write,
) -> Result<(), CoverageError> {
    let file = SummaryFile {
        summary,
        config: &result.header.config,
        constellation_fingerprint: format!("{:016x}", result.header.constellation_fingerprint),
    };
    serde_json::to_writer_pretty(&mut *w, &file)
        .map_err(|e| CoverageError::Format(format!("summary: {e}")))?;
    w.write_all(b"\n")?;
    Ok(())
}
