//! Broadcast satellite ephemeris of NR SIB19 / NTN-Config (TS 38.331 §6.3.2 EphemerisInfo)
//! and NB-IoT/eMTC SIB31 (TS 36.331 ServingSatelliteInfo): built from the true orbit,
//! quantised as the specs say, and propagated forward from the epoch the way a UE does.
//!
//! Two forms, identical in both specs:
//! * **state vector** in ECEF: position in 1.3 m steps, velocity in 0.06 m/s steps;
//! * **orbital parameters** (NIMA TR 8350.2): a = 6 500 000 m + n·4.249·10⁻³ m,
//!   e = n·1.431·10⁻⁸, ω, Ω, i, M in 2.341·10⁻⁸ rad steps, in the inertial frame whose axes
//!   coincide with ECEF at the epoch time.
//!
//! The UE-side propagators ([`UePropagator`]) are not specified by 3GPP; we offer the three a
//! terminal would choose from: linear extrapolation in ECEF, two-body (Kepler) and a J2
//! numerical integration. [`error_vs_age`] tabulates each against SGP4 truth.

use crate::frames::EarthOrientation;
use crate::frames::{EARTH_ROTATION_RAD_S, Ecef, SPEED_OF_LIGHT_MPS, StateVector};
use crate::geometry::{GroundSite, doppler_downlink};
use crate::satellite::{PropagationError, Satellite};
use crate::time::UtcTime;
use glam::DVec3;
use ntn_types::{Hz, MetresPerSecond};
use serde::{Deserialize, Serialize};
use std::f64::consts::{PI, TAU};

/// Earth's gravitational parameter of WGS-84 (NIMA TR 8350.2), m³/s².
pub const MU_WGS84_M3_S2: f64 = 3.986_004_418e14;
/// Second zonal harmonic J2 of WGS-84 (EGM96, unnormalised).
pub const J2_WGS84: f64 = 1.082_626_683_553_15e-3;
/// WGS-84 equatorial radius, m.
const RE_M: f64 = crate::frames::WGS84_A_M;

/// Position step of the state-vector form, m.
pub const POSITION_STEP_M: f64 = 1.3;
/// Velocity step of the state-vector form, m/s.
pub const VELOCITY_STEP_MPS: f64 = 0.06;
/// Semi-major-axis offset and step, m.
pub const SEMI_MAJOR_AXIS_OFFSET_M: f64 = 6_500_000.0;
/// Semi-major-axis step, m.
pub const SEMI_MAJOR_AXIS_STEP_M: f64 = 4.249e-3;
/// Eccentricity step.
pub const ECCENTRICITY_STEP: f64 = 1.431e-8;
/// Angle step, rad.
pub const ANGLE_STEP_RAD: f64 = 2.341e-8;

const POSITION_MAX: i64 = 33_554_431;
const VELOCITY_MAX: i64 = 131_071;
const SMA_MAX: u64 = 8_589_934_591;
const ECC_MAX: u32 = 1_048_575;
const ANGLE_MAX: u32 = 268_435_455;
const INCL_MAX: i32 = 67_108_863;

/// Why an ephemeris could not be encoded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EphemerisError {
    /// A value does not fit its field.
    #[error("{field}: {value} does not fit the field's range ({range})")]
    OutOfRange {
        /// The ASN.1 field.
        field: &'static str,
        /// The physical value.
        value: f64,
        /// The representable range.
        range: &'static str,
    },
    /// The orbit is not elliptic (or the state is degenerate).
    #[error("the state does not describe an elliptic orbit (e = {0})")]
    NotElliptic(f64),
    /// The truth could not be propagated.
    #[error(transparent)]
    Propagation(#[from] PropagationError),
}

/// The six state-vector fields (positionX…velocityVZ) as broadcast.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateVectorFields {
    /// positionX/Y/Z-r17, 1.3 m steps, ECEF.
    pub position: [i32; 3],
    /// velocityVX/VY/VZ-r17, 0.06 m/s steps, ECEF.
    pub velocity: [i32; 3],
}

