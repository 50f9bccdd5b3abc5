//! cargo-fuzz target: RRC SystemInformationBlockType31-NB-r17.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = ntn_rrc::decode_sib31(data);
});
