//! 128-EEA2 (AES-CTR, TS 33.401 §B.1.3) and 128-EIA2 (AES-CMAC, TS 33.401 §B.2.3).

use aes::Aes128;
use aes::cipher::{BlockCipherEncrypt, KeyInit, KeyIvInit, StreamCipher};

use crate::Key128;
use crate::bits::bytes_for;

type Aes128Ctr = ctr::Ctr128BE<Aes128>;

/// 128-EEA2: the initial counter block is COUNT || BEARER || DIRECTION || 0^26 || 0^64 and the
/// keystream is AES-128 in counter mode (TS 33.401 §B.1.3, NIST SP 800-38A).
pub(crate) fn eea2(
    key: &Key128,
    count: u32,
    bearer: u8,
    direction: u8,
    data: &mut [u8],
    bit_len: usize,
) {
    let iv = counter_block(count, bearer, direction);
    let mut c = Aes128Ctr::new(key.into(), (&iv).into());
    c.apply_keystream(&mut data[..bytes_for(bit_len)]);
}

/// COUNT || BEARER || DIRECTION || 0^26, followed by zeros to 128 bits.
fn counter_block(count: u32, bearer: u8, direction: u8) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[..4].copy_from_slice(&count.to_be_bytes());
    b[4] = (bearer << 3) | (direction << 2);
    b
}

/// Doubling in GF(2^128) for the CMAC subkeys (NIST SP 800-38B §6.1).
fn dbl(b: [u8; 16]) -> [u8; 16] {
    let v = u128::from_be_bytes(b);
    let r = (v << 1) ^ if v >> 127 != 0 { 0x87 } else { 0 };
    r.to_be_bytes()
}

/// 128-EIA2: AES-CMAC (NIST SP 800-38B) over M = COUNT || BEARER || DIRECTION || 0^26 ||
/// MESSAGE, of BLENGTH = LENGTH + 64 bits; the MAC is the first 32 bits (TS 33.401 §B.2.3).
///
/// Whole-byte messages (every NAS and PDCP message) go through RustCrypto `cmac`; other
/// lengths through [`eia2_bits`].
pub(crate) fn eia2(
    key: &Key128,
    count: u32,
    bearer: u8,
    direction: u8,
    data: &[u8],
    bit_len: usize,
) -> [u8; 4] {
    if !bit_len.is_multiple_of(8) {
        return eia2_bits(key, count, bearer, direction, data, bit_len);
    }
    use cmac::{Cmac, Mac};
    let mut m = <Cmac<Aes128> as KeyInit>::new(key.into());
    // Feed the 8-byte header together with the first message bytes as one block, so the
    // rest of the message reaches `cmac` block-aligned (measurably faster in its buffer).
    let msg = &data[..bit_len / 8];
    let head_len = msg.len().min(8);
    let mut first = [0u8; 16];
    first[..4].copy_from_slice(&count.to_be_bytes());
    first[4] = (bearer << 3) | (direction << 2);
    first[8..8 + head_len].copy_from_slice(&msg[..head_len]);
    m.update(&first[..8 + head_len]);
    m.update(&msg[head_len..]);
    let tag = m.finalize().into_bytes();
    [tag[0], tag[1], tag[2], tag[3]]
}

/// 128-EIA2 at bit granularity: CMAC whose final partial block is padded with a single one
/// bit and zeros and masked with K2, as SP 800-38B specifies for bit strings.
pub(crate) fn eia2_bits(
    key: &Key128,
    count: u32,
    bearer: u8,
    direction: u8,
    data: &[u8],
    bit_len: usize,
) -> [u8; 4] {
    let aes = Aes128::new(key.into());
    let mut l = [0u8; 16];
    aes.encrypt_block((&mut l).into());
    let k1 = dbl(l);
    let k2 = dbl(k1);

    // The 64-bit header fills the first half of block 1; the message then runs on, so every
    // CMAC block i >= 1 is message bits [64 + 128(i-1) .. ) shifted by 8 bytes.
    let mut header = [0u8; 8];
    header[..4].copy_from_slice(&count.to_be_bytes());
    header[4] = (bearer << 3) | (direction << 2);
    let msg = &data[..bytes_for(bit_len)];
    let total_bits = bit_len + 64;
    let n_blocks = total_bits.div_ceil(128).max(1);
    let last_complete = total_bits.is_multiple_of(128) && total_bits > 0;

    let mut x = [0u8; 16];
    let block_at = |i: usize| -> [u8; 16] {
        // bytes [16 i, 16 i + 16) of header || msg, zero-filled past the end.
        if i > 0
            && let Some(Ok(b)) = msg.get(16 * i - 8..16 * i + 8).map(<[u8; 16]>::try_from)
        {
            return b;
        }
        let mut b = [0u8; 16];
        for (j, out) in b.iter_mut().enumerate() {
            let pos = 16 * i + j;
            *out = if pos < 8 {
                header[pos]
            } else {
                msg.get(pos - 8).copied().unwrap_or(0)
            };
        }
        b
    };
    for i in 0..n_blocks - 1 {
        let b = block_at(i);
        for (xv, bv) in x.iter_mut().zip(b) {
            *xv ^= bv;
        }
        aes.encrypt_block((&mut x).into());
    }
    let mut last = block_at(n_blocks - 1);
    if last_complete {
        for (lv, kv) in last.iter_mut().zip(k1) {
            *lv ^= kv;
        }
    } else {
        // Keep the message bits of the final block, then append the 1 bit (10* padding).
        let used_bits = total_bits - 128 * (n_blocks - 1);
        let mut v = u128::from_be_bytes(last);
        let mask = if used_bits == 0 {
            0
        } else {
            u128::MAX << (128 - used_bits)
        };
        v = (v & mask) | (1u128 << (127 - used_bits));
        last = v.to_be_bytes();
        for (lv, kv) in last.iter_mut().zip(k2) {
            *lv ^= kv;
        }
    }
    for (xv, lv) in x.iter_mut().zip(last) {
        *xv ^= lv;
    }
    aes.encrypt_block((&mut x).into());
    [x[0], x[1], x[2], x[3]]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bit-granular CMAC and the RustCrypto path agree on whole-byte messages of every
    /// length around the block boundaries.
    #[test]
    fn bit_path_matches_byte_path() {
        let key = [0x42u8; 16];
        let msg: Vec<u8> = (0..100u8)
            .map(|i| i.wrapping_mul(37).wrapping_add(11))
            .collect();
        for len in 0..msg.len() {
            let a = eia2(&key, 0xdead_beef, 0x1b, 1, &msg[..len], len * 8);
            let b = eia2_bits(&key, 0xdead_beef, 0x1b, 1, &msg[..len], len * 8);
            assert_eq!(a, b, "len {len}");
        }
    }
}
