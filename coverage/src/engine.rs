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
//! by δ = φ − ψ (geodetic minus geocentric latitude, at most 0.19°); the two elevations
//! differ by at most δ, so ε ≥ mask − δ. With the row's own R_g and δ, r = the largest
//! satellite radius of the sample and a 0.05° margin for rounding, λ bounds the central
//! angle of every visible pair from above. Within angular distance λ of a cell at geocentric latitude
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

/// Samples propagated and indexed together before the rows run through them.
const SAMPLES_PER_BLOCK: usize = 4;
/// Extra angle added to the index bound, deg (covers rounding, which is ~1e−12 deg).
const INDEX_MARGIN_DEG: f64 = 0.05;
/// Size of an index bin in latitude and in longitude, deg.
const LAT_BIN_DEG: f64 = 2.0;
const LON_BIN_DEG: f64 = 2.0;
const LAT_BINS: usize = 90; // 180 / LAT_BIN_DEG
const LON_BINS: usize = 180; // 360 / LON_BIN_DEG

/// Run one shard of a coverage computation.
pub fn run(
    constellation: &Constellation,
    grid: &Grid,
    config: &CoverageConfig,
    shard: Shard,
    method: Method,
    progress: &mut ProgressFn<'_>,
) -> Result<CoveragePartial, CoverageError> {
    run_stoppable(
        constellation,
        grid,
        config,
        shard,
        method,
        progress,
        &|| false,
    )
}

/// [`run`], asking `stop` between blocks of samples; when it answers `true` the run ends
/// with [`CoverageError::Stopped`].
pub fn run_stoppable(
    constellation: &Constellation,
    grid: &Grid,
    config: &CoverageConfig,
    shard: Shard,
    method: Method,
    progress: &mut ProgressFn<'_>,
    stop: &dyn Fn() -> bool,
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
            covered_block: Vec::with_capacity(SAMPLES_PER_BLOCK),
            band: Band::default(),
        })
        .collect();

    let sats = constellation.satellites();
    let sin_mask = config.mask_deg.to_radians().sin();
    let ctx = EvalContext {
        sin2_mask: sin_mask * sin_mask,
        carrier_hz: config.carrier_hz,
        config,
    };
    // Samples go in blocks: all satellites are propagated and indexed for a block, then each
    // row runs through the block's samples while its accumulators stay in cache.
    let mut states: Vec<Vec<SatState>> = Vec::new();
    let mut indexes: Vec<SatIndex> = Vec::new();
    let total = steps.len() as u32;
    let mut done = 0u32;
    let all: Vec<u32> = steps.clone().collect();
    for block in all.chunks(SAMPLES_PER_BLOCK) {
        if stop() {
            return Err(CoverageError::Stopped);
        }
        states.resize_with(block.len(), Vec::new);
        indexes.resize_with(block.len(), SatIndex::default);
        for ((&k, st), index) in block.iter().zip(&mut states).zip(&mut indexes) {
            let t = config.window.start + Duration::from_nanos(step_ns * k as i64);
            let rot = TemeToEcef::at(t, &config.eop);
            st.resize(sats.len(), SatState::default());
            st.par_iter_mut()
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
            let failed = st.iter().filter(|s| !s.ok).count() as u32;
            partial.failed_per_sample.push(failed);
            if failed > 0 {
                for (s, sat) in st.iter().zip(sats) {
                    if !s.ok {
                        partial.failed_ids.push(sat.norad_id());
                    }
                }
            }
            match method {
                Method::Indexed => index.build(st, config.mask_deg),
                Method::BruteForce => index.build_all(st),
            }
        }
        let n = block.len();
        row_accs.par_iter_mut().for_each(|ra| {
            ra.covered_block.clear();
            for (index, st) in indexes[..n].iter().zip(&states[..n]) {
                ra.step(grid, index, st, &ctx, method);
                ra.covered_block.push(ra.covered_now);
            }
        });
        for s in 0..n {
            partial
                .covered_cells_per_row
                .extend(row_accs.iter().map(|r| r.covered_block[s]));
            done += 1;
            progress(done, total);
        }
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
/// satellites by elevation) when visible. The search kernels evaluate exactly these
/// operations.
#[inline]
pub fn visible(cell: &Cell, sat_m: DVec3, sin2_mask: f64) -> Option<f64> {
    let (vis, key) = test(cell, sat_m.x, sat_m.y, sat_m.z, sin2_mask);
    vis.then_some(key)
}

/// The test of [`visible`] without branches: (visible, sin²(elevation)).
#[inline(always)]
fn test(cell: &Cell, x: f64, y: f64, z: f64, sin2_mask: f64) -> (bool, f64) {
    let dx = x - cell.ecef_m.x;
    let dy = y - cell.ecef_m.y;
    let dz = z - cell.ecef_m.z;
    let ru = dx * cell.up.x + dy * cell.up.y + dz * cell.up.z;
    let range2 = dx * dx + dy * dy + dz * dz;
    let ru2 = ru * ru;
    ((ru > 0.0) & (ru2 >= sin2_mask * range2), ru2 / range2)
}

/// Fold a run of satellites (structure of arrays) into a cell's reduction: the tests of a
/// chunk first, without branches (so the compiler can vectorise them), then the arg-max over
/// the chunk's keys only when something in it was visible.
#[inline]
fn scan(cell: &Cell, sats: SatSlice<'_>, sin2_mask: f64, red: &mut Reduction) {
    const CHUNK: usize = 32;
    let mut keys = [0.0f64; CHUNK];
    let n = sats.idx.len();
    let mut from = 0;
    while from < n {
        let m = CHUNK.min(n - from);
        let (xs, ys, zs) = (
            &sats.x[from..from + m],
            &sats.y[from..from + m],
            &sats.z[from..from + m],
        );
        let mut visible_here = 0u32;
        for i in 0..m {
            let (vis, key) = test(cell, xs[i], ys[i], zs[i], sin2_mask);
            visible_here += vis as u32;
            keys[i] = if vis { key } else { f64::NEG_INFINITY };
        }
        if visible_here > 0 {
            red.count += visible_here;
            for (i, &key) in keys[..m].iter().enumerate() {
                let id = sats.idx[from + i];
                // Highest key, ties to the lower satellite index: independent of the order.
                if key > red.key || (key == red.key && id < red.idx) {
                    red.key = key;
                    red.idx = id;
                }
            }
        }
        from += m;
    }
}

/// A run of indexed satellites.
#[derive(Clone, Copy)]
struct SatSlice<'a> {
    x: &'a [f64],
    y: &'a [f64],
    z: &'a [f64],
    idx: &'a [u32],
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
    /// `covered_now` of each sample of the current block.
    covered_block: Vec<u32>,
    /// The satellites of this row's latitude band, ordered by longitude bin (scratch).
    band: Band,
}

