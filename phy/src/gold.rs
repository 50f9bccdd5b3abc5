//! Length-31 Gold pseudo-random sequence, 36.211 §7.2.
//!
//! `c(n) = (x1(n+Nc) + x2(n+Nc)) mod 2`, `Nc = 1600`, `x1(0) = 1`, `x1(1..30) = 0`,
//! `x1(n+31) = (x1(n+3) + x1(n)) mod 2`, `x2(n+31) = (x2(n+3) + x2(n+2) + x2(n+1) + x2(n)) mod 2`,
//! `c_init = Σ x2(i)·2^i`.

/// Offset `Nc` of 36.211 §7.2.
pub const GOLD_NC: usize = 1600;

/// Streaming generator of the 36.211 §7.2 sequence `c(n)`.
///
/// The two shift registers hold `x(n)…x(n+30)` in bits 0…30.
#[derive(Debug, Clone, Copy)]
pub struct GoldSequence {
    x1: u32,
    x2: u32,
}

impl GoldSequence {
    /// Starts the sequence for `c_init` (only its low 31 bits are used) positioned at `c(0)`.
    pub fn new(c_init: u32) -> Self {
        let mut g = GoldSequence {
            x1: 1,
            x2: c_init & 0x7FFF_FFFF,
        };
        g.skip(GOLD_NC);
        g
    }

    /// Advances the registers by one step without producing output.
    #[inline]
    fn step(&mut self) {
        let n1 = (self.x1 ^ (self.x1 >> 3)) & 1;
        let n2 = (self.x2 ^ (self.x2 >> 1) ^ (self.x2 >> 2) ^ (self.x2 >> 3)) & 1;
        self.x1 = (self.x1 >> 1) | (n1 << 30);
        self.x2 = (self.x2 >> 1) | (n2 << 30);
    }

    /// Skips `n` outputs, 28 register steps at a time: for `k < 28` the recursions
    /// `x1(n+31+k) = x1(n+k+3) ⊕ x1(n+k)` and
    /// `x2(n+31+k) = x2(n+k+3) ⊕ x2(n+k+2) ⊕ x2(n+k+1) ⊕ x2(n+k)` only read bits `n…n+30`
    /// already in the registers.
    pub fn skip(&mut self, n: usize) {
        const BLOCK: usize = 28;
        const MASK: u32 = (1 << BLOCK) - 1;
        for _ in 0..n / BLOCK {
            let n1 = (self.x1 ^ (self.x1 >> 3)) & MASK;
            let n2 = (self.x2 ^ (self.x2 >> 1) ^ (self.x2 >> 2) ^ (self.x2 >> 3)) & MASK;
            self.x1 = (self.x1 >> BLOCK) | (n1 << (31 - BLOCK));
            self.x2 = (self.x2 >> BLOCK) | (n2 << (31 - BLOCK));
        }
        for _ in 0..n % BLOCK {
            self.step();
        }
    }

    /// Returns the next bit `c(n)` (0 or 1) and advances.
    #[inline]
    pub fn next_bit(&mut self) -> u8 {
        let c = ((self.x1 ^ self.x2) & 1) as u8;
        self.step();
        c
    }

    /// Fills `out` with the next `out.len()` bits.
    pub fn fill(&mut self, out: &mut [u8]) {
        for b in out.iter_mut() {
            *b = self.next_bit();
        }
    }
}

/// Writes `c(offset)…c(offset + out.len() − 1)` for `c_init` into `out`.
pub fn gold_bits(c_init: u32, offset: usize, out: &mut [u8]) {
    let mut g = GoldSequence::new(c_init);
    g.skip(offset);
    g.fill(out);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Straight transcription of the §7.2 definition with explicit arrays (the oracle).
    #[allow(clippy::needless_range_loop)] // index form mirrors the spec equations
    fn reference(c_init: u32, len: usize) -> Vec<u8> {
        let total = GOLD_NC + len + 31;
        let mut x1 = vec![0u8; total];
        let mut x2 = vec![0u8; total];
        x1[0] = 1;
        for i in 0..31 {
            x2[i] = ((c_init >> i) & 1) as u8;
        }
        for n in 0..(total - 31) {
            x1[n + 31] = (x1[n + 3] + x1[n]) % 2;
            x2[n + 31] = (x2[n + 3] + x2[n + 2] + x2[n + 1] + x2[n]) % 2;
        }
        (0..len)
            .map(|n| (x1[n + GOLD_NC] + x2[n + GOLD_NC]) % 2)
            .collect()
    }

    fn bits(s: &str) -> Vec<u8> {
        s.bytes().map(|b| b - b'0').collect()
    }

    #[test]
    fn worked_values_ntn_reference_7_5() {
        for (c_init, expect) in [
            (0u32, "00000010000110100001001001111010"),
            (1, "00000010100000110000001101110100"),
            (504, "00111111101001111011101001100010"),
        ] {
            let mut out = [0u8; 32];
            gold_bits(c_init, 0, &mut out);
            assert_eq!(out.to_vec(), bits(expect), "c_init {c_init}");
        }
    }

    #[test]
    fn streaming_equals_reference_at_offsets() {
        for &c_init in &[0u32, 1, 257, 0x7FFF_FFFF, 123_456_789] {
            let full = reference(c_init, 3000);
            for &off in &[0usize, 1, 31, 200, 1599, 2500] {
                let mut out = vec![0u8; 400.min(3000 - off)];
                gold_bits(c_init, off, &mut out);
                assert_eq!(
                    out[..],
                    full[off..off + out.len()],
                    "c_init {c_init} off {off}"
                );
            }
        }
    }
}
