//! AVX2 instantiation of the fixed-point turbo kernel ([`super::fixed::siso_kernel`]):
//! 16 × i16 lanes in one `__m256i`. The only way in is [`siso`], which checks for AVX2 at run
//! time (a cached flag) and otherwise runs the portable instantiation, so no AVX2 instruction
//! can execute on a CPU without it.

use std::arch::x86_64::{
    __m256i, _mm256_adds_epi16, _mm256_loadu_si256, _mm256_max_epi16, _mm256_min_epi16,
    _mm256_set1_epi16, _mm256_srai_epi16, _mm256_storeu_si256, _mm256_subs_epi16,
};

use super::fixed::{Lanes, Portable, SisoIo, W, gather_portable, siso_kernel};

/// 16 lanes in an AVX2 register. Values of this type are only created inside
/// [`siso_avx2`], which only runs after AVX2 was detected.
#[derive(Clone, Copy)]
struct Avx2(__m256i);

impl Lanes for Avx2 {
    #[inline(always)]
    fn splat(v: i16) -> Self {
        // SAFETY: only reached from `siso_avx2`, entered after AVX2 detection.
        Avx2(unsafe { _mm256_set1_epi16(v) })
    }
    #[inline(always)]
    fn load(a: &[i16; W]) -> Self {
        // SAFETY: `a` is 16 × i16 = 32 readable bytes; unaligned load; AVX2 detected (above).
        Avx2(unsafe { _mm256_loadu_si256(a.as_ptr().cast::<__m256i>()) })
    }
    #[inline(always)]
    fn store(self, a: &mut [i16; W]) {
        // SAFETY: `a` is 32 writable bytes; unaligned store; AVX2 detected (above).
        unsafe { _mm256_storeu_si256(a.as_mut_ptr().cast::<__m256i>(), self.0) }
    }
    #[inline(always)]
    fn adds(self, o: Self) -> Self {
        // SAFETY: register-only op; AVX2 detected (above).
        Avx2(unsafe { _mm256_adds_epi16(self.0, o.0) })
    }
    #[inline(always)]
    fn subs(self, o: Self) -> Self {
        // SAFETY: register-only op; AVX2 detected (above).
        Avx2(unsafe { _mm256_subs_epi16(self.0, o.0) })
    }
    #[inline(always)]
    fn max(self, o: Self) -> Self {
        // SAFETY: register-only op; AVX2 detected (above).
        Avx2(unsafe { _mm256_max_epi16(self.0, o.0) })
    }
    #[inline(always)]
    fn min(self, o: Self) -> Self {
        // SAFETY: register-only op; AVX2 detected (above).
        Avx2(unsafe { _mm256_min_epi16(self.0, o.0) })
    }
    #[inline(always)]
    fn sra2(self) -> Self {
        // SAFETY: register-only op; AVX2 detected (above).
        Avx2(unsafe { _mm256_srai_epi16::<2>(self.0) })
    }
}

#[target_feature(enable = "avx2")]
fn siso_avx2(io: SisoIo<'_>) {
    siso_kernel::<Avx2>(io);
}

/// Runs the kernel with AVX2 if the CPU has it, else the portable lanes (same results).
pub(crate) fn siso(io: SisoIo<'_>) {
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: AVX2 is present (checked just above), the only requirement of `siso_avx2`.
        unsafe { siso_avx2(io) }
    } else {
        siso_kernel::<Portable>(io);
    }
}

/// The portable gather compiled for AVX2 (the compiler may use vector gathers).
#[target_feature(enable = "avx2")]
fn gather_avx2(dst: &mut [i16], src: &[i16], idx: &[u16]) {
    gather_portable(dst, src, idx);
}

/// `dst[j] = src[idx[j]]`, with AVX2 code generation if the CPU has it.
pub(crate) fn gather(dst: &mut [i16], src: &[i16], idx: &[u16]) {
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: AVX2 is present (checked just above), the only requirement of `gather_avx2`.
        unsafe { gather_avx2(dst, src, idx) }
    } else {
        gather_portable(dst, src, idx);
    }
}
