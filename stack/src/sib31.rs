//! SIB31-NB (`ServingSatelliteInfo-r17`, decoded by `ntn-rrc`) in the units of `ntn_orbit`,
//! converted exactly. It lives here because layer crates (rrc, orbit) do not depend on each
//! other; the stack is where they meet.
//!
//! The ASN.1 fields are integers in spec steps and `ntn_orbit` keeps the same integers
//! ([`StateVectorFields`], [`OrbitalFields`], [`CommonTaFields`], [`EpochTime`]), so the
//! conversion is a relabelling with range checks, no rounding. TS 36.331 field descriptions:
//! absent nta-Common, nta-CommonDrift and nta-CommonDriftVariation mean 0; absent k-Mac means 0;
//! absent epochTime means the end of the SI window that carried SIB31 (kept as `None`).

use ntn_orbit::ephemeris::{EphemerisFields, OrbitalFields, StateVectorFields};
use ntn_orbit::timing::{CommonTaFields, EpochTime};
use ntn_rrc::asn1::{
    EphemerisOrbitalParametersR17, EphemerisStateVectorsR17, PositionStateVectorR17,
    ServingSatelliteInfoR17, ServingSatelliteInfoR17EphemerisInfoR17,
    ServingSatelliteInfoR17EpochTimeR17, ServingSatelliteInfoR17NtaCommonParameters17,
    ServingSatelliteInfoR17UlSyncValidityDurationR17 as UlSync, SystemInformationBlockType31NBR17,
    VelocityStateVectorR17,
};

/// A value that does not fit its SIB31 field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{field} = {value} is outside {min}..={max}")]
pub struct Sib31Error {
    /// The ASN.1 field name.
    pub field: &'static str,
    /// The offending value.
    pub value: i64,
    /// Lowest allowed value.
    pub min: i64,
    /// Highest allowed value.
    pub max: i64,
}

fn check(field: &'static str, value: i64, min: i64, max: i64) -> Result<i64, Sib31Error> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(Sib31Error {
            field,
            value,
            min,
            max,
        })
    }
}

/// ul-SyncValidityDuration-r17: how long (from epochTime) the ephemeris and common TA stay valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UlSyncValidity(UlSync);

impl UlSyncValidity {
    const TABLE: [(UlSync, u16); 16] = [
        (UlSync::S5, 5),
        (UlSync::S10, 10),
        (UlSync::S15, 15),
        (UlSync::S20, 20),
        (UlSync::S25, 25),
        (UlSync::S30, 30),
        (UlSync::S35, 35),
        (UlSync::S40, 40),
        (UlSync::S45, 45),
        (UlSync::S50, 50),
        (UlSync::S55, 55),
        (UlSync::S60, 60),
        (UlSync::S120, 120),
        (UlSync::S180, 180),
        (UlSync::S240, 240),
        (UlSync::S900, 900),
    ];

    /// The duration in seconds.
    pub fn seconds(self) -> u16 {
        Self::TABLE
            .iter()
            .find(|(e, _)| *e == self.0)
            .map_or(0, |(_, s)| *s)
    }

    /// The code point for a duration of exactly `seconds`, if the spec has one.
    pub fn from_seconds(seconds: u16) -> Option<Self> {
        Self::TABLE
            .iter()
            .find(|(_, s)| *s == seconds)
            .map(|(e, _)| Self(*e))
    }
}

/// ServingSatelliteInfo-r17 (SIB31-NB) with the `ntn_orbit` field types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServingSatellite {
    /// ephemerisInfo-r17 in either form.
    pub ephemeris: EphemerisFields,
    /// nta-Common / nta-CommonDrift / nta-CommonDriftVariation (absent = 0).
    pub common_ta: CommonTaFields,
    /// ul-SyncValidityDuration-r17.
    pub ul_sync_validity: UlSyncValidity,
    /// epochTime-r17; `None`: the end of the SI window that carried SIB31.
    pub epoch: Option<EpochTime>,
    /// k-Offset-r17 in ms (0…1023).
    pub k_offset_ms: u16,
    /// k-Mac-r17 in ms (1…512); `None` means 0.
    pub k_mac_ms: Option<u16>,
}

impl ServingSatellite {
    /// Reads the generated ASN.1 value. Infallible: every field range of the ASN.1 type fits.
    pub fn from_asn(info: &ServingSatelliteInfoR17) -> Self {
        let ephemeris = match &info.ephemeris_info_r17 {
            ServingSatelliteInfoR17EphemerisInfoR17::StateVectors(sv) => {
                EphemerisFields::StateVector(StateVectorFields {
                    position: [
                        sv.position_x_r17.0,
                        sv.position_y_r17.0,
                        sv.position_z_r17.0,
                    ],
                    velocity: [
                        sv.velocity_vx_r17.0,
                        sv.velocity_vy_r17.0,
                        sv.velocity_vz_r17.0,
                    ],
                })
            }
            ServingSatelliteInfoR17EphemerisInfoR17::OrbitalParameters(o) => {
                EphemerisFields::Orbital(OrbitalFields {
                    semi_major_axis: o.semi_major_axis_r17,
                    eccentricity: o.eccentricity_r17,
                    periapsis: o.periapsis_r17,
                    longitude: o.longitude_r17,
                    inclination: o.inclination_r17,
                    anomaly: o.anomaly_r17,
                })
            }
        };
        let nta = &info.nta_common_parameters_17;
        Self {
            ephemeris,
            common_ta: CommonTaFields {
                common: nta.nta_common_r17.map_or(0, i64::from),
                drift: nta.nta_common_drift_r17.map_or(0, i64::from),
                variant: nta.nta_common_drift_variation_r17.map_or(0, i64::from),
            },
            ul_sync_validity: UlSyncValidity(info.ul_sync_validity_duration_r17),
            epoch: info.epoch_time_r17.as_ref().map(|e| EpochTime {
                start_sfn: e.start_sfn_r17,
                start_subframe: e.start_sub_frame_r17,
            }),
            k_offset_ms: info.k_offset_r17,
            k_mac_ms: info.k_mac_r17,
        }
    }

