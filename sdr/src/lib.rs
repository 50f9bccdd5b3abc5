//! `ntn-sdr`: the radio edge of the ntn stack. For now: [`sigmf`], reading and writing SigMF
//! recordings (`cf32_le`, `ci16_le`) and raw `cf32_le` files, with typed errors for bad or
//! missing metadata, read and written block by block; [`atomic`], the one implementation of
//! atomic output files (temporary + fsync + rename) and of the output-is-not-an-input check
//! that every `ntn` command uses. SoapySDR devices, the TCP RF link and the realtime runner come later.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod atomic;
pub mod sigmf;
