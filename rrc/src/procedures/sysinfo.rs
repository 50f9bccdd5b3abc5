//! System-information helpers: frame timing, SI-window scheduling (TS 36.331 §5.2.3a), where
//! SIB31-NB/SIB32-NB are scheduled, the SIB31 epoch (§6.7.3 `epochTime`) and the UE timers
//! and constants (SIB2-NB `ue-TimersAndConstants`, dedicated `rlf-TimersAndConstants`).

use ntn_rrc_asn1::{
    RLFTimersAndConstantsNBR13, RLFTimersAndConstantsNBR13Setup, SIBTypeNBV1530,
    SchedulingInfoNBR13SiPeriodicityR13, ServingSatelliteInfoR17UlSyncValidityDurationR17,
    SystemInformationBlockType1NB, SystemInformationBlockType1NBSiWindowLengthR13,
    SystemInformationBlockType2NBR13, SystemInformationBlockType31NBR17,
};
use ntn_types::time::{Duration, Instant};

/// Downlink frame timing of a subframe: hyper frame (H-SFN 0..=1023), frame (SFN 0..=1023) and
/// subframe (0..=9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FrameTiming {
    /// H-SFN, 0..=1023.
    pub hsfn: u16,
    /// SFN, 0..=1023.
    pub sfn: u16,
    /// Subframe, 0..=9.
    pub subframe: u8,
}

/// Subframes in one H-SFN cycle (1024 × 1024 frames of 10 subframes).
pub const SUBFRAMES_PER_HSFN_CYCLE: i64 = 1024 * 1024 * 10;

impl FrameTiming {
    /// Subframes since H-SFN 0, SFN 0, subframe 0 (fields are reduced to their ranges).
    pub fn absolute_subframe(self) -> i64 {
        (i64::from(self.hsfn % 1024) * 1024 + i64::from(self.sfn % 1024)) * 10
            + i64::from(self.subframe % 10)
    }

    /// The timing of absolute subframe `n` (taken modulo one H-SFN cycle).
    pub fn from_absolute_subframe(n: i64) -> Self {
        let n = n.rem_euclid(SUBFRAMES_PER_HSFN_CYCLE);
        let frame = n / 10;
        Self {
            hsfn: (frame / 1024) as u16,
            sfn: (frame % 1024) as u16,
            subframe: (n % 10) as u8,
        }
    }

    /// The frame timing at `now` for a cell whose H-SFN 0, SFN 0, subframe 0 started at `t0`
    /// (1 ms subframes).
    pub fn at(now: Instant, t0: Instant) -> Self {
        let ms = (now - t0).as_nanos().div_euclid(1_000_000);
        Self::from_absolute_subframe(ms)
    }
}

/// Where an SI message is sent (TS 36.331 §5.2.3a, NB-IoT): its SI-window starts at subframe 0
/// of the frames with (H-SFN·1024 + SFN) mod `periodicity_frames` = `start_frame`, and lasts
/// `window_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SiSchedule {
    /// Position of the SI message in schedulingInfoList (0-based; n − 1 in the spec).
    pub si_index: usize,
    /// si-Periodicity in radio frames.
    pub periodicity_frames: u32,
    /// si-WindowLength in ms.
    pub window_ms: u32,
    /// FLOOR(x/10) + si-RadioFrameOffset, x = (n − 1)·w.
    pub start_frame: u32,
}

impl SiSchedule {
    /// The schedule of the `si_index`-th SI message of `sib1`, if it exists.
    pub fn of(sib1: &SystemInformationBlockType1NB, si_index: usize) -> Option<Self> {
        let info = sib1.scheduling_info_list_r13.0.get(si_index)?;
        let periodicity_frames = match info.si_periodicity_r13 {
            SchedulingInfoNBR13SiPeriodicityR13::Rf64 => 64,
            SchedulingInfoNBR13SiPeriodicityR13::Rf128 => 128,
            SchedulingInfoNBR13SiPeriodicityR13::Rf256 => 256,
            SchedulingInfoNBR13SiPeriodicityR13::Rf512 => 512,
            SchedulingInfoNBR13SiPeriodicityR13::Rf1024 => 1024,
            SchedulingInfoNBR13SiPeriodicityR13::Rf2048 => 2048,
            SchedulingInfoNBR13SiPeriodicityR13::Rf4096 => 4096,
            SchedulingInfoNBR13SiPeriodicityR13::Spare => return None,
        };
        let window_ms = si_window_ms(sib1)?;
        let x = si_index as u32 * window_ms;
        let offset = u32::from(sib1.si_radio_frame_offset_r13.unwrap_or(0));
        Some(Self {
            si_index,
            periodicity_frames,
            window_ms,
            start_frame: (x / 10 + offset) % periodicity_frames,
        })
    }

