//! cargo-fuzz target: plain 5GS NAS messages, both directions, with re-emit.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ntn_nas::fivegs::fuzz_parse(data);
});
