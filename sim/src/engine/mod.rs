//! The discrete-event engine: UE and cell stacks ([`AirNode`]s) on virtual time, their
//! transmissions carried by the true orbit.
//!
//! One step: jump to the earliest of every node's `poll_timeout()` and every pending
//! delivery; hand over the deliveries due (in (instant, sequence) order), then the timeouts
//! due (in node order); then drain each node's transmissions and events, in node order. A
//! transmission emitted at `start` (UTC from the run's [`TimeBase`]) reaches each receiver on
//! the other side (a cell's downlink every UE, a UE's uplink every cell) after the **true**
//! light time at its start ([`LinkGeometry`]: service link, plus the feeder link of a
//! transparent payload), shifted by the true Doppler plus the transmitter's
//! `carrier_shift_hz`, at the SNR of the link budget along that geometry; the
//! [`LinkAbstraction`] draws whether it decodes and the receiver's estimation errors from
//! the **receiver's** RNG stream. A receiver below the elevation mask hears nothing.
//!
//! Determinism: nodes live in a `Vec` (fixed order), deliveries in a heap keyed by
//! (instant, sequence number), every node has its own ChaCha8 stream (seed, stream = node
//! index), and every delivery is folded into a 64-bit FNV-1a trace hash over its JSON form.

pub mod geometry;
pub mod probe;
pub mod sample;
pub mod stacks;

use crate::channel::propagation::{Direction, Payload};
use crate::channel::tdl::{Tdl, TdlConfig, TdlError};
use crate::link_abstraction::LinkAbstraction;
use geometry::{LinkGeometry, LinkTruth, RadioParams, snr_db};
use ntn_orbit::{EarthOrientation, GroundSite, PropagationError, Satellite, TimeBase, UtcTime};
use ntn_stack::air::{
    AirNode, AirPayload, AirReception, AirTransmission, LinkDirection, RxMeasurement, RxTuning,
};
use ntn_types::{Duration, Hz, Instant};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sample::channel::LinkFading;
use sample::dl::DlSampleRx;
use sample::ul::UlSampleRx;
use sample::{CellPhy, Residual, SampleError, SampleOutcome};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The channel enum of the air interface, re-exported for the CLI.
pub use ntn_stack::air::NbChannel;

/// What a node reports for the timeline and the report (beyond the air interface).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SimEvent {
    /// The UE synchronised to a cell and decoded its MIB-NB.
    CellFound {
        /// Cell (engine node index).
        cell: usize,
    },
    /// The UE read SIB31 (serving-satellite ephemeris and common TA).
    Sib31Read {
        /// Age of nothing yet: the ephemeris epoch's distance from now, s.
        epoch_age_s: f64,
    },
    /// A random-access attempt started (preamble sent).
    RaStarted {
        /// Attempt number.
        attempt: u32,
    },
    /// Random access completed (contention resolved).
    RaCompleted,
    /// Random access gave up.
    RaFailed {
        /// Why.
        reason: String,
    },
    /// NAS authentication (AKA) succeeded.
    Authenticated,
    /// NAS security activated.
    SecurityActivated,
    /// Attach with authentication and NAS security complete.
    Attached,
    /// Attach rejected or abandoned.
    AttachFailed,
    /// RRC connection released.
    Released,
    /// The SIB31 validity ran out: uplink synchronisation lost.
    UlSyncLost,
    /// Connection set up (RA completed; the link-level probe has no NAS).
    Connected,
    /// One uplink/downlink data exchange completed at the UE.
    DataExchange {
        /// Bytes up.
        ul_bytes: u32,
        /// Bytes down.
        dl_bytes: u32,
        /// From the UL transmission to the DL answer's decode, s.
        latency_s: f64,
    },
    /// Radio link failure.
    RadioLinkFailure {
        /// Why.
        reason: String,
    },
    /// Cell-side measurement of an uplink transmission (the residuals the acceptance is on).
    UlMeasured {
        /// RNTI (0 for a preamble).
        rnti: u16,
        /// Channel.
        channel: NbChannel,
        /// Arrival minus the subframe boundary the cell scheduled, s (`None`: the receiver
        /// has no timing estimate for this format).
        timing_error_s: Option<f64>,
        /// Carrier offset the cell measured, Hz.
        freq_error_hz: f64,
        /// SNR, dB.
        snr_db: f64,
        /// Decoded.
        decoded: bool,
    },
}

