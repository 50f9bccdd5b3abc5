//! NPBCH and MIB-NB: 36.212 §6.4.1 (CRC-16 with the port mask, TBCC, rate matching to 1600
//! bits) and 36.211 §10.2.4 (scrambling with `c_init = N_ID^Ncell`, QPSK, transmit diversity
//! for two ports, per-frame phase rotation θ_f, mapping to subframe 0 over 64 frames: block
//! `⌊(n_f mod 64)/8⌋` of 100 symbols, repeated in 8 consecutive frames).

use num_complex::Complex32;

use super::chest::{ChannelEstimate, NrsChannelEstimator};
use super::diversity::{equalise, precode_and_map, qpsk_llr_scale};
use super::{NcellId, NrsPorts};
use crate::crc::{CrcKind, crc_attach, crc_remainder, read_bits_msb_first, write_bits_msb_first};
use crate::error::{PhyError, check_len};
use crate::gold::GoldSequence;
use crate::grid::{NBIOT_SUBCARRIERS, ResourceGrid};
use crate::modulation::qpsk_map;
use crate::ratematch::ConvRateMatcher;
use crate::scrambling::{descramble_llrs, scramble_bits};
use crate::tbcc::{TbccDecoder, tbcc_encode};

/// MIB-NB payload length in bits.
pub const MIB_NB_BITS: usize = 34;
/// Payload plus CRC-16: the TBCC input length `D`.
pub const NPBCH_D: usize = MIB_NB_BITS + 16;
/// Rate-matched length `M_bit` over the 640 ms TTI (36.211 §10.2.4.1).
pub const NPBCH_E: usize = 1600;
/// QPSK symbols (REs) per NPBCH subframe.
pub const NPBCH_RE_PER_SUBFRAME: usize = 100;
/// Bits carried per NPBCH subframe.
pub const NPBCH_BITS_PER_SUBFRAME: usize = 2 * NPBCH_RE_PER_SUBFRAME;
/// Subframe carrying the NPBCH.
pub const NPBCH_SUBFRAME: usize = 0;

/// `operationModeInfo-r13` of the MIB-NB: the CHOICE index and its 5 content bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationMode {
    /// inband-SamePCI; content = eutra-CRS-SequenceInfo (0…31).
    InbandSamePci(u8),
    /// inband-DifferentPCI; content bits (eutra-NumCRS-Ports 1, rasterOffset 2, spare 2).
    InbandDifferentPci(u8),
    /// guardband; content bits (rasterOffset 2, spare 3).
    Guardband(u8),
    /// standalone; content bits (spare 5).
    Standalone(u8),
}

impl OperationMode {
    fn to_bits(self) -> (u32, u32) {
        match self {
            OperationMode::InbandSamePci(v) => (0, u32::from(v & 31)),
            OperationMode::InbandDifferentPci(v) => (1, u32::from(v & 31)),
            OperationMode::Guardband(v) => (2, u32::from(v & 31)),
            OperationMode::Standalone(v) => (3, u32::from(v & 31)),
        }
    }

    fn from_bits(choice: u32, v: u32) -> Self {
        let v = (v & 31) as u8;
        match choice & 3 {
            0 => OperationMode::InbandSamePci(v),
            1 => OperationMode::InbandDifferentPci(v),
            2 => OperationMode::Guardband(v),
            _ => OperationMode::Standalone(v),
        }
    }
}

/// The 34 MIB-NB bits (36.331 MasterInformationBlock-NB, UPER field order) as PHY fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MibNb {
    /// systemFrameNumber-MSB-r13: SFN bits 9…6 (4 bits).
    pub sfn_msb4: u8,
    /// hyperSFN-LSB-r13: H-SFN bits 1…0 (2 bits).
    pub hsfn_lsb2: u8,
    /// schedulingInfoSIB1-r13 (0…15).
    pub scheduling_info_sib1: u8,
    /// systemInfoValueTag-r13 (0…31).
    pub system_info_value_tag: u8,
    /// ab-Enabled-r13.
    pub ab_enabled: bool,
    /// operationModeInfo-r13.
    pub operation_mode: OperationMode,
    /// The trailing 11 bits (additionalTransmissionSIB1-r15 then spare in later releases).
    pub trailing11: u16,
}

