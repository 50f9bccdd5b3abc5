//! NB-IoT downlink (36.211 §10.2, 36.212 §6.4): signals and channels for the cell side and the
//! UE receiver.
//!
//! Cell side: [`npss`], [`nsss`], [`nrs`], [`npbch`] (MIB-NB over its 640 ms TTI),
//! [`npdcch`] (DCI N0/N1/N2 on NCCE candidates), [`npdsch`] (transport blocks with repetitions,
//! SIB1-NB schedule), [`diversity`] (two-port SFBC) and [`cell::NbiotCellTx`], which writes
//! whole radio frames of samples (with SIB1-NB when given one).
//! UE side: [`search`] (NPSS timing and coarse/fine frequency over ±55 kHz, NSSS → cell
//! identity and `n_f mod 8`, NPBCH soft-combined over the TTI), [`chest`] (NRS channel
//! estimation), [`tracking`] (NRS carrier offset and drift), [`npbch::NpbchDecoder`] and
//! [`npdcch::NpdcchDecoder`] (blind decoding under an RNTI in one subframe),
//! [`search_space`] (NPDCCH search spaces with repetitions and their blind decoder),
//! [`npdsch::NpdschDecoder`] (soft combining of repetitions, CRC-24A).

pub mod cell;
pub mod chest;
pub mod diversity;
pub mod npbch;
pub mod npdcch;
pub mod npdsch;
pub mod npss;
pub mod nrs;
pub mod nsss;
pub mod search;
pub mod search_space;
pub mod tracking;
pub mod ul;

use crate::error::PhyError;

/// Number of NB-IoT physical cell identities `N_ID^Ncell` (0…503), 36.211 §10.2.7.2.
pub const NUM_CELL_IDS: u16 = 504;

/// NB-IoT physical cell identity `N_ID^Ncell`, 0…503.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NcellId(u16);

impl NcellId {
    /// Validates `id < 504`.
    ///
    /// # Errors
    /// `OutOfRange` otherwise.
    pub fn new(id: u16) -> Result<Self, PhyError> {
        if id < NUM_CELL_IDS {
            Ok(NcellId(id))
        } else {
            Err(PhyError::OutOfRange {
                what: "N_ID^Ncell",
                value: i64::from(id),
            })
        }
    }

    /// The identity as an integer.
    pub const fn get(self) -> u16 {
        self.0
    }

    /// `v_shift = N_ID^Ncell mod 6` of the NRS and CRS (36.211 §10.2.6, §6.10.1.2).
    pub const fn v_shift(self) -> usize {
        (self.0 % 6) as usize
    }
}

/// Number of NRS antenna ports (1: port 2000; 2: ports 2000 and 2001).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NrsPorts {
    /// Port 2000 only.
    One,
    /// Ports 2000 and 2001 (NPBCH/NPDCCH/NPDSCH use transmit diversity).
    Two,
}

impl NrsPorts {
    /// 1 or 2.
    pub const fn count(self) -> usize {
        match self {
            NrsPorts::One => 1,
            NrsPorts::Two => 2,
        }
    }
}

/// `e^{jφ}` computed in `f64` and rounded to `Complex32`.
pub(crate) fn cis(phi: f64) -> num_complex::Complex32 {
    num_complex::Complex32::new(phi.cos() as f32, phi.sin() as f32)
}
