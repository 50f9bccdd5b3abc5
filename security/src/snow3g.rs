//! SNOW 3G and the 3GPP modes built on it: 128-EEA1 (UEA2 / f8) and 128-EIA1 (UIA2 / f9).
//!
//! Written from ETSI/SAGE "Specification of the 3GPP Confidentiality and Integrity Algorithms
//! UEA2 & UIA2, Document 2: SNOW 3G Specification" (v1.1) and Document 1 (UEA2/UIA2), with the
//! EPS mapping of TS 33.401 §B.1.2 and §B.2.2. Section numbers below refer to Document 2 unless
//! marked otherwise.

use crate::Key128;

// ---- GF(2^8) helpers (Doc 2 §3.1) -------------------------------------------------------

/// MULx(V, c) (§3.1.1): V·x reduced by c when the top bit of V is set.
const fn mul_x(v: u8, c: u8) -> u8 {
    if v & 0x80 != 0 { (v << 1) ^ c } else { v << 1 }
}

/// MULxPOW(V, i, c) (§3.1.2): MULx applied i times.
const fn mul_x_pow(v: u8, i: u32, c: u8) -> u8 {
    let mut r = v;
    let mut k = 0;
    while k < i {
        r = mul_x(r, c);
        k += 1;
    }
    r
}

/// Multiplication in GF(2^8) with the reduction polynomial `poly` (low 8 bits, x^8 implied).
const fn gf_mul(a: u8, b: u8, poly: u8) -> u8 {
    let mut acc = 0u8;
    let mut x = a;
    let mut y = b;
    while y != 0 {
        if y & 1 != 0 {
            acc ^= x;
        }
        x = mul_x(x, poly);
        y >>= 1;
    }
    acc
}

/// SR, the Rijndael S-box (§3.3.1), built from its definition: the inverse in GF(2^8) modulo
/// x^8+x^4+x^3+x+1 followed by the affine map with constant 0x63.
const fn build_sr() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut x = 0usize;
    while x < 256 {
        // inverse: x^254
        let mut inv = 1u8;
        let mut k = 0;
        while k < 254 {
            inv = gf_mul(inv, x as u8, 0x1b);
            k += 1;
        }
        if x == 0 {
            inv = 0;
        }
        let b = inv;
        let s =
            b ^ b.rotate_left(1) ^ b.rotate_left(2) ^ b.rotate_left(3) ^ b.rotate_left(4) ^ 0x63;
        t[x] = s;
        x += 1;
    }
    t
}

/// SQ (§3.3.2): SQ(x) = g49(x) ⊕ 0x25 with the Dickson polynomial
/// g49(x) = x + x^9 + x^13 + x^15 + x^33 + x^41 + x^45 + x^47 + x^49 over GF(2^8) defined by
/// x^8 + x^6 + x^5 + x^3 + 1.
const fn build_sq() -> [u8; 256] {
    const EXPS: [u32; 9] = [1, 9, 13, 15, 33, 41, 45, 47, 49];
    let mut t = [0u8; 256];
    let mut x = 0usize;
    while x < 256 {
        let mut acc = 0u8;
        let mut e = 0;
        while e < EXPS.len() {
            let mut p = 1u8;
            let mut k = 0;
            while k < EXPS[e] {
                p = gf_mul(p, x as u8, 0x69);
                k += 1;
            }
            acc ^= p;
            e += 1;
        }
        t[x] = acc ^ 0x25;
        x += 1;
    }
    t
}

const SR: [u8; 256] = build_sr();
const SQ: [u8; 256] = build_sq();

