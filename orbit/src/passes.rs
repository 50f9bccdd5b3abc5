//! Pass prediction: acquisition of signal (AOS), culmination and loss of signal (LOS) above an
//! elevation mask, for one satellite or a whole catalog.
//!
//! Method: the elevation rate is sampled on a grid whose step is bounded by the orbit
//! (a twentieth of the period, at most 5 min); every sign change brackets an elevation
//! extremum, which is refined by bisection on the rate. Between consecutive extrema the
//! elevation is monotonic, so each crossing of the mask lies in exactly one such segment and
//! is refined by bisection to [`TIME_TOLERANCE_S`]. A pass whose culmination is barely above
//! the mask is therefore found however short it is: detection rests on the extremum, not on
//! sampling a point above the mask. A maximum and its neighbouring minima of a LEO lie
//! about a quarter to half a period apart, far more than the grid step. GEO satellites (always
//! or never above the mask) come out as one pass covering the window, or none. An SGP4
//! failure (decayed satellite) ends that satellite's search with an error in its result; the
//! other satellites of a catalog are unaffected.

use crate::frames::EarthOrientation;
use crate::geometry::GroundSite;
use crate::satellite::{PropagationError, Satellite};
use crate::time::UtcTime;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Event times are refined to this precision, seconds.
pub const TIME_TOLERANCE_S: f64 = 1e-3;

/// One pass above the mask.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pass {
    /// Catalog number.
    pub norad_id: u64,
    /// Satellite name.
    pub name: String,
    /// Rise above the mask (the window start when the satellite was already up).
    pub aos: UtcTime,
    /// True when `aos` is the window start rather than a crossing.
    pub aos_at_window_start: bool,
    /// Highest elevation of the pass.
    pub culmination: UtcTime,
    /// Elevation at culmination, degrees.
    pub max_elevation_deg: f64,
    /// Azimuth at AOS, degrees.
    pub aos_azimuth_deg: f64,
    /// Azimuth at LOS, degrees.
    pub los_azimuth_deg: f64,
    /// Set below the mask (the window end when the satellite is still up).
    pub los: UtcTime,
    /// True when `los` is the window end rather than a crossing.
    pub los_at_window_end: bool,
}

impl Pass {
    /// Duration above the mask, seconds.
    pub fn duration_s(&self) -> f64 {
        self.los.secs_since(self.aos)
    }
}

/// The passes of one satellite, or why the search stopped early.
#[derive(Clone, Debug, PartialEq)]
pub struct SatellitePasses {
    /// Catalog number.
    pub norad_id: u64,
    /// Passes found (up to the failure, if any).
    pub passes: Vec<Pass>,
    /// SGP4 failure that ended the search (e.g. the satellite decayed during the window).
    pub error: Option<PropagationError>,
}

/// A pass search: a ground site, an elevation mask and a window.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PassSearch {
    /// The observer.
    pub site: GroundSite,
    /// Elevation mask, degrees.
    pub mask_deg: f64,
    /// Window start.
    pub start: UtcTime,
    /// Window end.
    pub end: UtcTime,
    /// Earth orientation parameters.
    pub eop: EarthOrientation,
}

#[derive(Clone, Copy)]
struct Sample {
    t_s: f64,
    el: f64,
    el_rate: f64,
}

impl PassSearch {
    /// Grid step for a satellite: period/20, at most 300 s, at least 10 s.
    pub fn step_s(sat: &Satellite) -> f64 {
        (sat.period_s() / 20.0).clamp(10.0, 300.0)
    }

    fn sample(&self, sat: &Satellite, t_s: f64) -> Result<Sample, PropagationError> {
        let t = self.start.add_secs(t_s);
        let look = self.site.look(&sat.state_ecef(t, &self.eop)?);
        Ok(Sample {
            t_s,
            el: look.elevation.rad().to_degrees(),
            el_rate: look.elevation_rate_rad_s,
        })
    }

    /// The passes of one satellite in the window.
    pub fn run(&self, sat: &Satellite) -> SatellitePasses {
        let mut passes = Vec::new();
        let error = self.run_inner(sat, &mut passes).err();
        SatellitePasses {
            norad_id: sat.norad_id(),
            passes,
            error,
        }
    }

    /// The passes of every satellite of a catalog, in parallel, in catalog order.
    pub fn run_catalog(&self, sats: &[Satellite]) -> Vec<SatellitePasses> {
        sats.par_iter().map(|s| self.run(s)).collect()
    }

    /// Like [`PassSearch::run_catalog`], calling `progress` once per finished satellite
    /// (from worker threads).
    pub fn run_catalog_with_progress(
        &self,
        sats: &[Satellite],
        progress: &(dyn Fn() + Sync),
    ) -> Vec<SatellitePasses> {
        sats.par_iter()
            .map(|s| {
                let r = self.run(s);
                progress();
                r
            })
            .collect()
    }

