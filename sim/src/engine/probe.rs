//! Link-level probe nodes: a minimal satellite cell and terminal that exercise the engine
//! until `UeStack`/`CellStack` (ntn-stack) drive it. They speak a **probe protocol**, not
//! NB-IoT MAC/RRC: the payload bytes are ours (below), while the physical formats, the
//! timing and the frequencies are the real ones, so the engine, the link abstraction and the
//! NTN pre-compensation (`ntn_stack::ntn::NtnUe`, from the broadcast ephemeris and a noisy
//! GNSS fix — never the truth) are exercised end to end.
//!
//! Cell: MIB every 640 ms (NPBCH, 64 subframes; bytes = cell id + 32-bit frame number, so the
//! UE learns cell time as it would from SFN/H-SFN); SIB31 every `sib31_period` (NPDSCH to
//! SI-RNTI; the serving-satellite information generated from the **true** orbit at the
//! transmission, state-vector ephemeris and common TA quantised by the orbit layer's SIB31
//! field types, carried as JSON in place of UPER); NPRACH opportunities every 40 ms of cell
//! time; RAR with a TA command equal to the measured arrival error and an uplink grant
//! `k_offset` later; Msg4; an echo of every uplink data block. The cell measures every
//! uplink arrival against the subframe it scheduled (or the NPRACH opportunity) and reports
//! [`SimEvent::UlMeasured`]: those are the residuals the report is built on. The downlink is
//! Doppler pre-compensated to the beam centre.
//!
//! UE: camps on the first cell whose MIB it decodes; derives its downlink timing from MIB
//! arrivals (extrapolated linearly between them); reads SIB31; keeps a GNSS fix with a
//! configurable error and update period; sends its preamble at an opportunity, advanced by
//! its TA and shifted by its UL pre-compensation; completes RA, then exchanges data; declares
//! radio link failure when no MIB has decoded for `rlf_timeout`, and searches again.

use super::{SimEvent, SimNode};
use ntn_orbit::ephemeris::{Ephemeris, EphemerisForm};
use ntn_orbit::frames::SPEED_OF_LIGHT_MPS;
use ntn_orbit::timing::{CommonTa, TaFlavour, feeder_link_common_ta};
use ntn_orbit::{EarthOrientation, GroundSite, Satellite, TimeBase};
use ntn_stack::air::{AirNode, AirPayload, AirReception, AirTransmission, LinkFormat, NbChannel};
use ntn_stack::ntn::{NtnConfig, NtnUe, ServingSatelliteInfo};
use ntn_types::{Duration, Hz, Instant};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;

const MIB_PERIOD: Duration = Duration::from_millis(640);
const PRACH_PERIOD_MS: i64 = 40;
/// NPRACH format 0 cyclic prefix: the detector's time-of-arrival range, s.
pub const NPRACH_CP_S: f64 = 66.7e-6;
/// NPUSCH (normal CP) cyclic prefix: beyond it the block does not decode, s.
pub const NPUSCH_CP_S: f64 = 4.7e-6;

const MSG_SIB31: u8 = 1;
const MSG_RAR: u8 = 2;
const MSG_MSG4: u8 = 3;
const MSG_DATA: u8 = 4;
const UL_MSG3: u8 = 1;
const UL_DATA: u8 = 2;

fn ceil_ms(t: Instant, period_ms: i64) -> Instant {
    let p = period_ms * 1_000_000;
    Instant::from_nanos(
        t.as_nanos().div_euclid(p) * p
            + if t.as_nanos().rem_euclid(p) == 0 {
                0
            } else {
                p
            },
    )
}

fn nearest_ms(t: Instant, period_ms: i64) -> Instant {
    let p = period_ms * 1_000_000;
    Instant::from_nanos((t.as_nanos() + p / 2).div_euclid(p) * p)
}

fn npdsch(tbs_bits: u32, subframes: u16, repetitions: u16) -> LinkFormat {
    LinkFormat {
        channel: NbChannel::Npdsch,
        tbs_bits,
        resource_units: subframes,
        repetitions,
        subcarriers: 12,
        subcarrier_spacing_hz: 15_000,
    }
}

