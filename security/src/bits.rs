//! Bit-length helpers shared by the algorithms.

use crate::SecurityError;

/// Number of bytes that hold `bit_len` bits.
pub(crate) fn bytes_for(bit_len: usize) -> usize {
    bit_len.div_ceil(8)
}

/// Checks the common EEA/EIA inputs: the buffer holds `bit_len` bits, BEARER fits in 5 bits
/// and LENGTH fits in 32 bits (TS 33.401 §B.1.1, §B.2.1).
pub(crate) fn check_inputs(
    available_bytes: usize,
    bit_len: usize,
    bearer: u8,
) -> Result<(), SecurityError> {
    if bearer > 0x1f {
        return Err(SecurityError::BearerOutOfRange(bearer));
    }
    if u32::try_from(bit_len).is_err() {
        return Err(SecurityError::MessageTooLong(bit_len));
    }
    let available = available_bytes.saturating_mul(8);
    if bit_len > available {
        return Err(SecurityError::BitLengthTooLong { bit_len, available });
    }
    Ok(())
}

/// Zeroes the bits after `bit_len` in the byte that holds the last message bit.
/// Bytes beyond `ceil(bit_len / 8)` are left as they are.
pub(crate) fn zero_tail(data: &mut [u8], bit_len: usize) {
    let rem = bit_len % 8;
    if rem != 0
        && let Some(last) = data.get_mut(bit_len / 8)
    {
        *last &= 0xffu8 << (8 - rem);
    }
}
