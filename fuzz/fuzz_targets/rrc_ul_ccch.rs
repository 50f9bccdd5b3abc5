//! cargo-fuzz target: RRC UL-CCCH-Message-NB.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = ntn_rrc::decode_ul_ccch(data);
});
