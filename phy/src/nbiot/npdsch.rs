//! NPDSCH (36.212 §6.4.2, 36.211 §10.2.3, 36.213 §16.4): transport block → CRC-24A → TBCC
//! (1/3, K = 7) → rate matching to `N_SF` subframes → scrambling → QPSK → one or two NRS ports,
//! with subframe repetitions, and the SIB1-NB schedule.
//!
//! - **TBS** (36.213 Table 16.4.1.5.1-1): `I_TBS` (= `I_MCS`, 0…13) × `I_SF` (0…7), Rel-14
//!   values (Rel-13 UEs stop at 680 bits). `N_SF` from `I_SF` (Table 16.4.1.3-1), `N_Rep`
//!   from `I_Rep` (Table 16.4.1.3-2).
//! - **No code-block segmentation**: the largest NB-IoT TB (2536 + 24 bits) is one TBCC block.
//! - **REs** (§10.2.3.4): symbols `l ≥ l_DataStart` of the subframe, every subcarrier, except the
//!   NRS of the configured ports; first `k`, then `l`. Only standalone and guard-band operation
//!   is mapped (in-band operation would also puncture LTE CRS REs, which this module does not
//!   model). Subframes carrying NPBCH, NPSS, NSSS or SIB1-NB are not NB-IoT DL subframes
//!   (36.213 §16.4) and are skipped ([`is_nbiot_dl_subframe`]).
//! - **Scrambling** (§10.2.3.1): BCCH (SIB1-NB and SI messages, `n_RNTI` = SI-RNTI 0xFFFF):
//!   `c_init = n_RNTI·2^15 + (N_ID+1)·((n_f mod 61)+1)`, re-initialised for each repetition,
//!   `n_f` the first frame of that repetition. Otherwise
//!   `c_init = n_RNTI·2^14 + (n_f mod 2)·2^13 + ⌊n_s/2⌋·2^9 + N_ID`, re-initialised after every
//!   `min(M_rep, 4)` transmissions of the codeword, `n_f`, `n_s` those of the first subframe of
//!   that block. [`NpdschConfig::bcch`] selects the form. A real Rel-13 eNB (the Amarisoft
//!   capture of the vector tests) scrambles its SI message (SIB2-NB) with the second, non-BCCH
//!   form under SI-RNTI, so receivers of SI messages should try both; SIB1-NB uses the BCCH form.
//! - **Repetition order** (§10.2.3.4): BCCH — the `N_SF` subframes in sequence, then the whole
//!   codeword again, `M_rep` times; otherwise each subframe is sent `min(M_rep, 4)` times in a
//!   row before the next one, and that pattern repeats until `M_rep·N_SF` subframes are sent.
//! - **SIB1-NB** (36.213 Tables 16.4.1.3-3/-4, 16.4.1.5.2-1; 36.331 §5.2.1.2a): subframe 4 of
//!   every other frame in 16 consecutive frames (8 subframes = one codeword), repeated 4, 8 or
//!   16 times equally spaced in a 256-frame period from a starting frame set by `N_ID^Ncell`.
//!
//! Transmitter and receiver work segment by segment: transmit subframe `j` of a transmission
//! carries codeword segment `s` (its `G = 2·REs` bits) scrambled with one `c_init`; both come
//! from [`NpdschConfig::segment`] (or the SIB1 schedule), so the caller decides which physical
//! subframes carry the NPDSCH. The receiver descrambles every subframe and adds its soft bits
//! into one codeword buffer (repetitions combine), then de-rate-matches and decodes once.

use num_complex::Complex32;

use super::chest::NrsChannelEstimator;
use super::diversity::{equalised_llrs, precode_and_map};
use super::npbch::OperationMode;
use super::nrs::nrs_positions;
use super::{NcellId, NrsPorts};
use crate::crc::{CrcKind, crc_attach, crc_check_masked};
use crate::error::{PhyError, check_finite_c32, check_len};
use crate::grid::{NBIOT_SUBCARRIERS, ResourceGrid, SYMBOLS_PER_SUBFRAME};
use crate::modulation::qpsk_map;
use crate::ratematch::ConvRateMatcher;
use crate::scrambling::{descramble_llrs, scramble_bits};
use crate::tbcc::{TbccDecoder, tbcc_encode};

