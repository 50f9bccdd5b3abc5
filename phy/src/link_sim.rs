//! Link-level simulation of the NB-IoT downlink: our transmitter → channel (AWGN and a carrier
//! offset; fading through [`Fading`]) → our receiver, over SNR points, for NPSS detection,
//! NPBCH (MIB-NB over one 640 ms TTI), NPDCCH (a search space with repetitions) and NPDSCH.
//!
//! SNR is per resource element in the 180 kHz carrier: a port-2000 RE of unit power against the
//! noise power per RE after the 128-point FFT (time-domain noise variance `128/SNR`).
//!
//! Reproducible: each SNR point draws from its own `ChaCha8Rng` seeded from the run seed and the
//! point index, so results do not depend on how rayon schedules the points (one point per
//! task, the trials of a point in order on one thread).
//!
//! Fading: this module exposes the [`Fading`] hook and applies it before the noise; the
//! NTN-TDL models implement it in `ntn_sim::link_sim` (`sim` depends on `phy`, not the
//! reverse). [`LinkChannel::CellSearch`] and [`acquisition_trials`] run the whole cold
//! acquisition (the acceptance of issue 4: `phy/tests/nbiot_acquisition.rs`).

use std::fmt::Write as _;
use std::sync::Arc;

use num_complex::Complex32;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::error::PhyError;
use crate::grid::ResourceGrid;
use crate::nbiot::cell::{NbiotCellTx, SAMPLES_PER_FRAME};
use crate::nbiot::npbch::{MibNb, NpbchDecoder, NpbchEncoder, OperationMode};
use crate::nbiot::npdcch::DCI_N0_N1_BITS;
use crate::nbiot::npdsch::{
    NpdschConfig, NpdschDecoder, NpdschEncoder, SubframeIndex, nbiot_dl_subframes, npdsch_n_rep,
    npdsch_n_sf, npdsch_tbs,
};
use crate::nbiot::nrs::nrs_map;
use crate::nbiot::search::{CellSearcher, NpssSearchConfig, NpssSearcher};
use crate::nbiot::search_space::{
    NpdcchCell, NpdcchRepetitionEncoder, NpdcchSearcher, SearchSpaceConfig, SearchSpaceKind,
    npdcch_repetition_c_init,
};
use crate::nbiot::{NcellId, NrsPorts};
use crate::ofdm::{NBIOT_SAMPLE_RATE_HZ, NbiotOfdm, SAMPLES_PER_SUBFRAME};

/// Which channel a run measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkChannel {
    /// NPSS detection with no prior over ±55 kHz on 20 ms of signal at a random timing; an
    /// error is a miss or a detection off by more than 2 samples or 2.5 kHz.
    Npss,
    /// MIB-NB soft-combined over one 640 ms TTI (64 NPBCH subframes, frame timing known); an
    /// error is a CRC failure or a wrong MIB-NB.
    Npbch,
    /// DCI N1 on the largest-`R` candidate of a UE-specific search space with
    /// `R_max = npdcch_r_max`; an error is no CRC pass at that candidate.
    Npdcch,
    /// One NPDSCH transport block with (`I_TBS`, `I_SF`, `I_Rep`); an error is a CRC failure.
    Npdsch,
    /// Cold acquisition (NPSS, fine frequency, NSSS) with no prior on `acq_frames` frames at a
    /// random timing, a uniform ±`max_offset_hz` offset and a uniform ±`max_rate_hz_per_s`
    /// Doppler ramp; an error is an [`AcquisitionOutcome`] that is not a success.
    CellSearch,
}

impl LinkChannel {
    /// Lower-case name (`npss`, `npbch`, `npdcch`, `npdsch`).
    pub fn name(self) -> &'static str {
        match self {
            LinkChannel::Npss => "npss",
            LinkChannel::Npbch => "npbch",
            LinkChannel::Npdcch => "npdcch",
            LinkChannel::Npdsch => "npdsch",
            LinkChannel::CellSearch => "cell-search",
        }
    }

    /// Every channel, in the order of [`LinkChannel::name`].
    pub const ALL: [LinkChannel; 5] = [
        LinkChannel::Npss,
        LinkChannel::Npbch,
        LinkChannel::Npdcch,
        LinkChannel::Npdsch,
        LinkChannel::CellSearch,
    ];

    /// The channel called `name` (as [`LinkChannel::name`]).
    pub fn from_name(name: &str) -> Option<LinkChannel> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// Largest frame-timing error of a successful acquisition, samples (1 µs at 1.92 Msps, well
/// inside the 5.2 µs cyclic prefix).
pub const ACQ_TIMING_TOL_SAMPLES: i64 = 2;

