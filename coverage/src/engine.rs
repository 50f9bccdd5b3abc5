//! The run: propagate every satellite once per sample (rayon across satellites, one
//! TEME → ECEF rotation per sample shared by all), find each cell's visible satellites, and
//! fold the sample into the cells' accumulators (rayon across latitude rows).
//!
//! Two ways to find the visible satellites, with identical results:
//! * [`Method::Indexed`] (the default): satellites are binned by the geocentric latitude and
//!   longitude of their sub-satellite point; a cell looks only at the bins within the
//!   largest central angle at which any satellite of this sample can clear the mask.
//! * [`Method::BruteForce`]: every cell tests every satellite. Kept as the oracle.
//!
//! Both apply the same exact test ([`visible`]) to the same numbers and reduce with an
//! order-independent rule (count; best = highest elevation, ties to the lower satellite
//! index), so the index changes only which pairs are skipped, never a result.
//!
//! ## The index bound
//! A satellite at geocentric radius r seen from a ground point at radius R_g at elevation ε
//! (measured from the local geocentric horizontal) lies at the central angle
//! λ = 90° − ε − asin(R_g·cos ε / r), which decreases with ε and R_g and increases with r.
//! The mask is measured from the ellipsoid normal, which departs from the geocentric radial
//! by at most δ = 0.1924°, so ε ≥ mask − δ. Taking R_g = 6 356 km (below the polar radius),
//! r = the largest satellite radius of the sample and a further 0.25° margin bounds λ from
//! above for every visible pair. Within angular distance λ of a cell at geocentric latitude
//! ψ, latitudes span ψ ± λ and longitudes ±asin(sin λ / cos ψ) (all longitudes once
//! |ψ| + λ ≥ 90°).

use crate::accum::{BestServer, CellAccum};
use crate::config::CoverageConfig;
use crate::constellation::Constellation;
use crate::error::CoverageError;
use crate::grid::{Cell, Grid};
use crate::result::{CoveragePartial, RunHeader};
use glam::DVec3;
use ntn_orbit::{SPEED_OF_LIGHT_MPS, TemeToEcef};
use ntn_types::{Duration, Hz, MetresPerSecond};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::str::FromStr;

/// How visible satellites are found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Spatial index over sub-satellite points (fast).
    #[default]
    Indexed,
    /// Every cell against every satellite (the oracle).
    BruteForce,
}

/// One part of a split: part `index` (0-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    /// 0-based index.
    pub index: u32,
    /// Number of parts.
    pub count: u32,
}

impl Part {
    /// The whole (part 0 of 1).
    pub const WHOLE: Part = Part { index: 0, count: 1 };

    /// The sub-range of `0..len` this part covers: `[len·i/n, len·(i+1)/n)`.
    pub fn range(&self, len: u32, what: &str) -> Result<Range<u32>, CoverageError> {
        if self.count == 0 || self.index >= self.count {
            return Err(CoverageError::InvalidShard(format!(
                "part {} of {} does not exist",
                self.index + 1,
                self.count
            )));
        }
        if self.count > len {
            return Err(CoverageError::InvalidShard(format!(
                "{} parts is more than the {len} {what}",
                self.count
            )));
        }
        let at = |i: u32| (len as u64 * i as u64 / self.count as u64) as u32;
        Ok(at(self.index)..at(self.index + 1))
    }
}

impl FromStr for Part {
    type Err = CoverageError;
    /// Reads "I/N" with 1 ≤ I ≤ N (1-based, like `cargo nextest --partition`).
    fn from_str(s: &str) -> Result<Self, CoverageError> {
        let bad = || CoverageError::InvalidShard(format!("{s:?} is not I/N with 1 ≤ I ≤ N"));
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let i: u32 = i.trim().parse().map_err(|_| bad())?;
        let n: u32 = n.trim().parse().map_err(|_| bad())?;
        if i == 0 || i > n {
            return Err(bad());
        }
        Ok(Part {
            index: i - 1,
            count: n,
        })
    }
}

