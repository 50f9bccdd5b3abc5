//! `UeStack`: an NB-IoT NTN terminal — cell acquisition (MIB-NB → SIB1-NB → SIB31-NB), NTN
//! pre-compensation from its GNSS fix and the **broadcast** ephemeris ([`NtnUe`]), random
//! access ([`RaProcedure`] with K_offset/K_mac and the NTN RAR-window rule), RRC connection
//! and system information through the RRC procedures of `ntn-rrc` ([`UeRrc`]),
//! NAS attach with AKA and NAS security ([`UeNas`] with its USIM), user data over NAS (ESM
//! DATA TRANSPORT, control-plane CIoT) from a simple traffic model, release, and radio link
//! failure.
//!
//! Timing as the UE knows it: it never sees the cell's clock. The MIB's arrival gives it the
//! received downlink frame grid (SFN from the MIB, subframe boundaries from arrivals, tracked
//! on every decoded downlink transmission). Uplink subframe *n* keys up T_TA before downlink
//! subframe *n* as received, T_TA = common TA (SIB31, with drift) + UE-specific TA (GNSS +
//! ephemeris) + the closed-loop N_TA of the RAR. epochTime, which names a subframe at the
//! reference point, is resolved from the received grid minus the UE's own estimate of the
//! one-way delay to the reference point.
//!
//! With pre-compensation switched off ([`NtnConfig::precompensate`]) T_TA holds only N_TA and
//! the uplink carrier is not shifted: the preamble reaches the cell a whole round trip late
//! and tens of kHz off, outside what its NPRACH receiver detects, and RA fails.

use crate::air::{
    AirNode, AirPayload, AirReception, AirTransmission, LinkFormat, NbChannel, RxTuning,
};
use crate::link::{
    LCID_SRB1BIS, RachConfig, SimCard, TA_STEP_S, mac_pdu, nearest_subframe, payload_stamp,
    ra_rnti, sfn_of, srb1bis_rlc_config, stamped_payload, subframes_since,
};
use crate::ntn::{GnssFix, NtnConfig, NtnEvent, NtnUe, ServingSatelliteInfo};
use crate::rrc_nb;
use crate::sib31::ServingSatellite;
use bytes::{Bytes, BytesMut};
use ntn_mac::mac::pdu::{
    DlLcid, Dpr, LCID_CCCH, LinkDirection as MacDir, MacPduRepr, RarPduRepr, TimingAdvanceCommand,
};
use ntn_mac::mac::ra::{NtnTiming, RaConfig, RaEvent, RaProcedure, RaTransmit};
use ntn_mac::rlc::RlcEvent;
use ntn_mac::rlc::am::RlcAmEntity;
use ntn_nas::eps::ue::{UeEvent as NasEvent, UeNas, UeNasConfig};
use ntn_nas::eps::usim::Usim;
use ntn_orbit::ephemeris::Ephemeris;
use ntn_orbit::timing::{CommonTa, TaFlavour};
use ntn_orbit::{SPEED_OF_LIGHT_MPS, TimeBase};
use ntn_rrc::asn1::EstablishmentCauseNBR13;
use ntn_rrc::procedures::{
    FrameTiming, RrcEvent, STmsi, Srb, UeIdentity, UeRrc, UeRrcConfig, UeRrcState,
};
use ntn_types::{Duration, Hz, Instant};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// What the UE sends once attached.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrafficConfig {
    /// Uplink messages to send (each is echoed by the network).
    pub exchanges: u32,
    /// Interval between them, s.
    pub interval_s: f64,
    /// Size of each, bytes (≥ 12: send instant and sequence number).
    pub bytes: usize,
}

impl Default for TrafficConfig {
    fn default() -> Self {
        TrafficConfig {
            exchanges: 25,
            interval_s: 1.0,
            bytes: 32,
        }
    }
}

/// Configuration of a [`UeStack`]. Every field has a default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UeConfig {
    /// Downlink carrier, Hz.
    pub f_dl_hz: f64,
    /// Uplink carrier, Hz.
    pub f_ul_hz: f64,
    /// NTN behaviour (pre-compensation switch, ephemeris propagator, re-read margin).
    pub ntn: NtnConfig,
    /// Random access (what SIB2-NB would carry; must match the cell's).
    pub rach: RachConfig,
    /// The SIM.
    pub sim: SimCard,
    /// Traffic.
    pub traffic: TrafficConfig,
    /// Seed of the UE's random draws (ue-Identity, preamble choice, backoff).
    pub seed: u64,
    /// Maximum transmit power, dBm.
    pub p_max_dbm: f64,
    /// Radio link failure when nothing is decoded on the downlink for this long while
    /// connected, s.
    pub rlf_timeout_s: f64,
    /// T3410, s (the default 15 s of TS 24.301 is short for a GEO link with grant delays).
    pub t3410_s: f64,
    /// After a random access problem, wait this long before trying again, s.
    pub ra_retry_s: f64,
    /// t-PollRetransmit of SRB1bis, ms (NB-IoT values).
    pub rlc_t_poll_retransmit_ms: u32,
    /// nrs-Power of SIB2-NB: the energy per resource element of the NRS as the cell
    /// radiates it (EIRP per RE), dBm. The path loss is nrs-Power − NRSRP.
    pub nrs_power_dbm: f64,
    /// The UE receiver's noise in one 15 kHz resource element referred to its antenna
    /// port, dBm: with it the UE turns a measured SNR into NRSRP.
    pub noise_per_re_dbm: f64,
    /// rsrp-ThresholdsPrachInfoList of SIB2-NB, dBm, ascending: NRSRP below the highest is
    /// CE level 1, below both CE level 2.
    pub ce_rsrp_thresholds_dbm: [f64; 2],
    /// preambleInitialReceivedTargetPower, dBm.
    pub preamble_target_power_dbm: f64,
}

impl Default for UeConfig {
    fn default() -> Self {
        UeConfig {
            f_dl_hz: 2_185e6,
            f_ul_hz: 1_995e6,
            ntn: NtnConfig::default(),
            rach: RachConfig::default(),
            sim: SimCard::default(),
            traffic: TrafficConfig::default(),
            seed: 1,
            p_max_dbm: 23.0,
            rlf_timeout_s: 5.0,
            t3410_s: 30.0,
            ra_retry_s: 10.0,
            rlc_t_poll_retransmit_ms: 2000,
            nrs_power_dbm: 43.0 - 10.0 * 12f64.log10(),
            noise_per_re_dbm: -174.0 + 10.0 * 15e3f64.log10() + 7.0,
            ce_rsrp_thresholds_dbm: [-140.0, -130.0],
            preamble_target_power_dbm: -112.0,
        }
    }
}