    /// Absolute subframe (see [`FrameTiming::absolute_subframe`]) where the SI-window that
    /// contains or last started before `at` begins.
    pub fn window_start_at_or_before(&self, at: FrameTiming) -> i64 {
        let frame = at.absolute_subframe() / 10;
        let t = i64::from(self.periodicity_frames);
        let back = (frame - i64::from(self.start_frame)).rem_euclid(t);
        (frame - back) * 10
    }

    /// Absolute subframe where the first SI-window starting at or after `at` begins.
    pub fn next_window_start(&self, at: FrameTiming) -> i64 {
        let start = self.window_start_at_or_before(at);
        if start >= at.absolute_subframe() {
            start
        } else {
            start + i64::from(self.periodicity_frames) * 10
        }
    }
}

/// si-WindowLength of SIB1-NB in ms (`None` for the spare value).
pub fn si_window_ms(sib1: &SystemInformationBlockType1NB) -> Option<u32> {
    Some(match sib1.si_window_length_r13 {
        SystemInformationBlockType1NBSiWindowLengthR13::Ms160 => 160,
        SystemInformationBlockType1NBSiWindowLengthR13::Ms320 => 320,
        SystemInformationBlockType1NBSiWindowLengthR13::Ms480 => 480,
        SystemInformationBlockType1NBSiWindowLengthR13::Ms640 => 640,
        SystemInformationBlockType1NBSiWindowLengthR13::Ms960 => 960,
        SystemInformationBlockType1NBSiWindowLengthR13::Ms1280 => 1280,
        SystemInformationBlockType1NBSiWindowLengthR13::Ms1600 => 1600,
        SystemInformationBlockType1NBSiWindowLengthR13::Spare1 => return None,
    })
}

/// The index of the SI message that carries a SIB listed in `schedulingInfoList-v1530`
/// (SIB23/27/31/32-NB), if SIB1-NB schedules it.
pub fn si_index_of(sib1: &SystemInformationBlockType1NB, sib: SIBTypeNBV1530) -> Option<usize> {
    let v1530 = sib1
        .non_critical_extension
        .as_ref()?
        .non_critical_extension
        .as_ref()?
        .non_critical_extension
        .as_ref()?
        .non_critical_extension
        .as_ref()?;
    let list = v1530.scheduling_info_list_v1530.as_ref()?;
    list.0.iter().position(|e| {
        e.sib_mapping_info_v1530
            .as_ref()
            .is_some_and(|m| m.0.contains(&sib))
    })
}

/// ul-SyncValidityDuration-r17 in seconds.
pub fn ul_sync_validity_s(sib31: &SystemInformationBlockType31NBR17) -> u32 {
    use ServingSatelliteInfoR17UlSyncValidityDurationR17 as V;
    match sib31
        .serving_satellite_info_r17
        .ul_sync_validity_duration_r17
    {
        V::S5 => 5,
        V::S10 => 10,
        V::S15 => 15,
        V::S20 => 20,
        V::S25 => 25,
        V::S30 => 30,
        V::S35 => 35,
        V::S40 => 40,
        V::S45 => 45,
        V::S50 => 50,
        V::S55 => 55,
        V::S60 => 60,
        V::S120 => 120,
        V::S180 => 180,
        V::S240 => 240,
        V::S900 => 900,
    }
}

/// The epoch of a SIB31-NB received in the subframe `rx` (which started at `rx_at`), TS 36.331
/// §6.7.3: with `epochTime`, the start of subframe startSubFrame of frame startSFN, the
/// current or next upcoming SFN; without it, the end of the SI-window of `schedule` in which the
/// message was received.
pub fn sib31_epoch(
    sib31: &SystemInformationBlockType31NBR17,
    rx: FrameTiming,
    rx_at: Instant,
    schedule: Option<&SiSchedule>,
) -> Instant {
    let rx_sf = rx.absolute_subframe();
    let epoch_sf = match &sib31.serving_satellite_info_r17.epoch_time_r17 {
        Some(e) => {
            let frame = rx_sf / 10;
            let ahead = (i64::from(e.start_sfn_r17) - frame).rem_euclid(1024);
            (frame + ahead) * 10 + i64::from(e.start_sub_frame_r17.min(9))
        }
        None => match schedule {
            Some(s) => s.window_start_at_or_before(rx) + i64::from(s.window_ms),
            // Not scheduled by SIB1 (e.g. SIB1 not yet known): the reception itself.
            None => rx_sf,
        },
    };
    rx_at + Duration::from_millis(epoch_sf - rx_sf)
}

/// The UE timers and constants in force (TS 36.331 §7.3, §7.4), durations in virtual time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimerValues {
    /// T300: RRCConnectionRequest / ResumeRequest → Setup / Resume / Reject.
    pub t300: Duration,
    /// T300 for EDT (t300-r15), when broadcast.
    pub t300_edt: Option<Duration>,
    /// T310: physical layer problem → radio link failure.
    pub t310: Duration,
    /// N310: consecutive out-of-sync indications that start T310.
    pub n310: u16,
    /// N311: consecutive in-sync indications that stop T310.
    pub n311: u16,
    /// T311: re-establishment cell selection.
    pub t311: Duration,
    /// T318 (NTN): SIB31 re-acquisition in RRC_CONNECTED after T317 expired.
    pub t318: Option<Duration>,
}

