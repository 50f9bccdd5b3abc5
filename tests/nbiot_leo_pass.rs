//! The NB-IoT downlink of a satellite cell through the orbit-driven channel over a real LEO
//! pass (CBERS 2 over Montréal at 2185 MHz: up to ±44 kHz of raw Doppler drifting up to
//! −316 Hz/s, 4–8 ms of delay): our cell transmitter → `ntn_sim` channel (light-time delay,
//! carrier phase from the geometry, AWGN) → our cell search with no prior. At each point of
//! the pass the terminal must find the cell, measure the Doppler the orbit predicts, and
//! decode the MIB-NB. (Issue 4's "our transmitter through the ntn channel", and the first
//! step of the end-to-end run.)
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is the report

use ntn_orbit::elements::parse_tle;
use ntn_orbit::{EarthOrientation, GroundSite, LinkConfig, Satellite, UtcTime};
use ntn_phy::Complex32;
use ntn_phy::nbiot::cell::{NbiotCellTx, SAMPLES_PER_FRAME};
use ntn_phy::nbiot::npbch::{MibNb, OperationMode};
use ntn_phy::nbiot::search::{CellSearcher, NpssSearchConfig};
use ntn_phy::nbiot::{NcellId, NrsPorts};
use ntn_sim::channel::noise::NoiseConfig;
use ntn_sim::channel::propagation::{DEFAULT_GRID_STEP, Direction, OrbitPathConfig, Payload};
use ntn_sim::channel::{Channel, ChannelConfig};
use ntn_types::Hz;

const FS: f64 = 1.92e6;
const F_DL: f64 = 2.185e9;

fn cbers2() -> Satellite {
    Satellite::new(
        parse_tle(
            Some("CBERS 2"),
            "1 28057U 03049A   06177.78615833  .00000060  00000-0  35940-4 0  1836",
            "2 28057  98.4283 247.6961 0000884  88.1964 271.9322 14.35478080140550",
            None,
        )
        .unwrap(),
    )
    .unwrap()
}

/// Transmit `frames` radio frames from `origin`, pass them through the channel, and return
/// the received stream after the propagation delay has filled the line.
fn receive(
    sat: &Satellite,
    ue: GroundSite,
    origin: UtcTime,
    frames: usize,
    cell: u16,
) -> Vec<Complex32> {
    let mib = MibNb {
        sfn_msb4: 0,
        hsfn_lsb2: 0,
        scheduling_info_sib1: 0,
        system_info_value_tag: 5,
        ab_enabled: false,
        operation_mode: OperationMode::Standalone(0),
        trailing11: 0,
    };
    let mut tx = NbiotCellTx::new(NcellId::new(cell).unwrap(), NrsPorts::One, mib);
    let noise = NoiseConfig {
        snr_db: 0.0,
        // 12 of 128 subcarriers carry unit-power REs: mean power per sample 12/128.
        signal_power: 12.0 / 128.0,
        snr_bandwidth: Some(Hz(180e3)),
        sample_rate: Hz(FS),
        seed: u64::from(cell),
    };
    let mut channel = Channel::new(ChannelConfig {
        path: Some(OrbitPathConfig {
            satellite: sat.clone(),
            ue,
            payload: Payload::Regenerative,
            direction: Direction::Downlink,
            carrier: Hz(F_DL),
            origin,
            sample_rate: Hz(FS),
            eop: EarthOrientation::default(),
            grid_step: DEFAULT_GRID_STEP,
            dl_reference_point: None,
            interp_half_length: 8,
        }),
        gain_db: 0.0,
        fading: None,
        noise: Some(noise),
    })
    .unwrap();
    let mut frame = vec![Complex32::default(); SAMPLES_PER_FRAME];
    let mut out = vec![Complex32::default(); SAMPLES_PER_FRAME];
    let mut rx = Vec::new();
    // The first 2 frames only fill the delay line (≤ 8 ms of delay here).
    for f in 0..frames + 2 {
        tx.fill_frame(0, 100 + f as u32, &mut frame);
        channel
            .process((f * SAMPLES_PER_FRAME) as u64, &frame, &mut out)
            .unwrap();
        if f >= 2 {
            rx.extend_from_slice(&out);
        }
    }
    rx
}

#[test]
fn cell_found_and_mib_decoded_along_a_leo_pass() {
    let sat = cbers2();
    let ue = GroundSite::from_degrees(45.5017, -73.5673, 50.0);
    let link = LinkConfig {
        ue,
        gateway: None,
        f_dl: Hz(F_DL),
        f_ul: Hz(1.995e9),
        eop: EarthOrientation::default(),
    };
    // Near AOS (+44 kHz), near culmination (≈ 0 Hz, fastest drift), near LOS (−44 kHz).
    let points = [
        ("2006-06-27T01:42:40Z", 101u16),
        ("2006-06-27T01:47:04Z", 257),
        ("2006-06-27T01:51:30Z", 503),
    ];
    let mut searcher = CellSearcher::new(NpssSearchConfig::default(), 3 * SAMPLES_PER_FRAME);
    for (when, cell) in points {
        let origin: UtcTime = when.parse().unwrap();
        let rx = receive(&sat, ue, origin, 3, cell);
        let r = searcher
            .search(&rx)
            .unwrap_or_else(|e| panic!("{when}: no cell: {e}"));
        // The Doppler the orbit predicts in the middle of the received buffer.
        let mid = origin.add_secs(0.02 + 0.015);
        let want = link.snapshot(&sat, mid).unwrap();
        let err = r.npss.offset_hz - want.doppler_dl.hz();
        eprintln!(
            "{when}: cell {} (sent {cell}), offset {:.1} Hz vs orbit {:.1} Hz (Δ {err:.1} Hz, \
             rate {:.1} Hz/s), MIB {}",
            r.nsss.cell.get(),
            r.npss.offset_hz,
            want.doppler_dl.hz(),
            want.doppler_rate_dl_hz_s,
            if r.mib.is_some() {
                "decoded"
            } else {
                "not decoded"
            }
        );
        assert_eq!(r.nsss.cell.get(), cell);
        assert!(err.abs() < 100.0, "{when}: offset error {err} Hz");
        let (_, mib) = r.mib.expect("MIB-NB decoded");
        assert_eq!(mib.mib.system_info_value_tag, 5);
    }
}
