//! `CellStack`: a satellite NB-IoT eNB (standalone carrier) with its in-process MME+HSS.
//!
//! The eNB knows its own orbit — the satellite's TLE propagated with SGP4 is its truth — and
//! from it broadcasts SIB31-NB every SI period: the ephemeris at the epoch (the SI message's
//! first subframe), quantised to the spec's steps by `ntn_orbit` and `crate::sib31`, and for
//! a transparent payload the common TA of the feeder link from the true gateway geometry
//! (the uplink time-synchronisation reference point is then the gateway, where the eNB is).
//!
//! Cell time: subframe `k` of the eNB starts at run instant `k` ms (SFN 0 of H-SFN 0 at
//! [`Instant::ZERO`]); the uplink frame is received K_mac after the downlink one.
//!
//! The cell-side receiver **measures** every uplink reception: its arrival against the
//! subframe boundary the cell scheduled it on (NPRACH: the nearest occasion), and the carrier
//! offset the PHY reports. A reception outside the receiver's tolerance (NPRACH: the cyclic
//! prefix of the preamble format; NPUSCH: the cyclic prefix of the symbol) is not decoded,
//! whatever the carrier said: that is how a UE without pre-compensation fails.
//!
//! RRC (broadcast scheduling of MIB-NB/SIB1-NB/SIB2-NB/SIB31-NB, connection setup, NAS
//! transport, release) is `ntn_rrc::procedures::CellRrc`; this stack fills each SIB31-NB with
//! the ephemeris of its own transmission. Layer 2 is the control-plane CIoT subset: SRB1bis (RLC AM, no PDCP, no AS security; NAS
//! security protects the data), one HARQ-free transmission per transport block (RLC AM
//! retransmits), uplink grants (DCI N0) issued periodically to a connected UE.

use crate::air::{
    AirNode, AirPayload, AirReception, AirTransmission, LinkFormat, NbChannel, RxTuning,
};
use crate::link::{
    LCID_SRB1BIS, NPDSCH_REPETITIONS, NPUSCH_REPETITIONS, RachConfig, SUBFRAME, SimCard, TA_MAX,
    TA_STEP_S, mac_pdu, nearest_subframe, npusch_bits_per_ru, npusch_duration,
    npusch_resource_units_on, npusch_ru_ms, payload_stamp, ra_rnti, repetitions_for, sfn_of,
    srb1bis_rlc_config, subframes_since,
};
use crate::rrc_nb;
use crate::sib31::{ServingSatellite, UlSyncValidity};
use bytes::{Bytes, BytesMut};
use ntn_mac::mac::pdu::{
    DlLcid, LCID_CCCH, LinkDirection as MacDir, MacPduRepr, NbRar, NbRarGrant, RarPduRepr,
};
use ntn_mac::rlc::RlcEvent;
use ntn_mac::rlc::am::RlcAmEntity;
use ntn_nas::eps::mme::{Mme, MmeConfig, MmeEvent, Subscriber};
use ntn_orbit::ephemeris::{Ephemeris, EphemerisForm};
use ntn_orbit::timing::{CommonTa, EpochTime, TaFlavour};
use ntn_orbit::{EarthOrientation, GroundSite, LinkConfig, Satellite, TimeBase};
use ntn_orbit::{PropagationError, SPEED_OF_LIGHT_MPS, UtcTime};
use ntn_rrc::asn1::{
    CellIdentity, FreqBandIndicatorNBR13, ReleaseCauseNBR13, SchedulingInfoNBR13SiPeriodicityR13,
    TrackingAreaCode,
};
use ntn_rrc::procedures::defaults::{example_ntn_cell, example_sib1};
use ntn_rrc::procedures::{
    CellEvent as RrcCellEvent, CellRrc, DlChannel, FrameTiming, Srb, UeIdentity, UeKey,
};
use ntn_types::{Duration, Hz, Instant};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

/// A place on the ground, degrees and metres.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SiteDeg {
    /// Latitude, degrees.
    pub lat_deg: f64,
    /// Longitude, degrees.
    pub lon_deg: f64,
    /// Height above the ellipsoid, m.
    pub alt_m: f64,
}

impl SiteDeg {
    /// As an orbit-layer ground site.
    pub fn site(&self) -> GroundSite {
        GroundSite::from_degrees(self.lat_deg, self.lon_deg, self.alt_m)
    }
}

/// Where the eNB is.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Payload {
    /// The eNB is on board: the reference point is the satellite, common TA 0.
    Regenerative,
    /// A bent pipe: the eNB is at the gateway, the reference point too; the common TA is the
    /// feeder-link round trip.
    Transparent {
        /// The gateway.
        gateway: SiteDeg,
    },
}

/// Configuration of a [`CellStack`]. Every field has a default (a LEO transparent cell).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CellConfig {
    /// cellIdentity (28 bits).
    pub cell_id: u32,
    /// trackingAreaCode.
    pub tac: u16,
    /// PLMN digits (MCC 3 + MNC 2).
    pub plmn: [u8; 5],
    /// Frequency band indicator.
    pub band: u16,
    /// Downlink carrier, Hz.
    pub f_dl_hz: f64,
    /// Uplink carrier, Hz.
    pub f_ul_hz: f64,
    /// Payload architecture.
    pub payload: Payload,
    /// Form of the broadcast ephemeris.
    pub ephemeris_form: EphemerisForm,
    /// si-Periodicity of the SI message with SIB31-NB, radio frames.
    pub si_period_rf: u16,
    /// ul-SyncValidityDuration, s (5…60 step 5, 120, 180, 240, 900).
    pub ul_sync_validity_s: u16,
    /// k-Offset, ms.
    pub k_offset_ms: u16,
    /// k-Mac, ms (0: absent).
    pub k_mac_ms: u16,
    /// Random access (what SIB2-NB would carry).
    pub rach: RachConfig,
    /// Period of the uplink grants to a connected UE, ms.
    pub ul_grant_period_ms: u32,
    /// Transport block of an uplink grant, bits.
    pub ul_grant_tbs_bits: u32,
    /// Largest downlink transport block, bits.
    pub dl_max_tbs_bits: u32,
    /// Release a connection after this long without user or signalling traffic, s.
    pub inactivity_release_s: f64,
    /// Largest uplink timing error at which NPUSCH still decodes: the normal cyclic prefix
    /// (144·T_s = 4.69 µs).
    pub max_npusch_timing_error_s: f64,
    /// Largest uplink carrier offset at which NPUSCH still decodes, Hz.
    pub max_npusch_freq_error_hz: f64,
    /// Pre-compensate the downlink Doppler to this beam centre (None: no pre-compensation).
    pub beam_centre: Option<SiteDeg>,
    /// Transmit power, dBm.
    pub tx_power_dbm: f64,
    /// Subscribers of the in-process HSS.
    pub subscribers: Vec<SimCard>,
    /// t-PollRetransmit of SRB1bis, ms (NB-IoT values).
    pub rlc_t_poll_retransmit_ms: u32,
    /// Uplink link adaptation: the E_b/N0 (dB) an NPUSCH format 1 transmission must reach
    /// at the measured C/N0 (target BLER with margin); the cell picks tones and repetitions
    /// for Msg3 (RAR grant) and every N0 grant from it.
    pub ul_target_ebn0_db: f64,
    /// NPDSCH (and NPDCCH) repetitions per coverage-enhancement level 0, 1, 2 (the level
    /// the UE chose by its NPRACH resource).
    pub dl_repetitions_per_ce: [u16; 3],
}

