//! NPDCCH (36.211 §10.2.5, 36.212 §6.4.3): DCI with a CRC-16 masked by the RNTI, TBCC,
//! rate matching to the REs of the NCCE(s), scrambling, QPSK, one or two NRS ports.
//!
//! - NCCE 0 = subcarriers 0…5, NCCE 1 = subcarriers 6…11; aggregation level 1 uses one NCCE,
//!   level 2 both.
//! - REs: symbols `l ≥ l_NPDCCHStart` (0 standalone/guard-band), not on NRS of the configured
//!   ports, mapped first by `k` then by `l` (§10.2.5.5).
//! - Scrambling: `c_init = ⌊n_s/2⌋·2^9 + N_ID^Ncell`, `n_s` the first slot of the subframe
//!   (re-initialised every 4th NPDCCH subframe of a repetition; one subframe here).
//! - DCI CRC: 16 parity bits XOR the 16-bit RNTI, MSB first (36.212 §5.3.3.2 as used by
//!   §6.4.3). DCI format N0 and N1 payloads are 23 bits, N2 15 bits (Rel-13).

use num_complex::Complex32;

use super::chest::NrsChannelEstimator;
use super::diversity::{equalised_llrs, precode_and_map};
use super::nrs::nrs_positions;
use super::{NcellId, NrsPorts};
use crate::crc::{CrcKind, crc_attach, crc_remainder, read_bits_msb_first};
use crate::error::{PhyError, check_finite_c32, check_len};
use crate::grid::{NBIOT_SUBCARRIERS, ResourceGrid, SYMBOLS_PER_SUBFRAME};
use crate::modulation::qpsk_map;
use crate::ratematch::ConvRateMatcher;
use crate::scrambling::{descramble_llrs, scramble_bits};
use crate::tbcc::{TbccDecoder, tbcc_encode};

/// DCI format N0 / N1 payload length (bits).
pub const DCI_N0_N1_BITS: usize = 23;
/// DCI format N2 payload length (bits).
pub const DCI_N2_BITS: usize = 15;
/// Largest DCI payload handled.
pub const DCI_MAX_BITS: usize = 32;

/// An NPDCCH candidate: which NCCEs it occupies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NpdcchCandidate {
    /// Aggregation level 1 on NCCE 0 (subcarriers 0…5).
    Ncce0,
    /// Aggregation level 1 on NCCE 1 (subcarriers 6…11).
    Ncce1,
    /// Aggregation level 2 (both NCCEs).
    Both,
}

impl NpdcchCandidate {
    /// All candidates of one subframe.
    pub const ALL: [NpdcchCandidate; 3] = [
        NpdcchCandidate::Ncce0,
        NpdcchCandidate::Ncce1,
        NpdcchCandidate::Both,
    ];

    fn subcarriers(self) -> std::ops::Range<usize> {
        match self {
            NpdcchCandidate::Ncce0 => 0..6,
            NpdcchCandidate::Ncce1 => 6..12,
            NpdcchCandidate::Both => 0..12,
        }
    }
}

/// Scrambling `c_init` of an NPDCCH starting in subframe `subframe` (0…9).
pub fn npdcch_c_init(cell: NcellId, subframe: u32) -> u32 {
    // ⌊n_s/2⌋ with n_s = 2·subframe
    subframe * 512 + u32::from(cell.get())
}

/// REs of `candidate` in mapping order, skipping NRS of `ports` and symbols before
/// `start_symbol`.
pub fn npdcch_re_positions(
    cell: NcellId,
    candidate: NpdcchCandidate,
    ports: NrsPorts,
    start_symbol: usize,
    out: &mut Vec<(usize, usize)>,
) {
    out.clear();
    let mut pilots = Vec::with_capacity(16);
    // positions do not depend on the subframe
    nrs_positions(cell, ports, &mut pilots);
    for l in start_symbol..SYMBOLS_PER_SUBFRAME {
        for k in candidate.subcarriers() {
            if pilots.iter().any(|&(pk, pl, _)| pk == k && pl == l) {
                continue;
            }
            out.push((k, l));
        }
    }
}

/// Where an NPDCCH is sent or searched: cell, subframe, NRS ports and first OFDM symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NpdcchParams {
    /// Cell identity.
    pub cell: NcellId,
    /// Subframe number 0…9 (sets the scrambling and the NRS).
    pub subframe: u32,
    /// NRS ports (1: port 2000; 2: transmit diversity).
    pub ports: NrsPorts,
    /// `l_NPDCCHStart` (0 for standalone and guard-band operation).
    pub start_symbol: usize,
}

