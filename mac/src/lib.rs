//! ntn layer 2 for NB-IoT (NTN first): MAC ([`mac`], TS 36.321), RLC ([`rlc`], TS 36.322)
//! and PDCP ([`pdcp`], TS 36.323), as sans-IO state machines.
//!
//! Every entity follows architecture.md §3: `new(config, now)`, inputs `handle_*(now, …)`,
//! a transmit opportunity `pull_pdu(now, grant_bytes, out)`, outputs drained with
//! `poll_event()`, and `poll_timeout()` for the next deadline, served by
//! `handle_timeout(now)`. Nothing here reads a clock, sleeps, spawns or does I/O; bytes
//! from the air never panic (typed errors or counted drops).
//!
//! Codecs follow smoltcp's wire pattern: a `Foo<T: AsRef<[u8]>>` view with `new_checked`
//! and a parsed `FooRepr` with `parse`/`emit`.
//!
//! ```
//! use ntn_mac::rlc::am::{RlcAmConfig, RlcAmEntity};
//! use ntn_mac::rlc::RlcEvent;
//! use ntn_types::Instant;
//! use bytes::{Bytes, BytesMut};
//!
//! let cfg = RlcAmConfig::nb_iot_default();
//! let now = Instant::ZERO;
//! let mut ue = RlcAmEntity::new(cfg.clone(), now);
//! let mut enb = RlcAmEntity::new(cfg, now);
//! ue.handle_sdu(now, Bytes::from_static(b"hello")).unwrap();
//! let mut pdu = BytesMut::new();
//! ue.pull_pdu(now, 100, &mut pdu);
//! enb.handle_pdu(now, &pdu);
//! assert_eq!(enb.poll_event(), Some(RlcEvent::Sdu(Bytes::from_static(b"hello"))));
//! ```
#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod bits;
pub mod conformance;
pub mod mac;
pub mod pcap;
pub mod pdcp;
pub mod rlc;