    /// Builds the generated ASN.1 value; zero common-TA fields are left absent (they mean 0).
    pub fn to_asn(&self) -> Result<ServingSatelliteInfoR17, Sib31Error> {
        let ephemeris = match self.ephemeris {
            EphemerisFields::StateVector(sv) => {
                const P: i64 = 33_554_432;
                const V: i64 = 131_072;
                let mut p = [0i32; 3];
                let mut v = [0i32; 3];
                for (k, name) in ["positionX-r17", "positionY-r17", "positionZ-r17"]
                    .into_iter()
                    .enumerate()
                {
                    check(name, sv.position[k].into(), -P, P - 1)?;
                    p[k] = sv.position[k];
                }
                for (k, name) in ["velocityVX-r17", "velocityVY-r17", "velocityVZ-r17"]
                    .into_iter()
                    .enumerate()
                {
                    check(name, sv.velocity[k].into(), -V, V - 1)?;
                    v[k] = sv.velocity[k];
                }
                ServingSatelliteInfoR17EphemerisInfoR17::StateVectors(
                    EphemerisStateVectorsR17::new(
                        PositionStateVectorR17(p[0]),
                        PositionStateVectorR17(p[1]),
                        PositionStateVectorR17(p[2]),
                        VelocityStateVectorR17(v[0]),
                        VelocityStateVectorR17(v[1]),
                        VelocityStateVectorR17(v[2]),
                    ),
                )
            }
            EphemerisFields::Orbital(o) => {
                let a = i64::try_from(o.semi_major_axis).unwrap_or(i64::MAX);
                check("semiMajorAxis-r17", a, 0, 8_589_934_591)?;
                check("eccentricity-r17", o.eccentricity.into(), 0, 1_048_575)?;
                check("periapsis-r17", o.periapsis.into(), 0, 268_435_455)?;
                check("longitude-r17", o.longitude.into(), 0, 268_435_455)?;
                check(
                    "inclination-r17",
                    o.inclination.into(),
                    -67_108_864,
                    67_108_863,
                )?;
                check("anomaly-r17", o.anomaly.into(), 0, 268_435_455)?;
                ServingSatelliteInfoR17EphemerisInfoR17::OrbitalParameters(
                    EphemerisOrbitalParametersR17::new(
                        o.semi_major_axis,
                        o.eccentricity,
                        o.periapsis,
                        o.longitude,
                        o.inclination,
                        o.anomaly,
                    ),
                )
            }
        };
        let ta = self.common_ta;
        let common = check("nta-Common-r17", ta.common, 0, 8_316_827)?;
        let drift = check("nta-CommonDrift-r17", ta.drift, -261_935, 261_935)?;
        let variant = check("nta-CommonDriftVariation-r17", ta.variant, 0, 29_479)?;
        // The checks above bound each value to its field's integer type.
        let nta = ServingSatelliteInfoR17NtaCommonParameters17::new(
            (common != 0).then(|| u32::try_from(common).unwrap_or_default()),
            (drift != 0).then(|| i32::try_from(drift).unwrap_or_default()),
            (variant != 0).then(|| u16::try_from(variant).unwrap_or_default()),
        );
        let epoch = match self.epoch {
            Some(e) => {
                check("startSFN-r17", e.start_sfn.into(), 0, 1023)?;
                check("startSubFrame-r17", e.start_subframe.into(), 0, 9)?;
                Some(ServingSatelliteInfoR17EpochTimeR17::new(
                    e.start_sfn,
                    e.start_subframe,
                ))
            }
            None => None,
        };
        check("k-Offset-r17", self.k_offset_ms.into(), 0, 1023)?;
        if let Some(k) = self.k_mac_ms {
            check("k-Mac-r17", k.into(), 1, 512)?;
        }
        Ok(ServingSatelliteInfoR17::new(
            ephemeris,
            nta,
            self.ul_sync_validity.0,
            epoch,
            self.k_offset_ms,
            self.k_mac_ms,
        ))
    }

    /// Reads a decoded SIB31-NB.
    pub fn from_sib31(sib: &SystemInformationBlockType31NBR17) -> Self {
        Self::from_asn(&sib.serving_satellite_info_r17)
    }

    /// Builds a SIB31-NB (no lateNonCriticalExtension).
    pub fn to_sib31(&self) -> Result<SystemInformationBlockType31NBR17, Sib31Error> {
        Ok(SystemInformationBlockType31NBR17::new(self.to_asn()?, None))
    }
}
