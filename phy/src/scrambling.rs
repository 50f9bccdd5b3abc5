//! Bit-level scrambling with the 36.211 §7.2 Gold sequence, as used by NPBCH (§10.2.4.1),
//! NPDCCH (§10.2.5.2) and NPDSCH (§10.2.3.1): `b~(i) = (b(i) + c(i)) mod 2`.

use crate::gold::GoldSequence;

/// Scrambles `bits` in place with `c(offset…)` for `c_init`.
pub fn scramble_bits(bits: &mut [u8], c_init: u32, offset: usize) {
    let mut g = GoldSequence::new(c_init);
    g.skip(offset);
    for b in bits.iter_mut() {
        *b ^= g.next_bit();
    }
}

/// Descrambles soft bits in place: the sign of `llr[i]` flips where `c(offset + i) = 1`.
pub fn descramble_llrs(llr: &mut [f32], c_init: u32, offset: usize) {
    let mut g = GoldSequence::new(c_init);
    g.skip(offset);
    for l in llr.iter_mut() {
        if g.next_bit() == 1 {
            *l = -*l;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scramble_twice_is_identity_and_llrs_follow_bits() {
        let orig: Vec<u8> = (0..300).map(|i| (i % 3 == 0) as u8).collect();
        let mut b = orig.clone();
        scramble_bits(&mut b, 257, 200);
        assert_ne!(b, orig);
        let mut llr: Vec<f32> = orig.iter().map(|&x| 1.0 - 2.0 * f32::from(x)).collect();
        descramble_llrs(&mut llr, 257, 200);
        for (l, &x) in llr.iter().zip(&b) {
            assert_eq!(*l < 0.0, x == 1);
        }
        scramble_bits(&mut b, 257, 200);
        assert_eq!(b, orig);
    }
}