/// A node the engine drives: an [`AirNode`] that may also report timeline events.
pub trait SimNode: AirNode {
    /// Next timeline event, if any (`now`: the engine's current time).
    fn poll_sim_event(&mut self, _now: Instant) -> Option<SimEvent> {
        None
    }
    /// A reception from engine node `from` (a terminal listens to one cell at a time: the
    /// default hands everything to [`AirNode::handle_reception`]).
    fn handle_reception_from(&mut self, now: Instant, _from: usize, rx: AirReception) {
        self.handle_reception(now, rx);
    }
    /// How this node's receiver stands towards a transmission from engine node `from` whose
    /// first sample reaches it around `around` (sample level only). `None`: the node has no
    /// receiver model, and its receptions stay on the link abstraction.
    fn rx_state(&self, _from: usize, _around: Instant) -> Option<RxState> {
        None
    }
}

/// A receiver's state towards one transmission, at sample level.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RxState {
    /// It tracks the transmitter: processes the window of its grid the transmission falls in,
    /// at its tuning.
    Tuned(RxTuning),
    /// It has no timing for this transmitter (a terminal searching for a cell): only a cold
    /// acquisition of a MIB-NB can succeed.
    Searching,
    /// It does not listen to this transmitter (a terminal camped on another cell).
    Deaf,
}

/// Which PHY carries the transmissions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PhyLevel {
    /// BLER curves of our PHY ([`LinkAbstraction`]).
    Link,
    /// Our PHY on IQ samples through the residual channel ([`sample`]).
    Sample,
}

/// Where a node sits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NodeRole {
    /// A cell on satellite `satellite` (index into the engine's satellites).
    Cell {
        /// Satellite index.
        satellite: usize,
    },
    /// A terminal at a (true) ground position.
    Ue {
        /// True position.
        site: GroundSite,
    },
}

/// One satellite and its payload.
#[derive(Clone, Debug)]
pub struct SatelliteSpec {
    /// True orbit.
    pub satellite: Satellite,
    /// Regenerative or transparent (with its gateway).
    pub payload: Payload,
}

/// Run-wide parameters.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// UTC of run time zero.
    pub origin: UtcTime,
    /// Earth orientation.
    pub eop: EarthOrientation,
    /// Downlink carrier.
    pub f_dl: Hz,
    /// Uplink carrier.
    pub f_ul: Hz,
    /// Antennas and losses.
    pub radio: RadioParams,
    /// Seed of every node's stream.
    pub seed: u64,
    /// Below this elevation (at the UE, and at the gateway) nothing is heard, degrees.
    pub min_elevation_deg: f64,
    /// Keep a record of every delivery (for plots).
    pub record_deliveries: bool,
    /// Link abstraction or sample-level PHY (for the nodes that model their receiver, see
    /// [`SimNode::rx_state`]).
    pub phy: PhyLevel,
}

/// Why the engine stopped.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// SGP4 failed.
    #[error("orbit: {0}")]
    Orbit(#[from] PropagationError),
    /// A node keeps asking for a timeout at an instant that has passed.
    #[error("node {node} asks for timeouts at {at_ns} ns without advancing")]
    Livelock {
        /// Node.
        node: usize,
        /// Instant.
        at_ns: i64,
    },
    /// A cell on a satellite that does not exist.
    #[error("no satellite {0}")]
    NoSatellite(usize),
    /// The sample-level PHY could not put a transmission through.
    #[error("sample level: {0}")]
    Sample(#[from] SampleError),
    /// Gas absorption is not available at a carrier (outside ITU-R P.676's range).
    #[error("gas absorption: {0}")]
    Gas(#[from] crate::channel::large_scale::GasError),
}

/// One delivery, kept for the report's curves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliveryRecord {
    /// Run time of the transmission start, s.
    pub t_s: f64,
    /// Transmitter node.
    pub from: usize,
    /// Receiver node.
    pub to: usize,
    /// Channel.
    pub channel: NbChannel,
    /// Decoded.
    pub decoded: bool,
    /// SNR over the occupied bandwidth, dB.
    pub snr_db: f64,
    /// Error rate the draw used.
    pub error_rate: f64,
    /// True delay, s.
    pub delay_s: f64,
    /// True Doppler, Hz.
    pub doppler_hz: f64,
    /// The transmitter's carrier shift, Hz.
    pub carrier_shift_hz: f64,
    /// Elevation, degrees.
    pub elevation_deg: f64,
}

/// A timeline event with its virtual time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimedEvent {
    /// Run time, s.
    pub t_s: f64,
    /// Node that reported it.
    pub node: usize,
    /// What.
    pub event: SimEvent,
}

