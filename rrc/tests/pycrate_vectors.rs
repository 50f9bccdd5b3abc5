//! Reference vectors made by pycrate (an independent ASN.1 codec), see
//! `vectors/gen/rrc_nb_vectors.py`. Each hex must decode here to the same value (compared field
//! by field through JER, X.697, written by both codecs), and the value must encode here to the
//! same bytes. Our encodings are kept in `vectors/data/rrc/nb_ours.json` for the script's
//! `--check` (pycrate decodes them back); set `NTN_WRITE_OURS=1` to rewrite that file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_rrc::asn1::{
    BCCHBCHMessageNB, BCCHDLSCHMessageNB, DLCCCHMessageNB, DLDCCHMessageNB, PCCHMessageNB,
    SystemInformationBlockType1NB, SystemInformationBlockType31NBR17, ULCCCHMessageNB,
    ULDCCHMessageNB,
};
use ntn_rrc::decode_sib31;
use rasn::{Decode, Encode};
use serde_json::Value;

const REF: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../vectors/data/rrc/nb_pycrate.json"
);
const OURS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../vectors/data/rrc/nb_ours.json"
);

/// Identifiers that TS 36.331 V17.4.0 spells differently from the later text pycrate compiled
/// (the later versions fixed the missing `r`); the encoding does not depend on them.
const RENAMED: [(&str, &str); 2] = [
    ("partEARFCN-17", "partEARFCN-r17"),
    ("nta-CommonParameters-17", "nta-CommonParameters-r17"),
];

fn rename(v: &Value, to_pycrate: bool) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| {
                    let k = RENAMED
                        .iter()
                        .find(|(ours, theirs)| k == if to_pycrate { ours } else { theirs })
                        .map_or(k.clone(), |(ours, theirs)| {
                            (if to_pycrate { theirs } else { ours }).to_string()
                        });
                    (k, rename(x, to_pycrate))
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|x| rename(x, to_pycrate)).collect()),
        x => x.clone(),
    }
}

