//! # ntn-stack — where the layers meet
//!
//! The only crate that wires layers together (architecture.md §2). It starts with the NTN
//! behaviour of the terminal that needs the orbit layer and nothing else: [`ntn`], the
//! UE-side pre-compensation of timing and frequency from its own GNSS fix and the ephemeris
//! the cell broadcasts, with the uplink-synchronisation validity timer. Like every entity of
//! ntn it is sans-IO: it is fed events and the current time and is polled for its outputs.
//! [`sib31`] converts the decoded SIB31-NB (`ntn-rrc`) to the orbit layer's field types.
//! [`air`] is the link-level air interface between the stacks and the simulator's engine.
//! [`cell::CellStack`] (a satellite eNB with its MME) and [`ue::UeStack`] (the terminal)
//! compose PHY-level timing, MAC (`ntn-mac`), RLC, RRC procedures (`ntn_rrc::procedures`) and
//! NAS (`ntn-nas`) behind that interface; [`link`] holds what both sides share.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod air;
pub mod cell;
pub mod link;
pub mod loopback;
pub mod ntn;
pub mod rrc_nb;
pub mod sib31;
pub mod ue;
