//! cargo-fuzz target: SigMF data bytes to samples (cf32_le, ci16_le).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ntn_sdr::sigmf::fuzz_decode_samples(data);
});