/// Transport block sizes (bits) of 36.213 Table 16.4.1.5.1-1, `[I_TBS][I_SF]`, QPSK rows
/// `I_TBS` 0…13 (rows beyond Rel-13's 680-bit limit included, as in Rel-14 and later).
pub const NPDSCH_TBS: [[u16; 8]; 14] = [
    [16, 32, 56, 88, 120, 152, 208, 256],
    [24, 56, 88, 144, 176, 208, 256, 344],
    [32, 72, 144, 176, 208, 256, 328, 424],
    [40, 104, 176, 208, 256, 328, 440, 568],
    [56, 120, 208, 256, 328, 408, 552, 680],
    [72, 144, 224, 328, 424, 504, 680, 872],
    [88, 176, 256, 392, 504, 600, 808, 1032],
    [104, 224, 328, 472, 584, 680, 968, 1224],
    [120, 256, 392, 536, 680, 808, 1096, 1352],
    [136, 296, 456, 616, 776, 936, 1256, 1544],
    [144, 328, 504, 680, 872, 1032, 1384, 1736],
    [176, 376, 584, 776, 1000, 1192, 1608, 2024],
    [208, 440, 680, 904, 1128, 1352, 1800, 2280],
    [224, 488, 744, 1032, 1256, 1544, 2024, 2536],
];
/// `N_SF` for `I_SF` = 0…7 (36.213 Table 16.4.1.3-1).
pub const NPDSCH_N_SF: [usize; 8] = [1, 2, 3, 4, 5, 6, 8, 10];
/// `N_Rep` for `I_Rep` = 0…15 (36.213 Table 16.4.1.3-2).
pub const NPDSCH_N_REP: [usize; 16] = [
    1, 2, 4, 8, 16, 32, 64, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048,
];
/// Largest transport block (bits).
pub const NPDSCH_MAX_TBS: usize = 2536;
/// Largest `N_SF`.
pub const NPDSCH_MAX_N_SF: usize = 10;
/// SI-RNTI (36.321 Table 7.1-1), which scrambles SIB1-NB and SI messages.
pub const SI_RNTI: u16 = 0xFFFF;
/// Subframe of SIB1-NB (FDD).
pub const SIB1_SUBFRAME: u32 = 4;
/// Subframes per SIB1-NB codeword.
pub const SIB1_N_SF: usize = 8;
/// SIB1-NB TBS for `schedulingInfoSIB1` = 0…11 (36.213 Table 16.4.1.5.2-1).
pub const SIB1_TBS: [u16; 12] = [208, 208, 208, 328, 328, 328, 440, 440, 440, 680, 680, 680];
/// SIB1-NB repetitions for `schedulingInfoSIB1` = 0…11 (36.213 Table 16.4.1.3-3).
pub const SIB1_REPETITIONS: [usize; 12] = [4, 8, 16, 4, 8, 16, 4, 8, 16, 4, 8, 16];

/// TBS (bits) for `I_TBS` and `I_SF`.
///
/// # Errors
/// `OutOfRange` for `I_TBS > 13` or `I_SF > 7`.
pub fn npdsch_tbs(i_tbs: u8, i_sf: u8) -> Result<usize, PhyError> {
    let row = NPDSCH_TBS
        .get(usize::from(i_tbs))
        .ok_or(PhyError::OutOfRange {
            what: "I_TBS",
            value: i64::from(i_tbs),
        })?;
    let v = row.get(usize::from(i_sf)).ok_or(PhyError::OutOfRange {
        what: "I_SF",
        value: i64::from(i_sf),
    })?;
    Ok(usize::from(*v))
}

/// `N_SF` for `I_SF`.
///
/// # Errors
/// `OutOfRange` for `I_SF > 7`.
pub fn npdsch_n_sf(i_sf: u8) -> Result<usize, PhyError> {
    NPDSCH_N_SF
        .get(usize::from(i_sf))
        .copied()
        .ok_or(PhyError::OutOfRange {
            what: "I_SF",
            value: i64::from(i_sf),
        })
}

/// `N_Rep` for `I_Rep`.
///
/// # Errors
/// `OutOfRange` for `I_Rep > 15`.
pub fn npdsch_n_rep(i_rep: u8) -> Result<usize, PhyError> {
    NPDSCH_N_REP
        .get(usize::from(i_rep))
        .copied()
        .ok_or(PhyError::OutOfRange {
            what: "I_Rep",
            value: i64::from(i_rep),
        })
}

/// Subframes of one SI-message transmission for its `si-TB` size: 2 for 56 and 120 bits, 8
/// otherwise (36.331 `SchedulingInfo-NB`, `si-TB`).
pub const fn si_message_n_sf(tbs_bits: usize) -> usize {
    if tbs_bits <= 120 { 2 } else { 8 }
}

/// `l_DataStart` of 36.213 §16.4.1.4: 3 for SIB1-NB in in-band operation, otherwise
/// `eutraControlRegionSize` in in-band operation (0 if absent), 0 in standalone and guard-band
/// operation.
pub fn npdsch_data_start(
    mode: OperationMode,
    sib1: bool,
    eutra_control_region_size: Option<u8>,
) -> usize {
    let inband = matches!(
        mode,
        OperationMode::InbandSamePci(_) | OperationMode::InbandDifferentPci(_)
    );
    match (inband, sib1) {
        (true, true) => 3,
        (true, false) => usize::from(eutra_control_region_size.unwrap_or(0)),
        (false, _) => 0,
    }
}

/// A subframe of the frame structure: frame `n_f` (0…1023) and subframe (0…9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SubframeIndex {
    /// System frame number `n_f`, 0…1023.
    pub frame: u32,
    /// Subframe 0…9.
    pub subframe: u32,
}

