//! Link-level BLER of NPUSCH format 1: our transmitter → residual timing and carrier offset,
//! optional fading ([`crate::link_sim::Fading`], the hook the `sim` crate's NTN-TDL models
//! implement), AWGN → our cell-side receiver, over SNR points, seeded and parallel (one rayon
//! task per point, each with its own `ChaCha8Rng` stream).
//!
//! SNR is per resource element: a unit-power RE against the noise per RE after the `N`-point
//! demodulation (time-domain complex noise variance `N/SNR`, `N` = 128 at 15 kHz, 512 at
//! 3.75 kHz). An error is a transport block whose CRC fails or whose bits differ.

use std::sync::Arc;

use num_complex::Complex32;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::error::PhyError;
use crate::link_sim::{Fading, LinkPoint};

use super::npusch::{NpuschConfig, NpuschParams, NpuschTx, UlModulation, UlSlot, UlSpacing};
use super::npusch_rx::{NpuschRx, NpuschRxConfig};

/// The optional fading of a run (its `Debug` names the model, or AWGN).
#[derive(Clone, Default)]
pub struct FadingHook(pub Option<Arc<dyn Fading>>);

impl std::fmt::Debug for FadingHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(fading) => write!(f, "{}", fading.describe()),
            None => write!(f, "AWGN"),
        }
    }
}

/// Parameters of an NPUSCH BLER run.
#[derive(Clone, Debug)]
pub struct NpuschLinkConfig {
    /// The NPUSCH under test (format 1).
    pub npusch: NpuschConfig,
    /// SNR points, dB per RE.
    pub snr_db: Vec<f32>,
    /// Trials per point.
    pub trials: usize,
    /// Run seed.
    pub seed: u64,
    /// Residual carrier offset, uniform in `±max_offset_hz` per trial.
    pub max_offset_hz: f64,
    /// Residual timing offset, uniform in `±max_timing_samples` per trial.
    pub max_timing_samples: f64,
    /// Receiver options.
    pub rx: NpuschRxConfig,
    /// Optional fading; `FadingHook(None)` = AWGN.
    pub fading: FadingHook,
}

impl NpuschLinkConfig {
    /// Defaults: residual offset ±100 Hz, timing ±1 sample, default receiver, AWGN.
    pub fn new(npusch: NpuschConfig, snr_db: Vec<f32>, trials: usize, seed: u64) -> Self {
        NpuschLinkConfig {
            npusch,
            snr_db,
            trials,
            seed,
            max_offset_hz: 100.0,
            max_timing_samples: 1.0,
            rx: NpuschRxConfig::default(),
            fading: FadingHook(None),
        }
    }

    /// One line describing the run.
    pub fn describe(&self) -> String {
        let c = &self.npusch;
        let sp = match c.spacing {
            UlSpacing::Khz3_75 => "3.75 kHz",
            UlSpacing::Khz15 => "15 kHz",
        };
        let m = match c.modulation {
            UlModulation::Pi2Bpsk => "pi/2-BPSK",
            UlModulation::Pi4Qpsk => "pi/4-QPSK",
            UlModulation::Qpsk => "QPSK",
        };
        let tbs = NpuschParams::new(*c).map_or(0, |p| p.tbs);
        format!(
            "NPUSCH format 1, {sp}, {} tone(s), {m}, I_TBS {} I_RU {} (TBS {tbs}), M_rep {}; {:?} + residual offset ±{} Hz and timing ±{} samples",
            c.n_sc,
            c.i_tbs,
            c.i_ru,
            c.repetitions,
            self.fading,
            self.max_offset_hz,
            self.max_timing_samples
        )
    }
}

/// Runs every SNR point in parallel.
///
/// # Errors
/// `OutOfRange` for zero trials or an invalid NPUSCH configuration.
pub fn run(cfg: &NpuschLinkConfig) -> Result<Vec<LinkPoint>, PhyError> {
    run_with(cfg, &|| true)
}

