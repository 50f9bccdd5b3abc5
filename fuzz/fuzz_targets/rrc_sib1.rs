//! cargo-fuzz target: RRC SystemInformationBlockType1-NB.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = ntn_rrc::decode_sib1(data);
});