/// Largest carrier-offset error of a successful acquisition, Hz, against the true offset in
/// the middle of the searched buffer: a third of the ±500 Hz pull-in of the NRS tracking
/// ([`crate::nbiot::tracking`]) that takes over from the acquisition. (The NPSS fine estimate
/// integrates coherently over one NPSS, 0.8 ms, so its error at −6 dB is some 30 Hz rms.)
pub const ACQ_OFFSET_TOL_HZ: f64 = 150.0;

/// What one cold-acquisition trial found against the truth.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AcquisitionOutcome {
    /// The search returned a cell (right or wrong).
    pub found: bool,
    /// The cell identity is the transmitted one.
    pub cell_ok: bool,
    /// Detected minus true radio-frame boundary, samples (modulo a frame, centred).
    pub timing_error_samples: Option<i64>,
    /// The NSSS gave the right `n_f mod 8` (80 ms frame timing).
    pub frame_mod8_ok: bool,
    /// Measured minus true carrier offset (the true one in the middle of the buffer), Hz.
    pub offset_error_hz: Option<f64>,
    /// The MIB-NB decoded and equals the transmitted one (not part of the success).
    pub mib_ok: bool,
}

impl AcquisitionOutcome {
    /// Right cell, frame boundary within [`ACQ_TIMING_TOL_SAMPLES`], right `n_f mod 8` and
    /// carrier offset within [`ACQ_OFFSET_TOL_HZ`].
    pub fn success(&self) -> bool {
        self.cell_ok
            && self.frame_mod8_ok
            && self
                .timing_error_samples
                .is_some_and(|e| e.abs() <= ACQ_TIMING_TOL_SAMPLES)
            && self
                .offset_error_hz
                .is_some_and(|e| e.abs() <= ACQ_OFFSET_TOL_HZ)
    }
}

/// A fading channel applied to a block of transmitted samples (one receive antenna) before the
/// noise. Implemented by the NTN-TDL models of the `sim` crate; `t0_samples` is the block's
/// first sample index in the trial's time line (1.92 Msps), `trial_seed` seeds its draws.
pub trait Fading: Send + Sync {
    /// Filters `samples` in place.
    fn apply(&self, trial_seed: u64, t0_samples: u64, samples: &mut [Complex32]);

    /// One phrase naming the model (for CSV provenance).
    fn describe(&self) -> String {
        "fading".to_string()
    }
}

/// Parameters of a run.
#[derive(Clone)]
pub struct LinkSimConfig {
    /// Channel under test.
    pub channel: LinkChannel,
    /// SNR points (dB per RE).
    pub snr_db: Vec<f32>,
    /// Trials per point.
    pub trials: usize,
    /// Run seed.
    pub seed: u64,
    /// Carrier offset, uniform in `±max_offset_hz` per trial (for NPSS the raw offset to
    /// acquire; otherwise the residual after acquisition).
    pub max_offset_hz: f64,
    /// NRS ports of the cell.
    pub ports: NrsPorts,
    /// `R_max` of the NPDCCH search space.
    pub npdcch_r_max: usize,
    /// `(I_TBS, I_SF, I_Rep)` of the NPDSCH.
    pub npdsch: (u8, u8, u8),
    /// Doppler rate, uniform in `±max_rate_hz_per_s` per trial (NPSS and cell search).
    pub max_rate_hz_per_s: f64,
    /// Radio frames given to the cell search.
    pub acq_frames: usize,
    /// Optional fading; `None` = AWGN.
    pub fading: Option<Arc<dyn Fading>>,
}

impl std::fmt::Debug for LinkSimConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkSimConfig")
            .field("channel", &self.channel)
            .field("snr_db", &self.snr_db)
            .field("trials", &self.trials)
            .field("seed", &self.seed)
            .field("max_offset_hz", &self.max_offset_hz)
            .field("ports", &self.ports)
            .field("npdcch_r_max", &self.npdcch_r_max)
            .field("npdsch", &self.npdsch)
            .field("max_rate_hz_per_s", &self.max_rate_hz_per_s)
            .field("acq_frames", &self.acq_frames)
            .field("fading", &self.fading.is_some())
            .finish()
    }
}

impl LinkSimConfig {
    /// Defaults for `channel`: 1 port, `R_max` 4, NPDSCH (4, 2, 0) (208 bits over 3
    /// subframes), residual offset ±100 Hz (±50 kHz for NPSS and cell search), Doppler ramp
    /// ±600 Hz/s for the cell search (none otherwise), 8 frames (80 ms) for the cell search,
    /// AWGN.
    pub fn new(channel: LinkChannel, snr_db: Vec<f32>, trials: usize, seed: u64) -> Self {
        let acquisition = matches!(channel, LinkChannel::Npss | LinkChannel::CellSearch);
        LinkSimConfig {
            channel,
            snr_db,
            trials,
            seed,
            max_offset_hz: if acquisition { 50e3 } else { 100.0 },
            ports: NrsPorts::One,
            npdcch_r_max: 4,
            npdsch: (4, 2, 0),
            max_rate_hz_per_s: if channel == LinkChannel::CellSearch {
                600.0
            } else {
                0.0
            },
            acq_frames: 8,
            fading: None,
        }
    }

