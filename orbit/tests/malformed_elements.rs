//! Bad element sets: every case returns an error whose message names the fault (line, field,
//! reason); arbitrary input never panics.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is the report

use ntn_orbit::elements::{parse_catalog, parse_omm_csv, parse_omm_json, parse_tle, tle_checksum};
use proptest::prelude::*;

const L1: &str = "1 25544U 98067A   20194.88612269 -.00002218  00000-0 -31515-4 0  9992";
const L2: &str = "2 25544  51.6461 221.2784 0001413  89.1723 280.4612 15.49507896236008";

/// Replace columns `from..from+text.len()` (1-based) of a line and fix its checksum.
fn edit(line: &str, col: usize, text: &str) -> String {
    let mut s = line.to_owned();
    s.replace_range(col - 1..col - 1 + text.len(), text);
    let sum = tle_checksum(&s);
    s.replace_range(68..69, &sum.to_string());
    s
}

fn tle_err(l1: &str, l2: &str) -> String {
    parse_tle(None, l1, l2, None).unwrap_err().to_string()
}

#[test]
fn malformed_tle_cases_name_their_fault() {
    let cases: Vec<(&str, String, &[&str])> = vec![
        (
            "bad checksum",
            tle_err(&L1.replace("9992", "9993"), L2),
            &["line 1", "checksum", "columns 69-69"],
        ),
        (
            "short line 1",
            tle_err(&L1[..60], L2),
            &["line 1", "60 columns", "69"],
        ),
        (
            "long line 2",
            tle_err(L1, &format!("{L2}0")),
            &["line 2", "70 columns"],
        ),
        (
            "wrong line number",
            tle_err(&L2.replace("2 25544", "3 25544"), L2),
            &["line 1", "must start with \"1 \""],
        ),
        (
            "lines swapped",
            tle_err(L2, L1),
            &["line 1", "must start with"],
        ),
        (
            "catalog numbers differ",
            tle_err(L1, &edit(L2, 3, "25545")),
            &["line 2", "satellite catalog number", "differs"],
        ),
        (
            "letter in catalog number",
            tle_err(&edit(L1, 3, "2x544"), L2),
            &["line 1", "satellite catalog number"],
        ),
        (
            "bad classification",
            tle_err(&edit(L1, 8, "X"), L2),
            &["classification", "not U, C or S"],
        ),
        (
            "epoch day out of year",
            tle_err(&edit(L1, 21, "400.00000000"), L2),
            &["epoch day of year", "outside"],
        ),
        (
            "epoch day 366 in a common year",
            tle_err(&edit(L1, 19, "19366.50000000"), L2),
            &["epoch day of year", "past the end of 2019"],
        ),
        (
            "epoch year not a number",
            tle_err(&edit(L1, 19, "2a"), L2),
            &["epoch year", "not an unsigned integer"],
        ),
        (
            "garbled mean-motion derivative",
            tle_err(&edit(L1, 34, " .0000x218"), L2),
            &["first derivative of mean motion", "not a decimal"],
        ),
        (
            "garbled B*",
            tle_err(&edit(L1, 54, "-3151x-4"), L2),
            &["B* drag term", "exponent form"],
        ),
        (
            "garbled second derivative",
            tle_err(&edit(L1, 45, " 00000+a"), L2),
            &["second derivative of mean motion", "exponent form"],
        ),
        (
            "inclination over 180",
            tle_err(L1, &edit(L2, 9, "181.6461")),
            &["inclination", "outside [0, 180]"],
        ),
        (
            "RAAN not a number",
            tle_err(L1, &edit(L2, 18, "22x.2784")),
            &["right ascension of the ascending node", "not a decimal"],
        ),
        (
            "eccentricity with a sign",
            tle_err(L1, &edit(L2, 27, "-001413")),
            &["eccentricity", "assumed leading decimal point"],
        ),
        (
            "argument of perigee over 360",
            tle_err(L1, &edit(L2, 35, "389.1723")),
            &["argument of perigee", "outside"],
        ),
        (
            "mean anomaly garbled",
            tle_err(L1, &edit(L2, 44, "28O.4612")),
            &["mean anomaly"],
        ),
        (
            "mean motion zero",
            tle_err(L1, &edit(L2, 53, " 0.00000000")),
            &["mean motion", "positive"],
        ),
        (
            "mean motion absurd",
            tle_err(L1, &edit(L2, 53, "99.49507896")),
            &["mean motion", "outside"],
        ),
        (
            "non-ASCII",
            tle_err(&L1.replace("98067A", "98067Ä"), L2),
            &["non-ASCII"],
        ),
    ];
    assert!(cases.len() >= 15);
    for (what, msg, needles) in &cases {
        for n in *needles {
            assert!(msg.contains(n), "{what}: {msg:?} should mention {n:?}");
        }
    }
}

