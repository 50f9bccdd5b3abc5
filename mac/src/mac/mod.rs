//! MAC for NB-IoT, TS 36.321 (Rel-17): PDU and control element codecs ([`pdu`]), the UE
//! random access procedure with the IoT-NTN timing rules ([`ra`]), and uplink time
//! alignment with timeAlignmentTimer and SIB31 UL-sync validity ([`ta`]).
//!
//! Not yet here: HARQ (incl. feedback disabling), BSR/SR triggering, logical channel
//! prioritisation, and the cell-side scheduler.

pub mod pdu;
pub mod ra;
pub mod ta;