/// Cell configuration.
#[derive(Clone, Debug)]
pub struct ProbeCellConfig {
    /// Cell id carried in every message.
    pub cell_id: u8,
    /// The true orbit (the network knows its own satellite).
    pub satellite: Satellite,
    /// Gateway of a transparent payload (the common TA covers its feeder link).
    pub gateway: Option<GroundSite>,
    /// Downlink Doppler pre-compensation to this point (beam centre).
    pub beam_centre: Option<GroundSite>,
    /// Run time ↔ UTC.
    pub time_base: TimeBase,
    /// Earth orientation.
    pub eop: EarthOrientation,
    /// Downlink carrier.
    pub f_dl: Hz,
    /// Transmit power (EIRP with a 0 dBi antenna in the radio parameters), dBm.
    pub tx_power_dbm: f64,
    /// SIB31 period.
    pub sib31_period: Duration,
    /// K_offset the cell broadcasts and schedules with, ms.
    pub k_offset_ms: u16,
    /// ul-SyncValidityDuration, s.
    pub ul_sync_validity_s: u32,
    /// NPDSCH repetitions of dedicated messages.
    pub dl_repetitions: u16,
}

struct CellUe {
    rnti: u16,
    /// Cell time at which Msg3 is due.
    msg3_at: Option<Instant>,
}

/// The probe cell.
pub struct ProbeCell {
    cfg: ProbeCellConfig,
    next_mib: Instant,
    next_sib: Instant,
    tx: VecDeque<AirTransmission>,
    events: VecDeque<SimEvent>,
    ues: Vec<CellUe>,
    next_rnti: u16,
    /// Earliest start of the next dedicated DL transmission (one at a time on the carrier).
    dl_free_at: Instant,
}

impl ProbeCell {
    /// A cell that starts broadcasting at run time zero.
    pub fn new(cfg: ProbeCellConfig) -> Self {
        ProbeCell {
            cfg,
            next_mib: Instant::ZERO,
            next_sib: Instant::from_nanos(20_000_000),
            tx: VecDeque::new(),
            events: VecDeque::new(),
            ues: Vec::new(),
            next_rnti: 0x100,
            dl_free_at: Instant::ZERO,
        }
    }

    fn dl_shift_hz(&self, t: Instant) -> f64 {
        let Some(bc) = self.cfg.beam_centre else {
            return 0.0;
        };
        match self
            .cfg
            .satellite
            .state_ecef(self.cfg.time_base.utc(t), &self.cfg.eop)
        {
            // Received offset = −ṙ/c·f; pre-compensate its negative.
            Ok(s) => bc.look(&s).range_rate.mps() / SPEED_OF_LIGHT_MPS * self.cfg.f_dl.hz(),
            Err(_) => 0.0,
        }
    }

    fn send_dl(&mut self, start: Instant, format: LinkFormat, payload: AirPayload) {
        let subframes = i64::from(format.resource_units) * i64::from(format.repetitions);
        let duration = if format.channel == NbChannel::Npbch {
            MIB_PERIOD
        } else {
            Duration::from_millis(subframes)
        };
        self.tx.push_back(AirTransmission {
            start,
            duration,
            payload,
            format,
            carrier_shift_hz: self.dl_shift_hz(start),
            tx_power_dbm: self.cfg.tx_power_dbm,
        });
    }

    fn dedicated(&mut self, now: Instant, rnti: u16, body: Vec<u8>) {
        let start = ceil_ms(now + Duration::from_millis(2), 1).max(self.dl_free_at);
        let mut tb = vec![self.cfg.cell_id];
        tb.extend(body);
        let f = npdsch((tb.len() as u32 * 8).max(16), 3, self.cfg.dl_repetitions);
        self.dl_free_at = start + Duration::from_millis(3 * i64::from(self.cfg.dl_repetitions));
        self.send_dl(start, f, AirPayload::Dlsch { rnti, tb });
    }

