//! NPUSCH formats 1 and 2: configuration, transport block sizes, the transmit chain and the
//! slot layout shared with the receiver ([`super::npusch_rx`]).
//!
//! Chain (TS 36.212 §6.3.2/§6.3.3, TS 36.211 §10.1.3–§10.1.5):
//! - Format 1 (UL-SCH): CRC-24A → turbo code (one code block: NB-IoT transport blocks are at
//!   most 2536 bits) → rate matching to `G = N_RU·N_slots^UL·6·N_sc^RU·Q_m` bits with the
//!   redundancy version of the repetition block → channel interleaving → scrambling →
//!   BPSK/QPSK → transform precoding (multi-tone) → resource mapping with repetitions →
//!   SC-FDMA ([`super::scfdma`]).
//! - Format 2 (HARQ-ACK): the ACK bit as a 16-bit codeword (§6.3.3), scrambling, BPSK, one
//!   resource unit of 4 slots, single tone.
//!
//! Repetitions (§10.1.3.6): the codeword's `N_slots` slot groups (1 slot at 3.75 kHz, 2 slots at
//! 15 kHz) are each sent `M_identical` times in a row (`M_identical = min(⌈M_rep/2⌉, 4)` for
//! multi-tone, 1 for single tone) before the next group; that block is repeated until
//! `M_rep·N_RU·N_slots^UL` slots have been sent. Scrambling restarts at every block with the
//! block's first `n_s`/`n_f` (§10.1.3.1); the redundancy version alternates 0, 2, 0, 2 … per
//! block (36.213 §16.5.1.2, reading).
//!
//! Single tone: `π/2-BPSK` / `π/4-QPSK` come from the phase rotation of §10.1.5,
//! `φ(l̃) = ρ·(l̃ mod 2) + φ'(l̃)`, applied to every symbol (data and DMRS) with the symbol
//! counter `l̃` running over the whole codeword transmission.
//!
//! Timing (NTN hooks): [`NpuschTx::transmit`] takes a fractional time offset and a frequency
//! offset (the UE's pre-compensation); [`NpuschTx::transmit_with_ta`] takes the timing advance
//! `N_TA` in `T_s` units the stack sets and returns the whole-sample start shift. The start slot
//! comes in as a plain [`UlSlot`]; [`npusch_format1_start_slot`] turns the DCI timing with `k0`
//! and `K_offset` into that slot.
//!
//! Not modelled: the 40 ms uplink gap after 256 ms of transmission, postponement around NPRACH
//! resources, NTN segmented pre-compensation gaps, 16QAM, positive SR on format 2, OCC.

use num_complex::Complex32;

use crate::crc::{CrcKind, crc_attach};
use crate::error::{PhyError, check_len};
use crate::modulation::qpsk_map;
use crate::scrambling::scramble_bits;
use crate::turbo::{Segmentation, TurboEncoder, TurboRateMatcher};

use super::dmrs;
use super::scfdma::{Numerology, UlSynth};
use super::{TS_SECONDS, split_time_shift};

/// Uplink subcarrier spacing Δf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UlSpacing {
    /// 3.75 kHz (48 subcarriers, 2 ms slots; single tone only).
    Khz3_75,
    /// 15 kHz (12 subcarriers, 0.5 ms slots).
    Khz15,
}

impl UlSpacing {
    /// `N_sc^UL`.
    pub fn n_sc_ul(self) -> usize {
        match self {
            UlSpacing::Khz3_75 => 48,
            UlSpacing::Khz15 => 12,
        }
    }

    /// Slots per 10 ms frame (`n_s` range).
    pub fn slots_per_frame(self) -> usize {
        match self {
            UlSpacing::Khz3_75 => 5,
            UlSpacing::Khz15 => 20,
        }
    }

    /// SC-FDMA numerology of this spacing.
    pub fn numerology(self) -> Numerology {
        match self {
            UlSpacing::Khz3_75 => Numerology::Khz3_75,
            UlSpacing::Khz15 => Numerology::Khz15,
        }
    }
}

/// NPUSCH format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NpuschFormat {
    /// Format 1: UL-SCH data.
    Data,
    /// Format 2: HARQ-ACK (one bit).
    Ack,
}

/// Modulation of the NPUSCH (Table 10.1.3.2-1; single-tone BPSK/QPSK become π/2-BPSK and
/// π/4-QPSK through the §10.1.5 rotation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UlModulation {
    /// π/2-BPSK (single tone; format 2 always).
    Pi2Bpsk,
    /// π/4-QPSK (single tone).
    Pi4Qpsk,
    /// QPSK (3, 6 or 12 tones).
    Qpsk,
}

impl UlModulation {
    /// Bits per symbol `Q_m`.
    pub fn qm(self) -> usize {
        match self {
            UlModulation::Pi2Bpsk => 1,
            UlModulation::Pi4Qpsk | UlModulation::Qpsk => 2,
        }
    }

    /// `ρ` of §10.1.5 (0 for multi-tone QPSK, which has no rotation).
    pub fn rho(self) -> f64 {
        match self {
            UlModulation::Pi2Bpsk => std::f64::consts::FRAC_PI_2,
            UlModulation::Pi4Qpsk => std::f64::consts::FRAC_PI_4,
            UlModulation::Qpsk => 0.0,
        }
    }
}

/// Which rows of the NPUSCH TBS table the UE supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TbsLimit {
    /// Release 13 (UE category NB1): transport blocks up to 1000 bits, `I_TBS ≤ 12`
    /// (the blank cells of the Rel-13 table).
    Rel13,
    /// Release 14 (category NB2): the full table, up to 2536 bits.
    Rel14,
}

/// `I_RU` → `N_RU` (36.213 Table 16.5.1.1-2).
pub const N_RU_TABLE: [usize; 8] = [1, 2, 3, 4, 5, 6, 8, 10];

