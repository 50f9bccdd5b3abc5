//! RRC procedures for NB-IoT NTN (TS 36.331 §5), sans-IO: the UE side ([`UeRrc`]) and the
//! counterpart a simulated cell needs ([`CellRrc`]).
//!
//! Both are synchronous state machines in the style of architecture.md §3: inputs are
//! `handle_*(now, …)`, outputs are drained with `poll_transmit()`, `poll_event()` and
//! `poll_timeout()`, and `handle_timeout(now)` fires due timers. Messages leave as UPER bytes
//! tagged with the logical channel (SRB or BCCH) for the layer below; PDCP integrity and
//! ciphering, MAC contention resolution and the PHY are the layers below's business.

pub mod cell;
pub mod defaults;
pub mod messages;
pub mod sysinfo;
pub mod ue;

pub use cell::{CellEvent, CellRrc, CellRrcConfig, CellTransmit, DlChannel, UeKey};
pub use messages::{STmsi, UeIdentity};
pub use sysinfo::{FrameTiming, SiSchedule, TimerValues};
pub use ue::{
    ConnectionFailure, EarlyDataRequest, ReleaseInfo, ResumeRequest, RlfCause, RrcEvent, UeRrc,
    UeRrcConfig, UeRrcState, UlTransmit,
};

use ntn_types::time::{Duration, Instant};

/// A signalling radio bearer of NB-IoT (TS 36.331 §4.2.2, §6.7.3): SRB0 carries CCCH, SRB1bis
/// carries DCCH before AS security is activated (and always without AS security, e.g. with the
/// Control Plane CIoT EPS optimisation), SRB1 carries DCCH once it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Srb {
    /// SRB0, CCCH (logical channel 0).
    Srb0,
    /// SRB1, DCCH after AS security activation (LCID 1).
    Srb1,
    /// SRB1bis, DCCH without AS security (LCID 3).
    Srb1bis,
}

impl Srb {
    /// The MAC logical channel identity (TS 36.321 Table 6.2.1-1, NB-IoT).
    pub fn lcid(self) -> u8 {
        match self {
            Srb::Srb0 => 0,
            Srb::Srb1 => 1,
            Srb::Srb1bis => 3,
        }
    }
}

/// A request the procedures cannot accept in the current state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProcedureError {
    /// The procedure needs another RRC state (e.g. `connect` while connected).
    #[error("{procedure} is not possible in state {state:?}")]
    WrongState {
        /// What was asked.
        procedure: &'static str,
        /// The state the entity is in.
        state: UeRrcState,
    },
    /// MIB-NB, SIB1-NB or SIB2-NB of the serving cell is not (validly) stored yet.
    #[error("system information of the serving cell is not acquired")]
    SystemInformationMissing,
    /// Encoding an outgoing message failed (a value out of its constraints).
    #[error(transparent)]
    Codec(#[from] crate::RrcError),
    /// The cell does not know this UE.
    #[error("unknown UE {0:?}")]
    UnknownUe(UeKey),
}

/// A one-shot timer: a deadline or nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Timer(Option<Instant>);

impl Timer {
    pub(crate) fn start(&mut self, now: Instant, d: Duration) {
        self.0 = Some(now + d);
    }
    pub(crate) fn start_at(&mut self, at: Instant) {
        self.0 = Some(at);
    }
    pub(crate) fn stop(&mut self) {
        self.0 = None;
    }
    pub(crate) fn running(&self) -> bool {
        self.0.is_some()
    }
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.0
    }
    /// True (and stopped) if it was running and is due at `now`.
    pub(crate) fn expired(&mut self, now: Instant) -> bool {
        match self.0 {
            Some(t) if t <= now => {
                self.0 = None;
                true
            }
            _ => false,
        }
    }
}

/// The earliest of optional instants.
pub(crate) fn earliest(it: impl IntoIterator<Item = Option<Instant>>) -> Option<Instant> {
    it.into_iter().flatten().min()
}