impl Default for CellConfig {
    fn default() -> Self {
        CellConfig {
            cell_id: 0x0001_2345,
            tac: 1,
            plmn: [0, 0, 1, 0, 1],
            band: 256,
            f_dl_hz: 2_185e6,
            f_ul_hz: 1_995e6,
            payload: Payload::Transparent {
                gateway: SiteDeg {
                    lat_deg: 48.85,
                    lon_deg: 2.35,
                    alt_m: 50.0,
                },
            },
            ephemeris_form: EphemerisForm::StateVector,
            si_period_rf: 128,
            ul_sync_validity_s: 30,
            k_offset_ms: 40,
            k_mac_ms: 0,
            rach: RachConfig::default(),
            ul_grant_period_ms: 40,
            ul_grant_tbs_bits: 1000,
            dl_max_tbs_bits: 680,
            inactivity_release_s: 10.0,
            max_npusch_timing_error_s: 144.0 / 30.72e6,
            max_npusch_freq_error_hz: 1_000.0,
            beam_centre: None,
            tx_power_dbm: 43.0,
            subscribers: vec![SimCard::default()],
            rlc_t_poll_retransmit_ms: 2000,
            ul_target_ebn0_db: 6.0,
            dl_repetitions_per_ce: [2, 8, 32],
        }
    }
}

/// Why a cell cannot be built or a broadcast not generated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CellError {
    /// The configuration is inconsistent.
    #[error("cell configuration: {0}")]
    Config(String),
    /// The orbit could not be evaluated.
    #[error("orbit: {0}")]
    Orbit(String),
    /// A message could not be encoded.
    #[error(transparent)]
    Rrc(#[from] ntn_rrc::RrcError),
    /// A SIB31 field out of range.
    #[error(transparent)]
    Sib31(#[from] crate::sib31::Sib31Error),
}

/// One uplink reception as the cell-side receiver measured it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct UlMeasurement {
    /// Channel.
    pub channel: NbChannel,
    /// RNTI (None for a preamble).
    pub rnti: Option<u16>,
    /// Arrival minus the subframe boundary the cell expected it on, s (`None`: the receiver
    /// has no timing estimate for this format — single-tone NPUSCH at sample level).
    pub timing_error_s: Option<f64>,
    /// Carrier offset measured by the receiver, Hz.
    pub freq_offset_hz: f64,
    /// SNR, dB.
    pub snr_db: f64,
    /// Whether the receiver accepted (detected / decoded) it.
    pub accepted: bool,
}

/// What the cell reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum CellEvent {
    /// An uplink reception measured.
    UplinkMeasured(UlMeasurement),
    /// SIB31-NB generated for this epoch (run time).
    Sib31Broadcast {
        /// Epoch, run time.
        epoch: Instant,
    },
    /// A preamble detected and answered with a RAR.
    RarSent {
        /// Temporary C-RNTI.
        tc_rnti: u16,
        /// Timing advance command.
        ta_command: u16,
    },
    /// Msg3 received; Msg4 with RRCConnectionSetup-NB sent.
    ConnectionSetup {
        /// C-RNTI.
        rnti: u16,
    },
    /// RRCConnectionSetupComplete-NB received.
    Connected {
        /// C-RNTI.
        rnti: u16,
    },
    /// The MME attached the UE.
    UeAttached {
        /// IMSI.
        imsi: String,
    },
    /// User data received over NAS, with its one-way latency.
    UplinkData {
        /// Bytes.
        bytes: usize,
        /// Send → reception at the MME, s.
        latency_s: f64,
    },
    /// Connection released.
    Released {
        /// C-RNTI.
        rnti: u16,
    },
}

/// Counters and the residual errors the cell's receiver measured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CellStats {
    /// SIB31 broadcasts.
    pub sib31_broadcasts: u64,
    /// Preambles received (any).
    pub preambles_received: u64,
    /// Preambles detected.
    pub preambles_detected: u64,
    /// NPUSCH transport blocks decoded.
    pub npusch_decoded: u64,
    /// NPUSCH transport blocks rejected (carrier said lost, or out of tolerance).
    pub npusch_rejected: u64,
    /// NPUSCH receptions nothing was scheduled for.
    pub npusch_unexpected: u64,
    /// Largest |timing error| of an accepted uplink reception, s.
    pub max_abs_timing_error_s: f64,
    /// Largest |frequency offset| of an accepted uplink reception, Hz.
    pub max_abs_freq_offset_hz: f64,
    /// Accepted uplink measurements.
    pub accepted_measurements: u64,
    /// Downlink transport blocks sent to UEs (RAR, Msg4, data).
    pub dl_tbs: u64,
    /// Uplink grants sent.
    pub ul_grants: u64,
    /// NAS PDUs dropped because they could not be wrapped.
    pub encode_errors: u64,
}

/// Step up of the downlink outer loop's margin per RLC retransmission, dB.
const DL_OLLA_UP_DB: f64 = 3.0;

/// Block error rate the downlink outer loop settles at.
const DL_OLLA_TARGET_BLER: f64 = 0.1;

/// Step up of the uplink outer loop's margin per NPUSCH block the cell fails to decode, dB.
const UL_OLLA_UP_DB: f64 = 2.0;

/// Block error rate the uplink outer loop settles at.
const UL_OLLA_TARGET_BLER: f64 = 0.1;

/// Largest uplink outer-loop margin, dB.
const UL_OLLA_MAX_DB: f64 = 12.0;

#[derive(Debug)]
struct Pending {
    /// Msg3 or grant: expected first-sample instant at the cell.
    expected: Instant,
    rnti: u16,
}

/// What the cell learnt of a UE's link from its preamble, kept from the RAR to Msg3.
#[derive(Clone, Copy, Debug)]
struct LinkState {
    /// Uplink C/N0 last measured, dB-Hz.
    ul_cn0_dbhz: f64,
    /// NPDSCH/NPDCCH repetitions for the UE's CE level.
    dl_repetitions: u16,
}

/// An NPUSCH format 1 allocation: tones at 15 kHz and the repetition index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct UlAlloc {
    subcarriers: u8,
    repetitions: u16,
}

