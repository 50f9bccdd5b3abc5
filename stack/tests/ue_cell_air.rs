//! A `UeStack` and a `CellStack` through a minimal carrier driven by the true orbit: every
//! transmission arrives after the true (transparent: service + feeder) propagation delay,
//! shifted by the true service-link Doppler, and decodes. LEO (CBERS 2 over Montréal, gateway
//! in Toronto) and GEO (a geostationary element set, UE and gateway at low elevation): cell
//! found, SIB31 read, RA, attach with AKA and NAS security, ≥ 20 uplink and downlink data
//! exchanges, all measured by the cell-side receiver within the NB-IoT timing and ±0.1 ppm
//! frequency bounds; without pre-compensation RA fails. Deterministic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_orbit::elements::{parse_tle, tle_checksum};
use ntn_orbit::frames::Geodetic;
use ntn_orbit::{EarthOrientation, GroundSite, LinkConfig, Satellite, TimeBase, UtcTime};
use ntn_stack::air::{AirNode, AirReception, AirTransmission, LinkDirection, RxMeasurement};
use ntn_stack::cell::{CellConfig, CellEvent, CellStack, Payload, SiteDeg};
use ntn_stack::link::TS_S;
use ntn_stack::ntn::{GnssFix, NtnConfig};
use ntn_stack::ue::{TrafficConfig, UeConfig, UeStack, UeStackEvent};
use ntn_types::{Duration, Hz, Instant};

/// UE transmit timing error bound used here: Te = 24·T_s (0.78 µs), the TS 36.133 §7.1.2
/// figure for the narrowest (1.4 MHz / NB-IoT) bandwidth class.
const TE_S: f64 = 24.0 * TS_S;

struct Carrier {
    sat: Satellite,
    tb: TimeBase,
    link: LinkConfig,
}

impl Carrier {
    /// Delivery instant and measurement of a transmission. The geometry is taken when the
    /// wave passes the satellite (after the first leg: feeder on the downlink, service link
    /// on the uplink), a light-time correction good to far below a nanosecond here.
    fn carry(&self, tx: &AirTransmission) -> (Instant, AirReception) {
        let downlink = tx.format.channel.direction() == LinkDirection::Downlink;
        let mut t_sat = tx.start;
        let mut s = self.link.snapshot(&self.sat, self.tb.utc(t_sat)).unwrap();
        for _ in 0..2 {
            let total_s = s
                .rtt_transparent
                .map_or(s.one_way_delay.s(), |r| r.s() / 2.0);
            let service_s = s.one_way_delay.s();
            let first_leg_s = if downlink {
                total_s - service_s
            } else {
                service_s
            };
            t_sat = tx.start + Duration::from_secs_f64(first_leg_s);
            s = self.link.snapshot(&self.sat, self.tb.utc(t_sat)).unwrap();
        }
        let one_way_s = s
            .rtt_transparent
            .map_or(s.one_way_delay.s(), |r| r.s() / 2.0);
        let doppler = if downlink {
            s.doppler_dl.hz()
        } else {
            s.doppler_ul.hz()
        };
        let arrival = tx.start + Duration::from_secs_f64(one_way_s);
        let rx = AirReception {
            payload: tx.payload.clone(),
            format: tx.format,
            decoded: true,
            measurement: RxMeasurement {
                arrival,
                snr_db: 10.0,
                freq_offset_hz: tx.carrier_shift_hz + doppler,
            },
        };
        (arrival + tx.duration, rx)
    }
}

struct Run {
    air: Vec<String>,
    ue_events: Vec<(Instant, UeStackEvent)>,
    cell_events: Vec<(Instant, CellEvent)>,
    cell: CellStack,
    rtt_s: f64,
}