/// Builds the 32-bit table T[c] = MULxPOW(c,a)||MULxPOW(c,b)||MULxPOW(c,d)||MULxPOW(c,e)
/// (all with constant 0xA9) used by MULα and DIVα (§3.4.2, §3.4.3).
const fn build_alpha(pows: [u32; 4]) -> [u32; 256] {
    let mut t = [0u32; 256];
    let mut c = 0usize;
    while c < 256 {
        let b0 = mul_x_pow(c as u8, pows[0], 0xa9) as u32;
        let b1 = mul_x_pow(c as u8, pows[1], 0xa9) as u32;
        let b2 = mul_x_pow(c as u8, pows[2], 0xa9) as u32;
        let b3 = mul_x_pow(c as u8, pows[3], 0xa9) as u32;
        t[c] = (b0 << 24) | (b1 << 16) | (b2 << 8) | b3;
        c += 1;
    }
    t
}

/// MULα (§3.4.2).
const MUL_ALPHA: [u32; 256] = build_alpha([23, 245, 48, 239]);
/// DIVα (§3.4.3).
const DIV_ALPHA: [u32; 256] = build_alpha([16, 39, 6, 64]);

/// Builds the 32-bit S-box S1 (box = SR, c = 0x1B) or S2 (box = SQ, c = 0x69) as four
/// byte-indexed tables whose XOR gives the word (§3.3.1, §3.3.2):
/// r0 = MULx(S(w0)) ⊕ S(w1) ⊕ S(w2) ⊕ MULx(S(w3)) ⊕ S(w3), and the rotations for r1..r3.
const fn build_s(sbox: &[u8; 256], c: u8) -> [[u32; 256]; 4] {
    let mut t = [[0u32; 256]; 4];
    let mut x = 0usize;
    while x < 256 {
        let s = sbox[x];
        let m = mul_x(s, c);
        let ms = m ^ s;
        // Contribution of input byte position j to (r0, r1, r2, r3):
        // w0: (m, ms, s, s); w1: (s, m, ms, s); w2: (s, s, m, ms); w3: (ms, s, s, m)
        t[0][x] = ((m as u32) << 24) | ((ms as u32) << 16) | ((s as u32) << 8) | (s as u32);
        t[1][x] = ((s as u32) << 24) | ((m as u32) << 16) | ((ms as u32) << 8) | (s as u32);
        t[2][x] = ((s as u32) << 24) | ((s as u32) << 16) | ((m as u32) << 8) | (ms as u32);
        t[3][x] = ((ms as u32) << 24) | ((s as u32) << 16) | ((s as u32) << 8) | (m as u32);
        x += 1;
    }
    t
}

const S1_T: [[u32; 256]; 4] = build_s(&SR, 0x1b);
const S2_T: [[u32; 256]; 4] = build_s(&SQ, 0x69);

fn s_box(t: &[[u32; 256]; 4], w: u32) -> u32 {
    let [w0, w1, w2, w3] = w.to_be_bytes();
    t[0][w0 as usize] ^ t[1][w1 as usize] ^ t[2][w2 as usize] ^ t[3][w3 as usize]
}

/// The SNOW 3G keystream generator (Doc 2 §4).
#[derive(Clone, Debug)]
pub struct Snow3g {
    s: [u32; 16],
    r1: u32,
    r2: u32,
    r3: u32,
}

impl Snow3g {
    /// Initialises the generator with key words `k = [k0, k1, k2, k3]` and IV words
    /// `iv = [IV0, IV1, IV2, IV3]` (§4.1), including the 32 initialisation clocks and the
    /// first discarded clock of §4.2.
    pub fn new(k: [u32; 4], iv: [u32; 4]) -> Self {
        let ones = u32::MAX;
        let s = [
            k[0] ^ ones,
            k[1] ^ ones,
            k[2] ^ ones,
            k[3] ^ ones,
            k[0],
            k[1],
            k[2],
            k[3],
            k[0] ^ ones,
            k[1] ^ ones ^ iv[3],
            k[2] ^ ones ^ iv[2],
            k[3] ^ ones,
            k[0] ^ iv[1],
            k[1],
            k[2],
            k[3] ^ iv[0],
        ];
        let mut g = Self {
            s,
            r1: 0,
            r2: 0,
            r3: 0,
        };
        for _ in 0..32 {
            let f = g.clock_fsm();
            g.clock_lfsr(f);
        }
        // §4.2: one more FSM clock whose output is discarded, then the LFSR in keystream mode.
        let _ = g.clock_fsm();
        g.clock_lfsr(0);
        g
    }