impl MibNb {
    /// Packs into 34 bits, first field first, MSB first.
    pub fn pack(&self, out: &mut [u8; MIB_NB_BITS]) {
        let (choice, content) = self.operation_mode.to_bits();
        let fields: [(u32, usize); 8] = [
            (u32::from(self.sfn_msb4), 4),
            (u32::from(self.hsfn_lsb2), 2),
            (u32::from(self.scheduling_info_sib1), 4),
            (u32::from(self.system_info_value_tag), 5),
            (u32::from(self.ab_enabled), 1),
            (choice, 2),
            (content, 5),
            (u32::from(self.trailing11), 11),
        ];
        let mut pos = 0;
        for (v, n) in fields {
            write_bits_msb_first(v & ((1 << n) - 1), &mut out[pos..pos + n]);
            pos += n;
        }
    }

    /// The 34 bits as the RRC layer carries the MIB-NB (its UPER encoding): 5 octets, MSB
    /// first, the last 6 bits zero.
    pub fn to_octets(&self) -> [u8; 5] {
        let mut bits = [0u8; MIB_NB_BITS];
        self.pack(&mut bits);
        let mut out = [0u8; 5];
        for (i, b) in bits.iter().enumerate() {
            out[i / 8] |= b << (7 - i % 8);
        }
        out
    }

    /// Unpacks 34 bits.
    pub fn unpack(bits: &[u8; MIB_NB_BITS]) -> Self {
        let f = |a: usize, n: usize| read_bits_msb_first(&bits[a..a + n]);
        MibNb {
            sfn_msb4: f(0, 4) as u8,
            hsfn_lsb2: f(4, 2) as u8,
            scheduling_info_sib1: f(6, 4) as u8,
            system_info_value_tag: f(10, 5) as u8,
            ab_enabled: f(15, 1) == 1,
            operation_mode: OperationMode::from_bits(f(16, 2), f(18, 5)),
            trailing11: f(23, 11) as u16,
        }
    }
}

/// CRC mask of 36.212 §6.4.1 for the number of NRS ports: all zeros (1 port) or all ones (2).
pub const fn npbch_crc_mask(ports: NrsPorts) -> u32 {
    match ports {
        NrsPorts::One => 0,
        NrsPorts::Two => 0xFFFF,
    }
}

/// The 100 NPBCH REs of subframe 0 in mapping order (first k, then l): symbols 3…13, skipping
/// the REs reserved for CRS ports 0…3 and NRS ports 2000/2001 (both assumed present,
/// 36.211 §10.2.4.4). All reserved REs sit on `k ≡ v_shift (mod 3)` in symbols 4…8 and 11…13.
pub fn npbch_re_positions(cell: NcellId) -> [(usize, usize); NPBCH_RE_PER_SUBFRAME] {
    let mut out = [(0usize, 0usize); NPBCH_RE_PER_SUBFRAME];
    let vs = cell.v_shift() % 3;
    let mut i = 0;
    for l in 3..14 {
        let reserved_symbol = matches!(l, 4..=8 | 11..=13);
        for k in 0..NBIOT_SUBCARRIERS {
            if reserved_symbol && k % 3 == vs {
                continue;
            }
            out[i] = (k, l);
            i += 1;
        }
    }
    out
}

/// Phase rotation θ_f(i), i = 0…99, of frame `n_f` (36.211 §10.2.4.4): Gold sequence with
/// `c_init = (N_ID+1)·((n_f mod 8)+1)³·2^9 + N_ID`; `(c(2i), c(2i+1))` = (0,0) → 1,
/// (0,1) → −1, (1,0) → j, (1,1) → −j.
pub fn npbch_rotation(cell: NcellId, n_f: u32, out: &mut [Complex32; NPBCH_RE_PER_SUBFRAME]) {
    let id = u32::from(cell.get());
    let f = (n_f % 8) + 1;
    let c_init = (id + 1) * f * f * f * 512 + id;
    let mut g = GoldSequence::new(c_init);
    for o in out.iter_mut() {
        let a = g.next_bit();
        let b = g.next_bit();
        *o = match (a, b) {
            (0, 0) => Complex32::new(1.0, 0.0),
            (0, _) => Complex32::new(-1.0, 0.0),
            (_, 0) => Complex32::new(0.0, 1.0),
            _ => Complex32::new(0.0, -1.0),
        };
    }
}

/// NPBCH transmitter: encodes a MIB-NB once per 640 ms TTI and produces each frame's
/// subframe-0 REs.
#[derive(Debug, Clone)]
pub struct NpbchEncoder {
    cell: NcellId,
    ports: NrsPorts,
    rm: ConvRateMatcher,
    /// The 1600 scrambled bits of the current TTI.
    bits: Vec<u8>,
}

