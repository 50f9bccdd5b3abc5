//! Conformance suites over the pycrate cross-codec vectors (`vectors/data/nas/eps_pycrate.json`
//! and `5gs_pycrate.json`, made by `vectors/gen/pycrate_nas_{eps,5gs}.py`): every vector decodes
//! with the field values pycrate read from it and re-encodes to the same octets. The vector
//! tests and `ntn conformance` both run these.

mod eps;
mod fivegs;

use crate::eps::NasMessage;
use crate::fivegs::NasMessage5g;
use ntn_security::Direction;
use ntn_types::conformance::{SuiteReport, hex_bytes};
use serde_json::Value;
use std::collections::BTreeMap;

/// Lowercase hex, as the generators write octet strings.
fn h(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// EPS NAS (TS 24.301) against pycrate.
pub fn pycrate_eps(json_text: &str) -> SuiteReport {
    let mut r = SuiteReport::new(
        "nas-eps-pycrate",
        "EPS NAS codec (TS 24.301)",
        "vectors/data/nas/eps_pycrate.json (pycrate, vectors/gen/pycrate_nas_eps.py)",
        "every field equal, re-encoding identical",
    );
    // The generator covers 41 message types (EMM, ESM and the security-protected forms).
    each_vector(&mut r, json_text, 41, |bytes, dir| {
        let m = NasMessage::parse(bytes, dir).map_err(|e| format!("decode: {e}"))?;
        let enc = m.to_vec().map_err(|e| format!("encode: {e}"))?;
        let kind = match &m {
            NasMessage::Emm(e) => u32::from(e.message_type()),
            NasMessage::Esm(e) => 0x100 + u32::from(e.message_type()),
            _ => 0x200,
        };
        Ok((eps::fields(&m), enc, kind))
    });
    r
}

/// 5GS NAS (TS 24.501) against pycrate.
pub fn pycrate_5gs(json_text: &str) -> SuiteReport {
    let mut r = SuiteReport::new(
        "nas-5gs-pycrate",
        "5GS NAS codec (TS 24.501)",
        "vectors/data/nas/5gs_pycrate.json (pycrate, vectors/gen/pycrate_nas_5gs.py)",
        "every field equal, re-encoding identical",
    );
    each_vector(&mut r, json_text, 30, |bytes, dir| {
        let m = NasMessage5g::parse(bytes, dir).map_err(|e| format!("decode: {e}"))?;
        let enc = m.to_vec().map_err(|e| format!("encode: {e}"))?;
        let kind = match &m {
            NasMessage5g::Mm(x) => u32::from(x.message_type()),
            NasMessage5g::Sm(x) => 0x100 + u32::from(x.message_type()),
            NasMessage5g::Protected(_) => 0x200,
        };
        Ok((fivegs::fields(&m), enc, kind))
    });
    r
}

/// Our fields, re-encoding and message type (a code unique within the suite) of one PDU.
type Reading = Result<(BTreeMap<String, Value>, Vec<u8>, u32), String>;

/// One case per vector of the document: decoded, compared field by field, re-encoded; and
/// a last case that the vectors cover at least `min_types` message types (a truncated vector
/// file fails it).
fn each_vector(
    r: &mut SuiteReport,
    json_text: &str,
    min_types: usize,
    read: impl Fn(&[u8], Direction) -> Reading,
) {
    let doc: Value = match serde_json::from_str(json_text) {
        Ok(d) => d,
        Err(e) => return r.case("document", false, format!("not JSON: {e}")),
    };
    let Some(vectors) = doc["vectors"].as_array().filter(|v| !v.is_empty()) else {
        return r.case("document", false, "no \"vectors\" array");
    };
    let mut kinds = std::collections::BTreeSet::new();
    for (i, v) in vectors.iter().enumerate() {
        let name = v["name"]
            .as_str()
            .map_or_else(|| format!("vector {i}"), str::to_owned);
        let dir = match v["dir"].as_str() {
            Some("ul") => Direction::Uplink,
            Some("dl") => Direction::Downlink,
            other => {
                r.case(name, false, format!("direction {other:?}"));
                continue;
            }
        };
        let Some(bytes) = v["hex"].as_str().and_then(hex_bytes) else {
            r.case(name, false, "no hex octets");
            continue;
        };
        let Some(want) = v["fields"].as_object() else {
            r.case(name, false, "no fields");
            continue;
        };
        match read(&bytes, dir) {
            Err(e) => r.case(name, false, e),
            Ok((ours, enc, kind)) => {
                kinds.insert(kind);
                let wrong: Vec<String> = want
                    .iter()
                    .filter(|(k, w)| ours.get(*k) != Some(*w))
                    .map(|(k, w)| format!("{k}: ours {:?}, pycrate {w}", ours.get(k)))
                    .collect();
                if !wrong.is_empty() {
                    r.case(name, false, wrong.join("; "));
                } else if enc != bytes {
                    r.case(name, false, format!("re-encoded as {}", h(&enc)));
                } else {
                    r.case(
                        name,
                        true,
                        format!("{} fields equal, re-encoding identical", want.len()),
                    );
                }
            }
        }
    }
    r.case(
        "message types",
        kinds.len() >= min_types,
        format!(
            "{} distinct message types (at least {min_types})",
            kinds.len()
        ),
    );
}
