//! cargo-fuzz target: MAC PDUs (DL and UL with every CE parser, RAR).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ntn_mac::mac::pdu::fuzz_decode_mac(data);
});