/// The satellites of a band of latitude bins re-ordered by longitude bin, so that a cell's
/// longitude window is one or two contiguous runs.
#[derive(Default)]
struct Band {
    x: Vec<f64>,
    y: Vec<f64>,
    z: Vec<f64>,
    idx: Vec<u32>,
    /// Longitude bin b holds entries `lon_start[b]..lon_start[b+1]`.
    lon_start: Vec<u32>,
}

impl Band {
    #[inline]
    fn slice(&self, from: usize, to: usize) -> SatSlice<'_> {
        SatSlice {
            x: &self.x[from..to],
            y: &self.y[from..to],
            z: &self.z[from..to],
            idx: &self.idx[from..to],
        }
    }
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
            Method::Indexed => Some(index.row_plan(
                cells[0].lat_deg,
                grid.row_geocentric_lat_rad(self.row),
                cells[0].ecef_m.length(),
            )),
            Method::BruteForce => None,
        };
        self.covered_now = 0;
        if let Some(plan) = &row_plan {
            index.gather_band(plan, &mut self.band);
        }
        let band = &self.band;
        for (j, cell) in cells.iter().enumerate() {
            let mut red = Reduction::new();
            match &row_plan {
                Some(plan) => {
                    for (from, to) in lon_runs(plan, cell.lon_deg) {
                        let (s, e) = (band.lon_start[from] as usize, band.lon_start[to] as usize);
                        if s < e {
                            scan(cell, band.slice(s, e), ctx.sin2_mask, &mut red);
                        }
                    }
                }
                None => scan(cell, index.all(), ctx.sin2_mask, &mut red),
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

/// Satellites of one sample binned by sub-satellite point, as a structure of arrays in CSR
/// layout: bin b holds entries `start[b]..start[b+1]`, bins column-major (longitude bin,
/// then latitude bin). Brute force keeps every satellite in one run, in constellation order.
#[derive(Default)]
struct SatIndex {
    x: Vec<f64>,
    y: Vec<f64>,
    z: Vec<f64>,
    idx: Vec<u32>,
    start: Vec<u32>,
    bin_of: Vec<u32>,
    /// Largest satellite radius of the sample, m.
    r_max_m: f64,
    /// The elevation mask, degrees.
    mask_deg: f64,
}

/// The bins a row of cells has to look at.
struct RowPlan {
    lat_bins: Range<usize>,
    /// Longitude half-width, degrees; `None` for all longitudes.
    half_width_deg: Option<f64>,
}

impl SatIndex {
    fn clear(&mut self) {
        self.x.clear();
        self.y.clear();
        self.z.clear();
        self.idx.clear();
    }

    fn push(&mut self, r: DVec3, i: usize) {
        self.x.push(r.x);
        self.y.push(r.y);
        self.z.push(r.z);
        self.idx.push(i as u32);
    }

    fn all(&self) -> SatSlice<'_> {
        self.slice(0, self.idx.len())
    }

    #[inline]
    fn slice(&self, from: usize, to: usize) -> SatSlice<'_> {
        SatSlice {
            x: &self.x[from..to],
            y: &self.y[from..to],
            z: &self.z[from..to],
            idx: &self.idx[from..to],
        }
    }

    fn build_all(&mut self, states: &[SatState]) {
        self.clear();
        for (i, s) in states.iter().enumerate() {
            if s.ok {
                self.push(s.r_m, i);
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
            let bi = (((lat + 90.0) / LAT_BIN_DEG) as usize).min(LAT_BINS - 1);
            let bj = (((lon + 180.0) / LON_BIN_DEG) as usize).min(LON_BINS - 1);
            let b = bj * LAT_BINS + bi;
            self.bin_of.push(b as u32);
            self.start[b + 1] += 1;
        }
        for b in 0..nb {
            self.start[b + 1] += self.start[b];
        }
        let n = self.start[nb] as usize;
        self.x.resize(n, 0.0);
        self.y.resize(n, 0.0);
        self.z.resize(n, 0.0);
        self.idx.resize(n, 0);
        let bins = std::mem::take(&mut self.bin_of);
        let mut cursor = self.start.clone();
        for (i, (s, &b)) in states.iter().zip(&bins).enumerate() {
            if b == u32::MAX {
                continue;
            }
            let slot = &mut cursor[b as usize];
            let k = *slot as usize;
            self.x[k] = s.r_m.x;
            self.y[k] = s.r_m.y;
            self.z[k] = s.r_m.z;
            self.idx[k] = i as u32;
            *slot += 1;
        }
        self.bin_of = bins;
        self.r_max_m = r_max;
        self.mask_deg = mask_deg;
    }

    /// The bins for a row of cells at geodetic latitude `lat_deg`, geocentric latitude
    /// `geocentric_lat_rad` and ground radius `ground_radius_m`.
    fn row_plan(&self, lat_deg: f64, geocentric_lat_rad: f64, ground_radius_m: f64) -> RowPlan {
        let psi = geocentric_lat_rad.to_degrees();
        let deflection_deg = (lat_deg - psi).abs();
        let lam = central_angle_bound_deg(
            self.mask_deg - deflection_deg,
            ground_radius_m * (1.0 - 1e-9),
            self.r_max_m,
        );
        let lo = ((psi - lam + 90.0) / LAT_BIN_DEG).floor().max(0.0) as usize;
        let hi = (((psi + lam + 90.0) / LAT_BIN_DEG).floor().max(0.0) as usize).min(LAT_BINS - 1);
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

    /// Copy the satellites of the plan's latitude bins into `band`, ordered by longitude
    /// bin (and within a bin by latitude bin, then index order).
    fn gather_band(&self, plan: &RowPlan, band: &mut Band) {
        band.x.clear();
        band.y.clear();
        band.z.clear();
        band.idx.clear();
        band.lon_start.clear();
        band.lon_start.push(0);
        for bj in 0..LON_BINS {
            // Bins are column-major (longitude, then latitude): the band's latitude bins of
            // one longitude bin are one run.
            let base = bj * LAT_BINS;
            let s = self.start[base + plan.lat_bins.start] as usize;
            let e = self.start[base + plan.lat_bins.end] as usize;
            band.x.extend_from_slice(&self.x[s..e]);
            band.y.extend_from_slice(&self.y[s..e]);
            band.z.extend_from_slice(&self.z[s..e]);
            band.idx.extend_from_slice(&self.idx[s..e]);
            band.lon_start.push(band.idx.len() as u32);
        }
    }
}

/// The longitude bins of a cell's window, unwrapped then folded onto `0..LON_BINS` as one or
/// two half-open runs (an empty run is `(0, 0)`).
#[inline]
fn lon_runs(plan: &RowPlan, lon_deg: f64) -> [(usize, usize); 2] {
    match plan.half_width_deg {
        Some(w) => {
            let a = ((lon_deg - w + 180.0) / LON_BIN_DEG).floor() as i64;
            let b = ((lon_deg + w + 180.0) / LON_BIN_DEG).floor() as i64;
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
    }
}

/// Upper bound on the central angle between a ground point at radius `ground_radius_m` and
/// any satellite of radius ≤ `r_max_m` that it sees at a geocentric elevation of at least
/// `geocentric_mask_deg`, degrees: λ = 90° − ε − asin(R_g·cos ε / r) plus a margin.
pub fn central_angle_bound_deg(
    geocentric_mask_deg: f64,
    ground_radius_m: f64,
    r_max_m: f64,
) -> f64 {
    let eps = geocentric_mask_deg.to_radians();
    let x = (ground_radius_m * eps.cos() / r_max_m).clamp(-1.0, 1.0);
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
        // 550 km over the equator, 25° mask: λ = 90 − 25 − asin(cos 25°·R/r) = 8.451°.
        let r = 6_378_137.0;
        let lam = central_angle_bound_deg(25.0, r, r + 550e3);
        assert!((lam - 8.451 - INDEX_MARGIN_DEG).abs() < 1e-3, "{lam}");
        // 0° mask: λ = acos(R/r) = 22.984°.
        let lam0 = central_angle_bound_deg(0.0, r, r + 550e3);
        assert!((lam0 - 22.984 - INDEX_MARGIN_DEG).abs() < 1e-3, "{lam0}");
    }
}