/// Which share of the work a run does: a time part (contiguous samples) and a tile part
/// (contiguous latitude rows). Partial results of all `time.count × tile.count` shards merge
/// exactly into the single run ([`crate::merge`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Part of the time window.
    pub time: Part,
    /// Part of the grid (rows).
    pub tile: Part,
}

impl Shard {
    /// Everything.
    pub const WHOLE: Shard = Shard {
        time: Part::WHOLE,
        tile: Part::WHOLE,
    };
}

/// Progress after each sample: (samples done, samples in this shard).
pub type ProgressFn<'a> = dyn FnMut(u32, u32) + 'a;

/// Maximum departure of the ellipsoid normal from the geocentric radial (WGS-84), deg.
const MAX_NORMAL_DEFLECTION_DEG: f64 = 0.1924;
/// A ground radius below every point of the ellipsoid, m.
const MIN_GROUND_RADIUS_M: f64 = 6_356_000.0;
/// Extra angle added to the index bound, deg.
const INDEX_MARGIN_DEG: f64 = 0.25;
/// Size of an index bin, deg.
const BIN_DEG: f64 = 2.0;
const LAT_BINS: usize = 90; // 180 / BIN_DEG
const LON_BINS: usize = 180; // 360 / BIN_DEG

/// Run one shard of a coverage computation.
pub fn run(
    constellation: &Constellation,
    grid: &Grid,
    config: &CoverageConfig,
    shard: Shard,
    method: Method,
    progress: &mut ProgressFn<'_>,
) -> Result<CoveragePartial, CoverageError> {
    config.validate()?;
    let (step_ns, n_steps) = config.window.steps()?;
    let steps = shard.time.range(n_steps, "time samples")?;
    let rows = shard.tile.range(grid.rows(), "grid rows")?;
    let header = RunHeader::new(constellation, grid, config)?;
    let mut partial = CoveragePartial::empty(header, steps.clone(), rows.clone());

    let cols = grid.cols() as usize;
    let vb = config.visible_bins as usize;
    let cb = config.cn_bins_used();
    let mut row_accs: Vec<RowAccum> = rows
        .clone()
        .map(|r| RowAccum {
            row: r,
            cells: vec![CellAccum::default(); cols],
            visible_hist: vec![0; cols * vb],
            cn_hist: vec![0; cols * cb],
            covered_now: 0,
        })
        .collect();

    let sats = constellation.satellites();
    let mut states = vec![SatState::default(); sats.len()];
    let mut index = SatIndex::default();
    let sin_mask = config.mask_deg.to_radians().sin();
    let ctx = EvalContext {
        sin2_mask: sin_mask * sin_mask,
        carrier_hz: config.carrier_hz,
        config,
    };
    let total = steps.len() as u32;
    for (done, k) in steps.clone().enumerate() {
        let t = config
            .window
            .start
            .add(Duration::from_nanos(step_ns * k as i64));
        let rot = TemeToEcef::at(t, &config.eop);
        states
            .par_iter_mut()
            .zip(sats.par_iter())
            .for_each(|(st, sat)| {
                *st = match sat.state_teme(t) {
                    Ok(teme) => {
                        let ecef = rot.state(&teme);
                        SatState {
                            r_m: ecef.r_m(),
                            v_mps: ecef.v_mps(),
                            ok: true,
                        }
                    }
                    Err(_) => SatState::default(),
                };
            });
        let failed = states.iter().filter(|s| !s.ok).count() as u32;
        partial.failed_per_sample.push(failed);
        if failed > 0 {
            for (s, sat) in states.iter().zip(sats) {
                if !s.ok {
                    partial.failed_ids.push(sat.norad_id());
                }
            }
        }
        match method {
            Method::Indexed => index.build(&states, config.mask_deg),
            Method::BruteForce => index.build_all(&states),
        }
        row_accs.par_iter_mut().for_each(|ra| {
            ra.step(grid, &index, &states, &ctx, method);
        });
        partial
            .covered_cells_per_row
            .extend(row_accs.iter().map(|r| r.covered_now));
        progress(done as u32 + 1, total);
    }
    partial.failed_ids.sort_unstable();
    partial.failed_ids.dedup();
    for ra in row_accs {
        partial.cells.extend(ra.cells);
        partial.visible_hist.extend(ra.visible_hist);
        partial.cn_hist.extend(ra.cn_hist);
    }
    Ok(partial)
}