    /// Clocks the FSM (§3.4.6) and returns F.
    fn clock_fsm(&mut self) -> u32 {
        let f = self.s[15].wrapping_add(self.r1) ^ self.r2;
        let r = self.r2.wrapping_add(self.r3 ^ self.s[5]);
        self.r3 = s_box(&S2_T, self.r2);
        self.r2 = s_box(&S1_T, self.r1);
        self.r1 = r;
        f
    }

    /// Clocks the LFSR (§3.4.4 with F, §3.4.5 with F = 0).
    fn clock_lfsr(&mut self, f: u32) {
        let s0 = self.s[0];
        let s11 = self.s[11];
        let v = (s0 << 8)
            ^ MUL_ALPHA[(s0 >> 24) as usize]
            ^ self.s[2]
            ^ (s11 >> 8)
            ^ DIV_ALPHA[(s11 & 0xff) as usize]
            ^ f;
        self.s.copy_within(1..16, 0);
        self.s[15] = v;
    }

    /// Next 32-bit keystream word z_t (§4.2).
    pub fn next_word(&mut self) -> u32 {
        let f = self.clock_fsm();
        let z = f ^ self.s[0];
        self.clock_lfsr(0);
        z
    }
}

/// 128-EEA1 (TS 33.401 §B.1.2 → UEA2 f8, Doc 1 §3): XORs the keystream over `data`; the
/// caller has checked the lengths and zeroes the tail.
pub(crate) fn eea1(
    key: &Key128,
    count: u32,
    bearer: u8,
    direction: u8,
    data: &mut [u8],
    bit_len: usize,
) {
    // Doc 1 §3.4: IV3 = COUNT, IV2 = BEARER || DIRECTION || 0^26, IV1 = IV3, IV0 = IV2.
    let iv2 = (u32::from(bearer) << 27) | (u32::from(direction) << 26);
    let mut g = Snow3g::new(
        [
            u32::from_be_bytes([key[12], key[13], key[14], key[15]]),
            u32::from_be_bytes([key[8], key[9], key[10], key[11]]),
            u32::from_be_bytes([key[4], key[5], key[6], key[7]]),
            u32::from_be_bytes([key[0], key[1], key[2], key[3]]),
        ],
        [iv2, count, iv2, count],
    );
    let n = crate::bits::bytes_for(bit_len);
    for chunk in data[..n].chunks_mut(4) {
        let z = g.next_word().to_be_bytes();
        for (d, k) in chunk.iter_mut().zip(z) {
            *d ^= k;
        }
    }
}

/// MUL64x(V, c) (Doc 1 §4.3.2).
fn mul64x(v: u64, c: u64) -> u64 {
    if v >> 63 != 0 { (v << 1) ^ c } else { v << 1 }
}

/// MUL64(V, P, c) (Doc 1 §4.3.4): product in GF(2^64) by shift-and-add over the bits of P.
fn mul64(v: u64, p: u64, c: u64) -> u64 {
    let mut acc = 0u64;
    let mut x = v;
    let mut y = p;
    while y != 0 {
        if y & 1 != 0 {
            acc ^= x;
        }
        x = mul64x(x, c);
        y >>= 1;
    }
    acc
}

/// T_k[b] = MUL64(b · 2^(8k), P) for k = 0..8, b = 0..256.
fn mul64_table(p: u64, c: u64) -> Box<[[u64; 256]; 8]> {
    let mut basis = [0u64; 64]; // basis[j] = P · x^j
    let mut x = p;
    for b in basis.iter_mut() {
        *b = x;
        x = mul64x(x, c);
    }
    let mut t = Box::new([[0u64; 256]; 8]);
    for (k, row) in t.iter_mut().enumerate() {
        for b in 1..256usize {
            row[b] = row[b & (b - 1)] ^ basis[8 * k + b.trailing_zeros() as usize];
        }
    }
    t
}

