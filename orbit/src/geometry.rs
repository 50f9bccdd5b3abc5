//! Topocentric look angles and the link geometry of a satellite pass: delay, round-trip time
//! (regenerative and transparent payloads), Doppler and Doppler rate, differential delay and
//! Doppler against a reference point, with light-time solved in the quasi-inertial frame.

use crate::frames::{
    EarthOrientation, Ecef, Geodetic, Position, SPEED_OF_LIGHT_MPS, StateVector, TemeToEcef,
};
use crate::satellite::{PropagationError, Satellite};
use crate::time::UtcTime;
use glam::DVec3;
use ntn_types::validate::{self, InvalidValue};
use ntn_types::{Hz, Metres, MetresPerSecond, Radians, Seconds};
use serde::{Deserialize, Serialize};

/// A fixed point on the ground (terminal, gateway, beam-centre reference point) with its ECEF
/// position and local axes precomputed.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroundSite {
    geodetic: Geodetic,
    ecef: Position<Ecef>,
    enu: [DVec3; 3],
}

/// Where a satellite is seen from a ground site.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LookAngles {
    /// Azimuth from true north, clockwise, in [0, 2π).
    pub azimuth: Radians,
    /// Elevation above the local horizon (geodetic normal), in [−π/2, π/2].
    pub elevation: Radians,
    /// Slant range (geometric, at one instant).
    pub range: Metres,
    /// Rate of change of the slant range, positive when receding.
    pub range_rate: MetresPerSecond,
    /// Rate of change of the elevation, rad/s.
    pub elevation_rate_rad_s: f64,
}

impl GroundSite {
    /// A site at a geodetic position.
    pub fn new(geodetic: Geodetic) -> Self {
        GroundSite {
            geodetic,
            ecef: geodetic.to_ecef(),
            enu: geodetic.enu_axes(),
        }
    }

    /// A site from degrees and metres.
    pub fn from_degrees(lat_deg: f64, lon_deg: f64, height_m: f64) -> Self {
        GroundSite::new(Geodetic::from_degrees(lat_deg, lon_deg, height_m))
    }

    /// A site from `[lat °, lon °, height m]` read from an input under `key`: latitude within
    /// ±90°, longitude within ±180°, height within −500 m … 20 km of the ellipsoid
    /// ([`ntn_types::validate::ground_position`]); NaN and ∞ are refused.
    pub fn checked(key: &str, p: [f64; 3]) -> Result<Self, InvalidValue> {
        let [lat_deg, lon_deg, height_m] = validate::ground_position(key, p)?;
        Ok(GroundSite::from_degrees(lat_deg, lon_deg, height_m))
    }

    /// The geodetic position.
    pub fn geodetic(&self) -> Geodetic {
        self.geodetic
    }

    /// The ECEF position.
    pub fn ecef(&self) -> Position<Ecef> {
        self.ecef
    }

    /// Look angles from this site as the gateway of a feeder link to a satellite whose ECEF
    /// state at `time` is `sat`; an error when the satellite is below the gateway's horizon
    /// (the feeder link would pass through the Earth).
    pub fn feeder_look(
        &self,
        sat: &StateVector<Ecef>,
        time: UtcTime,
    ) -> Result<LookAngles, PropagationError> {
        let look = self.look(sat);
        let elevation_deg = look.elevation.rad().to_degrees();
        if elevation_deg < 0.0 {
            return Err(PropagationError::GatewayBelowHorizon {
                lat_deg: self.geodetic.lat.rad().to_degrees(),
                lon_deg: self.geodetic.lon.rad().to_degrees(),
                time,
                elevation_deg,
            });
        }
        Ok(look)
    }

    /// Look angles to a satellite whose ECEF state is `sat`.
    #[inline]
    pub fn look(&self, sat: &StateVector<Ecef>) -> LookAngles {
        let rho = sat.r_m() - self.ecef.xyz_m();
        let v = sat.v_mps();
        let range = rho.length();
        let [e, n, u] = self.enu;
        let (re, rn, ru) = (rho.dot(e), rho.dot(n), rho.dot(u));
        let range_rate = rho.dot(v) / range;
        let sin_el = (ru / range).clamp(-1.0, 1.0);
        let elevation = sin_el.asin();
        let cos_el = (1.0 - sin_el * sin_el).sqrt();
        // d(sin el)/dt = (v_u·ρ − ρ_u·ρ̇)/ρ², el' = that / cos el.
        let dsin = (v.dot(u) * range - ru * range_rate) / (range * range);
        let elevation_rate_rad_s = if cos_el > 1e-12 { dsin / cos_el } else { 0.0 };
        let az = re.atan2(rn);
        LookAngles {
            azimuth: Radians(if az < 0.0 {
                az + std::f64::consts::TAU
            } else {
                az
            }),
            elevation: Radians(elevation),
            range: Metres(range),
            range_rate: MetresPerSecond(range_rate),
            elevation_rate_rad_s,
        }
    }
}