#[derive(Debug)]
struct UeContext {
    rnti: u16,
    rlc: RlcAmEntity,
    connected: bool,
    next_grant: Instant,
    last_activity: Instant,
    releasing: Option<Instant>,
    /// M-TMSI of the S-TMSI the UE identified itself with in Msg3, if any.
    m_tmsi: Option<u32>,
    link: LinkState,
    /// Downlink outer loop ([`CellStack::dl_outer_loop`]): the CE level's repetitions (the
    /// floor), the margin over them, the RLC counters last seen.
    dl_base_repetitions: u16,
    dl_margin_db: f64,
    dl_retx_seen: u64,
    dl_new_seen: u64,
    /// Uplink outer loop ([`CellStack::ul_outer_loop`]): margin taken off the measured C/N0
    /// when allocating, dB.
    ul_margin_db: f64,
}

/// The satellite eNB with its MME.
#[derive(Debug)]
pub struct CellStack {
    cfg: CellConfig,
    sat: Satellite,
    time_base: TimeBase,
    eop: EarthOrientation,
    gateway: Option<GroundSite>,
    rrc: CellRrc,
    /// Msg3's TC-RNTI and contention-resolution identity, until RRC answers.
    pending_cri: Option<(u16, [u8; 6])>,
    dl_free: Instant,
    last_serve: Instant,
    next_tc_rnti: u16,
    pending_ul: Vec<Pending>,
    /// Link state per TC-RNTI between the RAR and Msg4.
    ra_links: BTreeMap<u16, LinkState>,
    ues: BTreeMap<u16, UeContext>,
    mme: Mme,
    tx: VecDeque<AirTransmission>,
    events: VecDeque<CellEvent>,
    stats: CellStats,
}

const SI_RNTI: u16 = 0xffff;
/// MIB-NB TTI.
const MIB_PERIOD: Duration = Duration::from_millis(640);
/// Processing time between a reception and the cell's answer.
const PROCESSING: Duration = Duration::from_millis(4);
/// k0 of the N0 grants (I_delay = 0, TS 36.213 Table 16.5.1-1).
const N0_K0_MS: u16 = 8;
/// k0 of the RAR grant with I_delay = 0 (TS 36.213 §16.3.3).
const RAR_K0_MS: i64 = 12;

impl CellStack {
    /// A cell for satellite `sat`; `time_base` maps run time to UTC.
    pub fn new(cfg: CellConfig, sat: Satellite, time_base: TimeBase) -> Result<Self, CellError> {
        if !rrc_nb::SI_PERIODS_RF.contains(&cfg.si_period_rf) {
            return Err(CellError::Config(format!(
                "si_period_rf {} is not a SIB1-NB si-Periodicity",
                cfg.si_period_rf
            )));
        }
        if UlSyncValidity::from_seconds(cfg.ul_sync_validity_s).is_none() {
            return Err(CellError::Config(format!(
                "ul_sync_validity_s {} is not a ul-SyncValidityDuration",
                cfg.ul_sync_validity_s
            )));
        }
        if cfg.k_offset_ms > 1023 || cfg.k_mac_ms > 512 {
            return Err(CellError::Config("k-Offset or k-Mac out of range".into()));
        }
        let mut mme = Mme::new(MmeConfig::default());
        for s in &cfg.subscribers {
            mme.add_subscriber(
                &s.imsi,
                Subscriber {
                    k: s.k,
                    opc: s.opc,
                    sqn: s.sqn + 32,
                    ipv4: [10, 45, 0, 2],
                },
            );
        }
        let gateway = match cfg.payload {
            Payload::Regenerative => None,
            Payload::Transparent { gateway } => Some(gateway.site()),
        };
        let eop = EarthOrientation::default();
        let sib31 = sib31_value(
            &cfg,
            &sat,
            &time_base,
            &eop,
            gateway.as_ref(),
            Instant::ZERO,
        )?
        .to_sib31()?;
        let period = rrc_nb::si_periodicity(cfg.si_period_rf)
            .ok_or_else(|| CellError::Config("si_period_rf".into()))?;
        let mut rrc_cfg = example_ntn_cell(Instant::ZERO, sib31)?;
        let mut sib1 = example_sib1(SchedulingInfoNBR13SiPeriodicityR13::Rf64, period)?;
        let access = &mut sib1.cell_access_related_info_r13;
        access.cell_identity_r13 = CellIdentity(rrc_nb::bits(u64::from(cfg.cell_id), 28));
        access.tracking_area_code_r13 = TrackingAreaCode(rrc_nb::bits(u64::from(cfg.tac), 16));
        sib1.freq_band_indicator_r13 = FreqBandIndicatorNBR13(cfg.band.clamp(1, 256));
        rrc_cfg.sib1 = sib1;
        let rrc = CellRrc::new(rrc_cfg, Instant::ZERO);
        Ok(CellStack {
            cfg,
            sat,
            time_base,
            eop,
            gateway,
            rrc,
            pending_cri: None,
            dl_free: Instant::ZERO,
            last_serve: Instant::ZERO,
            next_tc_rnti: 0x0100,
            pending_ul: Vec::new(),
            ra_links: BTreeMap::new(),
            ues: BTreeMap::new(),
            mme,
            tx: VecDeque::new(),
            events: VecDeque::new(),
            stats: CellStats::default(),
        })
    }

    /// Next event.
    pub fn poll_event(&mut self) -> Option<CellEvent> {
        self.events.pop_front()
    }

    /// Counters and measured residuals.
    pub fn stats(&self) -> &CellStats {
        &self.stats
    }

    /// The configuration.
    pub fn config(&self) -> &CellConfig {
        &self.cfg
    }

    fn subframe_index(t: Instant) -> i64 {
        (t - Instant::ZERO).as_nanos().div_euclid(1_000_000)
    }

    /// The DL carrier shift at `t`: minus the Doppler at the beam centre, if configured.
    fn dl_shift_hz(&self, t: Instant) -> f64 {
        let Some(centre) = self.cfg.beam_centre else {
            return 0.0;
        };
        let link = LinkConfig {
            ue: centre.site(),
            gateway: None,
            f_dl: Hz(self.cfg.f_dl_hz),
            f_ul: Hz(self.cfg.f_ul_hz),
            eop: self.eop,
        };
        link.snapshot(&self.sat, self.time_base.utc(t))
            .map_or(0.0, |s| -s.doppler_dl.hz())
    }

    fn push_dl(
        &mut self,
        start: Instant,
        duration: Duration,
        payload: AirPayload,
        format: LinkFormat,
    ) {
        self.tx.push_back(AirTransmission {
            start,
            duration,
            payload,
            format,
            carrier_shift_hz: self.dl_shift_hz(start),
            tx_power_dbm: self.cfg.tx_power_dbm,
        });
    }

    fn dl_format(channel: NbChannel, bytes: usize, subframes: u16, repetitions: u16) -> LinkFormat {
        LinkFormat {
            channel,
            tbs_bits: (bytes * 8) as u32,
            resource_units: subframes,
            repetitions,
            subcarriers: 12,
            subcarrier_spacing_hz: 15_000,
        }
    }

