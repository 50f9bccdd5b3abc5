//! Dense time series of look angles: the fast path behind `ntn orbit track`, the pass
//! plots and the channel's geometry grid.
//!
//! Same results as calling [`Satellite::state_ecef`] and [`GroundSite::look`] per instant
//! (tested to 1 mm; the difference is the rounding of the time argument), but the Earth rotation is advanced incrementally for uniform steps:
//! GMST-82 is evaluated exactly every 256 steps and its sine/cosine stepped in between by a
//! complex rotation through the GMST rate (the rate's T² term changes by < 10⁻¹⁶ rad/s over a
//! day).

use crate::frames::{EarthOrientation, StateVector, TemeToEcef, gmst_at};
use crate::geometry::{GroundSite, LookAngles};
use crate::satellite::{PropagationError, Satellite};
use crate::time::UtcTime;

/// Look angles of `sat` from `site` at `start + k·step_s`, k = 0…n−1, appended to `out`.
/// Stops at the first SGP4 failure and returns it (the rows before it stay in `out`).
pub fn look_series(
    sat: &Satellite,
    site: &GroundSite,
    start: UtcTime,
    step_s: f64,
    n: usize,
    eop: &EarthOrientation,
    out: &mut Vec<LookAngles>,
) -> Result<(), PropagationError> {
    out.reserve(n);
    let m0 = start.secs_since(sat.epoch()) / 60.0;
    let dm = step_s / 60.0;
    let theta0 = gmst_at(start, eop.dut1_s);
    // dθ/dt of GMST-82: d/dT of its polynomial (seconds of time per Julian century), over
    // 36525·86400 s per century, times 2π/86400 rad per second of time.
    let t_cent = (start.days_since_j2000() + eop.dut1_s / 86_400.0) / 36_525.0;
    let dsec_dcent = 876_600.0 * 3600.0 + 8_640_184.812_866 + 2.0 * 0.093_104 * t_cent
        - 3.0 * 6.2e-6 * t_cent * t_cent;
    let rate_rad_s = dsec_dcent / (36_525.0 * 86_400.0) * (std::f64::consts::TAU / 86_400.0);
    let dtheta = rate_rad_s * step_s;
    let (ds, dc) = dtheta.sin_cos();
    let (mut s, mut c) = theta0.sin_cos();
    for k in 0..n {
        if k % 256 == 0 && k > 0 {
            (s, c) = gmst_at(start.add_secs(step_s * k as f64), eop.dut1_s).sin_cos();
        }
        let teme: StateVector<_> = sat.state_teme_at_minutes(m0 + dm * k as f64)?;
        let rot = TemeToEcef::from_sin_cos(s, c, eop);
        out.push(site.look(&rot.state(&teme)));
        (s, c) = (s * dc + c * ds, c * dc - s * ds);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_per_instant_path() {
        let sat = crate::satellite::test_iss();
        let site = GroundSite::from_degrees(45.5, -73.57, 50.0);
        let eop = EarthOrientation {
            dut1_s: -0.2,
            ..Default::default()
        };
        let start: UtcTime = "2020-07-13T00:00:00Z".parse().unwrap();
        let mut out = Vec::new();
        look_series(&sat, &site, start, 7.0, 20_000, &eop, &mut out).unwrap();
        for (k, got) in out.iter().enumerate().step_by(97) {
            let t = start.add_secs(7.0 * k as f64);
            let want = site.look(&sat.state_ecef(t, &eop).unwrap());
            assert!(
                (got.range.m() - want.range.m()).abs() < 1e-3,
                "{k}: {} vs {}",
                got.range.m(),
                want.range.m()
            );
            assert!(
                (got.elevation.rad() - want.elevation.rad()).abs() < 1e-10,
                "{k}"
            );
            assert!(
                (got.range_rate.mps() - want.range_rate.mps()).abs() < 1e-5,
                "{k}"
            );
        }
    }
}
