//! cargo-fuzz target: RRC PCCH-Message-NB.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = ntn_rrc::decode_pcch(data);
});