/// What the UE stack reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum UeStackEvent {
    /// First decoded downlink transmission of the cell.
    CellFound,
    /// MIB-NB decoded: the downlink frame grid is known.
    MibDecoded {
        /// SFN of the MIB's TTI.
        sfn: u16,
    },
    /// SIB1-NB decoded.
    Sib1Decoded {
        /// cellIdentity.
        cell_id: u32,
    },
    /// SIB31-NB decoded and applied.
    Sib31Decoded {
        /// Epoch of the ephemeris, run time (the UE's resolution of epochTime).
        epoch: Instant,
    },
    /// Random access started.
    RaStarted,
    /// Contention resolved.
    RaSucceeded {
        /// C-RNTI.
        c_rnti: u16,
        /// Preambles sent.
        attempts: u32,
    },
    /// Random access problem.
    RaFailed {
        /// Preambles sent.
        attempts: u32,
    },
    /// RRCConnectionSetup-NB received: connected.
    Connected,
    /// AKA succeeded.
    Authenticated,
    /// NAS security active.
    SecurityActivated,
    /// EPS attach complete.
    Attached,
    /// Attach rejected or abandoned.
    AttachFailed,
    /// User data handed to NAS for the uplink.
    DataSent {
        /// Bytes.
        bytes: usize,
    },
    /// User data received over NAS (the network's echo of an uplink message).
    DataExchanged {
        /// Bytes.
        bytes: usize,
        /// From sending the uplink message to receiving its echo, s.
        round_trip_s: f64,
    },
    /// RRCConnectionRelease-NB received.
    Released,
    /// The RRC connection attempt failed (T300, reject, or a bad Msg4).
    ConnectionFailed {
        /// Why.
        cause: String,
    },
    /// Radio link failure.
    RadioLinkFailure {
        /// Why.
        cause: String,
    },
    /// The SIB31 validity ran out: uplink synchronisation lost.
    UlSyncLost,
    /// Nothing decoded from the cell for the RLF timeout: back to cell search (end of the
    /// satellite's pass; the next satellite's cell is acquired from scratch).
    CellLost,
}

/// Counters and the residuals the UE believes (its own view; the cell measures the truth).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UeStats {
    /// SIB31 acquisitions.
    pub sib31_reads: u64,
    /// Preambles sent.
    pub preambles: u64,
    /// Uplink transport blocks sent.
    pub ul_tbs: u64,
    /// Downlink transport blocks decoded for the UE.
    pub dl_tbs: u64,
    /// Uplink grants that came too late for their transmission time.
    pub ul_late: u64,
    /// Uplink transmissions skipped because uplink sync was not valid.
    pub ul_blocked: u64,
    /// Timing advance applied last, s.
    pub last_ta_s: f64,
    /// Uplink frequency shift applied last, Hz.
    pub last_ul_shift_hz: f64,
    /// Largest |measured − expected| downlink Doppler, Hz.
    pub max_abs_dl_doppler_residual_hz: f64,
    /// Largest downlink grid correction seen on one reception, s.
    pub max_abs_grid_correction_s: f64,
    /// Undecodable messages dropped.
    pub dropped: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Searching,
    Acquiring,
    Camped,
    RandomAccess,
    Connected,
}

const SI_RNTI: u16 = 0xffff;

/// Gain of the downlink timing loop's rate term (a correction c after Δt moves the rate by
/// gain·c/Δt).
const GRID_RATE_GAIN: f64 = 0.5;

/// Gaps between grid fixes the timing loop learns its rate from, s (shorter ones are
/// dominated by the arrival-estimate noise, longer ones by the drift's curvature).
const GRID_RATE_MIN_GAP_S: f64 = 0.1;
const GRID_RATE_MAX_GAP_S: f64 = 30.0;

/// Largest drift rate the loop believes, s/s (a LEO at 500 km changes its delay by at most
/// about 25 µs/s).
const GRID_RATE_MAX: f64 = 40e-6;

/// Span of downlink carrier measurements the terminal's AFC fits offset and rate to, s.
const AFC_WINDOW_S: f64 = 10.0;

/// Shortest span over which the AFC trusts a rate, s (measurement noise of tens of Hz over a
/// shorter span would give rates off by more than the LEO Doppler rate itself).
const AFC_MIN_SPAN_S: f64 = 1.5;

/// The UE stack.
#[derive(Debug)]
pub struct UeStack {
    cfg: UeConfig,
    time_base: TimeBase,
    phase: Phase,
    /// Received instant of subframe 0 of an SFN cycle (the received downlink grid) as fixed
    /// by the reception at `grid_fix_t`; between receptions the UE predicts its drift from the
    /// change of its own delay estimate ([`UeStack::rx_grid`]).
    grid: Option<Instant>,
    grid_fix_t: Instant,
    /// Drift of the received grid that the UE's own delay prediction misses, s/s: the
    /// second-order term of its downlink timing loop, learnt from the grid corrections (all
    /// of the drift before SIB31 gives an ephemeris).
    grid_rate: f64,
    /// Whether `grid_rate` was learnt on top of the ephemeris prediction (it is dropped when
    /// that changes: SIB31 read, or its validity lost).
    grid_rate_over_ephemeris: bool,
    /// `grid_rate` holds an estimate (not the initial 0).
    grid_rate_learnt: bool,
    /// Downlink carrier offsets measured on decoded receptions over the last
    /// [`AFC_WINDOW_S`] (the terminal's AFC fits offset and rate to them).
    dl_freq_history: VecDeque<(Instant, f64)>,
    cell_found: bool,
    sib1_reported: bool,
    si_acquired: bool,
    /// Receive SI messages (initial acquisition, or RRC asked for a new SIB31-NB).
    want_si: bool,
    rrc: UeRrc,
    ntn: NtnUe,
    ra: Option<RaProcedure>,
    rapid: u8,
    ra_rnti: Option<u16>,
    tc_rnti: Option<u16>,
    ra_blocked_until: Option<Instant>,
    n_ta_s: f64,
    c_rnti: Option<u16>,
    rlc: Option<RlcAmEntity>,
    nas: UeNas,
    nas_out: VecDeque<Vec<u8>>,
    attach_started: bool,
    attached: bool,
    next_send: Option<Instant>,
    sent: u32,
    last_dl: Instant,
    /// Last decoded downlink transmission of any kind (cell presence).
    last_any_dl: Instant,
    rng: u64,
    /// NRSRP of the serving cell (smoothed over decoded receptions), dBm.
    nrsrp_dbm: Option<f64>,
    /// Msg3 allocation of the last RAR: tones at 15 kHz and repetitions.
    msg3_alloc: (u8, u16),
    tx: VecDeque<AirTransmission>,
    events: VecDeque<UeStackEvent>,
    stats: UeStats,
}

impl UeStack {
    /// A UE that has not found a cell yet; `time_base` maps run time to UTC (GNSS time).
    pub fn new(cfg: UeConfig, time_base: TimeBase) -> Self {
        UeStack {
            ntn: NtnUe::new(cfg.ntn, time_base),
            nas: Self::fresh_nas(&cfg),
            rng: cfg.seed ^ 0x9e37_79b9_7f4a_7c15,
            cfg,
            time_base,
            phase: Phase::Searching,
            grid: None,
            dl_freq_history: VecDeque::new(),
            grid_fix_t: Instant::ZERO,
            grid_rate: 0.0,
            grid_rate_over_ephemeris: false,
            grid_rate_learnt: false,
            cell_found: false,
            sib1_reported: false,
            si_acquired: false,
            want_si: true,
            rrc: UeRrc::new(UeRrcConfig::default()),
            ra: None,
            rapid: 0,
            ra_rnti: None,
            tc_rnti: None,
            ra_blocked_until: None,
            n_ta_s: 0.0,
            c_rnti: None,
            rlc: None,
            nas_out: VecDeque::new(),
            attach_started: false,
            attached: false,
            next_send: None,
            sent: 0,
            last_dl: Instant::ZERO,
            last_any_dl: Instant::ZERO,
            nrsrp_dbm: None,
            msg3_alloc: (12, 1),
            tx: VecDeque::new(),
            events: VecDeque::new(),
            stats: UeStats::default(),
        }
    }