struct Slot {
    node: Box<dyn SimNode>,
    role: NodeRole,
    rng: ChaCha8Rng,
}

#[derive(Debug)]
struct Pending {
    at: Instant,
    seq: u64,
    from: usize,
    to: usize,
    rx: AirReception,
}

impl PartialEq for Pending {
    fn eq(&self, o: &Self) -> bool {
        (self.at, self.seq) == (o.at, o.seq)
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Pending {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(o.at, o.seq))
    }
}

/// FNV-1a, 64 bit.
#[derive(Clone, Copy, Debug)]
pub struct Fnv64(u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv64 {
    /// Fold bytes in.
    pub fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    /// The hash.
    pub fn finish(&self) -> u64 {
        self.0
    }
}

/// The engine.
pub struct Engine {
    cfg: EngineConfig,
    time_base: TimeBase,
    satellites: Vec<SatelliteSpec>,
    slots: Vec<Slot>,
    /// geometry[(ue, cell)] in insertion order of pairs.
    links: Vec<(usize, usize, LinkGeometry)>,
    pending: BinaryHeap<Reverse<Pending>>,
    seq: u64,
    now: Instant,
    hash: Fnv64,
    la: LinkAbstraction,
    gas_dl_db: f64,
    gas_ul_db: f64,
    deliveries: Vec<DeliveryRecord>,
    events: Vec<TimedEvent>,
    delivered: u64,
    /// Sample-level receivers per cell node: (cell, its uplink receiver, the downlink
    /// receiver of the terminals listening to it).
    sample_rx: Vec<(usize, UlSampleRx, DlSampleRx)>,
    /// Small-scale fading at sample level: the template of every link's realisation
    /// (`None`: AWGN), and per link its downlink and uplink realisations (made on first use).
    fading: Option<TdlConfig>,
    link_fading: Vec<[Option<Tdl>; 2]>,
    stats: EngineStats,
}

/// What the engine carried, by path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EngineStats {
    /// Receptions drawn from the link abstraction.
    pub link_level: u64,
    /// Receptions run through the sample-level PHY (cold acquisitions included).
    pub sample_level: u64,
    /// Of those, cold acquisitions.
    pub acquisitions: u64,
    /// Air time of the transmissions put through the sample-level path, s (a cold
    /// acquisition counts its 80 ms buffer; a receiver may stop early, e.g. a MIB-NB that
    /// decodes in its first 80 ms block).
    pub air_time_s: f64,
}

impl Engine {
    /// An engine with no nodes yet.
    pub fn new(
        cfg: EngineConfig,
        satellites: Vec<SatelliteSpec>,
        la: LinkAbstraction,
    ) -> Result<Self, EngineError> {
        let gas_dl_db = crate::link_budget::LinkBudgetConfig::p676_zenith_db(cfg.f_dl)?;
        let gas_ul_db = crate::link_budget::LinkBudgetConfig::p676_zenith_db(cfg.f_ul)?;
        Ok(Engine {
            time_base: TimeBase::new(cfg.origin),
            cfg,
            satellites,
            slots: Vec::new(),
            links: Vec::new(),
            pending: BinaryHeap::new(),
            seq: 0,
            now: Instant::ZERO,
            hash: Fnv64::default(),
            la,
            gas_dl_db,
            gas_ul_db,
            deliveries: Vec::new(),
            events: Vec::new(),
            delivered: 0,
            sample_rx: Vec::new(),
            fading: None,
            link_fading: Vec::new(),
            stats: EngineStats::default(),
        })
    }

