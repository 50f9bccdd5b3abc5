//! The NB-IoT downlink link-level runner with the channel models of this crate: the
//! transmitter → channel → receiver trials of [`ntn_phy::link_sim`] with NTN-TDL fading
//! ([`crate::channel::tdl`]) plugged into its [`Fading`] hook, before the noise.
//!
//! One fading realisation per trial, seeded by the trial: the tap gains are a function of the
//! absolute sample index, so subframes of one trial that are far apart (NPBCH over 640 ms,
//! NPDCCH and NPDSCH repetitions) see one continuous fading process, correlated as the Jakes
//! spectrum says. Each block starts with an empty delay line (the cyclic prefix absorbs that
//! transient) and the model's fixed latency is removed, so the strongest tap keeps the
//! transmitter's timing, as a receiver synchronised on it would see.

use std::sync::Arc;

use ntn_phy::Complex32;
use ntn_phy::error::PhyError;
use ntn_phy::link_sim::{
    AcquisitionOutcome, Fading, LinkPoint, LinkSimConfig, acquisition_trials, run,
};
use ntn_types::Hz;

use crate::channel::tdl::{FadingProfile, Tdl, TdlConfig, TdlError};
use crate::nbiot_dl::PROBE_SAMPLE_RATE_HZ;

/// The channel between the transmitter and the receiver of a link-level run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LinkChannelModel {
    /// AWGN (plus the carrier offset of the run).
    Awgn,
    /// NTN-TDL-C (TR 38.811 Table 6.9.2-3, LOS): delay spread 100 ns, 3 km/h at 2 GHz
    /// (f_D 5.56 Hz), the TR 38.821 link-level assumptions; plus AWGN and the offset.
    TdlC,
}

impl LinkChannelModel {
    /// Every model.
    pub const ALL: [LinkChannelModel; 2] = [LinkChannelModel::Awgn, LinkChannelModel::TdlC];

    /// Short name (`awgn`, `tdl-c`), also the CSV file suffix without the dash.
    pub fn name(self) -> &'static str {
        match self {
            LinkChannelModel::Awgn => "awgn",
            LinkChannelModel::TdlC => "tdl-c",
        }
    }

    /// The model called `name` (as [`LinkChannelModel::name`]).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The fading of this model at `sample_rate` (seed 0: a template whose seed each
    /// realisation replaces); `None` for AWGN.
    pub fn tdl_config(self, sample_rate: Hz) -> Option<TdlConfig> {
        match self {
            LinkChannelModel::Awgn => None,
            LinkChannelModel::TdlC => Some(TdlConfig::new(FadingProfile::TdlC, sample_rate, 0)),
        }
    }

    /// The fading of this model for a run (`None` for AWGN).
    ///
    /// # Errors
    /// As [`TdlFading::new`].
    pub fn fading(self) -> Result<Option<Arc<dyn Fading>>, TdlError> {
        self.tdl_config(Hz(PROBE_SAMPLE_RATE_HZ))
            .map(|cfg| Ok(Arc::new(TdlFading::new(cfg)?) as Arc<dyn Fading>))
            .transpose()
    }
}

/// An NTN-TDL model as the [`Fading`] of a link-level run: a fresh realisation per trial
/// (`seed` replaced by the trial seed).
#[derive(Debug, Clone)]
pub struct TdlFading {
    cfg: TdlConfig,
}

impl TdlFading {
    /// Checks `cfg` once (its `seed` is ignored).
    ///
    /// # Errors
    /// As [`Tdl::new`].
    pub fn new(cfg: TdlConfig) -> Result<Self, TdlError> {
        Tdl::new(cfg)?;
        Ok(TdlFading { cfg })
    }
}

impl Fading for TdlFading {
    fn apply(&self, trial_seed: u64, t0_samples: u64, samples: &mut [Complex32]) {
        let cfg = TdlConfig {
            seed: trial_seed,
            ..self.cfg
        };
        // the configuration was checked in `new`; only the seed differs
        let Ok(mut tdl) = Tdl::new(cfg) else {
            return;
        };
        let latency = tdl.latency_samples();
        let mut buf = Vec::with_capacity(samples.len() + latency);
        buf.extend_from_slice(samples);
        buf.resize(samples.len() + latency, Complex32::default());
        // a fresh model accepts any start
        if tdl.process_in_place(t0_samples, &mut buf).is_ok() {
            samples.copy_from_slice(&buf[latency..]);
        }
    }

