//! The engine with two small test nodes: a beacon cell (one NPDSCH block every 100 ms) and an
//! echo UE (answers every decoded block at once on NPUSCH). What arrives must carry the true
//! light time and Doppler of the orbit, at the instant the last sample lands; nothing is heard
//! below the mask; the same seed gives the same trace, another seed another.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is the report

use ntn_orbit::{EarthOrientation, GroundSite, Satellite};
use ntn_sim::channel::propagation::{Direction, Payload};
use ntn_sim::engine::geometry::RadioParams;
use ntn_sim::engine::{Engine, EngineConfig, NodeRole, SatelliteSpec, SimNode};
use ntn_sim::link_abstraction::LinkAbstraction;
use ntn_stack::air::{AirNode, AirPayload, AirReception, AirTransmission, LinkFormat, NbChannel};
use ntn_types::{Duration, Hz, Instant};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

fn cbers() -> Satellite {
    // The bundled CBERS 2 of the default scenario.
    ntn_sim::e2e::satellites(&ntn_sim::e2e::E2eScenario::default())
        .unwrap()
        .remove(0)
}

const FMT_DL: LinkFormat = LinkFormat {
    channel: NbChannel::Npdsch,
    tbs_bits: 208,
    resource_units: 3,
    repetitions: 4,
    subcarriers: 12,
    subcarrier_spacing_hz: 15_000,
};

/// Sends one block every 100 ms from t = 0; logs what it hears.
struct Beacon {
    next: Instant,
    tx: VecDeque<AirTransmission>,
    heard: Rc<RefCell<Vec<(Instant, AirReception)>>>,
}

impl AirNode for Beacon {
    fn handle_reception(&mut self, now: Instant, rx: AirReception) {
        self.heard.borrow_mut().push((now, rx));
    }
    fn handle_timeout(&mut self, now: Instant) {
        while self.next <= now {
            self.tx.push_back(AirTransmission {
                start: self.next,
                duration: Duration::from_millis(12),
                payload: AirPayload::Dlsch {
                    rnti: 0xFFFF,
                    tb: (self.next.as_nanos() / 1_000_000).to_be_bytes().to_vec(),
                },
                format: FMT_DL,
                carrier_shift_hz: 0.0,
                tx_power_dbm: 56.55,
            });
            self.next += Duration::from_millis(100);
        }
    }
    fn poll_transmission(&mut self) -> Option<AirTransmission> {
        self.tx.pop_front()
    }
    fn poll_timeout(&self) -> Option<Instant> {
        Some(self.next)
    }
}
impl SimNode for Beacon {}

/// Echoes every decoded block at once, with a fixed carrier shift.
struct Echo {
    shift_hz: f64,
    tx: VecDeque<AirTransmission>,
    heard: Rc<RefCell<Vec<(Instant, AirReception)>>>,
}

impl AirNode for Echo {
    fn handle_reception(&mut self, now: Instant, rx: AirReception) {
        if rx.decoded
            && let AirPayload::Dlsch { tb, .. } = &rx.payload
        {
            self.tx.push_back(AirTransmission {
                start: now,
                duration: Duration::from_millis(8),
                payload: AirPayload::Ulsch {
                    rnti: 0x100,
                    tb: tb.clone(),
                },
                format: LinkFormat {
                    channel: NbChannel::NpuschF1,
                    tbs_bits: 64,
                    resource_units: 1,
                    repetitions: 1,
                    subcarriers: 1,
                    subcarrier_spacing_hz: 15_000,
                },
                carrier_shift_hz: self.shift_hz,
                tx_power_dbm: 23.0,
            });
        }
        self.heard.borrow_mut().push((now, rx));
    }
    fn handle_timeout(&mut self, _now: Instant) {}
    fn poll_transmission(&mut self) -> Option<AirTransmission> {
        self.tx.pop_front()
    }
    fn poll_timeout(&self) -> Option<Instant> {
        None
    }
}
impl SimNode for Echo {}

type Log = Rc<RefCell<Vec<(Instant, AirReception)>>>;

