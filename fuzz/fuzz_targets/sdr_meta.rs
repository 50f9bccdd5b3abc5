//! cargo-fuzz target: SigMF metadata text.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ntn_sdr::sigmf::fuzz_parse_meta(data);
});