/// Doppler shift seen at a ground receiver of a carrier `f_c` sent by the satellite
/// (downlink), first order in v/c with the light-time factor: f_d = −f_c·ṙ/(c + ṙ), where ṙ
/// is the range rate (positive receding). This is the instantaneous frequency of a carrier
/// whose phase follows the light-time delay τ(t): f_c·(1 − dτ/dt).
pub fn doppler_downlink(range_rate: MetresPerSecond, f_c: Hz) -> Hz {
    let rr = range_rate.mps();
    Hz(-f_c.hz() * rr / (SPEED_OF_LIGHT_MPS + rr))
}

/// Doppler shift at the satellite of a carrier `f_c` sent from the ground (uplink):
/// f_d = −f_c·ṙ/c (the receiver moves).
pub fn doppler_uplink(range_rate: MetresPerSecond, f_c: Hz) -> Hz {
    Hz(-f_c.hz() * range_rate.mps() / SPEED_OF_LIGHT_MPS)
}

/// The geometry of one satellite link at one instant, all of it from one pair of states.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkSnapshot {
    /// UTC of the snapshot.
    pub time: UtcTime,
    /// Look angles from the terminal.
    pub look: LookAngles,
    /// One-way service-link delay, range/c.
    pub one_way_delay: Seconds,
    /// Service-link round trip (regenerative payload: UE ↔ satellite), 2·range/c.
    pub rtt_regenerative: Seconds,
    /// Transparent-payload round trip UE ↔ satellite ↔ gateway, 2·(d_UE + d_GW)/c, when a
    /// gateway is given.
    pub rtt_transparent: Option<Seconds>,
    /// Rate of change of the one-way delay, s/s.
    pub delay_rate: f64,
    /// Downlink Doppler at the terminal.
    pub doppler_dl: Hz,
    /// Uplink Doppler at the satellite.
    pub doppler_ul: Hz,
    /// Rate of change of the downlink Doppler, Hz/s.
    pub doppler_rate_dl_hz_s: f64,
    /// Rate of change of the uplink Doppler, Hz/s.
    pub doppler_rate_ul_hz_s: f64,
}

/// What a link computation needs besides the satellite: the terminal, carriers, an optional
/// gateway (transparent payload), and the Earth orientation.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkConfig {
    /// The terminal.
    pub ue: GroundSite,
    /// The gateway of a transparent payload (None: regenerative).
    pub gateway: Option<GroundSite>,
    /// Downlink carrier.
    pub f_dl: Hz,
    /// Uplink carrier.
    pub f_ul: Hz,
    /// Earth orientation parameters.
    pub eop: EarthOrientation,
}

/// Half-span of the central difference used for rates, seconds.
const RATE_H_S: f64 = 0.5;

impl LinkConfig {
    /// The link geometry at UTC `t`.
    pub fn snapshot(&self, sat: &Satellite, t: UtcTime) -> Result<LinkSnapshot, PropagationError> {
        let state = sat.state_ecef(t, &self.eop)?;
        let look = self.ue.look(&state);
        let before = self
            .ue
            .look(&sat.state_ecef(t.add_secs(-RATE_H_S), &self.eop)?);
        let after = self
            .ue
            .look(&sat.state_ecef(t.add_secs(RATE_H_S), &self.eop)?);
        let c = SPEED_OF_LIGHT_MPS;
        let rtt_transparent = self
            .gateway
            .map(|gw| -> Result<Seconds, PropagationError> {
                let d_gw = gw.feeder_look(&state, t)?.range.m();
                Ok(Seconds(2.0 * (look.range.m() + d_gw) / c))
            })
            .transpose()?;
        let rate = |f: &dyn Fn(&LookAngles) -> f64| (f(&after) - f(&before)) / (2.0 * RATE_H_S);
        let f_dl = self.f_dl;
        let f_ul = self.f_ul;
        Ok(LinkSnapshot {
            time: t,
            look,
            one_way_delay: Seconds(look.range.m() / c),
            rtt_regenerative: Seconds(2.0 * look.range.m() / c),
            rtt_transparent,
            delay_rate: look.range_rate.mps() / c,
            doppler_dl: doppler_downlink(look.range_rate, f_dl),
            doppler_ul: doppler_uplink(look.range_rate, f_ul),
            doppler_rate_dl_hz_s: rate(&|l| doppler_downlink(l.range_rate, f_dl).hz()),
            doppler_rate_ul_hz_s: rate(&|l| doppler_uplink(l.range_rate, f_ul).hz()),
        })
    }