/// The six orbital-parameter fields as broadcast.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrbitalFields {
    /// semiMajorAxis-r17: a = 6 500 000 m + value·4.249 mm.
    pub semi_major_axis: u64,
    /// eccentricity-r17, 1.431·10⁻⁸ steps.
    pub eccentricity: u32,
    /// periapsis-r17 (ω), 2.341·10⁻⁸ rad steps.
    pub periapsis: u32,
    /// longitude-r17 (Ω), 2.341·10⁻⁸ rad steps.
    pub longitude: u32,
    /// inclination-r17, 2.341·10⁻⁸ rad steps, −π/2…π/2. Retrograde orbits (i > 90°) are sent
    /// as a negative value meaning i = value·step + π (see [`OrbitalFields::inclination_rad`]).
    pub inclination: i32,
    /// anomaly-r17 / meanAnomaly-r17 (M at epoch), 2.341·10⁻⁸ rad steps.
    pub anomaly: u32,
}

/// Which form an ephemeris is broadcast in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "form", rename_all = "kebab-case")]
pub enum EphemerisFields {
    /// EphemerisStateVectors / positionVelocity.
    StateVector(StateVectorFields),
    /// EphemerisOrbitalParameters / orbital.
    Orbital(OrbitalFields),
}

/// Which form to build.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum EphemerisForm {
    /// ECEF state vector.
    StateVector,
    /// Orbital parameters.
    Orbital,
}

/// How the UE propagates the broadcast ephemeris from its epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum UePropagator {
    /// p(t) = p₀ + v₀·Δt in ECEF (what the simplest terminals do).
    Linear,
    /// Two-body motion in the inertial frame frozen at the epoch.
    Kepler,
    /// Two-body + J2 (WGS-84), RK4 integration with ≤ 10 s steps, inertial frame.
    J2,
}

/// Classical orbital elements (osculating), SI units and radians.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeplerElements {
    /// Semi-major axis, m.
    pub a_m: f64,
    /// Eccentricity.
    pub e: f64,
    /// Inclination, rad, [0, π].
    pub i_rad: f64,
    /// Right ascension (longitude) of the ascending node, rad.
    pub raan_rad: f64,
    /// Argument of periapsis, rad.
    pub argp_rad: f64,
    /// Mean anomaly, rad.
    pub m_rad: f64,
}

/// A broadcast ephemeris: the fields and the epoch they refer to.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ephemeris {
    /// epochTime (the start of the DL subframe it names), as UTC.
    pub epoch: UtcTime,
    /// The fields.
    pub fields: EphemerisFields,
}

fn quantise(
    field: &'static str,
    value: f64,
    step: f64,
    max: i64,
    range: &'static str,
) -> Result<i64, EphemerisError> {
    let q = (value / step).round();
    if !q.is_finite() || q < -(max as f64) - 1.0 || q > max as f64 {
        return Err(EphemerisError::OutOfRange {
            field,
            value,
            range,
        });
    }
    Ok(q as i64)
}

impl StateVectorFields {
    /// Quantise an ECEF state (rounded to the nearest step).
    pub fn from_state(s: &StateVector<Ecef>) -> Result<Self, EphemerisError> {
        const P: [&str; 3] = ["positionX-r17", "positionY-r17", "positionZ-r17"];
        const V: [&str; 3] = ["velocityVX-r17", "velocityVY-r17", "velocityVZ-r17"];
        let mut f = StateVectorFields {
            position: [0; 3],
            velocity: [0; 3],
        };
        for k in 0..3 {
            f.position[k] = quantise(
                P[k],
                s.r_m()[k],
                POSITION_STEP_M,
                POSITION_MAX,
                "±43 620 760 m",
            )? as i32;
            f.velocity[k] = quantise(
                V[k],
                s.v_mps()[k],
                VELOCITY_STEP_MPS,
                VELOCITY_MAX,
                "±7864.26 m/s",
            )? as i32;
        }
        Ok(f)
    }

    /// The ECEF state the fields stand for.
    pub fn to_state(&self) -> StateVector<Ecef> {
        let p = self.position.map(|x| x as f64 * POSITION_STEP_M);
        let v = self.velocity.map(|x| x as f64 * VELOCITY_STEP_MPS);
        StateVector::new(DVec3::from_array(p), DVec3::from_array(v))
    }
}

