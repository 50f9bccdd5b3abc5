//! Gas absorption (ITU-R P.676 Annex 2) against the independent `itur` package
//! (vectors/data/sim/p676_itur.json, made by vectors/gen/itur_p676.py).
#![allow(clippy::unwrap_used)] // test: a failure is a test failure

use ntn_sim::channel::large_scale::{Atmosphere, p676_slant_attenuation};
use ntn_types::{Degrees, Hz};

/// Worst |ours − itur| over one table of the vector.
fn worst_difference(v: &serde_json::Value, table: &str) -> f64 {
    let atm = Atmosphere {
        pressure_hpa: v["pressure_hpa"].as_f64().unwrap(),
        temperature_k: v["temperature_k"].as_f64().unwrap(),
        water_vapour_g_m3: v["water_vapour_g_m3"].as_f64().unwrap(),
    };
    let rows = v[table].as_array().unwrap();
    assert!(rows.len() >= 3);
    let mut worst: f64 = 0.0;
    for r in rows {
        let f = r["f_ghz"].as_f64().unwrap();
        let el = r["elevation_deg"].as_f64().unwrap();
        let want = r["attenuation_db"].as_f64().unwrap();
        let got = p676_slant_attenuation(Hz(f * 1e9), Degrees(el), &atm)
            .unwrap()
            .db();
        eprintln!("{table} {f:7.3} GHz {el:4.0}°: ours {got:.4} dB, itur {want:.4} dB");
        worst = worst.max((got - want).abs());
    }
    eprintln!(
        "{table}: worst difference {worst:.4} dB over {} cases",
        rows.len()
    );
    worst
}

/// Our Annex 2 follows the P.676-10 text: against itur's P.676-10 within 0.01 dB; against
/// P.676-11 (revised equivalent heights) within the 0.1 dB.
#[test]
fn p676_matches_itur() {
    let v: serde_json::Value =
        serde_json::from_str(include_str!("../../vectors/data/sim/p676_itur.json")).unwrap();
    assert_eq!(v["kind"], "reference");
    assert!(worst_difference(&v, "rows_p676_10") < 0.01);
    assert!(worst_difference(&v, "rows_p676_11") < 0.1);
}