impl SubframeIndex {
    /// Validates `frame < 1024`, `subframe < 10`.
    ///
    /// # Errors
    /// `OutOfRange` otherwise.
    pub fn new(frame: u32, subframe: u32) -> Result<Self, PhyError> {
        if frame >= 1024 {
            return Err(PhyError::OutOfRange {
                what: "frame number",
                value: i64::from(frame),
            });
        }
        if subframe >= 10 {
            return Err(PhyError::OutOfRange {
                what: "subframe number",
                value: i64::from(subframe),
            });
        }
        Ok(SubframeIndex { frame, subframe })
    }

    /// The next subframe (SFN wraps at 1024).
    pub fn next(self) -> Self {
        if self.subframe == 9 {
            SubframeIndex {
                frame: (self.frame + 1) % 1024,
                subframe: 0,
            }
        } else {
            SubframeIndex {
                frame: self.frame,
                subframe: self.subframe + 1,
            }
        }
    }

    /// Subframes since frame 0 subframe 0 (0…10239).
    pub fn absolute(self) -> u32 {
        10 * self.frame + self.subframe
    }
}

/// The SIB1-NB schedule of a cell (FDD): repetitions, TBS and starting frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sib1Schedule {
    /// Repetitions of the codeword per 256-frame period (4, 8 or 16).
    pub repetitions: usize,
    /// Transport block size (bits).
    pub tbs_bits: usize,
    /// First frame of the first repetition, `n_f mod 256` (Table 16.4.1.3-4).
    pub start_frame: u32,
}

/// Where a SIB1-NB subframe sits in its schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sib1Position {
    /// Repetition within the 256-frame period.
    pub repetition: usize,
    /// Codeword segment 0…7 carried by this subframe.
    pub segment: usize,
    /// Frame of the first subframe of this repetition (sets the scrambling).
    pub repetition_first_frame: u32,
}

impl Sib1Schedule {
    /// The schedule for the MIB-NB field `schedulingInfoSIB1` (0…11) in cell `cell`.
    ///
    /// # Errors
    /// `OutOfRange` for the reserved values 12…15 and above.
    pub fn new(scheduling_info_sib1: u8, cell: NcellId) -> Result<Self, PhyError> {
        let i = usize::from(scheduling_info_sib1);
        let (Some(&repetitions), Some(&tbs)) = (SIB1_REPETITIONS.get(i), SIB1_TBS.get(i)) else {
            return Err(PhyError::OutOfRange {
                what: "schedulingInfoSIB1",
                value: i64::from(scheduling_info_sib1),
            });
        };
        let id = u32::from(cell.get());
        let start_frame = match repetitions {
            4 => 16 * (id % 4),
            8 => 16 * (id % 2),
            _ => id % 2,
        };
        Ok(Sib1Schedule {
            repetitions,
            tbs_bits: usize::from(tbs),
            start_frame,
        })
    }

    /// Frames between the starts of two repetitions (`256 / repetitions`).
    pub fn spacing_frames(&self) -> u32 {
        256 / self.repetitions as u32
    }

    /// The repetition and segment that subframe 4 of frame `n_f` carries, or `None` if that
    /// subframe carries no SIB1-NB.
    pub fn locate(&self, n_f: u32) -> Option<Sib1Position> {
        let n_f = n_f % 1024;
        let d = (n_f % 256 + 256 - self.start_frame) % 256;
        let spacing = self.spacing_frames();
        let within = d % spacing;
        if within >= 16 || !within.is_multiple_of(2) {
            return None;
        }
        Some(Sib1Position {
            repetition: (d / spacing) as usize,
            segment: (within / 2) as usize,
            repetition_first_frame: (n_f + 1024 - within) % 1024,
        })
    }

    /// True if `sf` carries SIB1-NB.
    pub fn carries(&self, sf: SubframeIndex) -> bool {
        sf.subframe == SIB1_SUBFRAME && self.locate(sf.frame).is_some()
    }

    /// The NPDSCH parameters of SIB1-NB for this schedule.
    pub fn config(&self, cell: NcellId, ports: NrsPorts, data_start_symbol: usize) -> NpdschConfig {
        NpdschConfig {
            cell,
            ports,
            rnti: SI_RNTI,
            bcch: true,
            tbs_bits: self.tbs_bits,
            n_sf: SIB1_N_SF,
            n_rep: self.repetitions,
            data_start_symbol,
        }
    }
}

/// True if `sf` is an NB-IoT DL subframe that an NPDSCH or NPDCCH may use (36.213 §16.4):
/// not subframe 0 (NPBCH), 5 (NPSS), 9 of an even frame (NSSS), nor a SIB1-NB subframe of
/// `sib1`. Every other subframe counts as valid (no `downlinkBitmap` restriction).
pub fn is_nbiot_dl_subframe(sf: SubframeIndex, sib1: Option<&Sib1Schedule>) -> bool {
    match sf.subframe {
        0 | 5 => false,
        9 if sf.frame.is_multiple_of(2) => false,
        _ => !sib1.is_some_and(|s| s.carries(sf)),
    }
}

