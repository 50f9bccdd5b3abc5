//! cargo-fuzz target: RRC BCCH-BCH-Message-NB (MIB-NB).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = ntn_rrc::decode_bcch_bch(data);
});
