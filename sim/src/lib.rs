//! # ntn-sim — the NTN channel, link budget and sample-level probes
//!
//! * [`channel`]: what the air does to a sample stream between a terminal and a satellite
//!   (and its gateway): light-time delay and carrier phase from the true orbit, keyed to the
//!   sample time; TR 38.811 §6.6 large-scale loss; TR 38.811 §6.9 NTN-TDL fading; AWGN.
//! * [`link_sim`]: the NB-IoT DL link-level curves of `ntn_phy::link_sim` through NTN-TDL fading.
//! * [`link_budget`]: EIRP, G/T, losses, C/N0 and C/N, with TR 38.821 presets.
//! * [`nbiot_dl`]: our NB-IoT cell through the orbit channel to our terminal's cell search at
//!   one point of a pass.
//! * [`scenario`]: a channel scenario as a user writes it (serde, every field defaulted),
//!   turned into a [`channel::ChannelConfig`] for a recording.
//!
//! The channel is keyed to the sample index: `Channel::process(t0, input, out)` with
//! caller-owned buffers, state carried across blocks so that block size never changes a
//! single output bit (tested); geometry comes from the true orbit (SGP4 via ntn-orbit), never
//! from wall-clock time.
//!
//! Sans-IO: no clock, no files. Every random draw comes from a caller-seeded ChaCha stream, so
//! a run is bit-for-bit reproducible.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod channel;
pub mod conformance;
pub mod e2e;
pub mod engine;
pub mod link_abstraction;
pub mod link_budget;
pub mod link_sim;
pub mod math;
pub mod nbiot_dl;
pub mod report;
pub mod scenario;