    /// Differential one-way delay (s) and downlink Doppler (Hz) of the terminal against a
    /// reference point (e.g. the beam centre to which the network pre-compensates):
    /// terminal minus reference.
    pub fn differential(
        &self,
        sat: &Satellite,
        reference: &GroundSite,
        t: UtcTime,
    ) -> Result<(Seconds, Hz), PropagationError> {
        let state = sat.state_ecef(t, &self.eop)?;
        let a = self.ue.look(&state);
        let b = reference.look(&state);
        Ok((
            Seconds((a.range.m() - b.range.m()) / SPEED_OF_LIGHT_MPS),
            Hz(doppler_downlink(a.range_rate, self.f_dl).hz()
                - doppler_downlink(b.range_rate, self.f_dl).hz()),
        ))
    }
}

/// Light-time delay of a signal from the satellite received at a ground point at UTC `t_rx`:
/// τ solving c·τ = |r_sat(t_rx − τ) − r_ground(t_rx)|, both in the quasi-inertial TEME frame
/// (so Earth rotation during flight — the Sagnac term — is included). Converges to < 1 ps.
pub fn downlink_light_time(
    sat: &Satellite,
    ground: &GroundSite,
    t_rx: UtcTime,
    eop: &EarthOrientation,
) -> Result<Seconds, PropagationError> {
    light_time(sat, ground, t_rx, -1.0, eop)
}

/// Light-time delay of a signal sent from a ground point at UTC `t_tx` and received by the
/// satellite: c·τ = |r_sat(t_tx + τ) − r_ground(t_tx)| in TEME.
pub fn uplink_light_time(
    sat: &Satellite,
    ground: &GroundSite,
    t_tx: UtcTime,
    eop: &EarthOrientation,
) -> Result<Seconds, PropagationError> {
    light_time(sat, ground, t_tx, 1.0, eop)
}

/// Fixed-point iteration on c·τ = |r_sat(t + sign·τ) − r_ground(t)| (contracts by |ṙ|/c).
fn light_time(
    sat: &Satellite,
    ground: &GroundSite,
    t: UtcTime,
    sign: f64,
    eop: &EarthOrientation,
) -> Result<Seconds, PropagationError> {
    let ground_teme = TemeToEcef::at(t, eop).inverse_position(&ground.ecef());
    let minutes = t.secs_since(sat.epoch()) / 60.0;
    let mut tau = 0.0;
    for _ in 0..6 {
        let s = sat.state_teme_at_minutes(minutes + sign * tau / 60.0)?;
        let next = s.r_m().distance(ground_teme.xyz_m()) / SPEED_OF_LIGHT_MPS;
        let done = (next - tau).abs() < 1e-13;
        tau = next;
        if done {
            break;
        }
    }
    Ok(Seconds(tau))
}