/// NPUSCH transport block sizes, 36.213 Table 16.5.1.2-2 (rows `I_TBS` 0…13, columns `I_RU`
/// 0…7), Release 14 content. It shares most cells with the NPDSCH table (Table 16.4.1.5.1-1)
/// but not all (row 7: 712/1000 here, 680/968 there), so it is kept separately.
pub const NPUSCH_TBS: [[u16; 8]; 14] = [
    [16, 32, 56, 88, 120, 152, 208, 256],
    [24, 56, 88, 144, 176, 208, 256, 344],
    [32, 72, 144, 176, 208, 256, 328, 424],
    [40, 104, 176, 208, 256, 328, 440, 568],
    [56, 120, 208, 256, 328, 408, 552, 680],
    [72, 144, 224, 328, 424, 504, 680, 872],
    [88, 176, 256, 392, 504, 600, 808, 1000],
    [104, 224, 328, 472, 584, 712, 1000, 1224],
    [120, 256, 392, 536, 680, 808, 1096, 1384],
    [136, 296, 456, 616, 776, 936, 1256, 1544],
    [144, 328, 504, 680, 872, 1000, 1384, 1736],
    [176, 376, 584, 776, 1000, 1192, 1608, 2024],
    [208, 440, 680, 1000, 1128, 1352, 1800, 2280],
    [224, 488, 744, 1128, 1256, 1544, 2024, 2536],
];

/// Transport block size for (`I_TBS`, `I_RU`) under `limit`.
///
/// # Errors
/// `OutOfRange` if the cell is not in the table (indices too large, or a Rel-13 blank).
pub fn npusch_tbs(i_tbs: u8, i_ru: u8, limit: TbsLimit) -> Result<usize, PhyError> {
    let tbs = NPUSCH_TBS
        .get(usize::from(i_tbs))
        .and_then(|row| row.get(usize::from(i_ru)))
        .copied()
        .ok_or(PhyError::OutOfRange {
            what: "NPUSCH (I_TBS, I_RU) not in Table 16.5.1.2-2",
            value: i64::from(i_tbs) * 8 + i64::from(i_ru),
        })?;
    if limit == TbsLimit::Rel13 && (i_tbs > 12 || tbs > 1000) {
        return Err(PhyError::OutOfRange {
            what: "NPUSCH (I_TBS, I_RU) blank in the Rel-13 table",
            value: i64::from(i_tbs) * 8 + i64::from(i_ru),
        });
    }
    Ok(usize::from(tbs))
}

/// Modulation and `I_TBS` from `I_MCS` (36.213 Table 16.5.1.2-1 for single tone; multi-tone
/// uses QPSK with `I_TBS = I_MCS`).
///
/// # Errors
/// `OutOfRange` for `I_MCS > 10` (single tone) or `> 13` (multi-tone).
pub fn npusch_mcs(i_mcs: u8, n_sc: usize) -> Result<(UlModulation, u8), PhyError> {
    let err = PhyError::OutOfRange {
        what: "NPUSCH I_MCS",
        value: i64::from(i_mcs),
    };
    if n_sc == 1 {
        match i_mcs {
            0 => Ok((UlModulation::Pi2Bpsk, 0)),
            1 => Ok((UlModulation::Pi2Bpsk, 2)),
            2 => Ok((UlModulation::Pi4Qpsk, 1)),
            3..=10 => Ok((UlModulation::Pi4Qpsk, i_mcs)),
            _ => Err(err),
        }
    } else if i_mcs <= 13 {
        Ok((UlModulation::Qpsk, i_mcs))
    } else {
        Err(err)
    }
}

/// DMRS parameters (36.211 §10.1.4, higher-layer `groupHoppingEnabled`,
/// `groupAssignmentNPUSCH`, `threeTone/sixTone/twelveTone-BaseSequence`,
/// `threeTone/sixTone-CyclicShift`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DmrsConfig {
    /// Sequence-group hopping (format 1 only).
    pub group_hopping: bool,
    /// `Δ_ss` ∈ 0…29.
    pub delta_ss: u8,
    /// Base sequence `u` for multi-tone without hopping; `None` = `N_ID mod N_seq^RU`.
    pub base_sequence: Option<u8>,
    /// Cyclic shift index (3 tones: 0…2, 6 tones: 0…3, 12 tones: 0).
    pub cyclic_shift: u8,
}

/// One NPUSCH transmission's configuration (from the DCI N0 / RAR grant and RRC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NpuschConfig {
    /// Format 1 (data) or 2 (ACK).
    pub format: NpuschFormat,
    /// Subcarrier spacing.
    pub spacing: UlSpacing,
    /// `N_sc^RU`: 1, 3, 6 or 12.
    pub n_sc: usize,
    /// First allocated subcarrier (0…`N_sc^UL − 1`), a multiple of `n_sc` (36.213 §16.5.1.1).
    pub first_subcarrier: usize,
    /// Modulation.
    pub modulation: UlModulation,
    /// `I_TBS` (format 1).
    pub i_tbs: u8,
    /// `I_RU` (format 1).
    pub i_ru: u8,
    /// TBS table rows the UE supports.
    pub tbs_limit: TbsLimit,
    /// `M_rep^NPUSCH` ∈ {1, 2, 4, …, 128}.
    pub repetitions: usize,
    /// `N_ID^Ncell` (0…503).
    pub n_id: u16,
    /// `n_RNTI`.
    pub rnti: u16,
    /// DMRS parameters.
    pub dmrs: DmrsConfig,
}

