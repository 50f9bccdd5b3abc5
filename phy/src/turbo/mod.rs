//! LTE turbo code, TS 36.212 §5.1.2–§5.1.4.1: code block segmentation with CRC-24B
//! ([`segmentation`]), the QPP interleaver of Table 5.1.3-3 ([`qpp`]), the rate-1/3 turbo
//! encoder with trellis termination ([`encoder`]), sub-block interleaving and circular-buffer
//! rate matching with redundancy versions ([`ratematch`]), and an iterative max-log-MAP
//! decoder with CRC early stopping ([`decoder`]).
//!
//! Used by NB-IoT NPUSCH format 1 (36.212 §6.3.2: CRC-24A → turbo → rate matching).
//! Everything is planned once per block size; the hot paths use caller-owned buffers.

pub mod decoder;
pub mod encoder;
mod fixed;
pub mod qpp;
pub mod ratematch;
pub mod segmentation;
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)] // the AVX2 kernel: run-time detected, one `// SAFETY:` per block
mod simd_avx2;

pub use decoder::{FIXED_MIN_K, TurboDecodeOptions, TurboDecodeStats, TurboDecoder, TurboKernel};
pub use encoder::TurboEncoder;
pub use ratematch::{TurboRateMatcher, code_block_e};
pub use segmentation::Segmentation;