/// NPDCCH transmitter for one subframe.
#[derive(Debug, Clone, Default)]
pub struct NpdcchEncoder {
    pos: Vec<(usize, usize)>,
}

impl NpdcchEncoder {
    /// A new encoder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Encodes `dci` (payload bits) for `rnti` onto `candidate` of subframe `subframe` and
    /// writes it into the grids (one per port).
    ///
    /// # Panics
    /// If `dci` is empty or longer than [`DCI_MAX_BITS`], or the grid count differs from the
    /// port count (caller bugs).
    pub fn encode(
        &mut self,
        dci: &[u8],
        rnti: u16,
        params: &NpdcchParams,
        candidate: NpdcchCandidate,
        grids: &mut [ResourceGrid],
    ) {
        let NpdcchParams {
            cell,
            subframe,
            ports,
            start_symbol,
        } = *params;
        assert!(
            !dci.is_empty() && dci.len() <= DCI_MAX_BITS,
            "DCI length 1…32"
        );
        let a = dci.len();
        let mut c = vec![0u8; a + 16];
        c[..a].copy_from_slice(dci);
        crc_attach(CrcKind::Crc16, &mut c, a);
        for (i, b) in c[a..].iter_mut().enumerate() {
            *b ^= ((rnti >> (15 - i)) & 1) as u8;
        }
        let mut coded = vec![0u8; 3 * c.len()];
        tbcc_encode(&c, &mut coded);
        npdcch_re_positions(cell, candidate, ports, start_symbol, &mut self.pos);
        let mut e = vec![0u8; 2 * self.pos.len()];
        ConvRateMatcher::new(c.len()).rate_match(&coded, &mut e);
        scramble_bits(&mut e, npdcch_c_init(cell, subframe), 0);
        let mut x = vec![Complex32::default(); self.pos.len()];
        qpsk_map(&e, &mut x);
        precode_and_map(&x, &self.pos, None, ports, grids);
    }
}

/// A decoded DCI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedDci {
    /// Payload bits (CRC removed).
    pub bits: Vec<u8>,
    /// Where it was found.
    pub candidate: NpdcchCandidate,
    /// NRS ports assumed.
    pub ports: NrsPorts,
}

/// NPDCCH blind decoder for one subframe: tries each candidate under one RNTI and DCI size —
/// the candidates of a UE-specific search space with `R_max = 1` (NCCE 0, NCCE 1, both). For
/// search spaces with repetitions use [`super::search_space::NpdcchSearcher`].
#[derive(Debug, Clone)]
pub struct NpdcchDecoder {
    chest: NrsChannelEstimator,
    viterbi: TbccDecoder,
    pos: Vec<(usize, usize)>,
    eq: Vec<Complex32>,
    llr: Vec<f32>,
    soft: Vec<f32>,
    decoded: Vec<u8>,
}

impl Default for NpdcchDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl NpdcchDecoder {
    /// Plans the decoder (buffers for the largest DCI and candidate).
    pub fn new() -> Self {
        NpdcchDecoder {
            chest: NrsChannelEstimator::new(),
            viterbi: TbccDecoder::new(DCI_MAX_BITS + 16),
            pos: Vec::with_capacity(168),
            eq: Vec::with_capacity(168),
            llr: Vec::with_capacity(336),
            soft: Vec::with_capacity(3 * (DCI_MAX_BITS + 16)),
            decoded: Vec::with_capacity(DCI_MAX_BITS + 16),
        }
    }

