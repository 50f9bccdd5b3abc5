//! Iterative turbo decoder: two max-log-MAP (BCJR) constituent decoders exchanging scaled
//! extrinsic information through the QPP interleaver, with early stopping on a CRC.
//!
//! Soft-bit convention of the crate: `L = ln P(b=0)/P(b=1)`, so a bit `b` is sent as
//! `1 − 2b` and positive means 0. The input is the de-rate-matched block
//! `[d^(0) | d^(1) | d^(2)]` of `3(K+4)` LLRs in the stream layout of
//! [`super::TurboEncoder::encode`], tails included.
//!
//! Max-log-MAP: with `A_k = (L_s + L_a)/2` and `P_k = L_p/2` the branch metric is
//! `γ_k(s, u) = (1−2u)·A_k + (1−2z(s,u))·P_k`; `α_{k+1}(s') = max(α_k(s) + γ_k(s,u))`,
//! `β_k(s) = max_u(γ_k(s,u) + β_{k+1}(s'))`, and the extrinsic output
//! `L_e = max_{u=0}(α + (1−2z)P + β) − max_{u=1}(α + (1−2z)P + β)`, scaled by
//! [`EXTRINSIC_SCALE`] before it becomes the other decoder's a-priori input.

use crate::crc::{CrcKind, crc_check_masked};
use crate::error::{PhyError, check_finite_f32, check_len};

use super::encoder::rsc_step;
use super::fixed::{FixedDecoder, FixedPath, avx2_available};
use super::qpp::qpp_permutation;

/// Scale applied to max-log-MAP extrinsic values (compensates the max-log over-estimate).
pub const EXTRINSIC_SCALE: f32 = 0.75;

/// Metric for an impossible state.
const NEG: f32 = -1.0e9;

/// LLR given to bits known to be 0 (filler bits and their parity).
const KNOWN_ZERO: f32 = 1.0e4;

/// Number of trellis states.
const S: usize = 8;

/// Trellis tables built from [`rsc_step`].
#[derive(Debug, Clone, Copy)]
struct Trellis {
    /// `next[u][s]`.
    next: [[usize; S]; 2],
    /// `sign[u][s] = 1 − 2z(s, u)`.
    sign: [[f32; S]; 2],
}

impl Trellis {
    fn new() -> Self {
        let mut next = [[0usize; S]; 2];
        let mut sign = [[0f32; S]; 2];
        for u in 0..2u8 {
            for s in 0..S as u8 {
                let (n, z) = rsc_step(s, u);
                next[usize::from(u)][usize::from(s)] = usize::from(n);
                sign[usize::from(u)][usize::from(s)] = 1.0 - 2.0 * f32::from(z);
            }
        }
        Trellis { next, sign }
    }
}

/// Constituent-decoder kernel, chosen once by [`TurboDecoder::new`] (the planner) or forced
/// with [`TurboDecoder::with_kernel`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TurboKernel {
    /// Straight per-state, per-branch transcription of the BCJR recursions (the oracle).
    Scalar,
    /// The same recursions arranged by next state, 8 states as fixed lanes with constant
    /// shuffles (`α` gathers from states `s'>>1` and `(s'>>1)+4`, `β` from `2(s&3)` and
    /// `2(s&3)+1`), so the compiler emits packed SIMD on any target without `unsafe`.
    Lanes,
    /// Fixed-point (i16, saturating) windowed max-log-MAP, 16 windows in parallel lanes with
    /// next-iteration initialisation of the window edges; portable code, always built.
    Fixed,
    /// [`TurboKernel::Fixed`]'s arithmetic with explicit AVX2 instructions (x86-64 with AVX2
    /// only); bit-identical results.
    FixedAvx2,
}

/// Smallest `K` for which the planner picks a fixed-point windowed kernel (16 windows of at
/// least 32 steps); smaller blocks use the floating-point [`TurboKernel::Lanes`] kernel.
pub const FIXED_MIN_K: usize = 512;

impl TurboKernel {
    /// The planner's choice for block size `k` on this CPU: [`TurboKernel::FixedAvx2`] if AVX2
    /// is detected, else [`TurboKernel::Fixed`], for `k ≥` [`FIXED_MIN_K`]; else
    /// [`TurboKernel::Lanes`].
    pub fn planned(k: usize) -> Self {
        if k < FIXED_MIN_K {
            TurboKernel::Lanes
        } else if avx2_available() {
            TurboKernel::FixedAvx2
        } else {
            TurboKernel::Fixed
        }
    }