fn run(
    sat: Satellite,
    tb: TimeBase,
    ue_site: GroundSite,
    cell_cfg: CellConfig,
    ue_cfg: UeConfig,
    secs: i64,
) -> Run {
    let link = LinkConfig {
        ue: ue_site,
        gateway: match cell_cfg.payload {
            Payload::Transparent { gateway } => Some(gateway.site()),
            _ => None,
        },
        f_dl: Hz(cell_cfg.f_dl_hz),
        f_ul: Hz(cell_cfg.f_ul_hz),
        eop: EarthOrientation::default(),
    };
    let s0 = link.snapshot(&sat, tb.utc(Instant::ZERO)).unwrap();
    let rtt_s = s0.rtt_transparent.unwrap_or(s0.rtt_regenerative).s();
    let carrier = Carrier {
        sat: sat.clone(),
        tb,
        link,
    };
    let mut cell = CellStack::new(cell_cfg, sat, tb).unwrap();
    let mut ue = UeStack::new(ue_cfg, tb);
    ue.handle_gnss_fix(Instant::ZERO, GnssFix { site: ue_site });
    // (deliver at, sequence, to the UE, reception)
    let mut queue: Vec<(Instant, u64, bool, AirReception)> = Vec::new();
    let mut seq = 0u64;
    let mut air = Vec::new();
    let mut now = Instant::ZERO;
    let end = Instant::ZERO + Duration::from_secs(secs);
    let (mut ue_events, mut cell_events) = (Vec::new(), Vec::new());
    while now <= end {
        while let Some(tx) = cell.poll_transmission() {
            air.push(format!("{tx:?}"));
            let (at, rx) = carrier.carry(&tx);
            queue.push((at, seq, true, rx));
            seq += 1;
        }
        while let Some(tx) = ue.poll_transmission() {
            air.push(format!("{tx:?}"));
            let (at, rx) = carrier.carry(&tx);
            queue.push((at, seq, false, rx));
            seq += 1;
        }
        while let Some(e) = ue.poll_event() {
            ue_events.push((now, e));
        }
        while let Some(e) = cell.poll_event() {
            cell_events.push((now, e));
        }
        let next = [
            queue.iter().map(|q| q.0).min(),
            ue.poll_timeout(),
            cell.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min();
        let Some(next) = next else { break };
        now = next.max(now);
        queue.sort_by_key(|q| (q.0, q.1));
        let due: Vec<_> = queue.iter().take_while(|q| q.0 <= now).cloned().collect();
        queue.drain(..due.len());
        for (_, _, to_ue, rx) in due {
            if to_ue {
                ue.handle_reception(now, rx);
            } else {
                cell.handle_reception(now, rx);
            }
        }
        if ue.poll_timeout().is_some_and(|t| t <= now) {
            ue.handle_timeout(now);
        }
        if cell.poll_timeout().is_some_and(|t| t <= now) {
            cell.handle_timeout(now);
        }
    }
    Run {
        air,
        ue_events,
        cell_events,
        cell,
        rtt_s,
    }
}

fn leo() -> (Satellite, TimeBase, GroundSite, SiteDeg) {
    let sat = Satellite::new(
        parse_tle(
            Some("CBERS 2"),
            "1 28057U 03049A   06177.78615833  .00000060  00000-0  35940-4 0  1836",
            "2 28057  98.4283 247.6961 0000884  88.1964 271.9322 14.35478080140550",
            None,
        )
        .unwrap(),
    )
    .unwrap();
    let origin: UtcTime = "2006-06-27T01:45:20Z".parse().unwrap();
    let ue = GroundSite::from_degrees(45.5017, -73.5673, 50.0);
    let gw = SiteDeg {
        lat_deg: 43.65,
        lon_deg: -79.38,
        alt_m: 80.0,
    };
    (sat, TimeBase::new(origin), ue, gw)
}

/// A geostationary element set (synthetic, for the test) with UE and gateway placed on
/// either side of its sub-satellite point at low elevation.
fn geo() -> (Satellite, TimeBase, GroundSite, SiteDeg) {
    let mut l1 = "1 99999U 06001A   06177.50000000  .00000000  00000-0  00000-0 0   99".to_string();
    let mut l2 = format!(
        "2 99999 {:8.4} {:8.4} 0002000 {:8.4} {:8.4} {:11.8}{:5}",
        0.05, 75.0, 270.0, 90.0, 1.002_737_91, 10
    );
    l1 += &tle_checksum(&l1).to_string();
    l2 += &tle_checksum(&l2).to_string();
    let sat = Satellite::new(parse_tle(Some("GEO TEST"), &l1, &l2, None).unwrap()).unwrap();
    let origin: UtcTime = "2006-06-26T12:00:00Z".parse().unwrap();
    let tb = TimeBase::new(origin);
    let s = sat
        .state_ecef(origin, &EarthOrientation::default())
        .unwrap();
    let sub = Geodetic::from_ecef(&s.position);
    let ue = GroundSite::from_degrees(sub.lat_deg() + 67.0, sub.lon_deg(), 10.0);
    let gw = SiteDeg {
        lat_deg: sub.lat_deg() - 67.0,
        lon_deg: sub.lon_deg(),
        alt_m: 10.0,
    };
    (sat, tb, ue, gw)
}

fn configs(
    gw: SiteDeg,
    k_offset_ms: u16,
    precompensate: bool,
    exchanges: u32,
) -> (CellConfig, UeConfig) {
    let cell = CellConfig {
        payload: Payload::Transparent { gateway: gw },
        k_offset_ms,
        ..CellConfig::default()
    };
    let ue = UeConfig {
        ntn: NtnConfig {
            precompensate,
            ..NtnConfig::default()
        },
        traffic: TrafficConfig {
            exchanges,
            interval_s: 1.0,
            bytes: 32,
        },
        seed: 7,
        ..UeConfig::default()
    };
    (cell, ue)
}

fn has(events: &[(Instant, UeStackEvent)], f: impl Fn(&UeStackEvent) -> bool) -> bool {
    events.iter().any(|(_, e)| f(e))
}

fn check_connected_run(r: &Run, f_ul_hz: f64) {
    let ev = &r.ue_events;
    for (name, want) in [
        (
            "CellFound",
            has(ev, |e| matches!(e, UeStackEvent::CellFound)),
        ),
        (
            "MibDecoded",
            has(ev, |e| matches!(e, UeStackEvent::MibDecoded { .. })),
        ),
        (
            "Sib1Decoded",
            has(ev, |e| matches!(e, UeStackEvent::Sib1Decoded { .. })),
        ),
        (
            "Sib31Decoded",
            has(ev, |e| matches!(e, UeStackEvent::Sib31Decoded { .. })),
        ),
        (
            "RaSucceeded",
            has(ev, |e| matches!(e, UeStackEvent::RaSucceeded { .. })),
        ),
        (
            "Connected",
            has(ev, |e| matches!(e, UeStackEvent::Connected)),
        ),
        (
            "Authenticated",
            has(ev, |e| matches!(e, UeStackEvent::Authenticated)),
        ),
        (
            "SecurityActivated",
            has(ev, |e| matches!(e, UeStackEvent::SecurityActivated)),
        ),
        ("Attached", has(ev, |e| matches!(e, UeStackEvent::Attached))),
    ] {
        assert!(want, "no {name}: {:#?}", &ev[..ev.len().min(40)]);
    }
    let dl = ev
        .iter()
        .filter(|(_, e)| matches!(e, UeStackEvent::DataExchanged { .. }))
        .count();
    let ul = r
        .cell_events
        .iter()
        .filter(|(_, e)| matches!(e, CellEvent::UplinkData { .. }))
        .count();
    assert!(ul >= 20 && dl >= 20, "uplink {ul}, downlink {dl} exchanges");
    // Every uplink reception, as the cell's receiver measured it.
    let meas: Vec<_> = r
        .cell_events
        .iter()
        .filter_map(|(_, e)| match e {
            CellEvent::UplinkMeasured(m) => Some(*m),
            _ => None,
        })
        .collect();
    assert!(meas.len() > 40, "{} uplink receptions", meas.len());
    let f_max = 0.1e-6 * f_ul_hz;
    if std::env::var("NTN_TRACE").is_ok() {
        for (t, e) in &r.cell_events {
            if let CellEvent::UplinkMeasured(m) = e {
                println!(
                    "{:.3} {:?} {:.1} ns {:.2} Hz",
                    t.as_secs_f64(),
                    m.channel,
                    m.timing_error_s * 1e9,
                    m.freq_offset_hz
                );
            }
        }
    }
    for m in &meas {
        assert!(m.accepted, "rejected: {m:?}");
        assert!(m.timing_error_s.abs() <= TE_S, "timing {m:?}");
        assert!(m.freq_offset_hz.abs() <= f_max, "frequency {m:?}");
    }
    let s = r.cell.stats();
    println!(
        "RTT {:.1} ms: {} UL receptions, max |timing error| {:.1} ns (Te {:.0} ns), max |freq| {:.2} Hz (0.1 ppm {:.1} Hz), {ul} UL / {dl} DL data",
        r.rtt_s * 1e3,
        meas.len(),
        s.max_abs_timing_error_s * 1e9,
        TE_S * 1e9,
        s.max_abs_freq_offset_hz,
        f_max
    );
}

#[test]
fn leo_attach_and_data_measured_by_the_cell() {
    let (sat, tb, ue, gw) = leo();
    let (cell_cfg, ue_cfg) = configs(gw, 40, true, 25);
    let f_ul = cell_cfg.f_ul_hz;
    let r = run(sat, tb, ue, cell_cfg, ue_cfg, 45);
    assert!(r.rtt_s > 0.015 && r.rtt_s < 0.04, "LEO RTT {}", r.rtt_s);
    check_connected_run(&r, f_ul);
    // The 30 s validity was renewed by re-reading SIB31 before it ran out.
    let reads = r
        .ue_events
        .iter()
        .filter(|(_, e)| matches!(e, UeStackEvent::Sib31Decoded { .. }))
        .count();
    assert!(reads >= 2, "SIB31 read {reads} times");
    assert!(!has(&r.ue_events, |e| matches!(
        e,
        UeStackEvent::UlSyncLost
    )));
}

#[test]
fn geo_attach_with_the_541_ms_round_trip() {
    let (sat, tb, ue, gw) = geo();
    let (cell_cfg, ue_cfg) = configs(gw, 560, true, 22);
    let f_ul = cell_cfg.f_ul_hz;
    let r = run(sat, tb, ue, cell_cfg, ue_cfg, 50);
    assert!(r.rtt_s > 0.53 && r.rtt_s < 0.56, "GEO RTT {}", r.rtt_s);
    check_connected_run(&r, f_ul);
}

#[test]
fn without_precompensation_random_access_fails() {
    let (sat, tb, ue, gw) = leo();
    let (cell_cfg, ue_cfg) = configs(gw, 40, false, 25);
    let r = run(sat, tb, ue, cell_cfg, ue_cfg, 20);
    assert!(has(&r.ue_events, |e| matches!(
        e,
        UeStackEvent::RaFailed { .. }
    )));
    assert!(!has(&r.ue_events, |e| matches!(
        e,
        UeStackEvent::RaSucceeded { .. }
    )));
    let s = r.cell.stats();
    assert!(s.preambles_received >= 10, "{s:?}");
    assert_eq!(s.preambles_detected, 0, "{s:?}");
    // The preambles arrived about a round trip late and far off frequency.
    let worst = r
        .cell_events
        .iter()
        .filter_map(|(_, e)| match e {
            CellEvent::UplinkMeasured(m) => Some(m.freq_offset_hz.abs()),
            _ => None,
        })
        .fold(0.0, f64::max);
    assert!(worst > 1_000.0, "{worst}");
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let trace = |seed| {
        let (sat, tb, ue, gw) = leo();
        let (cell_cfg, mut ue_cfg) = configs(gw, 40, true, 3);
        ue_cfg.seed = seed;
        let r = run(sat, tb, ue, cell_cfg, ue_cfg, 8);
        format!("{:?}{:?}{:?}", r.air, r.ue_events, r.cell_events)
    };
    assert_eq!(trace(7), trace(7));
    assert_ne!(trace(7), trace(8));
}
