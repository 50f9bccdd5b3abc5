//! The algorithm traits and identifiers (TS 33.401 §5.1.3, Annex B; TS 33.501 §5.11, Annex D).

use crate::bits::{check_inputs, zero_tail};
use crate::{Key128, SecurityError, aes_alg, snow3g, zuc_alg};

/// DIRECTION input of the EEA/EIA algorithms: 0 for uplink, 1 for downlink
/// (TS 33.401 §B.1.1).
#[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub enum Direction {
    /// UE to network (DIRECTION = 0).
    Uplink = 0,
    /// Network to UE (DIRECTION = 1).
    Downlink = 1,
}

impl Direction {
    /// The 1-bit value carried in the algorithm input.
    pub fn bit(self) -> u8 {
        self as u8
    }
}

/// A confidentiality algorithm (EEA / NEA): a keystream XORed over the message, so the same
/// call ciphers and deciphers.
pub trait CipherAlgorithm {
    /// Ciphers (or deciphers) the first `bit_len` bits of `data` in place with key `key`,
    /// COUNT `count`, 5-bit BEARER `bearer` and DIRECTION `direction` (TS 33.401 §B.1.1).
    /// The unused low-order bits of the last byte holding the message are set to zero; bytes
    /// after it are not touched.
    fn apply(
        &self,
        key: &Key128,
        count: u32,
        bearer: u8,
        direction: Direction,
        data: &mut [u8],
        bit_len: usize,
    ) -> Result<(), SecurityError>;
}

/// An integrity algorithm (EIA / NIA) producing the 32-bit MAC-I / NAS-MAC (TS 33.401 §B.2.1).
pub trait IntegrityAlgorithm {
    /// MAC over the first `bit_len` bits of `data` with key `key`, COUNT `count`, 5-bit BEARER
    /// `bearer` and DIRECTION `direction`; bits after `bit_len` are ignored.
    fn mac(
        &self,
        key: &Key128,
        count: u32,
        bearer: u8,
        direction: Direction,
        data: &[u8],
        bit_len: usize,
    ) -> Result<[u8; 4], SecurityError>;
}

/// EEA0 / NEA0, the null ciphering algorithm.
#[derive(Clone, Copy, Debug, Default)]
pub struct Eea0;
/// 128-EEA1 / 128-NEA1: SNOW 3G in UEA2 (f8) mode (TS 33.401 §B.1.2).
#[derive(Clone, Copy, Debug, Default)]
pub struct Eea1;
/// 128-EEA2 / 128-NEA2: AES-128 in counter mode (TS 33.401 §B.1.3).
#[derive(Clone, Copy, Debug, Default)]
pub struct Eea2;
/// 128-EEA3 / 128-NEA3: ZUC (TS 33.401 §B.1.4, ETSI/SAGE EEA3 specification).
#[derive(Clone, Copy, Debug, Default)]
pub struct Eea3;
/// EIA0 / NIA0, the null integrity algorithm: the MAC is 32 zero bits (TS 33.401 §5.1.4.1).
#[derive(Clone, Copy, Debug, Default)]
pub struct Eia0;
/// 128-EIA1 / 128-NIA1: SNOW 3G in UIA2 (f9) mode (TS 33.401 §B.2.2).
#[derive(Clone, Copy, Debug, Default)]
pub struct Eia1;
/// 128-EIA2 / 128-NIA2: AES-128 CMAC (TS 33.401 §B.2.3).
#[derive(Clone, Copy, Debug, Default)]
pub struct Eia2;
/// 128-EIA3 / 128-NIA3: ZUC based MAC (TS 33.401 §B.2.4).
#[derive(Clone, Copy, Debug, Default)]
pub struct Eia3;

impl CipherAlgorithm for Eea0 {
    fn apply(
        &self,
        _key: &Key128,
        _count: u32,
        bearer: u8,
        _direction: Direction,
        data: &mut [u8],
        bit_len: usize,
    ) -> Result<(), SecurityError> {
        check_inputs(data.len(), bit_len, bearer)?;
        zero_tail(data, bit_len);
        Ok(())
    }
}

impl IntegrityAlgorithm for Eia0 {
    fn mac(
        &self,
        _key: &Key128,
        _count: u32,
        bearer: u8,
        _direction: Direction,
        data: &[u8],
        bit_len: usize,
    ) -> Result<[u8; 4], SecurityError> {
        check_inputs(data.len(), bit_len, bearer)?;
        Ok([0; 4])
    }
}