fn setup(origin: &str, seed: u64, shift_hz: f64) -> (Engine, Log, Log) {
    let cfg = EngineConfig {
        origin: origin.parse().unwrap(),
        eop: EarthOrientation::default(),
        f_dl: Hz(2185e6),
        f_ul: Hz(1995e6),
        radio: RadioParams::default(),
        seed,
        min_elevation_deg: 10.0,
        record_deliveries: true,
        phy: ntn_sim::engine::PhyLevel::Link,
    };
    let mut e = Engine::new(
        cfg,
        vec![SatelliteSpec {
            satellite: cbers(),
            payload: Payload::Regenerative,
        }],
        LinkAbstraction::bundled().unwrap(),
    )
    .unwrap();
    let cell_log: Log = Rc::default();
    let ue_log: Log = Rc::default();
    e.add_node(
        NodeRole::Cell { satellite: 0 },
        Box::new(Beacon {
            next: Instant::ZERO,
            tx: VecDeque::new(),
            heard: cell_log.clone(),
        }),
    )
    .unwrap();
    e.add_node(
        NodeRole::Ue {
            site: GroundSite::from_degrees(45.5017, -73.5673, 50.0),
        },
        Box::new(Echo {
            shift_hz,
            tx: VecDeque::new(),
            heard: ue_log.clone(),
        }),
    )
    .unwrap();
    (e, cell_log, ue_log)
}

#[test]
fn receptions_carry_the_true_delay_and_doppler() {
    // Rising (01:44 UTC, AOS at 10° was 01:42:23): large positive Doppler.
    let (mut e, cell_log, ue_log) = setup("2006-06-27T01:44:00Z", 3, -30_000.0);
    e.run_until(Instant::ZERO + Duration::from_secs(2)).unwrap();
    let ue = ue_log.borrow();
    assert!(ue.len() >= 19, "{} DL receptions", ue.len());
    for (now, rx) in ue.iter() {
        let AirPayload::Dlsch { tb, .. } = &rx.payload else {
            panic!("payload")
        };
        let ms = i64::from_be_bytes(tb[..8].try_into().unwrap());
        let start = Instant::from_nanos(ms * 1_000_000);
        let truth = e.truth(1, 0, Direction::Downlink, start).unwrap().unwrap();
        let arrival = (rx.measurement.arrival - start).as_secs_f64();
        // Estimation noise only (≤ 10 µs at any SNR; far less here).
        assert!(
            (arrival - truth.delay_s).abs() < 10e-6,
            "{arrival} vs {}",
            truth.delay_s
        );
        assert!(
            truth.delay_s > 2.6e-3 && truth.delay_s < 8e-3,
            "{}",
            truth.delay_s
        );
        // Handed over when the last sample has arrived.
        let expect = start + Duration::from_secs_f64(truth.delay_s) + Duration::from_millis(12);
        assert!(
            (*now - expect).as_nanos().abs() <= 1,
            "{now:?} vs {expect:?}"
        );
        assert!((rx.measurement.freq_offset_hz - truth.doppler_hz).abs() < 500.0);
        assert!(
            truth.doppler_hz > 10_000.0,
            "rising Doppler {}",
            truth.doppler_hz
        );
    }
    // The echo: UL Doppler of the true geometry plus the UE's own shift.
    let cell = cell_log.borrow();
    assert!(!cell.is_empty());
    let recs = e.deliveries();
    for (_, rx) in cell.iter() {
        let d = recs.iter().find(|d| {
            d.to == 0
                && (rx.measurement.freq_offset_hz - (d.doppler_hz + d.carrier_shift_hz)).abs()
                    < 500.0
        });
        assert!(d.is_some(), "no UL delivery matches {:?}", rx.measurement);
    }
    // UL and DL Doppler scale with the carriers (same range rate).
    let dl = recs.iter().find(|d| d.to == 1).unwrap();
    let ul = recs.iter().find(|d| d.to == 0).unwrap();
    let ratio = ul.doppler_hz / dl.doppler_hz;
    assert!((ratio - 1995.0 / 2185.0).abs() < 0.01, "{ratio}");
}

#[test]
fn nothing_is_heard_below_the_mask() {
    // An hour before the pass: CBERS 2 is below Montréal's horizon.
    let (mut e, cell_log, ue_log) = setup("2006-06-27T00:40:00Z", 1, 0.0);
    e.run_until(Instant::ZERO + Duration::from_secs(1)).unwrap();
    assert!(ue_log.borrow().is_empty());
    assert!(cell_log.borrow().is_empty());
    assert_eq!(e.delivered(), 0);
}

#[test]
fn same_seed_same_trace_other_seed_other_trace() {
    let run = |seed| {
        let (mut e, _, _) = setup("2006-06-27T01:47:00Z", seed, -41_000.0);
        e.run_until(Instant::ZERO + Duration::from_secs(3)).unwrap();
        (e.trace_hash(), e.delivered())
    };
    let a = run(11);
    assert_eq!(a, run(11));
    let b = run(12);
    assert_ne!(a.0, b.0);
    assert!(a.1 > 40);
}