    /// Subframes an NPDSCH of `bytes` occupies (at most 680 bits in 3 subframes at the
    /// highest Rel-13 MCS; one subframe per 28 bytes here).
    fn npdsch_subframes(bytes: usize) -> u16 {
        bytes.div_ceil(28).max(1) as u16
    }

    /// Uplink link adaptation: 12 tones without repetition if the measured C/N0 carries
    /// them to the E_b/N0 target, else single tone with the fewest repetitions that do.
    fn ul_alloc(&self, ul_cn0_dbhz: f64) -> UlAlloc {
        let target = self.cfg.ul_target_ebn0_db;
        let ru_s = |sc: u8| npusch_ru_ms(sc) as f64 * 1e-3;
        // Multi-tone without repetition, widest first (shortest air time, and the cell
        // measures the arrival time on the DMRS of several tones).
        for sc in [12u8, 6, 3] {
            if repetitions_for(
                ul_cn0_dbhz,
                ru_s(sc),
                npusch_bits_per_ru(sc),
                target,
                &[1, 2],
            ) == 0
            {
                return UlAlloc {
                    subcarriers: sc,
                    repetitions: 1,
                };
            }
        }
        let k = repetitions_for(
            ul_cn0_dbhz,
            ru_s(1),
            npusch_bits_per_ru(1),
            target,
            &NPUSCH_REPETITIONS,
        );
        UlAlloc {
            subcarriers: 1,
            repetitions: NPUSCH_REPETITIONS[k],
        }
    }

    /// NPDSCH/NPDCCH repetitions for a CE level.
    fn dl_repetitions_for_ce(&self, ce_level: u8) -> u16 {
        let r = self.cfg.dl_repetitions_per_ce[usize::from(ce_level.min(2))];
        // Round up to a repetition number the DCI can signal.
        NPDSCH_REPETITIONS
            .iter()
            .copied()
            .find(|&x| x >= r)
            .unwrap_or(NPDSCH_REPETITIONS[NPDSCH_REPETITIONS.len() - 1])
    }

    /// Reserve the dedicated downlink from the first subframe at or after `t`.
    fn reserve_dl(&mut self, t: Instant, subframes: u16) -> Instant {
        let t = t.max(self.dl_free);
        let start = Instant::ZERO
            + Duration::from_millis(Self::subframe_index(t + Duration::from_nanos(999_999)));
        self.dl_free = start + Duration::from_millis(i64::from(subframes));
        start
    }

    /// SIB31-NB for the epoch `at` (a subframe start), from the true orbit.
    pub fn sib31_at(&self, at: Instant) -> Result<ServingSatellite, CellError> {
        sib31_value(
            &self.cfg,
            &self.sat,
            &self.time_base,
            &self.eop,
            self.gateway.as_ref(),
            at,
        )
    }

    /// A broadcast the RRC scheduled in subframe `at`: MIB-NB, SIB1-NB, or an SI message
    /// (the one with SIB31-NB gets the ephemeris of its own first subframe).
    fn broadcast(
        &mut self,
        now: Instant,
        ch: DlChannel,
        at: FrameTiming,
        bytes: Vec<u8>,
    ) -> Result<(), CellError> {
        let cycle = ntn_rrc::procedures::sysinfo::SUBFRAMES_PER_HSFN_CYCLE;
        let n_now = Self::subframe_index(now);
        let n = n_now - (n_now - at.absolute_subframe()).rem_euclid(cycle);
        let start = Instant::ZERO + Duration::from_millis(n);
        if ch == DlChannel::BcchBch {
            let fmt = LinkFormat {
                channel: NbChannel::Npbch,
                tbs_bits: 34,
                resource_units: 1,
                repetitions: 64,
                subcarriers: 12,
                subcarrier_spacing_hz: 15_000,
            };
            self.push_dl(start, MIB_PERIOD, AirPayload::Mib { bytes }, fmt);
            return Ok(());
        }
        let msg = ntn_rrc::decode_bcch_dl_sch(&bytes)?;
        let (tb, duration) = if ntn_rrc::sib31_in(&msg).next().is_some() {
            let sib31 = self.sib31_at(start)?.to_sib31()?;
            self.stats.sib31_broadcasts += 1;
            self.events
                .push_back(CellEvent::Sib31Broadcast { epoch: start });
            (rrc_nb::si_with_sib31(sib31)?, Duration::from_millis(8))
        } else if matches!(
            msg.message,
            ntn_rrc::asn1::BCCHDLSCHMessageTypeNB::C1(
                ntn_rrc::asn1::BCCHDLSCHMessageTypeNBC1::SystemInformationBlockType1R13(_)
            )
        ) {
            // SIB1-NB: subframe 4 of every other frame for 16 frames.
            (bytes, Duration::from_millis(160))
        } else {
            (bytes, Duration::from_millis(8))
        };
        let fmt = Self::dl_format(NbChannel::Npdsch, tb.len(), 8, 1);
        self.push_dl(
            start,
            duration,
            AirPayload::Dlsch { rnti: SI_RNTI, tb },
            fmt,
        );
        Ok(())
    }

    /// Everything the RRC has to send and to report; NAS between RRC and the MME.
    fn drain_rrc(&mut self, now: Instant) -> Result<(), CellError> {
        loop {
            let mut progressed = false;
            while let Some(t) = self.rrc.poll_transmit() {
                progressed = true;
                match (t.channel, t.at) {
                    (DlChannel::BcchBch | DlChannel::BcchDlSch, Some(at)) => {
                        self.broadcast(now, t.channel, at, t.bytes)?;
                    }
                    (DlChannel::Srb { ue, srb: Srb::Srb0 }, _) => self.send_msg4(now, ue, &t.bytes),
                    (DlChannel::Srb { ue, .. }, _) => {
                        if let Some(ctx) = self.ues.get_mut(&rnti_of(ue)) {
                            ctx.last_activity = now;
                            if ctx.rlc.handle_sdu(now, Bytes::from(t.bytes)).is_err() {
                                self.stats.encode_errors += 1;
                            }
                        }
                    }
                    _ => {}
                }
            }
            while let Some(ev) = self.rrc.poll_event() {
                progressed = true;
                match ev {
                    RrcCellEvent::ConnectionRequest { ue, identity, .. } => {
                        if let (Some(ctx), UeIdentity::STmsi(t)) =
                            (self.ues.get_mut(&rnti_of(ue)), identity)
                        {
                            ctx.m_tmsi = Some(t.m_tmsi);
                        }
                    }
                    RrcCellEvent::Connected { ue, nas } => {
                        let rnti = rnti_of(ue);
                        let mut m_tmsi = None;
                        if let Some(ctx) = self.ues.get_mut(&rnti) {
                            ctx.connected = true;
                            m_tmsi = ctx.m_tmsi;
                            self.events.push_back(CellEvent::Connected { rnti });
                        }
                        if let Some(nas) = nas {
                            self.mme
                                .handle_initial_ue_message(now, u64::from(rnti), m_tmsi, &nas);
                        }
                    }
                    RrcCellEvent::NasPdu { ue, nas } => {
                        self.mme
                            .handle_uplink_nas(now, u64::from(rnti_of(ue)), &nas);
                    }
                    _ => {}
                }
            }
            while let Some(ev) = self.mme.poll_event() {
                progressed = true;
                match ev {
                    MmeEvent::Attached { imsi } => {
                        self.events.push_back(CellEvent::UeAttached { imsi });
                    }
                    MmeEvent::Data { data: d, .. } => {
                        let latency_s =
                            payload_stamp(&d).map_or(f64::NAN, |t| (now - t).as_secs_f64());
                        self.events.push_back(CellEvent::UplinkData {
                            bytes: d.len(),
                            latency_s,
                        });
                    }
                    _ => {}
                }
            }
            while let Some((id, pdu)) = self.mme.poll_transmit() {
                progressed = true;
                let key = UeKey(u32::try_from(id).unwrap_or(u32::MAX));
                if self.rrc.send_nas(now, key, &pdu).is_err() {
                    self.stats.encode_errors += 1;
                }
            }
            if !progressed {
                return Ok(());
            }
        }
    }

