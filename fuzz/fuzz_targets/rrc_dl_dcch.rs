//! cargo-fuzz target: RRC DL-DCCH-Message-NB.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = ntn_rrc::decode_dl_dcch(data);
});
