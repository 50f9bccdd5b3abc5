//! cargo-fuzz target: PDCP data PDUs (5/7/12-bit SN) and status reports.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ntn_mac::pdcp::pdu::fuzz_decode_pdcp(data);
});