    fn k_offset(&self) -> Duration {
        Duration::from_millis(i64::from(self.cfg.k_offset_ms))
    }

    /// How the cell's uplink receiver is set for a transmission arriving around `around`:
    /// the subframe of its uplink grid (K_mac behind the downlink grid) nearest to it, at the
    /// nominal carrier (the cell does not follow any terminal's Doppler).
    pub fn ul_tuning(&self, around: Instant) -> RxTuning {
        RxTuning {
            window_start: nearest_subframe(self.ul_grid_origin(), around).0,
            timing_rate: 0.0,
            freq_hz: 0.0,
            freq_rate_hz_s: 0.0,
        }
    }

    /// Uplink subframe 0 of SFN 0 at the cell: the UL grid runs K_mac behind the DL grid.
    fn ul_grid_origin(&self) -> Instant {
        Instant::ZERO + self.k_mac()
    }

    fn k_mac(&self) -> Duration {
        Duration::from_millis(i64::from(self.cfg.k_mac_ms))
    }

    fn measure(&mut self, m: UlMeasurement) {
        if m.accepted {
            self.stats.accepted_measurements += 1;
            self.stats.max_abs_timing_error_s = self
                .stats
                .max_abs_timing_error_s
                .max(m.timing_error_s.map_or(0.0, f64::abs));
            self.stats.max_abs_freq_offset_hz = self
                .stats
                .max_abs_freq_offset_hz
                .max(m.freq_offset_hz.abs());
        }
        self.events.push_back(CellEvent::UplinkMeasured(m));
    }

    fn on_preamble(&mut self, now: Instant, rx: &AirReception, rapid: u8, ce_level: u8) {
        self.stats.preambles_received += 1;
        let arrival = rx.measurement.arrival;
        let ul_origin = self.ul_grid_origin();
        let occ = self
            .cfg
            .rach
            .nearest_occasion(subframes_since(ul_origin, arrival));
        let occ_t = ul_origin + Duration::from_millis(occ);
        let err_s = (arrival - occ_t).as_secs_f64();
        let f = rx.measurement.freq_offset_hz;
        let accepted = rx.decoded
            && err_s.abs() <= self.cfg.rach.max_preamble_timing_error_s
            && f.abs() <= self.cfg.rach.max_preamble_freq_error_hz;
        self.measure(UlMeasurement {
            channel: NbChannel::Nprach,
            rnti: None,
            timing_error_s: Some(err_s),
            freq_offset_hz: f,
            snr_db: rx.measurement.snr_db,
            accepted,
        });
        if !accepted {
            return;
        }
        self.stats.preambles_detected += 1;
        // Only early arrivals beyond one step are uncorrectable: T_A is not negative.
        let ta = ((err_s / TA_STEP_S).round().max(0.0) as u16).min(TA_MAX);
        let tc_rnti = self.next_tc_rnti;
        self.next_tc_rnti = if tc_rnti >= 0xfff0 {
            0x0100
        } else {
            tc_rnti + 1
        };
        // The C/N0 of the preamble sets Msg3's allocation; its CE level the downlink's.
        let link = LinkState {
            ul_cn0_dbhz: rx.measurement.snr_db + 10.0 * bandwidth_hz(&rx.format).log10(),
            dl_repetitions: self.dl_repetitions_for_ce(ce_level),
        };
        let alloc = self.ul_alloc(link.ul_cn0_dbhz);
        let rar = RarPduRepr {
            backoff_indicator: None,
            rars: vec![(
                rapid,
                NbRar {
                    ta,
                    grant: NbRarGrant {
                        spacing_15khz: true,
                        // I_sc 0: single tone; 12: tones 0–2; 16: tones 0–5; 18: all 12
                        // (TS 36.213 Table 16.5.1.1-1).
                        subcarrier_indication: match alloc.subcarriers {
                            12.. => 18,
                            6..=11 => 16,
                            3..=5 => 12,
                            _ => 0,
                        },
                        scheduling_delay: 0,
                        msg3_repetitions: NPUSCH_REPETITIONS
                            .iter()
                            .position(|&r| r == alloc.repetitions)
                            .unwrap_or(0) as u8,
                        mcs: 0,
                    },
                    tc_rnti,
                },
            )],
        };
        let mut tb = Vec::new();
        if rar.emit(&mut tb).is_err() {
            self.stats.encode_errors += 1;
            return;
        }
        let end = arrival + Duration::from_millis(i64::from(self.cfg.rach.preamble_duration_ms));
        let subframes = Self::npdsch_subframes(tb.len());
        let reps = link.dl_repetitions;
        let start = self.reserve_dl(end.max(now) + PROCESSING, subframes * reps);
        let dur = Duration::from_millis(i64::from(subframes) * i64::from(reps));
        let fmt = Self::dl_format(NbChannel::Npdsch, tb.len(), subframes, reps);
        self.ra_links.insert(tc_rnti, link);
        while self.ra_links.len() > 64 {
            self.ra_links.pop_first();
        }
        self.push_dl(
            start,
            dur,
            AirPayload::Dlsch {
                rnti: ra_rnti(sfn_of(occ)),
                tb,
            },
            fmt,
        );
        self.stats.dl_tbs += 1;
        // Msg3: UL subframe n + k0 + K_offset after the RAR's last subframe n.
        self.pending_ul.push(Pending {
            expected: start
                + dur
                + Duration::from_millis(RAR_K0_MS)
                + self.k_offset()
                + self.k_mac(),
            rnti: tc_rnti,
        });
        self.events.push_back(CellEvent::RarSent {
            tc_rnti,
            ta_command: ta,
        });
    }

