//! 3GPP security algorithms for the ntn stack.
//!
//! What this crate does:
//! - the ciphering and integrity algorithms of EPS and 5GS: 128-EEA0..3 / 128-EIA0..3
//!   (TS 33.401 Annex B; identical to 128-NEA/NIA 0..3 of TS 33.501 Annex D) behind two small
//!   traits, [`CipherAlgorithm`] and [`IntegrityAlgorithm`], that PDCP and NAS call;
//! - MILENAGE f1, f1*, f2, f3, f4, f5, f5* and OPc (TS 35.206), with AUTN and AUTS helpers
//!   (TS 33.102 §6.3);
//! - the generic KDF of TS 33.220 Annex B and the EPS (TS 33.401 Annex A) and 5G
//!   (TS 33.501 Annex A) key hierarchies.
//!
//! - SUCI concealment with ECIES Profiles A (X25519) and B (secp256r1), TS 33.501 Annex C
//!   ([`suci`]).
//!
//! What it does not do: key storage, procedure logic (that is the NAS layer).
//!
//! Message lengths are in **bits**: a message of `bit_len` bits occupies the first
//! `ceil(bit_len / 8)` bytes of the buffer, most significant bit first. On output the unused
//! low-order bits of the last byte are set to zero, as the test data of TS 33.401 Annex C shows.
//!
//! Sans-IO and pure: no clock, no I/O, no global state. Bad lengths are reported as
//! [`SecurityError`], never as a panic.
//!
//! ```
//! use ntn_security::{CipherAlgorithm, CipheringAlgorithmId, Direction};
//! let key = [0x11; 16];
//! let mut data = *b"hello, satellite";
//! CipheringAlgorithmId::Eea2
//!     .apply(&key, 7, 1, Direction::Uplink, &mut data, 128)
//!     .unwrap();
//! CipheringAlgorithmId::Eea2
//!     .apply(&key, 7, 1, Direction::Uplink, &mut data, 128)
//!     .unwrap();
//! assert_eq!(&data, b"hello, satellite");
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod aes_alg;
mod algorithm;
mod bits;
pub mod conformance;
pub mod kdf;
pub mod milenage;
pub mod snow3g;
pub mod suci;
mod zuc_alg;

pub use algorithm::{
    CipherAlgorithm, CipheringAlgorithmId, Direction, Eea0, Eea1, Eea2, Eea3, Eia0, Eia1, Eia2,
    Eia3, IntegrityAlgorithm, IntegrityAlgorithmId,
};

/// A 128-bit key (KNASenc, KNASint, KRRCenc, KUPenc, CK, IK, K, ...).
pub type Key128 = [u8; 16];
/// A 256-bit key (KASME, KeNB, KAUSF, KSEAF, KAMF, KgNB, ...).
pub type Key256 = [u8; 32];

/// Errors from the algorithms in this crate.
#[derive(Clone, Copy, Debug, Eq, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SecurityError {
    /// The bit length asks for more bits than the buffer holds.
    #[error("bit length {bit_len} exceeds the {available} bits of the buffer")]
    BitLengthTooLong {
        /// Requested length in bits.
        bit_len: usize,
        /// Bits available in the buffer.
        available: usize,
    },
    /// BEARER is a 5-bit field (TS 33.401 §B.1.1); the value does not fit.
    #[error("bearer identity {0} does not fit in 5 bits")]
    BearerOutOfRange(u8),
    /// The message is longer than the algorithm allows (2^32 - 1 bits for EEA/EIA).
    #[error("message of {0} bits is longer than the algorithm allows")]
    MessageTooLong(usize),
}