fn is_group(key: &str) -> bool {
    key.strip_prefix("ext")
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// For comparison: X.697 hex digits (BIT STRING, OCTET STRING) are case-insensitive, so all
/// hex-looking strings are lowered on both sides; the members of an extension addition group
/// (our `extN` field) are lifted into the enclosing object, as X.697 encodes them.
fn norm(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = serde_json::Map::new();
            for (k, x) in m {
                match (is_group(k), norm(x)) {
                    (true, Value::Object(inner)) => out.extend(inner),
                    (_, x) => {
                        out.insert(k.clone(), x);
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(norm).collect()),
        Value::String(s) if s.chars().all(|c| c.is_ascii_hexdigit()) => {
            Value::String(s.to_ascii_lowercase())
        }
        x => x.clone(),
    }
}

/// The reverse of the group lifting for the pycrate value: members of each `extN` of `shape`
/// (our own JER of the same message) are put back under `extN`.
fn regroup(v: &Value, shape: &Value) -> Value {
    match (v, shape) {
        (Value::Object(m), Value::Object(sh)) => {
            let mut out = serde_json::Map::new();
            let mut taken = std::collections::HashSet::new();
            for (k, sx) in sh {
                if let (true, Value::Object(members)) = (is_group(k), sx) {
                    let mut g = serde_json::Map::new();
                    for mk in members.keys() {
                        if let Some(x) = m.get(mk) {
                            g.insert(mk.clone(), regroup(x, &members[mk]));
                            taken.insert(mk.clone());
                        }
                    }
                    out.insert(k.clone(), Value::Object(g));
                }
            }
            for (k, x) in m {
                if !taken.contains(k) {
                    out.insert(k.clone(), regroup(x, sh.get(k).unwrap_or(&Value::Null)));
                }
            }
            Value::Object(out)
        }
        (Value::Array(a), Value::Array(sa)) => Value::Array(
            a.iter()
                .zip(sa.iter().chain(std::iter::repeat(&Value::Null)))
                .map(|(x, s)| regroup(x, s))
                .collect(),
        ),
        (x, _) => x.clone(),
    }
}

/// Decodes `hex`, compares with the reference JER value, encodes the JER value, returns its hex.
fn check<T: Decode + Encode + PartialEq + std::fmt::Debug>(
    name: &str,
    hex: &str,
    value: &Value,
) -> String {
    let bytes = hex_decode(hex);
    let decoded: T = rasn::uper::decode(&bytes).unwrap_or_else(|e| panic!("{name}: decode: {e}"));
    let ours_jer: Value = serde_json::from_str(&rasn::jer::encode(&decoded).unwrap()).unwrap();
    assert_eq!(
        norm(&rename(&ours_jer, true)),
        norm(value),
        "{name}: decoded value differs"
    );
    let theirs = regroup(&rename(value, false), &ours_jer);
    let from_value: T = rasn::jer::decode(&theirs.to_string())
        .unwrap_or_else(|e| panic!("{name}: JER decode: {e}"));
    assert_eq!(from_value, decoded, "{name}");
    let encoded = rasn::uper::encode(&from_value).unwrap();
    let ours = hex_encode(&encoded);
    if ours != hex {
        // Allowed only where an extension addition group is present: pycrate compiled a later
        // 36.331 (Rel-18) whose SIB3-NB has one more extension addition, so its bitmap is one
        // bit longer than ours from V17.4.0 (X.691 19.7: one bit per addition of the type).
        // Each decodes the other's bytes to the same value: checked here and by `--check`.
        assert!(
            has_group(&ours_jer),
            "{name}: our encoding differs: {ours} vs {hex}"
        );
        let again: T = rasn::uper::decode(&encoded).unwrap();
        assert_eq!(again, decoded, "{name}");
        BITMAP_DIFFERS.with(|n| n.set(n.get() + 1));
    }
    ours
}

thread_local! {
    static BITMAP_DIFFERS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn has_group(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.iter().any(|(k, x)| is_group(k) || has_group(x)),
        Value::Array(a) => a.iter().any(has_group),
        _ => false,
    }
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn hex_encode(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn pycrate_vectors_decode_and_encode_identically() {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(REF).unwrap()).unwrap();
    assert_eq!(doc["kind"], "reference");
    let vectors = doc["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 30, "{} vectors", vectors.len());
    let mut ours = Vec::new();
    for v in vectors {
        let name = v["name"].as_str().unwrap();
        let hex = v["hex"].as_str().unwrap();
        let ty = v["type"].as_str().unwrap();
        let value = &v["value"];
        let out = match ty {
            "BCCH-BCH-Message-NB" => check::<BCCHBCHMessageNB>(name, hex, value),
            "BCCH-DL-SCH-Message-NB" => check::<BCCHDLSCHMessageNB>(name, hex, value),
            "SystemInformationBlockType1-NB" => {
                check::<SystemInformationBlockType1NB>(name, hex, value)
            }
            "SystemInformationBlockType31-NB-r17" => {
                check::<SystemInformationBlockType31NBR17>(name, hex, value)
            }
            "DL-CCCH-Message-NB" => check::<DLCCCHMessageNB>(name, hex, value),
            "UL-CCCH-Message-NB" => check::<ULCCCHMessageNB>(name, hex, value),
            "DL-DCCH-Message-NB" => check::<DLDCCHMessageNB>(name, hex, value),
            "UL-DCCH-Message-NB" => check::<ULDCCHMessageNB>(name, hex, value),
            "PCCH-Message-NB" => check::<PCCHMessageNB>(name, hex, value),
            other => panic!("{name}: no type {other}"),
        };
        ours.push(serde_json::json!({"name": name, "type": ty, "hex": out}));
    }
    let differs = BITMAP_DIFFERS.with(std::cell::Cell::get);
    println!(
        "{} pycrate vectors: all decode to the same value; {} encode byte-identically, {} differ \
         only in the extension bitmap length (Rel-18 pycrate vs Rel-17 ours)",
        vectors.len(),
        vectors.len() - differs,
        differs
    );
    assert!(vectors.len() - differs >= 30);
    let ours = Value::Array(ours);
    if std::env::var_os("NTN_WRITE_OURS").is_some() {
        std::fs::write(OURS, serde_json::to_string_pretty(&ours).unwrap() + "\n").unwrap();
    }
    let kept: Value = serde_json::from_str(&std::fs::read_to_string(OURS).unwrap()).unwrap();
    assert_eq!(
        kept, ours,
        "nb_ours.json is stale: rerun with NTN_WRITE_OURS=1"
    );
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
        let msg = ntn_rrc::decode_bcch_dl_sch(&hex_decode(v["hex"].as_str().unwrap())).unwrap();
        let sib = decode_sib31(&hex_decode(bare["hex"].as_str().unwrap())).unwrap();
        let found: Vec<_> = ntn_rrc::sib31_in(&msg).collect();
        assert_eq!(found, vec![&sib], "{name}");
        n += 1;
    }
    assert_eq!(n, 8);
}
