//! RRC for NB-IoT NTN (TS 36.331 Rel-17): typed UPER decoding and encoding of the messages whose
//! types `ntn-rrc-asn1` generates from the spec's ASN.1, and SIB31-NB in the integer field units
//! of `ntn_orbit` (ephemeris, common TA, epoch time) plus the scheduling offsets.
//!
//! Sans-IO: functions of bytes and values only. Bytes from the air never panic: every decoder
//! returns a [`Result`] with [`RrcError`].
#![warn(missing_docs)]

pub mod codec;
pub mod sib31;

pub use codec::{
    RrcError, decode_bcch_bch, decode_bcch_dl_sch, decode_dl_ccch, decode_dl_dcch, decode_pcch,
    decode_sib1, decode_sib31, decode_ul_ccch, decode_ul_dcch, encode,
};
pub use ntn_rrc_asn1 as asn1;
pub use sib31::{ServingSatellite, Sib31Error, UlSyncValidity, sib31_in};
