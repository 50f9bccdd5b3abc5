//! `ntn-sdr`: the radio edge of the ntn stack. For now: [`sigmf`], reading and writing SigMF
//! recordings (`cf32_le`, `ci16_le`) and raw `cf32_le` files, with typed errors for bad or
//! missing metadata. SoapySDR devices, the TCP RF link and the realtime runner come later.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod sigmf;