/// Slant range from a ground point to a satellite at altitude `h` seen at elevation `el`,
/// spherical Earth of radius `r_earth` (TR 38.811 §6.6.2):
/// d = √(R²sin²α + h² + 2hR) − R·sin α.
pub fn slant_range_spherical(r_earth: Metres, altitude: Metres, elevation: Radians) -> Metres {
    let r = r_earth.m();
    let h = altitude.m();
    let s = elevation.rad().sin();
    Metres((r * r * s * s + h * h + 2.0 * h * r).sqrt() - r * s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ntn_types::Degrees;

    #[test]
    fn checked_sites_refuse_impossible_positions() {
        let ok = GroundSite::checked("ue", [45.5, -73.6, 50.0]).unwrap();
        assert_eq!(ok, GroundSite::from_degrees(45.5, -73.6, 50.0));
        for (p, key) in [
            ([91.0, 0.0, 0.0], "ue[0]"),
            ([f64::NAN, 0.0, 0.0], "ue[0]"),
            ([0.0, -180.5, 0.0], "ue[1]"),
            ([0.0, 0.0, -1e9], "ue[2]"),
            ([0.0, 0.0, f64::INFINITY], "ue[2]"),
        ] {
            assert_eq!(GroundSite::checked("ue", p).unwrap_err().key, key, "{p:?}");
        }
    }

    #[test]
    fn overhead_geometry() {
        let site = GroundSite::from_degrees(0.0, 0.0, 0.0);
        // A satellite straight up at 600 km, moving east at 7.5 km/s (ECEF).
        let s = StateVector::<Ecef>::new(
            DVec3::new(crate::frames::WGS84_A_M + 600e3, 0.0, 0.0),
            DVec3::new(0.0, 7500.0, 0.0),
        );
        let l = site.look(&s);
        assert!((l.elevation.rad() - std::f64::consts::FRAC_PI_2).abs() < 1e-9);
        assert!((l.range.m() - 600e3).abs() < 1e-6);
        assert!(l.range_rate.mps().abs() < 1e-9);
        // Moving east means the elevation is dropping towards the east horizon.
        let s2 = StateVector::<Ecef>::new(
            DVec3::new(crate::frames::WGS84_A_M + 600e3, 100e3, 0.0),
            DVec3::new(0.0, 7500.0, 0.0),
        );
        let l2 = site.look(&s2);
        assert!((l2.azimuth.rad().to_degrees() - 90.0).abs() < 1e-9);
        assert!(l2.range_rate.mps() > 0.0);
        assert!(l2.elevation_rate_rad_s < 0.0);
    }

    #[test]
    fn doppler_sign_and_size() {
        let f = Hz(2e9);
        // Approaching at 7 km/s → positive Doppler: 2 GHz·7000/(c − 7000) on the downlink
        // (moving source), 2 GHz·7000/c on the uplink (moving receiver).
        let d = doppler_downlink(MetresPerSecond(-7000.0), f).hz();
        assert!((d - 46_700.064).abs() < 1e-3, "{d}");
        let u = doppler_uplink(MetresPerSecond(-7000.0), f).hz();
        assert!((u - 46_698.973).abs() < 1e-3, "{u}");
        assert!(doppler_downlink(MetresPerSecond(7000.0), f).hz() < 0.0);
    }

    #[test]
    fn light_time_solves_its_equation_and_differs_from_range_over_c() {
        let sat = crate::satellite::test_iss();
        let site = GroundSite::from_degrees(45.5, -73.57, 50.0);
        let eop = EarthOrientation::default();
        let t: UtcTime = "2020-07-13T00:00:00Z".parse().unwrap();
        let tau = downlink_light_time(&sat, &site, t, &eop).unwrap().s();
        // Check c·τ = |r_sat(t − τ) − r_ground(t)| in TEME directly.
        let g = TemeToEcef::at(t, &eop).inverse_position(&site.ecef());
        let s = sat.state_teme(t.add_secs(-tau)).unwrap();
        let resid = s.r_m().distance(g.xyz_m()) - SPEED_OF_LIGHT_MPS * tau;
        assert!(resid.abs() < 1e-4, "{resid}");
        // Against the instantaneous range/c the difference is about ṙ·τ/c plus the Sagnac
        // term: a few hundred ns at most for a LEO.
        let look = site.look(&sat.state_ecef(t, &eop).unwrap());
        let d = tau - look.range.m() / SPEED_OF_LIGHT_MPS;
        assert!(d.abs() < 1e-6 && d.abs() > 1e-10, "{d}");
        let up = uplink_light_time(&sat, &site, t, &eop).unwrap().s();
        // Receding or approaching, the two directions bracket the instantaneous value.
        let inst = look.range.m() / SPEED_OF_LIGHT_MPS;
        assert!((up - inst) * (tau - inst) < 0.0, "{up} {tau} {inst}");
    }

    #[test]
    fn transparent_rtt_and_differential_geometry() {
        let sat = crate::satellite::test_iss();
        let t: UtcTime = "2020-07-13T00:00:00Z".parse().unwrap();
        // A gateway that sees the satellite: 3° north of its sub-point.
        let sub = Geodetic::from_ecef(&Position::new(
            sat.state_ecef(t, &EarthOrientation::default())
                .unwrap()
                .r_m(),
        ));
        let cfg = LinkConfig {
            ue: GroundSite::from_degrees(45.5, -73.57, 50.0),
            gateway: Some(GroundSite::from_degrees(
                sub.lat.rad().to_degrees() + 3.0,
                sub.lon.rad().to_degrees(),
                0.0,
            )),
            f_dl: Hz(2.185e9),
            f_ul: Hz(1.995e9),
            eop: EarthOrientation::default(),
        };
        let s = cfg.snapshot(&sat, t).unwrap();
        let state = sat.state_ecef(t, &cfg.eop).unwrap();
        let d_gw = cfg.gateway.unwrap().look(&state).range.m();
        let want = 2.0 * (s.look.range.m() + d_gw) / SPEED_OF_LIGHT_MPS;
        assert!((s.rtt_transparent.unwrap().s() - want).abs() < 1e-15);
        // The terminal against itself: no differential; against the gateway site: the
        // difference of the two one-way delays.
        let (dd, df) = cfg.differential(&sat, &cfg.ue, t).unwrap();
        assert_eq!((dd.s(), df.hz()), (0.0, 0.0));
        let (dd, _) = cfg.differential(&sat, &cfg.gateway.unwrap(), t).unwrap();
        assert!((dd.s() - (s.look.range.m() - d_gw) / SPEED_OF_LIGHT_MPS).abs() < 1e-15);
        // Doppler rate by central difference agrees with a wider difference.
        let a = cfg
            .snapshot(&sat, t.add_secs(-5.0))
            .unwrap()
            .doppler_dl
            .hz();
        let b = cfg.snapshot(&sat, t.add_secs(5.0)).unwrap().doppler_dl.hz();
        assert!(((b - a) / 10.0 - s.doppler_rate_dl_hz_s).abs() < 0.5);
    }

    #[test]
    fn gateway_through_the_earth_is_an_error() {
        let sat = crate::satellite::test_iss();
        let t: UtcTime = "2020-07-13T00:00:00Z".parse().unwrap();
        let eop = EarthOrientation::default();
        let state = sat.state_ecef(t, &eop).unwrap();
        // The gateway on the far side of the Earth from the satellite's sub-point.
        let sub = Geodetic::from_ecef(&Position::new(state.r_m()));
        let far = GroundSite::from_degrees(
            -sub.lat.rad().to_degrees(),
            (sub.lon.rad().to_degrees() + 180.0 + 180.0).rem_euclid(360.0) - 180.0,
            0.0,
        );
        let cfg = LinkConfig {
            ue: GroundSite::from_degrees(45.5, -73.57, 50.0),
            gateway: Some(far),
            f_dl: Hz(2.185e9),
            f_ul: Hz(1.995e9),
            eop,
        };
        let e = cfg.snapshot(&sat, t).unwrap_err();
        assert!(
            matches!(e, PropagationError::GatewayBelowHorizon { elevation_deg, .. } if elevation_deg < -80.0),
            "{e}"
        );
        assert!(e.to_string().contains("cannot see the satellite"), "{e}");
        let e = crate::timing::feeder_link_common_ta(&sat, &far, t, &eop).unwrap_err();
        assert!(
            matches!(e, PropagationError::GatewayBelowHorizon { .. }),
            "{e}"
        );
        // Right under the satellite the same gateway is fine.
        let under = GroundSite::new(Geodetic {
            height: Metres(0.0),
            ..sub
        });
        assert!(under.feeder_look(&state, t).is_ok());
    }

    #[test]
    fn tr38821_slant_ranges() {
        let re = Metres(6_371e3);
        let el = Degrees(10.0).to_radians();
        let d600 = slant_range_spherical(re, Metres(600e3), el).km();
        let d1200 = slant_range_spherical(re, Metres(1200e3), el).km();
        let dgeo = slant_range_spherical(re, Metres(35_786e3), el).km();
        assert!((d600 - 1931.64).abs() < 0.01, "{d600}");
        assert!((d1200 - 3130.94).abs() < 0.01, "{d1200}");
        assert!((dgeo - 40_581.18).abs() < 0.01, "{dgeo}");
    }
}
