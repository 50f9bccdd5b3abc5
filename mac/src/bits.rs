//! MSB-first bit reader and writer for the bit-packed headers of TS 36.321/36.322/36.323.
//!
//! Every 3GPP layer-2 header is written most significant bit first: the first field
//! occupies the leftmost bits of the first octet (TS 36.322 §6.2.1, TS 36.321 §6.1.2).

/// Reads fields MSB first from a byte slice; running past the end yields `None`.
#[derive(Debug, Clone)]
pub(crate) struct BitReader<'a> {
    buf: &'a [u8],
    bit_pos: usize,
}

impl<'a> BitReader<'a> {
    /// A reader at bit 0 of `buf`.
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        BitReader { buf, bit_pos: 0 }
    }

    /// Reads `n` bits (`n` ≤ 32) as an unsigned number, or `None` past the end.
    pub(crate) fn read(&mut self, n: u32) -> Option<u32> {
        debug_assert!(n <= 32);
        let end = self.bit_pos.checked_add(n as usize)?;
        if end > self.buf.len().checked_mul(8)? {
            return None;
        }
        let mut v: u32 = 0;
        for _ in 0..n {
            let byte = *self.buf.get(self.bit_pos / 8)?;
            let bit = (byte >> (7 - (self.bit_pos % 8))) & 1;
            v = (v << 1) | u32::from(bit);
            self.bit_pos += 1;
        }
        Some(v)
    }

    /// Reads one bit as a flag.
    pub(crate) fn flag(&mut self) -> Option<bool> {
        self.read(1).map(|b| b == 1)
    }

    /// Bytes consumed so far, counting a partly read byte as consumed.
    pub(crate) fn byte_pos(&self) -> usize {
        self.bit_pos.div_ceil(8)
    }
}

/// Appends fields MSB first to a byte vector.
#[derive(Debug)]
pub(crate) struct BitWriter<'a> {
    out: &'a mut Vec<u8>,
    bit_pos: usize,
}

impl<'a> BitWriter<'a> {
    /// A writer appending to `out` at its current end.
    pub(crate) fn new(out: &'a mut Vec<u8>) -> Self {
        let bit_pos = out.len() * 8;
        BitWriter { out, bit_pos }
    }

    /// Writes the `n` low bits of `v` (`n` ≤ 32), most significant first.
    pub(crate) fn write(&mut self, v: u32, n: u32) {
        debug_assert!(n <= 32);
        for i in (0..n).rev() {
            if self.bit_pos.is_multiple_of(8) {
                self.out.push(0);
            }
            let bit = ((v >> i) & 1) as u8;
            if let Some(last) = self.out.last_mut() {
                *last |= bit << (7 - (self.bit_pos % 8));
            }
            self.bit_pos += 1;
        }
    }

    /// Writes a flag as one bit.
    pub(crate) fn flag(&mut self, b: bool) {
        self.write(u32::from(b), 1);
    }

    /// Pads with zero bits to the next octet boundary.
    pub(crate) fn align(&mut self) {
        let rem = self.bit_pos % 8;
        if rem != 0 {
            self.bit_pos += 8 - rem;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_read() {
        let mut v = Vec::new();
        let mut w = BitWriter::new(&mut v);
        w.write(0b101, 3);
        w.write(0x3ff, 10);
        w.flag(true);
        w.align();
        assert_eq!(v, vec![0b1011_1111, 0b1111_1100]);
        let mut r = BitReader::new(&v);
        assert_eq!(r.read(3), Some(0b101));
        assert_eq!(r.read(10), Some(0x3ff));
        assert_eq!(r.flag(), Some(true));
        assert_eq!(r.read(3), None);
        assert_eq!(r.byte_pos(), 2);
    }
}
