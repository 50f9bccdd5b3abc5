//! The residual channel of the sample-level path: a transmission's samples delayed by a
//! time-varying fractional delay, rotated by a drifting carrier offset, plus white Gaussian
//! noise — what a receiver's sample stream holds relative to its own grid and tuning
//! ([`super::Residual`]).
//!
//! The delay is applied by the windowed-sinc interpolator of the orbit channel
//! ([`crate::channel::interp::SincTable`], 16 taps, −82 dB error at 0.05·f_s — the NB-IoT
//! carrier occupies ±0.047·f_s at 1.92 MHz), the rotation and the noise by its vectorised
//! kernels ([`crate::channel::fastmath`]).
//!
//! With a [`LinkFading`] set, the delayed and rotated samples then go through the link's
//! NTN-TDL fading ([`crate::channel::tdl`]), evaluated at the absolute sample index of the
//! receiver's stream: receptions processed one by one see one continuous fading process
//! (correlated over the coherence time, ≈ 1/f_D), as a continuous stream would. The TDL's
//! fixed latency is taken out, so the residual delay stays the delay.

use super::{Residual, SAMPLE_RATE_HZ};
use crate::channel::fastmath::{box_muller, cos_sin_cycles};
use crate::channel::interp::{DEFAULT_HALF_LENGTH, SincTable};
use crate::channel::tdl::Tdl;
use ntn_phy::Complex32;
use rand::{Rng, RngCore};

/// Applies [`Residual`]s to transmitted samples (holds the interpolation table, and the
/// fading of the link being received, if any).
#[derive(Clone, Debug)]
pub struct ResidualChannel {
    table: SincTable,
    fading: Option<LinkFading>,
    /// Scratch of the faded path.
    ext: Vec<Complex32>,
}

/// The small-scale fading of one link and direction at sample level: a TDL realisation at
/// [`SAMPLE_RATE_HZ`] (one per link, kept across its receptions) and the absolute index, in
/// that TDL's sample count, of the receiver's window start (`t = 0` of the [`Residual`]).
#[derive(Clone, Debug)]
pub struct LinkFading {
    /// The realisation.
    pub tdl: Tdl,
    /// Sample index of the window start.
    pub window_sample: u64,
}

impl Default for ResidualChannel {
    fn default() -> Self {
        Self::new()
    }
}

impl ResidualChannel {
    /// A channel with the default 16-tap interpolator.
    pub fn new() -> Self {
        ResidualChannel {
            table: SincTable::new(DEFAULT_HALF_LENGTH),
            fading: None,
            ext: Vec::new(),
        }
    }

    /// Sets the fading of the receptions that follow (`None`: AWGN only); returns the one set
    /// before, so that the caller can keep it with its link.
    pub fn set_fading(&mut self, fading: Option<LinkFading>) -> Option<LinkFading> {
        std::mem::replace(&mut self.fading, fading)
    }

    /// Writes into `out` what the receiver's samples hold of the transmitted samples `x`.
    ///
    /// `x[m]` is the transmitted sample whose nominal arrival (with a zero residual) is
    /// `x_t0_s + m / f_s` after the receiver's window start; `out[n]` is the receiver's
    /// sample at `out_t0_s + n / f_s` after the window start. With `t` that instant,
    /// `out[n] = x(t − τ(t) − x_t0_s) · exp(j2π·φ(t))`, `τ` and `φ` from `residual`, and 0
    /// where the delayed signal does not reach (before its first or after its last sample).
    /// With fading set, `out` is that through the link's TDL (the samples before `out` that
    /// reach its first ones through the longest tap included). `out` is overwritten; add
    /// noise with [`add_awgn`].
    pub fn apply(
        &mut self,
        x: &[Complex32],
        x_t0_s: f64,
        residual: &Residual,
        out: &mut [Complex32],
        out_t0_s: f64,
    ) {
        let Some(mut fading) = self.fading.take() else {
            self.delay_and_rotate(x, x_t0_s, residual, out, out_t0_s);
            return;
        };
        // The TDL delays by its latency L: the path before it runs L samples early. The
        // samples its FIR reaches back to before `out` are generated too and dropped after.
        let latency_s = fading.tdl.latency_samples() as f64 / SAMPLE_RATE_HZ;
        let early = Residual {
            delay_s: residual.delay_s - latency_s,
            ..*residual
        };
        // Whole interpolation blocks, so that `out`'s blocks are those of the unfaded path.
        let head = fading.tdl.span_samples().div_ceil(BLOCK) * BLOCK;
        let ext_t0_s = out_t0_s - head as f64 / SAMPLE_RATE_HZ;
        let first = fading.window_sample as f64 + (ext_t0_s * SAMPLE_RATE_HZ).round();
        let first = first.max(0.0) as u64;
        let mut ext = std::mem::take(&mut self.ext);
        ext.clear();
        ext.resize(out.len() + head, Complex32::default());
        self.delay_and_rotate(x, x_t0_s, &early, &mut ext, ext_t0_s);
        fading.tdl.process_burst(first, &mut ext);
        out.copy_from_slice(&ext[head..]);
        self.ext = ext;
        self.fading = Some(fading);
    }