    fn sib31(&self, t: Instant) -> Option<ServingSatelliteInfo> {
        let epoch = self.cfg.time_base.utc(t);
        let ephemeris = Ephemeris::from_truth(
            &self.cfg.satellite,
            epoch,
            EphemerisForm::StateVector,
            &self.cfg.eop,
        )
        .ok()?;
        let common_ta = match self.cfg.gateway {
            Some(gw) => {
                let c =
                    feeder_link_common_ta(&self.cfg.satellite, &gw, epoch, &self.cfg.eop).ok()?;
                CommonTa::from_fields(
                    c.to_fields(TaFlavour::NbIotSib31).ok()?,
                    TaFlavour::NbIotSib31,
                )
                .ok()?
            }
            None => CommonTa::default(),
        };
        Some(ServingSatelliteInfo {
            ephemeris,
            common_ta,
            ul_sync_validity_s: self.cfg.ul_sync_validity_s,
            k_offset_ms: self.cfg.k_offset_ms,
            k_mac_ms: 0,
        })
    }

    /// Measure an uplink arrival against `expected`; accepted when decoded and within
    /// `window_s`. Returns whether it was accepted.
    fn measured(&mut self, rnti: u16, rx: &AirReception, expected: Instant, window_s: f64) -> bool {
        let err = (rx.measurement.arrival - expected).as_secs_f64();
        let accepted = rx.decoded && err.abs() <= window_s;
        self.events.push_back(SimEvent::UlMeasured {
            rnti,
            channel: rx.format.channel,
            timing_error_s: Some(err),
            freq_error_hz: rx.measurement.freq_offset_hz,
            snr_db: rx.measurement.snr_db,
            decoded: accepted,
        });
        accepted
    }
}

