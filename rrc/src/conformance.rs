//! Conformance of the RRC-NB codec against pycrate (an independent ASN.1 codec):
//! `vectors/data/rrc/nb_pycrate.json` (made by `vectors/gen/rrc_nb_vectors.py`). Each hex must
//! decode here to the same value (compared field by field through JER, X.697, written by both
//! codecs), and the value must encode here to the same bytes; our encodings are kept in
//! `vectors/data/rrc/nb_ours.json` (regression, for the script's `--check`). The caller hands
//! the JSON text in; nothing here touches a file. Used by the vector test and by
//! `ntn conformance`.

use crate::asn1::{
    BCCHBCHMessageNB, BCCHDLSCHMessageNB, DLCCCHMessageNB, DLDCCHMessageNB, PCCHMessageNB,
    SystemInformationBlockType1NB, SystemInformationBlockType31NBR17, ULCCCHMessageNB,
    ULDCCHMessageNB,
};
use ntn_types::conformance::{SuiteReport, hex_bytes};
use rasn::{Decode, Encode};
use serde_json::Value;

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
            let mut taken = std::collections::BTreeSet::new();
            for (k, sx) in sh {
                if let (true, Value::Object(members)) = (is_group(k), sx) {
                    let mut g = serde_json::Map::new();
                    for (mk, shape) in members {
                        if let Some(x) = m.get(mk) {
                            g.insert(mk.clone(), regroup(x, shape));
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

fn has_group(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.iter().any(|(k, x)| is_group(k) || has_group(x)),
        Value::Array(a) => a.iter().any(has_group),
        _ => false,
    }
}

fn hex_encode(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// One vector: decode, compare through JER, encode the reference value. Returns our hex and
/// whether it differs only by the extension bitmap (pycrate's Rel-18 SIB3-NB has one more
/// extension addition than our V17.4.0: X.691 19.7, one bit per addition; each side decodes
/// the other's bytes to the same value).
fn check<T: Decode + Encode + PartialEq>(
    hex: &str,
    value: &Value,
) -> Result<(String, bool), String> {
    let bytes = hex_bytes(hex).ok_or("hex is not hex")?;
    let decoded: T = rasn::uper::decode(&bytes).map_err(|e| format!("decode: {e}"))?;
    let jer = rasn::jer::encode(&decoded).map_err(|e| format!("JER encode: {e}"))?;
    let ours_jer: Value = serde_json::from_str(&jer).map_err(|e| e.to_string())?;
    if norm(&rename(&ours_jer, true)) != norm(value) {
        return Err("decoded value differs".into());
    }
    let theirs = regroup(&rename(value, false), &ours_jer);
    let from_value: T =
        rasn::jer::decode(&theirs.to_string()).map_err(|e| format!("JER decode: {e}"))?;
    if from_value != decoded {
        return Err("the reference value reads differently".into());
    }
    let encoded = rasn::uper::encode(&from_value).map_err(|e| format!("encode: {e}"))?;
    let ours = hex_encode(&encoded);
    if ours == hex {
        return Ok((ours, false));
    }
    let again: Result<T, _> = rasn::uper::decode(&encoded);
    match again {
        Ok(a) if has_group(&ours_jer) && a == decoded => Ok((ours, true)),
        _ => Err(format!("our encoding differs: {ours} vs {hex}")),
    }
}

fn check_typed(ty: &str, hex: &str, value: &Value) -> Result<(String, bool), String> {
    match ty {
        "BCCH-BCH-Message-NB" => check::<BCCHBCHMessageNB>(hex, value),
        "BCCH-DL-SCH-Message-NB" => check::<BCCHDLSCHMessageNB>(hex, value),
        "SystemInformationBlockType1-NB" => check::<SystemInformationBlockType1NB>(hex, value),
        "SystemInformationBlockType31-NB-r17" => {
            check::<SystemInformationBlockType31NBR17>(hex, value)
        }
        "DL-CCCH-Message-NB" => check::<DLCCCHMessageNB>(hex, value),
        "UL-CCCH-Message-NB" => check::<ULCCCHMessageNB>(hex, value),
        "DL-DCCH-Message-NB" => check::<DLDCCHMessageNB>(hex, value),
        "UL-DCCH-Message-NB" => check::<ULDCCHMessageNB>(hex, value),
        "PCCH-Message-NB" => check::<PCCHMessageNB>(hex, value),
        other => Err(format!("no type {other}")),
    }
}

/// Every pycrate vector (one case each), plus a case that `ours_json` (nb_ours.json) holds
/// exactly our encodings. Also returns our encodings, as nb_ours.json lists them.
pub fn pycrate_nb_with_encodings(ref_json: &str, ours_json: &str) -> (SuiteReport, Value) {
    let mut report = SuiteReport::new(
        "rrc-nb-pycrate",
        "rrc/UPER codec (TS 36.331 NB-IoT)",
        "pycrate 0.8.1 (vectors/data/rrc/nb_pycrate.json; ours: nb_ours.json)",
        "same value field by field (JER); re-encoding byte-exact but for the Rel-18 bitmap",
    );
    let doc: Value = match serde_json::from_str(ref_json) {
        Ok(v) => v,
        Err(e) => {
            report.case("reference", false, e.to_string());
            return (report, Value::Null);
        }
    };
    let Some(vectors) = doc["vectors"].as_array() else {
        report.case("reference", false, "no vectors");
        return (report, Value::Null);
    };
    let mut ours = Vec::new();
    for v in vectors {
        let (Some(name), Some(hex), Some(ty)) =
            (v["name"].as_str(), v["hex"].as_str(), v["type"].as_str())
        else {
            report.case("reference", false, format!("bad vector {v}"));
            continue;
        };
        match check_typed(ty, hex, &v["value"]) {
            Ok((out, bitmap)) => {
                report.case(
                    name,
                    true,
                    if bitmap {
                        "same value; encoding differs only in the extension bitmap (Rel-18)"
                    } else {
                        "same value, same bytes"
                    },
                );
                ours.push(serde_json::json!({"name": name, "type": ty, "hex": out}));
            }
            Err(e) => report.case(name, false, e),
        }
    }
    let ours = Value::Array(ours);
    match serde_json::from_str::<Value>(ours_json) {
        Ok(kept) if kept == ours => report.case("nb_ours.json", true, "current"),
        Ok(_) => report.case(
            "nb_ours.json",
            false,
            "stale: rerun the RRC vector test with NTN_WRITE_OURS=1",
        ),
        Err(e) => report.case("nb_ours.json", false, e.to_string()),
    }
    (report, ours)
}

/// [`pycrate_nb_with_encodings`] without the encodings.
pub fn pycrate_nb(ref_json: &str, ours_json: &str) -> SuiteReport {
    pycrate_nb_with_encodings(ref_json, ours_json).0
}