/// The exact visibility test shared by both methods: the satellite at `sat_m` (ECEF) is
/// visible from `cell` when its elevation is at least the mask, i.e. ρ·û > 0 and
/// (ρ·û)² ≥ sin²(mask)·|ρ|², with ρ = sat − cell. Returns sin²(elevation) (a key that orders
/// satellites by elevation) when visible.
#[inline]
pub fn visible(cell: &Cell, sat_m: DVec3, sin2_mask: f64) -> Option<f64> {
    let rho = sat_m - cell.ecef_m;
    let ru = rho.dot(cell.up);
    if ru <= 0.0 {
        return None;
    }
    let range2 = rho.length_squared();
    let ru2 = ru * ru;
    if ru2 < sin2_mask * range2 {
        return None;
    }
    Some(ru2 / range2)
}

#[derive(Clone, Copy, Debug, Default)]
struct SatState {
    r_m: DVec3,
    v_mps: DVec3,
    ok: bool,
}

struct EvalContext<'a> {
    sin2_mask: f64,
    carrier_hz: f64,
    config: &'a CoverageConfig,
}

struct RowAccum {
    row: u32,
    cells: Vec<CellAccum>,
    visible_hist: Vec<u32>,
    cn_hist: Vec<u32>,
    covered_now: u32,
}

/// The running best of one cell at one sample.
struct Reduction {
    count: u32,
    key: f64,
    idx: u32,
}

impl Reduction {
    #[inline]
    fn new() -> Self {
        Reduction {
            count: 0,
            key: f64::NEG_INFINITY,
            idx: u32::MAX,
        }
    }
    /// Order-independent: highest key, ties to the lower satellite index.
    #[inline]
    fn offer(&mut self, key: f64, idx: u32) {
        self.count += 1;
        if key > self.key || (key == self.key && idx < self.idx) {
            self.key = key;
            self.idx = idx;
        }
    }
}

impl RowAccum {
    fn step(
        &mut self,
        grid: &Grid,
        index: &SatIndex,
        states: &[SatState],
        ctx: &EvalContext<'_>,
        method: Method,
    ) {
        let cols = grid.cols() as usize;
        let cells = &grid.cells()[self.row as usize * cols..(self.row as usize + 1) * cols];
        let vb = ctx.config.visible_bins as usize;
        let cb = ctx.config.cn_bins_used();
        let row_plan = match method {
            Method::Indexed => Some(index.row_plan(grid.row_geocentric_lat_rad(self.row))),
            Method::BruteForce => None,
        };
        self.covered_now = 0;
        for (j, cell) in cells.iter().enumerate() {
            let mut red = Reduction::new();
            match &row_plan {
                Some(plan) => index.for_candidates(plan, cell.lon_deg, |s| {
                    if let Some(key) = visible(cell, s.r_m, ctx.sin2_mask) {
                        red.offer(key, s.idx);
                    }
                }),
                None => {
                    for s in &index.sorted {
                        if let Some(key) = visible(cell, s.r_m, ctx.sin2_mask) {
                            red.offer(key, s.idx);
                        }
                    }
                }
            }
            let best = (red.count > 0).then(|| {
                let st = &states[red.idx as usize];
                best_server(cell, st, ctx)
            });
            let acc = &mut self.cells[j];
            acc.record(red.count, best.as_ref());
            self.visible_hist[j * vb + (red.count as usize).min(vb - 1)] += 1;
            if let Some(b) = &best {
                self.covered_now += 1;
                if let Some(bin) = b.cn_bin {
                    self.cn_hist[j * cb + bin] += 1;
                }
            }
        }
    }
}

