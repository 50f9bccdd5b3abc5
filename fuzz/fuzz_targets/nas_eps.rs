//! cargo-fuzz target: plain EPS NAS messages, both directions, with re-emit.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ntn_nas::eps::fuzz_parse(data);
});