impl NpbchEncoder {
    /// Plans the encoder for a cell and port count.
    pub fn new(cell: NcellId, ports: NrsPorts) -> Self {
        NpbchEncoder {
            cell,
            ports,
            rm: ConvRateMatcher::new(NPBCH_D),
            bits: vec![0; NPBCH_E],
        }
    }

    /// Encodes `mib` for the TTI that starts at a frame with `n_f mod 64 = 0`: CRC-16 with
    /// the port mask, TBCC, rate matching to 1600 bits, scrambling.
    pub fn encode(&mut self, mib: &MibNb) {
        let mut a = [0u8; NPBCH_D];
        let mut payload = [0u8; MIB_NB_BITS];
        mib.pack(&mut payload);
        a[..MIB_NB_BITS].copy_from_slice(&payload);
        crc_attach(CrcKind::Crc16, &mut a, MIB_NB_BITS);
        let mask = npbch_crc_mask(self.ports);
        for (i, b) in a[MIB_NB_BITS..].iter_mut().enumerate() {
            *b ^= ((mask >> (15 - i)) & 1) as u8;
        }
        let mut coded = [0u8; 3 * NPBCH_D];
        tbcc_encode(&a, &mut coded);
        self.rm.rate_match(&coded, &mut self.bits);
        scramble_bits(&mut self.bits, u32::from(self.cell.get()), 0);
    }

    /// The 1600 scrambled bits of the TTI (after [`Self::encode`]).
    pub fn tti_bits(&self) -> &[u8] {
        &self.bits
    }

    /// Writes the NPBCH REs of frame `n_f` into the subframe-0 grid of each port
    /// (`grids.len()` = number of ports): QPSK of block `⌊(n_f mod 64)/8⌋`, transmit diversity
    /// for two ports (36.211 §6.3.4.3: `y0(2i) = x(2i)/√2, y0(2i+1) = x(2i+1)/√2,
    /// y1(2i) = −x(2i+1)*/√2, y1(2i+1) = x(2i)*/√2`), then θ_f.
    ///
    /// # Panics
    /// If `grids.len()` differs from the port count (a caller bug).
    pub fn map_frame(&self, n_f: u32, grids: &mut [ResourceGrid]) {
        assert_eq!(
            grids.len(),
            self.ports.count(),
            "map_frame: one grid per port"
        );
        let block = ((n_f % 64) / 8) as usize;
        let bits =
            &self.bits[block * NPBCH_BITS_PER_SUBFRAME..(block + 1) * NPBCH_BITS_PER_SUBFRAME];
        let mut x = [Complex32::default(); NPBCH_RE_PER_SUBFRAME];
        qpsk_map(bits, &mut x);
        let mut theta = [Complex32::default(); NPBCH_RE_PER_SUBFRAME];
        npbch_rotation(self.cell, n_f, &mut theta);
        let pos = npbch_re_positions(self.cell);
        precode_and_map(&x, &pos, Some(&theta), self.ports, grids);
    }
}

/// What is known of the frame number when decoding one NPBCH subframe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameHint {
    /// Nothing: try all 64 values of `n_f mod 64`.
    Unknown,
    /// `n_f mod 8` known (e.g. from the NSSS variant): try the 8 blocks.
    Mod8(u8),
    /// `n_f mod 64` known.
    Mod64(u8),
}

/// A decoded MIB-NB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NpbchDecoded {
    /// The MIB-NB fields.
    pub mib: MibNb,
    /// NRS port count told by the CRC mask.
    pub ports: NrsPorts,
    /// NPBCH block index `⌊(n_f mod 64)/8⌋` of the decoded subframe.
    pub block: u8,
    /// `n_f mod 8` from the θ_f phase rotation, or `None` if the cell sends the NPBCH without
    /// θ_f (early Rel-13 transmitters, before the rotation was added to §10.2.4.4; found in
    /// real captures), in which case the frame within the block is unknown.
    pub frame_mod8: Option<u8>,
}

impl NpbchDecoded {
    /// The full 10-bit SFN of the decoded frame, `sfn_msb4·64 + 8·block + n_f mod 8`, when
    /// `n_f mod 8` is known.
    pub fn sfn(&self) -> Option<u16> {
        self.frame_mod8
            .map(|r| self.block_first_sfn() + u16::from(r))
    }

    /// SFN of the first frame of the decoded block, `sfn_msb4·64 + 8·block`.
    pub fn block_first_sfn(&self) -> u16 {
        u16::from(self.mib.sfn_msb4) * 64 + 8 * u16::from(self.block)
    }
}

