//! 128-EEA3 and 128-EIA3 on the `zuc` crate (TS 33.401 §B.1.4, §B.2.4; ETSI/SAGE
//! "128-EEA3 & 128-EIA3 Document 1").
//!
//! The crate asserts `bitlen <= data.len() * 8`; callers reach these functions only after
//! `check_inputs` has verified exactly that, so the assertion cannot fire.

use crate::Key128;
use crate::bits::bytes_for;

pub(crate) fn eea3(
    key: &Key128,
    count: u32,
    bearer: u8,
    direction: u8,
    data: &mut [u8],
    bit_len: usize,
) {
    let n = bytes_for(bit_len);
    zuc::eea3::eea3_xor_inplace(count, bearer, direction, key, &mut data[..n], bit_len);
}

pub(crate) fn eia3(
    key: &Key128,
    count: u32,
    bearer: u8,
    direction: u8,
    data: &[u8],
    bit_len: usize,
) -> [u8; 4] {
    let n = bytes_for(bit_len);
    zuc::eia3::Eia3Mac::compute(count, bearer, direction, key, &data[..n], bit_len).to_be_bytes()
}