    /// Small-scale fading of every link at sample level (`None`: AWGN only): each link and
    /// direction gets its own realisation of `template` (its seed drawn from the run's seed,
    /// the link and the direction), continuous over the run. The link level draws from the
    /// curves of its [`LinkAbstraction`], which should be the same channel model's.
    ///
    /// # Errors
    /// `template` cannot be realised at the sample-level rate.
    pub fn set_fading(&mut self, template: Option<TdlConfig>) -> Result<(), TdlError> {
        if let Some(t) = template {
            Tdl::new(TdlConfig {
                sample_rate: Hz(sample::SAMPLE_RATE_HZ),
                ..t
            })?;
        }
        self.fading = template;
        self.link_fading.clear();
        Ok(())
    }

    /// The fading realisation of link `li` in one direction, taken out of the engine for a
    /// reception (`None` without fading); give it back with [`Self::put_fading`].
    fn take_fading(
        &mut self,
        li: usize,
        downlink: bool,
        window_start: Instant,
    ) -> Result<Option<LinkFading>, EngineError> {
        let Some(template) = self.fading else {
            return Ok(None);
        };
        if self.link_fading.len() <= li {
            self.link_fading.resize_with(li + 1, || [None, None]);
        }
        let d = usize::from(!downlink);
        let tdl = match self.link_fading[li][d].take() {
            Some(t) => t,
            None => {
                let mut rng = ChaCha8Rng::seed_from_u64(self.cfg.seed);
                rng.set_stream((1 << 32) + 2 * li as u64 + d as u64);
                let cfg = TdlConfig {
                    sample_rate: Hz(sample::SAMPLE_RATE_HZ),
                    seed: rand::RngCore::next_u64(&mut rng),
                    ..template
                };
                Tdl::new(cfg).map_err(|e| {
                    EngineError::Sample(SampleError::Unsupported(format!("fading: {e}")))
                })?
            }
        };
        let window_sample =
            (window_start.as_nanos().max(0) as f64 * sample::SAMPLE_RATE_HZ / 1e9).round() as u64;
        Ok(Some(LinkFading { tdl, window_sample }))
    }

    fn put_fading(&mut self, li: usize, downlink: bool, fading: Option<LinkFading>) {
        if let (Some(f), Some(slot)) = (fading, self.link_fading.get_mut(li)) {
            slot[usize::from(!downlink)] = Some(f.tdl);
        }
    }

    /// What went through which path so far.
    pub fn stats(&self) -> EngineStats {
        self.stats
    }

    /// The run's time base (run time ↔ UTC).
    pub fn time_base(&self) -> &TimeBase {
        &self.time_base
    }

    /// Add a node; returns its index.
    pub fn add_node(
        &mut self,
        role: NodeRole,
        node: Box<dyn SimNode>,
    ) -> Result<usize, EngineError> {
        let idx = self.slots.len();
        if let NodeRole::Cell { satellite } = role
            && satellite >= self.satellites.len()
        {
            return Err(EngineError::NoSatellite(satellite));
        }
        let mut rng = ChaCha8Rng::seed_from_u64(self.cfg.seed);
        rng.set_stream(idx as u64 + 1);
        // Pair the new node with every existing node of the other kind.
        for (j, other) in self.slots.iter().enumerate() {
            let pair = match (role, other.role) {
                (NodeRole::Ue { site }, NodeRole::Cell { satellite }) => {
                    Some((idx, j, site, satellite))
                }
                (NodeRole::Cell { satellite }, NodeRole::Ue { site }) => {
                    Some((j, idx, site, satellite))
                }
                _ => None,
            };
            if let Some((ue, cell, site, sat)) = pair {
                let s = &self.satellites[sat];
                self.links.push((
                    ue,
                    cell,
                    LinkGeometry::new(
                        s.satellite.clone(),
                        site,
                        s.payload,
                        self.cfg.f_dl,
                        self.cfg.f_ul,
                        self.cfg.origin,
                        self.cfg.eop,
                    ),
                ));
            }
        }
        self.slots.push(Slot { node, role, rng });
        if let NodeRole::Cell { .. } = role
            && self.cfg.phy == PhyLevel::Sample
        {
            // Physical cell identities: distinct per cell node.
            let phy = CellPhy {
                pci: (1 + 3 * idx as u16) % 504,
                ..CellPhy::default()
            };
            self.sample_rx
                .push((idx, UlSampleRx::new(phy), DlSampleRx::new(phy)));
        }
        Ok(idx)
    }