/// NPBCH receiver: equalises the 100 REs with an NRS channel estimate, soft-demaps, and
/// searches the hypotheses of port count (CRC mask) and frame position (block, rotation) that
/// pass the CRC-16. All buffers are allocated at construction.
#[derive(Debug, Clone)]
pub struct NpbchDecoder {
    rm: ConvRateMatcher,
    viterbi: TbccDecoder,
    eq: [Complex32; NPBCH_RE_PER_SUBFRAME],
    llr: [f32; NPBCH_BITS_PER_SUBFRAME],
    soft: [f32; 3 * NPBCH_D],
    decoded: [u8; NPBCH_D],
    chest: NrsChannelEstimator,
    last_chest: Option<ChannelEstimate>,
    /// Soft-combining accumulators `[relative block][ports 2, 1][with θ_f, without]`, 200 soft
    /// bits each.
    acc: Box<[[[[f32; NPBCH_BITS_PER_SUBFRAME]; 2]; 2]; 8]>,
    acc_used: [bool; 8],
    acc_count: usize,
    acc_first_mod8: Option<u8>,
}

impl Default for NpbchDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl NpbchDecoder {
    /// Plans the decoder.
    pub fn new() -> Self {
        NpbchDecoder {
            rm: ConvRateMatcher::new(NPBCH_D),
            viterbi: TbccDecoder::new(NPBCH_D),
            eq: [Complex32::default(); NPBCH_RE_PER_SUBFRAME],
            llr: [0.0; NPBCH_BITS_PER_SUBFRAME],
            soft: [0.0; 3 * NPBCH_D],
            decoded: [0; NPBCH_D],
            chest: NrsChannelEstimator::new(),
            last_chest: None,
            acc: Box::new([[[[0.0; NPBCH_BITS_PER_SUBFRAME]; 2]; 2]; 8]),
            acc_used: [false; 8],
            acc_count: 0,
            acc_first_mod8: None,
        }
    }

    /// Decodes the MIB-NB from one demodulated subframe-0 grid: NRS channel estimation and
    /// equalisation for 2 ports (transmit diversity) then 1 port; for each, the
    /// frame hypotheses allowed by `hint` are tried with θ_f, then the 8 blocks without θ_f.
    /// With no hint that is 72 CRC-16 checks per port count (false-pass probability about
    /// 144·2⁻¹⁶ ≈ 0.2 % on noise; callers confirm over a second TTI block when it matters).
    ///
    /// # Errors
    /// `Length` for a grid that is not 12 × 14; `NonFinite` on NaN values; `CrcFailed` if no
    /// hypothesis passes the CRC.
    pub fn decode_subframe(
        &mut self,
        grid: &ResourceGrid,
        cell: NcellId,
        hint: FrameHint,
    ) -> Result<NpbchDecoded, PhyError> {
        check_len("npbch grid symbols", 14, grid.n_symbols())?;
        check_len(
            "npbch grid subcarriers",
            NBIOT_SUBCARRIERS,
            grid.n_subcarriers(),
        )?;
        crate::error::check_finite_c32("npbch grid", grid.as_slice())?;
        let pos = npbch_re_positions(cell);
        // (block, rotation) hypotheses; rotation None = no θ_f (legacy transmitters)
        let mut hyps: Vec<(u32, Option<u32>)> = Vec::with_capacity(72);
        match hint {
            FrameHint::Unknown => {
                for f in 0..64u32 {
                    hyps.push((f / 8, Some(f % 8)));
                }
                hyps.extend((0..8u32).map(|b| (b, None)));
            }
            FrameHint::Mod8(r) => {
                hyps.extend((0..8u32).map(|b| (b, Some(u32::from(r % 8)))));
                hyps.extend((0..8u32).map(|b| (b, None)));
            }
            FrameHint::Mod64(f) => {
                let f = u32::from(f % 64);
                hyps.push((f / 8, Some(f % 8)));
                hyps.push((f / 8, None));
            }
        }
        let mut theta = [Complex32::default(); NPBCH_RE_PER_SUBFRAME];
        for ports in [NrsPorts::Two, NrsPorts::One] {
            // each port hypothesis has its own estimate, so an empty port 2001 does not
            // pollute the single-port slopes
            let chest = self
                .chest
                .estimate(grid, cell, NPBCH_SUBFRAME as u32, ports)?;
            self.last_chest = Some(chest.clone());
            let chest = &chest;
            let nv = chest.noise_var().max(1e-12);
            let scale = 2.0 * std::f32::consts::SQRT_2 / nv;
            let mut current_rot: Option<Option<u32>> = None;
            for &(block, rot) in &hyps {
                if current_rot != Some(rot) {
                    match rot {
                        Some(r) => npbch_rotation(cell, r, &mut theta),
                        None => theta.fill(Complex32::new(1.0, 0.0)),
                    }
                    equalise(grid, chest, ports, &pos, Some(&theta), scale, &mut self.eq);
                    current_rot = Some(rot);
                }
                for (i, z) in self.eq.iter().enumerate() {
                    self.llr[2 * i] = z.re;
                    self.llr[2 * i + 1] = z.im;
                }
                let off = block as usize * NPBCH_BITS_PER_SUBFRAME;
                descramble_llrs(&mut self.llr, u32::from(cell.get()), off);
                self.rm
                    .rate_dematch_at(&self.llr, off, &mut self.soft, true)?;
                self.viterbi.decode(&self.soft, &mut self.decoded)?;
                let rem = crc_remainder(CrcKind::Crc16, &self.decoded[..MIB_NB_BITS]);
                let rx = read_bits_msb_first(&self.decoded[MIB_NB_BITS..]);
                if rem ^ npbch_crc_mask(ports) == rx {
                    let mut payload = [0u8; MIB_NB_BITS];
                    payload.copy_from_slice(&self.decoded[..MIB_NB_BITS]);
                    return Ok(NpbchDecoded {
                        mib: MibNb::unpack(&payload),
                        ports,
                        block: block as u8,
                        frame_mod8: rot.map(|r| r as u8),
                    });
                }
            }
        }
        Err(PhyError::CrcFailed)
    }