    /// Whether this kernel can run on this CPU.
    pub fn available(self) -> bool {
        self != TurboKernel::FixedAvx2 || avx2_available()
    }
}

/// What an iterative decode did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TurboDecodeStats {
    /// Full iterations run (each = both constituent decoders).
    pub iterations: u32,
    /// The CRC result of the final hard decision, if a CRC was given.
    pub crc_ok: Option<bool>,
}

/// Options of one decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TurboDecodeOptions {
    /// Maximum number of full iterations (≥ 1).
    pub max_iterations: u32,
    /// CRC carried at the end of the block (CRC-24A for a single-block transport block,
    /// CRC-24B for segmented code blocks); decoding stops as soon as it passes.
    /// `None` runs all iterations.
    pub crc: Option<CrcKind>,
    /// Leading filler bits `F` (known zeros).
    pub filler: usize,
}

impl Default for TurboDecodeOptions {
    fn default() -> Self {
        TurboDecodeOptions {
            max_iterations: 8,
            crc: None,
            filler: 0,
        }
    }
}

/// Turbo decoder planned once for a block size `K`; all buffers are allocated here.
#[derive(Debug, Clone)]
pub struct TurboDecoder {
    k: usize,
    kernel: TurboKernel,
    perm: Vec<u16>,
    trellis: Trellis,
    /// Systematic LLRs, natural order.
    sys: Vec<f32>,
    /// Systematic LLRs in interleaved order.
    sys_i: Vec<f32>,
    par1: Vec<f32>,
    par2: Vec<f32>,
    tail1: [(f32, f32); 3],
    tail2: [(f32, f32); 3],
    /// A-priori input of decoder 1 (natural order).
    apri1: Vec<f32>,
    /// A-priori input of decoder 2 (interleaved order).
    apri2: Vec<f32>,
    ext: Vec<f32>,
    beta: Vec<[f32; S]>,
    hard: Vec<u8>,
    /// State of the fixed-point kernels (`None` for the floating-point ones).
    fixed: Option<Box<FixedDecoder>>,
}

impl TurboDecoder {
    /// Plans a decoder for block size `k` with the kernel [`TurboKernel::planned`] picks.
    ///
    /// # Errors
    /// `OutOfRange` if `k` is not a turbo block size.
    pub fn new(k: usize) -> Result<Self, PhyError> {
        Self::with_kernel(k, TurboKernel::planned(k))
    }

    /// Plans a decoder for block size `k` with a given kernel.
    ///
    /// # Errors
    /// `OutOfRange` if `k` is not a turbo block size or the kernel cannot run on this CPU
    /// ([`TurboKernel::available`]).
    pub fn with_kernel(k: usize, kernel: TurboKernel) -> Result<Self, PhyError> {
        if !kernel.available() {
            return Err(PhyError::OutOfRange {
                what: "turbo decoder kernel not supported by this CPU",
                value: 0,
            });
        }
        let mut perm = vec![0u16; k];
        qpp_permutation(k, &mut perm)?;
        let fixed = match kernel {
            TurboKernel::Scalar | TurboKernel::Lanes => None,
            TurboKernel::Fixed => Some(Box::new(FixedDecoder::new(&perm, FixedPath::Portable))),
            #[cfg(target_arch = "x86_64")]
            TurboKernel::FixedAvx2 => Some(Box::new(FixedDecoder::new(&perm, FixedPath::Avx2))),
            #[cfg(not(target_arch = "x86_64"))]
            TurboKernel::FixedAvx2 => None,
        };
        Ok(TurboDecoder {
            fixed,
            k,
            kernel,
            perm,
            trellis: Trellis::new(),
            sys: vec![0.0; k],
            sys_i: vec![0.0; k],
            par1: vec![0.0; k],
            par2: vec![0.0; k],
            tail1: [(0.0, 0.0); 3],
            tail2: [(0.0, 0.0); 3],
            apri1: vec![0.0; k],
            apri2: vec![0.0; k],
            ext: vec![0.0; k],
            beta: vec![[0.0; S]; k + 4],
            hard: vec![0; k],
        })
    }

