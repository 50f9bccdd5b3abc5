//! The NTN channel: sample-time-keyed propagation along the true orbit, TR 38.811 large-scale
//! loss, NTN-TDL fading and AWGN, chained in that order.
//!
//! ```
//! use ntn_sim::channel::{Channel, ChannelConfig, noise::NoiseConfig, tdl::{FadingProfile, TdlConfig}};
//! use ntn_types::Hz;
//! use num_complex::Complex32;
//! let fs = Hz(1.92e6);
//! let mut fading = TdlConfig::new(FadingProfile::TdlC, fs, 1);
//! fading.common_doppler = Hz(45_400.0); // TR 38.811 §6.9.2 satellite Doppler, no orbit
//! let cfg = ChannelConfig {
//!     path: None,
//!     gain_db: 0.0,
//!     fading: Some(fading),
//!     noise: Some(NoiseConfig { snr_db: 10.0, signal_power: 1.0, snr_bandwidth: None,
//!                               sample_rate: fs, seed: 2 }),
//! };
//! let mut ch = Channel::new(cfg)?;
//! let input = vec![Complex32::new(1.0, 0.0); 1920];
//! let mut out = vec![Complex32::new(0.0, 0.0); 1920];
//! ch.process(0, &input, &mut out)?;
//! ch.process(1920, &input, &mut out)?; // the next block, carrying state
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod fastmath;
pub mod interp;
pub mod large_scale;
pub mod noise;
pub mod propagation;
pub mod tdl;

use noise::{Awgn, NoiseConfig, NoiseError};
use num_complex::Complex32;
use propagation::{OrbitPath, OrbitPathConfig, PathError};
use tdl::{Tdl, TdlConfig, TdlError};

/// A sample index since the run's sample origin (the radio's sample counter).
pub type SampleTime = u64;

/// Construction parameters of a [`Channel`]. Every stage is optional.
#[derive(Clone, Debug)]
pub struct ChannelConfig {
    /// Delay and carrier phase along the true orbit.
    pub path: Option<OrbitPathConfig>,
    /// A constant gain applied after propagation, dB (e.g. −(path loss − reference)).
    pub gain_db: f64,
    /// Small-scale fading.
    pub fading: Option<TdlConfig>,
    /// Additive noise (last).
    pub noise: Option<NoiseConfig>,
}

/// Why a channel cannot be built or run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ChannelError {
    /// The orbit path failed.
    #[error(transparent)]
    Path(#[from] PathError),
    /// The fading stage failed.
    #[error(transparent)]
    Fading(#[from] TdlError),
    /// The noise stage failed.
    #[error(transparent)]
    Noise(#[from] NoiseError),
    /// Input and output lengths differ.
    #[error("input has {input} samples but output has {output}")]
    LengthMismatch {
        /// Input length.
        input: usize,
        /// Output length.
        output: usize,
    },
    /// A block does not follow the previous one.
    #[error("block starts at sample {got}, expected {expected}")]
    Discontinuous {
        /// The next sample expected.
        expected: SampleTime,
        /// The start given.
        got: SampleTime,
    },
}

/// The whole channel.
#[derive(Clone, Debug)]
pub struct Channel {
    path: Option<OrbitPath>,
    gain: f32,
    fading: Option<Tdl>,
    noise: Option<Awgn>,
    next: Option<SampleTime>,
}

impl Channel {
    /// Build every stage.
    pub fn new(cfg: ChannelConfig) -> Result<Self, ChannelError> {
        Ok(Channel {
            path: cfg.path.map(OrbitPath::new).transpose()?,
            gain: 10f64.powf(cfg.gain_db / 20.0) as f32,
            fading: cfg.fading.map(Tdl::new).transpose()?,
            noise: cfg.noise.as_ref().map(Awgn::new).transpose()?,
            next: None,
        })
    }

    /// Pass `input` (samples `t0 …`) through the channel into `out` (same length). Blocks
    /// must follow each other; state carries over, so the split never changes the output.
    pub fn process(
        &mut self,
        t0: SampleTime,
        input: &[Complex32],
        out: &mut [Complex32],
    ) -> Result<(), ChannelError> {
        if input.len() != out.len() {
            return Err(ChannelError::LengthMismatch {
                input: input.len(),
                output: out.len(),
            });
        }
        if let Some(expected) = self.next
            && expected != t0
        {
            return Err(ChannelError::Discontinuous { expected, got: t0 });
        }
        out.copy_from_slice(input);
        self.process_in_place(t0, out)
    }

    /// As [`Channel::process`], in place.
    pub fn process_in_place(
        &mut self,
        t0: SampleTime,
        buf: &mut [Complex32],
    ) -> Result<(), ChannelError> {
        if let Some(expected) = self.next
            && expected != t0
        {
            return Err(ChannelError::Discontinuous { expected, got: t0 });
        }
        if let Some(p) = &mut self.path {
            p.process_in_place(t0, buf)?;
        }
        if self.gain != 1.0 {
            for x in buf.iter_mut() {
                *x *= self.gain;
            }
        }
        if let Some(f) = &mut self.fading {
            f.process_in_place(t0, buf)?;
        }
        if let Some(n) = &mut self.noise {
            n.add_in_place(buf);
        }
        self.next = Some(t0 + buf.len() as u64);
        Ok(())
    }
}
