//! PDCP, TS 36.323 (Rel-17): data PDU formats ([`pdu`]), the entity for SRBs and DRBs
//! ([`entity`]), and the security seam ([`PdcpSecurity`]) through which ciphering and
//! integrity algorithms are plugged in.
//!
//! NB-IoT (TS 36.331 §5.3.1.1 and §5.3.3.1): SRB1bis uses "the same configuration as SRB1
//! but no PDCP entity" and carries RRC/NAS until AS security is activated; a UE with only
//! the Control Plane CIoT optimisation has SRB1bis only. [`entity::PdcpEntity`] models this
//! with [`entity::PdcpBearer::Srb1bis`], a pass-through without header, COUNT or security.

pub mod entity;
pub mod pdu;
pub mod security;

/// Transmission direction as an input of the security algorithms (TS 33.401 §B.1, §B.2:
/// DIRECTION is 0 for uplink, 1 for downlink).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// UE to network (DIRECTION = 0).
    Uplink,
    /// Network to UE (DIRECTION = 1).
    Downlink,
}

impl Direction {
    /// The DIRECTION bit.
    pub fn bit(self) -> u8 {
        match self {
            Direction::Uplink => 0,
            Direction::Downlink => 1,
        }
    }
    /// The opposite direction.
    pub fn reverse(self) -> Self {
        match self {
            Direction::Uplink => Direction::Downlink,
            Direction::Downlink => Direction::Uplink,
        }
    }
}

/// Ciphering and integrity for PDCP (TS 36.323 §5.6, §5.7). The keys (K_RRCenc, K_RRCint,
/// K_UPenc) live in the implementation; the entity gives COUNT, BEARER (radio bearer
/// identity − 1, TS 36.323 §5.6) and DIRECTION.
///
/// The real EEA1/2/3 and EIA1/2/3 are [`security::PdcpAlgorithms`] (on the `ntn-security`
/// crate); [`NullSecurity`] is EEA0/EIA0.
pub trait PdcpSecurity {
    /// Ciphers or deciphers `data` in place (the EEA algorithms are keystream XORs, so one
    /// function does both).
    fn cipher(&self, count: u32, bearer: u8, direction: Direction, data: &mut [u8]);
    /// The 32-bit MAC-I over `message` (PDCP header and data part, before ciphering).
    fn integrity_mac(
        &self,
        count: u32,
        bearer: u8,
        direction: Direction,
        message: &[u8],
    ) -> [u8; 4];
}

/// EEA0 and EIA0 (TS 33.401 §5.1.3.2, §5.1.4.2): no ciphering, an all-zero MAC-I.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NullSecurity;

impl PdcpSecurity for NullSecurity {
    fn cipher(&self, _count: u32, _bearer: u8, _direction: Direction, _data: &mut [u8]) {}
    fn integrity_mac(
        &self,
        _count: u32,
        _bearer: u8,
        _direction: Direction,
        _message: &[u8],
    ) -> [u8; 4] {
        [0; 4]
    }
}
