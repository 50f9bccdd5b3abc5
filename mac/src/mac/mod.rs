//! MAC for NB-IoT, TS 36.321 (Rel-17): PDU and control element codecs ([`pdu`]) and the UE
//! random access procedure with the IoT-NTN timing rules ([`ra`]).
//!
//! Not yet here: HARQ (incl. feedback disabling), TA maintenance and timeAlignmentTimer,
//! UL synchronisation validity, BSR/SR triggering, logical channel prioritisation, and the
//! cell-side scheduler.

pub mod pdu;
pub mod ra;