    /// Current virtual time.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// Hash of everything delivered so far.
    pub fn trace_hash(&self) -> u64 {
        self.hash.finish()
    }

    /// Deliveries so far (when recorded).
    pub fn deliveries(&self) -> &[DeliveryRecord] {
        &self.deliveries
    }

    /// Timeline events so far.
    pub fn events(&self) -> &[TimedEvent] {
        &self.events
    }

    /// Number of receptions handed to nodes.
    pub fn delivered(&self) -> u64 {
        self.delivered
    }

    /// The truth of the link `ue` ↔ `cell` for a transmission at run time `t`.
    pub fn truth(
        &self,
        ue: usize,
        cell: usize,
        dir: Direction,
        t: Instant,
    ) -> Option<Result<LinkTruth, PropagationError>> {
        self.links
            .iter()
            .find(|(u, c, _)| *u == ue && *c == cell)
            .map(|(_, _, g)| g.at_emission(dir, self.time_base.utc(t)))
    }

    fn earliest(&self) -> Option<Instant> {
        let mut t = self.pending.peek().map(|p| p.0.at);
        for s in &self.slots {
            if let Some(d) = s.node.poll_timeout() {
                t = Some(t.map_or(d, |x: Instant| x.min(d)));
            }
        }
        t
    }

    /// Run until virtual time `end` (inclusive of events at `end`).
    pub fn run_until(&mut self, end: Instant) -> Result<(), EngineError> {
        self.drain()?;
        let mut same_instant = 0u32;
        while let Some(t) = self.earliest() {
            if t > end {
                break;
            }
            if t <= self.now {
                same_instant += 1;
                if same_instant > 100_000 {
                    let node = self
                        .slots
                        .iter()
                        .position(|s| s.node.poll_timeout().is_some_and(|d| d <= self.now))
                        .unwrap_or(0);
                    return Err(EngineError::Livelock {
                        node,
                        at_ns: self.now.as_nanos(),
                    });
                }
            } else {
                same_instant = 0;
                self.now = t;
            }
            let now = self.now;
            while self.pending.peek().is_some_and(|p| p.0.at <= now) {
                let Some(Reverse(p)) = self.pending.pop() else {
                    break;
                };
                self.delivered += 1;
                self.slots[p.to]
                    .node
                    .handle_reception_from(now, p.from, p.rx);
            }
            for s in &mut self.slots {
                if s.node.poll_timeout().is_some_and(|d| d <= now) {
                    s.node.handle_timeout(now);
                }
            }
            self.drain()?;
        }
        if end > self.now {
            self.now = end;
        }
        Ok(())
    }

    /// Drain transmissions and events of every node, in node order.
    fn drain(&mut self) -> Result<(), EngineError> {
        for i in 0..self.slots.len() {
            while let Some(ev) = self.slots[i].node.poll_sim_event(self.now) {
                self.events.push(TimedEvent {
                    t_s: self.now.as_secs_f64(),
                    node: i,
                    event: ev,
                });
            }
            while let Some(tx) = self.slots[i].node.poll_transmission() {
                self.carry(i, tx)?;
            }
        }
        Ok(())
    }

