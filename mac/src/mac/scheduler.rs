//! Cell-side NB-IoT scheduler for the anchor carrier (TS 36.213 §16.4–16.6 timing), with the
//! IoT-NTN offsets on every UL scheduling time. Sans-IO: requests in, grants out; the
//! caller (the cell stack) does link adaptation (it picks I_SF/I_RU/repetitions and the TBS
//! from the PHY tables) and maps subframe indices to carrier time.
//!
//! Model:
//! - Time is absolute subframe indices `sf` (10·SFN + subframe, extended past the wrap).
//!   The DL anchor carrier carries one channel per subframe; NPDCCH and NPDSCH use only
//!   NB-IoT DL subframes: not subframe 0 (NPBCH), 5 (NPSS), 9 of even frames (NSSS), and —
//!   when [`SchedulerConfig::sib1_even_frames`] is set — not subframe 4 of even frames
//!   (SIB1-NB with 16 repetitions).
//! - One UE-specific search space configuration for all UEs (R_max, G, α_offset): period
//!   T = R_max·G, starting subframes with `sf mod T = α_offset·T`; a DCI of R repetitions
//!   starts at the (b·R)-th NB-IoT DL subframe of the occasion, b = 0…R_max/R − 1 (§16.6).
//! - DCI N1 ending in n → NPDSCH from the k0-th NB-IoT DL subframe counted from n+5 (Table
//!   16.4.1-1), N_SF·N_Rep NB-IoT DL subframes; HARQ-ACK (NPUSCH format 2) after the end of
//!   NPDSCH end + k0_ack − 1 + K_offset (Table 16.4.2-1), 2 ms per repetition (one 15 kHz
//!   RU of 4 slots).
//! - DCI N0 ending in n → NPUSCH format 1 after the end of n + k0 + K_offset (Table 16.5.1-1),
//!   N_RU·N_Rep resource units.
//! - The UL carrier is booked per subframe (one NPUSCH or HARQ-ACK at a time, whatever its
//!   tones) — conservative: no FDMA between single-tone users.
//! - K_offset = k-Offset − K_UE,offset per UE (Differential Koffset); K_mac delays the
//!   cell's UL reception of UL subframe u to DL time u + K_mac ([`Grant::ul_rx_end`]).
//! - A UE has one grant in flight (one HARQ process): its next DCI starts after the last
//!   subframe of its previous grant (HARQ-ACK or NPUSCH) as seen at the cell.

use super::timing::{ACK_K0_15KHZ, N0_K0, npdsch_first_subframe};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use thiserror::Error;

/// N_SF by I_SF (Table 16.4.1.3-1).
pub const NPDSCH_N_SF: [u32; 8] = [1, 2, 3, 4, 5, 6, 8, 10];
/// NPDSCH N_Rep by I_Rep (Table 16.4.1.3-2).
pub const NPDSCH_N_REP: [u32; 16] = [
    1, 2, 4, 8, 16, 32, 64, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048,
];
/// N_RU by I_RU (Table 16.5.1.1-2).
pub const NPUSCH_N_RU: [u32; 8] = [1, 2, 3, 4, 5, 6, 8, 10];
/// NPUSCH N_Rep by I_Rep (Table 16.5.1.1-3).
pub const NPUSCH_N_REP: [u32; 8] = [1, 2, 4, 8, 16, 32, 64, 128];
/// R_max values of npdcch-NumRepetitions (1…2048).
pub const R_MAX_VALUES: [u32; 12] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048];

/// A configuration the scheduler cannot run.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SchedulerError {
    /// Invalid search space, repetition or offset parameter.
    #[error("scheduler configuration invalid: {0}")]
    Config(&'static str),
    /// A request with an index outside its table.
    #[error("request field {0} out of range")]
    Request(&'static str),
}

/// Cell configuration the scheduler needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchedulerConfig {
    /// npdcch-NumRepetitions (R_max).
    pub r_max: u32,
    /// npdcch-StartSF-USS (G: 1.5 is not supported; 2, 4, 8, 16, 32, 48, 64).
    pub g: u32,
    /// npdcch-Offset-USS α_offset as a fraction numerator over 8 (0, 1, 3 → 0, 1/8, 3/8).
    pub alpha_offset_eighths: u32,
    /// DCI repetitions R used for every DCI (R_max/8, R_max/4, R_max/2 or R_max).
    pub dci_repetitions: u32,
    /// ack-NACK-NumRepetitions (1…128).
    pub ack_repetitions: u32,
    /// k-Offset of SIB31 (ms).
    pub k_cell_offset: u32,
    /// k-Mac of SIB31 (ms).
    pub k_mac: u32,
    /// Keep subframe 4 of even frames free (SIB1-NB).
    pub sib1_even_frames: bool,
}