impl AirNode for ProbeCell {
    fn handle_reception(&mut self, now: Instant, rx: AirReception) {
        match rx.payload.clone() {
            AirPayload::Preamble { rapid, .. } => {
                let opportunity = nearest_ms(rx.measurement.arrival, PRACH_PERIOD_MS);
                let err = (rx.measurement.arrival - opportunity).as_secs_f64();
                if !self.measured(0, &rx, opportunity, NPRACH_CP_S) {
                    return;
                }
                let rnti = self.next_rnti;
                self.next_rnti = self.next_rnti.wrapping_add(1);
                let grant = ceil_ms(
                    now + Duration::from_millis(i64::from(self.cfg.k_offset_ms) + 12),
                    1,
                );
                self.ues.push(CellUe {
                    rnti,
                    msg3_at: Some(grant),
                });
                let mut body = vec![MSG_RAR, rapid];
                body.extend(rnti.to_be_bytes());
                body.extend((-(err * 1e9).round() as i64).to_be_bytes());
                body.extend(grant.as_nanos().to_be_bytes());
                self.dedicated(now, 1, body);
            }
            AirPayload::Ulsch { rnti, tb } => {
                let Some(k) = self.ues.iter().position(|u| u.rnti == rnti) else {
                    return;
                };
                let expected = self.ues[k]
                    .msg3_at
                    .unwrap_or_else(|| nearest_ms(rx.measurement.arrival, 1));
                if !self.measured(rnti, &rx, expected, NPUSCH_CP_S) {
                    return;
                }
                match tb.first() {
                    Some(&UL_MSG3) => {
                        self.ues[k].msg3_at = None;
                        self.dedicated(now, rnti, vec![MSG_MSG4]);
                    }
                    Some(&UL_DATA) if tb.len() >= 5 => {
                        let mut body = vec![MSG_DATA];
                        body.extend(&tb[1..5]);
                        body.resize(tb.len().max(5), 0);
                        self.dedicated(now, rnti, body);
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        while self.next_mib <= now {
            let t = self.next_mib;
            let frame = (t.as_nanos() / 10_000_000) as u32;
            let mut bytes = vec![self.cfg.cell_id];
            bytes.extend(frame.to_be_bytes());
            let f = LinkFormat {
                channel: NbChannel::Npbch,
                tbs_bits: 34,
                resource_units: 64,
                repetitions: 1,
                subcarriers: 12,
                subcarrier_spacing_hz: 15_000,
            };
            self.send_dl(t, f, AirPayload::Mib { bytes });
            self.next_mib = t + MIB_PERIOD;
        }
        while self.next_sib <= now {
            let t = self.next_sib;
            if let Some(info) = self.sib31(t)
                && let Ok(json) = serde_json::to_vec(&info)
            {
                let mut tb = vec![self.cfg.cell_id, MSG_SIB31];
                tb.extend(json);
                // SIB31-NB is ≈ 200 bits in UPER: the format says so, the bytes are JSON.
                self.send_dl(t, npdsch(208, 3, 2), AirPayload::Dlsch { rnti: 0xFFFF, tb });
            }
            self.next_sib = t + self.cfg.sib31_period;
        }
    }

    fn poll_transmission(&mut self) -> Option<AirTransmission> {
        self.tx.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        Some(self.next_mib.min(self.next_sib))
    }
}

impl SimNode for ProbeCell {
    fn poll_sim_event(&mut self, _now: Instant) -> Option<SimEvent> {
        self.events.pop_front()
    }
}

/// Terminal configuration.
#[derive(Clone, Debug)]
pub struct ProbeUeConfig {
    /// True position (the GNSS fix adds its error to it).
    pub site: GroundSite,
    /// Pre-compensation and ephemeris propagation.
    pub ntn: NtnConfig,
    /// Run time ↔ UTC (GNSS time).
    pub time_base: TimeBase,
    /// Carriers.
    pub f_dl: Hz,
    /// Uplink carrier.
    pub f_ul: Hz,
    /// Transmit power, dBm.
    pub tx_power_dbm: f64,
    /// GNSS horizontal and vertical error std, m.
    pub gnss_error_std_m: f64,
    /// GNSS update period.
    pub gnss_period: Duration,
    /// NPRACH repetitions.
    pub prach_repetitions: u16,
    /// NPUSCH repetitions (single tone, 15 kHz).
    pub pusch_repetitions: u16,
    /// Preamble attempts before RA fails.
    pub max_ra_attempts: u32,
    /// Data exchanges to make (0: none).
    pub exchanges: u32,
    /// Uplink block size, bytes.
    pub data_bytes: u32,
    /// Period between exchanges.
    pub data_period: Duration,
    /// No MIB decoded for this long: radio link failure.
    pub rlf_timeout: Duration,
    /// Seed of the UE's own randomness (GNSS error).
    pub seed: u64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    Searching,
    /// Camped, waiting for SIB31 or for the next preamble instant.
    Idle {
        next_ra: Instant,
    },
    WaitRar {
        deadline: Instant,
        rapid: u8,
    },
    WaitMsg4 {
        deadline: Instant,
    },
    Connected,
}

/// The probe terminal.
pub struct ProbeUe {
    cfg: ProbeUeConfig,
    ntn: NtnUe,
    rng: ChaCha8Rng,
    phase: Phase,
    cell: Option<u8>,
    last_mib: Instant,
    /// (cell time, downlink delay) of the last two MIB receptions.
    dl_obs: Vec<(Instant, f64)>,
    have_sib31: bool,
    gnss: super::stacks::Gnss,
    ta_adjust_s: f64,
    attempt: u32,
    rnti: u16,
    next_data: Instant,
    outstanding: Option<(u32, Instant, Instant)>,
    seq: u32,
    done: u32,
    tx: VecDeque<AirTransmission>,
    events: VecDeque<SimEvent>,
}

impl ProbeUe {
    /// A terminal that starts searching at run time zero.
    pub fn new(cfg: ProbeUeConfig) -> Self {
        let ntn = NtnUe::new(cfg.ntn, cfg.time_base);
        let rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        let gnss = super::stacks::Gnss::new(
            cfg.site,
            cfg.gnss_error_std_m,
            cfg.gnss_period,
            cfg.seed ^ 0x9e55,
        );
        ProbeUe {
            cfg,
            ntn,
            rng,
            phase: Phase::Searching,
            cell: None,
            last_mib: Instant::ZERO,
            dl_obs: Vec::new(),
            have_sib31: false,
            gnss,
            ta_adjust_s: 0.0,
            attempt: 0,
            rnti: 0,
            next_data: Instant::ZERO,
            outstanding: None,
            seq: 0,
            done: 0,
            tx: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// Downlink delay the UE sees at `now` (cell time = local time − this), s.
    fn dl_delay_s(&self, now: Instant) -> Option<f64> {
        match self.dl_obs.as_slice() {
            [] => None,
            [(_, d)] => Some(*d),
            [.., (t0, d0), (t1, d1)] => {
                let span = (*t1 - *t0).as_secs_f64();
                let rate = if span > 0.0 { (d1 - d0) / span } else { 0.0 };
                Some(d1 + rate * (now - *t1).as_secs_f64())
            }
        }
    }

    /// (local transmit instant, carrier shift) that makes an uplink reach the cell at cell
    /// time `t_cell`, or None without timing/ephemeris.
    fn ul_timing(&self, now: Instant, t_cell: Instant) -> Option<(Instant, f64)> {
        // DL timing and TA are evaluated at the transmit instant itself (two passes: the
        // delay moves by up to ~20 µs/s on a LEO, so tens of ms matter at the µs level).
        let p_now = self
            .ntn
            .precompensation(now, self.cfg.f_dl, self.cfg.f_ul)
            .ok()?;
        let mut at = now;
        let mut out = None;
        for _ in 0..2 {
            let d = self.dl_delay_s(at)?;
            let p = self
                .ntn
                .precompensation(at.max(now), self.cfg.f_dl, self.cfg.f_ul)
                .unwrap_or(p_now);
            let ta = p.timing_advance.total_s() + self.ta_adjust_s;
            let start = t_cell + Duration::from_secs_f64(d - ta);
            out = Some((start, p.ul_frequency_offset.hz()));
            at = start;
        }
        out
    }

    fn ul(&mut self, start: Instant, shift: f64, format: LinkFormat, payload: AirPayload) {
        let dur_s = crate::link_abstraction::LinkAbstraction::occupied_time_s(&format);
        self.tx.push_back(AirTransmission {
            start,
            duration: Duration::from_secs_f64(dur_s),
            payload,
            format,
            carrier_shift_hz: shift,
            tx_power_dbm: self.cfg.tx_power_dbm,
        });
    }

    fn pusch(&self, bytes: u32) -> LinkFormat {
        LinkFormat {
            channel: NbChannel::NpuschF1,
            tbs_bits: bytes * 8,
            resource_units: (bytes * 8).div_ceil(64).max(1) as u16,
            repetitions: self.cfg.pusch_repetitions,
            subcarriers: 1,
            subcarrier_spacing_hz: 15_000,
        }
    }

    fn try_preamble(&mut self, now: Instant) {
        let Some(d) = self.dl_delay_s(now) else {
            return;
        };
        let cell_now = now - Duration::from_secs_f64(d);
        // First opportunity we can still reach after advancing by TA.
        let ta = self
            .ntn
            .precompensation(now, self.cfg.f_dl, self.cfg.f_ul)
            .map(|p| p.timing_advance.total_s())
            .unwrap_or(0.0);
        let t_cell = ceil_ms(
            cell_now + Duration::from_secs_f64(ta + 2e-3),
            PRACH_PERIOD_MS,
        );
        let Some((start, shift)) = self.ul_timing(now, t_cell) else {
            // No valid pre-compensation (no SIB31 yet, or it expired): wait for SIB31.
            self.phase = Phase::Idle {
                next_ra: now + Duration::from_millis(500),
            };
            return;
        };
        self.attempt += 1;
        let rapid = (self.rng.random_range(0..48u32)) as u8;
        let f = LinkFormat {
            channel: NbChannel::Nprach,
            tbs_bits: 0,
            resource_units: 1,
            repetitions: self.cfg.prach_repetitions,
            subcarriers: 1,
            subcarrier_spacing_hz: 3_750,
        };
        self.ul(start, shift, f, AirPayload::Preamble { rapid, ce_level: 0 });
        self.events.push_back(SimEvent::RaStarted {
            attempt: self.attempt,
        });
        let k_offset_s = self
            .ntn
            .scheduling_offsets_ms()
            .map_or(0.0, |(k, _)| f64::from(k) * 1e-3);
        // RAR window: after the round trip the UE expects (its TA) + K_offset, 100 ms long.
        let deadline = start + Duration::from_secs_f64(ta.max(0.0) + k_offset_s + 0.2);
        self.phase = Phase::WaitRar { deadline, rapid };
    }

    fn ra_failed_attempt(&mut self, now: Instant) {
        if self.attempt >= self.cfg.max_ra_attempts {
            self.events.push_back(SimEvent::RaFailed {
                reason: format!("no random-access response after {} preambles", self.attempt),
            });
            // Back off for a while, then try again from scratch.
            self.attempt = 0;
            self.phase = Phase::Idle {
                next_ra: now + Duration::from_secs(10),
            };
        } else {
            self.phase = Phase::Idle {
                next_ra: now + Duration::from_millis(80),
            };
        }
    }

    fn lose_cell(&mut self, reason: &str) {
        self.events.push_back(SimEvent::RadioLinkFailure {
            reason: reason.into(),
        });
        self.phase = Phase::Searching;
        self.cell = None;
        self.dl_obs.clear();
        self.have_sib31 = false;
        self.ntn = NtnUe::new(self.cfg.ntn, self.cfg.time_base);
        self.gnss.restart(Instant::ZERO);
        self.ta_adjust_s = 0.0;
        self.attempt = 0;
        self.outstanding = None;
    }

    fn send_data(&mut self, now: Instant) {
        let Some(d) = self.dl_delay_s(now) else {
            return;
        };
        let ta = self
            .ntn
            .precompensation(now, self.cfg.f_dl, self.cfg.f_ul)
            .map(|p| p.timing_advance.total_s())
            .unwrap_or(0.0);
        let cell_now = now - Duration::from_secs_f64(d);
        let t_cell = ceil_ms(cell_now + Duration::from_secs_f64(ta + 2e-3), 1);
        let Some((start, shift)) = self.ul_timing(now, t_cell) else {
            self.next_data = now + Duration::from_millis(500);
            return;
        };
        self.seq += 1;
        let mut tb = vec![UL_DATA];
        tb.extend(self.seq.to_be_bytes());
        tb.resize(self.cfg.data_bytes.max(5) as usize, 0xA5);
        let f = self.pusch(self.cfg.data_bytes.max(5));
        self.ul(
            start,
            shift,
            f,
            AirPayload::Ulsch {
                rnti: self.rnti,
                tb,
            },
        );
        let k_offset_s = self
            .ntn
            .scheduling_offsets_ms()
            .map_or(0.0, |(k, _)| f64::from(k) * 1e-3);
        let deadline = start + Duration::from_secs_f64(ta + k_offset_s + 2.0);
        self.outstanding = Some((self.seq, start, deadline));
        self.next_data = now + self.cfg.data_period;
    }
}

impl AirNode for ProbeUe {
    fn handle_reception(&mut self, now: Instant, rx: AirReception) {
        if !rx.decoded {
            return;
        }
        match rx.payload {
            AirPayload::Mib { bytes } if bytes.len() == 5 => {
                let cell = bytes[0];
                if self.cell.is_some_and(|c| c != cell) {
                    return;
                }
                if self.cell.is_none() {
                    self.cell = Some(cell);
                    self.events.push_back(SimEvent::CellFound {
                        cell: usize::from(cell),
                    });
                    self.phase = Phase::Idle { next_ra: now };
                }
                let frame = u32::from_be_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]);
                let t_cell = Instant::from_nanos(i64::from(frame) * 10_000_000);
                let d = (rx.measurement.arrival - t_cell).as_secs_f64();
                self.dl_obs.push((rx.measurement.arrival, d));
                if self.dl_obs.len() > 2 {
                    self.dl_obs.remove(0);
                }
                self.last_mib = now;
            }
            AirPayload::Dlsch { rnti, tb } if tb.len() >= 2 && Some(tb[0]) == self.cell => {
                match (tb[1], self.phase) {
                    (MSG_SIB31, _) => {
                        if let Ok(info) = serde_json::from_slice::<ServingSatelliteInfo>(&tb[2..]) {
                            if !self.have_sib31 {
                                let age =
                                    self.cfg.time_base.utc(now).secs_since(info.ephemeris.epoch);
                                self.events
                                    .push_back(SimEvent::Sib31Read { epoch_age_s: age });
                            }
                            self.have_sib31 = true;
                            self.ntn.handle_satellite_info(now, info);
                        }
                    }
                    (MSG_RAR, Phase::WaitRar { rapid, .. }) if tb.len() >= 21 && tb[2] == rapid => {
                        let tc = u16::from_be_bytes([tb[3], tb[4]]);
                        let mut b = [0u8; 8];
                        b.copy_from_slice(&tb[5..13]);
                        let ta_cmd_s = i64::from_be_bytes(b) as f64 * 1e-9;
                        b.copy_from_slice(&tb[13..21]);
                        let grant = Instant::from_nanos(i64::from_be_bytes(b));
                        self.ta_adjust_s += ta_cmd_s;
                        self.rnti = tc;
                        if let Some((start, shift)) = self.ul_timing(now, grant) {
                            let mut msg3 = vec![UL_MSG3];
                            msg3.resize(11, 0);
                            let f = self.pusch(11);
                            self.ul(start, shift, f, AirPayload::Ulsch { rnti: tc, tb: msg3 });
                            let deadline = start + Duration::from_secs(3);
                            self.phase = Phase::WaitMsg4 { deadline };
                        } else {
                            self.ra_failed_attempt(now);
                        }
                    }
                    (MSG_MSG4, Phase::WaitMsg4 { .. }) if rnti == self.rnti => {
                        self.events.push_back(SimEvent::RaCompleted);
                        self.events.push_back(SimEvent::Connected);
                        self.phase = Phase::Connected;
                        self.attempt = 0;
                        self.next_data = now;
                    }
                    (MSG_DATA, Phase::Connected) if rnti == self.rnti && tb.len() >= 6 => {
                        let seq = u32::from_be_bytes([tb[2], tb[3], tb[4], tb[5]]);
                        if let Some((s, sent, _)) = self.outstanding
                            && s == seq
                        {
                            self.done += 1;
                            self.events.push_back(SimEvent::DataExchange {
                                ul_bytes: self.cfg.data_bytes,
                                dl_bytes: (tb.len() - 1) as u32,
                                latency_s: (now - sent).as_secs_f64(),
                            });
                            self.outstanding = None;
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        if self.cell.is_some() && now - self.last_mib > self.cfg.rlf_timeout {
            self.lose_cell("no MIB-NB decoded for the RLF timeout");
            return;
        }
        if self.gnss.next() <= now {
            let fix = self.gnss.fix(now);
            self.ntn.handle_gnss_fix(now, fix);
        }
        self.ntn.handle_timeout(now);
        while self.ntn.poll_event().is_some() {}
        match self.phase {
            Phase::Idle { next_ra } if next_ra <= now && self.have_sib31 => self.try_preamble(now),
            Phase::Idle { next_ra } if next_ra <= now => {
                self.phase = Phase::Idle {
                    next_ra: now + Duration::from_millis(500),
                };
            }
            Phase::WaitRar { deadline, .. } if deadline <= now => self.ra_failed_attempt(now),
            Phase::WaitMsg4 { deadline } if deadline <= now => self.ra_failed_attempt(now),
            Phase::Connected => {
                if let Some((_, _, deadline)) = self.outstanding
                    && deadline <= now
                {
                    self.outstanding = None;
                }
                if self.outstanding.is_none()
                    && self.done < self.cfg.exchanges
                    && self.next_data <= now
                {
                    self.send_data(now);
                }
            }
            _ => {}
        }
    }

    fn poll_transmission(&mut self) -> Option<AirTransmission> {
        self.tx.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        let mut t = vec![self.gnss.next()];
        if self.cell.is_some() {
            t.push(self.last_mib + self.cfg.rlf_timeout + Duration::from_nanos(1));
        }
        if let Some(n) = self.ntn.poll_timeout() {
            t.push(n);
        }
        match self.phase {
            Phase::Idle { next_ra } => t.push(next_ra),
            Phase::WaitRar { deadline, .. } | Phase::WaitMsg4 { deadline } => t.push(deadline),
            Phase::Connected => {
                if let Some((_, _, d)) = self.outstanding {
                    t.push(d);
                } else if self.done < self.cfg.exchanges {
                    t.push(self.next_data);
                }
            }
            Phase::Searching => {}
        }
        t.into_iter().min()
    }
}

impl SimNode for ProbeUe {
    fn poll_sim_event(&mut self, _now: Instant) -> Option<SimEvent> {
        self.events.pop_front()
    }
}