    /// Block size `K`.
    pub fn k(&self) -> usize {
        self.k
    }

    /// The kernel in use.
    pub fn kernel(&self) -> TurboKernel {
        self.kernel
    }

    /// Decodes `llr` (`3(K+4)` values, stream layout) into `out` (`K` hard bits 0/1).
    ///
    /// # Errors
    /// `Length` on wrong slice lengths; `NonFinite` on NaN/inf LLRs; `OutOfRange` if
    /// `max_iterations == 0` or `filler ≥ K`.
    pub fn decode(
        &mut self,
        llr: &[f32],
        opts: &TurboDecodeOptions,
        out: &mut [u8],
    ) -> Result<TurboDecodeStats, PhyError> {
        let k = self.k;
        let d = k + 4;
        check_len("turbo decoder input", 3 * d, llr.len())?;
        check_len("turbo decoder output", k, out.len())?;
        if self.fixed.is_none() {
            // The fixed-point path checks finiteness in its scaling pass.
            check_finite_f32("turbo decoder input", llr)?;
        }
        if opts.max_iterations == 0 {
            return Err(PhyError::OutOfRange {
                what: "turbo decoder max_iterations",
                value: 0,
            });
        }
        if opts.filler >= k {
            return Err(PhyError::OutOfRange {
                what: "turbo decoder filler bits",
                value: opts.filler as i64,
            });
        }
        if let Some(fx) = self.fixed.as_mut() {
            return fx.decode(llr, opts, out);
        }
        let (d0, rest) = llr.split_at(d);
        let (d1, d2) = rest.split_at(d);
        self.sys.copy_from_slice(&d0[..k]);
        self.par1.copy_from_slice(&d1[..k]);
        self.par2.copy_from_slice(&d2[..k]);
        for i in 0..opts.filler {
            self.sys[i] = KNOWN_ZERO;
            self.par1[i] = KNOWN_ZERO;
        }
        for (si, &p) in self.sys_i.iter_mut().zip(&self.perm) {
            *si = self.sys[usize::from(p)];
        }
        // Tail (§5.1.3.2.2): (x_K, z_K), (x_{K+1}, z_{K+1}), (x_{K+2}, z_{K+2}) and primed.
        self.tail1 = [(d0[k], d1[k]), (d2[k], d0[k + 1]), (d1[k + 1], d2[k + 1])];
        self.tail2 = [
            (d0[k + 2], d1[k + 2]),
            (d2[k + 2], d0[k + 3]),
            (d1[k + 3], d2[k + 3]),
        ];
        self.apri1.fill(0.0);
        let mut stats = TurboDecodeStats {
            iterations: 0,
            crc_ok: None,
        };
        for it in 1..=opts.max_iterations {
            // Decoder 1, natural order.
            siso(
                self.kernel,
                &self.trellis,
                &self.sys,
                &self.par1,
                &self.apri1,
                &self.tail1,
                &mut self.beta,
                &mut self.ext,
            );
            for (a2, &p) in self.apri2.iter_mut().zip(&self.perm) {
                *a2 = EXTRINSIC_SCALE * self.ext[usize::from(p)];
            }
            // Decoder 2, interleaved order.
            siso(
                self.kernel,
                &self.trellis,
                &self.sys_i,
                &self.par2,
                &self.apri2,
                &self.tail2,
                &mut self.beta,
                &mut self.ext,
            );
            for i in 0..k {
                let p = usize::from(self.perm[i]);
                let total = self.sys_i[i] + self.apri2[i] + self.ext[i];
                self.hard[p] = u8::from(total < 0.0);
                self.apri1[p] = EXTRINSIC_SCALE * self.ext[i];
            }
            stats.iterations = it;
            if let Some(kind) = opts.crc {
                let ok = crc_check_masked(kind, &self.hard, 0);
                stats.crc_ok = Some(ok);
                if ok {
                    break;
                }
            }
        }
        out.copy_from_slice(&self.hard);
        Ok(stats)
    }
}

#[inline(always)]
fn max8(a: &[f32; S]) -> f32 {
    let mut m = a[0];
    for &v in &a[1..] {
        m = if v > m { v } else { m };
    }
    m
}