/// Appends to `out` the first `count` NB-IoT DL subframes at or after `start`.
pub fn nbiot_dl_subframes(
    start: SubframeIndex,
    count: usize,
    sib1: Option<&Sib1Schedule>,
    out: &mut Vec<SubframeIndex>,
) {
    let mut sf = start;
    let mut n = 0;
    while n < count {
        if is_nbiot_dl_subframe(sf, sib1) {
            out.push(sf);
            n += 1;
        }
        sf = sf.next();
    }
}

/// Scrambling `c_init` of an NPDSCH carrying BCCH whose repetition starts in frame `n_f`.
pub fn npdsch_c_init_bcch(cell: NcellId, rnti: u16, n_f: u32) -> u32 {
    let id = u32::from(cell.get());
    // n_RNTI·2^15 wraps past 31 bits for n_RNTI ≥ 2^16; only the low 31 bits seed x2
    (u32::from(rnti) << 15).wrapping_add((id + 1) * ((n_f % 61) + 1)) & 0x7FFF_FFFF
}

/// Scrambling `c_init` of an NPDSCH not carrying BCCH whose codeword block starts in subframe
/// `sf` (`n_s` = its first slot, `2·subframe`).
pub fn npdsch_c_init(cell: NcellId, rnti: u16, sf: SubframeIndex) -> u32 {
    let id = u32::from(cell.get());
    (u32::from(rnti) << 14) + (sf.frame % 2) * (1 << 13) + sf.subframe * (1 << 9) + id
}

/// The NPDSCH REs of one subframe in mapping order (first `k`, then `l`): symbols
/// `l ≥ data_start_symbol`, all 12 subcarriers, except the NRS of `ports`.
pub fn npdsch_re_positions(
    cell: NcellId,
    ports: NrsPorts,
    data_start_symbol: usize,
    out: &mut Vec<(usize, usize)>,
) {
    out.clear();
    let mut pilots = Vec::with_capacity(16);
    // NRS positions do not depend on the subframe
    nrs_positions(cell, ports, &mut pilots);
    for l in data_start_symbol..SYMBOLS_PER_SUBFRAME {
        for k in 0..NBIOT_SUBCARRIERS {
            if !pilots.iter().any(|&(pk, pl, _)| pk == k && pl == l) {
                out.push((k, l));
            }
        }
    }
}

/// Parameters of one NPDSCH transmission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NpdschConfig {
    /// Cell identity.
    pub cell: NcellId,
    /// NRS ports (those of the NPBCH).
    pub ports: NrsPorts,
    /// RNTI of the scrambling (SI-RNTI for BCCH).
    pub rnti: u16,
    /// Carries BCCH (SIB1-NB or an SI message): the BCCH scrambling and repetition order.
    pub bcch: bool,
    /// Transport block size (bits).
    pub tbs_bits: usize,
    /// Subframes per codeword `N_SF` (1…10).
    pub n_sf: usize,
    /// Repetitions `M_rep` (1…2048).
    pub n_rep: usize,
    /// `l_DataStart` (0…13).
    pub data_start_symbol: usize,
}

impl NpdschConfig {
    /// Checks the ranges.
    ///
    /// # Errors
    /// `OutOfRange` for a TBS outside 1…2536, `N_SF` outside 1…10, `M_rep` outside 1…2048 or
    /// `l_DataStart > 13`.
    pub fn validate(&self) -> Result<(), PhyError> {
        let bad = |what: &'static str, v: usize| {
            Err(PhyError::OutOfRange {
                what,
                value: v as i64,
            })
        };
        if self.tbs_bits == 0 || self.tbs_bits > NPDSCH_MAX_TBS {
            return bad("NPDSCH TBS", self.tbs_bits);
        }
        if self.n_sf == 0 || self.n_sf > NPDSCH_MAX_N_SF {
            return bad("N_SF", self.n_sf);
        }
        if self.n_rep == 0 || self.n_rep > 2048 {
            return bad("M_rep", self.n_rep);
        }
        if self.data_start_symbol >= SYMBOLS_PER_SUBFRAME {
            return bad("l_DataStart", self.data_start_symbol);
        }
        Ok(())
    }

    /// Subframes of the whole transmission, `N_SF·M_rep`.
    pub fn total_subframes(&self) -> usize {
        self.n_sf * self.n_rep
    }

    /// Codeword segment and scrambling `c_init` of transmit subframe `j` (0…`N_SF·M_rep − 1`),
    /// given the physical subframes `subframes` of the whole transmission (in order).
    ///
    /// # Errors
    /// `OutOfRange` if `j` or `subframes` do not match `N_SF·M_rep`.
    pub fn segment(&self, subframes: &[SubframeIndex], j: usize) -> Result<(usize, u32), PhyError> {
        check_len(
            "NPDSCH subframe list",
            self.total_subframes(),
            subframes.len(),
        )?;
        if j >= subframes.len() {
            return Err(PhyError::OutOfRange {
                what: "NPDSCH subframe index",
                value: j as i64,
            });
        }
        if self.bcch {
            let first = subframes[(j / self.n_sf) * self.n_sf];
            Ok((
                j % self.n_sf,
                npdsch_c_init_bcch(self.cell, self.rnti, first.frame),
            ))
        } else {
            let mr = self.n_rep.min(4);
            let block = mr * self.n_sf;
            let first = subframes[(j / block) * block];
            Ok(((j % block) / mr, npdsch_c_init(self.cell, self.rnti, first)))
        }
    }
}

