//! Reference frames with the frame in the type: [`Position<Teme>`], [`Position<Ecef>`],
//! [`StateVector`], [`Geodetic`], and the rotations between them.
//!
//! * **TEME** — true equator, mean equinox of date: the output frame of SGP4.
//! * **ECEF** — Earth-centred, Earth-fixed. Without polar motion this is the pseudo-Earth-fixed
//!   frame (PEF); with the pole offsets `xp`, `yp` it is ITRF.
//!
//! TEME → PEF is the rotation by GMST-1982 about z (Vallado, Crawford, Hujsak, Kelso,
//! *Revisiting Spacetrack Report #3*, AIAA 2006-6753, §"TEME"), velocity corrected by ω⊕ × r.
//! All positions in metres, velocities in metres per second.

use crate::time::{UtcTime, gmst82_unreduced};
use glam::{DMat3, DVec3};
use ntn_types::{Metres, Radians};
use serde::{Deserialize, Serialize};
use std::marker::PhantomData;

/// Earth's nominal rotation rate, rad/s (IERS / WGS-84 ω⊕ = 7.292115·10⁻⁵; the 1982 value
/// 7.29211514670698·10⁻⁵ used with GMST-82 is taken here).
pub const EARTH_ROTATION_RAD_S: f64 = 7.292_115_146_706_98e-5;
/// WGS-84 semi-major axis, m.
pub const WGS84_A_M: f64 = 6_378_137.0;
/// WGS-84 flattening.
pub const WGS84_F: f64 = 1.0 / 298.257_223_563;
/// Speed of light in vacuum, m/s.
pub const SPEED_OF_LIGHT_MPS: f64 = 299_792_458.0;

/// Marker: true equator, mean equinox (the SGP4 output frame), quasi-inertial.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Teme;
/// Marker: Earth-centred Earth-fixed (PEF, or ITRF when polar motion is applied).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ecef;

/// A Cartesian position in frame `F`, metres.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Position<F> {
    xyz_m: DVec3,
    #[serde(skip)]
    frame: PhantomData<F>,
}

/// A Cartesian velocity in frame `F`, metres per second.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Velocity<F> {
    xyz_mps: DVec3,
    #[serde(skip)]
    frame: PhantomData<F>,
}

impl<F> Position<F> {
    /// From x, y, z in metres.
    pub const fn new(xyz_m: DVec3) -> Self {
        Position {
            xyz_m,
            frame: PhantomData,
        }
    }
    /// The coordinates in metres.
    pub const fn xyz_m(&self) -> DVec3 {
        self.xyz_m
    }
    /// Distance to another position in the same frame.
    pub fn distance_to(&self, other: &Position<F>) -> Metres {
        Metres(self.xyz_m.distance(other.xyz_m))
    }
    /// Distance from the Earth's centre.
    pub fn radius(&self) -> Metres {
        Metres(self.xyz_m.length())
    }
}

impl<F> Velocity<F> {
    /// From x, y, z in metres per second.
    pub const fn new(xyz_mps: DVec3) -> Self {
        Velocity {
            xyz_mps,
            frame: PhantomData,
        }
    }
    /// The components in metres per second.
    pub const fn xyz_mps(&self) -> DVec3 {
        self.xyz_mps
    }
}

/// Position and velocity in frame `F`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct StateVector<F> {
    /// Position, m.
    pub position: Position<F>,
    /// Velocity, m/s.
    pub velocity: Velocity<F>,
}

impl<F> StateVector<F> {
    /// From position (m) and velocity (m/s) vectors.
    pub const fn new(r_m: DVec3, v_mps: DVec3) -> Self {
        StateVector {
            position: Position::new(r_m),
            velocity: Velocity::new(v_mps),
        }
    }
    /// Position vector, m.
    pub const fn r_m(&self) -> DVec3 {
        self.position.xyz_m
    }
    /// Velocity vector, m/s.
    pub const fn v_mps(&self) -> DVec3 {
        self.velocity.xyz_mps
    }
}

