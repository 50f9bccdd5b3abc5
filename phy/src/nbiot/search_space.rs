//! NPDCCH search spaces and repetitions (36.213 §16.6, 36.211 §10.2.5) and the blind decoder
//! that walks them.
//!
//! - **Search space** `(R_max, G, α_offset)`: period `T = R_max·G` subframes (`T ≥ 4`), starting
//!   subframe `k0` where `(10·n_f + ⌊n_s/2⌋) mod T = ⌊α_offset·T⌋`; `G ∈ {1.5, 2, 4, 8, 16, 32,
//!   48, 64}`, `α_offset ∈ {0, 1/8, 1/4, 3/8}`, `R_max ∈ {1, 2, 4, …, 2048}`. Type1 (paging)
//!   starts at the paging-occasion subframe the caller gives.
//! - **Candidates**: a candidate of repetition level `R` starts at `k_b`, the `b`-th NB-IoT DL
//!   subframe from `k0` (`b = u·R`, `u = 0…R_max/R − 1`; Type1: `u = 0` only) and occupies `R`
//!   consecutive NB-IoT DL subframes (SIB1-NB subframes and the NPBCH/NPSS/NSSS subframes are
//!   skipped; SI-message subframes are not known at this layer and are not skipped).
//!   Repetition levels and aggregation levels (Tables 16.6-1/-2/-3):
//!   UE-specific and Type2: `R_max` 1 → {1}; 2 → {1, 2}; 4 → {1, 2, 4}; ≥ 8 →
//!   {R_max/8, R_max/4, R_max/2, R_max}, the index being the 2-bit "DCI subframe repetition
//!   number"; aggregation level 1 (NCCE 0 or 1) only for the UE-specific space with `R = 1` and
//!   `R_max ≤ 2`, level 2 otherwise. Type1: `R_max` ≤ 128 → {1, 2, 4, …, R_max}; 256 → {1, 4, 8,
//!   16, 32, 64, 128, 256}; 512 → {1, 4, 16, 32, 64, 128, 256, 512}; 1024 → {1, 8, 32, 64, 128,
//!   256, 512, 1024}; 2048 → {1, 8, 64, 128, 256, 512, 1024, 2048}, level 2.
//! - **l_NPDCCHStart** (§16.6.1, read in the spec text): `eutraControlRegionSize` when that
//!   higher-layer parameter is present (in-band operation), otherwise 0
//!   ([`npdcch_start_symbol`]); the real DCI captures decode with 0.
//! - **Repetitions** (§10.2.5.2): every subframe of a candidate carries the same coded bits;
//!   the scrambling is initialised at the candidate's first subframe and again after every 4th
//!   NPDCCH subframe, with `⌊n_s/2⌋` of the subframe where it is (re-)initialised (our reading:
//!   the same scrambled block is sent in the subframes between re-initialisations, as for
//!   NPDSCH subframe repetition).

use num_complex::Complex32;

use super::chest::{ChannelEstimate, NrsChannelEstimator};
use super::diversity::{equalised_llrs, precode_and_map};
use super::npdcch::{DCI_MAX_BITS, NpdcchCandidate, npdcch_c_init, npdcch_re_positions};
use super::npdsch::{Sib1Schedule, SubframeIndex, is_nbiot_dl_subframe};
use super::{NcellId, NrsPorts};
use crate::crc::{CrcKind, crc_attach, crc_remainder, read_bits_msb_first};
use crate::error::{PhyError, check_finite_c32, check_len};
use crate::grid::{NBIOT_SUBCARRIERS, ResourceGrid, SYMBOLS_PER_SUBFRAME};
use crate::modulation::qpsk_map;
use crate::ratematch::ConvRateMatcher;
use crate::scrambling::{descramble_llrs, scramble_bits};
use crate::tbcc::{TbccDecoder, tbcc_encode};

/// `R_max` values (`npdcch-NumRepetitions` and friends).
pub const NPDCCH_R_MAX_VALUES: [usize; 12] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048];
/// `G` values (`npdcch-StartSF-USS`, `npdcch-StartSF-CSS-RA`), times 2 (1.5 → 3).
pub const NPDCCH_G_TIMES2: [u32; 8] = [3, 4, 8, 16, 32, 64, 96, 128];
/// `α_offset` values (`npdcch-Offset-USS`, `npdcch-Offset-RA`), times 8.
pub const NPDCCH_ALPHA_TIMES8: [u32; 4] = [0, 1, 2, 3];

