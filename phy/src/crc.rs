//! Cyclic redundancy checks of 36.212 §5.1.1.
//!
//! Bits are one per `u8` (0/1), `a_0` first. The parity bits `p_0…p_{L−1}` are the
//! coefficients of the remainder of `a(D)·D^L` divided by `g(D)`, `p_0` the highest power
//! (register starts at zero, no reflection, no final XOR).

/// The generator polynomials of 36.212 §5.1.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrcKind {
    /// `g_CRC24A(D)`, transport blocks.
    Crc24A,
    /// `g_CRC24B(D)`, code blocks.
    Crc24B,
    /// `g_CRC16(D) = D^16 + D^12 + D^5 + 1` (BCH, DCI, MIB-NB).
    Crc16,
    /// `g_CRC8(D)`.
    Crc8,
}

impl CrcKind {
    /// Number of parity bits `L`.
    pub const fn len(self) -> usize {
        match self {
            CrcKind::Crc24A | CrcKind::Crc24B => 24,
            CrcKind::Crc16 => 16,
            CrcKind::Crc8 => 8,
        }
    }

    /// Always false (the parity length is never zero); present for API symmetry with `len`.
    pub const fn is_empty(self) -> bool {
        false
    }

    /// The polynomial without its `D^L` term.
    pub const fn poly(self) -> u32 {
        match self {
            CrcKind::Crc24A => 0x86_4CFB,
            CrcKind::Crc24B => 0x80_0063,
            CrcKind::Crc16 => 0x1021,
            CrcKind::Crc8 => 0x9B,
        }
    }
}

/// Computes the parity of `bits` as an `L`-bit integer whose MSB is `p_0`.
pub fn crc_remainder(kind: CrcKind, bits: &[u8]) -> u32 {
    let l = kind.len();
    let mask = if l == 32 { u32::MAX } else { (1u32 << l) - 1 };
    let poly = kind.poly();
    let mut reg = 0u32;
    for &b in bits {
        let top = ((reg >> (l - 1)) & 1) ^ (u32::from(b) & 1);
        reg = (reg << 1) & mask;
        if top == 1 {
            reg ^= poly;
        }
    }
    reg
}

/// Computes the parity over whole bytes (MSB of each byte first).
pub fn crc_remainder_bytes(kind: CrcKind, bytes: &[u8]) -> u32 {
    let l = kind.len();
    let mask = (1u32 << l) - 1;
    let poly = kind.poly();
    let mut reg = 0u32;
    for &byte in bytes {
        for i in (0..8).rev() {
            let top = ((reg >> (l - 1)) & 1) ^ u32::from((byte >> i) & 1);
            reg = (reg << 1) & mask;
            if top == 1 {
                reg ^= poly;
            }
        }
    }
    reg
}

/// Writes the `L` parity bits `p_0…p_{L−1}` of `bits[..payload_len]` into
/// `bits[payload_len..payload_len + L]` (36.212 §5.1.1 attachment `b_k`).
///
/// # Panics
/// If `bits.len() != payload_len + L` (a caller bug).
pub fn crc_attach(kind: CrcKind, bits: &mut [u8], payload_len: usize) {
    let l = kind.len();
    assert_eq!(
        bits.len(),
        payload_len + l,
        "crc_attach: buffer must be payload + L bits"
    );
    let r = crc_remainder(kind, &bits[..payload_len]);
    write_bits_msb_first(r, &mut bits[payload_len..]);
}

/// Writes the low `out.len()` bits of `value`, most significant first.
pub fn write_bits_msb_first(value: u32, out: &mut [u8]) {
    let n = out.len();
    for (i, b) in out.iter_mut().enumerate() {
        *b = ((value >> (n - 1 - i)) & 1) as u8;
    }
}

/// Reads `bits` (most significant first) as an integer.
pub fn read_bits_msb_first(bits: &[u8]) -> u32 {
    bits.iter()
        .fold(0u32, |acc, &b| (acc << 1) | u32::from(b & 1))
}

/// True if `bits` (payload followed by its `L` parity bits, optionally XOR-masked with `mask`)
/// carries a valid CRC: the remainder of the payload XOR the mask equals the received parity.
pub fn crc_check_masked(kind: CrcKind, bits: &[u8], mask: u32) -> bool {
    let l = kind.len();
    if bits.len() < l {
        return false;
    }
    let (payload, parity) = bits.split_at(bits.len() - l);
    crc_remainder(kind, payload) ^ mask == read_bits_msb_first(parity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_values_of_123456789() {
        let msg = b"123456789";
        assert_eq!(crc_remainder_bytes(CrcKind::Crc24A, msg), 0xCD_E703);
        assert_eq!(crc_remainder_bytes(CrcKind::Crc24B, msg), 0x23_EF52);
        assert_eq!(crc_remainder_bytes(CrcKind::Crc16, msg), 0x31C3);
        assert_eq!(crc_remainder_bytes(CrcKind::Crc8, msg), 0xEA);
    }

    #[test]
    fn bit_and_byte_forms_agree_and_attached_crc_leaves_zero_remainder() {
        let msg = b"ntn phy crc";
        let bits: Vec<u8> = msg
            .iter()
            .flat_map(|&b| (0..8).rev().map(move |i| (b >> i) & 1))
            .collect();
        for kind in [
            CrcKind::Crc24A,
            CrcKind::Crc24B,
            CrcKind::Crc16,
            CrcKind::Crc8,
        ] {
            assert_eq!(crc_remainder(kind, &bits), crc_remainder_bytes(kind, msg));
            let mut buf = bits.clone();
            buf.resize(bits.len() + kind.len(), 0);
            crc_attach(kind, &mut buf, bits.len());
            assert_eq!(crc_remainder(kind, &buf), 0, "{kind:?}");
            assert!(crc_check_masked(kind, &buf, 0));
            buf[3] ^= 1;
            assert!(!crc_check_masked(kind, &buf, 0));
        }
    }

    #[test]
    fn masked_check() {
        let mut buf = vec![1u8, 0, 1, 1, 0, 0, 1, 0, 1, 1];
        let n = buf.len();
        buf.resize(n + 16, 0);
        crc_attach(CrcKind::Crc16, &mut buf, n);
        for b in &mut buf[n..] {
            *b ^= 1;
        }
        assert!(crc_check_masked(CrcKind::Crc16, &buf, 0xFFFF));
        assert!(!crc_check_masked(CrcKind::Crc16, &buf, 0));
    }
}