impl NpuschConfig {
    /// A format-1 configuration with defaults: no hopping, Rel-14 table, RNTI 0x1234.
    pub fn data(
        spacing: UlSpacing,
        n_sc: usize,
        modulation: UlModulation,
        i_tbs: u8,
        i_ru: u8,
        repetitions: usize,
    ) -> Self {
        NpuschConfig {
            format: NpuschFormat::Data,
            spacing,
            n_sc,
            first_subcarrier: 0,
            modulation,
            i_tbs,
            i_ru,
            tbs_limit: TbsLimit::Rel14,
            repetitions,
            n_id: 1,
            rnti: 0x1234,
            dmrs: DmrsConfig::default(),
        }
    }

    /// A format-2 (HARQ-ACK) configuration.
    pub fn ack(spacing: UlSpacing, subcarrier: usize, repetitions: usize) -> Self {
        NpuschConfig {
            format: NpuschFormat::Ack,
            spacing,
            n_sc: 1,
            first_subcarrier: subcarrier,
            modulation: UlModulation::Pi2Bpsk,
            i_tbs: 0,
            i_ru: 0,
            tbs_limit: TbsLimit::Rel14,
            repetitions,
            n_id: 1,
            rnti: 0x1234,
            dmrs: DmrsConfig::default(),
        }
    }
}

/// A slot on the uplink time line: frame `n_f` (0…1023) and slot `n_s` within it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UlSlot {
    /// System frame number `n_f`.
    pub frame: u16,
    /// Slot number `n_s` (0…19 at 15 kHz, 0…4 at 3.75 kHz).
    pub slot: u8,
}

impl UlSlot {
    /// The slot `j` slots after this one (wrapping after 1024 frames).
    pub fn advance(self, spacing: UlSpacing, j: usize) -> UlSlot {
        let spf = spacing.slots_per_frame();
        let abs = usize::from(self.frame) * spf + usize::from(self.slot) + j;
        let abs = abs % (1024 * spf);
        UlSlot {
            frame: (abs / spf) as u16,
            slot: (abs % spf) as u8,
        }
    }

    /// From an absolute slot count since frame 0 (wrapping after 1024 frames).
    pub fn from_absolute(spacing: UlSpacing, abs: u64) -> UlSlot {
        let spf = spacing.slots_per_frame() as u64;
        let abs = abs % (1024 * spf);
        UlSlot {
            frame: (abs / spf) as u16,
            slot: (abs % spf) as u8,
        }
    }
}

/// First NPUSCH format-1 slot (absolute slot count) for a DCI N0 whose NPDCCH ends in DL
/// subframe `n` (absolute subframe count): the transmission starts in the first uplink slot
/// after the end of subframe `n + k0 + K_offset` (36.213 §16.5.1; `k0` from the DCI's
/// scheduling delay, `K_offset` = the NTN cell-specific plus UE-specific offset in subframes,
/// both given by the caller). At 3.75 kHz slots are 2 ms long and frame-aligned.
pub fn npusch_format1_start_slot(spacing: UlSpacing, n: u64, k0: u64, k_offset: u64) -> u64 {
    let end_ms = n + k0 + k_offset + 1;
    match spacing {
        UlSpacing::Khz15 => 2 * end_ms,
        UlSpacing::Khz3_75 => end_ms.div_ceil(2),
    }
}

/// NPUSCH `c_init` of §10.1.3.1: `n_RNTI·2^14 + (n_f mod 2)·2^13 + ⌊n_s/2⌋·2^9 + N_ID`.
pub fn npusch_c_init(rnti: u16, slot: UlSlot, n_id: u16) -> u32 {
    (u32::from(rnti) << 14)
        + (u32::from(slot.frame % 2) << 13)
        + (u32::from(slot.slot / 2) << 9)
        + u32::from(n_id)
}

/// `M_identical^NPUSCH` of §10.1.3.6.
pub fn m_identical(n_sc: usize, repetitions: usize) -> usize {
    if n_sc > 1 {
        repetitions.div_ceil(2).min(4)
    } else {
        1
    }
}

/// The 16-bit HARQ-ACK codeword of 36.212 §6.3.3 (the bit repeated 16 times: ACK = all ones,
/// NACK = all zeros).
pub fn ack_codeword(ack: bool) -> [u8; 16] {
    [u8::from(ack); 16]
}

/// Channel interleaver (36.212 §5.2.2.8 as used by §6.3.2): `Q_m`-bit groups written row by row
/// into `rows` rows of `cols` columns, read column by column. NPUSCH: one row per tone
/// (`N_sc^RU`), one column per data SC-FDMA symbol of the codeword, so consecutive coded
/// symbols go to consecutive symbols in time (time-first; single tone: identity). The
/// dimensions are our reading of §6.3.2 (its text was not available to us).
pub fn channel_interleave<T: Copy>(input: &[T], qm: usize, rows: usize, out: &mut [T]) {
    let cols = input.len() / (qm * rows);
    for c in 0..cols {
        for r in 0..rows {
            let src = (r * cols + c) * qm;
            let dst = (c * rows + r) * qm;
            out[dst..dst + qm].copy_from_slice(&input[src..src + qm]);
        }
    }
}

/// Inverse of [`channel_interleave`].
pub fn channel_deinterleave<T: Copy>(input: &[T], qm: usize, rows: usize, out: &mut [T]) {
    let cols = input.len() / (qm * rows);
    for c in 0..cols {
        for r in 0..rows {
            let dst = (r * cols + c) * qm;
            let src = (c * rows + r) * qm;
            out[dst..dst + qm].copy_from_slice(&input[src..src + qm]);
        }
    }
}