    /// Clears the soft-combining accumulators.
    pub fn reset_combining(&mut self) {
        *self.acc = [[[[0.0; NPBCH_BITS_PER_SUBFRAME]; 2]; 2]; 8];
        self.acc_used = [false; 8];
        self.acc_count = 0;
        self.acc_first_mod8 = None;
    }

    /// Subframes accumulated since the last reset.
    pub fn combined_count(&self) -> usize {
        self.acc_count
    }

    /// Adds the soft bits of one subframe-0 grid to the combining accumulators, for soft
    /// combining over up to one 640 ms TTI (64 frames). `rel_frame` counts frames from the
    /// first accumulated one (0, 1, …; gaps allowed), `frame_mod8` is the frame's `n_f mod 8`
    /// (e.g. from the NSSS): it removes θ_f and places the frame in its 8-frame block (frames
    /// of one block carry the same 200 bits; successive blocks continue the circular buffer).
    /// Combining 8 frames gains about 9 dB, a whole TTI about 18 dB.
    ///
    /// # Errors
    /// `Length`/`NonFinite` for a bad grid; `OutOfRange` if the frame lies 64 or more frames
    /// after the first one's block start or contradicts the first frame's `n_f mod 8`;
    /// `NotFound` if the NRS carry no energy.
    pub fn accumulate(
        &mut self,
        grid: &ResourceGrid,
        cell: NcellId,
        rel_frame: u32,
        frame_mod8: u8,
    ) -> Result<(), PhyError> {
        let first = self.acc_first_mod8.unwrap_or(frame_mod8 % 8);
        if (u32::from(first) + rel_frame) % 8 != u32::from(frame_mod8 % 8) {
            return Err(PhyError::OutOfRange {
                what: "frame_mod8 vs rel_frame",
                value: i64::from(frame_mod8),
            });
        }
        let slot = ((u32::from(first) + rel_frame) / 8) as usize;
        if slot >= 8 {
            return Err(PhyError::OutOfRange {
                what: "rel_frame (beyond one TTI)",
                value: i64::from(rel_frame),
            });
        }
        check_len("npbch grid symbols", 14, grid.n_symbols())?;
        check_len(
            "npbch grid subcarriers",
            NBIOT_SUBCARRIERS,
            grid.n_subcarriers(),
        )?;
        crate::error::check_finite_c32("npbch grid", grid.as_slice())?;
        let pos = npbch_re_positions(cell);
        let mut theta = [Complex32::default(); NPBCH_RE_PER_SUBFRAME];
        for (pi, ports) in [NrsPorts::Two, NrsPorts::One].into_iter().enumerate() {
            let chest = self
                .chest
                .estimate(grid, cell, NPBCH_SUBFRAME as u32, ports)?;
            let scale = qpsk_llr_scale(&chest);
            for ri in 0..2 {
                if ri == 0 {
                    npbch_rotation(cell, u32::from(frame_mod8), &mut theta);
                } else {
                    theta.fill(Complex32::new(1.0, 0.0));
                }
                equalise(grid, &chest, ports, &pos, Some(&theta), scale, &mut self.eq);
                for (i, z) in self.eq.iter().enumerate() {
                    self.acc[slot][pi][ri][2 * i] += z.re;
                    self.acc[slot][pi][ri][2 * i + 1] += z.im;
                }
            }
        }
        self.acc_used[slot] = true;
        self.acc_first_mod8 = Some(first);
        self.acc_count += 1;
        Ok(())
    }

