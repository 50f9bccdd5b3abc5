//! TR 38.821 §4.2 / TR 38.811 headline figures reproduced from geometry: a circular orbit
//! (two-body, our Kepler propagator) over a spherical Earth of R = 6371 km, the satellite
//! found where it sits at 10° elevation by a search along its orbit, then our delay, RTT and
//! Doppler functions applied. Figures from ntn-reference.md §6.1/§6.2 (TR 38.821
//! Table 4.2-2 as commonly quoted: 25.77 ms / 541.46 ms transparent RTT).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is the report

use glam::DVec3;
use ntn_orbit::SPEED_OF_LIGHT_MPS;
use ntn_orbit::ephemeris::{KeplerElements, MU_WGS84_M3_S2};
use ntn_orbit::geometry::doppler_downlink;
use ntn_types::{Hz, MetresPerSecond};

const R_M: f64 = 6_371e3;

/// A polar circular orbit over the UE's meridian; UE at (R, 0, 0). Returns, for the orbit
/// position at elevation `el_deg` (rising side), the slant range and range rate.
fn at_elevation(h_m: f64, el_deg: f64) -> (f64, f64) {
    let orbit = KeplerElements {
        a_m: R_M + h_m,
        e: 0.0,
        i_rad: std::f64::consts::FRAC_PI_2,
        raan_rad: 0.0,
        argp_rad: 0.0,
        m_rad: -1.5, // well before the UE's zenith
    };
    let ue = DVec3::new(R_M, 0.0, 0.0);
    let look = |t: f64| {
        let (r, v) = orbit.state_at(t);
        let rho = r - ue;
        let el = (rho.x / rho.length()).asin().to_degrees();
        (el, rho.length(), rho.dot(v) / rho.length())
    };
    // The satellite rises towards the zenith: bisection on elevation over the first quarter.
    let n = (MU_WGS84_M3_S2 / (R_M + h_m).powi(3)).sqrt();
    let (mut lo, mut hi) = (0.0, 1.5 / n);
    assert!(look(lo).0 < el_deg && look(hi).0 > el_deg);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if look(mid).0 < el_deg {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let (_, range, rate) = look(lo);
    (range, rate)
}

#[test]
fn leo600_delays_and_doppler() {
    let (d10, rate10) = at_elevation(600e3, 10.0);
    let one_way_ms = d10 / SPEED_OF_LIGHT_MPS * 1e3;
    // Transparent payload: UE at 10° and gateway at 10°, both legs, there and back.
    let rtt_transparent_ms = 4.0 * d10 / SPEED_OF_LIGHT_MPS * 1e3;
    assert!((one_way_ms - 6.44).abs() < 0.005, "{one_way_ms}");
    assert!(
        (rtt_transparent_ms - 25.77).abs() < 0.005,
        "{rtt_transparent_ms}"
    );
    // Doppler at 2 GHz: 45.4 kHz at 10°, about 46.1 kHz at the horizon (the maximum).
    let f = Hz(2e9);
    let d10_hz = doppler_downlink(MetresPerSecond(rate10), f).hz();
    assert!((d10_hz - 45.40e3).abs() < 50.0, "{d10_hz}");
    let (_, rate0) = at_elevation(600e3, 0.0);
    let dmax = doppler_downlink(MetresPerSecond(rate0), f).hz();
    assert!((dmax - 46.10e3).abs() < 50.0, "{dmax}");
    eprintln!(
        "LEO-600 @10°: one-way {one_way_ms:.3} ms, transparent RTT {rtt_transparent_ms:.3} ms, \
         Doppler {:.2} kHz (@0°: {:.2} kHz) at 2 GHz",
        d10_hz / 1e3,
        dmax / 1e3
    );
}

#[test]
fn geo_transparent_rtt() {
    let (d10, rate) = at_elevation(35_786e3, 10.0);
    let rtt_ms = 4.0 * d10 / SPEED_OF_LIGHT_MPS * 1e3;
    assert!((rtt_ms - 541.46).abs() < 0.01, "{rtt_ms}");
    // (An inertial circular orbit at GEO height is not geostationary here, hence no Doppler
    // check: the real GEO case is covered by `ntn pass --geo`.)
    assert!(rate.is_finite());
    eprintln!("GEO @10°: transparent RTT {rtt_ms:.3} ms");
}