/// [`run`] with `hook` called after every trial (progress, and a way to stop).
///
/// # Errors
/// As [`run`]; [`PhyError::Stopped`] when the hook returns `false`.
pub fn run_with(
    cfg: &NpuschLinkConfig,
    hook: &crate::link_sim::TrialHook<'_>,
) -> Result<Vec<LinkPoint>, PhyError> {
    if cfg.trials == 0 {
        return Err(PhyError::OutOfRange {
            what: "trials",
            value: 0,
        });
    }
    NpuschParams::new(cfg.npusch)?;
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
pub fn run_point(cfg: &NpuschLinkConfig, index: usize, snr_db: f32) -> Result<LinkPoint, PhyError> {
    run_point_with(cfg, index, snr_db, &|| true)
}

fn run_point_with(
    cfg: &NpuschLinkConfig,
    index: usize,
    snr_db: f32,
    hook: &crate::link_sim::TrialHook<'_>,
) -> Result<LinkPoint, PhyError> {
    let seed = cfg
        .seed
        .wrapping_add((index as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03));
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut tx = NpuschTx::new(cfg.npusch)?;
    let mut rx = NpuschRx::new(cfg.npusch, cfg.rx)?;
    let p = tx.params().clone();
    let n_fft = cfg.npusch.spacing.numerology().n() as f64;
    let sigma = (n_fft / 10f64.powf(f64::from(snr_db) / 10.0) / 2.0).sqrt() as f32;
    let margin = cfg.rx.margin_samples as i64;
    let mut tb = vec![0u8; p.tbs];
    let mut out = vec![0u8; p.tbs];
    let mut wave = vec![Complex32::default(); p.total_samples()];
    let mut buf = vec![Complex32::default(); rx.input_len()];
    let mut errors = 0;
    for _ in 0..cfg.trials {
        let trial_seed: u64 = rng.random();
        for b in &mut tb {
            *b = rng.random_range(0..2u8);
        }
        let start = UlSlot {
            frame: rng.random_range(0..1024),
            slot: 0,
        };
        tx.encode_data(&tb, start)?;
        let delay = rng.random_range(-1.0..=1.0) * cfg.max_timing_samples;
        let whole = delay.round();
        let freq = rng.random_range(-1.0..=1.0) * cfg.max_offset_hz;
        tx.transmit((delay - whole) / super::UL_SAMPLE_RATE_HZ, freq, &mut wave)?;
        if let Some(f) = &cfg.fading.0 {
            f.apply(trial_seed, 0, &mut wave);
        }
        buf.fill(Complex32::default());
        let off = margin + whole as i64;
        for (n, w) in wave.iter().enumerate() {
            let i = off + n as i64;
            if i >= 0 && (i as usize) < buf.len() {
                buf[i as usize] = *w;
            }
        }
        for v in &mut buf {
            let (a, b) = crate::noise::gaussian_pair(&mut rng);
            *v += Complex32::new(a * sigma, b * sigma);
        }
        let rep = rx.receive_data(&buf, start, &mut out)?;
        if !rep.crc_ok || out != tb {
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

/// The run as CSV (readable by [`crate::link_sim::parse_csv`]): `#` provenance lines (kind,
/// command, seed, trials, date, description), then `snr_db,trials,errors,error_rate`.
pub fn to_csv(cfg: &NpuschLinkConfig, points: &[LinkPoint], command: &str, date: &str) -> String {
    crate::link_sim::curve_csv(
        &crate::link_sim::CurveProvenance {
            name: "npusch",
            description: &cfg.describe(),
            seed: cfg.seed,
            trials: cfg.trials,
            command,
            date,
        },
        points,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bler_falls_from_one_to_zero() {
        let npusch = NpuschConfig::data(UlSpacing::Khz15, 12, UlModulation::Qpsk, 5, 0, 1);
        let cfg = NpuschLinkConfig::new(npusch, vec![-15.0, 15.0], 12, 7);
        let pts = run(&cfg).unwrap();
        assert_eq!(pts[0].errors, 12, "{pts:?}");
        assert_eq!(pts[1].errors, 0, "{pts:?}");
        let csv = to_csv(&cfg, &pts, "test", "today");
        assert_eq!(crate::link_sim::parse_csv(&csv).unwrap(), pts);
        assert!(run(&NpuschLinkConfig::new(npusch, vec![0.0], 0, 1)).is_err());
    }
}
