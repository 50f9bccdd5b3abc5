//! A bounds-checked cursor over received bytes.

use crate::DecodeError;

pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    pub(crate) fn rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or(&[])
    }

    pub(crate) fn u8(&mut self, what: &'static str) -> Result<u8, DecodeError> {
        let b = *self.buf.get(self.pos).ok_or(DecodeError::Truncated(what))?;
        self.pos += 1;
        Ok(b)
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    pub(crate) fn bytes(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or(DecodeError::Truncated(what))?;
        let s = self
            .buf
            .get(self.pos..end)
            .ok_or(DecodeError::Truncated(what))?;
        self.pos = end;
        Ok(s)
    }

    pub(crate) fn array<const N: usize>(
        &mut self,
        what: &'static str,
    ) -> Result<[u8; N], DecodeError> {
        let s = self.bytes(N, what)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    /// LV: one length octet, then the value; `min`/`max` bound the value length.
    pub(crate) fn lv(
        &mut self,
        what: &'static str,
        min: usize,
        max: usize,
    ) -> Result<&'a [u8], DecodeError> {
        let len = usize::from(self.u8(what)?);
        check_len(what, len, min, max)?;
        self.bytes(len, what)
    }

    /// LV-E: two length octets, then the value.
    pub(crate) fn lve(
        &mut self,
        what: &'static str,
        min: usize,
        max: usize,
    ) -> Result<&'a [u8], DecodeError> {
        let hi = self.u8(what)?;
        let lo = self.u8(what)?;
        let len = usize::from(u16::from_be_bytes([hi, lo]));
        check_len(what, len, min, max)?;
        self.bytes(len, what)
    }
}

pub(crate) fn check_len(
    ie: &'static str,
    len: usize,
    min: usize,
    max: usize,
) -> Result<(), DecodeError> {
    if len < min || len > max {
        return Err(DecodeError::BadLength { ie, len, min, max });
    }
    Ok(())
}