/// `l_NPDCCHStart` (36.213 §16.6.1): `eutraControlRegionSize` if configured, else 0.
pub fn npdcch_start_symbol(eutra_control_region_size: Option<u8>) -> usize {
    usize::from(eutra_control_region_size.unwrap_or(0))
}

/// Which NPDCCH search space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchSpaceKind {
    /// Type1 common search space (paging, P-RNTI), Table 16.6-2.
    Type1Common,
    /// Type2 common search space (random access), Table 16.6-3.
    Type2Common,
    /// UE-specific search space (C-RNTI), Table 16.6-1.
    UeSpecific,
}

/// A search-space configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchSpaceConfig {
    kind: SearchSpaceKind,
    r_max: usize,
    g_times2: u32,
    alpha_times8: u32,
}

/// One candidate of a search space: where it starts, its repetitions and NCCEs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchSpaceCandidate {
    /// Repetition level `R`.
    pub repetitions: usize,
    /// The "DCI subframe repetition number" field value that signals this `R`.
    pub dci_subframe_repetition: u8,
    /// NCCE(s): aggregation level 1 (one NCCE) or 2.
    pub ncce: NpdcchCandidate,
    /// The `R` NB-IoT DL subframes it occupies, in order.
    pub subframes: Vec<SubframeIndex>,
}

impl SearchSpaceConfig {
    /// A UE-specific or Type2 search space from `R_max`, `G` and `α_offset` (the higher-layer
    /// values, e.g. `G = 1.5`, `α_offset = 0.125`).
    ///
    /// # Errors
    /// `OutOfRange` for values outside the sets above, for Type1 (use [`Self::type1`]) and for
    /// `T = R_max·G < 4`.
    pub fn new(
        kind: SearchSpaceKind,
        r_max: usize,
        g: f32,
        alpha_offset: f32,
    ) -> Result<Self, PhyError> {
        if kind == SearchSpaceKind::Type1Common {
            return Err(PhyError::OutOfRange {
                what: "search space kind (Type1 has no G/α)",
                value: 1,
            });
        }
        Self::check_r_max(r_max)?;
        let g_times2 = NPDCCH_G_TIMES2
            .iter()
            .copied()
            .find(|&v| (v as f32 - 2.0 * g).abs() < 1e-3)
            .ok_or(PhyError::OutOfRange {
                what: "G",
                value: (g * 1000.0) as i64,
            })?;
        let alpha_times8 = NPDCCH_ALPHA_TIMES8
            .iter()
            .copied()
            .find(|&v| (v as f32 - 8.0 * alpha_offset).abs() < 1e-3)
            .ok_or(PhyError::OutOfRange {
                what: "alpha_offset",
                value: (alpha_offset * 1000.0) as i64,
            })?;
        let t2 = r_max as u64 * u64::from(g_times2);
        if t2 < 8 {
            return Err(PhyError::OutOfRange {
                what: "T = R_max·G (must be ≥ 4)",
                value: (t2 / 2) as i64,
            });
        }
        Ok(SearchSpaceConfig {
            kind,
            r_max,
            g_times2,
            alpha_times8,
        })
    }

    /// A Type1 common search space (paging) with `R_max = npdcch-NumRepetitionPaging`.
    ///
    /// # Errors
    /// `OutOfRange` for an `R_max` outside the set.
    pub fn type1(r_max: usize) -> Result<Self, PhyError> {
        Self::check_r_max(r_max)?;
        Ok(SearchSpaceConfig {
            kind: SearchSpaceKind::Type1Common,
            r_max,
            g_times2: 0,
            alpha_times8: 0,
        })
    }

    fn check_r_max(r_max: usize) -> Result<(), PhyError> {
        if NPDCCH_R_MAX_VALUES.contains(&r_max) {
            Ok(())
        } else {
            Err(PhyError::OutOfRange {
                what: "R_max",
                value: r_max as i64,
            })
        }
    }