    fn on_ulsch(&mut self, now: Instant, rx: &AirReception, rnti: u16, tb: &[u8]) {
        let arrival = rx.measurement.arrival;
        let Some(k) = self
            .pending_ul
            .iter()
            .enumerate()
            .filter(|(_, p)| p.rnti == rnti)
            .min_by_key(|(_, p)| (arrival - p.expected).as_nanos().abs())
            .map(|(k, _)| k)
        else {
            self.stats.npusch_unexpected += 1;
            return;
        };
        let p = self.pending_ul.remove(k);
        let err_s = rx
            .measurement
            .timing_measured
            .then(|| (arrival - p.expected).as_secs_f64());
        let f = rx.measurement.freq_offset_hz;
        let accepted = rx.decoded
            && err_s.is_none_or(|e| e.abs() <= self.cfg.max_npusch_timing_error_s)
            && f.abs() <= self.cfg.max_npusch_freq_error_hz;
        self.measure(UlMeasurement {
            channel: NbChannel::NpuschF1,
            rnti: Some(rnti),
            timing_error_s: err_s,
            freq_offset_hz: f,
            snr_db: rx.measurement.snr_db,
            accepted,
        });
        if let Some(ue) = self.ues.get_mut(&rnti) {
            Self::ul_outer_loop(ue, rx.decoded);
        }
        if !accepted {
            self.stats.npusch_rejected += 1;
            return;
        }
        self.stats.npusch_decoded += 1;
        let cn0 = rx.measurement.snr_db + 10.0 * bandwidth_hz(&rx.format).log10();
        if let Some(ue) = self.ues.get_mut(&rnti) {
            ue.link.ul_cn0_dbhz = cn0;
        } else if let Some(l) = self.ra_links.get_mut(&rnti) {
            l.ul_cn0_dbhz = cn0;
        }
        let Ok(pdu) = MacPduRepr::parse(tb, MacDir::Uplink) else {
            return;
        };
        let f = &rx.format;
        let end = arrival + npusch_duration(f.subcarriers, f.resource_units, f.repetitions);
        for e in &pdu.elements {
            if e.lcid == LCID_CCCH {
                self.on_msg3(end.max(now), rnti, e.payload);
            } else if e.lcid == LCID_SRB1BIS
                && let Some(ue) = self.ues.get_mut(&rnti)
            {
                ue.rlc.handle_pdu(now, e.payload);
            }
        }
        self.drain_rlc(now);
    }

    /// Msg3: DPR octet + CCCH SDU (RRCConnectionRequest-NB), handed to RRC; its answer goes
    /// out as Msg4 ([`CellStack::send_msg4`]).
    fn on_msg3(&mut self, now: Instant, rnti: u16, payload: &[u8]) {
        let Some(sdu) = payload.get(1..) else { return };
        let Some(cri) = sdu.get(..6).and_then(|c| <[u8; 6]>::try_from(c).ok()) else {
            return;
        };
        self.pending_cri = Some((rnti, cri));
        self.rrc.handle_ul_ccch(now, UeKey(u32::from(rnti)), sdu);
        if self.drain_rrc(now).is_err() {
            self.stats.encode_errors += 1;
        }
    }

    /// Msg4: the contention resolution identity and the CCCH SDU from RRC.
    fn send_msg4(&mut self, now: Instant, ue: UeKey, ccch: &[u8]) {
        let Some((rnti, cri)) = self
            .pending_cri
            .take()
            .filter(|(r, _)| u32::from(*r) == ue.0)
        else {
            return;
        };
        let Ok(tb) = mac_pdu(
            &[
                (DlLcid::ContentionResolutionIdentity.bits(), &cri),
                (LCID_CCCH, ccch),
            ],
            false,
            None,
        ) else {
            self.stats.encode_errors += 1;
            return;
        };
        let link = self.ra_links.remove(&rnti).unwrap_or(LinkState {
            ul_cn0_dbhz: 0.0,
            dl_repetitions: self.dl_repetitions_for_ce(2),
        });
        let subframes = Self::npdsch_subframes(tb.len()) * link.dl_repetitions;
        let start = self.reserve_dl(now + PROCESSING, subframes);
        let fmt = Self::dl_format(
            NbChannel::Npdsch,
            tb.len(),
            subframes / link.dl_repetitions,
            link.dl_repetitions,
        );
        self.push_dl(
            start,
            Duration::from_millis(i64::from(subframes)),
            AirPayload::Dlsch { rnti, tb },
            fmt,
        );
        self.stats.dl_tbs += 1;
        let rlc_cfg = srb1bis_rlc_config(self.cfg.rlc_t_poll_retransmit_ms);
        self.ues.insert(
            rnti,
            UeContext {
                rnti,
                rlc: RlcAmEntity::new(rlc_cfg, now),
                connected: false,
                next_grant: start + Duration::from_millis(i64::from(subframes)),
                last_activity: now,
                releasing: None,
                m_tmsi: None,
                link,
                dl_base_repetitions: link.dl_repetitions,
                dl_margin_db: 0.0,
                dl_retx_seen: 0,
                dl_new_seen: 0,
                ul_margin_db: 0.0,
            },
        );
        self.events.push_back(CellEvent::ConnectionSetup { rnti });
    }

    /// RRC SDUs out of the RLC into RRC.
    fn drain_rlc(&mut self, now: Instant) {
        let mut sdus = Vec::new();
        for ue in self.ues.values_mut() {
            while let Some(ev) = ue.rlc.poll_event() {
                if let RlcEvent::Sdu(sdu) = ev {
                    ue.last_activity = now;
                    sdus.push((UeKey(u32::from(ue.rnti)), sdu));
                }
            }
        }
        for (key, sdu) in sdus {
            self.rrc.handle_ul_dcch(now, key, &sdu);
        }
        if self.drain_rrc(now).is_err() {
            self.stats.encode_errors += 1;
        }
    }

    /// Downlink data and uplink grants for every UE, in RNTI order.
    fn serve_ues(&mut self, now: Instant) {
        self.last_serve = now;
        let rntis: Vec<u16> = self.ues.keys().copied().collect();
        for rnti in rntis {
            self.serve_ue(now, rnti);
        }
        // Forget expectations long past (a UE that had nothing to send).
        let horizon = now - Duration::from_secs(2);
        self.pending_ul.retain(|p| p.expected >= horizon);
    }