    /// Decodes the accumulated soft bits, trying 2 then 1 port, with θ_f then without, and
    /// the 8 block indices of the first frame (later blocks follow it within the same TTI;
    /// blocks that would fall into the next TTI are left out of that hypothesis). `block` and
    /// `frame_mod8` of the result are those of the first accumulated frame.
    ///
    /// # Errors
    /// `NotFound` if nothing was accumulated; `CrcFailed` if no hypothesis passes.
    pub fn decode_accumulated(&mut self, cell: NcellId) -> Result<NpbchDecoded, PhyError> {
        let Some(first) = self.acc_first_mod8 else {
            return Err(PhyError::NotFound {
                what: "accumulated NPBCH subframes",
            });
        };
        for (pi, ports) in [NrsPorts::Two, NrsPorts::One].into_iter().enumerate() {
            for ri in 0..2 {
                for block in 0..8usize {
                    self.soft.fill(0.0);
                    for slot in (0..8 - block).filter(|&j| self.acc_used[j]) {
                        self.llr = self.acc[slot][pi][ri];
                        let off = (block + slot) * NPBCH_BITS_PER_SUBFRAME;
                        descramble_llrs(&mut self.llr, u32::from(cell.get()), off);
                        self.rm
                            .rate_dematch_at(&self.llr, off, &mut self.soft, false)?;
                    }
                    self.viterbi.decode(&self.soft, &mut self.decoded)?;
                    let rem = crc_remainder(CrcKind::Crc16, &self.decoded[..MIB_NB_BITS]);
                    let rx = read_bits_msb_first(&self.decoded[MIB_NB_BITS..]);
                    if rem ^ npbch_crc_mask(ports) == rx {
                        let mut payload = [0u8; MIB_NB_BITS];
                        payload.copy_from_slice(&self.decoded[..MIB_NB_BITS]);
                        return Ok(NpbchDecoded {
                            mib: MibNb::unpack(&payload),
                            ports,
                            block: block as u8,
                            frame_mod8: if ri == 0 { Some(first) } else { None },
                        });
                    }
                }
            }
        }
        Err(PhyError::CrcFailed)
    }