    fn describe(&self) -> String {
        let name = match self.cfg.profile {
            FadingProfile::TdlA => "NTN-TDL-A".to_string(),
            FadingProfile::TdlB => "NTN-TDL-B".to_string(),
            FadingProfile::TdlC => "NTN-TDL-C".to_string(),
            FadingProfile::TdlD => "NTN-TDL-D".to_string(),
            FadingProfile::FlatRayleigh => "flat Rayleigh".to_string(),
            FadingProfile::FlatRician { k_db } => format!("flat Rician K {k_db} dB"),
        };
        format!(
            "{name} (delay spread {} ns, max Doppler {:.2} Hz, one realisation per trial)",
            self.cfg.delay_spread_s * 1e9,
            self.cfg.max_doppler.hz()
        )
    }
}

/// `cfg` with the fading of `model` (replacing any).
///
/// # Errors
/// As [`LinkChannelModel::fading`].
pub fn with_model(cfg: &LinkSimConfig, model: LinkChannelModel) -> Result<LinkSimConfig, TdlError> {
    Ok(LinkSimConfig {
        fading: model.fading()?,
        ..cfg.clone()
    })
}

/// Why a link-level run failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LinkSimError {
    /// The fading model could not be built.
    #[error(transparent)]
    Fading(#[from] TdlError),
    /// The PHY run rejected its configuration.
    #[error(transparent)]
    Phy(#[from] PhyError),
}

/// [`ntn_phy::link_sim::run`] through `model`.
///
/// # Errors
/// As [`with_model`] and [`ntn_phy::link_sim::run`].
pub fn run_with(
    cfg: &LinkSimConfig,
    model: LinkChannelModel,
) -> Result<Vec<LinkPoint>, LinkSimError> {
    Ok(run(&with_model(cfg, model)?)?)
}

/// [`ntn_phy::link_sim::acquisition_trials`] through `model`.
///
/// # Errors
/// As [`with_model`] and [`ntn_phy::link_sim::acquisition_trials`].
pub fn acquisition_trials_with(
    cfg: &LinkSimConfig,
    model: LinkChannelModel,
    snr_db: f32,
    trials: usize,
) -> Result<Vec<AcquisitionOutcome>, LinkSimError> {
    Ok(acquisition_trials(
        &with_model(cfg, model)?,
        snr_db,
        trials,
    )?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn tdl_fading_keeps_timing_and_power_and_is_seeded() {
        let f = TdlFading::new(TdlConfig::new(
            FadingProfile::TdlC,
            Hz(PROBE_SAMPLE_RATE_HZ),
            0,
        ))
        .unwrap();
        // an impulse stays where it was (the LOS tap has no delay; latency removed)
        let mut x = vec![Complex32::default(); 64];
        x[10] = Complex32::new(1.0, 0.0);
        let mut y = x.clone();
        f.apply(3, 5000, &mut y);
        let peak = y
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.norm_sqr().total_cmp(&b.1.norm_sqr()))
            .unwrap()
            .0;
        assert_eq!(peak, 10);
        let mut y2 = x.clone();
        f.apply(3, 5000, &mut y2);
        assert_eq!(y, y2, "same trial seed and start, same output");
        let mut y3 = x.clone();
        f.apply(4, 5000, &mut y3);
        assert_ne!(y, y3, "another trial, another realisation");
        // mean power over many realisations ≈ 1 (unit total tap power)
        let p: f32 = (0..400u64)
            .map(|s| {
                let mut z = x.clone();
                f.apply(s, 0, &mut z);
                z.iter().map(|v| v.norm_sqr()).sum::<f32>()
            })
            .sum::<f32>()
            / 400.0;
        assert!((p - 1.0).abs() < 0.1, "mean power {p}");
        assert_eq!(
            LinkChannelModel::from_name("tdl-c"),
            Some(LinkChannelModel::TdlC)
        );
        assert_eq!(LinkChannelModel::from_name("x"), None);
        assert!(LinkChannelModel::Awgn.fading().unwrap().is_none());
    }
}
