//! Reference vectors made by pycrate (an independent ASN.1 codec), see
//! `vectors/gen/rrc_nb_vectors.py`. Each hex must decode here to the same value (compared field
//! by field through JER, X.697, written by both codecs), and the value must encode here to the
//! same bytes: `ntn_rrc::conformance::pycrate_nb`, shared with `ntn conformance`. Our
//! encodings are kept in `vectors/data/rrc/nb_ours.json` for the script's `--check` (pycrate
//! decodes them back); set `NTN_WRITE_OURS=1` to rewrite that file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_rrc::conformance::pycrate_nb_with_encodings;
use ntn_rrc::decode_sib31;
use ntn_types::conformance::hex_bytes as hex_decode;
use serde_json::Value;

const REF: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../vectors/data/rrc/nb_pycrate.json"
);
const OURS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../vectors/data/rrc/nb_ours.json"
);

#[test]
fn pycrate_vectors_decode_and_encode_identically() {
    let reference = std::fs::read_to_string(REF).unwrap();
    let doc: Value = serde_json::from_str(&reference).unwrap();
    assert_eq!(doc["kind"], "reference");
    let (_, ours) = pycrate_nb_with_encodings(&reference, "null");
    if std::env::var_os("NTN_WRITE_OURS").is_some() {
        std::fs::write(OURS, serde_json::to_string_pretty(&ours).unwrap() + "\n").unwrap();
    }
    let (r, _) = pycrate_nb_with_encodings(&reference, &std::fs::read_to_string(OURS).unwrap());
    let vectors = r.cases.len() - 1;
    let differs = r
        .cases
        .iter()
        .filter(|c| c.detail.contains("bitmap"))
        .count();
    println!(
        "{vectors} pycrate vectors: all decode to the same value; {} encode byte-identically, \
         {differs} differ only in the extension bitmap length (Rel-18 pycrate vs Rel-17 ours)",
        vectors - differs
    );
    assert!(vectors >= 30, "{vectors} vectors");
    assert!(r.all_passed(), "{:?}", r.failures());
    assert!(vectors - differs >= 30);
}

/// The SIB31-NB carried in the SI messages (`si_sib31_*`) reads the same as the bare one.
#[test]
fn sib31_found_in_si_messages() {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(REF).unwrap()).unwrap();
    let vectors = doc["vectors"].as_array().unwrap();
    let mut n = 0;
    for v in vectors {
        let name = v["name"].as_str().unwrap();
        let Some(bare_name) = name.strip_prefix("si_") else {
            continue;
        };
        let Some(bare) = vectors.iter().find(|b| b["name"] == bare_name) else {
            continue;
        };
        let msg =
            ntn_rrc::decode_bcch_dl_sch(&hex_decode(v["hex"].as_str().unwrap()).unwrap()).unwrap();
        let sib = decode_sib31(&hex_decode(bare["hex"].as_str().unwrap()).unwrap()).unwrap();
        let found: Vec<_> = ntn_rrc::sib31_in(&msg).collect();
        assert_eq!(found, vec![&sib], "{name}");
        n += 1;
    }
    assert_eq!(n, 8);
}
