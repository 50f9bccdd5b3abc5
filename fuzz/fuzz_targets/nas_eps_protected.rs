//! cargo-fuzz target: security-protected EPS NAS through `unprotect_parse` (byte 0 picks algorithms and role).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ntn_nas::eps::security::fuzz_unprotect_parse(ntn_nas::eps::security::NasSystem::Eps, data);
});