impl OrbitalFields {
    /// Quantise osculating elements.
    pub fn from_elements(k: &KeplerElements) -> Result<Self, EphemerisError> {
        let sma = ((k.a_m - SEMI_MAJOR_AXIS_OFFSET_M) / SEMI_MAJOR_AXIS_STEP_M).round();
        if !(0.0..=SMA_MAX as f64).contains(&sma) {
            return Err(EphemerisError::OutOfRange {
                field: "semiMajorAxis-r17",
                value: k.a_m,
                range: "6 500 000 … 42 998 636 m",
            });
        }
        let ecc = (k.e / ECCENTRICITY_STEP).round();
        if !(0.0..=ECC_MAX as f64).contains(&ecc) {
            return Err(EphemerisError::OutOfRange {
                field: "eccentricity-r17",
                value: k.e,
                range: "0 … 0.015005",
            });
        }
        let angle = |field: &'static str, rad: f64| -> Result<u32, EphemerisError> {
            let q = (rad.rem_euclid(TAU) / ANGLE_STEP_RAD).round();
            // 2π itself wraps to 0.
            let q = if q > ANGLE_MAX as f64 { 0.0 } else { q };
            if q < 0.0 {
                return Err(EphemerisError::OutOfRange {
                    field,
                    value: rad,
                    range: "0 … 2π",
                });
            }
            Ok(q as u32)
        };
        // i ≤ π/2 directly; a retrograde i is sent as the negative value i − π.
        let i_send = if k.i_rad > PI / 2.0 {
            k.i_rad - PI
        } else {
            k.i_rad
        };
        let incl = (i_send / ANGLE_STEP_RAD).round();
        if incl.is_nan() || incl.abs() > INCL_MAX as f64 {
            return Err(EphemerisError::OutOfRange {
                field: "inclination-r17",
                value: k.i_rad,
                range: "0 … π",
            });
        }
        Ok(OrbitalFields {
            semi_major_axis: sma as u64,
            eccentricity: ecc as u32,
            periapsis: angle("periapsis-r17", k.argp_rad)?,
            longitude: angle("longitude-r17", k.raan_rad)?,
            inclination: incl as i32,
            anomaly: angle("anomaly-r17", k.m_rad)?,
        })
    }

    /// Inclination in [0, π]: value·step, plus π for negative values (retrograde orbits).
    /// TS 38.331 / 36.331 V17.4.0 give only value·step (range ±π/2), which cannot carry a
    /// retrograde orbit; reading negative values as i − π keeps prograde orbits exactly as
    /// the text says and makes sun-synchronous LEOs representable.
    pub fn inclination_rad(&self) -> f64 {
        let v = self.inclination as f64 * ANGLE_STEP_RAD;
        if v < 0.0 { v + PI } else { v }
    }

    /// The elements the fields stand for.
    pub fn to_elements(&self) -> KeplerElements {
        KeplerElements {
            a_m: SEMI_MAJOR_AXIS_OFFSET_M + self.semi_major_axis as f64 * SEMI_MAJOR_AXIS_STEP_M,
            e: self.eccentricity as f64 * ECCENTRICITY_STEP,
            i_rad: self.inclination_rad(),
            raan_rad: self.longitude as f64 * ANGLE_STEP_RAD,
            argp_rad: self.periapsis as f64 * ANGLE_STEP_RAD,
            m_rad: self.anomaly as f64 * ANGLE_STEP_RAD,
        }
    }
}

/// Inertial state (axes of ECEF frozen at the epoch) from an ECEF state at the epoch.
fn ecef_to_epoch_inertial(s: &StateVector<Ecef>) -> (DVec3, DVec3) {
    let w = DVec3::new(0.0, 0.0, EARTH_ROTATION_RAD_S);
    (s.r_m(), s.v_mps() + w.cross(s.r_m()))
}