/// Earth orientation parameters for TEME ↔ ITRF. `Default` is all zero (UT1 = UTC, no polar
/// motion, nominal rotation rate): up to 0.9 s of Earth angle (≈ 400 m at the equator) and
/// ≈ 15 m of pole away from the truth. Real values at an instant come from an IERS table:
/// [`crate::eop::EopTable::at`] (the bundled one is what every `ntn` command uses by default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EarthOrientation {
    /// UT1 − UTC, seconds (|ΔUT1| < 0.9 s), from IERS Bulletin A/B.
    pub dut1_s: f64,
    /// Polar motion x_p, radians.
    pub xp_rad: f64,
    /// Polar motion y_p, radians.
    pub yp_rad: f64,
    /// Excess length of day, seconds (scales Earth's rotation rate; usually ~1 ms).
    pub lod_s: f64,
}

/// The rotation TEME → ECEF at one instant, precomputed for repeated use.
#[derive(Clone, Copy, Debug)]
pub struct TemeToEcef {
    /// r_ecef = m · r_teme.
    m: DMat3,
    /// Rotation rate vector in ECEF axes, rad/s.
    omega: DVec3,
}

impl TemeToEcef {
    /// The rotation at UTC `t` with Earth orientation `eop`.
    pub fn at(t: UtcTime, eop: &EarthOrientation) -> Self {
        let theta = gmst_at(t, eop.dut1_s);
        TemeToEcef::from_gmst(theta, eop)
    }

    /// The rotation for a given GMST angle (rad) and pole offsets.
    pub fn from_gmst(theta_rad: f64, eop: &EarthOrientation) -> Self {
        let (s, c) = theta_rad.sin_cos();
        TemeToEcef::from_sin_cos(s, c, eop)
    }

    /// The rotation from sin θ and cos θ of the GMST angle, and pole offsets.
    #[inline]
    pub fn from_sin_cos(s: f64, c: f64, eop: &EarthOrientation) -> Self {
        // r_pef = R3(θ)·r_teme (columns given).
        let r3 = DMat3::from_cols(
            DVec3::new(c, -s, 0.0),
            DVec3::new(s, c, 0.0),
            DVec3::new(0.0, 0.0, 1.0),
        );
        let m = if eop.xp_rad == 0.0 && eop.yp_rad == 0.0 {
            r3
        } else {
            polar_motion_pef_to_itrf(eop.xp_rad, eop.yp_rad) * r3
        };
        let omega = DVec3::new(
            0.0,
            0.0,
            EARTH_ROTATION_RAD_S * (1.0 - eop.lod_s / 86_400.0),
        );
        TemeToEcef { m, omega }
    }

    /// Rotate a TEME state to ECEF (velocity relative to the rotating Earth).
    #[inline]
    pub fn state(&self, s: &StateVector<Teme>) -> StateVector<Ecef> {
        let r = self.m * s.r_m();
        // v_pef = R3(θ)·v_teme − ω × r_pef. Polar motion is ~1e-6 rad: applying it to the
        // PEF velocity through the same matrix is exact to ~1e-12 relative.
        let v = self.m * s.v_mps() - self.omega.cross(r);
        StateVector::new(r, v)
    }

    /// Rotate an ECEF state to TEME (inverse of [`TemeToEcef::state`]).
    #[inline]
    pub fn inverse_state(&self, s: &StateVector<Ecef>) -> StateVector<Teme> {
        let mt = self.m.transpose();
        let r = mt * s.r_m();
        let v = mt * (s.v_mps() + self.omega.cross(s.r_m()));
        StateVector::new(r, v)
    }

    /// Rotate an ECEF position to TEME.
    #[inline]
    pub fn inverse_position(&self, p: &Position<Ecef>) -> Position<Teme> {
        Position::new(self.m.transpose() * p.xyz_m())
    }
}