/// 128-EIA1 (TS 33.401 §B.2.2 → UIA2 f9, Doc 1 §4) with COUNT-I = COUNT and
/// FRESH = BEARER || 0^27.
pub(crate) fn eia1(
    key: &Key128,
    count: u32,
    bearer: u8,
    direction: u8,
    data: &[u8],
    bit_len: usize,
) -> [u8; 4] {
    let fresh = u32::from(bearer) << 27;
    let dir = u32::from(direction);
    // Doc 1 §4.4: IV3 = COUNT-I, IV2 = FRESH, IV1 = COUNT-I ⊕ (DIRECTION << 31),
    // IV0 = FRESH ⊕ (DIRECTION << 15).
    let mut g = Snow3g::new(
        [
            u32::from_be_bytes([key[12], key[13], key[14], key[15]]),
            u32::from_be_bytes([key[8], key[9], key[10], key[11]]),
            u32::from_be_bytes([key[4], key[5], key[6], key[7]]),
            u32::from_be_bytes([key[0], key[1], key[2], key[3]]),
        ],
        [fresh ^ (dir << 15), count ^ (dir << 31), fresh, count],
    );
    let z1 = g.next_word();
    let z2 = g.next_word();
    let z3 = g.next_word();
    let z4 = g.next_word();
    let z5 = g.next_word();
    let p = (u64::from(z1) << 32) | u64::from(z2);
    let q = (u64::from(z3) << 32) | u64::from(z4);
    const C: u64 = 0x1b;

    // Message blocks of 64 bits, the last one zero-padded (Doc 1 §4.4, D = ceil(LENGTH/64) + 1).
    // MUL64(·, P) is linear over GF(2), so for long messages it is done with eight 256-entry
    // tables T_k[b] = MUL64(b · 2^(8k), P), built from P · x^j by doubling; short messages use
    // the bitwise product directly.
    let n_bytes = crate::bits::bytes_for(bit_len);
    let msg = &data[..n_bytes];
    let n_blocks = n_bytes.div_ceil(8);
    let table = (n_blocks > 16).then(|| mul64_table(p, C));
    let mut eval = 0u64;
    for (i, chunk) in msg.chunks(8).enumerate() {
        let mut block = [0u8; 8];
        block[..chunk.len()].copy_from_slice(chunk);
        let mut m = u64::from_be_bytes(block);
        // Keep only message bits in the final block.
        let end_bit = (i + 1) * 64;
        if end_bit > bit_len {
            let keep = 64 - (end_bit - bit_len);
            m &= if keep == 0 {
                0
            } else {
                u64::MAX << (64 - keep)
            };
        }
        let v = eval ^ m;
        eval = match &table {
            Some(t) => (0..8).fold(0, |acc, k| acc ^ t[k][((v >> (8 * k)) & 0xff) as usize]),
            None => mul64(v, p, C),
        };
    }
    eval ^= bit_len as u64;
    eval = mul64(eval, q, C);
    let mac = ((eval >> 32) as u32) ^ z5;
    mac.to_be_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mul64_table_equals_the_bitwise_product() {
        let p = 0x9e37_79b9_7f4a_7c15u64;
        let t = mul64_table(p, 0x1b);
        let mut v = 0x0123_4567_89ab_cdefu64;
        for _ in 0..1000 {
            let fast = (0..8).fold(0, |acc, k| acc ^ t[k][((v >> (8 * k)) & 0xff) as usize]);
            assert_eq!(fast, mul64(v, p, 0x1b));
            v = v.rotate_left(13) ^ v.wrapping_mul(0x2545_f491_4f6c_dd1d);
        }
    }

    #[test]
    fn sbox_tables_match_their_definitions() {
        // First entries of SR (the AES S-box) and SQ as printed in Doc 2 §3.3.
        assert_eq!(&SR[..4], &[0x63, 0x7c, 0x77, 0x7b]);
        assert_eq!(&SQ[..8], &[0x25, 0x24, 0x73, 0x67, 0xd7, 0xae, 0x5c, 0x30]);
    }
}
