//! RRC for NB-IoT NTN (TS 36.331 Rel-17): typed UPER decoding and encoding of the messages whose
//! types `ntn-rrc-asn1` generates from the spec's ASN.1. (SIB31-NB in the orbit layer's units
//! is `ntn_stack::sib31`: layer crates do not depend on each other.)
//!
//! [`procedures`] holds the UE and cell RRC procedures (system information with SIB31-NB
//! validity, connection establishment, NAS transport, security mode, release, resume, EDT,
//! radio link failure) as sans-IO state machines.
//!
//! Sans-IO: functions of bytes and values only. Bytes from the air never panic: every decoder
//! returns a [`Result`] with [`RrcError`].
#![warn(missing_docs)]

pub mod codec;
pub mod conformance;
pub mod procedures;

pub use codec::{
    RrcError, decode_bcch_bch, decode_bcch_dl_sch, decode_dl_ccch, decode_dl_dcch, decode_pcch,
    decode_sib1, decode_sib31, decode_ul_ccch, decode_ul_dcch, encode, sib31_in,
};
pub use ntn_rrc_asn1 as asn1;