    /// Downlink link adaptation beyond the CE level (which the UE chose from its NRSRP at
    /// random access). NB-IoT has no CQI, so the cell runs an outer loop on the block errors
    /// it learns of: a margin over the CE level's repetitions rises by [`DL_OLLA_UP_DB`] for
    /// every downlink RLC retransmission (a NACK in a status report, or t-PollRetransmit) and
    /// falls by `DL_OLLA_UP_DB · p/(1 − p)` for every new PDU, so that it settles where the
    /// residual block error rate is p = [`DL_OLLA_TARGET_BLER`]; the repetitions are the CE
    /// level's times the margin, rounded up to the NPDSCH values, at most 16 times (two CE
    /// levels) the CE level's.
    fn dl_outer_loop(ue: &mut UeContext) {
        let st = ue.rlc.stats();
        let (retx, new) = (st.pdus_retx, st.pdus_tx);
        let d_retx = retx.saturating_sub(ue.dl_retx_seen);
        let d_new = new.saturating_sub(ue.dl_new_seen);
        if d_retx == 0 && d_new == 0 {
            return;
        }
        ue.dl_retx_seen = retx;
        ue.dl_new_seen = new;
        let down = DL_OLLA_UP_DB * DL_OLLA_TARGET_BLER / (1.0 - DL_OLLA_TARGET_BLER);
        let max_db = 10.0 * 16f64.log10();
        ue.dl_margin_db = (ue.dl_margin_db + DL_OLLA_UP_DB * d_retx as f64 - down * d_new as f64)
            .clamp(0.0, max_db);
        let want = f64::from(ue.dl_base_repetitions) * 10f64.powf(ue.dl_margin_db / 10.0);
        let reps = NPDSCH_REPETITIONS
            .iter()
            .copied()
            .find(|&r| f64::from(r) >= want * 0.999)
            .unwrap_or(128);
        ue.link.dl_repetitions = reps;
    }

    /// Uplink link adaptation beyond the measured C/N0, which comes from the blocks that
    /// decoded (in fading, the lucky ones) and ages between grants: a margin taken off it
    /// rises by [`UL_OLLA_UP_DB`] for every NPUSCH block of the UE that failed its CRC and
    /// falls by `UL_OLLA_UP_DB · p/(1 − p)` for every one that passed, settling where the
    /// block error rate is p = [`UL_OLLA_TARGET_BLER`]; within [0, [`UL_OLLA_MAX_DB`]].
    fn ul_outer_loop(ue: &mut UeContext, decoded: bool) {
        let down = UL_OLLA_UP_DB * UL_OLLA_TARGET_BLER / (1.0 - UL_OLLA_TARGET_BLER);
        let step = if decoded { -down } else { UL_OLLA_UP_DB };
        ue.ul_margin_db = (ue.ul_margin_db + step).clamp(0.0, UL_OLLA_MAX_DB);
    }

    /// Downlink data and uplink grants for one UE.
    fn serve_ue(&mut self, now: Instant, rnti: u16) {
        let k_offset = self.k_offset();
        let k_mac = self.k_mac();
        let grant_period = Duration::from_millis(i64::from(self.cfg.ul_grant_period_ms.max(1)));
        let inactivity = Duration::from_secs_f64(self.cfg.inactivity_release_s);
        let max_dl = (self.cfg.dl_max_tbs_bits / 8) as usize;
        let Some(mut ue) = self.ues.remove(&rnti) else {
            return;
        };
        ue.rlc.handle_timeout(now);
        Self::dl_outer_loop(&mut ue);
        // A context that never completed the setup (Msg4 lost, the UE retried): forget it.
        if !ue.connected && now - ue.last_activity >= inactivity {
            return;
        }
        // Release after inactivity; forget the context once the release has gone out.
        if ue.releasing.is_none() && ue.connected && now - ue.last_activity >= inactivity {
            ue.releasing = Some(now + Duration::from_secs(2));
            let key = UeKey(u32::from(ue.rnti));
            self.ues.insert(rnti, ue);
            let released = self
                .rrc
                .release(now, key, ReleaseCauseNBR13::Other, None)
                .is_ok();
            if !released || self.drain_rrc(now).is_err() {
                self.stats.encode_errors += 1;
            }
            let Some(u) = self.ues.remove(&rnti) else {
                return;
            };
            ue = u;
        }
        // Downlink: one transport block at a time while the RLC has something.
        while ue.rlc.buffer_state().total() > 0 && self.dl_free <= now + SUBFRAME {
            let mut pdu = BytesMut::new();
            let n = ue.rlc.pull_pdu(now, max_dl.saturating_sub(3), &mut pdu);
            if n == 0 {
                break;
            }
            let Ok(tb) = mac_pdu(&[(LCID_SRB1BIS, &pdu)], false, None) else {
                self.stats.encode_errors += 1;
                break;
            };
            let reps = ue.link.dl_repetitions;
            let subframes = Self::npdsch_subframes(tb.len());
            let start = self.reserve_dl(now, subframes * reps);
            let fmt = Self::dl_format(NbChannel::Npdsch, tb.len(), subframes, reps);
            self.push_dl(
                start,
                Duration::from_millis(i64::from(subframes) * i64::from(reps)),
                AirPayload::Dlsch { rnti: ue.rnti, tb },
                fmt,
            );
            self.stats.dl_tbs += 1;
        }
        // Uplink grants on the grant period.
        if ue.releasing.is_none() && now >= ue.next_grant {
            let reps = ue.link.dl_repetitions;
            let alloc = self.ul_alloc(ue.link.ul_cn0_dbhz - ue.ul_margin_db);
            let tbs_bits = self.cfg.ul_grant_tbs_bits;
            let start = self.reserve_dl(now, reps);
            let pdcch = Duration::from_millis(i64::from(reps));
            let end = start + pdcch;
            let fmt = Self::dl_format(NbChannel::Npdcch, 3, 1, reps);
            self.push_dl(
                start,
                pdcch,
                AirPayload::UlGrant {
                    rnti: ue.rnti,
                    tbs_bits,
                    k0_ms: N0_K0_MS,
                    subcarriers: alloc.subcarriers,
                    repetitions: alloc.repetitions,
                },
                fmt,
            );
            let ul_air = npusch_duration(
                alloc.subcarriers,
                npusch_resource_units_on(tbs_bits, alloc.subcarriers),
                alloc.repetitions,
            );
            self.stats.ul_grants += 1;
            self.pending_ul.push(Pending {
                expected: end + Duration::from_millis(i64::from(N0_K0_MS)) + k_offset + k_mac,
                rnti: ue.rnti,
            });
            // The next grant once this one's NPUSCH is over.
            ue.next_grant = start + grant_period.max(pdcch + ul_air);
        }
        if let Some(t) = ue.releasing
            && now >= t
        {
            self.mme.handle_connection_released(now, u64::from(ue.rnti));
            self.events.push_back(CellEvent::Released { rnti: ue.rnti });
            return;
        }
        self.ues.insert(rnti, ue);
    }

    fn handle_timeout_inner(&mut self, now: Instant) -> Result<(), CellError> {
        self.rrc.handle_timeout(now);
        self.mme.handle_timeout(now);
        self.drain_rrc(now)?;
        self.drain_rlc(now);
        self.serve_ues(now);
        Ok(())
    }
}

