//! Sample-level air interface: each transmission the engine carries is modulated by our
//! PHY (`ntn-phy`), passed as IQ through the **residual** channel the receiver sees, and
//! received by our PHY, which decides whether it decodes and measures its timing and carrier
//! offset. It replaces the [`crate::link_abstraction::LinkAbstraction`] draw, transmission by
//! transmission, with the same engine around it.
//!
//! ## What the receiver sees
//! A receiver looks at the air through its own grid and tuning (a cell: its uplink subframe
//! grid at its nominal carrier; a terminal: the downlink grid and carrier offset it tracks,
//! see [`RxTuning`]). What reaches its sample stream is the transmission delayed and shifted
//! by the **difference** between the truth of the orbit and that tuning, as a function of
//! time over the transmission ([`Residual`]): a terminal that mis-predicts the delay drift
//! sees its windows slide off the signal, a terminal that does not pre-compensate its
//! Doppler puts its preamble tens of kHz away from where the cell listens. The absolute
//! light time (ms) is not in the samples: the receiver's window is placed on its grid
//! boundary nearest to the true arrival — the one among the windows it processes anyway
//! (every NB-IoT subframe) that holds the signal. With fading set
//! ([`crate::engine::Engine::set_fading`]) each link and direction also has its NTN-TDL
//! process ([`channel::LinkFading`]), evaluated on the receiver's sample clock so that its
//! successive receptions see one continuous fading channel.
//!
//! ## Per transmission, not as a continuous stream
//! Only the subframes (or symbol groups) a transmission occupies are generated and received:
//! a single cell and a single carrier per direction means that no two transmissions overlap
//! in one receiver's band (the cell's scheduler guarantees it), so a continuous stream would
//! add only noise-only samples. The noise is drawn from the receiver's RNG stream, so runs
//! stay deterministic.

pub mod channel;
pub mod dl;
pub mod ul;

use serde::{Deserialize, Serialize};

/// NB-IoT baseband sample rate of the sample-level path (128-point FFT at 15 kHz), Hz.
pub const SAMPLE_RATE_HZ: f64 = 1.92e6;

/// The channel between a transmission and a receiver's grid and tuning, over the
/// transmission: delay `τ(t) = delay_s + delay_rate·t` and carrier offset
/// `f(t) = freq_hz + freq_rate_hz_s·t`, `t` in seconds from the transmission's nominal
/// start at the receiver (the receiver's window start).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Residual {
    /// Arrival of the transmission's first sample after the receiver's window start, s
    /// (negative: early).
    pub delay_s: f64,
    /// Rate of change of that delay, s/s.
    pub delay_rate: f64,
    /// Carrier offset relative to the receiver's tuning at `t = 0`, Hz.
    pub freq_hz: f64,
    /// Rate of change of the offset, Hz/s.
    pub freq_rate_hz_s: f64,
    /// SNR over the occupied bandwidth (the engine's link budget), dB. For the downlink the
    /// curves' convention: per resource element of the 180 kHz carrier, which equals the SNR
    /// over the occupied bandwidth.
    pub snr_db: f64,
}

impl Residual {
    /// Delay at `t` seconds after the window start, s.
    pub fn delay_at(&self, t_s: f64) -> f64 {
        self.delay_s + self.delay_rate * t_s
    }
    /// Carrier offset at `t`, Hz.
    pub fn freq_at(&self, t_s: f64) -> f64 {
        self.freq_hz + self.freq_rate_hz_s * t_s
    }
    /// Carrier phase accumulated from `t = 0` to `t`, cycles.
    pub fn phase_cycles_at(&self, t_s: f64) -> f64 {
        self.freq_hz * t_s + 0.5 * self.freq_rate_hz_s * t_s * t_s
    }
}

/// What the receiver's PHY made of one transmission.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SampleOutcome {
    /// The receiver decoded it (CRC pass **and** the decoded bits equal the transmitted
    /// ones — a false CRC pass counts as an error; for a preamble: detected on the right
    /// starting subcarrier).
    pub decoded: bool,
    /// The receiver's estimate of [`Residual::delay_s`], s (`None`: this receiver has no
    /// timing estimate — a single-tone NPUSCH — or did not detect anything).
    pub delay_s: Option<f64>,
    /// The receiver's estimate of the carrier offset at the start, Hz (`None`: nothing
    /// detected).
    pub freq_hz: Option<f64>,
    /// The receiver's SNR estimate, dB, when it makes one.
    pub snr_db: Option<f64>,
}

impl SampleOutcome {
    /// Nothing detected, nothing measured.
    pub const MISSED: SampleOutcome = SampleOutcome {
        decoded: false,
        delay_s: None,
        freq_hz: None,
        snr_db: None,
    };
}

/// The physical-layer identity of a cell that the stacks do not carry (the link level needs
/// none): the sample-level transmitter and receiver both use it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellPhy {
    /// Physical cell identity N_ID^Ncell, 0…503.
    pub pci: u16,
    /// NRS antenna ports (1 or 2).
    pub nrs_ports: u8,
}

impl Default for CellPhy {
    fn default() -> Self {
        CellPhy {
            pci: 1,
            nrs_ports: 1,
        }
    }
}

/// Why a transmission could not be put through the sample-level path (a transmission that
/// simply fails to decode is a [`SampleOutcome`], not an error).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SampleError {
    /// The PHY refused a configuration or a buffer.
    #[error("phy: {0}")]
    Phy(#[from] ntn_phy::error::PhyError),
    /// The transmission's payload and format do not describe something the PHY can send
    /// (e.g. a transport block larger than the format allows).
    #[error("unsupported transmission: {0}")]
    Unsupported(String),
}

/// What a payload is, for the errors of the sample-level receivers.
pub(crate) fn payload_name(p: &ntn_stack::air::AirPayload) -> &'static str {
    use ntn_stack::air::AirPayload;
    match p {
        AirPayload::Mib { .. } => "a MIB-NB",
        AirPayload::Dlsch { .. } => "a DL-SCH block",
        AirPayload::Preamble { .. } => "a preamble",
        AirPayload::Ulsch { .. } => "a UL-SCH block",
        AirPayload::HarqAck { .. } => "a HARQ-ACK",
        AirPayload::UlGrant { .. } => "an uplink grant",
        _ => "another payload",
    }
}