    /// NAS with its USIM as configured, not attached.
    fn fresh_nas(cfg: &UeConfig) -> UeNas {
        let nas_cfg = UeNasConfig {
            t3410: Duration::from_secs_f64(cfg.t3410_s),
            ..UeNasConfig::default()
        };
        let usim = Usim::new(&cfg.sim.imsi, &cfg.sim.k, &cfg.sim.opc, cfg.sim.sqn);
        UeNas::new(nas_cfg, usim)
    }

    /// The terminal selected another satellite's cell (after a radio link failure or the
    /// loss of its cell): acquire it from scratch (MIB-NB, SIB1-NB, SIB31-NB). Each cell
    /// stack carries its own MME, so the UE also attaches afresh there (its GUTI means
    /// nothing to the new MME); pending user data waits for the new attach.
    pub fn reselect(&mut self) {
        self.forget_cell();
        self.nas = Self::fresh_nas(&self.cfg);
        self.nas_out.clear();
        self.attach_started = false;
        self.attached = false;
        self.next_send = None;
    }

    /// A GNSS fix.
    pub fn handle_gnss_fix(&mut self, now: Instant, fix: GnssFix) {
        self.ntn.handle_gnss_fix(now, fix);
        self.try_start_ra(now);
    }

    /// Next event.
    pub fn poll_event(&mut self) -> Option<UeStackEvent> {
        self.events.pop_front()
    }

    /// Counters and believed residuals.
    pub fn stats(&self) -> &UeStats {
        &self.stats
    }

    /// The NTN context (pre-compensation, validity).
    pub fn ntn(&self) -> &NtnUe {
        &self.ntn
    }

    /// Whether the UE is RRC-connected.
    pub fn is_connected(&self) -> bool {
        self.phase == Phase::Connected
    }