    /// Put one transmission of node `from` on the air.
    fn carry(&mut self, from: usize, tx: AirTransmission) -> Result<(), EngineError> {
        let dir = match tx.format.channel.direction() {
            LinkDirection::Downlink => Direction::Downlink,
            LinkDirection::Uplink => Direction::Uplink,
        };
        let t_utc = self.time_base.utc(tx.start);
        let bandwidth_hz = LinkAbstraction::bandwidth_hz(&tx.format);
        let (carrier, gas) = match dir {
            Direction::Downlink => (self.cfg.f_dl, self.gas_dl_db),
            Direction::Uplink => (self.cfg.f_ul, self.gas_ul_db),
        };
        for li in 0..self.links.len() {
            let (ue, cell) = (self.links[li].0, self.links[li].1);
            let to = match dir {
                Direction::Downlink if cell == from => ue,
                Direction::Uplink if ue == from => cell,
                _ => continue,
            };
            let truth = self.links[li].2.at_emission(dir, t_utc)?;
            if truth.elevation_deg < self.cfg.min_elevation_deg
                || truth
                    .gateway_elevation_deg
                    .is_some_and(|g| g < self.cfg.min_elevation_deg)
            {
                continue;
            }
            let snr = snr_db(
                &self.cfg.radio,
                dir,
                carrier,
                bandwidth_hz,
                tx.tx_power_dbm,
                gas,
                &truth,
            );
            let freq = truth.doppler_hz + tx.carrier_shift_hz;
            let arrival_true = tx.start + Duration::from_secs_f64(truth.delay_s);
            let state = if self.cfg.phy == PhyLevel::Sample {
                self.slots[to].node.rx_state(from, arrival_true)
            } else {
                None
            };
            let (decoded, measurement, error_rate) = match state {
                None => {
                    self.stats.link_level += 1;
                    let out = self.la.draw(&tx.format, snr, freq, &mut self.slots[to].rng);
                    let m = RxMeasurement {
                        arrival: arrival_true + Duration::from_secs_f64(out.timing_error_s),
                        timing_measured: true,
                        snr_measured: true,
                        snr_db: snr,
                        freq_offset_hz: freq + out.freq_error_hz,
                    };
                    (out.decoded, m, out.error_rate)
                }
                Some(state) => {
                    let cell = match dir {
                        Direction::Downlink => from,
                        Direction::Uplink => to,
                    };
                    let end_utc = self.time_base.utc(tx.start + tx.duration);
                    let truth_end = self.links[li].2.at_emission(dir, end_utc)?;
                    let dur_s = tx.duration.as_secs_f64().max(1e-9);
                    let truth_rates = TruthRates {
                        delay_rate: (truth_end.delay_s - truth.delay_s) / dur_s,
                        freq_rate_hz_s: (truth_end.doppler_hz - truth.doppler_hz) / dur_s,
                    };
                    let (decoded, m) = self.sample_reception(
                        &tx,
                        (li, cell, to),
                        state,
                        (arrival_true, freq, snr),
                        truth_rates,
                    )?;
                    let rate = self.la.error_rate(&tx.format, snr, freq);
                    (decoded, m, rate)
                }
            };
            let rx = AirReception {
                payload: tx.payload.clone(),
                format: tx.format,
                decoded,
                measurement,
            };
            let at = (arrival_true + tx.duration).max(self.now);
            if let Ok(json) = serde_json::to_vec(&rx) {
                self.hash.update(&(to as u64).to_le_bytes());
                self.hash.update(&at.as_nanos().to_le_bytes());
                self.hash.update(&json);
            }
            if self.cfg.record_deliveries {
                self.deliveries.push(DeliveryRecord {
                    t_s: tx.start.as_secs_f64(),
                    from,
                    to,
                    channel: tx.format.channel,
                    decoded,
                    snr_db: snr,
                    error_rate,
                    delay_s: truth.delay_s,
                    doppler_hz: truth.doppler_hz,
                    carrier_shift_hz: tx.carrier_shift_hz,
                    elevation_deg: truth.elevation_deg,
                });
            }
            self.seq += 1;
            self.pending.push(Reverse(Pending {
                at,
                seq: self.seq,
                from,
                to,
                rx,
            }));
        }
        Ok(())
    }