impl SchedulerConfig {
    /// Checks the ranges.
    pub fn validate(&self) -> Result<(), SchedulerError> {
        if !R_MAX_VALUES.contains(&self.r_max) {
            return Err(SchedulerError::Config("r_max"));
        }
        if ![2, 4, 8, 16, 32, 48, 64].contains(&self.g) {
            return Err(SchedulerError::Config("G"));
        }
        if ![0, 1, 3].contains(&self.alpha_offset_eighths) {
            return Err(SchedulerError::Config("alpha_offset"));
        }
        let r = self.dci_repetitions;
        if r == 0 || !self.r_max.is_multiple_of(r) || self.r_max / r > 8 || !r.is_power_of_two() {
            return Err(SchedulerError::Config("DCI repetitions"));
        }
        if !(1..=128).contains(&self.ack_repetitions) {
            return Err(SchedulerError::Config("ack repetitions"));
        }
        if self.k_cell_offset > 1023 || self.k_mac > 512 {
            return Err(SchedulerError::Config("K_offset/K_mac"));
        }
        Ok(())
    }

    /// Search-space period T = R_max·G in subframes.
    pub fn period(&self) -> u64 {
        u64::from(self.r_max) * u64::from(self.g)
    }

    /// DCI subframe repetition number field for R (0 → R_max/8 … 3 → R_max).
    pub fn dci_subframe_repetition_field(&self) -> u8 {
        let ratio = self.r_max / self.dci_repetitions;
        match ratio {
            8 => 0,
            4 => 1,
            2 => 2,
            _ => 3,
        }
    }

    /// Whether `sf` is an NB-IoT DL subframe on the anchor carrier.
    pub fn dl_valid(&self, sf: u64) -> bool {
        let s = sf % 10;
        let even = (sf / 10).is_multiple_of(2);
        !(s == 0 || s == 5 || (s == 9 && even) || (self.sib1_even_frames && s == 4 && even))
    }

    /// The `count` NB-IoT DL subframes starting at the first valid one ≥ `from`.
    pub fn dl_subframes(&self, from: u64, count: u64) -> Vec<u64> {
        let mut out = Vec::with_capacity(count as usize);
        let mut sf = from;
        while (out.len() as u64) < count {
            if self.dl_valid(sf) {
                out.push(sf);
            }
            sf += 1;
        }
        out
    }

    /// The NB-IoT DL subframe `k` valid subframes after the first valid one ≥ `from`.
    pub fn nth_dl_subframe(&self, from: u64, k: u64) -> u64 {
        let mut sf = from;
        let mut seen = 0;
        loop {
            if self.dl_valid(sf) {
                if seen == k {
                    return sf;
                }
                seen += 1;
            }
            sf += 1;
        }
    }
}

/// A DL transmission the cell wants to make to a UE (link adaptation done by the caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DlRequest {
    /// I_SF (0…7).
    pub i_sf: u8,
    /// NPDSCH I_Rep (0…15).
    pub i_rep: u8,
    /// I_MCS (= I_TBS for NPDSCH) written in the DCI.
    pub mcs: u8,
    /// New data indicator to send.
    pub ndi: bool,
}

/// Number of tones of an NPUSCH format 1 allocation at 15 kHz.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tones {
    /// Single tone (RU = 8 ms).
    One(u8),
    /// Three tones (RU = 4 ms), subcarrier set 0…3.
    Three(u8),
    /// Six tones (RU = 2 ms), set 0…1.
    Six(u8),
    /// Twelve tones (RU = 1 ms).
    Twelve,
}