#[test]
fn malformed_catalogs_name_the_line() {
    let cut = format!("ISS\n{L1}\n{L2}\nNEXT SAT\n{L1}\n");
    let e = parse_catalog(&cut).unwrap_err().to_string();
    assert!(
        e.contains("line 5") && e.contains("line 2 is missing"),
        "{e}"
    );
    let orphan = format!("{L2}\n");
    let e = parse_catalog(&orphan).unwrap_err().to_string();
    assert!(
        e.contains("line 1") && e.contains("without a line 1"),
        "{e}"
    );
    let bad_second = format!("{L1}\n{L2}\n\n{}\n{L2}\n", L1.replace("9992", "9990"));
    let e = parse_catalog(&bad_second).unwrap_err().to_string();
    assert!(e.starts_with("line 4: TLE line 1: checksum"), "{e}");
    assert_eq!(
        parse_catalog("\n\n").unwrap_err().to_string(),
        "no element sets found in the input"
    );
}

const OMM_JSON: &str = r#"[{
  "OBJECT_NAME": "ISS (ZARYA)", "OBJECT_ID": "1998-067A", "EPOCH": "2020-07-12T21:15:46.600416",
  "MEAN_MOTION": 15.49507896, "ECCENTRICITY": 0.0001413, "INCLINATION": 51.6461,
  "RA_OF_ASC_NODE": 221.2784, "ARG_OF_PERICENTER": 89.1723, "MEAN_ANOMALY": 280.4612,
  "EPHEMERIS_TYPE": 0, "CLASSIFICATION_TYPE": "U", "NORAD_CAT_ID": 25544, "ELEMENT_SET_NO": 999,
  "REV_AT_EPOCH": 23600, "BSTAR": -3.1515e-5, "MEAN_MOTION_DOT": -2.218e-5, "MEAN_MOTION_DDOT": 0
}]"#;

const OMM_CSV: &str = "OBJECT_NAME,OBJECT_ID,EPOCH,MEAN_MOTION,ECCENTRICITY,INCLINATION,RA_OF_ASC_NODE,ARG_OF_PERICENTER,MEAN_ANOMALY,EPHEMERIS_TYPE,CLASSIFICATION_TYPE,NORAD_CAT_ID,ELEMENT_SET_NO,REV_AT_EPOCH,BSTAR,MEAN_MOTION_DOT,MEAN_MOTION_DDOT
ISS (ZARYA),1998-067A,2020-07-12T21:15:46.600416,15.49507896,.0001413,51.6461,221.2784,89.1723,280.4612,0,U,25544,999,23600,-.31515E-4,-.2218E-4,0
";