    fn next_rand(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// T_TA (with N_TA) and the uplink carrier shift for a transmission keyed up at `t`;
    /// `None` without valid uplink sync.
    ///
    /// T_TA is the round trip of the subframe it aligns: downlink subframe *n* and uplink
    /// subframe *n* pass the reference point at the same instant, T_TA/2 after the key-up,
    /// so the geometry is taken there (taking it at the key-up instead misses 2·Ḋ·D, half a
    /// microsecond on a LEO transparent link).
    fn uplink_corrections(&self, t: Instant) -> Option<(f64, f64)> {
        let (f_dl, f_ul) = (Hz(self.cfg.f_dl_hz), Hz(self.cfg.f_ul_hz));
        let p0 = self.ntn.precompensation(t, f_dl, f_ul).ok()?;
        let half = Duration::from_secs_f64(0.5 * p0.timing_advance.total_s());
        let p = self.ntn.precompensation(t + half, f_dl, f_ul).ok()?;
        Some((
            p.timing_advance.total_s() + self.n_ta_s,
            p0.ul_frequency_offset.hz(),
        ))
    }

    /// The pre-compensated part of T_TA at `t` (common + UE-specific; 0 when switched off;
    /// `None` without a valid ephemeris and fix at `t`): twice the UE's estimate of its
    /// one-way delay to the reference point.
    fn ta_precomp(&self, t: Instant) -> Option<f64> {
        self.ntn
            .precompensation(t, Hz(self.cfg.f_dl_hz), Hz(self.cfg.f_ul_hz))
            .ok()
            .map(|p| p.timing_advance.total_s())
    }

    /// How much later a downlink subframe is received at `to` than at `from`, as the UE
    /// predicts it from its own delay estimate (the satellite moves between receptions).
    /// The prediction ends where the ephemeris does: past its validity the grid is held
    /// where it was last predicted (the timing loop tracks on from there) — an expiry says
    /// nothing about the delay, it must not make the grid jump. No prediction (0) without an
    /// estimate.
    fn dl_drift(&self, from: Instant, to: Instant) -> Duration {
        let last = |t: Instant| {
            self.ntn
                .valid_until()
                .map_or(t, |u| t.min(u - Duration::from_nanos(1)))
        };
        match (self.ta_precomp(last(from)), self.ta_precomp(last(to))) {
            (Some(a), Some(b)) => Duration::from_secs_f64(0.5 * (b - a)),
            _ => Duration::ZERO,
        }
    }

    /// The predicted drift rate of the received grid over the 100 ms after `t`, s/s (as
    /// [`Self::dl_drift`] predicts the grid).
    fn dl_drift_rate(&self, t: Instant) -> f64 {
        let step = Duration::from_millis(100);
        self.dl_drift(t, t + step).as_secs_f64() / step.as_secs_f64()
    }

    /// The received downlink grid predicted for time `t`.
    fn rx_grid(&self, t: Instant) -> Option<Instant> {
        let loop_drift =
            Duration::from_secs_f64(self.loop_rate(t) * (t - self.grid_fix_t).as_secs_f64());
        Some(self.grid? + self.dl_drift(self.grid_fix_t, t) + loop_drift)
    }

    /// How the terminal's downlink receiver is set for a transmission whose first sample
    /// arrives around `around`: the subframe of its received grid (drift predicted) nearest to
    /// it, the grid's drift rate (ephemeris prediction plus the timing loop's rate term), and
    /// the carrier its AFC tracks (a line through the offsets measured over the last 10 s).
    /// `None` before a MIB-NB fixed the grid: the receiver then has to search for the cell.
    pub fn dl_tuning(&self, around: Instant) -> Option<RxTuning> {
        let (window_start, _) = nearest_subframe(self.rx_grid(around)?, around);
        let timing_rate = self.dl_drift_rate(window_start) + self.loop_rate(window_start);
        let (freq_hz, freq_rate_hz_s) = self.afc(window_start);
        Some(RxTuning {
            window_start,
            timing_rate,
            freq_hz,
            freq_rate_hz_s,
        })
    }

    /// The AFC: carrier offset and rate at `t` from a least-squares line through the
    /// measurements of the last [`AFC_WINDOW_S`] (the latest value and no rate when they
    /// span less than [`AFC_MIN_SPAN_S`]; 0 before any).
    fn afc(&self, t: Instant) -> (f64, f64) {
        let Some(&(t_last, f_last)) = self.dl_freq_history.back() else {
            return (0.0, 0.0);
        };
        let first = self.dl_freq_history.front().map_or(t_last, |p| p.0);
        if (t_last - first).as_secs_f64() < AFC_MIN_SPAN_S {
            return (f_last, 0.0);
        }
        let n = self.dl_freq_history.len() as f64;
        let x = |ti: Instant| (ti - t_last).as_secs_f64();
        let mx = self.dl_freq_history.iter().map(|p| x(p.0)).sum::<f64>() / n;
        let my = self.dl_freq_history.iter().map(|p| p.1).sum::<f64>() / n;
        let (mut sxy, mut sxx) = (0.0, 0.0);
        for &(ti, fi) in &self.dl_freq_history {
            sxy += (x(ti) - mx) * (fi - my);
            sxx += (x(ti) - mx).powi(2);
        }
        let rate = if sxx > 0.0 { sxy / sxx } else { 0.0 };
        (my + rate * (x(t) - mx), rate)
    }

    /// Key-up instant of uplink subframe `sf` (received-grid numbering) at T_TA `ta_s`.
    fn ul_keyup(grid: Instant, sf: i64, ta_s: f64) -> Instant {
        grid + Duration::from_millis(sf) - Duration::from_secs_f64(ta_s)
    }

    /// The key-up instant of the uplink subframe `delay` after the downlink subframe that
    /// ended at `dl_end`: that downlink subframe as it would be received (drift predicted),
    /// advanced by T_TA evaluated at the transmission. Returns the instant, the effective
    /// advance from the nominal `dl_end + delay`, T_TA and the uplink frequency shift.
    fn ul_time_after(&self, dl_end: Instant, delay: Duration) -> Option<(Instant, f64, f64, f64)> {
        let nominal = dl_end + delay;
        let drift = self.dl_drift(dl_end, nominal);
        let (ta0, _) = self.uplink_corrections(nominal)?;
        let t0 = nominal + drift - Duration::from_secs_f64(ta0);
        let (ta, shift) = self.uplink_corrections(t0)?;
        let start = nominal + drift - Duration::from_secs_f64(ta);
        Some((start, (nominal - start).as_secs_f64(), ta, shift))
    }

    fn k_offset(&self) -> Duration {
        let (k, _) = self.ntn.scheduling_offsets_ms().unwrap_or((0, 0));
        Duration::from_millis(i64::from(k))
    }

    /// Align the received grid with a decoded downlink transmission (it starts on a subframe
    /// boundary of the cell).
    fn track_grid(&mut self, arrival: Instant) {
        let Some(g) = self.rx_grid(arrival) else {
            return;
        };
        let corr = arrival - nearest_subframe(g, arrival).0;
        self.learn_grid_rate(arrival, corr);
        self.grid = Some(g + corr);
        self.grid_fix_t = arrival;
        self.stats.max_abs_grid_correction_s = self
            .stats
            .max_abs_grid_correction_s
            .max(corr.as_secs_f64().abs());
    }

    /// Whether the UE predicts its delay drift from an ephemeris at `t`.
    fn predicts_drift(&self, t: Instant) -> bool {
        self.cfg.ntn.precompensate && self.ntn.has_precompensation(t)
    }

    /// The timing loop's rate term valid at `t` (0 when it was learnt with or without the
    /// ephemeris prediction and that has changed since).
    fn loop_rate(&self, t: Instant) -> f64 {
        if self.predicts_drift(t) == self.grid_rate_over_ephemeris {
            self.grid_rate
        } else {
            0.0
        }
    }

    /// The second-order term of the downlink timing loop: a correction `corr` found
    /// `arrival − grid_fix_t` after the last fix is a drift the prediction missed.
    fn learn_grid_rate(&mut self, arrival: Instant, corr: Duration) {
        let dt = (arrival - self.grid_fix_t).as_secs_f64();
        if self.grid.is_some() && (GRID_RATE_MIN_GAP_S..=GRID_RATE_MAX_GAP_S).contains(&dt) {
            let over_ephemeris = self.predicts_drift(arrival);
            // The first estimate (after acquisition, or when the ephemeris prediction starts or
            // stops) is taken whole; later ones are smoothed.
            let gain = if self.grid_rate_learnt && over_ephemeris == self.grid_rate_over_ephemeris {
                GRID_RATE_GAIN
            } else {
                1.0
            };
            self.grid_rate = (self.loop_rate(arrival) + gain * corr.as_secs_f64() / dt)
                .clamp(-GRID_RATE_MAX, GRID_RATE_MAX);
            self.grid_rate_over_ephemeris = over_ephemeris;
            self.grid_rate_learnt = true;
        }
    }

    fn on_mib(&mut self, now: Instant, bytes: &[u8], arrival: Instant) {
        let Ok(m) = rrc_nb::read_mib(bytes) else {
            self.stats.dropped += 1;
            return;
        };
        let sfn = m.sfn();
        let origin = arrival - Duration::from_millis(i64::from(sfn) * 10);
        if self.grid.is_none() {
            self.events.push_back(UeStackEvent::MibDecoded { sfn });
        } else if let Some(g) = self.rx_grid(arrival) {
            // The same subframe boundaries as predicted, up to the drift: learn it.
            let corr = origin - nearest_subframe(g, origin).0;
            self.learn_grid_rate(arrival, corr);
        }
        self.grid = Some(origin);
        self.grid_fix_t = arrival;
        if self.phase == Phase::Searching {
            self.phase = Phase::Acquiring;
        }
        self.rrc.handle_bcch_bch(now, bytes);
        self.drain_rrc(now);
    }

    /// The run instant of the reference-point subframe an epochTime names: RRC resolved it
    /// on the received grid (`epoch_rx`); the subframe left the reference point one
    /// (estimated) one-way delay earlier.
    fn resolve_epoch(&self, sat: &ServingSatellite, epoch_rx: Instant) -> Option<Instant> {
        let fix = self.ntn.gnss_fix()?;
        let common = CommonTa::from_fields(sat.common_ta, TaFlavour::NbIotSib31).ok()?;
        let mut epoch = epoch_rx;
        for _ in 0..2 {
            let utc = self.time_base.utc(epoch);
            let eph = Ephemeris {
                epoch: utc,
                fields: sat.ephemeris,
            };
            let s = eph.propagate(utc, self.cfg.ntn.propagator).ok()?;
            let range_m = s.position.distance_to(&fix.site.ecef()).m();
            let one_way_s = range_m / SPEED_OF_LIGHT_MPS + common.one_way_s(0.0).s();
            epoch = epoch_rx - Duration::from_secs_f64(one_way_s);
        }
        Some(epoch)
    }

    fn on_sib31(&mut self, now: Instant, sat: &ServingSatellite, epoch_rx: Instant) {
        let Some(epoch) = self.resolve_epoch(sat, epoch_rx) else {
            // No GNSS fix yet: ask again at the next SI message.
            self.want_si = true;
            return;
        };
        let Ok(common_ta) = CommonTa::from_fields(sat.common_ta, TaFlavour::NbIotSib31) else {
            self.stats.dropped += 1;
            return;
        };
        let info = ServingSatelliteInfo {
            ephemeris: Ephemeris {
                epoch: self.time_base.utc(epoch),
                fields: sat.ephemeris,
            },
            common_ta,
            ul_sync_validity_s: u32::from(sat.ul_sync_validity.seconds()),
            k_offset_ms: sat.k_offset_ms,
            k_mac_ms: sat.k_mac_ms.unwrap_or(0),
        };
        self.ntn.handle_satellite_info(now, info);
        self.want_si = false;
        self.stats.sib31_reads += 1;
        self.events.push_back(UeStackEvent::Sib31Decoded { epoch });
        self.drain_ntn();
    }

    /// What the RRC procedures report, and the RRC messages they send.
    fn drain_rrc(&mut self, now: Instant) {
        if !self.sib1_reported
            && let Some(sib1) = self.rrc.sib1()
        {
            self.sib1_reported = true;
            let id = &sib1.cell_access_related_info_r13.cell_identity_r13.0;
            let cell_id = id.iter().fold(0u32, |a, b| (a << 1) | u32::from(*b));
            self.events.push_back(UeStackEvent::Sib1Decoded { cell_id });
        }
        while let Some(ev) = self.rrc.poll_event() {
            match ev {
                RrcEvent::SiAcquired => {
                    self.si_acquired = true;
                    if self.phase == Phase::Acquiring {
                        self.phase = Phase::Camped;
                    }
                }
                RrcEvent::SiInvalidated => self.si_acquired = false,
                RrcEvent::Sib31Updated { sib31, epoch, .. } => {
                    let sat = ServingSatellite::from_sib31(&sib31);
                    self.on_sib31(now, &sat, epoch);
                }
                RrcEvent::AcquireSib31 { .. } => self.want_si = true,
                RrcEvent::Connected { .. } => {
                    self.phase = Phase::Connected;
                    self.last_dl = now;
                    let rlc_cfg = srb1bis_rlc_config(self.cfg.rlc_t_poll_retransmit_ms);
                    self.rlc = Some(RlcAmEntity::new(rlc_cfg, now));
                    self.events.push_back(UeStackEvent::Connected);
                }
                RrcEvent::ConnectionFailed(f) => {
                    self.events.push_back(UeStackEvent::ConnectionFailed {
                        cause: format!("{f:?}"),
                    });
                    self.drop_connection();
                }
                RrcEvent::NasPdu(pdu) => self.nas.handle_pdu(now, &pdu),
                RrcEvent::Released(_) => {
                    if self.phase == Phase::Connected {
                        self.events.push_back(UeStackEvent::Released);
                    }
                    self.nas.handle_connection_released(now);
                    self.drop_connection();
                }
                RrcEvent::RadioLinkFailure { cause, .. } => {
                    self.events.push_back(UeStackEvent::RadioLinkFailure {
                        cause: format!("{cause:?}"),
                    });
                    self.drop_connection();
                    self.rrc.abort(now);
                }
                _ => {}
            }
        }
        while let Some(t) = self.rrc.poll_transmit() {
            match t.srb {
                Srb::Srb0 => self.start_ra(now, t.bytes),
                Srb::Srb1 | Srb::Srb1bis => {
                    let queued = self
                        .rlc
                        .as_mut()
                        .is_some_and(|rlc| rlc.handle_sdu(now, Bytes::from(t.bytes)).is_ok());
                    if !queued {
                        self.stats.dropped += 1;
                    }
                }
            }
        }
    }

    fn drain_ntn(&mut self) {
        while let Some(ev) = self.ntn.poll_event() {
            match ev {
                NtnEvent::ReacquireSatelliteInfo => self.want_si = true,
                NtnEvent::UlSyncLost => {
                    self.want_si = true;
                    self.events.push_back(UeStackEvent::UlSyncLost);
                    if self.phase == Phase::RandomAccess {
                        self.drop_connection();
                    }
                }
            }
        }
    }

    /// Back to cell search: the grid and its timing loop, the AFC, NRSRP, system
    /// information, RRC state and any connection.
    fn forget_cell(&mut self) {
        self.grid = None;
        self.grid_rate = 0.0;
        self.grid_rate_learnt = false;
        self.dl_freq_history.clear();
        self.nrsrp_dbm = None;
        self.cell_found = false;
        self.sib1_reported = false;
        self.si_acquired = false;
        self.want_si = true;
        self.rrc = UeRrc::new(UeRrcConfig::default());
        self.drop_connection();
        self.phase = Phase::Searching;
    }

    /// Forget the cell: its grid, system information, RRC state; keep NAS (EMM-REGISTERED
    /// survives a change of satellite).
    fn lose_cell(&mut self) {
        if self.phase == Phase::Connected || self.phase == Phase::RandomAccess {
            self.events.push_back(UeStackEvent::RadioLinkFailure {
                cause: "cell lost".into(),
            });
        }
        self.events.push_back(UeStackEvent::CellLost);
        self.forget_cell();
    }

    fn drop_connection(&mut self) {
        self.phase = if self.si_acquired {
            Phase::Camped
        } else if self.grid.is_some() {
            Phase::Acquiring
        } else {
            Phase::Searching
        };
        self.ra = None;
        self.ra_rnti = None;
        self.tc_rnti = None;
        self.c_rnti = None;
        self.rlc = None;
        self.n_ta_s = 0.0;
    }

    /// When camped and synchronised: start the attach, or ask RRC for a connection for the
    /// NAS messages waiting.
    fn try_start_ra(&mut self, now: Instant) {
        if self.phase != Phase::Camped
            || self.ra_blocked_until.is_some_and(|t| now < t)
            || !self.ntn.ul_synchronised(now)
            || self.rrc.state() != UeRrcState::Idle
        {
            return;
        }
        if !self.attach_started {
            self.attach_started = true;
            self.nas.handle_attach(now);
            while let Some(pdu) = self.nas.poll_transmit() {
                self.nas_out.push_back(pdu);
            }
        }
        let Some(first) = self.nas_out.pop_front() else {
            return;
        };
        // A registered UE identifies itself with its S-TMSI (the MME finds its context).
        let identity = match self.nas.guti() {
            Some(g) => UeIdentity::STmsi(STmsi {
                mmec: g.mme_code,
                m_tmsi: g.m_tmsi,
            }),
            None => UeIdentity::Random(self.next_rand()),
        };
        match self
            .rrc
            .connect(now, identity, EstablishmentCauseNBR13::MoData, first)
        {
            Ok(()) => self.drain_rrc(now),
            Err(_) => self.stats.dropped += 1,
        }
    }

    /// Random access for the CCCH SDU `ccch` (RRCConnectionRequest-NB).
    fn start_ra(&mut self, now: Instant, ccch: Vec<u8>) {
        if self.phase != Phase::Camped {
            self.stats.dropped += 1;
            return;
        }
        let Some((_, at, ta, _)) = self.next_occasion(now) else {
            self.stats.ul_blocked += 1;
            return;
        };
        let (k_offset, k_mac) = self.ntn.scheduling_offsets_ms().unwrap_or((0, 0));
        let r = self.cfg.rach;
        let ra_cfg = RaConfig {
            preamble_trans_max: r.preamble_trans_max,
            max_attempts_per_ce: vec![r.preamble_trans_max],
            preamble_duration: Duration::from_millis(i64::from(r.preamble_duration_ms)),
            rar_window_delay: Duration::from_millis(4),
            ra_response_window: Duration::from_millis(i64::from(r.rar_window_ms)),
            contention_resolution_timer: Duration::from_millis(i64::from(
                r.contention_resolution_ms,
            )),
            msg3_duration: Duration::from_millis(4),
            initial_target_power_dbm: self.cfg.preamble_target_power_dbm as f32,
            power_ramping_step_db: 2.0,
            p_cmax_dbm: self.cfg.p_max_dbm as f32,
            ntn: NtnTiming::from_sib31(k_offset, (k_mac > 0).then_some(k_mac)),
            seed: self.cfg.seed,
        };
        let mut ra = RaProcedure::new(ra_cfg, now);
        ra.start(at, ccch, Dpr::for_bytes(0, 64), Duration::from_secs_f64(ta));
        self.ra = Some(ra);
        self.n_ta_s = 0.0;
        self.phase = Phase::RandomAccess;
        self.events.push_back(UeStackEvent::RaStarted);
    }

    /// The first NPRACH occasion whose key-up is at or after `t`: its subframe (received-grid
    /// numbering), key-up instant, T_TA and uplink shift.
    fn next_occasion(&self, t: Instant) -> Option<(i64, Instant, f64, f64)> {
        let grid = self.rx_grid(t)?;
        let (ta, _) = self.uplink_corrections(t)?;
        let sf = subframes_since(grid, t + Duration::from_secs_f64(ta)).ceil() as i64;
        let occ = self.cfg.rach.next_occasion(sf);
        // Refine at the occasion: the grid as received then, T_TA for that key-up.
        let rx = self.rx_grid(grid + Duration::from_millis(occ))? + Duration::from_millis(occ);
        let (ta, _) = self.uplink_corrections(rx - Duration::from_secs_f64(ta))?;
        let grid = self.rx_grid(rx)?;
        let keyup = Self::ul_keyup(grid, occ, ta);
        let (ta, shift) = self.uplink_corrections(keyup)?;
        Some((occ, Self::ul_keyup(grid, occ, ta), ta, shift))
    }

    fn serve_ra(&mut self, now: Instant) {
        let Some(mut ra) = self.ra.take() else { return };
        if let Some((ta, _)) = self.uplink_corrections(now) {
            ra.set_ue_ta(Duration::from_secs_f64(ta));
        }
        ra.handle_timeout(now);
        self.drain_ra(now, &mut ra);
        if self.phase == Phase::RandomAccess {
            self.ra = Some(ra);
        }
    }

    fn drain_ra(&mut self, now: Instant, ra: &mut RaProcedure) {
        while let Some(t) = ra.poll_transmit() {
            match t {
                RaTransmit::Preamble {
                    at,
                    rapid,
                    ce_level: _,
                    target_power_dbm,
                } => {
                    // CE level from NRSRP against SIB2-NB's thresholds (TS 36.321 §5.1.1).
                    let ce_level = self.nrsrp_dbm.map_or(2, |r| {
                        crate::link::ce_level(r, &self.cfg.ce_rsrp_thresholds_dbm)
                    });
                    let tx_power_dbm = self.preamble_power_dbm(f64::from(target_power_dbm));
                    // Retransmissions come after a backoff: put them on an NPRACH occasion.
                    let Some((sf, start, ta, shift)) = self.next_occasion(at.max(now)) else {
                        self.stats.ul_blocked += 1;
                        continue;
                    };
                    self.rapid = rapid;
                    self.ra_rnti = Some(ra_rnti(sfn_of(sf)));
                    self.stats.preambles += 1;
                    self.stats.last_ta_s = ta;
                    self.stats.last_ul_shift_hz = shift;
                    let r = self.cfg.rach;
                    self.tx.push_back(AirTransmission {
                        start,
                        duration: Duration::from_millis(i64::from(r.preamble_duration_ms)),
                        payload: AirPayload::Preamble { rapid, ce_level },
                        format: LinkFormat {
                            channel: NbChannel::Nprach,
                            tbs_bits: 0,
                            resource_units: 1,
                            repetitions: r.preamble_repetitions,
                            subcarriers: 1,
                            subcarrier_spacing_hz: 3_750,
                        },
                        carrier_shift_hz: shift,
                        tx_power_dbm,
                    });
                }
                RaTransmit::Msg3 { at, tc_rnti, pdu } => {
                    let Some((ta, shift)) = self.uplink_corrections(at) else {
                        self.stats.ul_blocked += 1;
                        continue;
                    };
                    self.tc_rnti = Some(tc_rnti);
                    self.stats.last_ta_s = ta;
                    self.stats.last_ul_shift_hz = shift;
                    let (sc, reps) = self.msg3_alloc;
                    self.push_ulsch(at, tc_rnti, pdu, shift, (sc, reps));
                }
            }
        }
        while let Some(ev) = ra.poll_event() {
            match ev {
                RaEvent::Success {
                    c_rnti, attempts, ..
                } => {
                    self.c_rnti = Some(c_rnti);
                    self.events
                        .push_back(UeStackEvent::RaSucceeded { c_rnti, attempts });
                }
                RaEvent::Failure { attempts } => {
                    self.ra_blocked_until =
                        Some(now + Duration::from_secs_f64(self.cfg.ra_retry_s));
                    self.events.push_back(UeStackEvent::RaFailed { attempts });
                    self.drop_connection();
                    self.rrc.abort(now);
                    self.drain_rrc(now);
                }
            }
        }
    }

    /// Open-loop NPRACH power (TS 36.213 §16.2.1.1, TS 36.321 §5.1.3):
    /// min(P_CMAX, PREAMBLE_RECEIVED_TARGET_POWER + PL) with PL = nrs-Power − NRSRP; P_CMAX
    /// before any NRSRP measurement.
    fn preamble_power_dbm(&self, received_target_dbm: f64) -> f64 {
        match self.nrsrp_dbm {
            Some(rsrp) => {
                let pl_db = self.cfg.nrs_power_dbm - rsrp;
                (received_target_dbm + pl_db).min(self.cfg.p_max_dbm)
            }
            None => self.cfg.p_max_dbm,
        }
    }

    /// An NPUSCH format 1 transport block on the allocation `(tones at 15 kHz, repetitions)`.
    fn push_ulsch(
        &mut self,
        start: Instant,
        rnti: u16,
        tb: Vec<u8>,
        shift_hz: f64,
        (subcarriers, repetitions): (u8, u16),
    ) {
        let bits = (tb.len() * 8) as u32;
        let ru = crate::link::npusch_resource_units_on(bits, subcarriers);
        self.stats.ul_tbs += 1;
        self.tx.push_back(AirTransmission {
            start,
            duration: crate::link::npusch_duration(subcarriers, ru, repetitions),
            payload: AirPayload::Ulsch { rnti, tb },
            format: LinkFormat {
                channel: NbChannel::NpuschF1,
                tbs_bits: bits,
                resource_units: ru,
                repetitions,
                subcarriers,
                subcarrier_spacing_hz: 15_000,
            },
            carrier_shift_hz: shift_hz,
            tx_power_dbm: self.cfg.p_max_dbm,
        });
    }

    fn on_rar(&mut self, now: Instant, end: Instant, tb: &[u8]) {
        let Some(mut ra) = self.ra.take() else { return };
        if let Ok(rar) = RarPduRepr::parse(tb)
            && let Some((_, r)) = rar.rars.iter().find(|(id, _)| *id == self.rapid)
        {
            self.n_ta_s = f64::from(r.ta) * TA_STEP_S;
            // The Msg3 allocation: I_sc (TS 36.213 Table 16.5.1.1-1, 15 kHz) and
            // I_rep (Table 16.5.1.1-3).
            let sc = match r.grant.subcarrier_indication {
                0..=11 => 1,
                12..=15 => 3,
                16..=17 => 6,
                _ => 12,
            };
            let reps =
                crate::link::NPUSCH_REPETITIONS[usize::from(r.grant.msg3_repetitions).min(7)];
            self.msg3_alloc = (sc, reps);
            let k0 = Duration::from_millis(
                ntn_mac::mac::ra::RAR_K0_MS[usize::from(r.grant.scheduling_delay & 3)],
            );
            if let Some((_, advance, _, _)) = self.ul_time_after(end, k0 + self.k_offset()) {
                ra.set_ue_ta(Duration::from_secs_f64(advance));
            }
        }
        ra.handle_rar(end, tb);
        self.drain_ra(now, &mut ra);
        if self.phase == Phase::RandomAccess {
            self.ra = Some(ra);
        }
    }

    fn on_msg4(&mut self, now: Instant, end: Instant, rnti: u16, tb: &[u8]) {
        let Some(mut ra) = self.ra.take() else { return };
        ra.handle_msg4(end, rnti, tb);
        self.drain_ra(now, &mut ra);
        let Some(c_rnti) = self.c_rnti else {
            if self.phase == Phase::RandomAccess {
                self.ra = Some(ra);
            }
            return;
        };
        self.tc_rnti = None;
        self.c_rnti = Some(c_rnti);
        let ccch = MacPduRepr::parse(tb, MacDir::Downlink).ok().and_then(|p| {
            p.elements
                .iter()
                .find(|e| e.lcid == LCID_CCCH)
                .map(|e| e.payload.to_vec())
        });
        match ccch {
            Some(ccch) => self.rrc.handle_dl_ccch(now, &ccch),
            None => self.stats.dropped += 1,
        }
        self.drain_rrc(now);
        if self.phase != Phase::Connected {
            self.events.push_back(UeStackEvent::ConnectionFailed {
                cause: "Msg4 without RRCConnectionSetup-NB".into(),
            });
            self.drop_connection();
            self.rrc.abort(now);
            self.drain_rrc(now);
        }
        self.drain_nas(now);
    }

    /// NAS events and outgoing NAS PDUs (through RRC when connected).
    fn drain_nas(&mut self, now: Instant) {
        while let Some(ev) = self.nas.poll_event() {
            match ev {
                NasEvent::Authenticated => self.events.push_back(UeStackEvent::Authenticated),
                NasEvent::SecurityActivated { .. } => {
                    self.events.push_back(UeStackEvent::SecurityActivated);
                }
                NasEvent::Attached { .. } => {
                    self.attached = true;
                    self.events.push_back(UeStackEvent::Attached);
                    if self.cfg.traffic.exchanges > 0 {
                        self.next_send =
                            Some(now + Duration::from_secs_f64(self.cfg.traffic.interval_s));
                    }
                }
                NasEvent::AttachRejected { .. } | NasEvent::AttachFailed => {
                    self.events.push_back(UeStackEvent::AttachFailed);
                }
                NasEvent::Data(d) => {
                    let round_trip_s =
                        payload_stamp(&d).map_or(f64::NAN, |t| (now - t).as_secs_f64());
                    self.events.push_back(UeStackEvent::DataExchanged {
                        bytes: d.len(),
                        round_trip_s,
                    });
                }
                _ => {}
            }
        }
        while let Some(pdu) = self.nas.poll_transmit() {
            self.nas_out.push_back(pdu);
        }
        if self.rrc.state() == UeRrcState::Connected {
            while let Some(pdu) = self.nas_out.pop_front() {
                if self.rrc.send_nas(now, &pdu).is_err() {
                    self.stats.dropped += 1;
                }
            }
            self.drain_rrc(now);
        } else {
            self.try_start_ra(now);
        }
    }

    fn on_dl_data(&mut self, now: Instant, tb: &[u8]) {
        let Ok(pdu) = MacPduRepr::parse(tb, MacDir::Downlink) else {
            self.stats.dropped += 1;
            return;
        };
        self.stats.dl_tbs += 1;
        self.last_dl = now;
        for e in &pdu.elements {
            if e.lcid == LCID_SRB1BIS {
                if let Some(rlc) = self.rlc.as_mut() {
                    rlc.handle_pdu(now, e.payload);
                }
            } else if DlLcid::from_bits(e.lcid) == DlLcid::TimingAdvanceCommand
                && let Ok(c) = TimingAdvanceCommand::parse(e.payload)
            {
                self.n_ta_s += (f64::from(c.ta) - 31.0) * TA_STEP_S;
            }
        }
        self.drain_rlc(now);
    }

    fn drain_rlc(&mut self, now: Instant) {
        let mut sdus = Vec::new();
        let mut max_retx = false;
        if let Some(rlc) = self.rlc.as_mut() {
            while let Some(ev) = rlc.poll_event() {
                match ev {
                    RlcEvent::Sdu(sdu) => sdus.push(sdu),
                    RlcEvent::MaxRetransmissions { .. } => max_retx = true,
                    _ => {}
                }
            }
        }
        for sdu in sdus {
            self.rrc.handle_dl_dcch(now, &sdu);
        }
        if max_retx {
            self.rrc.handle_rlc_max_retransmissions(now);
        }
        self.drain_rrc(now);
        self.drain_nas(now);
    }

    fn on_grant(
        &mut self,
        now: Instant,
        end: Instant,
        (tbs_bits, k0_ms): (u32, u16),
        alloc: (u8, u16),
    ) {
        let Some(rnti) = self.c_rnti else { return };
        let has_data = self
            .rlc
            .as_ref()
            .is_some_and(|r| r.buffer_state().total() > 0);
        if !has_data {
            return;
        }
        let delay = Duration::from_millis(i64::from(k0_ms)) + self.k_offset();
        let Some((start, _, ta, shift)) = self.ul_time_after(end, delay) else {
            self.stats.ul_blocked += 1;
            return;
        };
        if start < now {
            self.stats.ul_late += 1;
            return;
        }
        let tbs = (tbs_bits / 8) as usize;
        let mut pdu = BytesMut::new();
        let n = self
            .rlc
            .as_mut()
            .map_or(0, |r| r.pull_pdu(now, tbs.saturating_sub(4), &mut pdu));
        if n == 0 {
            return;
        }
        let Ok(tb) = mac_pdu(&[(LCID_SRB1BIS, &pdu)], true, Some(tbs)) else {
            self.stats.dropped += 1;
            return;
        };
        self.stats.last_ta_s = ta;
        self.stats.last_ul_shift_hz = shift;
        self.push_ulsch(start, rnti, tb, shift, alloc);
    }

    fn serve_traffic(&mut self, now: Instant) {
        let Some(t) = self.next_send else { return };
        if now < t {
            return;
        }
        let seq = self.sent;
        let payload = stamped_payload(now, self.cfg.traffic.bytes, seq);
        if self.nas.handle_send_data(now, &payload) {
            self.sent += 1;
            self.events.push_back(UeStackEvent::DataSent {
                bytes: payload.len(),
            });
        }
        self.next_send = (self.sent < self.cfg.traffic.exchanges)
            .then(|| t + Duration::from_secs_f64(self.cfg.traffic.interval_s));
        self.drain_nas(now);
    }
}

impl AirNode for UeStack {
    fn handle_reception(&mut self, now: Instant, rx: AirReception) {
        if !rx.decoded {
            return;
        }
        let arrival = rx.measurement.arrival;
        self.last_any_dl = now;
        self.dl_freq_history
            .push_back((arrival, rx.measurement.freq_offset_hz));
        while self
            .dl_freq_history
            .front()
            .is_some_and(|(t, _)| (arrival - *t).as_secs_f64() > AFC_WINDOW_S)
            || self.dl_freq_history.len() > 256
        {
            self.dl_freq_history.pop_front();
        }
        // NRSRP: the measured SNR (the reference signal fills the band like the data) on
        // top of the receiver's own noise per resource element; smoothed (layer-3 filter,
        // coefficient 1/4).
        if rx.measurement.snr_measured {
            let rsrp = rx.measurement.snr_db + self.cfg.noise_per_re_dbm;
            self.nrsrp_dbm = Some(self.nrsrp_dbm.map_or(rsrp, |r| r + 0.25 * (rsrp - r)));
        }
        if !self.cell_found {
            self.cell_found = true;
            self.events.push_back(UeStackEvent::CellFound);
        }
        if let Ok(p) = self
            .ntn
            .precompensation(arrival, Hz(self.cfg.f_dl_hz), Hz(self.cfg.f_ul_hz))
        {
            let r = (rx.measurement.freq_offset_hz - p.expected_dl_doppler.hz()).abs();
            self.stats.max_abs_dl_doppler_residual_hz =
                self.stats.max_abs_dl_doppler_residual_hz.max(r);
        }
        if let AirPayload::Mib { bytes } = &rx.payload {
            let bytes = bytes.clone();
            self.on_mib(now, &bytes, arrival);
            return;
        }
        if self.grid.is_none() {
            return;
        }
        self.track_grid(arrival);
        let end = arrival
            + Duration::from_millis(
                i64::from(rx.format.resource_units.max(1))
                    * i64::from(rx.format.repetitions.max(1)),
            );
        match rx.payload {
            // System information, when the UE is acquiring it (initially, or for a new
            // SIB31-NB before the validity runs out).
            AirPayload::Dlsch { rnti: SI_RNTI, tb } if self.want_si || !self.si_acquired => {
                let Some(grid) = self.rx_grid(arrival) else {
                    return;
                };
                let (_, k) = nearest_subframe(grid, arrival);
                self.rrc
                    .handle_bcch_dl_sch(arrival, FrameTiming::from_absolute_subframe(k), &tb);
                self.drain_rrc(now);
                self.try_start_ra(now);
            }
            AirPayload::Dlsch { rnti, tb } => {
                if self.phase == Phase::RandomAccess && Some(rnti) == self.ra_rnti {
                    self.on_rar(now, end, &tb);
                } else if self.phase == Phase::RandomAccess && Some(rnti) == self.tc_rnti {
                    self.on_msg4(now, end, rnti, &tb);
                } else if self.phase == Phase::Connected && Some(rnti) == self.c_rnti {
                    self.on_dl_data(now, &tb);
                }
            }
            AirPayload::UlGrant {
                rnti,
                tbs_bits,
                k0_ms,
                subcarriers,
                repetitions,
            } if self.phase == Phase::Connected && Some(rnti) == self.c_rnti => {
                self.last_dl = now;
                self.on_grant(now, end, (tbs_bits, k0_ms), (subcarriers, repetitions));
            }
            _ => {}
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.ntn.handle_timeout(now);
        self.drain_ntn();
        self.rrc.handle_timeout(now);
        self.drain_rrc(now);
        self.nas.handle_timeout(now);
        self.drain_nas(now);
        if let Some(rlc) = self.rlc.as_mut() {
            rlc.handle_timeout(now);
        }
        self.drain_rlc(now);
        self.serve_ra(now);
        self.serve_traffic(now);
        if self.phase == Phase::Connected
            && now - self.last_dl >= Duration::from_secs_f64(self.cfg.rlf_timeout_s)
        {
            self.events.push_back(UeStackEvent::RadioLinkFailure {
                cause: "no downlink decoded".into(),
            });
            self.drop_connection();
            self.rrc.abort(now);
            self.drain_rrc(now);
        }
        if self.phase != Phase::Searching
            && now - self.last_any_dl >= Duration::from_secs_f64(self.cfg.rlf_timeout_s)
        {
            self.lose_cell();
        }
        self.try_start_ra(now);
    }

    fn poll_transmission(&mut self) -> Option<AirTransmission> {
        self.tx.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        let mut t: Option<Instant> = None;
        let mut add = |x: Option<Instant>| {
            if let Some(x) = x {
                t = Some(t.map_or(x, |t| t.min(x)));
            }
        };
        add(self.ntn.poll_timeout());
        add(self.nas.poll_timeout());
        add(self.rlc.as_ref().and_then(RlcAmEntity::poll_timeout));
        add(self.ra.as_ref().and_then(RaProcedure::poll_timeout));
        add(self.rrc.poll_timeout());
        add(self.ra_blocked_until);
        add(self.next_send);
        let rlf = Duration::from_secs_f64(self.cfg.rlf_timeout_s);
        if self.phase == Phase::Connected {
            add(Some(self.last_dl + rlf));
        }
        if self.phase != Phase::Searching {
            add(Some(self.last_any_dl + rlf));
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ntn::tests::{info, setup};
    use ntn_orbit::UtcTime;

    /// A UE tracking the CBERS 2 cell over Montréal, its grid fixed at `now`, with an
    /// ephemeris valid for `validity_s` from `now`.
    fn tracking(validity_s: u32) -> (UeStack, Instant) {
        let (sat, tb, site, _) = setup();
        // Low in the pass: the delay drifts fast.
        let epoch: UtcTime = "2006-06-27T01:44:00Z".parse().unwrap();
        let now = tb.instant(epoch);
        let mut ue = UeStack::new(UeConfig::default(), tb);
        ue.ntn.handle_gnss_fix(now, GnssFix { site });
        ue.ntn
            .handle_satellite_info(now, info(&sat, epoch, validity_s));
        ue.grid = Some(now);
        ue.grid_fix_t = now;
        (ue, now)
    }

    #[test]
    fn the_grid_drift_stays_physical_when_the_ephemeris_expires() {
        // LEO delay drifts at most |v|/c ≈ 25 µs/s. Around the instant the ephemeris stops
        // being valid, the receiver's predicted drift rate must stay within that, and the
        // predicted grid must not jump (the UE loses its prediction, not the satellite).
        let (ue, now) = tracking(5);
        let expiry = now + Duration::from_secs(5);
        let mut rates = Vec::new();
        let mut prev: Option<Instant> = None;
        for ms in (-300..300).step_by(7) {
            let t = expiry + Duration::from_millis(ms);
            let tuning = ue.dl_tuning(t).expect("grid fixed");
            rates.push(tuning.timing_rate);
            assert!(tuning.timing_rate.abs() < 3e-5, "{ms} ms: {tuning:?}");
            let g = ue.rx_grid(t).unwrap();
            if let Some(p) = prev {
                assert!((g - p).as_secs_f64().abs() < 2e-6, "grid jumps at {ms} ms");
            }
            prev = Some(g);
        }
        // Before the expiry the prediction is the ephemeris' (tens of µs/s this low).
        assert!(rates[0].abs() > 1e-6, "{}", rates[0]);
    }
}