impl Tones {
    /// Resource-unit length in subframes (Table 10.1.2.3-1 of 36.211).
    pub fn ru_ms(self) -> u32 {
        match self {
            Tones::One(_) => 8,
            Tones::Three(_) => 4,
            Tones::Six(_) => 2,
            Tones::Twelve => 1,
        }
    }
    /// Subcarrier indication field I_sc (Table 16.5.1.1-1).
    pub fn i_sc(self) -> u8 {
        match self {
            Tones::One(k) => k.min(11),
            Tones::Three(k) => 12 + k.min(3),
            Tones::Six(k) => 16 + k.min(1),
            Tones::Twelve => 18,
        }
    }
}

/// An UL transmission the cell grants a UE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UlRequest {
    /// Tones.
    pub tones: Tones,
    /// I_RU (0…7).
    pub i_ru: u8,
    /// I_Rep (0…7).
    pub i_rep: u8,
    /// I_MCS.
    pub mcs: u8,
    /// New data indicator to send.
    pub ndi: bool,
}

/// Subframes `first..=last` (DL ones: only the NB-IoT DL subframes in between are used).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    /// First subframe.
    pub first: u64,
    /// Last subframe.
    pub last: u64,
}

/// DCI format N1 fields the scheduler decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct N1Fields {
    /// Scheduling delay I_Delay.
    pub scheduling_delay: u8,
    /// Resource assignment I_SF.
    pub resource_assignment: u8,
    /// I_MCS.
    pub mcs: u8,
    /// Repetition number I_Rep.
    pub repetition_number: u8,
    /// NDI.
    pub ndi: bool,
    /// HARQ-ACK resource.
    pub harq_ack_resource: u8,
    /// DCI subframe repetition number.
    pub dci_subframe_repetition: u8,
}

/// DCI format N0 fields the scheduler decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct N0Fields {
    /// Subcarrier indication I_sc.
    pub subcarrier_indication: u8,
    /// Resource assignment I_RU.
    pub resource_assignment: u8,
    /// Scheduling delay I_Delay.
    pub scheduling_delay: u8,
    /// I_MCS.
    pub mcs: u8,
    /// Repetition number I_Rep.
    pub repetition_number: u8,
    /// NDI.
    pub ndi: bool,
    /// DCI subframe repetition number.
    pub dci_subframe_repetition: u8,
}

/// What the grant schedules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantKind {
    /// NPDSCH and its HARQ-ACK.
    Dl {
        /// The DCI.
        dci: N1Fields,
        /// NPDSCH subframes (NB-IoT DL subframes within).
        npdsch: Span,
        /// NPUSCH format 2 subframes.
        ack: Span,
    },
    /// NPUSCH format 1.
    Ul {
        /// The DCI.
        dci: N0Fields,
        /// NPUSCH subframes.
        npusch: Span,
    },
}

/// One scheduling decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    /// C-RNTI.
    pub rnti: u16,
    /// NPDCCH subframes (NB-IoT DL subframes within).
    pub npdcch: Span,
    /// The data channel(s).
    pub kind: GrantKind,
    /// K_offset applied (k-Offset − K_UE,offset).
    pub k_offset: u32,
    /// When the cell has received the last UL subframe of this grant (DL subframe index:
    /// UL subframe + K_mac + 1).
    pub ul_rx_end: u64,
}

#[derive(Debug, Clone, Default)]
struct UeCtx {
    k_ue_offset: u32,
    busy_until: u64,
    dl: VecDeque<DlRequest>,
    ul: VecDeque<UlRequest>,
}

/// Counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SchedulerStats {
    /// DL grants made.
    pub dl_grants: u64,
    /// UL grants made.
    pub ul_grants: u64,
    /// Search-space candidates that stayed empty with requests pending.
    pub blocked_candidates: u64,
}

/// The anchor-carrier scheduler.
#[derive(Debug, Clone)]
pub struct CellScheduler {
    cfg: SchedulerConfig,
    ues: BTreeMap<u16, UeCtx>,
    dl_busy: BTreeSet<u64>,
    ul_busy: BTreeSet<u64>,
    next_occasion: u64,
    rr: u16,
    stats: SchedulerStats,
}