/// Everything derived from a validated [`NpuschConfig`]: sizes and the slot layout.
#[derive(Debug, Clone, PartialEq)]
pub struct NpuschParams {
    /// The configuration.
    pub cfg: NpuschConfig,
    /// Transport block size (0 for format 2).
    pub tbs: usize,
    /// `N_RU`.
    pub n_ru: usize,
    /// `N_slots^UL` per resource unit.
    pub n_slots_ru: usize,
    /// `Q_m`.
    pub qm: usize,
    /// `M_identical`.
    pub m_identical: usize,
    /// Slots in a repeated group (`N_slots`: 1 at 3.75 kHz, 2 at 15 kHz).
    pub group_slots: usize,
    /// Slots of the whole transmission, `M_rep·N_RU·N_slots^UL`.
    pub total_slots: usize,
    /// Coded bits per codeword `G`.
    pub g: usize,
    /// Data SC-FDMA symbols per slot (6 for format 1, 4 for format 2).
    pub data_symbols: usize,
    /// DMRS symbol indices `l` in a slot.
    pub dmrs_symbols: &'static [usize],
    /// Turbo block size `K` (format 1).
    pub k: usize,
    /// Filler bits `F` (format 1).
    pub filler: usize,
}

impl NpuschParams {
    /// Validates `cfg` and derives the sizes.
    ///
    /// # Errors
    /// `OutOfRange` for an invalid combination: `N_sc^RU` not in {1, 3, 6, 12}, multi-tone at
    /// 3.75 kHz, a subcarrier allocation outside the carrier or not aligned to `N_sc^RU`, a
    /// modulation the tone count does not allow, format 2 with more than one tone or not
    /// π/2-BPSK, (`I_TBS`, `I_RU`) not in the table, repetitions not a power of two ≤ 128,
    /// `N_ID ≥ 504`, or DMRS parameters out of range.
    pub fn new(cfg: NpuschConfig) -> Result<Self, PhyError> {
        let bad = |what: &'static str, value: usize| PhyError::OutOfRange {
            what,
            value: value as i64,
        };
        dmrs::n_seq_ru(cfg.n_sc)?;
        if cfg.spacing == UlSpacing::Khz3_75 && cfg.n_sc != 1 {
            return Err(bad("NPUSCH multi-tone at 3.75 kHz", cfg.n_sc));
        }
        if !cfg.first_subcarrier.is_multiple_of(cfg.n_sc)
            || cfg.first_subcarrier + cfg.n_sc > cfg.spacing.n_sc_ul()
        {
            return Err(bad("NPUSCH subcarrier allocation", cfg.first_subcarrier));
        }
        let modulation_ok = match cfg.modulation {
            UlModulation::Pi2Bpsk | UlModulation::Pi4Qpsk => cfg.n_sc == 1,
            UlModulation::Qpsk => cfg.n_sc > 1,
        };
        if !modulation_ok {
            return Err(bad("NPUSCH modulation for this tone count", cfg.n_sc));
        }
        if !(cfg.repetitions.is_power_of_two() && cfg.repetitions <= 128) {
            return Err(bad("NPUSCH repetitions M_rep", cfg.repetitions));
        }
        if cfg.n_id >= 504 {
            return Err(bad("N_ID^Ncell", usize::from(cfg.n_id)));
        }
        if cfg.dmrs.delta_ss > 29 {
            return Err(bad("NPUSCH DMRS delta_ss", usize::from(cfg.dmrs.delta_ss)));
        }
        dmrs::cyclic_shift_rad(cfg.n_sc, cfg.dmrs.cyclic_shift)?;
        if let Some(u) = cfg.dmrs.base_sequence
            && usize::from(u) >= dmrs::n_seq_ru(cfg.n_sc)?
        {
            return Err(bad("NPUSCH DMRS base sequence", usize::from(u)));
        }
        let group_slots = match cfg.spacing {
            UlSpacing::Khz3_75 => 1,
            UlSpacing::Khz15 => 2,
        };
        let m_id = m_identical(cfg.n_sc, cfg.repetitions);
        match cfg.format {
            NpuschFormat::Data => {
                // The I_TBS a modulation can carry (Table 16.5.1.2-1: single-tone π/2-BPSK
                // only with I_TBS 0 and 2, π/4-QPSK with I_TBS ≤ 10).
                let i_tbs_ok = match cfg.modulation {
                    UlModulation::Pi2Bpsk => matches!(cfg.i_tbs, 0 | 2),
                    UlModulation::Pi4Qpsk => cfg.i_tbs <= 10,
                    UlModulation::Qpsk => true,
                };
                if !i_tbs_ok {
                    return Err(bad(
                        "NPUSCH I_TBS for this modulation",
                        usize::from(cfg.i_tbs),
                    ));
                }
                let tbs = npusch_tbs(cfg.i_tbs, cfg.i_ru, cfg.tbs_limit)?;
                let n_ru = N_RU_TABLE[usize::from(cfg.i_ru)];
                let n_slots_ru = match cfg.n_sc {
                    1 => 16,
                    3 => 8,
                    6 => 4,
                    _ => 2,
                };
                let qm = cfg.modulation.qm();
                let g = n_ru * n_slots_ru * 6 * cfg.n_sc * qm;
                let seg = Segmentation::new(tbs + 24)?;
                if seg.c != 1 {
                    return Err(bad("NPUSCH transport block needs segmentation", tbs));
                }
                Ok(NpuschParams {
                    cfg,
                    tbs,
                    n_ru,
                    n_slots_ru,
                    qm,
                    m_identical: m_id,
                    group_slots,
                    total_slots: cfg.repetitions * n_ru * n_slots_ru,
                    g,
                    data_symbols: 6,
                    dmrs_symbols: match cfg.spacing {
                        UlSpacing::Khz3_75 => &[4],
                        UlSpacing::Khz15 => &[3],
                    },
                    k: seg.k_plus,
                    filler: seg.filler,
                })
            }
            NpuschFormat::Ack => {
                if cfg.n_sc != 1 || cfg.modulation != UlModulation::Pi2Bpsk {
                    return Err(bad("NPUSCH format 2 needs one tone, pi/2-BPSK", cfg.n_sc));
                }
                if cfg.dmrs.group_hopping {
                    return Err(bad("NPUSCH format 2 has no group hopping", 1));
                }
                Ok(NpuschParams {
                    cfg,
                    tbs: 0,
                    n_ru: 1,
                    n_slots_ru: 4,
                    qm: 1,
                    m_identical: 1,
                    group_slots,
                    total_slots: cfg.repetitions * 4,
                    g: 16,
                    data_symbols: 4,
                    dmrs_symbols: match cfg.spacing {
                        UlSpacing::Khz3_75 => &[0, 1, 2],
                        UlSpacing::Khz15 => &[2, 3, 4],
                    },
                    k: 0,
                    filler: 0,
                })
            }
        }
    }

    /// Slots of one codeword (`N_RU·N_slots^UL`).
    pub fn codeword_slots(&self) -> usize {
        self.n_ru * self.n_slots_ru
    }

    /// Slots of one repetition block (`M_identical` copies of the codeword).
    pub fn block_slots(&self) -> usize {
        self.m_identical * self.codeword_slots()
    }

    /// Number of repetition blocks (`M_rep / M_identical`).
    pub fn blocks(&self) -> usize {
        self.cfg.repetitions / self.m_identical
    }

    /// For transmitted slot `j`: (repetition block, slot of the codeword it carries).
    pub fn slot_source(&self, j: usize) -> (usize, usize) {
        let b = j / self.block_slots();
        let jj = j % self.block_slots();
        let span = self.group_slots * self.m_identical;
        let q = jj / span;
        let within = jj % span;
        (b, q * self.group_slots + within % self.group_slots)
    }

    /// Redundancy version of block `b` (0, 2, 0, 2, …).
    pub fn block_rv(&self, b: usize) -> u8 {
        if b.is_multiple_of(2) { 0 } else { 2 }
    }

    /// Samples of the whole transmission at 1.92 Msps.
    pub fn total_samples(&self) -> usize {
        self.total_slots * self.cfg.spacing.numerology().slot_samples()
    }

    /// Duration of the transmission in seconds.
    pub fn duration_s(&self) -> f64 {
        self.total_samples() as f64 / super::UL_SAMPLE_RATE_HZ
    }

    /// Is symbol `l` a DMRS symbol?
    pub fn is_dmrs(&self, l: usize) -> bool {
        self.dmrs_symbols.contains(&l)
    }

    /// Fills `out` (`N_sc^RU · dmrs_symbols.len()` values, symbol-major) with the DMRS of
    /// transmitted slot `j`, which is slot `slot` on the time line; `ru_first_slot` is the
    /// time-line slot of the first slot of the resource unit `j` belongs to.
    ///
    /// # Errors
    /// `Length` on a wrong `out` size.
    pub fn dmrs_for_slot(
        &self,
        j: usize,
        slot: UlSlot,
        ru_first_slot: UlSlot,
        out: &mut [Complex32],
    ) -> Result<(), PhyError> {
        let cfg = &self.cfg;
        let n_d = self.dmrs_symbols.len();
        check_len("NPUSCH DMRS slot output", cfg.n_sc * n_d, out.len())?;
        if cfg.n_sc == 1 {
            let u = if cfg.dmrs.group_hopping {
                dmrs::group_hopping_u(
                    cfg.n_id,
                    1,
                    usize::from(ru_first_slot.slot),
                    cfg.dmrs.delta_ss,
                )?
            } else {
                usize::from(cfg.n_id) % 16
            };
            let mut r = [Complex32::default()];
            dmrs::single_tone_sequence(u, j, &mut r)?;
            if n_d == 1 {
                out[0] = r[0];
            } else {
                let w = dmrs::format2_cover_index(cfg.n_id, usize::from(slot.slot));
                for (m, o) in out.iter_mut().enumerate() {
                    *o = dmrs::format2_cover(w, m) * r[0];
                }
            }
        } else {
            let n_seq = dmrs::n_seq_ru(cfg.n_sc)?;
            let u = if cfg.dmrs.group_hopping {
                dmrs::group_hopping_u(
                    cfg.n_id,
                    cfg.n_sc,
                    usize::from(slot.slot),
                    cfg.dmrs.delta_ss,
                )?
            } else {
                cfg.dmrs
                    .base_sequence
                    .map_or(usize::from(cfg.n_id) % n_seq, usize::from)
            };
            dmrs::multi_tone_sequence(cfg.n_sc, u, cfg.dmrs.cyclic_shift, out)?;
        }
        Ok(())
    }

    /// Time-line slot of the first slot of the resource unit that transmitted slot `j`
    /// belongs to, for a transmission starting at `start`.
    pub fn ru_first_slot(&self, start: UlSlot, j: usize) -> UlSlot {
        // Single tone has M_identical = 1, so resource units are contiguous runs of
        // N_slots^UL slots.
        start.advance(self.cfg.spacing, j - j % self.n_slots_ru)
    }

    /// [`Self::single_tone_phases`] into a new vector.
    pub fn single_tone_phase_table(&self) -> Vec<f64> {
        let mut v = vec![0.0; 7 * self.total_slots];
        // The length is right by construction.
        let _ = self.single_tone_phases(&mut v);
        v
    }

    /// Single-tone phase `φ(l̃)` of §10.1.5 for every symbol of the transmission, written into
    /// `out` (`7·total_slots` values); multi-tone: all zero.
    pub fn single_tone_phases(&self, out: &mut [f64]) -> Result<(), PhyError> {
        check_len("NPUSCH phase output", 7 * self.total_slots, out.len())?;
        if self.cfg.n_sc > 1 {
            out.fill(0.0);
            return Ok(());
        }
        let num = self.cfg.spacing.numerology();
        let k = self.cfg.first_subcarrier as f64 - (self.cfg.spacing.n_sc_ul() / 2) as f64;
        let df = num.spacing_hz();
        let rho = self.cfg.modulation.rho();
        let two_pi = 2.0 * std::f64::consts::PI;
        let mut acc = 0.0f64;
        for (lt, o) in out.iter_mut().enumerate() {
            let l = lt % 7;
            if lt > 0 {
                let len_ts = (num.n_ts() + num.cp_ts(l)) as f64;
                acc = (acc + two_pi * df * (k + 0.5) * len_ts * TS_SECONDS).rem_euclid(two_pi);
            }
            *o = rho * (lt % 2) as f64 + acc;
        }
        Ok(())
    }
}

