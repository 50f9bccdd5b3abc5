//! cargo-fuzz target: RRC UL-DCCH-Message-NB.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = ntn_rrc::decode_ul_dcch(data);
});