    /// One line describing the run for a CSV header.
    pub fn describe(&self) -> String {
        let what = match self.channel {
            LinkChannel::Npss => {
                "NPSS detection, no prior, ±55 kHz search, 20 ms buffer".to_string()
            }
            LinkChannel::Npbch => "MIB-NB over one 640 ms TTI (64 subframes)".to_string(),
            LinkChannel::Npdcch => format!(
                "DCI N1 (23 bits) on the R = R_max = {} candidate of a UE-specific search space, aggregation level 2",
                self.npdcch_r_max
            ),
            LinkChannel::Npdsch => format!(
                "NPDSCH I_TBS {} I_SF {} I_Rep {}",
                self.npdsch.0, self.npdsch.1, self.npdsch.2
            ),
            LinkChannel::CellSearch => format!(
                "cold acquisition (NPSS, NSSS) on {} frames, no prior; success = right cell, frame timing within {ACQ_TIMING_TOL_SAMPLES} samples, right n_f mod 8, offset within {ACQ_OFFSET_TOL_HZ} Hz",
                self.acq_frames
            ),
        };
        let ramp = if self.max_rate_hz_per_s > 0.0 {
            format!(" ramping at up to ±{} Hz/s", self.max_rate_hz_per_s)
        } else {
            String::new()
        };
        format!(
            "{what}; {} NRS port(s); {} + uniform carrier offset in ±{} Hz{ramp}",
            self.ports.count(),
            self.fading.as_ref().map_or_else(
                || "AWGN".to_string(),
                |f| format!("{} + AWGN", f.describe())
            ),
            self.max_offset_hz
        )
    }
}

/// Result of one SNR point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkPoint {
    /// SNR (dB per RE).
    pub snr_db: f32,
    /// Trials run.
    pub trials: usize,
    /// Trials in error.
    pub errors: usize,
}

impl LinkPoint {
    /// `errors / trials` (block error rate, or miss rate for NPSS).
    pub fn error_rate(&self) -> f64 {
        if self.trials == 0 {
            0.0
        } else {
            self.errors as f64 / self.trials as f64
        }
    }
}

/// |z| of the difference between the error rates of two runs of one point (two-proportion
/// test on the pooled rate), with a variance floor of 0.02 so that rates of 0 or 1 do not
/// demand an exact match. Regression checks of stored curves accept |z| ≤ 4.
pub fn agreement_z(a: &LinkPoint, b: &LinkPoint) -> f64 {
    let (pa, pb) = (a.error_rate(), b.error_rate());
    let pooled = (a.errors + b.errors) as f64 / (a.trials + b.trials).max(1) as f64;
    let var = (pooled * (1.0 - pooled)).max(0.02)
        * (1.0 / a.trials.max(1) as f64 + 1.0 / b.trials.max(1) as f64);
    (pa - pb).abs() / var.sqrt()
}

/// Re-runs every SNR point of `cfg` and sets it against the stored point at the same SNR:
/// `(stored, new, |z|)` per point (see [`agreement_z`]).
///
/// # Errors
/// `NotFound` if `stored` has no point at one of the SNRs; as [`run_point`].
pub fn recheck_points(
    cfg: &LinkSimConfig,
    stored: &[LinkPoint],
) -> Result<Vec<(LinkPoint, LinkPoint, f64)>, PhyError> {
    cfg.snr_db
        .iter()
        .enumerate()
        .map(|(i, &snr)| {
            let old = *stored
                .iter()
                .find(|p| (p.snr_db - snr).abs() < 1e-3)
                .ok_or(PhyError::NotFound {
                    what: "stored point at that SNR",
                })?;
            let new = run_point(cfg, i, snr)?;
            Ok((old, new, agreement_z(&old, &new)))
        })
        .collect()
}

/// Called after every trial of a run (from the worker threads): the caller counts progress
/// and returns `false` to stop the run, which then ends with [`PhyError::Stopped`].
pub type TrialHook<'a> = dyn Fn() -> bool + Sync + 'a;

/// Runs every SNR point (in parallel, one rayon task per point).
///
/// # Errors
/// `OutOfRange` for an invalid NPDSCH or NPDCCH configuration or zero trials.
pub fn run(cfg: &LinkSimConfig) -> Result<Vec<LinkPoint>, PhyError> {
    run_with(cfg, &|| true)
}