/// NPUSCH transmitter (UE side), planned once per configuration.
#[derive(Debug, Clone)]
pub struct NpuschTx {
    p: NpuschParams,
    encoder: Option<TurboEncoder>,
    matcher: Option<TurboRateMatcher>,
    synth: UlSynth,
    /// Resource-element values of every symbol of every slot (after rotation), slot-major,
    /// `7·N_sc` per slot.
    res: Vec<Complex32>,
    phases: Vec<f64>,
    block_bits: Vec<u8>,
    coded: Vec<u8>,
    cw: [Vec<u8>; 2],
    sym: Vec<Complex32>,
}

impl NpuschTx {
    /// Plans a transmitter.
    ///
    /// # Errors
    /// As [`NpuschParams::new`].
    pub fn new(cfg: NpuschConfig) -> Result<Self, PhyError> {
        let p = NpuschParams::new(cfg)?;
        let (encoder, matcher) = if cfg.format == NpuschFormat::Data {
            (
                Some(TurboEncoder::new(p.k)?),
                Some(TurboRateMatcher::new(p.k, p.filler)?),
            )
        } else {
            (None, None)
        };
        let phases = p.single_tone_phase_table();
        let synth = UlSynth::new(cfg.spacing.numerology(), cfg.first_subcarrier, cfg.n_sc);
        Ok(NpuschTx {
            res: vec![Complex32::default(); 7 * cfg.n_sc * p.total_slots],
            phases,
            block_bits: vec![0; p.k],
            coded: vec![0; 3 * (p.k + 4)],
            cw: [vec![0; p.g], vec![0; p.g]],
            sym: vec![Complex32::default(); p.g / p.qm],
            encoder,
            matcher,
            synth,
            p,
        })
    }

