//! QPSK mapping (36.211 §7.1.2) and max-log soft demapping.

use num_complex::Complex32;

use crate::error::{PhyError, check_finite_c32, check_len};

const INV_SQRT2: f32 = std::f32::consts::FRAC_1_SQRT_2;

/// Maps bit pairs `(b(2i), b(2i+1))` to `((1−2b(2i)) + j(1−2b(2i+1)))/√2`.
///
/// # Panics
/// If `bits.len() != 2·out.len()` (a caller bug).
pub fn qpsk_map(bits: &[u8], out: &mut [Complex32]) {
    assert_eq!(
        bits.len(),
        2 * out.len(),
        "qpsk_map: need two bits per symbol"
    );
    for (s, b) in out.iter_mut().zip(bits.chunks_exact(2)) {
        *s = Complex32::new(
            INV_SQRT2 * (1.0 - 2.0 * f32::from(b[0] & 1)),
            INV_SQRT2 * (1.0 - 2.0 * f32::from(b[1] & 1)),
        );
    }
}

/// Soft-demaps equalised QPSK symbols with per-symbol noise variance `noise_var[i]`
/// (complex, `E|n|²`) into LLRs: `L(b(2i)) = 2√2·Re(y)/σ²`, `L(b(2i+1)) = 2√2·Im(y)/σ²`.
///
/// # Errors
/// `Length` on mismatched slices; `NonFinite` on NaN/inf symbols; `OutOfRange` if a noise
/// variance is not a positive finite number.
pub fn qpsk_demap(
    symbols: &[Complex32],
    noise_var: &[f32],
    out: &mut [f32],
) -> Result<(), PhyError> {
    check_len("qpsk_demap noise_var", symbols.len(), noise_var.len())?;
    check_len("qpsk_demap output", 2 * symbols.len(), out.len())?;
    check_finite_c32("qpsk_demap symbols", symbols)?;
    for ((y, &nv), o) in symbols.iter().zip(noise_var).zip(out.chunks_exact_mut(2)) {
        if !(nv.is_finite() && nv > 0.0) {
            return Err(PhyError::OutOfRange {
                what: "qpsk_demap noise variance",
                value: nv as i64,
            });
        }
        let g = 2.0 * std::f32::consts::SQRT_2 / nv;
        o[0] = g * y.re;
        o[1] = g * y.im;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_table_and_demap_signs() {
        let bits = [0u8, 0, 0, 1, 1, 0, 1, 1];
        let mut s = [Complex32::default(); 4];
        qpsk_map(&bits, &mut s);
        let h = INV_SQRT2;
        assert_eq!(
            s,
            [
                Complex32::new(h, h),
                Complex32::new(h, -h),
                Complex32::new(-h, h),
                Complex32::new(-h, -h)
            ]
        );
        let mut llr = [0f32; 8];
        qpsk_demap(&s, &[0.5; 4], &mut llr).unwrap();
        for (l, &b) in llr.iter().zip(&bits) {
            assert_eq!(*l < 0.0, b == 1);
            assert!(
                (l.abs() - 4.0).abs() < 1e-5,
                "|LLR| = 2√2·(1/√2)/0.5 = 4, got {l}"
            );
        }
        assert!(qpsk_demap(&s, &[0.0; 4], &mut llr).is_err());
        let nan = [Complex32::new(f32::NAN, 0.0); 4];
        assert!(matches!(
            qpsk_demap(&nan, &[1.0; 4], &mut llr),
            Err(PhyError::NonFinite { .. })
        ));
    }
}
