//! Additive white Gaussian noise at a stated SNR.
//!
//! SNR definition: SNR = P_s / (N₀·B_snr), with P_s the mean signal power per sample at the
//! receiver input (the caller's reference, 1.0 for unit-power waveforms), N₀ the one-sided
//! noise density and B_snr the bandwidth the SNR is quoted in: the occupied bandwidth for an
//! SNR "over the occupied band" (e.g. 180 kHz for NB-IoT), the receiver noise bandwidth for a
//! link budget's C/N, or the sample rate for a per-sample SNR (the default). The complex noise
//! added per sample then has variance σ² = N₀·f_s = P_s·f_s / (SNR·B_snr), split equally over
//! I and Q.
//!
//! Draws: ChaCha8 stream seeded by the caller, two 32-bit words per sample turned into I and Q
//! by Box–Muller ([`super::fastmath::box_muller`], tails truncated at 6.6σ); sample k always
//! uses words 2k, 2k + 1, so block boundaries never change the noise.

use super::fastmath::box_muller;
use ntn_types::Hz;
use num_complex::Complex32;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Noise parameters.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoiseConfig {
    /// SNR in dB over `snr_bandwidth`.
    pub snr_db: f64,
    /// Reference signal power per sample (linear, the receiver input's mean |x|²).
    pub signal_power: f64,
    /// Bandwidth the SNR is defined in (None: the sample rate, i.e. a per-sample SNR).
    pub snr_bandwidth: Option<Hz>,
    /// Sample rate of the stream.
    pub sample_rate: Hz,
    /// Seed of the noise stream.
    pub seed: u64,
}

impl NoiseConfig {
    /// Complex noise variance per sample, σ² = P_s·f_s / (SNR·B_snr).
    pub fn noise_variance(&self) -> f64 {
        let b = self.snr_bandwidth.unwrap_or(self.sample_rate).hz();
        self.signal_power * self.sample_rate.hz() / (10f64.powf(self.snr_db / 10.0) * b)
    }
}

/// Why noise cannot be set up.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum NoiseError {
    /// A parameter is out of range.
    #[error("bad noise parameter: {0}")]
    BadParameter(&'static str),
}

/// An AWGN source.
#[derive(Clone, Debug)]
pub struct Awgn {
    sigma_per_axis: f32,
    rng: ChaCha8Rng,
    words: Vec<u32>,
}

/// Random words drawn per inner pass.
const WORDS: usize = 1024;

impl Awgn {
    /// Set up the source.
    pub fn new(cfg: &NoiseConfig) -> Result<Self, NoiseError> {
        let var = cfg.noise_variance();
        let fs = cfg.sample_rate.hz();
        if !(fs.is_finite() && fs > 0.0) {
            return Err(NoiseError::BadParameter("sample rate must be positive"));
        }
        if let Some(b) = cfg.snr_bandwidth
            && !(b.hz().is_finite() && b.hz() > 0.0)
        {
            return Err(NoiseError::BadParameter("SNR bandwidth must be positive"));
        }
        if !(var.is_finite() && var >= 0.0) {
            return Err(NoiseError::BadParameter(
                "SNR and signal power must be finite",
            ));
        }
        Ok(Awgn {
            sigma_per_axis: (var / 2.0).sqrt() as f32,
            rng: ChaCha8Rng::seed_from_u64(cfg.seed),
            words: vec![0; WORDS],
        })
    }

    /// Add noise to every sample of `buf`. Sample k of the stream uses words 2k and 2k + 1
    /// of the ChaCha stream, whatever the block boundaries.
    pub fn add_in_place(&mut self, buf: &mut [Complex32]) {
        let sigma = self.sigma_per_axis;
        for chunk in buf.chunks_mut(WORDS / 2) {
            let words = &mut self.words[..2 * chunk.len()];
            self.rng.fill(words);
            for (x, w) in chunk.iter_mut().zip(words.chunks_exact(2)) {
                let (a, b) = box_muller(w[0], w[1]);
                x.re += sigma * a;
                x.im += sigma * b;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variance_and_definition() {
        let cfg = NoiseConfig {
            snr_db: 10.0,
            signal_power: 1.0,
            snr_bandwidth: Some(Hz(180e3)),
            sample_rate: Hz(1.92e6),
            seed: 1,
        };
        // σ² = 1·1.92e6 / (10·180e3) = 1.0667.
        assert!((cfg.noise_variance() - 1.066_666_7).abs() < 1e-6);
        let mut awgn = Awgn::new(&cfg).unwrap();
        let mut buf = vec![Complex32::new(0.0, 0.0); 200_000];
        awgn.add_in_place(&mut buf);
        let n = buf.len() as f64;
        let p: f64 = buf.iter().map(|x| x.norm_sqr() as f64).sum::<f64>() / n;
        let pi: f64 = buf.iter().map(|x| (x.re as f64).powi(2)).sum::<f64>() / n;
        let mean_re: f64 = buf.iter().map(|x| x.re as f64).sum::<f64>() / n;
        let kurt: f64 = buf.iter().map(|x| (x.re as f64).powi(4)).sum::<f64>() / n / (pi * pi);
        assert!((p / 1.066_666_7 - 1.0).abs() < 0.01, "{p}");
        assert!((pi / p - 0.5).abs() < 0.005);
        assert!(mean_re.abs() < 0.01);
        assert!((kurt - 3.0).abs() < 0.05, "{kurt}");
    }

    #[test]
    fn bad_parameters() {
        let mut cfg = NoiseConfig {
            snr_db: f64::NAN,
            signal_power: 1.0,
            snr_bandwidth: None,
            sample_rate: Hz(1e6),
            seed: 0,
        };
        assert!(Awgn::new(&cfg).is_err());
        cfg.snr_db = 0.0;
        cfg.sample_rate = Hz(0.0);
        assert!(Awgn::new(&cfg).is_err());
    }
}
