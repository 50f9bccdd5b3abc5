//! SIB31-NB through the `ntn_orbit` field types: any in-range field set survives
//! `to_sib31` → UPER → `decode_sib31` → `from_sib31` unchanged, and an out-of-range field is an
//! error naming the field.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_orbit::ephemeris::{EphemerisFields, OrbitalFields, StateVectorFields};
use ntn_orbit::timing::{CommonTaFields, EpochTime};
use ntn_rrc::{decode_sib31, encode};
use ntn_stack::sib31::{ServingSatellite, UlSyncValidity};
use proptest::prelude::*;

const SECONDS: [u16; 16] = [
    5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 120, 180, 240, 900,
];

fn ephemeris() -> impl Strategy<Value = EphemerisFields> {
    let sv = (
        prop::array::uniform3(-33_554_432i32..=33_554_431),
        prop::array::uniform3(-131_072i32..=131_071),
    )
        .prop_map(|(position, velocity)| {
            EphemerisFields::StateVector(StateVectorFields { position, velocity })
        });
    let orb = (
        0u64..=8_589_934_591,
        0u32..=1_048_575,
        0u32..=268_435_455,
        0u32..=268_435_455,
        -67_108_864i32..=67_108_863,
        0u32..=268_435_455,
    )
        .prop_map(|(a, e, w, om, i, m)| {
            EphemerisFields::Orbital(OrbitalFields {
                semi_major_axis: a,
                eccentricity: e,
                periapsis: w,
                longitude: om,
                inclination: i,
                anomaly: m,
            })
        });
    prop_oneof![sv, orb]
}

fn serving() -> impl Strategy<Value = ServingSatellite> {
    (
        ephemeris(),
        (0i64..=8_316_827, -261_935i64..=261_935, 0i64..=29_479),
        0usize..16,
        prop::option::of((0u16..=1023, 0u8..=9)),
        0u16..=1023,
        prop::option::of(1u16..=512),
    )
        .prop_map(
            |(ephemeris, (common, drift, variant), s, epoch, k_offset_ms, k_mac_ms)| {
                ServingSatellite {
                    ephemeris,
                    common_ta: CommonTaFields {
                        common,
                        drift,
                        variant,
                    },
                    ul_sync_validity: UlSyncValidity::from_seconds(SECONDS[s]).unwrap(),
                    epoch: epoch.map(|(start_sfn, start_subframe)| EpochTime {
                        start_sfn,
                        start_subframe,
                    }),
                    k_offset_ms,
                    k_mac_ms,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn orbit_fields_survive_uper(s in serving()) {
        let bytes = encode("SIB31-NB", &s.to_sib31().unwrap()).unwrap();
        let back = ServingSatellite::from_sib31(&decode_sib31(&bytes).unwrap());
        prop_assert_eq!(back, s);
    }
}

#[test]
fn out_of_range_fields_are_errors() {
    let ok = ServingSatellite {
        ephemeris: EphemerisFields::StateVector(StateVectorFields {
            position: [0; 3],
            velocity: [0; 3],
        }),
        common_ta: CommonTaFields::default(),
        ul_sync_validity: UlSyncValidity::from_seconds(900).unwrap(),
        epoch: None,
        k_offset_ms: 0,
        k_mac_ms: None,
    };
    assert!(ok.to_sib31().is_ok());
    let mut bad = ok;
    bad.k_mac_ms = Some(0);
    assert_eq!(bad.to_sib31().unwrap_err().field, "k-Mac-r17");
    let mut bad = ok;
    bad.common_ta.common = -1;
    assert_eq!(bad.to_sib31().unwrap_err().field, "nta-Common-r17");
    let mut bad = ok;
    bad.ephemeris = EphemerisFields::StateVector(StateVectorFields {
        position: [0, 33_554_432, 0],
        velocity: [0; 3],
    });
    assert_eq!(bad.to_sib31().unwrap_err().field, "positionY-r17");
    let mut bad = ok;
    bad.epoch = Some(EpochTime {
        start_sfn: 1024,
        start_subframe: 0,
    });
    assert_eq!(bad.to_sib31().unwrap_err().field, "startSFN-r17");
    assert_eq!(UlSyncValidity::from_seconds(7), None);
    for s in SECONDS {
        assert_eq!(UlSyncValidity::from_seconds(s).unwrap().seconds(), s);
    }
}