/// Geometry of the best server seen from a cell.
fn best_server(cell: &Cell, st: &SatState, ctx: &EvalContext<'_>) -> BestServer {
    let rho = st.r_m - cell.ecef_m;
    let range_m = rho.length();
    let elevation_deg = (rho.dot(cell.up) / range_m)
        .clamp(-1.0, 1.0)
        .asin()
        .to_degrees();
    let range_rate = rho.dot(st.v_mps) / range_m;
    let doppler =
        ntn_orbit::geometry::doppler_downlink(MetresPerSecond(range_rate), Hz(ctx.carrier_hz));
    BestServer {
        elevation_deg,
        abs_doppler_hz: doppler.hz().abs(),
        delay_s: range_m / SPEED_OF_LIGHT_MPS,
        cn_bin: ctx
            .config
            .link
            .as_ref()
            .map(|l| ctx.config.cn_bin(l.cn_db(range_m, ctx.carrier_hz))),
    }
}

/// A satellite in the index: its ECEF position and its index in the constellation.
#[derive(Clone, Copy, Debug)]
struct Indexed {
    r_m: DVec3,
    idx: u32,
}

/// Satellites of one sample binned by sub-satellite point (CSR layout: bin b holds
/// `sorted[start[b]..start[b+1]]`, bins row-major by latitude then longitude).
#[derive(Default)]
struct SatIndex {
    sorted: Vec<Indexed>,
    start: Vec<u32>,
    bin_of: Vec<u32>,
    /// Central-angle bound λ, degrees.
    lambda_deg: f64,
}

/// The bins a row of cells has to look at.
struct RowPlan {
    lat_bins: Range<usize>,
    /// Longitude half-width, degrees; `None` for all longitudes.
    half_width_deg: Option<f64>,
}

impl SatIndex {
    fn build_all(&mut self, states: &[SatState]) {
        self.sorted.clear();
        for (i, s) in states.iter().enumerate() {
            if s.ok {
                self.sorted.push(Indexed {
                    r_m: s.r_m,
                    idx: i as u32,
                });
            }
        }
    }

    fn build(&mut self, states: &[SatState], mask_deg: f64) {
        let nb = LAT_BINS * LON_BINS;
        self.start.clear();
        self.start.resize(nb + 1, 0);
        self.bin_of.clear();
        let mut r_max: f64 = 0.0;
        for s in states {
            if !s.ok {
                self.bin_of.push(u32::MAX);
                continue;
            }
            let r = s.r_m;
            let len = r.length();
            r_max = r_max.max(len);
            let lat = (r.z / len).clamp(-1.0, 1.0).asin().to_degrees();
            let lon = r.y.atan2(r.x).to_degrees();
            let bi = (((lat + 90.0) / BIN_DEG) as usize).min(LAT_BINS - 1);
            let bj = (((lon + 180.0) / BIN_DEG) as usize).min(LON_BINS - 1);
            let b = bi * LON_BINS + bj;
            self.bin_of.push(b as u32);
            self.start[b + 1] += 1;
        }
        for b in 0..nb {
            self.start[b + 1] += self.start[b];
        }
        let mut fill = self.start.clone();
        self.sorted.clear();
        self.sorted.resize(
            self.start[nb] as usize,
            Indexed {
                r_m: DVec3::ZERO,
                idx: 0,
            },
        );
        for (i, (s, &b)) in states.iter().zip(&self.bin_of).enumerate() {
            if b == u32::MAX {
                continue;
            }
            let slot = &mut fill[b as usize];
            self.sorted[*slot as usize] = Indexed {
                r_m: s.r_m,
                idx: i as u32,
            };
            *slot += 1;
        }
        self.lambda_deg = central_angle_bound_deg(mask_deg, r_max);
    }

