//! Transmit side of UM and AM: the SDU queue and the forming of a data field from it by
//! segmentation and concatenation, TS 36.322 §4.2.1.2.2 / §4.2.1.3.2 ("segment and/or
//! concatenate the RLC SDUs so that the PDUs fit within the total size indicated by the
//! lower layer") and the framing rules of §6.2.2.5/§6.2.2.6.

use super::SduRejected;
use super::pdu::{FramingInfo, LiLength};
use bytes::Bytes;
use std::collections::VecDeque;

/// A data field ready for a header: bytes, FI and the LIs of all elements but the last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DataField {
    pub data: Bytes,
    pub fi: FramingInfo,
    pub lis: Vec<u16>,
}

/// SDUs waiting for a first transmission; the head may be partly sent already.
#[derive(Debug, Clone)]
pub(crate) struct SduQueue {
    q: VecDeque<Bytes>,
    head_offset: usize,
    bytes: usize,
    max_sdus: usize,
    max_sdu_len: usize,
}

impl SduQueue {
    pub(crate) fn new(max_sdus: usize, max_sdu_len: usize) -> Self {
        SduQueue {
            q: VecDeque::new(),
            head_offset: 0,
            bytes: 0,
            max_sdus,
            max_sdu_len,
        }
    }

    pub(crate) fn push(&mut self, sdu: Bytes) -> Result<(), SduRejected> {
        if sdu.is_empty() {
            return Err(SduRejected::Empty);
        }
        if sdu.len() > self.max_sdu_len {
            return Err(SduRejected::TooLarge(sdu.len()));
        }
        if self.q.len() >= self.max_sdus {
            return Err(SduRejected::BufferFull);
        }
        self.bytes += sdu.len();
        self.q.push_back(sdu);
        Ok(())
    }

    /// Bytes not yet put in any PDU.
    pub(crate) fn pending_bytes(&self) -> usize {
        self.bytes
    }

    /// SDUs (or remainders) queued.
    pub(crate) fn len(&self) -> usize {
        self.q.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.q.is_empty()
    }

    /// Forms the largest data field whose PDU (`fixed_hdr` bytes + E/LI part + data) fits in
    /// `grant` bytes, with at most `max_data` data bytes. `None` if nothing fits.
    ///
    /// An element can be followed by another only if its length fits an LI
    /// (≤ `li_len.max_li()`), since every element but the last needs one.
    pub(crate) fn build(
        &mut self,
        grant: usize,
        fixed_hdr: usize,
        li_len: LiLength,
        max_data: usize,
    ) -> Option<DataField> {
        let starts_sdu = self.head_offset == 0;
        let mut data: Vec<u8> = Vec::new();
        let mut lis: Vec<u16> = Vec::new();
        let mut pieces = 0usize;
        let mut last_len = 0usize;
        let mut ends_sdu = true;
        while let Some(sdu) = self.q.front() {
            if pieces > 0 && last_len > usize::from(li_len.max_li()) {
                break;
            }
            let hdr = fixed_hdr + li_len.ext_len(pieces);
            let used = hdr + data.len();
            if used >= grant || data.len() >= max_data {
                break;
            }
            let remaining = sdu.len().saturating_sub(self.head_offset);
            let take = remaining.min(grant - used).min(max_data - data.len());
            if take == 0 {
                break;
            }
            if pieces > 0 {
                // last_len ≤ max_li checked above, so the cast is exact.
                lis.push(last_len as u16);
            }
            data.extend_from_slice(&sdu[self.head_offset..self.head_offset + take]);
            pieces += 1;
            last_len = take;
            self.bytes -= take;
            if take == remaining {
                self.q.pop_front();
                self.head_offset = 0;
                ends_sdu = true;
            } else {
                self.head_offset += take;
                ends_sdu = false;
                break;
            }
        }
        if pieces == 0 {
            return None;
        }
        Some(DataField {
            data: Bytes::from(data),
            fi: FramingInfo {
                starts_sdu,
                ends_sdu,
            },
            lis,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concatenates_and_segments() {
        let mut q = SduQueue::new(16, 9000);
        q.push(Bytes::from_static(&[1; 10])).unwrap();
        q.push(Bytes::from_static(&[2; 10])).unwrap();
        // Grant 2 (fixed) + 2 (one LI, padded) + 15 data.
        let f = q.build(19, 2, LiLength::Eleven, 32767).unwrap();
        assert_eq!(f.lis, vec![10]);
        assert_eq!(f.data.len(), 15);
        assert_eq!(
            f.fi,
            FramingInfo {
                starts_sdu: true,
                ends_sdu: false
            }
        );
        let g = q.build(100, 2, LiLength::Eleven, 32767).unwrap();
        assert_eq!(g.data.as_ref(), &[2; 5]);
        assert_eq!(
            g.fi,
            FramingInfo {
                starts_sdu: false,
                ends_sdu: true
            }
        );
        assert!(q.is_empty());
        assert_eq!(q.pending_bytes(), 0);
        assert_eq!(q.push(Bytes::new()), Err(SduRejected::Empty));
    }
}
