//! `ntn-phy`: the physical layer of the ntn stack.
//!
//! Layout:
//! - DSP and coding base, reused by every channel: [`gold`] (36.211 §7.2), [`crc`]
//!   (36.212 §5.1.1), [`tbcc`] (36.212 §5.1.3.1 encoder, soft Viterbi decoder), [`ratematch`]
//!   (36.212 §5.1.4.2), [`scrambling`], [`modulation`] (36.211 §7.1), [`grid`] and [`ofdm`]
//!   (NB-IoT OFDM at 1.92 Msps, 36.211 §10.2.8).
//! - [`nbiot`]: NB-IoT downlink signals and channels for the cell (NPSS, NSSS, NRS, NPBCH,
//!   NPDCCH, NPDSCH with SIB1-NB, whole frames) and the UE receiver (NPSS search with
//!   coarse/fine frequency over ±55 kHz, NSSS detection, NRS channel estimation and carrier
//!   tracking, NPBCH, NPDCCH and NPDSCH decoding).
//! - [`link_sim`]: link-level BLER/detection curves of those channels (our TX → AWGN and
//!   carrier offset, fading hook → our RX) over SNR points, seeded and parallel.
//!
//! Conventions: samples are [`num_complex::Complex32`]; bits are `u8` values 0/1, one bit per
//! element; soft bits are `f32` log-likelihood ratios `ln P(b=0)/P(b=1)` (positive means 0).
//! Buffers on hot paths belong to the caller; FFT plans are built once by [`ofdm::NbiotOfdm`].
#![warn(missing_docs)]

pub mod conformance;
pub mod crc;
pub mod error;
pub mod gold;
pub mod grid;
pub mod link_sim;
pub mod modulation;
pub mod nbiot;
pub mod noise;
pub mod ofdm;
pub mod ratematch;
pub mod scrambling;
pub mod tbcc;
pub mod turbo;

pub use error::PhyError;
pub use num_complex::Complex32;