#[test]
fn omm_json_csv_and_tle_agree() {
    use ntn_orbit::Satellite;
    let tle = parse_tle(None, L1, L2, None).unwrap();
    let json = parse_omm_json(OMM_JSON).unwrap().remove(0);
    let csv = parse_omm_csv(OMM_CSV).unwrap().remove(0);
    assert_eq!(json.norad_id, 25544);
    assert_eq!(csv.international_designator.as_deref(), Some("1998-067A"));
    let a = Satellite::new(tle)
        .unwrap()
        .state_teme_at_minutes(1440.0)
        .unwrap();
    for el in [json, csv] {
        let b = Satellite::new(el)
            .unwrap()
            .state_teme_at_minutes(1440.0)
            .unwrap();
        // The OMM epoch carries microseconds, the TLE epoch 10⁻⁸ day (0.9 ms): 7 m at most.
        assert!((a.r_m() - b.r_m()).length() < 10.0);
    }
    assert_eq!(parse_catalog(OMM_JSON).unwrap().len(), 1);
    assert_eq!(parse_catalog(OMM_CSV).unwrap().len(), 1);
}

#[test]
fn malformed_omm_cases_name_their_fault() {
    let cases: Vec<(String, &[&str])> = vec![
        (
            parse_omm_json("[{").unwrap_err().to_string(),
            &["JSON syntax at line"],
        ),
        (
            parse_omm_json("42").unwrap_err().to_string(),
            &["expected an OMM object"],
        ),
        (
            parse_omm_json(&OMM_JSON.replace("\"MEAN_MOTION\": 15.49507896,", ""))
                .unwrap_err()
                .to_string(),
            &["record 1", "MEAN_MOTION", "missing field"],
        ),
        (
            parse_omm_json(
                &OMM_JSON.replace("\"ECCENTRICITY\": 0.0001413", "\"ECCENTRICITY\": 1.5"),
            )
            .unwrap_err()
            .to_string(),
            &["ECCENTRICITY", "not in [0, 1)"],
        ),
        (
            parse_omm_json(&OMM_JSON.replace("2020-07-12T21:15:46.600416", "yesterday"))
                .unwrap_err()
                .to_string(),
            &["record 1", "EPOCH"],
        ),
        (
            parse_omm_csv(&OMM_CSV.replace("MEAN_ANOMALY,", "MEAN_ANOMALIES,"))
                .unwrap_err()
                .to_string(),
            &["CSV header", "MEAN_ANOMALY", "missing"],
        ),
        (
            parse_omm_csv(&OMM_CSV.replace(",51.6461,", ",abc,"))
                .unwrap_err()
                .to_string(),
            &["CSV line 2", "INCLINATION", "not a number"],
        ),
        (
            parse_omm_csv(&OMM_CSV.replace("2020-07-12T21:15:46.600416", "2020-13-12T21:15:46"))
                .unwrap_err()
                .to_string(),
            &["CSV line 2", "EPOCH"],
        ),
        (
            parse_omm_csv(&OMM_CSV.replace(",25544,", ",25544,1,"))
                .unwrap_err()
                .to_string(),
            &["CSV line 2", "cells"],
        ),
    ];
    for (msg, needles) in &cases {
        for n in *needles {
            assert!(msg.contains(n), "{msg:?} should mention {n:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        let _ = parse_catalog(&text);
        let _ = parse_omm_json(&text);
        let _ = parse_omm_csv(&text);
    }

    #[test]
    fn mutated_tles_never_panic(pos in 0usize..138, byte in 0u8..128, fix_sum in any::<bool>()) {
        let mut lines = [L1.as_bytes().to_vec(), L2.as_bytes().to_vec()];
        lines[pos / 69][pos % 69] = byte;
        let mut l: Vec<String> = lines.iter().map(|b| String::from_utf8_lossy(b).into_owned()).collect();
        if fix_sum {
            for s in &mut l {
                if s.len() == 69 && s.is_ascii() {
                    let sum = tle_checksum(s);
                    s.replace_range(68..69, &sum.to_string());
                }
            }
        }
        if let Ok(el) = parse_tle(None, &l[0], &l[1], None) {
            // Whatever parses must also set up (or cleanly refuse) SGP4 and propagate.
            if let Ok(sat) = ntn_orbit::Satellite::new(el) {
                let _ = sat.state_teme_at_minutes(100.0);
            }
        }
    }
}