    /// The kind.
    pub fn kind(&self) -> SearchSpaceKind {
        self.kind
    }

    /// `R_max`.
    pub fn r_max(&self) -> usize {
        self.r_max
    }

    /// Period `T = R_max·G` in subframes (`None` for Type1).
    pub fn period_subframes(&self) -> Option<u32> {
        (self.kind != SearchSpaceKind::Type1Common).then(|| (self.r_max as u32 * self.g_times2) / 2)
    }

    /// True if `sf` is a search-space start `k0`:
    /// `(10·n_f + ⌊n_s/2⌋) mod T = ⌊α_offset·T⌋` (always false for Type1).
    pub fn is_start(&self, sf: SubframeIndex) -> bool {
        let Some(t) = self.period_subframes() else {
            return false;
        };
        sf.absolute() % t == (self.alpha_times8 * t) / 8
    }

    /// The first search-space start at or after `from` (within one SFN cycle).
    pub fn next_start(&self, from: SubframeIndex) -> Option<SubframeIndex> {
        let mut sf = from;
        for _ in 0..10240 {
            if self.is_start(sf) {
                return Some(sf);
            }
            sf = sf.next();
        }
        None
    }

    /// The repetition levels `R` with their "DCI subframe repetition number" values.
    pub fn repetition_levels(&self) -> Vec<(usize, u8)> {
        let r = self.r_max;
        let levels: Vec<usize> = match self.kind {
            SearchSpaceKind::Type1Common => match r {
                256 => vec![1, 4, 8, 16, 32, 64, 128, 256],
                512 => vec![1, 4, 16, 32, 64, 128, 256, 512],
                1024 => vec![1, 8, 32, 64, 128, 256, 512, 1024],
                2048 => vec![1, 8, 64, 128, 256, 512, 1024, 2048],
                _ => (0..).map(|i| 1usize << i).take_while(|&v| v <= r).collect(),
            },
            _ => match r {
                1 => vec![1],
                2 => vec![1, 2],
                4 => vec![1, 2, 4],
                _ => vec![r / 8, r / 4, r / 2, r],
            },
        };
        levels
            .into_iter()
            .enumerate()
            .map(|(i, v)| (v, i as u8))
            .collect()
    }

    /// Every candidate of the search space that starts at `k0` (a start from
    /// [`Self::is_start`], or the paging-occasion subframe for Type1), in order of `R`, then
    /// start, then NCCE (0, 1, both). NB-IoT DL subframes skip SIB1-NB of `sib1`.
    pub fn candidates(
        &self,
        k0: SubframeIndex,
        sib1: Option<&Sib1Schedule>,
        out: &mut Vec<SearchSpaceCandidate>,
    ) {
        out.clear();
        // the NB-IoT DL subframes from k0 that the longest candidate can reach
        let mut dl = Vec::with_capacity(self.r_max);
        let mut sf = k0;
        while dl.len() < self.r_max {
            if is_nbiot_dl_subframe(sf, sib1) {
                dl.push(sf);
            }
            sf = sf.next();
        }
        for (r, rep_field) in self.repetition_levels() {
            let starts = if self.kind == SearchSpaceKind::Type1Common {
                1
            } else {
                self.r_max / r
            };
            let al1 = self.kind == SearchSpaceKind::UeSpecific && r == 1 && self.r_max <= 2;
            let nccess: &[NpdcchCandidate] = if al1 {
                &NpdcchCandidate::ALL
            } else {
                &[NpdcchCandidate::Both]
            };
            for u in 0..starts {
                let b = u * r;
                for &ncce in nccess {
                    out.push(SearchSpaceCandidate {
                        repetitions: r,
                        dci_subframe_repetition: rep_field,
                        ncce,
                        subframes: dl[b..b + r].to_vec(),
                    });
                }
            }
        }
    }
}

/// Scrambling `c_init` of repetition `j` of an NPDCCH whose subframes are `subframes`:
/// initialised at the first subframe and after every 4th (36.211 §10.2.5.2).
pub fn npdcch_repetition_c_init(cell: NcellId, subframes: &[SubframeIndex], j: usize) -> u32 {
    let first = subframes.get((j / 4) * 4).map_or(0, |s| s.subframe);
    npdcch_c_init(cell, first)
}