impl CellScheduler {
    /// A scheduler whose first search-space occasion is at or after `start_sf`.
    pub fn new(config: SchedulerConfig, start_sf: u64) -> Result<Self, SchedulerError> {
        config.validate()?;
        Ok(CellScheduler {
            cfg: config,
            ues: BTreeMap::new(),
            dl_busy: BTreeSet::new(),
            ul_busy: BTreeSet::new(),
            next_occasion: start_sf,
            rr: 0,
            stats: SchedulerStats::default(),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &SchedulerConfig {
        &self.cfg
    }

    /// Adds a UE (or updates its Differential Koffset, 0…63 ms).
    pub fn add_ue(&mut self, rnti: u16, k_ue_offset: u32) {
        self.ues.entry(rnti).or_default().k_ue_offset = k_ue_offset.min(63);
    }

    /// Removes a UE and its pending requests.
    pub fn remove_ue(&mut self, rnti: u16) {
        self.ues.remove(&rnti);
    }

    /// K_offset of a UE.
    pub fn k_offset(&self, rnti: u16) -> u32 {
        let ue = self.ues.get(&rnti).map_or(0, |u| u.k_ue_offset);
        self.cfg.k_cell_offset.saturating_sub(ue)
    }

    /// Queues a DL transmission for `rnti` (the UE is added if unknown).
    pub fn request_dl(&mut self, rnti: u16, req: DlRequest) -> Result<(), SchedulerError> {
        if req.i_sf > 7 {
            return Err(SchedulerError::Request("I_SF"));
        }
        if req.i_rep > 15 {
            return Err(SchedulerError::Request("I_Rep"));
        }
        self.ues.entry(rnti).or_default().dl.push_back(req);
        Ok(())
    }

    /// Queues an UL grant for `rnti`.
    pub fn request_ul(&mut self, rnti: u16, req: UlRequest) -> Result<(), SchedulerError> {
        if req.i_ru > 7 {
            return Err(SchedulerError::Request("I_RU"));
        }
        if req.i_rep > 7 {
            return Err(SchedulerError::Request("I_Rep"));
        }
        self.ues.entry(rnti).or_default().ul.push_back(req);
        Ok(())
    }

    /// Requests still waiting.
    pub fn pending(&self) -> usize {
        self.ues.values().map(|u| u.dl.len() + u.ul.len()).sum()
    }

    /// Counters.
    pub fn stats(&self) -> &SchedulerStats {
        &self.stats
    }

    /// First search-space occasion start ≥ `sf`.
    pub fn occasion_at_or_after(&self, sf: u64) -> u64 {
        let t = self.cfg.period();
        let off = t * u64::from(self.cfg.alpha_offset_eighths) / 8;
        let base = sf.saturating_sub(off) / t * t + off;
        if base >= sf { base } else { base + t }
    }

    /// Plans every search-space occasion that starts before `until_sf` (exclusive) and has
    /// not been planned yet; returns the grants in DCI order. Call it with `until_sf` at
    /// least the current subframe plus the scheduling lead the caller needs.
    pub fn schedule(&mut self, until_sf: u64) -> Vec<Grant> {
        let mut out = Vec::new();
        loop {
            let occ = self.occasion_at_or_after(self.next_occasion);
            if occ >= until_sf {
                break;
            }
            self.next_occasion = occ + 1;
            let r = u64::from(self.cfg.dci_repetitions);
            let candidates = u64::from(self.cfg.r_max) / r;
            for b in 0..candidates {
                let first = self.cfg.nth_dl_subframe(occ, b * r);
                let pdcch = self.cfg.dl_subframes(first, r);
                if pdcch.iter().any(|s| self.dl_busy.contains(s)) {
                    continue;
                }
                if let Some(g) = self.place_one(&pdcch) {
                    out.push(g);
                } else if self
                    .ues
                    .values()
                    .any(|u| !u.dl.is_empty() || !u.ul.is_empty())
                {
                    self.stats.blocked_candidates += 1;
                }
            }
        }
        // Forget bookings far in the past.
        let keep_from = self.next_occasion.saturating_sub(1);
        self.dl_busy = self.dl_busy.split_off(&keep_from);
        self.ul_busy = self.ul_busy.split_off(&keep_from);
        out
    }

    /// Tries the UEs round-robin on one DCI candidate.
    fn place_one(&mut self, pdcch: &[u64]) -> Option<Grant> {
        let (&first, &last) = (pdcch.first()?, pdcch.last()?);
        let rntis: Vec<u16> = self
            .ues
            .range(self.rr..)
            .chain(self.ues.range(..self.rr))
            .filter(|(_, u)| u.busy_until <= first && (!u.dl.is_empty() || !u.ul.is_empty()))
            .map(|(r, _)| *r)
            .collect();
        for rnti in rntis {
            let k_offset = self.k_offset(rnti);
            let Some(ue) = self.ues.get(&rnti) else {
                continue;
            };
            let grant = if let Some(req) = ue.dl.front().copied() {
                self.try_dl(rnti, req, first, last, k_offset)
            } else if let Some(req) = ue.ul.front().copied() {
                self.try_ul(rnti, req, first, last, k_offset)
            } else {
                None
            };
            if let Some(g) = grant {
                for s in pdcch {
                    self.dl_busy.insert(*s);
                }
                let ue = self.ues.get_mut(&rnti)?;
                match g.kind {
                    GrantKind::Dl { npdsch, ack, .. } => {
                        ue.dl.pop_front();
                        for s in self.cfg.dl_subframes(npdsch.first, npdsch_len(&g)) {
                            self.dl_busy.insert(s);
                        }
                        for s in ack.first..=ack.last {
                            self.ul_busy.insert(s);
                        }
                        self.stats.dl_grants += 1;
                    }
                    GrantKind::Ul { npusch, .. } => {
                        ue.ul.pop_front();
                        for s in npusch.first..=npusch.last {
                            self.ul_busy.insert(s);
                        }
                        self.stats.ul_grants += 1;
                    }
                }
                ue.busy_until = g.ul_rx_end;
                self.rr = rnti.wrapping_add(1);
                return Some(g);
            }
        }
        None
    }

    fn try_dl(
        &self,
        rnti: u16,
        req: DlRequest,
        first: u64,
        last: u64,
        k_offset: u32,
    ) -> Option<Grant> {
        let n_sub = u64::from(NPDSCH_N_SF[usize::from(req.i_sf)])
            * u64::from(NPDSCH_N_REP[usize::from(req.i_rep)]);
        let ack_len = 2 * u64::from(self.cfg.ack_repetitions);
        for i_delay in 0..8u8 {
            let start =
                npdsch_first_subframe(last, i_delay, self.cfg.r_max, |sf| self.cfg.dl_valid(sf));
            let sfs = self.cfg.dl_subframes(start, n_sub);
            if sfs.iter().any(|s| self.dl_busy.contains(s)) {
                continue;
            }
            let end = *sfs.last()?;
            // HARQ-ACK resources with subcarrier 0: fields 0, 4, 8, 12 (k0 13, 15, 17, 18).
            for res in [0u8, 4, 8, 12] {
                let a0 = end + u64::from(ACK_K0_15KHZ[usize::from(res)]) + u64::from(k_offset);
                let a1 = a0 + ack_len - 1;
                if self.ul_busy.range(a0..=a1).next().is_some() {
                    continue;
                }
                return Some(Grant {
                    rnti,
                    npdcch: Span { first, last },
                    kind: GrantKind::Dl {
                        dci: N1Fields {
                            scheduling_delay: i_delay,
                            resource_assignment: req.i_sf,
                            mcs: req.mcs,
                            repetition_number: req.i_rep,
                            ndi: req.ndi,
                            harq_ack_resource: res,
                            dci_subframe_repetition: self.cfg.dci_subframe_repetition_field(),
                        },
                        npdsch: Span {
                            first: start,
                            last: end,
                        },
                        ack: Span {
                            first: a0,
                            last: a1,
                        },
                    },
                    k_offset,
                    ul_rx_end: a1 + 1 + u64::from(self.cfg.k_mac),
                });
            }
        }
        None
    }

    fn try_ul(
        &self,
        rnti: u16,
        req: UlRequest,
        first: u64,
        last: u64,
        k_offset: u32,
    ) -> Option<Grant> {
        let len = u64::from(req.tones.ru_ms())
            * u64::from(NPUSCH_N_RU[usize::from(req.i_ru)])
            * u64::from(NPUSCH_N_REP[usize::from(req.i_rep)]);
        for (i_delay, &k0) in N0_K0.iter().enumerate() {
            let s0 = last + u64::from(k0) + u64::from(k_offset) + 1;
            let s1 = s0 + len - 1;
            if self.ul_busy.range(s0..=s1).next().is_some() {
                continue;
            }
            return Some(Grant {
                rnti,
                npdcch: Span { first, last },
                kind: GrantKind::Ul {
                    dci: N0Fields {
                        subcarrier_indication: req.tones.i_sc(),
                        resource_assignment: req.i_ru,
                        scheduling_delay: i_delay as u8,
                        mcs: req.mcs,
                        repetition_number: req.i_rep,
                        ndi: req.ndi,
                        dci_subframe_repetition: self.cfg.dci_subframe_repetition_field(),
                    },
                    npusch: Span {
                        first: s0,
                        last: s1,
                    },
                },
                k_offset,
                ul_rx_end: s1 + 1 + u64::from(self.cfg.k_mac),
            });
        }
        None
    }
}

/// NPDSCH subframe count of a DL grant (N_SF·N_Rep).
pub fn npdsch_len(g: &Grant) -> u64 {
    match g.kind {
        GrantKind::Dl { dci, .. } => {
            u64::from(NPDSCH_N_SF[usize::from(dci.resource_assignment & 7)])
                * u64::from(NPDSCH_N_REP[usize::from(dci.repetition_number & 15)])
        }
        GrantKind::Ul { .. } => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> SchedulerConfig {
        SchedulerConfig {
            r_max: 8,
            g: 4,
            alpha_offset_eighths: 0,
            dci_repetitions: 2,
            ack_repetitions: 1,
            k_cell_offset: 20,
            k_mac: 0,
            sib1_even_frames: true,
        }
    }

    #[test]
    fn valid_subframes_and_occasions() {
        let c = cfg();
        // Frame 0 (even): 0, 4 (SIB1), 5, 9 invalid; frame 1: 0, 5 invalid.
        let v: Vec<u64> = (0..20).filter(|&s| c.dl_valid(s)).collect();
        assert_eq!(v, [1, 2, 3, 6, 7, 8, 11, 12, 13, 14, 16, 17, 18, 19]);
        let s = CellScheduler::new(c, 0).unwrap();
        assert_eq!(s.occasion_at_or_after(0), 0);
        assert_eq!(s.occasion_at_or_after(1), 32);
        let mut c3 = c;
        c3.alpha_offset_eighths = 3;
        let s3 = CellScheduler::new(c3, 0).unwrap();
        assert_eq!(s3.occasion_at_or_after(0), 12);
        assert_eq!(s3.occasion_at_or_after(13), 44);
    }

    /// One DL grant, hand-checked: occasion 32 (frame 3, subframe 2), R = 2 → NPDCCH in 32,
    /// 33; NPDSCH from the k0-th valid subframe counted from 38 (k0 = 0 → 38), I_SF 1 → 2
    /// subframes 38, 39; HARQ-ACK at 39 + 13 + K_offset 20 = 72, 2 ms.
    #[test]
    fn hand_checked_dl_grant() {
        let mut s = CellScheduler::new(cfg(), 1).unwrap();
        s.add_ue(0x100, 0);
        s.request_dl(
            0x100,
            DlRequest {
                i_sf: 1,
                i_rep: 0,
                mcs: 4,
                ndi: true,
            },
        )
        .unwrap();
        let g = s.schedule(40);
        assert_eq!(g.len(), 1);
        let g = g[0];
        assert_eq!(
            g.npdcch,
            Span {
                first: 32,
                last: 33
            }
        );
        let GrantKind::Dl { dci, npdsch, ack } = g.kind else {
            panic!()
        };
        assert_eq!(
            npdsch,
            Span {
                first: 38,
                last: 39
            }
        );
        assert_eq!(
            ack,
            Span {
                first: 72,
                last: 73
            }
        );
        assert_eq!(dci.scheduling_delay, 0);
        assert_eq!(dci.harq_ack_resource, 0);
        assert_eq!(dci.dci_subframe_repetition, 1); // R = R_max/4
        assert_eq!(g.ul_rx_end, 74);
    }
}