    /// The derived parameters.
    pub fn params(&self) -> &NpuschParams {
        &self.p
    }

    /// Encodes a format-1 transport block (`tbs` bits, 0/1) for a transmission starting at
    /// `start`; call [`Self::transmit`] afterwards.
    ///
    /// # Errors
    /// `OutOfRange` for format 2; `Length` for a wrong block length.
    pub fn encode_data(&mut self, tb: &[u8], start: UlSlot) -> Result<(), PhyError> {
        let (Some(enc), Some(rm)) = (&self.encoder, &self.matcher) else {
            return Err(PhyError::OutOfRange {
                what: "encode_data on an NPUSCH format 2 transmitter",
                value: 2,
            });
        };
        check_len("NPUSCH transport block", self.p.tbs, tb.len())?;
        let f = self.p.filler;
        self.block_bits[..f].fill(0);
        self.block_bits[f..f + tb.len()].copy_from_slice(tb);
        crc_attach(CrcKind::Crc24A, &mut self.block_bits[f..], tb.len());
        enc.encode(&self.block_bits, &mut self.coded)?;
        let mut tmp = vec![0u8; self.p.g];
        for (i, rv) in [0u8, 2].into_iter().enumerate() {
            rm.rate_match(&self.coded, rv, &mut tmp)?;
            channel_interleave(&tmp, self.p.qm, self.p.cfg.n_sc, &mut self.cw[i]);
        }
        self.map(start)
    }

    /// Encodes a format-2 HARQ-ACK for a transmission starting at `start`.
    ///
    /// # Errors
    /// `OutOfRange` for a format-1 transmitter.
    pub fn encode_ack(&mut self, ack: bool, start: UlSlot) -> Result<(), PhyError> {
        if self.p.cfg.format != NpuschFormat::Ack {
            return Err(PhyError::OutOfRange {
                what: "encode_ack on an NPUSCH format 1 transmitter",
                value: 1,
            });
        }
        let cw = ack_codeword(ack);
        self.cw[0].copy_from_slice(&cw);
        self.cw[1].copy_from_slice(&cw);
        self.map(start)
    }

    /// Scrambles, modulates, precodes and maps the two codewords (rv 0 and 2) over every slot.
    fn map(&mut self, start: UlSlot) -> Result<(), PhyError> {
        let p = &self.p;
        let cfg = p.cfg;
        let n_sc = cfg.n_sc;
        let spacing = cfg.spacing;
        let per_slot = p.data_symbols * n_sc;
        let mut scr = vec![0u8; p.g];
        let mut dm = vec![Complex32::default(); n_sc * p.dmrs_symbols.len()];
        let mut pre = vec![Complex32::default(); n_sc];
        let mut current_block = usize::MAX;
        for j in 0..p.total_slots {
            let (b, q) = p.slot_source(j);
            if b != current_block {
                current_block = b;
                let cw = &self.cw[usize::from(p.block_rv(b) / 2)];
                scr.copy_from_slice(cw);
                let first = start.advance(spacing, b * p.block_slots());
                scramble_bits(&mut scr, npusch_c_init(cfg.rnti, first, cfg.n_id), 0);
                modulate(&scr, p.qm, &mut self.sym);
            }
            let slot = start.advance(spacing, j);
            p.dmrs_for_slot(j, slot, p.ru_first_slot(start, j), &mut dm)?;
            let res = &mut self.res[j * 7 * n_sc..(j + 1) * 7 * n_sc];
            let mut t = 0;
            let mut d = 0;
            for l in 0..7 {
                let row = &mut res[l * n_sc..(l + 1) * n_sc];
                if p.is_dmrs(l) {
                    row.copy_from_slice(&dm[d * n_sc..(d + 1) * n_sc]);
                    d += 1;
                } else {
                    let s0 = q * per_slot + t * n_sc;
                    if n_sc == 1 {
                        row[0] = self.sym[s0];
                    } else {
                        super::scfdma::dft_precode(&self.sym[s0..s0 + n_sc], &mut pre);
                        row.copy_from_slice(&pre);
                    }
                    t += 1;
                }
                if n_sc == 1 {
                    let ph = self.phases[j * 7 + l];
                    row[0] *= Complex32::new(ph.cos() as f32, ph.sin() as f32);
                }
            }
        }
        Ok(())
    }