/// Where NPDCCHs are sent or searched: cell, NRS ports and `l_NPDCCHStart`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NpdcchCell {
    /// Cell identity.
    pub cell: NcellId,
    /// NRS ports (those of the NPBCH).
    pub ports: NrsPorts,
    /// `l_NPDCCHStart` ([`npdcch_start_symbol`]).
    pub start_symbol: usize,
}

/// Encodes a DCI once and maps it onto the subframes of a candidate.
#[derive(Debug, Clone)]
pub struct NpdcchRepetitionEncoder {
    cell: NpdcchCell,
    ncce: NpdcchCandidate,
    pos: Vec<(usize, usize)>,
    coded: Vec<u8>,
    e: Vec<u8>,
    x: Vec<Complex32>,
}

impl NpdcchRepetitionEncoder {
    /// Encodes `dci` (payload bits, 1…32) for `rnti` (CRC-16 masked with the RNTI, TBCC, rate
    /// matching to the REs of `ncce`).
    ///
    /// # Errors
    /// `OutOfRange` for an empty or too long DCI or `l_NPDCCHStart > 13`.
    pub fn new(
        cell: NpdcchCell,
        ncce: NpdcchCandidate,
        dci: &[u8],
        rnti: u16,
    ) -> Result<Self, PhyError> {
        if dci.is_empty() || dci.len() > DCI_MAX_BITS {
            return Err(PhyError::OutOfRange {
                what: "DCI length",
                value: dci.len() as i64,
            });
        }
        if cell.start_symbol >= SYMBOLS_PER_SUBFRAME {
            return Err(PhyError::OutOfRange {
                what: "l_NPDCCHStart",
                value: cell.start_symbol as i64,
            });
        }
        let a = dci.len();
        let mut c = vec![0u8; a + 16];
        c[..a].copy_from_slice(dci);
        crc_attach(CrcKind::Crc16, &mut c, a);
        for (i, b) in c[a..].iter_mut().enumerate() {
            *b ^= ((rnti >> (15 - i)) & 1) as u8;
        }
        let mut coded = vec![0u8; 3 * c.len()];
        tbcc_encode(&c, &mut coded);
        let mut pos = Vec::with_capacity(168);
        npdcch_re_positions(cell.cell, ncce, cell.ports, cell.start_symbol, &mut pos);
        let mut e = vec![0u8; 2 * pos.len()];
        ConvRateMatcher::new(c.len()).rate_match(&coded, &mut e);
        Ok(NpdcchRepetitionEncoder {
            cell,
            ncce,
            x: vec![Complex32::default(); pos.len()],
            coded: e.clone(),
            e,
            pos,
        })
    }

    /// Writes the DCI into the grids (one per port) of a subframe, scrambled with `c_init`.
    ///
    /// # Errors
    /// `Length` if the grid count differs from the port count.
    pub fn map(&mut self, c_init: u32, grids: &mut [ResourceGrid]) -> Result<(), PhyError> {
        check_len("NPDCCH grids", self.cell.ports.count(), grids.len())?;
        self.e.copy_from_slice(&self.coded);
        scramble_bits(&mut self.e, c_init, 0);
        qpsk_map(&self.e, &mut self.x);
        precode_and_map(&self.x, &self.pos, None, self.cell.ports, grids);
        Ok(())
    }

    /// The NCCE(s) used.
    pub fn ncce(&self) -> NpdcchCandidate {
        self.ncce
    }
}

/// A DCI found in a search space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchSpaceDci {
    /// Payload bits (CRC removed).
    pub bits: Vec<u8>,
    /// The candidate that carried it.
    pub candidate: SearchSpaceCandidate,
}

/// Blind NPDCCH decoder over a search space with soft combining of repetitions. Channel
/// estimates are computed once per subframe of a search.
#[derive(Debug, Clone)]
pub struct NpdcchSearcher {
    chest: NrsChannelEstimator,
    viterbi: TbccDecoder,
    cache: Vec<(SubframeIndex, ChannelEstimate)>,
    candidates: Vec<SearchSpaceCandidate>,
    pos: Vec<(usize, usize)>,
    eq: Vec<Complex32>,
    llr: Vec<f32>,
    acc: Vec<f32>,
    soft: Vec<f32>,
    decoded: Vec<u8>,
    rep_field: Option<(usize, usize)>,
}