/// [`run`] with `hook` called after every trial (progress, and a way to stop).
///
/// # Errors
/// As [`run`]; [`PhyError::Stopped`] when the hook returns `false`.
pub fn run_with(cfg: &LinkSimConfig, hook: &TrialHook<'_>) -> Result<Vec<LinkPoint>, PhyError> {
    if cfg.trials == 0 {
        return Err(PhyError::OutOfRange {
            what: "trials",
            value: 0,
        });
    }
    // validate once, before spending time
    npdsch_tbs(cfg.npdsch.0, cfg.npdsch.1)?;
    npdsch_n_rep(cfg.npdsch.2)?;
    SearchSpaceConfig::new(SearchSpaceKind::UeSpecific, cfg.npdcch_r_max, 4.0, 0.0)?;
    cfg.snr_db
        .par_iter()
        .enumerate()
        .map(|(i, &snr)| run_point_with(cfg, i, snr, hook))
        .collect()
}

/// Runs one SNR point with its own RNG stream (point index `index`).
///
/// # Errors
/// As [`run`].
pub fn run_point(cfg: &LinkSimConfig, index: usize, snr_db: f32) -> Result<LinkPoint, PhyError> {
    run_point_with(cfg, index, snr_db, &|| true)
}

fn run_point_with(
    cfg: &LinkSimConfig,
    index: usize,
    snr_db: f32,
    hook: &TrialHook<'_>,
) -> Result<LinkPoint, PhyError> {
    let seed = cfg
        .seed
        .wrapping_add((index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut link = Link::new(cfg, snr_db);
    let mut errors = 0;
    for _ in 0..cfg.trials {
        let trial_seed: u64 = rng.random();
        let ok = match cfg.channel {
            LinkChannel::Npss => link.npss_trial(&mut rng, trial_seed)?,
            LinkChannel::Npbch => link.npbch_trial(&mut rng, trial_seed)?,
            LinkChannel::Npdcch => link.npdcch_trial(&mut rng, trial_seed)?,
            LinkChannel::Npdsch => link.npdsch_trial(&mut rng, trial_seed)?,
            LinkChannel::CellSearch => link.acquisition_trial(&mut rng, trial_seed)?.success(),
        };
        if !ok {
            errors += 1;
        }
        if !hook() {
            return Err(PhyError::Stopped);
        }
    }
    Ok(LinkPoint {
        snr_db,
        trials: cfg.trials,
        errors,
    })
}

/// Runs `trials` cold-acquisition trials at `snr_db` with the offset, ramp, ports, fading and
/// frame count of `cfg` (whatever its `channel`), in parallel; trial `i` draws from its own
/// stream seeded from `cfg.seed` and `i`, so the outcomes do not depend on the schedule.
///
/// # Errors
/// `OutOfRange` if `cfg.acq_frames` is below 2 (NSSS parity needs two frames).
pub fn acquisition_trials(
    cfg: &LinkSimConfig,
    snr_db: f32,
    trials: usize,
) -> Result<Vec<AcquisitionOutcome>, PhyError> {
    if cfg.acq_frames < 2 {
        return Err(PhyError::OutOfRange {
            what: "acquisition frames",
            value: cfg.acq_frames as i64,
        });
    }
    (0..trials)
        .into_par_iter()
        .map_init(
            || Link::new(cfg, snr_db),
            |link, i| {
                let mut rng = ChaCha8Rng::seed_from_u64(
                    cfg.seed ^ (i as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03),
                );
                let trial_seed: u64 = rng.random();
                link.acquisition_trial(&mut rng, trial_seed)
            },
        )
        .collect()
}

/// Writes a run as CSV with its provenance as `#` comment lines: kind, command, seed, date,
/// the channel description, then `snr_db,trials,errors,error_rate`.
pub fn to_csv(cfg: &LinkSimConfig, points: &[LinkPoint], command: &str, date: &str) -> String {
    curve_csv(
        &CurveProvenance {
            name: cfg.channel.name(),
            description: &cfg.describe(),
            seed: cfg.seed,
            trials: cfg.trials,
            command,
            date,
        },
        points,
    )
}

/// Where a curve came from: what goes in the `#` lines of its CSV.
#[derive(Debug, Clone, Copy)]
pub struct CurveProvenance<'a> {
    /// Curve name (`npdsch`, …).
    pub name: &'a str,
    /// One line: what an error is, the channel.
    pub description: &'a str,
    /// Run seed.
    pub seed: u64,
    /// Trials per point.
    pub trials: usize,
    /// The command that made it.
    pub command: &'a str,
    /// Date of the run (given by the caller: no clock here).
    pub date: &'a str,
}

/// Writes any error-rate curve (downlink or uplink) in the format [`parse_csv`] reads.
pub fn curve_csv(p: &CurveProvenance<'_>, points: &[LinkPoint]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# ntn link-sim {} curve. Kind: regression (our transmitter and receiver, frozen output; catches change, not error).",
        p.name
    );
    let _ = writeln!(s, "# command: {}", p.command);
    let _ = writeln!(
        s,
        "# seed: {}; trials per point: {}; date: {}",
        p.seed, p.trials, p.date
    );
    let _ = writeln!(s, "# {}", p.description);
    let _ = writeln!(s, "snr_db,trials,errors,error_rate");
    for pt in points {
        let _ = writeln!(
            s,
            "{:.2},{},{},{:.4}",
            pt.snr_db,
            pt.trials,
            pt.errors,
            pt.error_rate()
        );
    }
    s
}