/// One max-log-MAP constituent decoder: writes the (unscaled) extrinsic LLRs into `ext`.
#[allow(clippy::too_many_arguments)] // the decoder's buffers, passed apart for borrowing
fn siso(
    kernel: TurboKernel,
    t: &Trellis,
    sys: &[f32],
    par: &[f32],
    apri: &[f32],
    tail: &[(f32, f32); 3],
    beta: &mut [[f32; S]],
    ext: &mut [f32],
) {
    match kernel {
        TurboKernel::Scalar => siso_scalar(t, sys, par, apri, tail, beta, ext),
        // The fixed-point kernels never reach here (their decoder runs its own passes).
        TurboKernel::Lanes | TurboKernel::Fixed | TurboKernel::FixedAvx2 => {
            siso_lanes(sys, par, apri, tail, beta, ext)
        }
    }
}

/// Per-state sign vectors of the lane kernel (see [`siso_lanes`]).
struct LaneSigns {
    /// `1 − 2u` of the `D3 = 0` branch into next state `s'`: `u = s'₀ ⊕ s'₂`.
    su_a: [f32; S],
    /// `1 − 2z` of that branch: `z = s'₀ ⊕ s'₁`.
    sz_a: [f32; S],
    /// `1 − 2u` of the `a = 0` branch out of state `s`: `u = s₁ ⊕ s₂`.
    su_b: [f32; S],
    /// `1 − 2z` of that branch: `z = s₀ ⊕ s₂`.
    sz_b: [f32; S],
    /// 1.0 where the `D3 = 0` branch into `s'` carries `u = 0`.
    u0_is_zero: [bool; S],
}

const fn sign(bit: usize) -> f32 {
    if bit & 1 == 0 { 1.0 } else { -1.0 }
}

const LANE: LaneSigns = {
    let mut su_a = [0f32; S];
    let mut sz_a = [0f32; S];
    let mut su_b = [0f32; S];
    let mut sz_b = [0f32; S];
    let mut u0_is_zero = [false; S];
    let mut s = 0;
    while s < S {
        su_a[s] = sign(s ^ (s >> 2));
        sz_a[s] = sign(s ^ (s >> 1));
        su_b[s] = sign((s >> 1) ^ (s >> 2));
        sz_b[s] = sign(s ^ (s >> 2));
        u0_is_zero[s] = (s ^ (s >> 2)) & 1 == 0;
        s += 1;
    }
    LaneSigns {
        su_a,
        sz_a,
        su_b,
        sz_b,
        u0_is_zero,
    }
};

#[inline(always)]
fn vmax(a: [f32; S], b: [f32; S]) -> [f32; S] {
    let mut r = [0f32; S];
    for s in 0..S {
        r[s] = if a[s] > b[s] { a[s] } else { b[s] };
    }
    r
}

/// `β_k` from `β_{k+1}`: state `s = (D1, D2, D3)` goes to `2(s&3) + a` with feedback `a`;
/// the `a = 0` branch has metric `h(s)`, the `a = 1` branch `−h(s)`.
#[inline(always)]
fn beta_lanes(bn: &[f32; S], aa: f32, pp: f32) -> [f32; S] {
    let mut e = [0f32; S];
    let mut o = [0f32; S];
    for s in 0..S {
        let h = LANE.su_b[s] * aa + LANE.sz_b[s] * pp;
        e[s] = bn[2 * (s & 3)] + h;
        o[s] = bn[2 * (s & 3) + 1] - h;
    }
    let mut b = vmax(e, o);
    let n = b[0];
    for v in b.iter_mut() {
        *v -= n;
    }
    b
}