impl Default for NpdcchSearcher {
    fn default() -> Self {
        Self::new()
    }
}

impl NpdcchSearcher {
    /// Plans the searcher.
    pub fn new() -> Self {
        NpdcchSearcher {
            chest: NrsChannelEstimator::new(),
            viterbi: TbccDecoder::new(DCI_MAX_BITS + 16),
            cache: Vec::new(),
            candidates: Vec::new(),
            pos: Vec::with_capacity(168),
            eq: Vec::with_capacity(168),
            llr: Vec::with_capacity(336),
            acc: Vec::with_capacity(336),
            soft: Vec::with_capacity(3 * (DCI_MAX_BITS + 16)),
            decoded: Vec::with_capacity(DCI_MAX_BITS + 16),
            rep_field: None,
        }
    }

    /// Requires the "DCI subframe repetition number" field (`width` bits from payload bit
    /// `offset`) to match the candidate's repetition level; CRC passes that disagree are
    /// discarded (36.213 §16.6.2, consistent control information). For DCI N0/N1 (23 bits)
    /// the field is the last 2 bits: `(21, 2)`; for N2 (paging, Type1) the last 3: `(12, 3)`.
    pub fn with_repetition_field(mut self, offset: usize, width: usize) -> Self {
        self.rep_field = Some((offset, width));
        self
    }