    fn row_plan(&self, geocentric_lat_rad: f64) -> RowPlan {
        let psi = geocentric_lat_rad.to_degrees();
        let lam = self.lambda_deg;
        let lo = ((psi - lam + 90.0) / BIN_DEG).floor().max(0.0) as usize;
        let hi = (((psi + lam + 90.0) / BIN_DEG).floor() as usize).min(LAT_BINS - 1);
        let half_width_deg = if psi.abs() + lam >= 89.0 {
            None
        } else {
            let s = lam.to_radians().sin() / psi.to_radians().cos();
            if s >= 1.0 {
                None
            } else {
                Some(s.asin().to_degrees() + INDEX_MARGIN_DEG)
            }
        };
        RowPlan {
            lat_bins: lo..hi + 1,
            half_width_deg,
        }
    }

    #[inline]
    fn for_candidates(&self, plan: &RowPlan, lon_deg: f64, mut f: impl FnMut(&Indexed)) {
        // Longitude bins a..=b, unwrapped; folded onto 0..LON_BINS as one or two runs.
        let runs: [(usize, usize); 2] = match plan.half_width_deg {
            Some(w) => {
                let a = ((lon_deg - w + 180.0) / BIN_DEG).floor() as i64;
                let b = ((lon_deg + w + 180.0) / BIN_DEG).floor() as i64;
                let len = (b - a + 1) as usize;
                if len >= LON_BINS {
                    [(0, LON_BINS), (0, 0)]
                } else {
                    let j0 = a.rem_euclid(LON_BINS as i64) as usize;
                    if j0 + len <= LON_BINS {
                        [(j0, j0 + len), (0, 0)]
                    } else {
                        [(j0, LON_BINS), (0, j0 + len - LON_BINS)]
                    }
                }
            }
            None => [(0, LON_BINS), (0, 0)],
        };
        for bi in plan.lat_bins.clone() {
            let base = bi * LON_BINS;
            for &(from, to) in &runs {
                if from < to {
                    let s = self.start[base + from] as usize;
                    let e = self.start[base + to] as usize;
                    for sat in &self.sorted[s..e] {
                        f(sat);
                    }
                }
            }
        }
    }
}

/// Upper bound on the central angle between a cell and any satellite of radius ≤ `r_max_m`
/// that clears `mask_deg` there, degrees (see the module docs).
pub fn central_angle_bound_deg(mask_deg: f64, r_max_m: f64) -> f64 {
    let eps = (mask_deg - MAX_NORMAL_DEFLECTION_DEG).to_radians();
    let x = (MIN_GROUND_RADIUS_M * eps.cos() / r_max_m).clamp(-1.0, 1.0);
    let lam = std::f64::consts::FRAC_PI_2 - eps - x.asin();
    (lam.to_degrees() + INDEX_MARGIN_DEG).clamp(0.0, 180.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts() {
        let p: Part = "2/4".parse().unwrap();
        assert_eq!(p, Part { index: 1, count: 4 });
        assert_eq!(p.range(10, "x").unwrap(), 2..5);
        assert_eq!(
            "4/4".parse::<Part>().unwrap().range(10, "x").unwrap(),
            7..10
        );
        for bad in ["0/4", "5/4", "1-4", "a/b", "1/0"] {
            assert!(bad.parse::<Part>().is_err(), "{bad}");
        }
        assert!(
            Part {
                index: 0,
                count: 11
            }
            .range(10, "x")
            .is_err()
        );
    }

    #[test]
    fn central_angle_bound() {
        // 550 km, 25° mask: spherical λ = 8.4°; the bound adds the deflection and margins.
        let lam = central_angle_bound_deg(25.0, 6_378_137.0 + 550e3);
        assert!(lam > 8.5 && lam < 9.2, "{lam}");
        // 0° mask, 550 km: λ = acos(R/r) ≈ 22.9°.
        let lam0 = central_angle_bound_deg(0.0, 6_378_137.0 + 550e3);
        assert!(lam0 > 23.0 && lam0 < 24.0, "{lam0}");
    }
}