/// GMST-82 (rad) at UTC `t` given UT1 − UTC in seconds.
/// Not reduced to [0, 2π): meant for sin/cos (see [`crate::time::gmst82`] for the reduced
/// angle).
pub fn gmst_at(t: UtcTime, dut1_s: f64) -> f64 {
    gmst82_unreduced(t.days_since_j2000() + dut1_s / 86_400.0)
}

/// The polar-motion matrix W^T (PEF → ITRF), Vallado eq. 3-77, full rotation form.
fn polar_motion_pef_to_itrf(xp: f64, yp: f64) -> DMat3 {
    let (sx, cx) = xp.sin_cos();
    let (sy, cy) = yp.sin_cos();
    // r_itrf = Wᵀ·r_pef; the rows of Wᵀ are written below, hence the transpose.
    DMat3::from_cols(
        DVec3::new(cx, sx * sy, sx * cy),
        DVec3::new(0.0, cy, -sy),
        DVec3::new(-sx, cx * sy, cx * cy),
    )
    .transpose()
}

/// A WGS-84 geodetic position.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Geodetic {
    /// Geodetic latitude, rad, in [−π/2, π/2].
    pub lat: Radians,
    /// Longitude, rad, east positive, in (−π, π].
    pub lon: Radians,
    /// Height above the ellipsoid, m.
    pub height: Metres,
}

impl Geodetic {
    /// From degrees and metres.
    pub fn from_degrees(lat_deg: f64, lon_deg: f64, height_m: f64) -> Self {
        Geodetic {
            lat: Radians(lat_deg.to_radians()),
            lon: Radians(lon_deg.to_radians()),
            height: Metres(height_m),
        }
    }

    /// Latitude in degrees.
    pub fn lat_deg(&self) -> f64 {
        self.lat.0.to_degrees()
    }

    /// Longitude in degrees.
    pub fn lon_deg(&self) -> f64 {
        self.lon.0.to_degrees()
    }

    /// ECEF position of this point.
    pub fn to_ecef(&self) -> Position<Ecef> {
        let e2 = WGS84_F * (2.0 - WGS84_F);
        let (sl, cl) = self.lat.0.sin_cos();
        let (so, co) = self.lon.0.sin_cos();
        let n = WGS84_A_M / (1.0 - e2 * sl * sl).sqrt();
        let h = self.height.0;
        Position::new(DVec3::new(
            (n + h) * cl * co,
            (n + h) * cl * so,
            (n * (1.0 - e2) + h) * sl,
        ))
    }

    /// The geodetic coordinates of an ECEF position (iterative, converged to < 1 µm).
    pub fn from_ecef(p: &Position<Ecef>) -> Self {
        let e2 = WGS84_F * (2.0 - WGS84_F);
        let r = p.xyz_m();
        let rho = (r.x * r.x + r.y * r.y).sqrt();
        let lon = r.y.atan2(r.x);
        if rho < 1e-9 {
            let b = WGS84_A_M * (1.0 - WGS84_F);
            let lat = if r.z >= 0.0 {
                std::f64::consts::FRAC_PI_2
            } else {
                -std::f64::consts::FRAC_PI_2
            };
            return Geodetic {
                lat: Radians(lat),
                lon: Radians(0.0),
                height: Metres(r.z.abs() - b),
            };
        }
        // Fixed-point on latitude: φ = atan((z + e²N sinφ)/ρ); converges quadratically-ish.
        let mut lat = r.z.atan2(rho * (1.0 - e2));
        let mut n = WGS84_A_M;
        for _ in 0..8 {
            let sl = lat.sin();
            n = WGS84_A_M / (1.0 - e2 * sl * sl).sqrt();
            let next = (r.z + e2 * n * sl).atan2(rho);
            let done = (next - lat).abs() < 1e-14;
            lat = next;
            if done {
                break;
            }
        }
        let (sl, cl) = lat.sin_cos();
        let height = if cl.abs() > 1e-3 {
            rho / cl - n
        } else {
            r.z / sl - n * (1.0 - e2)
        };
        Geodetic {
            lat: Radians(lat),
            lon: Radians(lon),
            height: Metres(height),
        }
    }

