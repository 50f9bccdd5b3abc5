//! cargo-fuzz target: RLC AMD/UMD PDUs (both LI and SN lengths) and STATUS PDUs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ntn_mac::rlc::pdu::fuzz_decode_rlc(data);
});