    fn delay_and_rotate(
        &self,
        x: &[Complex32],
        x_t0_s: f64,
        residual: &Residual,
        out: &mut [Complex32],
        out_t0_s: f64,
    ) {
        let half = self.table.half_length() as i64;
        let len = x.len() as i64;
        // Blocks of BLOCK samples share one interpolation phase μ and one carrier frequency
        // (taken mid-block), and rotate by a recursive phasor: over a block the delay moves by
        // BLOCK·τ̇ samples (< 10⁻³ sample for |τ̇| < 3·10⁻⁵, below the table's 1/4096
        // quantisation ×4) and the frequency by BLOCK/f_s·ḟ (< 0.02 Hz at 1 kHz/s).
        for (b, chunk) in out.chunks_mut(BLOCK).enumerate() {
            let n0 = b * BLOCK;
            let t_start = out_t0_s + n0 as f64 / SAMPLE_RATE_HZ;
            let t_mid = t_start + 0.5 * (chunk.len() as f64 - 1.0) / SAMPLE_RATE_HZ;
            // Source position of the block's first sample, with the mid-block delay.
            let u0 = (t_start - residual.delay_at(t_mid) - x_t0_s) * SAMPLE_RATE_HZ;
            let i0 = u0.floor();
            let taps = self.table.row(u0 - i0);
            let i0 = i0 as i64;
            let ph0 = residual.phase_cycles_at(t_start);
            let (c0, s0) = cos_sin_cycles((ph0 - ph0.round()) as f32);
            let mut rot = Complex32::new(c0, s0);
            let step_cycles = residual.freq_at(t_mid) / SAMPLE_RATE_HZ;
            let (cs, ss) = cos_sin_cycles((step_cycles - step_cycles.round()) as f32);
            let step = Complex32::new(cs, ss);
            for (j, o) in chunk.iter_mut().enumerate() {
                let i = i0 + j as i64;
                let first = i - half + 1;
                let last = i + half;
                let v = if last < 0 || first >= len {
                    Complex32::default()
                } else if first >= 0 && last < len {
                    SincTable::apply(&x[first as usize..=last as usize], taps)
                } else {
                    let mut acc = Complex32::default();
                    for (k, &h) in taps.iter().enumerate() {
                        let m = first + k as i64;
                        if (0..len).contains(&m) {
                            acc += x[m as usize] * h;
                        }
                    }
                    acc
                };
                *o = v * rot;
                rot *= step;
            }
        }
    }
}

/// Samples per block of [`ResidualChannel::apply`] sharing one interpolation phase.
const BLOCK: usize = 32;

/// Adds complex white Gaussian noise of variance `2σ²` (σ per real dimension) to `buf`,
/// drawn from `rng`.
pub fn add_awgn<R: RngCore + ?Sized>(buf: &mut [Complex32], sigma: f32, rng: &mut R) {
    // The uniforms in one batch from the generator, then Box–Muller over the batch (the
    // loop vectorises).
    let mut u = [0u32; 2 * NOISE_BATCH];
    for chunk in buf.chunks_mut(NOISE_BATCH) {
        let u = &mut u[..2 * chunk.len()];
        rng.fill(u);
        for (s, w) in chunk.iter_mut().zip(u.chunks_exact(2)) {
            let (a, b) = box_muller(w[0], w[1]);
            *s += Complex32::new(a * sigma, b * sigma);
        }
    }
}