/// ECEF state Δt after the epoch from the inertial state at that time.
fn epoch_inertial_to_ecef(r: DVec3, v: DVec3, dt_s: f64) -> StateVector<Ecef> {
    let th = EARTH_ROTATION_RAD_S * dt_s;
    let (s, c) = th.sin_cos();
    let rot = |x: DVec3| DVec3::new(c * x.x + s * x.y, -s * x.x + c * x.y, x.z);
    let re = rot(r);
    let w = DVec3::new(0.0, 0.0, EARTH_ROTATION_RAD_S);
    StateVector::new(re, rot(v) - w.cross(re))
}

impl KeplerElements {
    /// Osculating elements of an inertial state (two-body, μ of WGS-84).
    pub fn from_state(r: DVec3, v: DVec3) -> Result<Self, EphemerisError> {
        let mu = MU_WGS84_M3_S2;
        let rn = r.length();
        let h = r.cross(v);
        let hn = h.length();
        let n = DVec3::new(-h.y, h.x, 0.0);
        let nn = n.length();
        let e_vec = (v.cross(h)) / mu - r / rn;
        let e = e_vec.length();
        let energy = v.length_squared() / 2.0 - mu / rn;
        if e.is_nan() || e >= 1.0 || energy >= 0.0 || hn == 0.0 {
            return Err(EphemerisError::NotElliptic(e));
        }
        let a = -mu / (2.0 * energy);
        let i = (h.z / hn).clamp(-1.0, 1.0).acos();
        let raan = if nn > 1e-9 {
            n.y.atan2(n.x).rem_euclid(TAU)
        } else {
            0.0
        };
        // Argument of periapsis and true anomaly; circular/equatorial limits use the node or
        // the x axis as reference so the sum stays right.
        let (argp, nu) = if e > 1e-11 {
            let argp = if nn > 1e-9 {
                let c = (n.dot(e_vec) / (nn * e)).clamp(-1.0, 1.0);
                let a = c.acos();
                if e_vec.z < 0.0 { TAU - a } else { a }
            } else {
                let a = e_vec.y.atan2(e_vec.x);
                if h.z < 0.0 { TAU - a } else { a }
            };
            let c = (e_vec.dot(r) / (e * rn)).clamp(-1.0, 1.0);
            let nu = if r.dot(v) < 0.0 {
                TAU - c.acos()
            } else {
                c.acos()
            };
            (argp.rem_euclid(TAU), nu)
        } else {
            let u = if nn > 1e-9 {
                let c = (n.dot(r) / (nn * rn)).clamp(-1.0, 1.0);
                if r.z < 0.0 { TAU - c.acos() } else { c.acos() }
            } else {
                r.y.atan2(r.x)
            };
            (0.0, u.rem_euclid(TAU))
        };
        let ea = 2.0 * (((1.0 - e) / (1.0 + e)).sqrt() * (nu / 2.0).tan()).atan();
        let m = (ea - e * ea.sin()).rem_euclid(TAU);
        Ok(KeplerElements {
            a_m: a,
            e,
            i_rad: i,
            raan_rad: raan,
            argp_rad: argp,
            m_rad: m,
        })
    }

    /// Inertial position and velocity Δt after the elements' epoch (two-body).
    pub fn state_at(&self, dt_s: f64) -> (DVec3, DVec3) {
        let mu = MU_WGS84_M3_S2;
        let a = self.a_m;
        let e = self.e;
        let n = (mu / (a * a * a)).sqrt();
        let m = (self.m_rad + n * dt_s).rem_euclid(TAU);
        // Kepler's equation E − e sin E = M by Newton.
        let mut ea = if e < 0.8 { m } else { PI };
        for _ in 0..30 {
            let f = ea - e * ea.sin() - m;
            let step = f / (1.0 - e * ea.cos());
            ea -= step;
            if step.abs() < 1e-15 {
                break;
            }
        }
        let (se, ce) = ea.sin_cos();
        let b = a * (1.0 - e * e).sqrt();
        let r_pf = DVec3::new(a * (ce - e), b * se, 0.0);
        let edot = n / (1.0 - e * ce);
        let v_pf = DVec3::new(-a * se * edot, b * ce * edot, 0.0);
        let rot = |x: DVec3| {
            let (so, co) = self.raan_rad.sin_cos();
            let (si, ci) = self.i_rad.sin_cos();
            let (sw, cw) = self.argp_rad.sin_cos();
            DVec3::new(
                (co * cw - so * sw * ci) * x.x + (-co * sw - so * cw * ci) * x.y,
                (so * cw + co * sw * ci) * x.x + (-so * sw + co * cw * ci) * x.y,
                (sw * si) * x.x + (cw * si) * x.y,
            )
        };
        (rot(r_pf), rot(v_pf))
    }
}