    /// Writes the transmission (`out.len()` ≥ [`NpuschParams::total_samples`]; the rest is
    /// zeroed): `out[n] = s(n/f_s − time_offset_s)·e^{j2π·freq_offset_hz·n/f_s}`, `|time_offset_s|`
    /// at most one sample (the whole-sample part is the caller's buffer position).
    ///
    /// # Errors
    /// `Length` if `out` is too short; `OutOfRange` for non-finite or too large offsets.
    pub fn transmit(
        &self,
        time_offset_s: f64,
        freq_offset_hz: f64,
        out: &mut [Complex32],
    ) -> Result<(), PhyError> {
        if out.len() < self.p.total_samples() {
            return Err(PhyError::Length {
                what: "NPUSCH transmit buffer",
                expected: self.p.total_samples(),
                got: out.len(),
            });
        }
        if !(time_offset_s.is_finite()
            && freq_offset_hz.is_finite()
            && time_offset_s.abs() * super::UL_SAMPLE_RATE_HZ <= 1.0)
        {
            return Err(PhyError::OutOfRange {
                what: "NPUSCH time/frequency offset",
                value: (time_offset_s * 1e9) as i64,
            });
        }
        out.fill(Complex32::default());
        self.synth.synthesize(
            &self.res,
            self.p.total_slots,
            time_offset_s,
            freq_offset_hz,
            out,
        );
        Ok(())
    }

    /// As [`Self::transmit`] with the timing advance `N_TA` (in `T_s`, set by the stack):
    /// the transmission moves `N_TA·T_s` earlier. Returns the whole-sample shift of the buffer
    /// start relative to the nominal slot start (negative = earlier); the fraction is applied
    /// to the samples.
    ///
    /// # Errors
    /// As [`Self::transmit`].
    pub fn transmit_with_ta(
        &self,
        n_ta_ts: i64,
        freq_offset_hz: f64,
        out: &mut [Complex32],
    ) -> Result<i64, PhyError> {
        let (whole, frac) = split_time_shift(-super::n_ta_to_seconds(n_ta_ts));
        self.transmit(frac, freq_offset_hz, out)?;
        Ok(whole)
    }
}

