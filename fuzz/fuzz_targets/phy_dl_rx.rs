//! cargo-fuzz target: NB-IoT DL receive chain on bytes read as cf32: cell search and MIB-NB decode.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ntn_phy::nbiot::search::fuzz_receive(data);
});
