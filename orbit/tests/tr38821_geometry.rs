//! TR 38.821 §4.2 / TR 38.811 headline figures reproduced from geometry: a circular orbit
//! (two-body, our Kepler propagator) over a spherical Earth of R = 6371 km, the satellite
//! found where it sits at 10° elevation by a search along its orbit, then our delay, RTT and
//! Doppler functions applied. The checks are `ntn_orbit::conformance::tr38821_geometry`,
//! shared with `ntn conformance`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is the report

mod common;

#[test]
fn leo600_and_geo_delays_and_doppler() {
    let r = ntn_orbit::conformance::tr38821_geometry();
    common::check_report(&r, 5);
}

#[test]
fn geometry_helper_refuses_an_unreachable_elevation() {
    // 95° is never reached: no value, not a bisection on garbage.
    assert!(ntn_orbit::conformance::tr38821_at_elevation(600e3, 95.0).is_none());
}
