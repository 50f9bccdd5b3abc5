//! [`PdcpSecurity`] on the real algorithms of `ntn-security`: 128-EEA0/1/2/3 for ciphering and
//! 128-EIA0/1/2/3 for integrity (TS 33.401 Annex B), with K_RRCenc/K_RRCint (SRBs) or
//! K_UPenc (DRBs) from the key hierarchy.
//!
//! Inputs as TS 33.401 §B.1.1/§B.2.1 and TS 36.323 §5.6/§5.7 give them: COUNT = the PDCP
//! COUNT (HFN ‖ SN), BEARER = radio bearer identity − 1 (5 bits), DIRECTION = 0 uplink /
//! 1 downlink, LENGTH = the message in bits (whole octets in PDCP). Integrity covers the
//! PDCP header and data part before ciphering; ciphering covers the data part and MAC-I.

use super::{Direction, PdcpSecurity};
use ntn_security::{
    CipherAlgorithm, CipheringAlgorithmId, IntegrityAlgorithm, IntegrityAlgorithmId, Key128,
};

/// The algorithms and keys of one PDCP entity.
#[derive(Clone, PartialEq, Eq)]
pub struct PdcpAlgorithms {
    /// Ciphering algorithm (EEA0 = none).
    pub cipher: CipheringAlgorithmId,
    /// Integrity algorithm (EIA0 = null MAC; SRBs only).
    pub integrity: IntegrityAlgorithmId,
    /// K_RRCenc or K_UPenc.
    pub k_enc: Key128,
    /// K_RRCint (unused on DRBs).
    pub k_int: Key128,
}

impl core::fmt::Debug for PdcpAlgorithms {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Keys are not printed.
        f.debug_struct("PdcpAlgorithms")
            .field("cipher", &self.cipher)
            .field("integrity", &self.integrity)
            .finish_non_exhaustive()
    }
}

fn dir(d: Direction) -> ntn_security::Direction {
    match d {
        Direction::Uplink => ntn_security::Direction::Uplink,
        Direction::Downlink => ntn_security::Direction::Downlink,
    }
}

impl PdcpSecurity for PdcpAlgorithms {
    /// The algorithms only fail for a BEARER above 31 or a message of 2³² bits or more,
    /// neither of which a PDCP entity produces (rb_id ≤ 32, PDUs ≤ 8188 octets); in that
    /// case the data is left unciphered, which the peer's integrity check (SRB) or the upper
    /// layer (DRB) then rejects.
    fn cipher(&self, count: u32, bearer: u8, direction: Direction, data: &mut [u8]) {
        let bits = data.len() * 8;
        let _ = self.cipher.apply(
            &self.k_enc,
            count,
            bearer & 0x1f,
            dir(direction),
            data,
            bits,
        );
    }

    /// On an algorithm error (see [`PdcpAlgorithms::cipher`]) the MAC is all ones, which a
    /// correctly computed MAC-I matches only by chance (2⁻³²).
    fn integrity_mac(
        &self,
        count: u32,
        bearer: u8,
        direction: Direction,
        message: &[u8],
    ) -> [u8; 4] {
        self.integrity
            .mac(
                &self.k_int,
                count,
                bearer & 0x1f,
                dir(direction),
                message,
                message.len() * 8,
            )
            .unwrap_or([0xff; 4])
    }
}