    fn run_inner(&self, sat: &Satellite, out: &mut Vec<Pass>) -> Result<(), PropagationError> {
        let span_s = self.end.secs_since(self.start);
        if span_s <= 0.0 {
            return Ok(());
        }
        let step = Self::step_s(sat);
        let n = (span_s / step).ceil().max(1.0) as usize;
        // Points where the elevation is monotonic in between: window ends and extrema.
        let mut prev = self.sample(sat, 0.0)?;
        let mut knots: Vec<Sample> = vec![prev];
        for i in 1..=n {
            let t = (i as f64 * step).min(span_s);
            let cur = self.sample(sat, t)?;
            if prev.el_rate.signum() != cur.el_rate.signum() && prev.el_rate != 0.0 {
                knots.push(self.refine_extremum(sat, &prev, &cur)?);
            }
            prev = cur;
        }
        if knots.last().is_none_or(|k| k.t_s < span_s) {
            knots.push(self.sample(sat, span_s)?);
        }

        let mask = self.mask_deg;
        let mut open: Option<(f64, bool)> = if knots[0].el >= mask {
            Some((0.0, true))
        } else {
            None
        };
        let mut best = (knots[0].el, 0.0);
        for w in knots.windows(2) {
            let (a, b) = (&w[0], &w[1]);
            if open.is_some() && a.el > best.0 {
                best = (a.el, a.t_s);
            }
            if (a.el < mask) != (b.el < mask) {
                let tc = self.refine_crossing(sat, a, b)?;
                if b.el >= mask {
                    open = Some((tc, false));
                    best = (f64::NEG_INFINITY, tc);
                } else if let Some((t_aos, at_start)) = open.take() {
                    let best_b = if a.el > best.0 { (a.el, a.t_s) } else { best };
                    out.push(self.make_pass(sat, t_aos, at_start, best_b, tc, false)?);
                }
            }
        }
        if let Some((t_aos, at_start)) = open {
            let last = knots.last().map(|k| (k.el, k.t_s)).unwrap_or(best);
            let best_b = if last.0 > best.0 { last } else { best };
            out.push(self.make_pass(sat, t_aos, at_start, best_b, span_s, true)?);
        }
        Ok(())
    }

    fn make_pass(
        &self,
        sat: &Satellite,
        aos_s: f64,
        aos_at_window_start: bool,
        (max_el, t_max): (f64, f64),
        los_s: f64,
        los_at_window_end: bool,
    ) -> Result<Pass, PropagationError> {
        let az = |t_s: f64| -> Result<f64, PropagationError> {
            let t = self.start.add_secs(t_s);
            Ok(self
                .site
                .look(&sat.state_ecef(t, &self.eop)?)
                .azimuth
                .rad()
                .to_degrees())
        };
        Ok(Pass {
            norad_id: sat.norad_id(),
            name: sat.name().to_owned(),
            aos: self.start.add_secs(aos_s),
            aos_at_window_start,
            culmination: self.start.add_secs(t_max),
            max_elevation_deg: max_el,
            aos_azimuth_deg: az(aos_s)?,
            los_azimuth_deg: az(los_s)?,
            los: self.start.add_secs(los_s),
            los_at_window_end,
        })
    }

    /// Locate an extremum between samples of opposite elevation-rate sign: bisection on the
    /// rate to 1 s, then golden-section search on the elevation itself within ±30 s. SGP4's
    /// velocity is not exactly the derivative of its position (by up to ~1 m/s on eccentric
    /// orbits), so the rate's zero can sit a second or two from the elevation's peak on a slow
    /// Molniya apogee; the search on elevation removes that bias.
    fn refine_extremum(
        &self,
        sat: &Satellite,
        a: &Sample,
        b: &Sample,
    ) -> Result<Sample, PropagationError> {
        let (mut lo, mut hi) = (a.t_s, b.t_s);
        let sign_lo = a.el_rate.signum();
        while hi - lo > 1.0 {
            let mid = self.sample(sat, 0.5 * (lo + hi))?;
            if mid.el_rate.signum() == sign_lo {
                lo = mid.t_s;
            } else {
                hi = mid.t_s;
            }
        }
        // A maximum when the rate goes from + to −.
        let maximum = sign_lo > 0.0;
        let score = |s: &Sample| if maximum { s.el } else { -s.el };
        let centre = 0.5 * (lo + hi);
        let (mut x0, mut x3) = ((centre - 30.0).max(a.t_s), (centre + 30.0).min(b.t_s));
        const INV_PHI: f64 = 0.618_033_988_749_894_8;
        let mut x1 = x3 - INV_PHI * (x3 - x0);
        let mut x2 = x0 + INV_PHI * (x3 - x0);
        let mut s1 = self.sample(sat, x1)?;
        let mut s2 = self.sample(sat, x2)?;
        while x3 - x0 > TIME_TOLERANCE_S {
            if score(&s1) >= score(&s2) {
                x3 = x2;
                x2 = x1;
                s2 = s1;
                x1 = x3 - INV_PHI * (x3 - x0);
                s1 = self.sample(sat, x1)?;
            } else {
                x0 = x1;
                x1 = x2;
                s1 = s2;
                x2 = x0 + INV_PHI * (x3 - x0);
                s2 = self.sample(sat, x2)?;
            }
        }
        self.sample(sat, 0.5 * (x0 + x3))
    }

