//! Turbo encoder with trellis termination, TS 36.212 §5.1.3.2.1–§5.1.3.2.2.
//!
//! Parallel concatenation of two 8-state recursive systematic constituent encoders with
//! transfer function `G(D) = [1, g1(D)/g0(D)]`, `g0(D) = 1 + D² + D³` (feedback),
//! `g1(D) = 1 + D + D³` (output), registers starting at zero, and the QPP interleaver of
//! [`super::qpp`] in front of the second encoder.
//!
//! Output streams `d^(0)`, `d^(1)`, `d^(2)` of length `D = K + 4` each:
//! `d^(0)_k = x_k`, `d^(1)_k = z_k`, `d^(2)_k = z'_k` for `k < K`, then the 12 tail bits
//! `d^(0) = [x_K, z_{K+1}, x'_K, z'_{K+1}]`, `d^(1) = [z_K, x_{K+2}, z'_K, x'_{K+2}]`,
//! `d^(2) = [x_{K+1}, z_{K+2}, x'_{K+1}, z'_{K+2}]`.

use crate::error::{PhyError, check_len};

use super::qpp::qpp_permutation;

/// Constituent-encoder state `s = D1 + 2·D2 + 4·D3` (D1 the most recent register).
///
/// Returns `(next_state, parity z)` for input `u`: feedback `a = u ⊕ D2 ⊕ D3`,
/// output `z = a ⊕ D1 ⊕ D3`, shift `D1' = a, D2' = D1, D3' = D2`.
#[inline]
pub(crate) const fn rsc_step(s: u8, u: u8) -> (u8, u8) {
    let d1 = s & 1;
    let d2 = (s >> 1) & 1;
    let d3 = (s >> 2) & 1;
    let a = u ^ d2 ^ d3;
    let z = a ^ d1 ^ d3;
    (a | (d1 << 1) | (d2 << 2), z)
}

/// The termination input of state `s`: `u = D2 ⊕ D3`, which makes the feedback zero.
#[inline]
pub(crate) const fn rsc_tail_input(s: u8) -> u8 {
    ((s >> 1) ^ (s >> 2)) & 1
}

/// A turbo encoder planned for one code block size `K` (holds the QPP permutation).
#[derive(Debug, Clone)]
pub struct TurboEncoder {
    k: usize,
    perm: Vec<u16>,
}

impl TurboEncoder {
    /// Plans the encoder for block size `k` (one of the 188 sizes of Table 5.1.3-3).
    ///
    /// # Errors
    /// `OutOfRange` if `k` is not a turbo block size.
    pub fn new(k: usize) -> Result<Self, PhyError> {
        let mut perm = vec![0u16; k];
        qpp_permutation(k, &mut perm)?;
        Ok(TurboEncoder { k, perm })
    }

    /// Block size `K`.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Length `D = K + 4` of each output stream.
    pub fn stream_len(&self) -> usize {
        self.k + 4
    }

    /// The QPP permutation `Π(0…K−1)`.
    pub fn permutation(&self) -> &[u16] {
        &self.perm
    }

    /// Encodes `c_0…c_{K−1}` (bits 0/1; filler bits given as 0) into
    /// `out = [d^(0) | d^(1) | d^(2)]`, `3·(K+4)` bits.
    ///
    /// # Errors
    /// `Length` if `c.len() != K` or `out.len() != 3(K+4)`.
    pub fn encode(&self, c: &[u8], out: &mut [u8]) -> Result<(), PhyError> {
        let k = self.k;
        let d = k + 4;
        check_len("turbo encoder input", k, c.len())?;
        check_len("turbo encoder output", 3 * d, out.len())?;
        let (d0, rest) = out.split_at_mut(d);
        let (d1, d2) = rest.split_at_mut(d);
        let mut s1 = 0u8;
        let mut s2 = 0u8;
        for i in 0..k {
            let u = c[i] & 1;
            let (n1, z1) = rsc_step(s1, u);
            let (n2, z2) = rsc_step(s2, c[usize::from(self.perm[i])] & 1);
            d0[i] = u;
            d1[i] = z1;
            d2[i] = z2;
            s1 = n1;
            s2 = n2;
        }
        // Trellis termination (§5.1.3.2.2): three steps per encoder with u = feedback.
        let mut x = [0u8; 3];
        let mut z = [0u8; 3];
        let mut xp = [0u8; 3];
        let mut zp = [0u8; 3];
        for t in 0..3 {
            let u = rsc_tail_input(s1);
            let (n, zz) = rsc_step(s1, u);
            x[t] = u;
            z[t] = zz;
            s1 = n;
            let u = rsc_tail_input(s2);
            let (n, zz) = rsc_step(s2, u);
            xp[t] = u;
            zp[t] = zz;
            s2 = n;
        }
        debug_assert!(s1 == 0 && s2 == 0);
        d0[k..].copy_from_slice(&[x[0], z[1], xp[0], zp[1]]);
        d1[k..].copy_from_slice(&[z[0], x[2], zp[0], xp[2]]);
        d2[k..].copy_from_slice(&[x[1], z[2], xp[1], zp[2]]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_input_gives_zero_output_and_length_3k_plus_12() {
        let enc = TurboEncoder::new(40).unwrap();
        let mut out = vec![1u8; 132];
        enc.encode(&[0u8; 40], &mut out).unwrap();
        assert!(out.iter().all(|&b| b == 0));
        assert!(enc.encode(&[0u8; 39], &mut out).is_err());
        assert!(TurboEncoder::new(44).is_err());
    }

    #[test]
    fn systematic_stream_is_the_input_and_both_encoders_terminate() {
        let k = 1008;
        let enc = TurboEncoder::new(k).unwrap();
        let c: Vec<u8> = (0..k).map(|i| ((i * 7 + i / 3) % 5 % 2) as u8).collect();
        let mut out = vec![0u8; 3 * (k + 4)];
        enc.encode(&c, &mut out).unwrap();
        assert_eq!(&out[..k], &c[..]);
        // Re-run both constituent encoders over info + tail inputs: both end in state 0.
        let d = k + 4;
        let x_tail = [out[k], out[2 * d + k], out[d + k + 1]];
        let xp_tail = [out[k + 2], out[2 * d + k + 2], out[d + k + 3]];
        let mut s = 0u8;
        for &u in c.iter().chain(&x_tail) {
            s = rsc_step(s, u).0;
        }
        assert_eq!(s, 0);
        let mut s = 0u8;
        for i in 0..k {
            s = rsc_step(s, c[usize::from(enc.permutation()[i])]).0;
        }
        for &u in &xp_tail {
            s = rsc_step(s, u).0;
        }
        assert_eq!(s, 0);
    }

    #[test]
    fn impulse_response_of_the_rsc_is_that_of_g1_over_g0() {
        // 1/g0(D) with g0 = 1 + D² + D³ is periodic with period 7: 1,0,1,1,1,0,0,...
        // times g1 = 1 + D + D³ gives the parity response.
        let mut s = 0u8;
        let mut z = Vec::new();
        for i in 0..14 {
            let (n, zz) = rsc_step(s, u8::from(i == 0));
            z.push(zz);
            s = n;
        }
        let a = [1u8, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0];
        for i in 0..14 {
            let mut e = a[i];
            if i >= 1 {
                e ^= a[i - 1];
            }
            if i >= 3 {
                e ^= a[i - 3];
            }
            assert_eq!(z[i], e, "i {i}");
        }
    }
}