/// Lane-structured kernel: identical recursions to [`siso_scalar`], arranged by next state
/// `s'` (its predecessors are `s'>>1` with `D3 = 0` and `(s'>>1)+4` with `D3 = 1`, whose
/// branches have opposite `u` and `z`).
fn siso_lanes(
    sys: &[f32],
    par: &[f32],
    apri: &[f32],
    tail: &[(f32, f32); 3],
    beta: &mut [[f32; S]],
    ext: &mut [f32],
) {
    let k = sys.len();
    let mut b = [NEG; S];
    b[0] = 0.0;
    beta[k + 3] = b;
    for j in (0..3).rev() {
        let (xs, zp) = tail[j];
        b = beta_lanes(&b, 0.5 * xs, 0.5 * zp);
        beta[k + j] = b;
    }
    for i in (0..k).rev() {
        b = beta_lanes(&b, 0.5 * (sys[i] + apri[i]), 0.5 * par[i]);
        beta[i] = b;
    }
    let mut a = [NEG; S];
    a[0] = 0.0;
    for i in 0..k {
        let aa = 0.5 * (sys[i] + apri[i]);
        let pp = 0.5 * par[i];
        let bn = &beta[i + 1];
        let mut lo = [0f32; S];
        let mut hi = [0f32; S];
        let mut q = [0f32; S];
        let mut g = [0f32; S];
        for s in 0..S {
            lo[s] = a[s >> 1];
            hi[s] = a[(s >> 1) + 4];
            q[s] = LANE.sz_a[s] * pp;
            g[s] = LANE.su_a[s] * aa + q[s];
        }
        let mut t0 = [0f32; S];
        let mut t1 = [0f32; S];
        let mut x0 = [0f32; S];
        let mut x1 = [0f32; S];
        for s in 0..S {
            // Branch metrics without the systematic/a-priori part, plus β_{k+1}(s').
            let t_lo = lo[s] + q[s] + bn[s];
            let t_hi = hi[s] - q[s] + bn[s];
            t0[s] = if LANE.u0_is_zero[s] { t_lo } else { t_hi };
            t1[s] = if LANE.u0_is_zero[s] { t_hi } else { t_lo };
            x0[s] = lo[s] + g[s];
            x1[s] = hi[s] - g[s];
        }
        ext[i] = max8(&t0) - max8(&t1);
        let mut an = vmax(x0, x1);
        let n = an[0];
        for v in an.iter_mut() {
            *v -= n;
        }
        a = an;
    }
}

/// Scalar oracle kernel: per state and input bit, straight from the trellis tables.
fn siso_scalar(
    t: &Trellis,
    sys: &[f32],
    par: &[f32],
    apri: &[f32],
    tail: &[(f32, f32); 3],
    beta: &mut [[f32; S]],
    ext: &mut [f32],
) {
    let k = sys.len();
    // Backward recursion, tail first: β_{K+3} = δ(s = 0).
    let mut b = [NEG; S];
    b[0] = 0.0;
    beta[k + 3] = b;
    for j in (0..3).rev() {
        let (xs, zp) = tail[j];
        b = beta_step(t, &b, 0.5 * xs, 0.5 * zp);
        beta[k + j] = b;
    }
    for i in (0..k).rev() {
        b = beta_step(t, &b, 0.5 * (sys[i] + apri[i]), 0.5 * par[i]);
        beta[i] = b;
    }
    // Forward recursion with the extrinsic output.
    let mut a = [NEG; S];
    a[0] = 0.0;
    for i in 0..k {
        let aa = 0.5 * (sys[i] + apri[i]);
        let pp = 0.5 * par[i];
        let bn = &beta[i + 1];
        let mut m0 = [0f32; S];
        let mut m1 = [0f32; S];
        let mut an = [NEG; S];
        for s in 0..S {
            let n0 = t.next[0][s];
            let n1 = t.next[1][s];
            let p0 = t.sign[0][s] * pp;
            let p1 = t.sign[1][s] * pp;
            m0[s] = a[s] + p0 + bn[n0];
            m1[s] = a[s] + p1 + bn[n1];
            let c0 = a[s] + aa + p0;
            let c1 = a[s] - aa + p1;
            an[n0] = if c0 > an[n0] { c0 } else { an[n0] };
            an[n1] = if c1 > an[n1] { c1 } else { an[n1] };
        }
        ext[i] = max8(&m0) - max8(&m1);
        let norm = an[0];
        for v in an.iter_mut() {
            *v -= norm;
        }
        a = an;
    }
}