    /// Searches the candidates of `space` starting at `k0` for a DCI of `dci_len` bits whose
    /// CRC passes under `rnti`. `grid_of` returns the demodulated grid of a subframe, or `None`
    /// if it was not received (candidates needing it are skipped). The first passing
    /// candidate (in the order of [`SearchSpaceConfig::candidates`]) is returned.
    ///
    /// # Errors
    /// `OutOfRange` for a bad DCI length or `l_NPDCCHStart`; `Length`/`NonFinite` for a bad
    /// grid; `NotFound` if no candidate passes.
    #[allow(clippy::too_many_arguments)] // the search inputs of 36.213 §16.6
    pub fn search<'g>(
        &mut self,
        space: &SearchSpaceConfig,
        k0: SubframeIndex,
        sib1: Option<&Sib1Schedule>,
        cell: NpdcchCell,
        rnti: u16,
        dci_len: usize,
        grid_of: &dyn Fn(SubframeIndex) -> Option<&'g ResourceGrid>,
    ) -> Result<SearchSpaceDci, PhyError> {
        if dci_len == 0 || dci_len > DCI_MAX_BITS {
            return Err(PhyError::OutOfRange {
                what: "DCI length",
                value: dci_len as i64,
            });
        }
        if cell.start_symbol >= SYMBOLS_PER_SUBFRAME {
            return Err(PhyError::OutOfRange {
                what: "l_NPDCCHStart",
                value: cell.start_symbol as i64,
            });
        }
        self.cache.clear();
        let mut candidates = std::mem::take(&mut self.candidates);
        space.candidates(k0, sib1, &mut candidates);
        let d = dci_len + 16;
        let rm = ConvRateMatcher::new(d);
        let mut result = Err(PhyError::NotFound { what: "DCI" });
        'cand: for cand in &candidates {
            npdcch_re_positions(
                cell.cell,
                cand.ncce,
                cell.ports,
                cell.start_symbol,
                &mut self.pos,
            );
            self.acc.clear();
            self.acc.resize(2 * self.pos.len(), 0.0);
            for (j, &sf) in cand.subframes.iter().enumerate() {
                let Some(grid) = grid_of(sf) else {
                    continue 'cand;
                };
                let chest = self.estimate(grid, sf, cell)?;
                equalised_llrs(
                    grid,
                    &chest,
                    cell.ports,
                    &self.pos,
                    &mut self.eq,
                    &mut self.llr,
                );
                let c_init = npdcch_repetition_c_init(cell.cell, &cand.subframes, j);
                descramble_llrs(&mut self.llr, c_init, 0);
                for (a, l) in self.acc.iter_mut().zip(&self.llr) {
                    *a += l;
                }
            }
            self.soft.clear();
            self.soft.resize(3 * d, 0.0);
            rm.rate_dematch(&self.acc, &mut self.soft)?;
            self.decoded.clear();
            self.decoded.resize(d, 0);
            self.viterbi.decode(&self.soft, &mut self.decoded)?;
            let rem = crc_remainder(CrcKind::Crc16, &self.decoded[..dci_len]);
            let consistent = self.rep_field.is_none_or(|(o, w)| {
                self.decoded
                    .get(o..o + w)
                    .filter(|_| o + w <= dci_len)
                    .is_some_and(|f| {
                        read_bits_msb_first(f) == u32::from(cand.dci_subframe_repetition)
                    })
            });
            if consistent && rem ^ u32::from(rnti) == read_bits_msb_first(&self.decoded[dci_len..])
            {
                result = Ok(SearchSpaceDci {
                    bits: self.decoded[..dci_len].to_vec(),
                    candidate: cand.clone(),
                });
                break;
            }
        }
        self.candidates = candidates;
        result
    }

    /// The channel estimate of subframe `sf`, computed once per search.
    fn estimate(
        &mut self,
        grid: &ResourceGrid,
        sf: SubframeIndex,
        cell: NpdcchCell,
    ) -> Result<ChannelEstimate, PhyError> {
        if let Some((_, c)) = self.cache.iter().find(|(s, _)| *s == sf) {
            return Ok(c.clone());
        }
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
        let c = self
            .chest
            .estimate(grid, cell.cell, sf.subframe, cell.ports)?;
        self.cache.push((sf, c.clone()));
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sf(f: u32, s: u32) -> SubframeIndex {
        SubframeIndex::new(f, s).unwrap()
    }

    #[test]
    fn levels_and_candidate_counts() {
        let uss = |r| SearchSpaceConfig::new(SearchSpaceKind::UeSpecific, r, 4.0, 0.0).unwrap();
        assert_eq!(uss(1).repetition_levels(), [(1, 0)]);
        assert_eq!(uss(2).repetition_levels(), [(1, 0), (2, 1)]);
        assert_eq!(uss(4).repetition_levels(), [(1, 0), (2, 1), (4, 2)]);
        assert_eq!(
            uss(64).repetition_levels(),
            [(8, 0), (16, 1), (32, 2), (64, 3)]
        );
        let t1 = SearchSpaceConfig::type1(512).unwrap();
        assert_eq!(
            t1.repetition_levels()
                .iter()
                .map(|l| l.0)
                .collect::<Vec<_>>(),
            [1, 4, 16, 32, 64, 128, 256, 512]
        );
        assert_eq!(
            SearchSpaceConfig::type1(8)
                .unwrap()
                .repetition_levels()
                .len(),
            4
        );
        let mut c = Vec::new();
        // R_max 1: NCCE0, NCCE1, both
        uss(1).candidates(sf(0, 1), None, &mut c);
        assert_eq!(c.len(), 3);
        // R_max 2: R=1 at 2 starts × 3 + R=2 at 1 start × 1
        uss(2).candidates(sf(0, 1), None, &mut c);
        assert_eq!(c.len(), 7);
        assert_eq!(c[6].subframes, [sf(0, 1), sf(0, 2)]);
        // R_max 8: R=1 ×8, 2 ×4, 4 ×2, 8 ×1, level 2 only
        uss(8).candidates(sf(0, 1), None, &mut c);
        assert_eq!(c.len(), 15);
        assert!(c.iter().all(|x| x.ncce == NpdcchCandidate::Both));
        // the R = 8 candidate skips subframes 5 and 9 (even frame) and 0
        assert_eq!(
            c[14].subframes,
            [
                sf(0, 1),
                sf(0, 2),
                sf(0, 3),
                sf(0, 4),
                sf(0, 6),
                sf(0, 7),
                sf(0, 8),
                sf(1, 1)
            ]
        );
        // Type2: level 2 only, even for R_max 1
        let t2 = SearchSpaceConfig::new(SearchSpaceKind::Type2Common, 4, 2.0, 0.0).unwrap();
        t2.candidates(sf(3, 2), None, &mut c);
        assert_eq!(c.len(), 4 + 2 + 1);
        // Type1: one start per level
        t1.candidates(sf(7, 9), None, &mut c);
        assert_eq!(c.len(), 8);
    }

    #[test]
    fn garbage_and_nan_grids_do_not_panic() {
        let space = SearchSpaceConfig::new(SearchSpaceKind::UeSpecific, 2, 4.0, 0.0).unwrap();
        let cell = NpdcchCell {
            cell: NcellId::new(5).unwrap(),
            ports: NrsPorts::Two,
            start_symbol: 0,
        };
        let mut g = ResourceGrid::nbiot_subframe();
        for l in 0..14 {
            for k in 0..12 {
                g.set(k, l, Complex32::new(((k * 3 + l * 7) as f32).sin(), 0.2));
            }
        }
        let lookup = |_: SubframeIndex| Some(&g);
        let mut s = NpdcchSearcher::new();
        assert!(matches!(
            s.search(&space, sf(1, 1), None, cell, 7, 23, &lookup),
            Err(PhyError::NotFound { .. })
        ));
        let mut bad = g.clone();
        bad.set(0, 0, Complex32::new(f32::NAN, 0.0));
        let lookup = |_: SubframeIndex| Some(&bad);
        assert!(matches!(
            s.search(&space, sf(1, 1), None, cell, 7, 23, &lookup),
            Err(PhyError::NonFinite { .. })
        ));
        let bad_cell = NpdcchCell {
            start_symbol: 14,
            ..cell
        };
        assert!(
            s.search(&space, sf(1, 1), None, bad_cell, 7, 23, &lookup)
                .is_err()
        );
        assert!(NpdcchRepetitionEncoder::new(cell, NpdcchCandidate::Both, &[], 1).is_err());
    }

    #[test]
    fn starts_and_validation() {
        // T = 8·4 = 32, α = 1/8 → offset 4
        let s = SearchSpaceConfig::new(SearchSpaceKind::UeSpecific, 8, 4.0, 0.125).unwrap();
        assert_eq!(s.period_subframes(), Some(32));
        assert!(s.is_start(sf(0, 4)));
        assert!(s.is_start(sf(3, 6)));
        assert!(!s.is_start(sf(3, 5)));
        assert_eq!(s.next_start(sf(0, 5)), Some(sf(3, 6)));
        // G = 1.5, R_max 8: T = 12, α = 3/8 → ⌊4.5⌋ = 4
        let s = SearchSpaceConfig::new(SearchSpaceKind::Type2Common, 8, 1.5, 0.375).unwrap();
        assert_eq!(s.period_subframes(), Some(12));
        assert!(s.is_start(sf(1, 6)));
        assert!(SearchSpaceConfig::new(SearchSpaceKind::UeSpecific, 2, 1.5, 0.0).is_err());
        assert!(SearchSpaceConfig::new(SearchSpaceKind::UeSpecific, 3, 2.0, 0.0).is_err());
        assert!(SearchSpaceConfig::new(SearchSpaceKind::UeSpecific, 4, 3.0, 0.0).is_err());
        assert!(SearchSpaceConfig::new(SearchSpaceKind::UeSpecific, 4, 2.0, 0.2).is_err());
        assert!(SearchSpaceConfig::new(SearchSpaceKind::Type1Common, 4, 2.0, 0.0).is_err());
        assert_eq!(npdcch_start_symbol(None), 0);
        assert_eq!(npdcch_start_symbol(Some(2)), 2);
        // c_init re-initialised every 4th subframe
        let subs = [sf(0, 1), sf(0, 2), sf(0, 3), sf(0, 4), sf(0, 6), sf(0, 7)];
        let cell = NcellId::new(9).unwrap();
        assert_eq!(
            npdcch_repetition_c_init(cell, &subs, 3),
            npdcch_c_init(cell, 1)
        );
        assert_eq!(
            npdcch_repetition_c_init(cell, &subs, 4),
            npdcch_c_init(cell, 6)
        );
    }
}