    /// Bisection on elevation − mask on a monotonic segment.
    fn refine_crossing(
        &self,
        sat: &Satellite,
        a: &Sample,
        b: &Sample,
    ) -> Result<f64, PropagationError> {
        let (mut lo, mut hi) = (a.t_s, b.t_s);
        let below_lo = a.el < self.mask_deg;
        while hi - lo > TIME_TOLERANCE_S {
            let mid = self.sample(sat, 0.5 * (lo + hi))?;
            if (mid.el < self.mask_deg) == below_lo {
                lo = mid.t_s;
            } else {
                hi = mid.t_s;
            }
        }
        Ok(0.5 * (lo + hi))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::elements::parse_tle;

    const GEO: (&str, &str) = (
        "1 28626U 05008A   06176.46683397 -.00000205  00000-0  10000-3 0  2190",
        "2 28626   0.0019 286.9433 0000335  13.7918  55.6504  1.00270176  4891",
    );

    fn search(site: GroundSite, start: &str, hours: f64) -> PassSearch {
        let start: UtcTime = start.parse().unwrap();
        PassSearch {
            site,
            mask_deg: 10.0,
            start,
            end: start.add_secs(hours * 3600.0),
            eop: EarthOrientation::default(),
        }
    }

    #[test]
    fn geo_is_always_or_never_visible() {
        let geo = Satellite::new(parse_tle(None, GEO.0, GEO.1, None).unwrap()).unwrap();
        // XM-3 at 85° W: 36° up from Montréal, below the horizon from Europe.
        let up = search(
            GroundSite::from_degrees(45.5, -73.57, 50.0),
            "2006-06-26T00:00:00Z",
            24.0,
        )
        .run(&geo);
        assert_eq!(up.passes.len(), 1);
        let p = &up.passes[0];
        assert!(p.aos_at_window_start && p.los_at_window_end);
        assert!((p.duration_s() - 86_400.0).abs() < 1e-6);
        let never = search(
            GroundSite::from_degrees(48.1, 11.6, 500.0),
            "2006-06-26T00:00:00Z",
            24.0,
        )
        .run(&geo);
        assert!(never.passes.is_empty() && never.error.is_none());
    }

    #[test]
    fn a_decaying_satellite_does_not_stop_the_catalog() {
        let good = crate::satellite::test_iss().elements().clone();
        // Perigee 150 km, apogee ~3000 km, enormous drag: SGP4 gives up within hours.
        let mut decaying = good.clone();
        decaying.norad_id = 99_999;
        decaying.eccentricity = 0.17;
        decaying.mean_motion = 13.2;
        decaying.drag_term = 0.9;
        decaying.mean_motion_dot = 0.9;
        let sats = vec![
            Satellite::new(decaying).unwrap(),
            Satellite::new(good).unwrap(),
        ];
        let s = search(
            GroundSite::from_degrees(45.5, -73.57, 50.0),
            "2020-07-13T00:00:00Z",
            48.0,
        );
        let r = s.run_catalog(&sats);
        assert_eq!(r.len(), 2);
        let err = r[0].error.as_ref().expect("the decaying satellite fails");
        assert!(err.to_string().contains("99999"), "{err}");
        assert!(r[1].error.is_none());
        assert!(r[1].passes.len() >= 4, "{}", r[1].passes.len());
    }

    #[test]
    fn grazing_pass_is_found() {
        // Find a pass, then raise the mask to just under its peak: the pass must still be
        // found, a few seconds long.
        let sat = crate::satellite::test_iss();
        let mut s = search(
            GroundSite::from_degrees(45.5, -73.57, 50.0),
            "2020-07-13T00:00:00Z",
            24.0,
        );
        let first = s.run(&sat).passes[0].clone();
        s.mask_deg = first.max_elevation_deg - 0.01;
        let again = s.run(&sat);
        let p = again
            .passes
            .iter()
            .find(|p| p.culmination.secs_since(first.culmination).abs() < 1.0)
            .expect("grazing pass found");
        assert!(
            p.duration_s() > 0.0 && p.duration_s() < 60.0,
            "{}",
            p.duration_s()
        );
    }
}