/// Parses the CSV written by [`to_csv`] (comment lines and the header skipped).
///
/// # Errors
/// `NotFound` for a malformed row.
pub fn parse_csv(text: &str) -> Result<Vec<LinkPoint>, PhyError> {
    let bad = || PhyError::NotFound {
        what: "well-formed link-sim CSV row",
    };
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("snr_db") && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            if f.len() < 3 {
                return Err(bad());
            }
            Ok(LinkPoint {
                snr_db: f[0].trim().parse().map_err(|_| bad())?,
                trials: f[1].trim().parse().map_err(|_| bad())?,
                errors: f[2].trim().parse().map_err(|_| bad())?,
            })
        })
        .collect()
}

/// What an acquisition trial transmitted.
struct AcqTruth {
    cell: NcellId,
    mib: MibNb,
    sfn0: u32,
    /// The buffer starts `delay` samples after the boundary of frame `sfn0`.
    delay: usize,
    /// Carrier offset in the middle of the buffer, Hz.
    mid_offset_hz: f64,
}

impl AcqTruth {
    /// `frame_start` minus the true frame boundary in the buffer, modulo a frame, centred.
    fn timing_error(&self, frame_start: usize) -> i64 {
        let expect = (SAMPLES_PER_FRAME - self.delay) % SAMPLES_PER_FRAME;
        let spf = SAMPLES_PER_FRAME as i64;
        (frame_start as i64 - expect as i64 + spf / 2).rem_euclid(spf) - spf / 2
    }
}

/// Per-point transmitter/receiver state and buffers.
struct Link<'a> {
    cfg: &'a LinkSimConfig,
    sigma: f32,
    ofdm: NbiotOfdm,
    tmp: Vec<Complex32>,
    rx: Vec<Complex32>,
    npss: Option<NpssSearcher>,
    cell_search: Option<CellSearcher>,
    npbch: NpbchDecoder,
    npdsch: NpdschDecoder,
    npdcch: NpdcchSearcher,
}

impl<'a> Link<'a> {
    fn new(cfg: &'a LinkSimConfig, snr_db: f32) -> Self {
        Link {
            cfg,
            sigma: (128.0 / 10f32.powf(snr_db / 10.0) / 2.0).sqrt(),
            ofdm: NbiotOfdm::new(),
            tmp: vec![Complex32::default(); SAMPLES_PER_SUBFRAME],
            rx: vec![Complex32::default(); SAMPLES_PER_SUBFRAME],
            npss: None,
            cell_search: None,
            npbch: NpbchDecoder::new(),
            npdsch: NpdschDecoder::new(),
            npdcch: NpdcchSearcher::new().with_repetition_field(21, 2),
        }
    }

    fn random_cell(rng: &mut ChaCha8Rng) -> Result<NcellId, PhyError> {
        NcellId::new(rng.random_range(0..504))
    }

    fn random_mib(rng: &mut ChaCha8Rng) -> MibNb {
        MibNb {
            sfn_msb4: 0,
            hsfn_lsb2: rng.random_range(0..4),
            scheduling_info_sib1: rng.random_range(0..12),
            system_info_value_tag: rng.random_range(0..32),
            ab_enabled: rng.random_bool(0.5),
            operation_mode: OperationMode::Standalone(0),
            trailing11: 0,
        }
    }

    /// Random per-port channel gains (unit power on port 2000, 0.7 amplitude on 2001).
    fn gains(rng: &mut ChaCha8Rng) -> [Complex32; 2] {
        [
            Complex32::from_polar(1.0, rng.random_range(0.0..std::f32::consts::TAU)),
            Complex32::from_polar(0.7, rng.random_range(0.0..std::f32::consts::TAU)),
        ]
    }