    /// Searches the candidates of subframe `subframe` of `grid` for a DCI of `dci_len` bits
    /// whose CRC passes under `rnti`.
    ///
    /// # Errors
    /// `Length`/`NonFinite` for a bad grid, `OutOfRange` for a bad DCI length or subframe,
    /// `NotFound` if no candidate passes.
    pub fn decode(
        &mut self,
        grid: &ResourceGrid,
        params: &NpdcchParams,
        rnti: u16,
        dci_len: usize,
    ) -> Result<DecodedDci, PhyError> {
        let NpdcchParams {
            cell,
            subframe,
            ports,
            start_symbol,
        } = *params;
        check_len(
            "npdcch grid symbols",
            SYMBOLS_PER_SUBFRAME,
            grid.n_symbols(),
        )?;
        check_len(
            "npdcch grid subcarriers",
            NBIOT_SUBCARRIERS,
            grid.n_subcarriers(),
        )?;
        check_finite_c32("npdcch grid", grid.as_slice())?;
        if dci_len == 0 || dci_len > DCI_MAX_BITS {
            return Err(PhyError::OutOfRange {
                what: "DCI length",
                value: dci_len as i64,
            });
        }
        if start_symbol >= SYMBOLS_PER_SUBFRAME {
            return Err(PhyError::OutOfRange {
                what: "l_NPDCCHStart",
                value: start_symbol as i64,
            });
        }
        let chest = self.chest.estimate(grid, cell, subframe, ports)?;
        let d = dci_len + 16;
        let rm = ConvRateMatcher::new(d);
        for candidate in NpdcchCandidate::ALL {
            npdcch_re_positions(cell, candidate, ports, start_symbol, &mut self.pos);
            equalised_llrs(grid, &chest, ports, &self.pos, &mut self.eq, &mut self.llr);
            descramble_llrs(&mut self.llr, npdcch_c_init(cell, subframe), 0);
            self.soft.clear();
            self.soft.resize(3 * d, 0.0);
            rm.rate_dematch(&self.llr, &mut self.soft)?;
            self.decoded.clear();
            self.decoded.resize(d, 0);
            self.viterbi.decode(&self.soft, &mut self.decoded)?;
            let rem = crc_remainder(CrcKind::Crc16, &self.decoded[..dci_len]);
            if rem ^ u32::from(rnti) == read_bits_msb_first(&self.decoded[dci_len..]) {
                return Ok(DecodedDci {
                    bits: self.decoded[..dci_len].to_vec(),
                    candidate,
                    ports,
                });
            }
        }
        Err(PhyError::NotFound { what: "DCI" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nbiot::nrs::nrs_map;
    use crate::ofdm::NbiotOfdm;

    #[test]
    fn re_counts() {
        let cell = NcellId::new(0).unwrap();
        let mut pos = Vec::new();
        npdcch_re_positions(cell, NpdcchCandidate::Ncce0, NrsPorts::One, 0, &mut pos);
        assert_eq!(pos.len(), 84 - 4);
        npdcch_re_positions(cell, NpdcchCandidate::Both, NrsPorts::Two, 0, &mut pos);
        assert_eq!(pos.len(), 168 - 16);
        assert_eq!(pos[0], (0, 0));
    }

    #[test]
    fn loopback_all_candidates_and_ports() {
        let mut ofdm = NbiotOfdm::new();
        let dci: Vec<u8> = (0..DCI_N0_N1_BITS)
            .map(|i| ((i * 5 + 1) % 3 == 0) as u8)
            .collect();
        for (id, ports) in [(0u16, NrsPorts::One), (301, NrsPorts::Two)] {
            let cell = NcellId::new(id).unwrap();
            for cand in NpdcchCandidate::ALL {
                let mut grids = vec![ResourceGrid::nbiot_subframe(); ports.count()];
                let params = NpdcchParams {
                    cell,
                    subframe: 4,
                    ports,
                    start_symbol: 0,
                };
                NpdcchEncoder::new().encode(&dci, 0x1234, &params, cand, &mut grids);
                for (p, g) in grids.iter_mut().enumerate() {
                    nrs_map(g, cell, 4, p);
                }
                let mut rx = vec![Complex32::default(); 1920];
                let mut tmp = vec![Complex32::default(); 1920];
                let gains = [
                    Complex32::from_polar(1.0, 0.7),
                    Complex32::from_polar(0.7, -1.0),
                ];
                for (p, g) in grids.iter().enumerate() {
                    ofdm.modulate_subframe(g, &mut tmp);
                    for (r, t) in rx.iter_mut().zip(&tmp) {
                        *r += t * gains[p];
                    }
                }
                let mut grid = ResourceGrid::nbiot_subframe();
                ofdm.demodulate_subframe(&rx, &mut grid).unwrap();
                let mut dec = NpdcchDecoder::new();
                let got = dec.decode(&grid, &params, 0x1234, DCI_N0_N1_BITS).unwrap();
                assert_eq!(got.bits, dci);
                // level-1 candidates may also decode from the level-2 signal; the first hit wins
                if cand != NpdcchCandidate::Both {
                    assert_eq!(got.candidate, cand);
                }
                // wrong RNTI or wrong subframe (scrambling) finds nothing
                assert!(dec.decode(&grid, &params, 0x1235, DCI_N0_N1_BITS).is_err());
                assert!(
                    dec.decode(
                        &grid,
                        &NpdcchParams {
                            subframe: 5,
                            ..params
                        },
                        0x1234,
                        DCI_N0_N1_BITS
                    )
                    .is_err()
                );
            }
        }
    }
}

/// DCI format N0 (uplink grant), 36.212 §6.4.3.1, Rel-13 fields (23 bits, first field first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DciN0 {
    /// Subcarrier indication `I_sc` (6 bits).
    pub subcarrier_indication: u8,
    /// Resource assignment `I_RU` (3 bits).
    pub resource_assignment: u8,
    /// Scheduling delay `I_Delay` (2 bits).
    pub scheduling_delay: u8,
    /// Modulation and coding scheme `I_MCS` (4 bits).
    pub mcs: u8,
    /// Redundancy version (1 bit).
    pub redundancy_version: u8,
    /// Repetition number `I_Rep` (3 bits).
    pub repetition_number: u8,
    /// New data indicator (1 bit).
    pub new_data_indicator: bool,
    /// DCI subframe repetition number (2 bits).
    pub dci_subframe_repetition: u8,
}

/// DCI format N1 (downlink assignment, NPDCCH order indicator 0), 36.212 §6.4.3.2, Rel-13
/// fields (23 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DciN1 {
    /// NPDCCH order indicator (1 bit; 1 = random-access order, whose other fields differ).
    pub npdcch_order: bool,
    /// Scheduling delay `I_Delay` (3 bits).
    pub scheduling_delay: u8,
    /// Resource assignment `I_SF` (3 bits).
    pub resource_assignment: u8,
    /// Modulation and coding scheme `I_MCS` (4 bits).
    pub mcs: u8,
    /// Repetition number `I_Rep` (4 bits).
    pub repetition_number: u8,
    /// New data indicator (1 bit).
    pub new_data_indicator: bool,
    /// HARQ-ACK resource (4 bits).
    pub harq_ack_resource: u8,
    /// DCI subframe repetition number (2 bits).
    pub dci_subframe_repetition: u8,
}

/// A DCI of format N0 or N1, told apart by its first bit (0 = N0, 1 = N1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DciN0N1 {
    /// Uplink grant.
    N0(DciN0),
    /// Downlink assignment (or NPDCCH order).
    N1(DciN1),
}