/// BPSK (36.211 §7.1.1: 0 → (1+j)/√2) or QPSK (§7.1.2) modulation of `bits` into `out`.
pub(crate) fn modulate(bits: &[u8], qm: usize, out: &mut [Complex32]) {
    if qm == 1 {
        let a = std::f32::consts::FRAC_1_SQRT_2;
        for (o, &b) in out.iter_mut().zip(bits) {
            let s = a * (1.0 - 2.0 * f32::from(b & 1));
            *o = Complex32::new(s, s);
        }
    } else {
        qpsk_map(bits, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tbs_table_and_limits() {
        assert_eq!(npusch_tbs(0, 0, TbsLimit::Rel14).unwrap(), 16);
        assert_eq!(npusch_tbs(13, 7, TbsLimit::Rel14).unwrap(), 2536);
        assert_eq!(NPUSCH_TBS[7], [104, 224, 328, 472, 584, 712, 1000, 1224]);
        assert_eq!(NPUSCH_TBS[11], [176, 376, 584, 776, 1000, 1192, 1608, 2024]);
        assert_eq!(npusch_tbs(12, 3, TbsLimit::Rel13).unwrap(), 1000);
        assert!(npusch_tbs(12, 4, TbsLimit::Rel13).is_err());
        assert!(npusch_tbs(13, 0, TbsLimit::Rel13).is_err());
        assert!(npusch_tbs(14, 0, TbsLimit::Rel14).is_err());
        assert!(npusch_tbs(0, 8, TbsLimit::Rel14).is_err());
        // Every Rel-14 TBS + CRC is one code block of a valid turbo size.
        for row in NPUSCH_TBS {
            for tbs in row {
                let s = Segmentation::new(usize::from(tbs) + 24).unwrap();
                assert_eq!(s.c, 1);
            }
        }
        assert_eq!(npusch_mcs(2, 1).unwrap(), (UlModulation::Pi4Qpsk, 1));
        assert!(npusch_mcs(11, 1).is_err());
    }

    #[test]
    fn malformed_configurations_rejected() {
        let ok = NpuschConfig::data(UlSpacing::Khz15, 12, UlModulation::Qpsk, 4, 1, 2);
        assert!(NpuschParams::new(ok).is_ok());
        let cases = [
            NpuschConfig { n_sc: 4, ..ok },
            NpuschConfig {
                spacing: UlSpacing::Khz3_75,
                ..ok
            },
            NpuschConfig {
                modulation: UlModulation::Pi2Bpsk,
                ..ok
            },
            NpuschConfig {
                n_sc: 3,
                first_subcarrier: 4,
                ..ok
            },
            NpuschConfig {
                n_sc: 6,
                first_subcarrier: 12,
                ..ok
            },
            NpuschConfig { i_tbs: 14, ..ok },
            NpuschConfig { i_ru: 8, ..ok },
            NpuschConfig {
                repetitions: 3,
                ..ok
            },
            NpuschConfig {
                repetitions: 256,
                ..ok
            },
            NpuschConfig { n_id: 504, ..ok },
            NpuschConfig {
                dmrs: DmrsConfig {
                    cyclic_shift: 1,
                    ..DmrsConfig::default()
                },
                ..ok
            },
            NpuschConfig {
                dmrs: DmrsConfig {
                    base_sequence: Some(30),
                    ..DmrsConfig::default()
                },
                ..ok
            },
            NpuschConfig {
                n_sc: 1,
                modulation: UlModulation::Qpsk,
                ..ok
            },
            NpuschConfig {
                n_sc: 1,
                first_subcarrier: 12,
                modulation: UlModulation::Pi2Bpsk,
                ..ok
            },
            NpuschConfig {
                n_sc: 3,
                ..NpuschConfig::ack(UlSpacing::Khz15, 0, 1)
            },
            NpuschConfig {
                tbs_limit: TbsLimit::Rel13,
                i_tbs: 13,
                ..ok
            },
            NpuschConfig {
                n_sc: 1,
                modulation: UlModulation::Pi2Bpsk,
                i_tbs: 1,
                ..ok
            },
            NpuschConfig {
                n_sc: 1,
                modulation: UlModulation::Pi4Qpsk,
                i_tbs: 11,
                ..ok
            },
        ];
        for (i, c) in cases.iter().enumerate() {
            assert!(
                matches!(NpuschParams::new(*c), Err(PhyError::OutOfRange { .. })),
                "case {i} accepted: {c:?}"
            );
        }
    }

    #[test]
    fn resource_unit_sizes_and_repetition_layout() {
        for (sp, n_sc, n_slots) in [
            (UlSpacing::Khz3_75, 1, 16),
            (UlSpacing::Khz15, 1, 16),
            (UlSpacing::Khz15, 3, 8),
            (UlSpacing::Khz15, 6, 4),
            (UlSpacing::Khz15, 12, 2),
        ] {
            let m = if n_sc == 1 {
                UlModulation::Pi2Bpsk
            } else {
                UlModulation::Qpsk
            };
            let p = NpuschParams::new(NpuschConfig::data(sp, n_sc, m, 0, 0, 1)).unwrap();
            assert_eq!(p.n_slots_ru, n_slots);
        }
        // 12 tones, 8 repetitions, 2 RUs: M_identical = 4, groups of 2 slots repeated 4 times.
        let p = NpuschParams::new(NpuschConfig::data(
            UlSpacing::Khz15,
            12,
            UlModulation::Qpsk,
            0,
            1,
            8,
        ))
        .unwrap();
        assert_eq!(p.m_identical, 4);
        assert_eq!(p.blocks(), 2);
        assert_eq!(p.total_slots, 32);
        let src: Vec<usize> = (0..16).map(|j| p.slot_source(j).1).collect();
        assert_eq!(src, [0, 1, 0, 1, 0, 1, 0, 1, 2, 3, 2, 3, 2, 3, 2, 3]);
        assert_eq!(p.slot_source(16), (1, 0));
        assert_eq!((p.block_rv(0), p.block_rv(1)), (0, 2));
        // 12 tones, 1 RU: G = 144 coded bits at one bit per symbol (MATLAB example) → 288 QPSK.
        assert_eq!(p.g / p.n_ru, 144 * 2);
        // M_identical values.
        assert_eq!(m_identical(3, 1), 1);
        assert_eq!(m_identical(3, 2), 1);
        assert_eq!(m_identical(3, 4), 2);
        assert_eq!(m_identical(3, 128), 4);
        assert_eq!(m_identical(1, 128), 1);
    }

    #[test]
    fn c_init_slot_arithmetic_and_k_offset() {
        let s = UlSlot {
            frame: 1023,
            slot: 19,
        };
        assert_eq!(s.advance(UlSpacing::Khz15, 1), UlSlot { frame: 0, slot: 0 });
        assert_eq!(
            npusch_c_init(3, UlSlot { frame: 5, slot: 7 }, 10),
            3 * 16384 + 8192 + 3 * 512 + 10
        );
        // DCI ends in subframe 100, k0 = 8, K_offset = 20 → after the end of subframe 128.
        assert_eq!(npusch_format1_start_slot(UlSpacing::Khz15, 100, 8, 20), 258);
        assert_eq!(
            npusch_format1_start_slot(UlSpacing::Khz3_75, 100, 8, 20),
            65
        );
        assert_eq!(
            UlSlot::from_absolute(UlSpacing::Khz15, 258),
            UlSlot {
                frame: 12,
                slot: 18
            }
        );
    }

    #[test]
    fn interleaver_round_trip_and_time_first() {
        let x: Vec<u16> = (0..48).collect();
        let mut y = vec![0u16; 48];
        channel_interleave(&x, 2, 3, &mut y);
        // 3 rows × 8 columns of 2-bit groups: column 0 = groups 0, 8, 16.
        assert_eq!(&y[..6], &[0, 1, 16, 17, 32, 33]);
        let mut z = vec![0u16; 48];
        channel_deinterleave(&y, 2, 3, &mut z);
        assert_eq!(x, z);
    }

    #[test]
    fn single_tone_phase_is_continuous_and_rotates() {
        let p = NpuschParams::new(NpuschConfig::data(
            UlSpacing::Khz15,
            1,
            UlModulation::Pi2Bpsk,
            0,
            0,
            1,
        ))
        .unwrap();
        let mut ph = vec![0.0; 7 * p.total_slots];
        p.single_tone_phases(&mut ph).unwrap();
        assert_eq!(ph[0], 0.0);
        // Symbol 1: ρ = π/2 plus 2π·15 kHz·(−6 + ½)·(2048 + 144)·T_s.
        let want = std::f64::consts::FRAC_PI_2
            + (2.0 * std::f64::consts::PI * 15e3 * -5.5 * 2192.0 / 30.72e6)
                .rem_euclid(2.0 * std::f64::consts::PI);
        assert!((ph[1] - want).abs() < 1e-9);
    }
}