    /// Modulates the port grids of one subframe, combines them onto one antenna with `gains`,
    /// applies fading, the carrier offset from sample `n0` and noise, and demodulates into
    /// `out`.
    #[allow(clippy::too_many_arguments)] // channel inputs of one subframe
    fn subframe(
        &mut self,
        grids: &[ResourceGrid],
        gains: &[Complex32; 2],
        offset_hz: f64,
        n0: u64,
        trial_seed: u64,
        rng: &mut ChaCha8Rng,
        out: &mut ResourceGrid,
    ) -> Result<(), PhyError> {
        self.rx.fill(Complex32::default());
        for (p, g) in grids.iter().enumerate() {
            self.ofdm.modulate_subframe(g, &mut self.tmp);
            for (r, t) in self.rx.iter_mut().zip(&self.tmp) {
                *r += t * gains[p];
            }
        }
        if let Some(f) = &self.cfg.fading {
            f.apply(trial_seed, n0, &mut self.rx);
        }
        let w = 2.0 * std::f64::consts::PI * offset_hz / NBIOT_SAMPLE_RATE_HZ;
        for (i, r) in self.rx.iter_mut().enumerate() {
            let ph = w * (n0 + i as u64) as f64;
            *r = *r * Complex32::new(ph.cos() as f32, ph.sin() as f32)
                + Complex32::new(crate::noise::gaussian(rng), crate::noise::gaussian(rng))
                    * self.sigma;
        }
        self.ofdm.demodulate_subframe(&self.rx, out)
    }

    fn offset(&self, rng: &mut ChaCha8Rng) -> f64 {
        if self.cfg.max_offset_hz > 0.0 {
            rng.random_range(-self.cfg.max_offset_hz..self.cfg.max_offset_hz)
        } else {
            0.0
        }
    }

    /// The received buffer of an acquisition trial: `len` samples of a random cell from a
    /// random timing (fading, carrier offset and ramp, noise), with the truth.
    fn acquisition_buffer(
        &mut self,
        rng: &mut ChaCha8Rng,
        trial_seed: u64,
        len: usize,
    ) -> Result<(Vec<Complex32>, AcqTruth), PhyError> {
        let cell = Self::random_cell(rng)?;
        let ports = self.cfg.ports;
        let mib = Self::random_mib(rng);
        let mut tx = NbiotCellTx::new(cell, ports, mib);
        let sfn0: u32 = rng.random_range(0..1024);
        let mib = tx.mib_for(0, sfn0);
        let gains = Self::gains(rng);
        let np = ports.count();
        let n_frames = len.div_ceil(SAMPLES_PER_FRAME) + 1;
        let mut frame = vec![Complex32::default(); np * SAMPLES_PER_FRAME];
        let mut sig = Vec::with_capacity(n_frames * SAMPLES_PER_FRAME);
        for i in 0..n_frames as u32 {
            tx.fill_frame(0, sfn0 + i, &mut frame);
            sig.extend((0..SAMPLES_PER_FRAME).map(|n| {
                (0..np)
                    .map(|p| frame[p * SAMPLES_PER_FRAME + n] * gains[p])
                    .sum::<Complex32>()
            }));
        }
        let delay = rng.random_range(0..SAMPLES_PER_FRAME);
        let mut buf = sig[delay..delay + len].to_vec();
        if let Some(f) = &self.cfg.fading {
            f.apply(trial_seed, 0, &mut buf);
        }
        let offset_hz = self.offset(rng);
        let rate_hz_per_s = if self.cfg.max_rate_hz_per_s > 0.0 {
            rng.random_range(-self.cfg.max_rate_hz_per_s..self.cfg.max_rate_hz_per_s)
        } else {
            0.0
        };
        for (n, s) in buf.iter_mut().enumerate() {
            let t_s = n as f64 / NBIOT_SAMPLE_RATE_HZ;
            let ph = 2.0 * std::f64::consts::PI * t_s * (offset_hz + 0.5 * rate_hz_per_s * t_s);
            *s = *s * Complex32::new(ph.cos() as f32, ph.sin() as f32)
                + Complex32::new(crate::noise::gaussian(rng), crate::noise::gaussian(rng))
                    * self.sigma;
        }
        let truth = AcqTruth {
            cell,
            mib,
            sfn0,
            delay,
            mid_offset_hz: offset_hz + rate_hz_per_s * (len as f64 / 2.0) / NBIOT_SAMPLE_RATE_HZ,
        };
        Ok((buf, truth))
    }

    fn npss_trial(&mut self, rng: &mut ChaCha8Rng, trial_seed: u64) -> Result<bool, PhyError> {
        let len = 2 * SAMPLES_PER_FRAME;
        let (buf, truth) = self.acquisition_buffer(rng, trial_seed, len)?;
        let searcher = self
            .npss
            .get_or_insert_with(|| NpssSearcher::new(NpssSearchConfig::default(), len));
        Ok(match searcher.search(&buf) {
            Ok(d) => {
                truth.timing_error(d.frame_start).abs() <= 2
                    && (d.offset_hz - truth.mid_offset_hz).abs() <= 2500.0
            }
            Err(PhyError::NotFound { .. }) => false,
            Err(e) => return Err(e),
        })
    }