fn j2_accel(r: DVec3) -> DVec3 {
    let mu = MU_WGS84_M3_S2;
    let rn2 = r.length_squared();
    let rn = rn2.sqrt();
    let z2 = r.z * r.z / rn2;
    let k = 1.5 * J2_WGS84 * mu * RE_M * RE_M / (rn2 * rn2 * rn);
    -mu * r / (rn2 * rn)
        + DVec3::new(
            k * r.x * (5.0 * z2 - 1.0),
            k * r.y * (5.0 * z2 - 1.0),
            k * r.z * (5.0 * z2 - 3.0),
        )
}

fn integrate_j2(mut r: DVec3, mut v: DVec3, dt_s: f64) -> (DVec3, DVec3) {
    let steps = (dt_s.abs() / 10.0).ceil().max(1.0) as usize;
    let h = dt_s / steps as f64;
    for _ in 0..steps {
        let k1v = j2_accel(r);
        let k1r = v;
        let k2v = j2_accel(r + 0.5 * h * k1r);
        let k2r = v + 0.5 * h * k1v;
        let k3v = j2_accel(r + 0.5 * h * k2r);
        let k3r = v + 0.5 * h * k2v;
        let k4v = j2_accel(r + h * k3r);
        let k4r = v + h * k3v;
        r += h / 6.0 * (k1r + 2.0 * k2r + 2.0 * k3r + k4r);
        v += h / 6.0 * (k1v + 2.0 * k2v + 2.0 * k3v + k4v);
    }
    (r, v)
}

impl Ephemeris {
    /// Build the broadcast ephemeris of `sat` at `epoch` from the true (SGP4) orbit.
    pub fn from_truth(
        sat: &Satellite,
        epoch: UtcTime,
        form: EphemerisForm,
        eop: &EarthOrientation,
    ) -> Result<Self, EphemerisError> {
        let truth = sat.state_ecef(epoch, eop)?;
        let fields = match form {
            EphemerisForm::StateVector => {
                EphemerisFields::StateVector(StateVectorFields::from_state(&truth)?)
            }
            EphemerisForm::Orbital => {
                let (r, v) = ecef_to_epoch_inertial(&truth);
                EphemerisFields::Orbital(OrbitalFields::from_elements(
                    &KeplerElements::from_state(r, v)?,
                )?)
            }
        };
        Ok(Ephemeris { epoch, fields })
    }

    /// The ECEF state a UE computes at `t` with `model`.
    pub fn propagate(
        &self,
        t: UtcTime,
        model: UePropagator,
    ) -> Result<StateVector<Ecef>, EphemerisError> {
        let dt = t.secs_since(self.epoch);
        match (&self.fields, model) {
            (EphemerisFields::StateVector(f), UePropagator::Linear) => {
                let s = f.to_state();
                Ok(StateVector::new(s.r_m() + s.v_mps() * dt, s.v_mps()))
            }
            (EphemerisFields::StateVector(f), UePropagator::Kepler) => {
                let (r, v) = ecef_to_epoch_inertial(&f.to_state());
                let (r, v) = KeplerElements::from_state(r, v)?.state_at(dt);
                Ok(epoch_inertial_to_ecef(r, v, dt))
            }
            (EphemerisFields::StateVector(f), UePropagator::J2) => {
                let (r, v) = ecef_to_epoch_inertial(&f.to_state());
                let (r, v) = integrate_j2(r, v, dt);
                Ok(epoch_inertial_to_ecef(r, v, dt))
            }
            (EphemerisFields::Orbital(f), UePropagator::Linear) => {
                let (r, v) = f.to_elements().state_at(0.0);
                let s0 = epoch_inertial_to_ecef(r, v, 0.0);
                Ok(StateVector::new(s0.r_m() + s0.v_mps() * dt, s0.v_mps()))
            }
            (EphemerisFields::Orbital(f), UePropagator::Kepler) => {
                let (r, v) = f.to_elements().state_at(dt);
                Ok(epoch_inertial_to_ecef(r, v, dt))
            }
            (EphemerisFields::Orbital(f), UePropagator::J2) => {
                let (r, v) = f.to_elements().state_at(0.0);
                let (r, v) = integrate_j2(r, v, dt);
                Ok(epoch_inertial_to_ecef(r, v, dt))
            }
        }
    }
}

