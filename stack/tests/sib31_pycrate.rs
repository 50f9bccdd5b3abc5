//! SIB31-NB from the pycrate reference vectors (vectors/data/rrc/nb_pycrate.json, made by
//! vectors/gen/rrc_nb_vectors.py) through the orbit layer's field types.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is the report

use ntn_rrc::decode_sib31;
use ntn_stack::sib31::ServingSatellite;
use serde_json::Value;

const REF: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../vectors/data/rrc/nb_pycrate.json"
);

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// SIB31 through the ergonomic layer: every field read from the decoded pycrate vectors equals
/// the JER value, and re-building the SIB from the `ntn_orbit` fields gives the same bytes.
#[test]
fn sib31_fields_through_orbit_types() {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(REF).unwrap()).unwrap();
    let mut n = 0;
    for v in doc["vectors"].as_array().unwrap() {
        if v["type"] != "SystemInformationBlockType31-NB-r17" || v["name"] == "sib31_late" {
            continue;
        }
        let bytes = hex_decode(v["hex"].as_str().unwrap());
        let sib = decode_sib31(&bytes).unwrap();
        let s = ServingSatellite::from_sib31(&sib);
        let j = &v["value"]["servingSatelliteInfo-r17"];
        let i = |x: &Value| x.as_i64().unwrap_or(0);
        match s.ephemeris {
            ntn_orbit::ephemeris::EphemerisFields::StateVector(sv) => {
                let e = &j["ephemerisInfo-r17"]["stateVectors"];
                for (k, c) in ["X", "Y", "Z"].iter().enumerate() {
                    assert_eq!(i64::from(sv.position[k]), i(&e[format!("position{c}-r17")]));
                    assert_eq!(
                        i64::from(sv.velocity[k]),
                        i(&e[format!("velocityV{c}-r17")])
                    );
                }
            }
            ntn_orbit::ephemeris::EphemerisFields::Orbital(o) => {
                let e = &j["ephemerisInfo-r17"]["orbitalParameters"];
                assert_eq!(o.semi_major_axis, e["semiMajorAxis-r17"].as_u64().unwrap());
                assert_eq!(i64::from(o.eccentricity), i(&e["eccentricity-r17"]));
                assert_eq!(i64::from(o.periapsis), i(&e["periapsis-r17"]));
                assert_eq!(i64::from(o.longitude), i(&e["longitude-r17"]));
                assert_eq!(i64::from(o.inclination), i(&e["inclination-r17"]));
                assert_eq!(i64::from(o.anomaly), i(&e["anomaly-r17"]));
            }
        }
        let nta = &j["nta-CommonParameters-r17"];
        assert_eq!(s.common_ta.common, i(&nta["nta-Common-r17"]));
        assert_eq!(s.common_ta.drift, i(&nta["nta-CommonDrift-r17"]));
        assert_eq!(s.common_ta.variant, i(&nta["nta-CommonDriftVariation-r17"]));
        let secs = j["ul-SyncValidityDuration-r17"].as_str().unwrap();
        assert_eq!(format!("s{}", s.ul_sync_validity.seconds()), secs);
        assert_eq!(
            s.epoch
                .map(|e| (i64::from(e.start_sfn), i64::from(e.start_subframe))),
            j.get("epochTime-r17")
                .map(|e| (i(&e["startSFN-r17"]), i(&e["startSubFrame-r17"])))
        );
        assert_eq!(i64::from(s.k_offset_ms), i(&j["k-Offset-r17"]));
        assert_eq!(s.k_mac_ms.map(i64::from), j.get("k-Mac-r17").map(i));
        let again = ntn_rrc::encode("SIB31-NB", &s.to_sib31().unwrap()).unwrap();
        // An explicit 0 in the common-TA fields means the same as absent; we send absent.
        let explicit_zero = nta.as_object().unwrap().values().any(|x| x == 0);
        if !explicit_zero {
            assert_eq!(again, bytes, "{}", v["name"]);
        }
        n += 1;
    }
    assert!(n >= 8, "{n} SIB31 vectors");
}
