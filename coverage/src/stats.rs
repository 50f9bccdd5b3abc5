//! Statistics of a complete result: per cell and global. Everything here is derived from
//! the integer accumulators in a fixed order (cells row-major, samples in time order), so
//! equal results give equal statistics, byte for byte.

use crate::error::CoverageError;
use crate::grid::{Grid, GridSpec};
use crate::result::CoveragePartial;
use serde::{Deserialize, Serialize};

/// The statistics of one cell over the window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellStats {
    /// Centre latitude, degrees.
    pub lat_deg: f64,
    /// Centre longitude, degrees.
    pub lon_deg: f64,
    /// Cell area, km².
    pub area_km2: f64,
    /// Fraction of samples with ≥ 1 satellite above the mask.
    pub covered_fraction: f64,
    /// Mean number of visible satellites.
    pub mean_visible: f64,
    /// Most satellites visible at once (the histogram's top bin reads "that many or more").
    pub max_visible: u32,
    /// Number of outages (runs of uncovered samples, cut ones included).
    pub outages: u32,
    /// Longest outage, s (samples × step).
    pub longest_outage_s: f64,
    /// Mean outage, s (0 without outages).
    pub mean_outage_s: f64,
    /// Mean elevation of the best server over covered samples, degrees.
    pub mean_best_elevation_deg: Option<f64>,
    /// Highest elevation of the best server, degrees.
    pub max_best_elevation_deg: Option<f64>,
    /// Largest |Doppler| of the best server at the carrier, Hz.
    pub max_abs_doppler_hz: Option<f64>,
    /// Largest one-way delay to the best server, ms.
    pub max_delay_ms: Option<f64>,
    /// Best-server C/N 10th, 50th, 90th percentile over covered samples, dB (lower bin edge
    /// of the bin holding the percentile).
    pub cn_percentiles_db: Option<[f64; 3]>,
}

/// Area-weighted summary of a complete result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Satellites in the constellation.
    pub satellites: u32,
    /// Cells in the grid.
    pub cells: usize,
    /// The grid.
    pub grid: GridSpec,
    /// Samples in the window.
    pub samples: u32,
    /// Step, s.
    pub step_s: f64,
    /// Elevation mask, degrees.
    pub mask_deg: f64,
    /// Area-weighted mean of the cells' covered fraction (= time-mean covered area fraction).
    pub area_weighted_coverage: f64,
    /// Fraction of the area covered at every sample.
    pub area_fraction_always_covered: f64,
    /// Fraction of the area never covered.
    pub area_fraction_never_covered: f64,
    /// Area-weighted percentiles of the cells' covered fraction: (percentile, value).
    pub covered_fraction_percentiles: Vec<(f64, f64)>,
    /// Area-weighted mean number of visible satellites.
    pub mean_visible: f64,
    /// Longest outage of any cell, s.
    pub longest_outage_s: f64,
    /// Covered area fraction at each sample.
    pub covered_area_fraction_series: Vec<f64>,
    /// Percentiles of the covered-area series over time: (percentile, value).
    pub covered_area_fraction_percentiles: Vec<(f64, f64)>,
    /// (satellite, sample) pairs whose propagation failed.
    pub failed_propagations: u64,
    /// Catalog numbers of the satellites that failed at least once.
    pub failed_ids: Vec<u64>,
}

/// The percentiles reported.
pub const PERCENTILES: [f64; 9] = [1.0, 5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0];