/// Samples per batch of uniforms in [`add_awgn`].
const NOISE_BATCH: usize = 256;

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(n: usize, f_hz: f64) -> Vec<Complex32> {
        (0..n)
            .map(|k| {
                let p = std::f64::consts::TAU * f_hz * k as f64 / SAMPLE_RATE_HZ;
                Complex32::new(p.cos() as f32, p.sin() as f32)
            })
            .collect()
    }

    fn residual(delay_s: f64, freq_hz: f64) -> Residual {
        Residual {
            delay_s,
            delay_rate: 0.0,
            freq_hz,
            freq_rate_hz_s: 0.0,
            snr_db: 100.0,
        }
    }

    #[test]
    fn zero_residual_is_identity() {
        let x = tone(2_000, 15_000.0);
        let mut ch = ResidualChannel::new();
        let mut out = vec![Complex32::default(); 2_000];
        ch.apply(&x, 0.0, &residual(0.0, 0.0), &mut out, 0.0);
        for (a, b) in x.iter().zip(&out).skip(10).take(1_980) {
            assert!((a - b).norm() < 1e-3, "{a} vs {b}");
        }
    }

    #[test]
    fn fractional_delay_moves_the_tone_phase() {
        // A 45 kHz tone delayed by 2.3 samples: the output is the input's phase 2.3 samples back.
        let f = 45_000.0;
        let x = tone(4_000, f);
        let mut ch = ResidualChannel::new();
        let d = 2.3 / SAMPLE_RATE_HZ;
        let mut out = vec![Complex32::default(); 4_000];
        ch.apply(&x, 0.0, &residual(d, 0.0), &mut out, 0.0);
        for n in [100usize, 1_000, 3_000] {
            let p = std::f64::consts::TAU * f * (n as f64 / SAMPLE_RATE_HZ - d);
            let want = Complex32::new(p.cos() as f32, p.sin() as f32);
            assert!((out[n] - want).norm() < 2e-3, "n {n}: {} vs {want}", out[n]);
        }
        // Before the delayed start: nothing yet.
        let mut early = vec![Complex32::new(9.0, 9.0); 4];
        ch.apply(
            &x,
            0.0,
            &residual(100.0 / SAMPLE_RATE_HZ, 0.0),
            &mut early,
            0.0,
        );
        assert!(early.iter().all(|s| s.norm() == 0.0));
    }

    #[test]
    fn drifting_offset_accumulates_phase() {
        let x = vec![Complex32::new(1.0, 0.0); 20_000];
        let mut ch = ResidualChannel::new();
        let r = Residual {
            freq_rate_hz_s: 500.0,
            ..residual(0.0, 300.0)
        };
        let mut out = vec![Complex32::default(); 20_000];
        ch.apply(&x, 0.0, &r, &mut out, 0.0);
        let n = 15_000;
        let t = n as f64 / SAMPLE_RATE_HZ;
        let p = std::f64::consts::TAU * (300.0 * t + 250.0 * t * t);
        assert!((out[n] - Complex32::new(p.cos() as f32, p.sin() as f32)).norm() < 1e-3);
        // A window opened late (out_t0 > 0) reads the same instant's value.
        let mut late = vec![Complex32::default(); 10];
        ch.apply(&x, 0.0, &r, &mut late, t);
        assert!((late[0] - out[n]).norm() < 1e-3);
    }

    #[test]
    fn noise_has_the_asked_variance() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let mut buf = vec![Complex32::default(); 100_000];
        add_awgn(&mut buf, 0.5, &mut rng);
        let p: f64 = buf.iter().map(|s| f64::from(s.norm_sqr())).sum::<f64>() / 1e5;
        assert!((p - 0.5).abs() < 0.01, "{p}");
    }

    fn tdl_c(seed: u64) -> LinkFading {
        use crate::channel::tdl::{FadingProfile, TdlConfig};
        let cfg = TdlConfig::new(FadingProfile::TdlC, ntn_types::Hz(SAMPLE_RATE_HZ), seed);
        LinkFading {
            tdl: Tdl::new(cfg).unwrap(),
            window_sample: 1_000_000,
        }
    }

    /// The complex gain `out/x` of a faded tone, averaged over `n` samples from `at`.
    fn gain(x: &[Complex32], out: &[Complex32], at: usize, n: usize) -> Complex32 {
        let num: Complex32 = (at..at + n).map(|k| out[k] * x[k].conj()).sum();
        num / n as f32
    }

    #[test]
    fn fading_keeps_the_delay_and_is_one_process_over_receptions() {
        let x = tone(20_000, 15_000.0);
        let mut ch = ResidualChannel::new();
        // The TDL's latency is taken out: a faded tone keeps its phase against the input up
        // to the fading gain, which is the same whether the reception is processed whole or
        // in two parts that start at their own window offsets.
        ch.set_fading(Some(tdl_c(7)));
        let mut whole = vec![Complex32::default(); 20_000];
        ch.apply(&x, 0.0, &residual(0.0, 0.0), &mut whole, 0.0);
        let mut second = vec![Complex32::default(); 10_000];
        ch.apply(
            &x,
            0.0,
            &residual(0.0, 0.0),
            &mut second,
            10_000.0 / SAMPLE_RATE_HZ,
        );
        for k in (10_100..19_900).step_by(97) {
            assert!((whole[k] - second[k - 10_000]).norm() < 1e-4, "sample {k}");
        }
        // TDL-C is LOS (K = 10.2 dB) with 100 ns of delay spread: over 1 ms the gain is one
        // complex number (the tone sees no delay), near unit power, and not 1.
        let g = gain(&x, &whole, 100, 1_900);
        let spread: f32 = (100..2_000)
            .map(|k| (whole[k] * x[k].conj() - g).norm())
            .fold(0.0, f32::max);
        assert!(spread < 0.02 * g.norm(), "gain moves within 1 ms: {spread}");
        assert!((g.norm_sqr() - 1.0).abs() < 0.9, "{g}");
        assert!(
            (g - Complex32::new(1.0, 0.0)).norm() > 1e-3,
            "no fading: {g}"
        );
        // No delay added: tones 90 kHz apart see the same phase (4 samples of latency left in
        // would turn them 1.2 rad apart; TDL-C's own mean delay, tens of ns, 0.02 rad).
        let mut phase = |f_hz: f64| {
            let x = tone(4_000, f_hz);
            let mut out = vec![Complex32::default(); 4_000];
            ch.apply(&x, 0.0, &residual(0.0, 0.0), &mut out, 0.0);
            gain(&x, &out, 100, 500).arg()
        };
        let (lo, hi) = (phase(-45_000.0), phase(45_000.0));
        assert!(
            (hi - lo).abs() < 0.1,
            "phases {lo} and {hi} rad: a delay is left"
        );
        // Without fading the output is the input again.
        assert!(ch.set_fading(None).is_some());
        ch.apply(&x, 0.0, &residual(0.0, 0.0), &mut whole, 0.0);
        assert!((gain(&x, &whole, 100, 1_900) - Complex32::new(1.0, 0.0)).norm() < 1e-3);
    }

    #[test]
    fn fading_power_averages_to_one_and_decorrelates_over_the_coherence_time() {
        // 2 s of a tone at f_D = 5.56 Hz (about 11 Doppler periods) over a few realisations:
        // the mean power gain is 1, and gains 100 ms apart are far less alike than 1 ms apart.
        let x = tone(1_920, 15_000.0);
        let mut out = vec![Complex32::default(); 1_920];
        let (mut power, mut n) = (0.0f64, 0usize);
        let (mut near, mut far) = (0.0f64, 0.0f64);
        for seed in 0..8 {
            let mut ch = ResidualChannel::new();
            ch.set_fading(Some(tdl_c(seed)));
            let mut gains = Vec::new();
            for step in 0..200 {
                // Receptions 10 ms apart (the window start moves on).
                let t0 = step as f64 * 0.01;
                ch.apply(&x, t0, &residual(0.0, 0.0), &mut out, t0);
                gains.push(gain(&x, &out, 100, 1_700));
            }
            for g in &gains {
                power += f64::from(g.norm_sqr());
                n += 1;
            }
            for w in gains.windows(11) {
                far += f64::from((w[10] - w[0]).norm_sqr());
            }
            for w in gains.windows(2) {
                near += f64::from((w[1] - w[0]).norm_sqr());
            }
        }
        let mean = power / n as f64;
        assert!((mean - 1.0).abs() < 0.25, "mean power gain {mean}");
        assert!(far > 10.0 * near, "100 ms apart {far}, 10 ms apart {near}");
    }
}
