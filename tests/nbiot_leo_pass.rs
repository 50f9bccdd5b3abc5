//! The NB-IoT downlink of a satellite cell through the orbit-driven channel over a real LEO
//! pass (CBERS 2 over Montréal at 2185 MHz: up to ±44 kHz of raw Doppler drifting up to
//! −316 Hz/s, 4–8 ms of delay): our cell transmitter → `ntn_sim` channel (light-time delay,
//! carrier phase from the geometry, AWGN at 0 dB) → our cell search with no prior
//! (`ntn_sim::nbiot_dl::DlProbe`). At each point of the pass the terminal must find the cell,
//! measure the Doppler the orbit predicts, and decode the MIB-NB.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is the report

use ntn_orbit::elements::parse_tle;
use ntn_orbit::{GroundSite, Satellite, UtcTime};
use ntn_sim::nbiot_dl::{DlProbe, DlProbeConfig};

#[test]
fn cell_found_and_mib_decoded_along_a_leo_pass() {
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
    let ue = GroundSite::from_degrees(45.5017, -73.5673, 50.0);
    // Near AOS (+44 kHz), near culmination (≈ 0 Hz, fastest drift), near LOS (−44 kHz).
    for (when, cell) in [
        ("2006-06-27T01:42:40Z", 101u16),
        ("2006-06-27T01:47:04Z", 257),
        ("2006-06-27T01:51:30Z", 503),
    ] {
        let mut probe = DlProbe::new(DlProbeConfig {
            cell_id: cell,
            seed: u64::from(cell),
            ..Default::default()
        })
        .unwrap();
        let r = probe
            .run(&sat, ue, when.parse::<UtcTime>().unwrap())
            .unwrap();
        eprintln!(
            "{when}: cell {:?} (sent {cell}), offset {:?} Hz vs orbit {:.1} Hz (rate {:.1} Hz/s), MIB {}",
            r.cell_id,
            r.measured_offset_hz,
            r.true_doppler_hz,
            r.true_doppler_rate_hz_s,
            r.mib_decoded
        );
        assert_eq!(r.cell_id, Some(cell));
        let err = r.offset_error_hz().unwrap();
        assert!(err.abs() < 100.0, "{when}: offset error {err} Hz");
        assert!(r.mib_decoded, "{when}: MIB-NB not decoded");
        assert!(r.sfn.is_some());
    }
}