    fn acquisition_trial(
        &mut self,
        rng: &mut ChaCha8Rng,
        trial_seed: u64,
    ) -> Result<AcquisitionOutcome, PhyError> {
        let len = self.cfg.acq_frames * SAMPLES_PER_FRAME;
        let (buf, truth) = self.acquisition_buffer(rng, trial_seed, len)?;
        let searcher = self
            .cell_search
            .get_or_insert_with(|| CellSearcher::new(NpssSearchConfig::default(), len));
        Ok(match searcher.search(&buf) {
            Ok(r) => {
                // frames since the first transmitted one, at the detected even frame
                let even_frame = (truth.delay + r.nsss.even_frame_start + SAMPLES_PER_FRAME / 2)
                    / SAMPLES_PER_FRAME;
                AcquisitionOutcome {
                    found: true,
                    cell_ok: r.nsss.cell == truth.cell,
                    timing_error_samples: Some(truth.timing_error(r.npss.frame_start)),
                    frame_mod8_ok: u32::from(r.nsss.frame_mod8)
                        == (truth.sfn0 + even_frame as u32) % 8,
                    offset_error_hz: Some(r.npss.offset_hz - truth.mid_offset_hz),
                    // the TTI (hence `sfn_msb4`) may change inside the buffer
                    mib_ok: r.mib.is_some_and(|(_, d)| {
                        MibNb {
                            sfn_msb4: truth.mib.sfn_msb4,
                            ..d.mib
                        } == truth.mib
                    }),
                }
            }
            Err(PhyError::NotFound { .. }) => AcquisitionOutcome {
                found: false,
                cell_ok: false,
                timing_error_samples: None,
                frame_mod8_ok: false,
                offset_error_hz: None,
                mib_ok: false,
            },
            Err(e) => return Err(e),
        })
    }

    fn npbch_trial(&mut self, rng: &mut ChaCha8Rng, trial_seed: u64) -> Result<bool, PhyError> {
        let cell = Self::random_cell(rng)?;
        let ports = self.cfg.ports;
        let mib = Self::random_mib(rng);
        let mut enc = NpbchEncoder::new(cell, ports);
        enc.encode(&mib);
        let gains = Self::gains(rng);
        let offset_hz = self.offset(rng);
        self.npbch.reset_combining();
        let mut grid = ResourceGrid::nbiot_subframe();
        let mut grids = vec![ResourceGrid::nbiot_subframe(); ports.count()];
        for n_f in 0..64u32 {
            for g in grids.iter_mut() {
                g.clear();
            }
            enc.map_frame(n_f, &mut grids);
            for (p, g) in grids.iter_mut().enumerate() {
                nrs_map(g, cell, 0, p);
            }
            let n0 = u64::from(n_f) * SAMPLES_PER_FRAME as u64;
            self.subframe(&grids, &gains, offset_hz, n0, trial_seed, rng, &mut grid)?;
            // a grid without NRS energy cannot happen here; skip it rather than fail
            let _ = self.npbch.accumulate(&grid, cell, n_f, (n_f % 8) as u8);
        }
        Ok(self
            .npbch
            .decode_accumulated(cell)
            .is_ok_and(|d| d.mib == mib))
    }