#[inline(always)]
fn beta_step(t: &Trellis, bn: &[f32; S], aa: f32, pp: f32) -> [f32; S] {
    let mut b = [0f32; S];
    for s in 0..S {
        let c0 = aa + t.sign[0][s] * pp + bn[t.next[0][s]];
        let c1 = -aa + t.sign[1][s] * pp + bn[t.next[1][s]];
        b[s] = if c0 > c1 { c0 } else { c1 };
    }
    let norm = b[0];
    for v in b.iter_mut() {
        *v -= norm;
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crc::crc_attach;
    use crate::turbo::TurboEncoder;

    fn bits(k: usize, seed: u64) -> Vec<u8> {
        let mut x = seed | 1;
        (0..k)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 33) as u8 & 1
            })
            .collect()
    }

    #[test]
    fn noiseless_round_trip_and_early_stop() {
        for k in [40usize, 104, 1008] {
            let mut c = bits(k, k as u64);
            crc_attach(CrcKind::Crc24B, &mut c, k - 24);
            let enc = TurboEncoder::new(k).unwrap();
            let mut coded = vec![0u8; 3 * (k + 4)];
            enc.encode(&c, &mut coded).unwrap();
            let llr: Vec<f32> = coded
                .iter()
                .map(|&b| 4.0 * (1.0 - 2.0 * f32::from(b)))
                .collect();
            let mut dec = TurboDecoder::new(k).unwrap();
            let mut out = vec![0u8; k];
            let opts = TurboDecodeOptions {
                max_iterations: 8,
                crc: Some(CrcKind::Crc24B),
                filler: 0,
            };
            let st = dec.decode(&llr, &opts, &mut out).unwrap();
            assert_eq!(out, c, "K {k}");
            assert_eq!(
                st,
                TurboDecodeStats {
                    iterations: 1,
                    crc_ok: Some(true)
                }
            );
        }
    }

    #[test]
    fn corrects_erased_and_flipped_systematic_bits() {
        let k = 512;
        let c = bits(k, 99);
        let enc = TurboEncoder::new(k).unwrap();
        let mut coded = vec![0u8; 3 * (k + 4)];
        enc.encode(&c, &mut coded).unwrap();
        let mut llr: Vec<f32> = coded
            .iter()
            .map(|&b| 2.0 * (1.0 - 2.0 * f32::from(b)))
            .collect();
        // Erase every 3rd systematic bit and flip every 17th.
        for i in (0..k).step_by(3) {
            llr[i] = 0.0;
        }
        for i in (1..k).step_by(17) {
            llr[i] = -llr[i];
        }
        let mut dec = TurboDecoder::new(k).unwrap();
        let mut out = vec![0u8; k];
        dec.decode(&llr, &TurboDecodeOptions::default(), &mut out)
            .unwrap();
        assert_eq!(out, c);
    }

    #[test]
    fn lane_kernel_matches_scalar_kernel() {
        let k = 1008;
        let c = bits(k, 5);
        let enc = TurboEncoder::new(k).unwrap();
        let mut coded = vec![0u8; 3 * (k + 4)];
        enc.encode(&c, &mut coded).unwrap();
        // Deterministic noise, strong enough to leave errors after one half-iteration.
        let mut x = 12345u64;
        let llr: Vec<f32> = coded
            .iter()
            .map(|&b| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let n = ((x >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 3.0;
                1.2 * (1.0 - 2.0 * f32::from(b)) + n
            })
            .collect();
        let trellis = Trellis::new();
        let mut beta = vec![[0f32; S]; k + 4];
        let mut e_s = vec![0f32; k];
        let mut e_l = vec![0f32; k];
        let d = k + 4;
        let apri: Vec<f32> = (0..k).map(|i| ((i % 7) as f32 - 3.0) * 0.3).collect();
        let tail = [
            (llr[k], llr[d + k]),
            (llr[2 * d + k], llr[k + 1]),
            (llr[d + k + 1], llr[2 * d + k + 1]),
        ];
        siso_scalar(
            &trellis,
            &llr[..k],
            &llr[d..d + k],
            &apri,
            &tail,
            &mut beta,
            &mut e_s,
        );
        siso_lanes(&llr[..k], &llr[d..d + k], &apri, &tail, &mut beta, &mut e_l);
        for i in 0..k {
            assert!(
                (e_s[i] - e_l[i]).abs() <= 1e-3 * (1.0 + e_s[i].abs()),
                "i {i}: {} vs {}",
                e_s[i],
                e_l[i]
            );
        }
        let mut o_s = vec![0u8; k];
        let mut o_l = vec![0u8; k];
        let opts = TurboDecodeOptions {
            max_iterations: 6,
            crc: None,
            filler: 0,
        };
        let st_s = TurboDecoder::with_kernel(k, TurboKernel::Scalar)
            .unwrap()
            .decode(&llr, &opts, &mut o_s)
            .unwrap();
        let st_l = TurboDecoder::with_kernel(k, TurboKernel::Lanes)
            .unwrap()
            .decode(&llr, &opts, &mut o_l)
            .unwrap();
        assert_eq!(o_s, o_l);
        assert_eq!(st_s, st_l);
        assert_eq!(o_l, c);
    }

    /// Encodes random bits (CRC-24B at the end) and adds deterministic noise of amplitude
    /// `noise` around ±`amp`; returns (bits, LLRs).
    fn noisy_block(k: usize, seed: u64, amp: f32, noise: f32) -> (Vec<u8>, Vec<f32>) {
        let mut c = bits(k, seed);
        crc_attach(CrcKind::Crc24B, &mut c, k - 24);
        let enc = TurboEncoder::new(k).unwrap();
        let mut coded = vec![0u8; 3 * (k + 4)];
        enc.encode(&c, &mut coded).unwrap();
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let llr = coded
            .iter()
            .map(|&b| {
                // Sum of four uniforms: roughly Gaussian, unit variance.
                let mut n = 0f32;
                for _ in 0..4 {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    n += (x >> 40) as f32 / (1u64 << 24) as f32 - 0.5;
                }
                amp * (1.0 - 2.0 * f32::from(b)) + noise * n * 3f32.sqrt()
            })
            .collect();
        (c, llr)
    }

    fn fixed_kernels() -> Vec<TurboKernel> {
        [TurboKernel::Fixed, TurboKernel::FixedAvx2]
            .into_iter()
            .filter(|k| k.available())
            .collect()
    }

    #[test]
    fn fixed_kernels_round_trip_noiseless_with_filler_and_early_stop() {
        for kernel in fixed_kernels() {
            for (k, filler) in [(40usize, 0usize), (528, 8), (1008, 0), (6144, 40)] {
                let mut c = bits(k, k as u64 + 1);
                c[..filler].fill(0);
                crc_attach(CrcKind::Crc24B, &mut c, k - 24);
                let enc = TurboEncoder::new(k).unwrap();
                let mut coded = vec![0u8; 3 * (k + 4)];
                enc.encode(&c, &mut coded).unwrap();
                let llr: Vec<f32> = coded
                    .iter()
                    .map(|&b| 3.0 * (1.0 - 2.0 * f32::from(b)))
                    .collect();
                let mut dec = TurboDecoder::with_kernel(k, kernel).unwrap();
                assert_eq!(dec.kernel(), kernel);
                let mut out = vec![0u8; k];
                let opts = TurboDecodeOptions {
                    max_iterations: 8,
                    crc: Some(CrcKind::Crc24B),
                    filler,
                };
                let st = dec.decode(&llr, &opts, &mut out).unwrap();
                assert_eq!(out, c, "{kernel:?} K {k}");
                assert_eq!(st.crc_ok, Some(true));
                assert!(st.iterations <= 2, "{kernel:?} K {k}: {st:?}");
            }
        }
    }

    #[test]
    fn fixed_kernels_correct_noisy_blocks_like_the_float_kernel() {
        // Noise strong enough that one half-iteration leaves errors.
        for kernel in fixed_kernels() {
            for (k, seed) in [(1008usize, 3u64), (2048, 4), (6144, 5)] {
                let (c, llr) = noisy_block(k, seed, 1.3, 1.4);
                let hard_in = llr[..k]
                    .iter()
                    .zip(&c)
                    .filter(|(l, b)| (**l < 0.0) != (**b == 1));
                assert!(hard_in.count() > k / 8, "channel too clean");
                let mut out = vec![0u8; k];
                let opts = TurboDecodeOptions {
                    max_iterations: 8,
                    crc: Some(CrcKind::Crc24B),
                    filler: 0,
                };
                let st = TurboDecoder::with_kernel(k, kernel)
                    .unwrap()
                    .decode(&llr, &opts, &mut out)
                    .unwrap();
                assert_eq!(out, c, "{kernel:?} K {k} {st:?}");
            }
        }
    }

    /// The oracle check of the SIMD path: identical fixed-point extrinsic LLRs after the
    /// last pass, identical hard decisions and statistics, on random noisy blocks (including
    /// ones that do not decode) of several sizes.
    #[test]
    fn avx2_kernel_is_bit_identical_to_portable_kernel() {
        if !TurboKernel::FixedAvx2.available() {
            eprintln!("skipped: no AVX2 on this CPU");
            return;
        }
        for (k, seed, noise) in [
            (40usize, 1u64, 1.0f32),
            (528, 2, 1.6),
            (1008, 3, 1.6),
            (4096, 4, 2.2),
            (6144, 5, 1.7),
            (6144, 6, 3.0),
        ] {
            let (_, mut llr) = noisy_block(k, seed, 1.3, noise);
            // Include values that clamp.
            llr[7] = 500.0;
            llr[k + 9] = -800.0;
            for iters in [1u32, 3, 8] {
                let opts = TurboDecodeOptions {
                    max_iterations: iters,
                    crc: None,
                    filler: 16.min(k / 4),
                };
                let mut outs = Vec::new();
                for kernel in [TurboKernel::Fixed, TurboKernel::FixedAvx2] {
                    let mut dec = TurboDecoder::with_kernel(k, kernel).unwrap();
                    let mut out = vec![0u8; k];
                    let st = dec.decode(&llr, &opts, &mut out).unwrap();
                    let ext = dec.fixed.as_ref().unwrap().last_llrs();
                    assert!(ext.0.iter().any(|&e| e != 0));
                    outs.push((out, st, ext));
                }
                assert_eq!(outs[0].0, outs[1].0, "K {k} {iters} it: hard decisions");
                assert_eq!(outs[0].1, outs[1].1);
                assert_eq!(outs[0].2, outs[1].2, "K {k} {iters} it: extrinsic LLRs");
            }
        }
    }

    #[test]
    fn fixed_kernels_reject_non_finite_llrs_anywhere() {
        for kernel in fixed_kernels() {
            let mut dec = TurboDecoder::with_kernel(1024, kernel).unwrap();
            let mut out = vec![0u8; 1024];
            let opts = TurboDecodeOptions {
                filler: 8,
                ..Default::default()
            };
            for (pos, v) in [
                (3usize, f32::NAN),
                (1030, f32::INFINITY),
                (3083, f32::NEG_INFINITY),
            ] {
                let mut llr = vec![1.0f32; 3 * 1028];
                llr[pos] = v;
                assert!(matches!(
                    dec.decode(&llr, &opts, &mut out),
                    Err(PhyError::NonFinite { .. })
                ));
            }
            let llr = vec![f32::MAX; 3 * 1028];
            assert!(dec.decode(&llr, &opts, &mut out).is_ok());
        }
    }

    #[test]
    fn planner_picks_fixed_kernel_for_large_blocks() {
        assert_eq!(TurboKernel::planned(40), TurboKernel::Lanes);
        let big = TurboKernel::planned(6144);
        assert!(matches!(big, TurboKernel::Fixed | TurboKernel::FixedAvx2));
        assert_eq!(TurboDecoder::new(6144).unwrap().kernel(), big);
        if !TurboKernel::FixedAvx2.available() {
            assert!(TurboDecoder::with_kernel(6144, TurboKernel::FixedAvx2).is_err());
        }
    }

    #[test]
    fn bad_inputs_are_errors() {
        let mut dec = TurboDecoder::new(40).unwrap();
        let mut out = vec![0u8; 40];
        assert!(
            dec.decode(&[0.0; 131], &TurboDecodeOptions::default(), &mut out)
                .is_err()
        );
        let mut llr = vec![0.0f32; 132];
        llr[5] = f32::NAN;
        assert!(matches!(
            dec.decode(&llr, &TurboDecodeOptions::default(), &mut out),
            Err(PhyError::NonFinite { .. })
        ));
        let opts = TurboDecodeOptions {
            max_iterations: 0,
            ..Default::default()
        };
        assert!(dec.decode(&[0.0; 132], &opts, &mut out).is_err());
        assert!(TurboDecoder::new(41).is_err());
    }
}
