//! Small numeric helpers: Bessel functions of the first kind and a fast, seeded Gaussian
//! source.

use std::f64::consts::PI;

/// Bessel function of the first kind of integer order `n`, from Bessel's integral
/// J_n(x) = (1/π)·∫₀^π cos(nθ − x·sin θ) dθ.
///
/// The integrand is smooth and 2π-periodic in θ (over the full circle), so the trapezoidal
/// rule converges geometrically once the number of nodes exceeds |x| + n by a margin; with
/// `64 + 2·(|x| + n)` nodes the error is below 1e-14 for |x| ≤ 500.
pub fn bessel_j(n: u32, x: f64) -> f64 {
    let nodes = 64 + 2 * (x.abs() as usize + n as usize);
    // Trapezoid over the full period [0, 2π): J_n = (1/2π)·Σ cos(nθ − x sin θ)·Δθ.
    let step = 2.0 * PI / nodes as f64;
    let mut acc = 0.0;
    for i in 0..nodes {
        let theta = i as f64 * step;
        acc += (n as f64 * theta - x * theta.sin()).cos();
    }
    acc / nodes as f64
}

/// One standard normal draw, N(0, 1), by the Marsaglia polar method (f64; not for hot loops).
pub fn standard_normal<R: rand::Rng + ?Sized>(rng: &mut R) -> f64 {
    loop {
        let u = 2.0 * rng.random::<f64>() - 1.0;
        let v = 2.0 * rng.random::<f64>() - 1.0;
        let s = u * u + v * v;
        if s > 0.0 && s < 1.0 {
            return u * (-2.0 * s.ln() / s).sqrt();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bessel_known_values() {
        // Abramowitz & Stegun Table 9.1 values.
        assert!((bessel_j(0, 0.0) - 1.0).abs() < 1e-15);
        assert!((bessel_j(0, 1.0) - 0.765_197_686_557_966_6).abs() < 1e-14);
        assert!((bessel_j(1, 1.0) - 0.440_050_585_744_933_5).abs() < 1e-14);
        assert!((bessel_j(0, 2.404_825_557_695_773)).abs() < 1e-14);
        assert!((bessel_j(1, 3.831_705_970_207_512)).abs() < 1e-14);
        assert!((bessel_j(1, 10.0) - 0.043_472_746_168_861_44).abs() < 1e-14);
        assert!((bessel_j(1, -1.0) + 0.440_050_585_744_933_5).abs() < 1e-14);
    }
}