impl DciN0N1 {
    /// Unpacks 23 payload bits.
    ///
    /// # Errors
    /// `Length` unless `bits.len() == 23`.
    pub fn unpack(bits: &[u8]) -> Result<Self, PhyError> {
        check_len("DCI N0/N1 payload", DCI_N0_N1_BITS, bits.len())?;
        let mut pos = 0usize;
        let mut take = |n: usize| {
            let v = read_bits_msb_first(&bits[pos..pos + n]) as u8;
            pos += n;
            v
        };
        if take(1) == 0 {
            Ok(DciN0N1::N0(DciN0 {
                subcarrier_indication: take(6),
                resource_assignment: take(3),
                scheduling_delay: take(2),
                mcs: take(4),
                redundancy_version: take(1),
                repetition_number: take(3),
                new_data_indicator: take(1) == 1,
                dci_subframe_repetition: take(2),
            }))
        } else {
            Ok(DciN0N1::N1(DciN1 {
                npdcch_order: take(1) == 1,
                scheduling_delay: take(3),
                resource_assignment: take(3),
                mcs: take(4),
                repetition_number: take(4),
                new_data_indicator: take(1) == 1,
                harq_ack_resource: take(4),
                dci_subframe_repetition: take(2),
            }))
        }
    }
}

#[cfg(test)]
mod dci_field_tests {
    use super::*;

    #[test]
    fn unpack_n0_and_n1() {
        let mut b = [0u8; DCI_N0_N1_BITS];
        // N0: subcarrier 0b000011, RU 0b101, MCS 0b1001, NDI 1
        b[5] = 1;
        b[6] = 1;
        b[7] = 1;
        b[9] = 1;
        b[12] = 1;
        b[15] = 1;
        b[20] = 1;
        let DciN0N1::N0(n0) = DciN0N1::unpack(&b).unwrap() else {
            panic!("N0 expected")
        };
        assert_eq!(
            (n0.subcarrier_indication, n0.resource_assignment, n0.mcs),
            (3, 5, 9)
        );
        assert!(n0.new_data_indicator);
        b[0] = 1;
        let DciN0N1::N1(n1) = DciN0N1::unpack(&b).unwrap() else {
            panic!("N1 expected")
        };
        // bits 1…: order 0, delay b2..b4 = 000, RA b5..b7 = 111, MCS b8..b11 = 0100,
        // rep b12..b15 = 1001, NDI b16 = 0, HARQ-ACK b17..b20 = 0001, DCI rep 00
        assert!(!n1.npdcch_order);
        assert_eq!(
            (n1.scheduling_delay, n1.resource_assignment, n1.mcs),
            (0, 7, 4)
        );
        assert_eq!((n1.repetition_number, n1.harq_ack_resource), (9, 1));
        assert!(!n1.new_data_indicator);
        assert!(DciN0N1::unpack(&b[..22]).is_err());
    }
}