/// NPDSCH transmitter: encodes one transport block and maps its segments.
#[derive(Debug, Clone)]
pub struct NpdschEncoder {
    cfg: NpdschConfig,
    pos: Vec<(usize, usize)>,
    codeword: Vec<u8>,
    seg: Vec<u8>,
    x: Vec<Complex32>,
}

impl NpdschEncoder {
    /// Plans the encoder for `cfg`.
    ///
    /// # Errors
    /// As [`NpdschConfig::validate`]; `OutOfRange` if two ports leave an odd RE count.
    pub fn new(cfg: NpdschConfig) -> Result<Self, PhyError> {
        cfg.validate()?;
        let mut pos = Vec::with_capacity(168);
        npdsch_re_positions(cfg.cell, cfg.ports, cfg.data_start_symbol, &mut pos);
        if cfg.ports == NrsPorts::Two && pos.len() % 2 == 1 {
            return Err(PhyError::OutOfRange {
                what: "NPDSCH REs for SFBC",
                value: pos.len() as i64,
            });
        }
        Ok(NpdschEncoder {
            cfg,
            codeword: vec![0; cfg.n_sf * 2 * pos.len()],
            seg: vec![0; 2 * pos.len()],
            x: vec![Complex32::default(); pos.len()],
            pos,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &NpdschConfig {
        &self.cfg
    }

    /// Bits per subframe `G` (2 per RE).
    pub fn bits_per_subframe(&self) -> usize {
        2 * self.pos.len()
    }

    /// Encodes a transport block (`tbs_bits` bits, 0/1): CRC-24A, TBCC, rate matching to
    /// `N_SF·G` bits.
    ///
    /// # Errors
    /// `Length` if the block is not `tbs_bits` long.
    pub fn encode(&mut self, tb: &[u8]) -> Result<(), PhyError> {
        check_len("NPDSCH transport block", self.cfg.tbs_bits, tb.len())?;
        let a = tb.len();
        let mut c = vec![0u8; a + 24];
        c[..a].copy_from_slice(tb);
        for b in &mut c[..a] {
            *b &= 1;
        }
        crc_attach(CrcKind::Crc24A, &mut c, a);
        let mut coded = vec![0u8; 3 * c.len()];
        tbcc_encode(&c, &mut coded);
        ConvRateMatcher::new(c.len()).rate_match(&coded, &mut self.codeword);
        Ok(())
    }

    /// Writes codeword segment `segment` (0…`N_SF − 1`), scrambled with `c_init` from bit
    /// `segment·G`, into the grids (one per port; NRS are not written).
    ///
    /// # Errors
    /// `OutOfRange` for a segment beyond `N_SF`; `Length` if the grid count is not the port
    /// count.
    pub fn map_segment(
        &mut self,
        segment: usize,
        c_init: u32,
        grids: &mut [ResourceGrid],
    ) -> Result<(), PhyError> {
        if segment >= self.cfg.n_sf {
            return Err(PhyError::OutOfRange {
                what: "NPDSCH segment",
                value: segment as i64,
            });
        }
        check_len("NPDSCH grids", self.cfg.ports.count(), grids.len())?;
        let g = self.seg.len();
        self.seg
            .copy_from_slice(&self.codeword[segment * g..(segment + 1) * g]);
        scramble_bits(&mut self.seg, c_init, segment * g);
        qpsk_map(&self.seg, &mut self.x);
        precode_and_map(&self.x, &self.pos, None, self.cfg.ports, grids);
        Ok(())
    }
}

/// A decoded transport block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpdschDecoded {
    /// The transport block bits (CRC removed).
    pub bits: Vec<u8>,
    /// Subframes combined into the decode.
    pub subframes_combined: usize,
}

impl NpdschDecoded {
    /// The block as bytes, MSB first (the last byte zero-padded if the TBS is not a multiple
    /// of 8; every NB-IoT TBS is).
    pub fn bytes(&self) -> Vec<u8> {
        pack_bits_msb_first(&self.bits)
    }
}

/// Packs bits (MSB first) into bytes, zero-padding the last byte.
pub fn pack_bits_msb_first(bits: &[u8]) -> Vec<u8> {
    bits.chunks(8)
        .map(|c| {
            c.iter()
                .enumerate()
                .fold(0u8, |acc, (i, &b)| acc | ((b & 1) << (7 - i)))
        })
        .collect()
}

/// NPDSCH receiver: soft-combines the subframes of one transmission and decodes it.
#[derive(Debug, Clone)]
pub struct NpdschDecoder {
    chest: NrsChannelEstimator,
    viterbi: TbccDecoder,
    cfg: Option<NpdschConfig>,
    pos: Vec<(usize, usize)>,
    eq: Vec<Complex32>,
    llr: Vec<f32>,
    acc: Vec<f32>,
    soft: Vec<f32>,
    decoded: Vec<u8>,
    count: usize,
}

impl Default for NpdschDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl NpdschDecoder {
    /// Plans a decoder for transport blocks up to [`NPDSCH_MAX_TBS`].
    pub fn new() -> Self {
        let d_max = NPDSCH_MAX_TBS + 24;
        NpdschDecoder {
            chest: NrsChannelEstimator::new(),
            viterbi: TbccDecoder::new(d_max),
            cfg: None,
            pos: Vec::with_capacity(168),
            eq: Vec::with_capacity(168),
            llr: Vec::with_capacity(336),
            acc: Vec::with_capacity(NPDSCH_MAX_N_SF * 336),
            soft: Vec::with_capacity(3 * d_max),
            decoded: Vec::with_capacity(d_max),
            count: 0,
        }
    }

    /// Starts a new transmission (clears the combining buffer).
    ///
    /// # Errors
    /// As [`NpdschConfig::validate`].
    pub fn start(&mut self, cfg: &NpdschConfig) -> Result<(), PhyError> {
        cfg.validate()?;
        npdsch_re_positions(cfg.cell, cfg.ports, cfg.data_start_symbol, &mut self.pos);
        if cfg.ports == NrsPorts::Two && self.pos.len() % 2 == 1 {
            return Err(PhyError::OutOfRange {
                what: "NPDSCH REs for SFBC",
                value: self.pos.len() as i64,
            });
        }
        self.acc.clear();
        self.acc.resize(cfg.n_sf * 2 * self.pos.len(), 0.0);
        self.cfg = Some(*cfg);
        self.count = 0;
        Ok(())
    }

    /// Subframes accumulated since [`Self::start`].
    pub fn accumulated(&self) -> usize {
        self.count
    }

    /// Equalises one demodulated subframe (`subframe` 0…9 sets the NRS), descrambles its
    /// soft bits with `c_init` from bit `segment·G` and adds them to codeword segment
    /// `segment`.
    ///
    /// # Errors
    /// `NotFound` before [`Self::start`]; `OutOfRange` for a bad segment or subframe;
    /// `Length`/`NonFinite` for a bad grid; `NotFound` if the NRS carry no energy.
    pub fn accumulate(
        &mut self,
        grid: &ResourceGrid,
        subframe: u32,
        segment: usize,
        c_init: u32,
    ) -> Result<(), PhyError> {
        let Some(cfg) = self.cfg else {
            return Err(PhyError::NotFound {
                what: "started NPDSCH reception",
            });
        };
        if segment >= cfg.n_sf {
            return Err(PhyError::OutOfRange {
                what: "NPDSCH segment",
                value: segment as i64,
            });
        }
        check_len(
            "npdsch grid symbols",
            SYMBOLS_PER_SUBFRAME,
            grid.n_symbols(),
        )?;
        check_len(
            "npdsch grid subcarriers",
            NBIOT_SUBCARRIERS,
            grid.n_subcarriers(),
        )?;
        check_finite_c32("npdsch grid", grid.as_slice())?;
        let chest = self.chest.estimate(grid, cfg.cell, subframe, cfg.ports)?;
        equalised_llrs(
            grid,
            &chest,
            cfg.ports,
            &self.pos,
            &mut self.eq,
            &mut self.llr,
        );
        let g = self.llr.len();
        descramble_llrs(&mut self.llr, c_init, segment * g);
        for (a, l) in self.acc[segment * g..(segment + 1) * g]
            .iter_mut()
            .zip(&self.llr)
        {
            *a += l;
        }
        self.count += 1;
        Ok(())
    }

    /// De-rate-matches the combined soft bits, runs the Viterbi decoder and checks the
    /// CRC-24A.
    ///
    /// # Errors
    /// `NotFound` if nothing was accumulated; `CrcFailed` if the CRC does not pass.
    pub fn decode(&mut self) -> Result<NpdschDecoded, PhyError> {
        let Some(cfg) = self.cfg else {
            return Err(PhyError::NotFound {
                what: "started NPDSCH reception",
            });
        };
        if self.count == 0 {
            return Err(PhyError::NotFound {
                what: "accumulated NPDSCH subframes",
            });
        }
        let d = cfg.tbs_bits + 24;
        self.soft.clear();
        self.soft.resize(3 * d, 0.0);
        ConvRateMatcher::new(d).rate_dematch(&self.acc, &mut self.soft)?;
        self.decoded.clear();
        self.decoded.resize(d, 0);
        self.viterbi.decode(&self.soft, &mut self.decoded)?;
        if crc_check_masked(CrcKind::Crc24A, &self.decoded, 0) {
            Ok(NpdschDecoded {
                bits: self.decoded[..cfg.tbs_bits].to_vec(),
                subframes_combined: self.count,
            })
        } else {
            Err(PhyError::CrcFailed)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables() {
        assert_eq!(npdsch_tbs(0, 0).unwrap(), 16);
        assert_eq!(npdsch_tbs(4, 7).unwrap(), 680);
        assert_eq!(npdsch_tbs(12, 2).unwrap(), 680);
        assert_eq!(npdsch_tbs(13, 3).unwrap(), 1032);
        assert_eq!(npdsch_tbs(13, 7).unwrap(), 2536);
        assert!(npdsch_tbs(14, 0).is_err());
        assert!(npdsch_tbs(0, 8).is_err());
        assert_eq!(npdsch_n_sf(6).unwrap(), 8);
        assert_eq!(npdsch_n_rep(15).unwrap(), 2048);
        assert!(npdsch_n_rep(16).is_err());
        // every row and column increases
        for row in NPDSCH_TBS {
            assert!(row.windows(2).all(|w| w[0] < w[1]));
        }
        assert_eq!(si_message_n_sf(120), 2);
        assert_eq!(si_message_n_sf(208), 8);
    }

    #[test]
    fn re_counts() {
        let cell = NcellId::new(0).unwrap();
        let mut pos = Vec::new();
        npdsch_re_positions(cell, NrsPorts::One, 0, &mut pos);
        assert_eq!(pos.len(), 168 - 8, "ntn-reference §1 'How to test': 160");
        npdsch_re_positions(cell, NrsPorts::Two, 0, &mut pos);
        assert_eq!(pos.len(), 168 - 16);
        npdsch_re_positions(cell, NrsPorts::One, 3, &mut pos);
        assert_eq!(pos.len(), 132 - 8);
        assert_eq!(pos[0], (0, 3));
        // MathWorks lteNDLSCH example: TBS 208 over 3 subframes (1 port) → 960 coded bits
        let enc = NpdschEncoder::new(NpdschConfig {
            cell,
            ports: NrsPorts::One,
            rnti: 1,
            bcch: false,
            tbs_bits: 208,
            n_sf: 3,
            n_rep: 1,
            data_start_symbol: 0,
        })
        .unwrap();
        assert_eq!(3 * enc.bits_per_subframe(), 960);
    }

    #[test]
    fn sib1_schedule() {
        let c = |id| NcellId::new(id).unwrap();
        let s = Sib1Schedule::new(0, c(0)).unwrap();
        assert_eq!((s.repetitions, s.tbs_bits, s.start_frame), (4, 208, 0));
        // Amarisoft capture: SFN 514 is frame 2 of the first repetition → segment 1
        assert_eq!(
            s.locate(514),
            Some(Sib1Position {
                repetition: 0,
                segment: 1,
                repetition_first_frame: 512
            })
        );
        assert_eq!(s.locate(515), None);
        assert_eq!(s.locate(512 + 16), None);
        assert_eq!(
            s.locate(64 + 14).map(|p| (p.repetition, p.segment)),
            Some((1, 7))
        );
        let s = Sib1Schedule::new(3, c(7)).unwrap();
        assert_eq!((s.repetitions, s.tbs_bits, s.start_frame), (4, 328, 48));
        assert_eq!(s.locate(48).map(|p| p.repetition), Some(0));
        assert_eq!(
            s.locate(240 + 14).map(|p| (p.repetition, p.segment)),
            Some((3, 7))
        );
        assert_eq!(s.locate(47), None);
        let s = Sib1Schedule::new(10, c(5)).unwrap();
        assert_eq!((s.repetitions, s.tbs_bits, s.start_frame), (8, 680, 16));
        let s = Sib1Schedule::new(2, c(5)).unwrap();
        assert_eq!((s.repetitions, s.start_frame), (16, 1));
        // 16 repetitions from frame 1: every odd frame
        assert!(s.locate(1).is_some() && s.locate(255).is_some() && s.locate(2).is_none());
        assert!(Sib1Schedule::new(12, c(0)).is_err());
        // 8 SIB1 subframes per repetition, repetitions × 8 per period
        for info in 0..12u8 {
            let s = Sib1Schedule::new(info, c(3)).unwrap();
            let n = (0..256).filter(|&f| s.locate(f).is_some()).count();
            assert_eq!(n, 8 * s.repetitions);
        }
    }

    #[test]
    fn dl_subframes_skip_sync_and_sib1() {
        let s = Sib1Schedule::new(0, NcellId::new(0).unwrap()).unwrap();
        let mut v = Vec::new();
        nbiot_dl_subframes(SubframeIndex::new(514, 0).unwrap(), 8, Some(&s), &mut v);
        let sfs: Vec<(u32, u32)> = v.iter().map(|s| (s.frame, s.subframe)).collect();
        assert_eq!(
            sfs,
            [
                (514, 1),
                (514, 2),
                (514, 3),
                (514, 6),
                (514, 7),
                (514, 8),
                (515, 1),
                (515, 2)
            ]
        );
        assert!(is_nbiot_dl_subframe(
            SubframeIndex::new(515, 4).unwrap(),
            Some(&s)
        ));
        assert!(is_nbiot_dl_subframe(
            SubframeIndex::new(515, 9).unwrap(),
            Some(&s)
        ));
        assert_eq!(SubframeIndex::new(1023, 9).unwrap().next().absolute(), 0);
        assert!(SubframeIndex::new(1024, 0).is_err());
    }

    #[test]
    fn scrambling_init_and_segments() {
        let cell = NcellId::new(3).unwrap();
        assert_eq!(
            npdsch_c_init_bcch(cell, SI_RNTI, 60),
            (0xFFFF << 15) + 4 * 61
        );
        assert_eq!(npdsch_c_init_bcch(cell, SI_RNTI, 61), (0xFFFF << 15) + 4);
        let sf = SubframeIndex::new(7, 3).unwrap();
        assert_eq!(
            npdsch_c_init(cell, 0x89, sf),
            0x89 * 16384 + 8192 + 3 * 512 + 3
        );
        // non-BCCH, N_SF 2, M_rep 8: segments 0,0,0,0,1,1,1,1 then again; new c_init per block
        let cfg = NpdschConfig {
            cell,
            ports: NrsPorts::One,
            rnti: 0x89,
            bcch: false,
            tbs_bits: 32,
            n_sf: 2,
            n_rep: 8,
            data_start_symbol: 0,
        };
        let mut subs = Vec::new();
        nbiot_dl_subframes(SubframeIndex::new(10, 0).unwrap(), 16, None, &mut subs);
        let segs: Vec<usize> = (0..16).map(|j| cfg.segment(&subs, j).unwrap().0).collect();
        assert_eq!(segs, [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1]);
        assert_eq!(
            cfg.segment(&subs, 7).unwrap().1,
            npdsch_c_init(cell, 0x89, subs[0])
        );
        assert_eq!(
            cfg.segment(&subs, 8).unwrap().1,
            npdsch_c_init(cell, 0x89, subs[8])
        );
        assert!(cfg.segment(&subs, 16).is_err());
        assert!(cfg.segment(&subs[1..], 0).is_err());
        // BCCH, N_SF 2, M_rep 3: 0,1,0,1,0,1
        let bcch = NpdschConfig {
            bcch: true,
            rnti: SI_RNTI,
            n_rep: 3,
            ..cfg
        };
        let segs: Vec<usize> = (0..6)
            .map(|j| bcch.segment(&subs[..6], j).unwrap().0)
            .collect();
        assert_eq!(segs, [0, 1, 0, 1, 0, 1]);
        assert_eq!(
            pack_bits_msb_first(&[1, 0, 1, 0, 0, 0, 0, 1, 1]),
            [0xA1, 0x80]
        );
    }

    #[test]
    fn decoder_rejects_misuse_and_garbage() {
        let cell = NcellId::new(1).unwrap();
        let mut dec = NpdschDecoder::new();
        let grid = ResourceGrid::nbiot_subframe();
        assert!(matches!(dec.decode(), Err(PhyError::NotFound { .. })));
        assert!(dec.accumulate(&grid, 1, 0, 0).is_err());
        let cfg = NpdschConfig {
            cell,
            ports: NrsPorts::One,
            rnti: 1,
            bcch: false,
            tbs_bits: 3000,
            n_sf: 1,
            n_rep: 1,
            data_start_symbol: 0,
        };
        assert!(dec.start(&cfg).is_err());
        let cfg = NpdschConfig {
            tbs_bits: 256,
            ..cfg
        };
        dec.start(&cfg).unwrap();
        assert!(matches!(dec.decode(), Err(PhyError::NotFound { .. })));
        assert!(dec.accumulate(&grid, 1, 1, 0).is_err());
        // empty grid: no NRS energy
        assert!(dec.accumulate(&grid, 1, 0, 0).is_err());
        let mut g = ResourceGrid::nbiot_subframe();
        for l in 0..14 {
            for k in 0..12 {
                g.set(k, l, Complex32::new(((k * 7 + l) as f32).sin(), 0.3));
            }
        }
        dec.accumulate(&g, 1, 0, 0).unwrap();
        assert_eq!(dec.decode(), Err(PhyError::CrcFailed));
        g.set(2, 2, Complex32::new(f32::NAN, 0.0));
        assert!(matches!(
            dec.accumulate(&g, 1, 0, 0),
            Err(PhyError::NonFinite { .. })
        ));
    }
}