/// One row of the ephemeris-error table: the worst and RMS errors over the sampled epochs at
/// one age.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgeErrorRow {
    /// Broadcast form.
    pub form: EphemerisForm,
    /// UE propagator.
    pub model: UePropagator,
    /// Age of the ephemeris (time since its epoch), s.
    pub age_s: f64,
    /// RMS position error, m.
    pub pos_rms_m: f64,
    /// Worst position error, m.
    pub pos_max_m: f64,
    /// Worst velocity error, m/s.
    pub vel_max_mps: f64,
    /// Worst one-way service-link delay error at the terminal, s.
    pub delay_max_s: f64,
    /// Worst downlink Doppler error at the terminal and carrier, Hz.
    pub doppler_max_hz: f64,
}

/// What [`error_vs_age`] measures.
#[derive(Clone, Copy, Debug)]
pub struct AgeErrorSpec<'a> {
    /// The terminal whose delay and Doppler errors are reported.
    pub ue: GroundSite,
    /// Downlink carrier for the Doppler error.
    pub f_c: Hz,
    /// Epochs at which an ephemeris is built from the truth.
    pub epochs: &'a [UtcTime],
    /// Ages (seconds after each epoch) at which it is compared with the truth.
    pub ages_s: &'a [f64],
    /// Broadcast form.
    pub form: EphemerisForm,
    /// UE propagator.
    pub model: UePropagator,
    /// Earth orientation parameters.
    pub eop: EarthOrientation,
}