    /// The local east/north/up unit vectors in ECEF axes.
    pub fn enu_axes(&self) -> [DVec3; 3] {
        let (sl, cl) = self.lat.0.sin_cos();
        let (so, co) = self.lon.0.sin_cos();
        [
            DVec3::new(-so, co, 0.0),
            DVec3::new(-sl * co, -sl * so, cl),
            DVec3::new(cl * co, cl * so, sl),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geodetic_round_trip() {
        for &(lat, lon, h) in &[
            (48.1351, 11.582, 520.0),
            (-33.87, 151.21, 10.0),
            (89.9999, -45.0, 3000.0),
            (0.0, 0.0, 0.0),
            (-90.0, 0.0, -10.0),
            (10.0, 179.9, 600_000.0),
        ] {
            let g = Geodetic::from_degrees(lat, lon, h);
            let back = Geodetic::from_ecef(&g.to_ecef());
            assert!(
                (back.lat_deg() - lat).abs() < 1e-10,
                "{lat} {}",
                back.lat_deg()
            );
            if lat.abs() < 90.0 {
                assert!((back.lon_deg() - lon).abs() < 1e-10);
            }
            assert!(
                (back.height.m() - h).abs() < 1e-6,
                "{h} {}",
                back.height.m()
            );
        }
    }

    #[test]
    fn equator_point() {
        let p = Geodetic::from_degrees(0.0, 90.0, 0.0).to_ecef();
        assert!((p.xyz_m() - DVec3::new(0.0, WGS84_A_M, 0.0)).length() < 1e-6);
    }

    #[test]
    fn teme_ecef_round_trip_and_vallado_example() {
        // Vallado (AIAA 2006-6753) example: TEME r = (5094.18016210, 6127.64465950,
        // 6380.34453270) km on 2004-04-06 07:51:28.386009 UTC, ΔUT1 = −0.4399619 s,
        // xp = −0.140682″, yp = 0.333309″, LOD = 1.5563 ms →
        // ITRF r = (−1033.4793830, 7901.2952754, 6380.3565958) km.
        let t = UtcTime::from_calendar(2004, 4, 6, 7, 51, 28.386_009).unwrap();
        let arcsec = std::f64::consts::PI / (180.0 * 3600.0);
        let eop = EarthOrientation {
            dut1_s: -0.439_961_9,
            xp_rad: -0.140_682 * arcsec,
            yp_rad: 0.333_309 * arcsec,
            lod_s: 0.001_556_3,
        };
        let teme = StateVector::<Teme>::new(
            DVec3::new(5_094.180_162_1, 6_127.644_659_5, 6_380.344_532_7) * 1e3,
            DVec3::new(-4.746_131_487, 0.785_818_041, 5.531_931_288) * 1e3,
        );
        let rot = TemeToEcef::at(t, &eop);
        let ecef = rot.state(&teme);
        let want_r = DVec3::new(-1_033.479_383, 7_901.295_275_4, 6_380.356_595_8) * 1e3;
        let want_v = DVec3::new(-3.225_636_520, -2.872_451_450, 5.531_924_446) * 1e3;
        assert!(
            (ecef.r_m() - want_r).length() < 0.5,
            "{:?}",
            ecef.r_m() - want_r
        );
        assert!(
            (ecef.v_mps() - want_v).length() < 1e-3,
            "{:?}",
            ecef.v_mps() - want_v
        );
        let back = rot.inverse_state(&ecef);
        assert!((back.r_m() - teme.r_m()).length() < 1e-6);
        assert!((back.v_mps() - teme.v_mps()).length() < 1e-9);
    }
}
