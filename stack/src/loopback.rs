//! A minimal carrier between one [`UeStack`] and one [`CellStack`], for the stack's own tests
//! and benches (the simulator's engine in `ntn-sim` is the real one: link budget, BLER curves,
//! many nodes, reports).
//!
//! Every transmission arrives after the true propagation delay (service link, plus the
//! feeder link of a transparent payload) and is shifted by the true service-link Doppler, both
//! taken when the wave passes the satellite (a light-time correction good to far below a
//! nanosecond here). It decodes unless an [`Impairments`] draw loses it. Virtual time jumps to
//! the earliest delivery or deadline; the order of deliveries is (instant, sequence).

use crate::air::{AirNode, AirReception, AirTransmission, LinkDirection, RxMeasurement};
use crate::cell::{CellConfig, CellError, CellEvent, CellStack, Payload};
use crate::ntn::GnssFix;
use crate::ue::{UeConfig, UeStack, UeStackEvent};
use ntn_orbit::{
    EarthOrientation, GroundSite, LinkConfig, LinkSnapshot, PropagationError, Satellite, TimeBase,
};
use ntn_types::{Duration, Hz, Instant};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// What the carrier does besides propagation.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Impairments {
    /// Nothing gets through from this instant on (the satellite has set).
    pub outage_from: Option<Instant>,
    /// Probability that a transmission fails to decode.
    pub loss: f64,
    /// Seed of the loss draws.
    pub seed: u64,
    /// Error of the UE's GNSS fix: latitude offset, degrees (truth stays at the UE's site).
    pub gnss_error_lat_deg: f64,
}

/// Why a loopback run stopped.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LoopbackError {
    /// The cell could not be built.
    #[error(transparent)]
    Cell(#[from] CellError),
    /// The orbit could not be evaluated.
    #[error(transparent)]
    Orbit(#[from] PropagationError),
}

/// The outcome of a run.
#[derive(Debug)]
pub struct LoopbackRun {
    /// UE events with the instant they were drained.
    pub ue_events: Vec<(Instant, UeStackEvent)>,
    /// Cell events with the instant they were drained.
    pub cell_events: Vec<(Instant, CellEvent)>,
    /// The cell at the end (its stats hold the measured residuals).
    pub cell: CellStack,
    /// The UE at the end.
    pub ue: UeStack,
    /// Round trip UE–eNB at the start, s.
    pub rtt_s: f64,
    /// FNV-1a hash over every transmission (its debug form), in order.
    pub trace_hash: u64,
    /// Transmissions put on the air.
    pub transmissions: u64,
}

struct Carrier {
    sat: Satellite,
    tb: TimeBase,
    link: LinkConfig,
    imp: Impairments,
    rng: u64,
}

impl Carrier {
    fn draw(&mut self) -> f64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng >> 11) as f64 / (1u64 << 53) as f64
    }

    fn one_way_s(s: &LinkSnapshot) -> f64 {
        s.rtt_transparent
            .map_or(s.one_way_delay.s(), |r| r.s() / 2.0)
    }

    /// Delivery instant (end of the transmission at the receiver) and reception.
    fn carry(&mut self, tx: &AirTransmission) -> Result<(Instant, AirReception), LoopbackError> {
        let downlink = tx.format.channel.direction() == LinkDirection::Downlink;
        let mut s = self.link.snapshot(&self.sat, self.tb.utc(tx.start))?;
        for _ in 0..2 {
            let service_s = s.one_way_delay.s();
            let first_leg_s = if downlink {
                Self::one_way_s(&s) - service_s
            } else {
                service_s
            };
            let t_sat = tx.start + Duration::from_secs_f64(first_leg_s);
            s = self.link.snapshot(&self.sat, self.tb.utc(t_sat))?;
        }
        let doppler = if downlink {
            s.doppler_dl.hz()
        } else {
            s.doppler_ul.hz()
        };
        let arrival = tx.start + Duration::from_secs_f64(Self::one_way_s(&s));
        let decoded = self.draw() >= self.imp.loss;
        let rx = AirReception {
            payload: tx.payload.clone(),
            format: tx.format,
            decoded,
            measurement: RxMeasurement {
                arrival,
                timing_measured: true,
                snr_measured: true,
                snr_db: 10.0,
                freq_offset_hz: tx.carrier_shift_hz + doppler,
            },
        };
        Ok((arrival + tx.duration, rx))
    }
}