/// Ephemeris error against SGP4 truth as a function of age: for each epoch, the ephemeris is
/// built (quantised) from the truth, propagated by the UE model to epoch + age, and compared
/// with the truth there; the delay and Doppler errors are those the terminal would make.
pub fn error_vs_age(
    sat: &Satellite,
    spec: &AgeErrorSpec<'_>,
) -> Result<Vec<AgeErrorRow>, EphemerisError> {
    let AgeErrorSpec {
        ue,
        f_c,
        epochs,
        ages_s,
        form,
        model,
        ref eop,
    } = *spec;
    let ephs: Vec<Ephemeris> = epochs
        .iter()
        .map(|&e| Ephemeris::from_truth(sat, e, form, eop))
        .collect::<Result<_, _>>()?;
    let mut rows = Vec::with_capacity(ages_s.len());
    for &age in ages_s {
        let (mut sum2, mut pmax, mut vmax, mut dmax, mut fmax) =
            (0.0, 0.0f64, 0.0f64, 0.0f64, 0.0f64);
        for eph in &ephs {
            let t = eph.epoch.add_secs(age);
            let truth = sat.state_ecef(t, eop)?;
            let ue_view = eph.propagate(t, model)?;
            let dp = (ue_view.r_m() - truth.r_m()).length();
            sum2 += dp * dp;
            pmax = pmax.max(dp);
            vmax = vmax.max((ue_view.v_mps() - truth.v_mps()).length());
            let lt = ue.look(&truth);
            let lu = ue.look(&ue_view);
            dmax = dmax.max((lu.range.m() - lt.range.m()).abs() / SPEED_OF_LIGHT_MPS);
            let fd = |rr: f64| doppler_downlink(MetresPerSecond(rr), f_c).hz();
            fmax = fmax.max((fd(lu.range_rate.mps()) - fd(lt.range_rate.mps())).abs());
        }
        rows.push(AgeErrorRow {
            form,
            model,
            age_s: age,
            pos_rms_m: (sum2 / ephs.len().max(1) as f64).sqrt(),
            pos_max_m: pmax,
            vel_max_mps: vmax,
            delay_max_s: dmax,
            doppler_max_hz: fmax,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sat() -> Satellite {
        crate::satellite::test_iss()
    }

    #[test]
    fn field_extremes() {
        let s = StateVector::<Ecef>::new(
            DVec3::splat(33_554_431.0 * 1.3),
            DVec3::splat(131_071.0 * 0.06),
        );
        let f = StateVectorFields::from_state(&s).unwrap();
        assert_eq!(f.position, [33_554_431; 3]);
        assert_eq!(f.velocity, [131_071; 3]);
        assert!((f.to_state().r_m().x - 43_620_760.3).abs() < 0.01);
        let too_far = StateVector::<Ecef>::new(DVec3::new(5e7, 0.0, 0.0), DVec3::ZERO);
        let e = StateVectorFields::from_state(&too_far).unwrap_err();
        assert!(e.to_string().contains("positionX-r17"));
    }

    #[test]
    fn kepler_round_trip_and_retrograde_inclination() {
        let k = KeplerElements {
            a_m: 7_000e3,
            e: 0.001,
            i_rad: 98.6f64.to_radians(),
            raan_rad: 1.0,
            argp_rad: 2.0,
            m_rad: 3.0,
        };
        let (r, v) = k.state_at(0.0);
        let back = KeplerElements::from_state(r, v).unwrap();
        assert!((back.a_m - k.a_m).abs() < 1e-4);
        assert!((back.e - k.e).abs() < 1e-12);
        assert!((back.i_rad - k.i_rad).abs() < 1e-12);
        assert!((back.raan_rad - k.raan_rad).abs() < 1e-12);
        assert!(((back.argp_rad + back.m_rad) - (k.argp_rad + k.m_rad)).abs() < 1e-9);
        let f = OrbitalFields::from_elements(&k).unwrap();
        assert!(f.inclination < 0);
        assert!((f.to_elements().i_rad - k.i_rad).abs() < 2.341e-8);
        // A Molniya eccentricity does not fit the field.
        let m = KeplerElements { e: 0.7, ..k };
        assert!(matches!(
            OrbitalFields::from_elements(&m),
            Err(EphemerisError::OutOfRange {
                field: "eccentricity-r17",
                ..
            })
        ));
    }

    #[test]
    fn fresh_ephemeris_is_within_quantisation() {
        let s = sat();
        let eop = EarthOrientation::default();
        let epoch: UtcTime = "2020-07-13T00:00:00Z".parse().unwrap();
        let truth = s.state_ecef(epoch, &eop).unwrap();
        for form in [EphemerisForm::StateVector, EphemerisForm::Orbital] {
            let e = Ephemeris::from_truth(&s, epoch, form, &eop).unwrap();
            for model in [UePropagator::Linear, UePropagator::Kepler, UePropagator::J2] {
                let p = e.propagate(epoch, model).unwrap();
                let d = (p.r_m() - truth.r_m()).length();
                // 1.3 m steps → ≤ 1.13 m; orbital steps → a few cm to ~0.3 m.
                assert!(d < 1.2, "{form:?} {model:?}: {d} m");
            }
        }
    }

    #[test]
    fn j2_beats_kepler_beats_linear_at_ten_minutes() {
        let s = sat();
        let eop = EarthOrientation::default();
        let ue = GroundSite::from_degrees(48.14, 11.58, 520.0);
        let epochs: Vec<UtcTime> = (0..6)
            .map(|k| {
                "2020-07-13T00:00:00Z"
                    .parse::<UtcTime>()
                    .unwrap()
                    .add_secs(k as f64 * 900.0)
            })
            .collect();
        let err = |model| {
            let spec = AgeErrorSpec {
                ue,
                f_c: Hz(2e9),
                epochs: &epochs,
                ages_s: &[600.0],
                form: EphemerisForm::StateVector,
                model,
                eop,
            };
            error_vs_age(&s, &spec).unwrap()[0].pos_max_m
        };
        let (lin, kep, j2) = (
            err(UePropagator::Linear),
            err(UePropagator::Kepler),
            err(UePropagator::J2),
        );
        assert!(
            lin > 100e3 && kep < lin / 10.0 && j2 < kep / 3.0,
            "{lin} {kep} {j2}"
        );
    }
}
