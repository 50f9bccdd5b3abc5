//! Receive side of UM and AM: SDU reassembly from the data fields of in-sequence PDUs,
//! TS 36.322 §5.1.2.2.3/§5.1.3.2.3 ("reassemble RLC SDUs … remove RLC headers … deliver
//! the reassembled RLC SDUs to upper layer in ascending order of the RLC SN") using the FI
//! semantics of §6.2.2.6. UM gaps discard the SDU in progress (§5.1.2.2.3: "discard … any
//! … byte segments that cannot be reassembled").

use super::pdu::FramingInfo;
use super::{RlcEvent, RlcStats};
use bytes::Bytes;
use std::collections::VecDeque;

#[derive(Debug, Clone, Default)]
pub(crate) struct Reassembler {
    partial: Option<Vec<u8>>,
}

impl Reassembler {
    /// Feeds the elements of one PDU's data field. `contiguous` is false when PDUs were
    /// lost before this one (UM), which discards the SDU in progress.
    pub(crate) fn push(
        &mut self,
        fi: FramingInfo,
        elems: &[&[u8]],
        contiguous: bool,
        events: &mut VecDeque<RlcEvent>,
        stats: &mut RlcStats,
    ) {
        if !contiguous && self.partial.take().is_some() {
            stats.sdus_discarded += 1;
        }
        let n = elems.len();
        for (i, e) in elems.iter().enumerate() {
            let starts = i > 0 || fi.starts_sdu;
            let ends = i + 1 < n || fi.ends_sdu;
            self.push_piece(e, starts, ends, events, stats);
        }
    }

    /// Feeds one piece of an SDU: `starts` when it is the SDU's first byte, `ends` when it
    /// holds its last byte.
    pub(crate) fn push_piece(
        &mut self,
        piece: &[u8],
        starts: bool,
        ends: bool,
        events: &mut VecDeque<RlcEvent>,
        stats: &mut RlcStats,
    ) {
        let buf = if starts {
            if self.partial.take().is_some() {
                stats.sdus_discarded += 1;
            }
            piece.to_vec()
        } else {
            match self.partial.take() {
                Some(mut p) => {
                    p.extend_from_slice(piece);
                    p
                }
                None => {
                    // The start of this SDU was lost: drop its remainder.
                    stats.sdus_discarded += 1;
                    return;
                }
            }
        };
        if ends {
            stats.sdus_delivered += 1;
            events.push_back(RlcEvent::Sdu(Bytes::from(buf)));
        } else {
            self.partial = Some(buf);
        }
    }
}