    /// One reception at sample level: the residual between the truth and the receiver's
    /// tuning, through our PHY. `truth` = (true arrival of the first sample, true carrier
    /// offset at the receiver, SNR over the occupied bandwidth); `(li, cell, to)` = the link,
    /// its cell node and the receiving node.
    fn sample_reception(
        &mut self,
        tx: &AirTransmission,
        (li, cell, to): (usize, usize, usize),
        state: RxState,
        truth: (Instant, f64, f64),
        rates: TruthRates,
    ) -> Result<(bool, RxMeasurement), EngineError> {
        let (arrival_true, freq, snr) = truth;
        // What arrived, for a reception the receiver did not decode: it measured nothing, and
        // the stacks use the measurement of decoded receptions only (the report's diagnosis
        // of failed ones — how far off the preambles arrived — is the truth, as at link
        // level).
        let missed = RxMeasurement {
            arrival: arrival_true,
            timing_measured: false,
            snr_measured: false,
            snr_db: snr,
            freq_offset_hz: freq,
        };
        let Some(k) = self.sample_rx.iter().position(|(c, _, _)| *c == cell) else {
            return Ok((false, missed));
        };
        let downlink = tx.format.channel.direction() == LinkDirection::Downlink;
        // Subframe numbering of both sides: the cell's grid (run time 0 = SFN 0 of H-SFN 0);
        // a downlink transmission starts on the cell's grid, an uplink one is received on it.
        let subframe_of = |t: Instant| (t.as_nanos().max(0) as f64 / 1e6).round() as u64;
        let (tuning, acquire) = match state {
            RxState::Deaf => return Ok((false, missed)),
            RxState::Tuned(t) => (t, false),
            RxState::Searching => {
                if !matches!(tx.payload, AirPayload::Mib { .. }) {
                    return Ok((false, missed));
                }
                // The searching terminal's buffer starts anywhere in the frame before the
                // TTI's first frame arrives.
                let u = rand::Rng::random_range(&mut self.slots[to].rng, 0.0..0.01);
                (
                    RxTuning {
                        window_start: arrival_true - Duration::from_secs_f64(u),
                        timing_rate: 0.0,
                        freq_hz: 0.0,
                        freq_rate_hz_s: 0.0,
                    },
                    true,
                )
            }
        };
        let residual = Residual {
            delay_s: (arrival_true - tuning.window_start).as_secs_f64(),
            delay_rate: rates.delay_rate - tuning.timing_rate,
            freq_hz: freq - tuning.freq_hz,
            freq_rate_hz_s: rates.freq_rate_hz_s - tuning.freq_rate_hz_s,
            snr_db: snr,
        };
        let first_subframe = if downlink {
            subframe_of(tx.start)
        } else {
            subframe_of(tuning.window_start)
        };
        let fading = self.take_fading(li, downlink, tuning.window_start)?;
        let rng = &mut self.slots[to].rng;
        let (_, ul, dl) = &mut self.sample_rx[k];
        let (out, fading) = if downlink {
            dl.set_fading(fading);
            let out = if acquire {
                dl.acquire(&tx.payload, &tx.format, first_subframe, &residual, rng)
            } else {
                dl.receive(&tx.payload, &tx.format, first_subframe, &residual, rng)
            };
            (out, dl.set_fading(None))
        } else {
            ul.set_fading(fading);
            let out = ul.receive(&tx.payload, &tx.format, first_subframe, &residual, rng);
            (out, ul.set_fading(None))
        };
        self.put_fading(li, downlink, fading);
        let out: SampleOutcome = out?;
        self.stats.sample_level += 1;
        self.stats.acquisitions += u64::from(acquire);
        self.stats.air_time_s += if acquire {
            0.08
        } else {
            tx.duration.as_secs_f64()
        };
        if !out.decoded {
            return Ok((false, missed));
        }
        let m = RxMeasurement {
            arrival: tuning.window_start + Duration::from_secs_f64(out.delay_s.unwrap_or(0.0)),
            timing_measured: out.delay_s.is_some(),
            // The receivers estimate the SNR: the downlink one from the NRS of a long enough
            // reception, the uplink ones from the DMRS or the NPRACH metric. Where they do not
            // (a short downlink reception, the cold cell search) the channel's SNR is carried
            // for the report only, marked as not measured.
            snr_measured: out.snr_db.is_some(),
            snr_db: out.snr_db.unwrap_or(snr),
            freq_offset_hz: tuning.freq_hz + out.freq_hz.unwrap_or(0.0),
        };
        Ok((true, m))
    }
}

/// Rates of the true delay and Doppler over a transmission.
#[derive(Clone, Copy, Debug)]
struct TruthRates {
    delay_rate: f64,
    freq_rate_hz_s: f64,
}