    fn npdcch_trial(&mut self, rng: &mut ChaCha8Rng, trial_seed: u64) -> Result<bool, PhyError> {
        let cell = NpdcchCell {
            cell: Self::random_cell(rng)?,
            ports: self.cfg.ports,
            start_symbol: 0,
        };
        let space =
            SearchSpaceConfig::new(SearchSpaceKind::UeSpecific, self.cfg.npdcch_r_max, 4.0, 0.0)?;
        let from = SubframeIndex::new(rng.random_range(0..1024), 0)?;
        let k0 = space.next_start(from).ok_or(PhyError::NotFound {
            what: "search space start",
        })?;
        let mut cands = Vec::new();
        space.candidates(k0, None, &mut cands);
        let Some(cand) = cands.last().cloned() else {
            return Err(PhyError::NotFound {
                what: "search space candidate",
            });
        };
        let rnti: u16 = rng.random_range(1..0xFFF0);
        let mut dci: Vec<u8> = (0..DCI_N0_N1_BITS)
            .map(|_| rng.random_range(0..2u8))
            .collect();
        dci[0] = 1; // format N1
        dci[21] = (cand.dci_subframe_repetition >> 1) & 1;
        dci[22] = cand.dci_subframe_repetition & 1;
        let mut enc = NpdcchRepetitionEncoder::new(cell, cand.ncce, &dci, rnti)?;
        let gains = Self::gains(rng);
        let offset_hz = self.offset(rng);
        let mut rx_grids = Vec::with_capacity(cand.subframes.len());
        for (j, &sf) in cand.subframes.iter().enumerate() {
            let mut grids = vec![ResourceGrid::nbiot_subframe(); cell.ports.count()];
            enc.map(
                npdcch_repetition_c_init(cell.cell, &cand.subframes, j),
                &mut grids,
            )?;
            for (p, g) in grids.iter_mut().enumerate() {
                nrs_map(g, cell.cell, sf.subframe, p);
            }
            let n0 = u64::from((sf.absolute() + 10240 - k0.absolute()) % 10240)
                * SAMPLES_PER_SUBFRAME as u64;
            let mut grid = ResourceGrid::nbiot_subframe();
            self.subframe(&grids, &gains, offset_hz, n0, trial_seed, rng, &mut grid)?;
            rx_grids.push((sf, grid));
        }
        // only the transmitted candidate's R subframes were received; shorter candidates inside
        // them are tried too and must fail the repetition-field check
        let lookup = |s: SubframeIndex| rx_grids.iter().find(|(x, _)| *x == s).map(|(_, g)| g);
        Ok(
            match self
                .npdcch
                .search(&space, k0, None, cell, rnti, DCI_N0_N1_BITS, &lookup)
            {
                Ok(found) => found.bits == dci && found.candidate.repetitions == cand.repetitions,
                Err(PhyError::NotFound { .. }) => false,
                Err(e) => return Err(e),
            },
        )
    }

    fn npdsch_trial(&mut self, rng: &mut ChaCha8Rng, trial_seed: u64) -> Result<bool, PhyError> {
        let (i_tbs, i_sf, i_rep) = self.cfg.npdsch;
        let cell = Self::random_cell(rng)?;
        let cfg = NpdschConfig {
            cell,
            ports: self.cfg.ports,
            rnti: rng.random_range(1..0xFFF0),
            bcch: false,
            tbs_bits: npdsch_tbs(i_tbs, i_sf)?,
            n_sf: npdsch_n_sf(i_sf)?,
            n_rep: npdsch_n_rep(i_rep)?,
            data_start_symbol: 0,
        };
        let tb: Vec<u8> = (0..cfg.tbs_bits)
            .map(|_| rng.random_range(0..2u8))
            .collect();
        let mut enc = NpdschEncoder::new(cfg)?;
        enc.encode(&tb)?;
        let mut subs = Vec::with_capacity(cfg.total_subframes());
        let start = SubframeIndex::new(rng.random_range(0..1024), rng.random_range(0..10))?;
        nbiot_dl_subframes(start, cfg.total_subframes(), None, &mut subs);
        self.npdsch.start(&cfg)?;
        let gains = Self::gains(rng);
        let offset_hz = self.offset(rng);
        let mut grid = ResourceGrid::nbiot_subframe();
        let t0 = subs[0].absolute();
        for (j, sf) in subs.iter().enumerate() {
            let mut grids = vec![ResourceGrid::nbiot_subframe(); cfg.ports.count()];
            let (seg, c_init) = cfg.segment(&subs, j)?;
            enc.map_segment(seg, c_init, &mut grids)?;
            for (p, g) in grids.iter_mut().enumerate() {
                nrs_map(g, cell, sf.subframe, p);
            }
            let n0 = u64::from((sf.absolute() + 10240 - t0) % 10240) * SAMPLES_PER_SUBFRAME as u64;
            self.subframe(&grids, &gains, offset_hz, n0, trial_seed, rng, &mut grid)?;
            self.npdsch.accumulate(&grid, sf.subframe, seg, c_init)?;
        }
        Ok(self.npdsch.decode().is_ok_and(|d| d.bits == tb))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_monotone_enough() {
        let cfg = LinkSimConfig::new(LinkChannel::Npdsch, vec![-6.0, 6.0], 6, 11);
        let a = run(&cfg).unwrap();
        let b = run(&cfg).unwrap();
        assert_eq!(a, b, "same seed, same result");
        assert_eq!(a[1].errors, 0, "6 dB decodes");
        assert!(a[0].errors >= a[1].errors);
        let csv = to_csv(&cfg, &a, "test", "2026-01-01");
        assert!(csv.contains("Kind: regression"));
        assert_eq!(parse_csv(&csv).unwrap(), a);
        assert!(parse_csv("1.0,x,2").is_err());
        let zero = LinkSimConfig::new(LinkChannel::Npdsch, vec![0.0], 0, 1);
        assert!(run(&zero).is_err());
        let bad = LinkSimConfig {
            npdsch: (14, 0, 0),
            ..LinkSimConfig::new(LinkChannel::Npdsch, vec![0.0], 1, 1)
        };
        assert!(run(&bad).is_err());
    }
}