/// The C-RNTI an RRC UE key stands for (the cell keys its RRC contexts by C-RNTI).
fn rnti_of(ue: UeKey) -> u16 {
    u16::try_from(ue.0).unwrap_or(u16::MAX)
}

/// SIB31-NB of a cell for the epoch `at`, from the true orbit.
fn sib31_value(
    cfg: &CellConfig,
    sat: &Satellite,
    time_base: &TimeBase,
    eop: &EarthOrientation,
    gateway: Option<&GroundSite>,
    at: Instant,
) -> Result<ServingSatellite, CellError> {
    let utc = time_base.utc(at);
    let eph = Ephemeris::from_truth(sat, utc, cfg.ephemeris_form, eop)
        .map_err(|e| CellError::Orbit(e.to_string()))?;
    let common = match gateway {
        None => CommonTa::default(),
        Some(gw) => fit_feeder_common_ta(sat, gw, utc, f64::from(cfg.ul_sync_validity_s), eop)
            .map_err(|e| CellError::Orbit(e.to_string()))?,
    };
    let common_ta = common
        .to_fields(TaFlavour::NbIotSib31)
        .map_err(|e| CellError::Orbit(e.to_string()))?;
    let sf = (at - Instant::ZERO).as_nanos().div_euclid(1_000_000);
    Ok(ServingSatellite {
        ephemeris: eph.fields,
        common_ta,
        ul_sync_validity: UlSyncValidity::from_seconds(cfg.ul_sync_validity_s)
            .ok_or_else(|| CellError::Config("ul-SyncValidityDuration".into()))?,
        epoch: Some(EpochTime {
            start_sfn: sfn_of(sf),
            start_subframe: (sf.rem_euclid(10)) as u8,
        }),
        k_offset_ms: cfg.k_offset_ms,
        k_mac_ms: (cfg.k_mac_ms > 0).then_some(cfg.k_mac_ms),
    })
}

/// The common TA of a transparent payload's feeder link, fitted over the whole validity
/// window rather than expanded at the epoch: the true two-way feeder delay is sampled every
/// 2 s from the epoch to the end of `ul-SyncValidityDuration` and fitted by least squares with
/// TA_Common + drift·Δt + variant·Δt². The variant field is unsigned (TS 36.331), so a
/// negative curvature is fitted with a straight line instead. A Taylor expansion at the epoch
/// (`ntn_orbit::timing::feeder_link_common_ta`) drifts by microseconds within 30 s on a LEO
/// feeder link; the fit stays within about a tenth of that.
pub fn fit_feeder_common_ta(
    sat: &Satellite,
    gateway: &GroundSite,
    epoch: UtcTime,
    validity_s: f64,
    eop: &EarthOrientation,
) -> Result<CommonTa, PropagationError> {
    let n = ((validity_s / 2.0).ceil() as usize).max(2) + 1;
    let step = validity_s / (n - 1) as f64;
    let mut pts = Vec::with_capacity(n);
    for k in 0..n {
        let t = k as f64 * step;
        let st = sat.state_ecef(epoch.add_secs(t), eop)?;
        pts.push((t, 2.0 * gateway.look(&st).range.m() / SPEED_OF_LIGHT_MPS));
    }
    let tau0 = pts[0].1;
    // Normal equations of the quadratic fit to τ − τ(0), solved by Cramer's rule.
    let (mut sx, mut sy) = ([0.0f64; 5], [0.0f64; 3]);
    for &(t, tau) in &pts {
        let y = tau - tau0;
        for (k, v) in sx.iter_mut().enumerate() {
            *v += t.powi(k as i32);
        }
        for (k, v) in sy.iter_mut().enumerate() {
            *v += y * t.powi(k as i32);
        }
    }
    let det3 = |m: [[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let a = [
        [sx[0], sx[1], sx[2]],
        [sx[1], sx[2], sx[3]],
        [sx[2], sx[3], sx[4]],
    ];
    let d = det3(a);
    let col = |c: usize| {
        let mut m = a;
        for (r, row) in m.iter_mut().enumerate() {
            row[c] = sy[r];
        }
        det3(m) / d
    };
    let (mut c0, mut c1, c2) = (col(0), col(1), col(2));
    if c2 >= 0.0 {
        return Ok(CommonTa {
            common_s: (tau0 + c0).max(0.0),
            drift_s_per_s: c1,
            variant_s_per_s2: c2,
        });
    }
    // Straight line.
    let d2 = sx[0] * sx[2] - sx[1] * sx[1];
    c0 = (sy[0] * sx[2] - sy[1] * sx[1]) / d2;
    c1 = (sx[0] * sy[1] - sx[1] * sy[0]) / d2;
    Ok(CommonTa {
        common_s: (tau0 + c0).max(0.0),
        drift_s_per_s: c1,
        variant_s_per_s2: 0.0,
    })
}

/// Occupied bandwidth of a format, Hz (what its measured SNR refers to).
fn bandwidth_hz(f: &LinkFormat) -> f64 {
    f64::from(f.subcarriers.max(1)) * f64::from(f.subcarrier_spacing_hz.max(1))
}

impl AirNode for CellStack {
    fn handle_reception(&mut self, now: Instant, rx: AirReception) {
        match &rx.payload {
            AirPayload::Preamble { rapid, ce_level } => {
                let (rapid, ce_level) = (*rapid, *ce_level);
                self.on_preamble(now, &rx, rapid, ce_level);
            }
            AirPayload::Ulsch { rnti, tb } => {
                let (rnti, tb) = (*rnti, tb.clone());
                self.on_ulsch(now, &rx, rnti, &tb);
            }
            _ => {}
        }
        self.serve_ues(now);
    }

    fn handle_timeout(&mut self, now: Instant) {
        if self.handle_timeout_inner(now).is_err() {
            self.stats.encode_errors += 1;
        }
    }

    fn poll_transmission(&mut self) -> Option<AirTransmission> {
        self.tx.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        let mut t = self
            .rrc
            .poll_timeout()
            .unwrap_or(Instant::ZERO + Duration::from_secs(1 << 30));
        if let Some(m) = self.mme.poll_timeout() {
            t = t.min(m);
        }
        for ue in self.ues.values() {
            if ue.releasing.is_none() {
                t = t.min(ue.next_grant);
            }
            if let Some(r) = ue.releasing {
                t = t.min(r);
            }
            if ue.rlc.buffer_state().total() > 0 {
                t = t.min(self.dl_free.max(self.last_serve + SUBFRAME));
            }
            if let Some(r) = ue.rlc.poll_timeout() {
                t = t.min(r);
            }
            if ue.connected && ue.releasing.is_none() {
                t = t
                    .min(ue.last_activity + Duration::from_secs_f64(self.cfg.inactivity_release_s));
            }
        }
        Some(t)
    }
}