    /// The channel estimate of the last port hypothesis tried by the last decode (the one that
    /// passed the CRC when it succeeded).
    pub fn last_channel_estimate(&self) -> Option<&ChannelEstimate> {
        self.last_chest.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_mib() -> MibNb {
        MibNb {
            sfn_msb4: 0b1000,
            hsfn_lsb2: 2,
            scheduling_info_sib1: 5,
            system_info_value_tag: 17,
            ab_enabled: false,
            operation_mode: OperationMode::Guardband(0b01000),
            trailing11: 0,
        }
    }

    #[test]
    fn mib_pack_roundtrip_and_layout() {
        let m = sample_mib();
        let mut b = [0u8; MIB_NB_BITS];
        m.pack(&mut b);
        assert_eq!(&b[..6], &[1, 0, 0, 0, 1, 0]);
        assert_eq!(&b[16..18], &[1, 0]);
        assert_eq!(MibNb::unpack(&b), m);
        // The octets are the bits, MSB first: the 34-bit pattern then six zeros.
        let m = MibNb {
            sfn_msb4: 0b1010,
            hsfn_lsb2: 0b01,
            scheduling_info_sib1: 2,
            system_info_value_tag: 31,
            ab_enabled: true,
            operation_mode: OperationMode::Standalone(0),
            trailing11: 0,
        };
        let o = m.to_octets();
        assert_eq!(o[0], 0b1010_0100, "{o:?}");
        assert_eq!(o[4] & 0b0011_1111, 0);
        let bits: [u8; MIB_NB_BITS] = std::array::from_fn(|i| (o[i / 8] >> (7 - i % 8)) & 1);
        assert_eq!(MibNb::unpack(&bits), m);
    }

    #[test]
    fn re_positions_count_and_reservation() {
        for id in [0u16, 1, 2, 256, 257] {
            let cell = NcellId::new(id).unwrap();
            let pos = npbch_re_positions(cell);
            // 100 distinct REs, none on an NRS of either port
            let mut pilots = Vec::new();
            super::super::nrs::nrs_pilots(cell, 0, NrsPorts::Two, &mut pilots);
            for p in &pilots {
                assert!(!pos.contains(&(p.k, p.l)));
            }
            assert_eq!(pos[0], (0, 3));
            assert!(pos.iter().all(|&(_, l)| l >= 3));
            let per_symbol = |l: usize| pos.iter().filter(|p| p.1 == l).count();
            assert_eq!(per_symbol(3), 12);
            assert_eq!(per_symbol(9), 12);
            assert_eq!(per_symbol(4), 8);
        }
    }

    #[test]
    fn crc_mask_differs_by_all_ones() {
        let mut e1 = NpbchEncoder::new(NcellId::new(3).unwrap(), NrsPorts::One);
        let mut e2 = NpbchEncoder::new(NcellId::new(3).unwrap(), NrsPorts::Two);
        e1.encode(&sample_mib());
        e2.encode(&sample_mib());
        assert_eq!(e1.tti_bits().len(), NPBCH_E);
        // unscramble, then compare the CRC bits through the decoder chain would be heavy;
        // instead re-derive the encoder input difference via linearity: the code is linear,
        // so the XOR of both outputs is the encoding of (0…0, 1…1).
        let mut diff_in = [0u8; NPBCH_D];
        diff_in[MIB_NB_BITS..].fill(1);
        let mut coded = [0u8; 3 * NPBCH_D];
        tbcc_encode(&diff_in, &mut coded);
        let mut diff_out = [0u8; NPBCH_E];
        ConvRateMatcher::new(NPBCH_D).rate_match(&coded, &mut diff_out);
        for (i, &d) in diff_out.iter().enumerate() {
            assert_eq!(e1.tti_bits()[i] ^ e2.tti_bits()[i], d, "bit {i}");
        }
    }
}

#[cfg(test)]
mod loopback_tests {
    use super::*;
    use crate::nbiot::nrs::nrs_map;
    use crate::ofdm::NbiotOfdm;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn mib() -> MibNb {
        MibNb {
            sfn_msb4: 11,
            hsfn_lsb2: 1,
            scheduling_info_sib1: 9,
            system_info_value_tag: 30,
            ab_enabled: true,
            operation_mode: OperationMode::Standalone(0),
            trailing11: 0x401,
        }
    }

    /// Our transmitter → OFDM → channel (gain, timing slope, noise) → our receiver.
    fn run(
        cell_id: u16,
        ports: NrsPorts,
        n_f: u32,
        snr_db: f32,
        hint: FrameHint,
        seed: u64,
    ) -> Result<NpbchDecoded, PhyError> {
        let cell = NcellId::new(cell_id).unwrap();
        let mut enc = NpbchEncoder::new(cell, ports);
        enc.encode(&mib());
        let mut grids = vec![ResourceGrid::nbiot_subframe(); ports.count()];
        enc.map_frame(n_f, &mut grids);
        for (p, g) in grids.iter_mut().enumerate() {
            nrs_map(g, cell, 0, p);
        }
        // one receive antenna: port signals through different flat gains
        let gains = [
            Complex32::from_polar(0.8, 0.3),
            Complex32::from_polar(0.5, -2.0),
        ];
        let mut ofdm = NbiotOfdm::new();
        let mut rx = vec![Complex32::default(); 1920];
        let mut tmp = vec![Complex32::default(); 1920];
        for (p, g) in grids.iter().enumerate() {
            ofdm.modulate_subframe(g, &mut tmp);
            for (r, t) in rx.iter_mut().zip(&tmp) {
                *r += t * gains[p];
            }
        }
        // in-band SNR per RE: RE power |g|² vs noise per RE after demodulation (σ²/128)
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let nv_re = 0.64 / 10f32.powf(snr_db / 10.0);
        let sigma = (nv_re * 128.0 / 2.0).sqrt();
        for r in rx.iter_mut() {
            *r += Complex32::new(gauss(&mut rng), gauss(&mut rng)) * sigma;
        }
        let mut grid = ResourceGrid::nbiot_subframe();
        ofdm.demodulate_subframe(&rx, &mut grid)?;
        NpbchDecoder::new().decode_subframe(&grid, cell, hint)
    }

