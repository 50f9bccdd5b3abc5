//! MAC for NB-IoT, TS 36.321 (Rel-17): PDU and control element codecs ([`pdu`]), the UE
//! random access procedure with the IoT-NTN timing rules ([`ra`]), uplink time
//! alignment with timeAlignmentTimer and SIB31 UL-sync validity ([`ta`]), the NB-IoT
//! scheduling timing with K_offset ([`timing`]), and HARQ with feedback disabling, UL HARQ
//! modes and RTT timers extended by the UE–eNB RTT ([`harq`]).
//!
//! Buffer status reporting with the NB-IoT trigger and cancellation rules is in [`bsr`];
//! the cell side's anchor-carrier scheduler (NPDCCH → NPDSCH/NPUSCH with K_offset) in
//! [`scheduler`].
//!
//! Not yet here: logical channel prioritisation.

pub mod bsr;
pub mod harq;
pub mod pdu;
pub mod ra;
pub mod scheduler;
pub mod ta;
pub mod timing;
