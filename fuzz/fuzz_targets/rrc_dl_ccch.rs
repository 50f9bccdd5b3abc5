//! cargo-fuzz target: RRC DL-CCCH-Message-NB.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = ntn_rrc::decode_dl_ccch(data);
});