/// The keyed algorithms differ only in the primitive they call: the input checks and the
/// zeroed tail are the same for all of them.
macro_rules! keyed_cipher {
    ($ty:ty, $f:path) => {
        impl CipherAlgorithm for $ty {
            fn apply(
                &self,
                key: &Key128,
                count: u32,
                bearer: u8,
                direction: Direction,
                data: &mut [u8],
                bit_len: usize,
            ) -> Result<(), SecurityError> {
                check_inputs(data.len(), bit_len, bearer)?;
                $f(key, count, bearer, direction.bit(), data, bit_len);
                zero_tail(data, bit_len);
                Ok(())
            }
        }
    };
}

macro_rules! keyed_integrity {
    ($ty:ty, $f:path) => {
        impl IntegrityAlgorithm for $ty {
            fn mac(
                &self,
                key: &Key128,
                count: u32,
                bearer: u8,
                direction: Direction,
                data: &[u8],
                bit_len: usize,
            ) -> Result<[u8; 4], SecurityError> {
                check_inputs(data.len(), bit_len, bearer)?;
                Ok($f(key, count, bearer, direction.bit(), data, bit_len))
            }
        }
    };
}

keyed_cipher!(Eea1, snow3g::eea1);
keyed_cipher!(Eea2, aes_alg::eea2);
keyed_cipher!(Eea3, zuc_alg::eea3);
keyed_integrity!(Eia1, snow3g::eia1);
keyed_integrity!(Eia2, aes_alg::eia2);
keyed_integrity!(Eia3, zuc_alg::eia3);

/// Ciphering algorithm identifier as carried in NAS and RRC (4-bit, TS 33.401 §5.1.3.2;
/// the NAS type of ciphering algorithm is 3 bits, TS 24.301 §9.9.3.23).
#[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub enum CipheringAlgorithmId {
    /// "0000" EEA0 / NEA0.
    Eea0,
    /// "0001" 128-EEA1 / 128-NEA1.
    Eea1,
    /// "0010" 128-EEA2 / 128-NEA2.
    Eea2,
    /// "0011" 128-EEA3 / 128-NEA3.
    Eea3,
}

/// Integrity algorithm identifier (TS 33.401 §5.1.4.2; NAS 3-bit field TS 24.301 §9.9.3.23).
#[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub enum IntegrityAlgorithmId {
    /// "0000" EIA0 / NIA0.
    Eia0,
    /// "0001" 128-EIA1 / 128-NIA1.
    Eia1,
    /// "0010" 128-EIA2 / 128-NIA2.
    Eia2,
    /// "0011" 128-EIA3 / 128-NIA3.
    Eia3,
}

impl CipheringAlgorithmId {
    /// The identifier from its code point; `None` for the reserved values 4..=15.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(Self::Eea0),
            1 => Some(Self::Eea1),
            2 => Some(Self::Eea2),
            3 => Some(Self::Eea3),
            _ => None,
        }
    }

    /// The code point (algorithm identity in the KDF, TS 33.401 §A.7).
    pub fn code(self) -> u8 {
        self as u8
    }
}

impl IntegrityAlgorithmId {
    /// The identifier from its code point; `None` for the reserved values 4..=15.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(Self::Eia0),
            1 => Some(Self::Eia1),
            2 => Some(Self::Eia2),
            3 => Some(Self::Eia3),
            _ => None,
        }
    }

    /// The code point (algorithm identity in the KDF, TS 33.401 §A.7).
    pub fn code(self) -> u8 {
        self as u8
    }
}

impl CipherAlgorithm for CipheringAlgorithmId {
    fn apply(
        &self,
        key: &Key128,
        count: u32,
        bearer: u8,
        direction: Direction,
        data: &mut [u8],
        bit_len: usize,
    ) -> Result<(), SecurityError> {
        match self {
            Self::Eea0 => Eea0.apply(key, count, bearer, direction, data, bit_len),
            Self::Eea1 => Eea1.apply(key, count, bearer, direction, data, bit_len),
            Self::Eea2 => Eea2.apply(key, count, bearer, direction, data, bit_len),
            Self::Eea3 => Eea3.apply(key, count, bearer, direction, data, bit_len),
        }
    }
}

impl IntegrityAlgorithm for IntegrityAlgorithmId {
    fn mac(
        &self,
        key: &Key128,
        count: u32,
        bearer: u8,
        direction: Direction,
        data: &[u8],
        bit_len: usize,
    ) -> Result<[u8; 4], SecurityError> {
        match self {
            Self::Eia0 => Eia0.mac(key, count, bearer, direction, data, bit_len),
            Self::Eia1 => Eia1.mac(key, count, bearer, direction, data, bit_len),
            Self::Eia2 => Eia2.mac(key, count, bearer, direction, data, bit_len),
            Self::Eia3 => Eia3.mac(key, count, bearer, direction, data, bit_len),
        }
    }
}