/// Per-cell statistics (row-major over the grid) and the summary of a complete result.
pub fn statistics(r: &CoveragePartial) -> Result<(Vec<CellStats>, Summary), CoverageError> {
    if !r.is_complete() {
        return Err(CoverageError::Merge(format!(
            "statistics need the whole run, this holds samples {:?} of {} and rows {:?} of {}",
            r.samples, r.header.samples, r.rows, r.header.rows
        )));
    }
    let h = &r.header;
    let grid = Grid::new(h.grid)?;
    let n = h.samples as f64;
    let step_s = h.step_s();
    let vb = h.config.visible_bins as usize;
    let cb = h.config.cn_bins_used();
    let cols = h.cols as usize;
    let mut cells = Vec::with_capacity(r.cells.len());
    for (c, acc) in r.cells.iter().enumerate() {
        let cell = &grid.cells()[c];
        let area_km2 = grid.row_cell_area_m2((c / cols) as u32) * 1e-6;
        let vh = &r.visible_hist[c * vb..(c + 1) * vb];
        let max_visible = vh.iter().rposition(|&k| k > 0).unwrap_or(0) as u32;
        let (outages, gap_total, gap_longest) = acc.outages();
        let covered = acc.covered > 0;
        let cn_percentiles_db = (cb > 0 && covered).then(|| {
            let hist = &r.cn_hist[c * cb..(c + 1) * cb];
            [10.0, 50.0, 90.0].map(|p| {
                let bin = hist_percentile(hist, p);
                h.config.cn_min_db + bin as f64 * h.config.cn_bin_db
            })
        });
        cells.push(CellStats {
            lat_deg: cell.lat_deg,
            lon_deg: cell.lon_deg,
            area_km2,
            covered_fraction: acc.covered as f64 / n,
            mean_visible: acc.visible_sum as f64 / n,
            max_visible,
            outages,
            longest_outage_s: gap_longest as f64 * step_s,
            mean_outage_s: if outages > 0 {
                gap_total as f64 / outages as f64 * step_s
            } else {
                0.0
            },
            mean_best_elevation_deg: covered
                .then(|| acc.elevation_sum_udeg as f64 / acc.covered as f64 * 1e-6),
            max_best_elevation_deg: covered.then_some(acc.max_elevation_deg),
            max_abs_doppler_hz: covered.then_some(acc.max_abs_doppler_hz),
            max_delay_ms: covered.then_some(acc.max_delay_s * 1e3),
            cn_percentiles_db,
        });
    }

    let total_area: f64 = cells.iter().map(|c| c.area_km2).sum();
    let weighted = |f: &dyn Fn(&CellStats) -> f64| -> f64 {
        cells.iter().map(|c| c.area_km2 * f(c)).sum::<f64>() / total_area
    };
    let area_weighted_coverage = weighted(&|c| c.covered_fraction);
    let area_fraction_always_covered =
        weighted(&|c| if c.covered_fraction == 1.0 { 1.0 } else { 0.0 });
    let area_fraction_never_covered =
        weighted(&|c| if c.covered_fraction == 0.0 { 1.0 } else { 0.0 });
    let mean_visible = weighted(&|c| c.mean_visible);
    let covered_fraction_percentiles = weighted_percentiles(
        &cells
            .iter()
            .map(|c| (c.covered_fraction, c.area_km2))
            .collect::<Vec<_>>(),
    );
    let rows = h.rows as usize;
    let row_area_km2: Vec<f64> = (0..h.rows)
        .map(|i| grid.row_cell_area_m2(i) * 1e-6)
        .collect();
    let series: Vec<f64> = r
        .covered_cells_per_row
        .chunks(rows)
        .map(|per_row| {
            per_row
                .iter()
                .zip(&row_area_km2)
                .map(|(&k, a)| k as f64 * a)
                .sum::<f64>()
                / total_area
        })
        .collect();
    let covered_area_fraction_percentiles =
        weighted_percentiles(&series.iter().map(|&v| (v, 1.0)).collect::<Vec<_>>());
    let summary = Summary {
        satellites: h.satellites,
        cells: cells.len(),
        grid: h.grid,
        samples: h.samples,
        step_s,
        mask_deg: h.config.mask_deg,
        area_weighted_coverage,
        area_fraction_always_covered,
        area_fraction_never_covered,
        covered_fraction_percentiles,
        mean_visible,
        longest_outage_s: cells.iter().map(|c| c.longest_outage_s).fold(0.0, f64::max),
        covered_area_fraction_series: series,
        covered_area_fraction_percentiles,
        failed_propagations: r.failed_per_sample.iter().map(|&k| k as u64).sum(),
        failed_ids: r.failed_ids.clone(),
    };
    Ok((cells, summary))
}

/// The bin holding the p-th percentile of a histogram (first bin whose cumulative count
/// reaches p % of the total).
fn hist_percentile(hist: &[u32], p: f64) -> usize {
    let total: u64 = hist.iter().map(|&k| k as u64).sum();
    let target = (p / 100.0 * total as f64).max(1.0);
    let mut cum = 0u64;
    for (i, &k) in hist.iter().enumerate() {
        cum += k as u64;
        if cum as f64 >= target {
            return i;
        }
    }
    hist.len().saturating_sub(1)
}

/// Weighted percentiles of (value, weight) pairs: the smallest value whose cumulative
/// weight reaches p % of the total. Sorted by value, ties kept in input order.
fn weighted_percentiles(items: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut v: Vec<(f64, f64)> = items.to_vec();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = v.iter().map(|x| x.1).sum();
    PERCENTILES
        .iter()
        .map(|&p| {
            let target = p / 100.0 * total;
            let mut cum = 0.0;
            let mut value = v.last().map_or(0.0, |x| x.0);
            for &(x, w) in &v {
                cum += w;
                if cum >= target {
                    value = x;
                    break;
                }
            }
            (p, value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        assert_eq!(hist_percentile(&[0, 2, 2, 6], 10.0), 1);
        assert_eq!(hist_percentile(&[0, 2, 2, 6], 50.0), 3);
        let w = weighted_percentiles(&[(0.5, 1.0), (0.1, 3.0), (1.0, 6.0)]);
        assert_eq!(w[4], (50.0, 1.0));
        assert_eq!(w[2], (10.0, 0.1));
        assert_eq!(w[3], (25.0, 0.1));
    }
}