impl Default for TimerValues {
    /// The values used before SIB2-NB is known (never used for a procedure: connection
    /// establishment needs SIB2-NB): the longest T300 and T311 of the r13 ranges.
    fn default() -> Self {
        Self {
            t300: Duration::from_millis(60_000),
            t300_edt: None,
            t310: Duration::from_millis(1000),
            n310: 1,
            n311: 1,
            t311: Duration::from_millis(30_000),
            t318: None,
        }
    }
}

const T300_MS: [i64; 8] = [2500, 4000, 6000, 10_000, 15_000, 25_000, 40_000, 60_000];
const T310_MS: [i64; 7] = [0, 200, 500, 1000, 2000, 4000, 8000];
const N310: [u16; 8] = [1, 2, 3, 4, 6, 8, 10, 20];
const T311_MS: [i64; 7] = [1000, 3000, 5000, 10_000, 15_000, 20_000, 30_000];
const N311: [u16; 8] = [1, 2, 3, 4, 5, 6, 8, 10];
const T311_V1350_MS: [i64; 4] = [40_000, 60_000, 90_000, 120_000];
const T311_V1530_MS: [i64; 2] = [160_000, 200_000];
const T300_R15_MS: [i64; 8] = [
    6000, 10_000, 15_000, 25_000, 40_000, 60_000, 80_000, 120_000,
];
const T300_V1530_MS: [i64; 3] = [80_000, 100_000, 120_000];
const T318_MS: [i64; 7] = [0, 200, 500, 1000, 2000, 4000, 8000];

fn ms(table: &[i64], index: usize) -> Duration {
    Duration::from_millis(table.get(index).copied().unwrap_or(0))
}

impl TimerValues {
    /// From SIB2-NB (`ue-TimersAndConstants-r13` with its v1350/v1530 extensions, and T318 of
    /// `ntn-ConfigCommon-r17`). An extension value replaces the r13 value it extends.
    pub fn from_sib2(sib2: &SystemInformationBlockType2NBR13) -> Self {
        let t = &sib2.ue_timers_and_constants_r13;
        let mut v = Self {
            t300: ms(&T300_MS, t.t300_r13 as usize),
            t300_edt: None,
            t310: ms(&T310_MS, t.t310_r13 as usize),
            n310: N310[(t.n310_r13 as usize).min(7)],
            n311: N311[(t.n311_r13 as usize).min(7)],
            t311: ms(&T311_MS, t.t311_r13 as usize),
            t318: None,
        };
        if let Some(x) = t.ext1.as_ref().and_then(|e| e.t311_v1350) {
            v.t311 = ms(&T311_V1350_MS, x as usize);
        }
        if let Some(e) = &t.ext2 {
            if let Some(x) = e.t300_v1530 {
                v.t300 = ms(&T300_V1530_MS, x as usize);
            }
            if let Some(x) = e.t311_v1530 {
                v.t311 = ms(&T311_V1530_MS, x as usize);
            }
            v.t300_edt = e.t300_r15.map(|x| ms(&T300_R15_MS, x as usize));
        }
        v.t318 = sib2
            .radio_resource_config_common_r13
            .ext6
            .as_ref()
            .and_then(|e| e.ntn_config_common_r17.as_ref())
            .map(|n| ms(&T318_MS, n.t318_r17 as usize));
        v
    }

    /// With the dedicated `rlf-TimersAndConstants-r13` of a RadioResourceConfigDedicated-NB
    /// applied (T310, N310, N311, T311; `release` goes back to the SIB2-NB values `base`).
    pub fn with_dedicated(self, rlf: &RLFTimersAndConstantsNBR13, base: &Self) -> Self {
        match rlf {
            RLFTimersAndConstantsNBR13::Release(()) => Self {
                t310: base.t310,
                n310: base.n310,
                n311: base.n311,
                t311: base.t311,
                ..self
            },
            RLFTimersAndConstantsNBR13::Setup(s) => self.with_rlf_setup(s),
        }
    }

    fn with_rlf_setup(self, s: &RLFTimersAndConstantsNBR13Setup) -> Self {
        let mut t311 = ms(&T311_MS, s.t311_r13 as usize);
        if let Some(x) = s.ext1.as_ref().and_then(|e| e.t311_v1350) {
            t311 = ms(&T311_V1350_MS, x as usize);
        }
        Self {
            t310: ms(&T310_MS, s.t310_r13 as usize),
            n310: N310[(s.n310_r13 as usize).min(7)],
            n311: N311[(s.n311_r13 as usize).min(7)],
            t311,
            ..self
        }
    }
}
