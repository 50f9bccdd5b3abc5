//! Standard normal draws for the AWGN of link-level trials and tests: Box–Muller on uniforms
//! from the caller's generator, so that a run is a function of its seed. (The sample-level
//! engine adds its noise in batches with `ntn_sim::channel::fastmath::box_muller`.)

use rand::Rng;

/// One standard normal draw: the cosine branch of Box–Muller on `u1 ∈ [10⁻⁷, 1)` (no
/// logarithm of 0) and `u2 ∈ [0, 1)`.
pub fn gaussian<R: Rng + ?Sized>(rng: &mut R) -> f32 {
    let u1: f32 = rng.random_range(1e-7..1.0);
    let u2: f32 = rng.random_range(0.0..1.0);
    (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
}

/// Two independent standard normal draws from one pair of uniforms (both branches).
pub fn gaussian_pair<R: Rng + ?Sized>(rng: &mut R) -> (f32, f32) {
    let u1: f32 = rng.random_range(1e-7..1.0);
    let u2: f32 = rng.random_range(0.0..1.0);
    let r = (-2.0 * u1.ln()).sqrt();
    let (s, c) = (std::f32::consts::TAU * u2).sin_cos();
    (r * c, r * s)
}

/// Two independent standard normal draws in double precision.
pub fn gaussian_pair_f64<R: Rng + ?Sized>(rng: &mut R) -> (f64, f64) {
    let u1: f64 = rng.random::<f64>().max(1e-300);
    let u2: f64 = rng.random();
    let r = (-2.0 * u1.ln()).sqrt();
    let (s, c) = (std::f64::consts::TAU * u2).sin_cos();
    (r * c, r * s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn draws_are_standard_normal() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let n = 200_000;
        let mut xs: Vec<f64> = (0..n).map(|_| f64::from(gaussian(&mut rng))).collect();
        xs.extend((0..n / 2).flat_map(|_| {
            let (a, b) = gaussian_pair(&mut rng);
            [f64::from(a), f64::from(b)]
        }));
        xs.extend((0..n / 2).flat_map(|_| {
            let (a, b) = gaussian_pair_f64(&mut rng);
            [a, b]
        }));
        for part in xs.chunks(n) {
            let m = part.iter().sum::<f64>() / n as f64;
            let v = part.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n as f64;
            let tail = part.iter().filter(|x| x.abs() > 1.96).count() as f64 / n as f64;
            assert!(m.abs() < 0.01, "mean {m}");
            assert!((v - 1.0).abs() < 0.02, "variance {v}");
            assert!((tail - 0.05).abs() < 0.003, "two-sided 5 % tail {tail}");
        }
    }
}