    use crate::noise::gaussian as gauss;

    #[test]
    fn clean_loopback_all_hints_and_ports() {
        for (id, ports, n_f) in [
            (0u16, NrsPorts::One, 514u32),
            (257, NrsPorts::Two, 447),
            (101, NrsPorts::One, 63),
            (502, NrsPorts::Two, 0),
        ] {
            for hint in [
                FrameHint::Unknown,
                FrameHint::Mod8((n_f % 8) as u8),
                FrameHint::Mod64((n_f % 64) as u8),
            ] {
                let d = run(id, ports, n_f, 40.0, hint, 1).unwrap();
                assert_eq!(d.mib, mib());
                assert_eq!(d.ports, ports);
                assert_eq!(u32::from(d.block), (n_f % 64) / 8);
                assert_eq!(d.frame_mod8, Some((n_f % 8) as u8));
            }
        }
    }

    #[test]
    fn noisy_single_subframe() {
        // one subframe (1/8 of the TTI energy) at 0 dB in-band SNR per RE
        let mut ok = 0;
        for seed in 0..20 {
            if let Ok(d) = run(33, NrsPorts::One, 21, 0.0, FrameHint::Mod8(5), seed) {
                assert_eq!(d.mib, mib());
                ok += 1;
            }
        }
        assert!(ok >= 17, "{ok}/20 decoded at 0 dB");
    }

    /// Our TX → AWGN → soft combining of the 8 frames of one block.
    #[test]
    fn soft_combining_eight_frames_at_minus_6_db() {
        let cell = NcellId::new(411).unwrap();
        let mut enc = NpbchEncoder::new(cell, NrsPorts::One);
        enc.encode(&mib());
        let mut ofdm = NbiotOfdm::new();
        let mut rng = ChaCha8Rng::seed_from_u64(77);
        let mut dec = NpbchDecoder::new();
        let mut ok = 0;
        let trials = 10;
        for t in 0..trials {
            dec.reset_combining();
            let block = t % 8;
            for r in 0..8u32 {
                let n_f = 8 * block + r;
                let mut grids = vec![ResourceGrid::nbiot_subframe()];
                enc.map_frame(n_f, &mut grids);
                nrs_map(&mut grids[0], cell, 0, 0);
                let mut sf = vec![Complex32::default(); 1920];
                ofdm.modulate_subframe(&grids[0], &mut sf);
                // −6 dB per RE: noise σ² per RE = 4 → 512 per time sample
                let sigma = (4.0f32 * 128.0 / 2.0).sqrt();
                let g = Complex32::from_polar(1.0, 0.1 * t as f32);
                for v in sf.iter_mut() {
                    *v = *v * g + Complex32::new(gauss(&mut rng), gauss(&mut rng)) * sigma;
                }
                let mut grid = ResourceGrid::nbiot_subframe();
                ofdm.demodulate_subframe(&sf, &mut grid).unwrap();
                dec.accumulate(&grid, cell, r, r as u8).unwrap();
            }
            assert_eq!(dec.combined_count(), 8);
            if let Ok(d) = dec.decode_accumulated(cell) {
                assert_eq!(d.mib, mib());
                assert_eq!(u32::from(d.block), block);
                assert_eq!(d.frame_mod8, Some(0));
                ok += 1;
            }
        }
        assert!(ok >= 9, "{ok}/{trials} blocks decoded at −6 dB");
        dec.reset_combining();
        assert!(matches!(
            dec.decode_accumulated(cell),
            Err(PhyError::NotFound { .. })
        ));
    }

    #[test]
    fn garbage_does_not_panic() {
        let cell = NcellId::new(5).unwrap();
        let mut grid = ResourceGrid::nbiot_subframe();
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for l in 0..14 {
            for k in 0..12 {
                grid.set(k, l, Complex32::new(gauss(&mut rng), gauss(&mut rng)));
            }
        }
        let r = NpbchDecoder::new().decode_subframe(&grid, cell, FrameHint::Mod64(0));
        assert_eq!(r, Err(PhyError::CrcFailed));
        grid.set(3, 3, Complex32::new(f32::NAN, 0.0));
        let r = NpbchDecoder::new().decode_subframe(&grid, cell, FrameHint::Unknown);
        assert!(matches!(r, Err(PhyError::NonFinite { .. })));
    }
}