fn fnv(hash: &mut u64, bytes: &[u8]) {
    for b in bytes {
        *hash ^= u64::from(*b);
        *hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
}

/// Runs a cell for `sat` and a UE at `ue_site` (one GNSS fix at the start, with the error of
/// `imp`) for `secs` of virtual time.
pub fn run(
    sat: Satellite,
    tb: TimeBase,
    ue_site: GroundSite,
    imp: Impairments,
    cell_cfg: CellConfig,
    ue_cfg: UeConfig,
    secs: i64,
) -> Result<LoopbackRun, LoopbackError> {
    let link = LinkConfig {
        ue: ue_site,
        gateway: match cell_cfg.payload {
            Payload::Transparent { gateway } => Some(gateway.site()),
            Payload::Regenerative => None,
        },
        f_dl: Hz(cell_cfg.f_dl_hz),
        f_ul: Hz(cell_cfg.f_ul_hz),
        eop: EarthOrientation::default(),
    };
    let s0 = link.snapshot(&sat, tb.utc(Instant::ZERO))?;
    let rtt_s = s0.rtt_transparent.unwrap_or(s0.rtt_regenerative).s();
    let mut carrier = Carrier {
        sat: sat.clone(),
        tb,
        link,
        imp,
        rng: imp.seed | 1,
    };
    let mut cell = CellStack::new(cell_cfg, sat, tb)?;
    let mut ue = UeStack::new(ue_cfg, tb);
    let g = ue_site.geodetic();
    let fix = GroundSite::from_degrees(
        g.lat_deg() + imp.gnss_error_lat_deg,
        g.lon_deg(),
        g.height.m(),
    );
    ue.handle_gnss_fix(Instant::ZERO, GnssFix { site: fix });
    // (deliver at, sequence) → (to the UE, reception)
    let mut queue: BinaryHeap<Reverse<(Instant, u64)>> = BinaryHeap::new();
    let mut pending: std::collections::BTreeMap<u64, (bool, AirReception)> = Default::default();
    let mut seq = 0u64;
    let mut trace_hash = 0xcbf2_9ce4_8422_2325u64;
    let mut now = Instant::ZERO;
    let end = Instant::ZERO + Duration::from_secs(secs);
    let (mut ue_events, mut cell_events) = (Vec::new(), Vec::new());
    while now <= end {
        loop {
            let (tx, to_ue) = match cell.poll_transmission() {
                Some(tx) => (tx, true),
                None => match ue.poll_transmission() {
                    Some(tx) => (tx, false),
                    None => break,
                },
            };
            fnv(&mut trace_hash, format!("{tx:?}").as_bytes());
            if imp.outage_from.is_some_and(|t| tx.start >= t) {
                continue;
            }
            let (at, rx) = carrier.carry(&tx)?;
            queue.push(Reverse((at, seq)));
            pending.insert(seq, (to_ue, rx));
            seq += 1;
        }
        while let Some(e) = ue.poll_event() {
            ue_events.push((now, e));
        }
        while let Some(e) = cell.poll_event() {
            cell_events.push((now, e));
        }
        let next = [
            queue.peek().map(|r| r.0.0),
            ue.poll_timeout(),
            cell.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min();
        let Some(next) = next else { break };
        now = next.max(now);
        while let Some(Reverse((at, k))) = queue.peek().copied() {
            if at > now {
                break;
            }
            queue.pop();
            if let Some((to_ue, rx)) = pending.remove(&k) {
                if to_ue {
                    ue.handle_reception(now, rx);
                } else {
                    cell.handle_reception(now, rx);
                }
            }
        }
        if ue.poll_timeout().is_some_and(|t| t <= now) {
            ue.handle_timeout(now);
        }
        if cell.poll_timeout().is_some_and(|t| t <= now) {
            cell.handle_timeout(now);
        }
    }
    Ok(LoopbackRun {
        ue_events,
        cell_events,
        cell,
        ue,
        rtt_s,
        trace_hash,
        transmissions: seq,
    })
}
