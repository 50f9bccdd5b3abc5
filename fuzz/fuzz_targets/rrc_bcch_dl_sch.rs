//! cargo-fuzz target: RRC BCCH-DL-SCH-Message-NB (SI messages).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = ntn_rrc::decode_bcch_dl_sch(data);
});
