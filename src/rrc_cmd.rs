//! `ntn rrc`: decode an NB-IoT RRC message (UPER hex) to a tree or JSON, and encode JSON back.
//!
//! The JSON is rasn's JER (X.697) of the types generated from TS 36.331 (field and
//! alternative names are the spec's), so `ntn rrc decode T HEX --format json > f.json` and
//! `ntn rrc encode T f.json` round-trip. Decoding is `ntn_rrc`'s typed decoders (BCCH and PCCH
//! accept the zero padding of TS 36.331 §8.5).

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand, ValueEnum};
use ntn_rrc::asn1::rasn;
use std::path::PathBuf;

use crate::tree::{HexInput, Tree, hex};

/// Text or JSON output of the decode commands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum TreeFormat {
    /// An indented tree, one field per line.
    #[default]
    Text,
    /// JSON (for RRC: JER, accepted by `ntn rrc encode`).
    Json,
}

/// `ntn rrc` subcommands.
#[derive(Subcommand, Debug)]
pub enum RrcCmd {
    /// Decode a UPER-encoded message given in hex.
    Decode(DecodeArgs),
    /// Encode a message from its JSON (JER) form; prints the UPER hex.
    Encode(EncodeArgs),
    /// List the message types.
    Types,
}

/// `ntn rrc decode`.
#[derive(Args, Debug)]
pub struct DecodeArgs {
    /// Message type, e.g. BCCH-BCH-Message-NB, BCCH-DL-SCH-Message-NB, DL-CCCH-Message-NB,
    /// UL-CCCH-Message-NB, DL-DCCH-Message-NB, UL-DCCH-Message-NB (see `ntn rrc types`).
    pub message_type: String,
    /// The encoded message.
    #[command(flatten)]
    pub input: HexInput,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TreeFormat::Text)]
    pub format: TreeFormat,
}

/// `ntn rrc encode`.
#[derive(Args, Debug)]
pub struct EncodeArgs {
    /// Message type (as for decode).
    pub message_type: String,
    /// JSON file with the value (as printed by `decode --format json`); `-` for stdin.
    pub file: PathBuf,
}

/// The message types the commands know: spec name, decoder and encoder through JER.
struct MsgType {
    name: &'static str,
    decode: fn(&[u8]) -> Result<String>,
    encode: fn(&str) -> Result<Vec<u8>>,
    /// JER in, the same value's canonical JER out (what the decoder understood of it).
    canonical: fn(&str) -> Result<String>,
}

fn jer_of<T: rasn::Encode, E: std::fmt::Display>(r: Result<T, E>) -> Result<String> {
    let v = r.map_err(|e| anyhow!("{e}"))?;
    rasn::jer::encode(&v).map_err(|e| anyhow!("JER encoding failed: {e}"))
}

fn canonical_jer<T: rasn::Decode + rasn::Encode>(name: &'static str, json: &str) -> Result<String> {
    let v: T = rasn::jer::decode(json).map_err(|e| anyhow!("not a valid {name} value: {e}"))?;
    rasn::jer::encode(&v).map_err(|e| anyhow!("JER encoding failed: {e}"))
}

fn uper_of<T: rasn::Decode + rasn::Encode>(name: &'static str, json: &str) -> Result<Vec<u8>> {
    let v: T = rasn::jer::decode(json).map_err(|e| anyhow!("not a valid {name} value: {e}"))?;
    ntn_rrc::encode(name, &v).map_err(|e| anyhow!("{e}"))
}

macro_rules! msg_type {
    ($name:literal, $ty:ty, $decode:path) => {
        MsgType {
            name: $name,
            decode: |b| jer_of($decode(b)),
            encode: |j| uper_of::<$ty>($name, j),
            canonical: |j| canonical_jer::<$ty>($name, j),
        }
    };
}

fn types() -> [MsgType; 9] {
    use ntn_rrc::asn1 as a;
    [
        msg_type!(
            "BCCH-BCH-Message-NB",
            a::BCCHBCHMessageNB,
            ntn_rrc::decode_bcch_bch
        ),
        msg_type!(
            "BCCH-DL-SCH-Message-NB",
            a::BCCHDLSCHMessageNB,
            ntn_rrc::decode_bcch_dl_sch
        ),
        msg_type!(
            "DL-CCCH-Message-NB",
            a::DLCCCHMessageNB,
            ntn_rrc::decode_dl_ccch
        ),
        msg_type!(
            "UL-CCCH-Message-NB",
            a::ULCCCHMessageNB,
            ntn_rrc::decode_ul_ccch
        ),
        msg_type!(
            "DL-DCCH-Message-NB",
            a::DLDCCHMessageNB,
            ntn_rrc::decode_dl_dcch
        ),
        msg_type!(
            "UL-DCCH-Message-NB",
            a::ULDCCHMessageNB,
            ntn_rrc::decode_ul_dcch
        ),
        msg_type!("PCCH-Message-NB", a::PCCHMessageNB, ntn_rrc::decode_pcch),
        msg_type!(
            "SystemInformationBlockType1-NB",
            a::SystemInformationBlockType1NB,
            ntn_rrc::decode_sib1
        ),
        msg_type!(
            "SystemInformationBlockType31-NB-r17",
            a::SystemInformationBlockType31NBR17,
            ntn_rrc::decode_sib31
        ),
    ]
}

fn find(name: &str) -> Result<MsgType> {
    let want = name.to_ascii_lowercase().replace('_', "-");
    types()
        .into_iter()
        .find(|t| t.name.to_ascii_lowercase() == want)
        .ok_or_else(|| {
            let known: Vec<&str> = types().iter().map(|t| t.name).collect();
            anyhow!("unknown message type {name:?}; known: {}", known.join(", "))
        })
}

/// Decodes `bytes` as `message_type`: (canonical type name, JER text).
pub fn decode_jer(message_type: &str, bytes: &[u8]) -> Result<(&'static str, String)> {
    let t = find(message_type)?;
    if bytes.is_empty() {
        bail!("no octets to decode");
    }
    Ok((t.name, (t.decode)(bytes)?))
}

/// The PLMN identities of a decoded message, in order, from its JER: every `PLMN-Identity`
/// (an object with an `mnc` digit list) as MCC and MNC digit strings, leading zeros kept and
/// the MNC with the 2 or 3 digits it was coded with; a PLMN without `mcc` takes the previous
/// one's (TS 36.331 §6.3.4, PLMN-Identity).
pub fn plmn_identities(jer: &serde_json::Value) -> Vec<serde_json::Value> {
    fn digits(v: &serde_json::Value) -> Option<String> {
        v.as_array()?
            .iter()
            .map(|d| {
                d.as_u64()
                    .filter(|d| *d <= 9)
                    .and_then(|d| char::from_digit(d as u32, 10))
            })
            .collect()
    }
    fn walk(v: &serde_json::Value, mcc: &mut Option<String>, out: &mut Vec<serde_json::Value>) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(mnc) = m.get("mnc").and_then(digits) {
                    if let Some(c) = m.get("mcc").and_then(digits) {
                        *mcc = Some(c);
                    }
                    out.push(serde_json::json!({"mcc": mcc.clone(), "mnc": mnc}));
                    return;
                }
                m.values().for_each(|x| walk(x, mcc, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, mcc, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(jer, &mut None, &mut out);
    out
}

/// A step of a path into a JSON value.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn path_text(path: &[Step]) -> String {
    let mut s = String::new();
    for p in path {
        match p {
            Step::Key(k) if s.is_empty() => s.push_str(k),
            Step::Key(k) => {
                s.push('.');
                s.push_str(k);
            }
            Step::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    if s.is_empty() {
        "(top level)".into()
    } else {
        s
    }
}

fn at_mut<'v>(v: &'v mut serde_json::Value, path: &[Step]) -> Option<&'v mut serde_json::Value> {
    path.iter().try_fold(v, |v, step| match step {
        Step::Key(k) => v.get_mut(k.as_str()),
        Step::Index(i) => v.get_mut(*i),
    })
}

/// Members of `given` that the decoder did not use: absent from `canonical` (the same value
/// re-encoded) and still ignored when replaced by a value no ASN.1 type of ours accepts
/// (a fractional number; RRC has no REAL). A member the decoder reads but the encoder may
/// leave out (a DEFAULT field with its default value) turns the probe into a decoding error,
/// so it is not reported.
fn unknown_members(
    root: &serde_json::Value,
    given: &serde_json::Value,
    canonical: &serde_json::Value,
    path: &mut Vec<Step>,
    still_decodes: &dyn Fn(&str) -> bool,
    out: &mut Vec<String>,
) {
    use serde_json::Value;
    match (given, canonical) {
        (Value::Object(g), Value::Object(c)) => {
            for (k, gv) in g {
                let same = c.get(k).or_else(|| {
                    c.iter()
                        .find(|(ck, _)| ck.eq_ignore_ascii_case(k))
                        .map(|(_, v)| v)
                });
                path.push(Step::Key(k.clone()));
                match same {
                    Some(cv) => unknown_members(root, gv, cv, path, still_decodes, out),
                    None => {
                        let mut probe = root.clone();
                        if let Some(slot) = at_mut(&mut probe, path) {
                            *slot = Value::from(-0.5);
                        }
                        if still_decodes(&probe.to_string()) {
                            out.push(path_text(path));
                        }
                    }
                }
                path.pop();
            }
        }
        (Value::Array(g), Value::Array(c)) => {
            for (i, (gv, cv)) in g.iter().zip(c).enumerate() {
                path.push(Step::Index(i));
                unknown_members(root, gv, cv, path, still_decodes, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Encodes JER text as `t`, refusing members the type does not have (rasn's JER decoder
/// ignores them silently): the error names each one by its path.
fn encode_strict(t: &MsgType, json: &str) -> Result<Vec<u8>> {
    let given: serde_json::Value =
        serde_json::from_str(json).map_err(|e| anyhow!("not JSON: {e}"))?;
    let canonical: serde_json::Value = serde_json::from_str(&(t.canonical)(json)?)
        .map_err(|e| anyhow!("JER from the codec: {e}"))?;
    let mut unknown = Vec::new();
    let still_decodes = |j: &str| (t.canonical)(j).is_ok();
    unknown_members(
        &given,
        &given,
        &canonical,
        &mut Vec::new(),
        &still_decodes,
        &mut unknown,
    );
    if !unknown.is_empty() {
        bail!(
            "unknown field{} {} (not part of {})",
            if unknown.len() == 1 { "" } else { "s" },
            unknown.join(", "),
            t.name
        );
    }
    (t.encode)(json)
}

/// Runs `ntn rrc`.
pub fn run(cmd: RrcCmd) -> Result<()> {
    match cmd {
        RrcCmd::Types => {
            for t in types() {
                println!("{}", t.name);
            }
            Ok(())
        }
        RrcCmd::Decode(a) => {
            let bytes = a.input.read()?;
            let (name, jer) = decode_jer(&a.message_type, &bytes)?;
            let tree = Tree::from_json(&jer).map_err(|e| anyhow!("JER from the codec: {e}"))?;
            match a.format {
                TreeFormat::Text => print!("{}", tree.to_text(name)),
                TreeFormat::Json => print!("{}", tree.to_json()),
            }
            Ok(())
        }
        RrcCmd::Encode(a) => {
            let t = find(&a.message_type)?;
            let (json, origin) =
                crate::tree::read_text((a.file.as_os_str() != "-").then_some(a.file.as_path()))?;
            let bytes = encode_strict(&t, &json).with_context(|| origin)?;
            println!("{}", hex(&bytes));
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn mib_jer() -> serde_json::Value {
        let (_, jer) = decode_jer("BCCH-BCH-Message-NB", &[0x58, 0xe3, 0xc0, 0, 0]).unwrap();
        serde_json::from_str(&jer).unwrap()
    }

    /// MCC/MNC as strings with their leading zeros; the MNC keeps its 2 or 3 digits.
    #[test]
    fn plmns_as_mcc_mnc_strings() {
        let (_, jer) = decode_jer(
            "SystemInformationBlockType1-NB",
            &crate::tree::parse_hex("00294200201891a055e6f7c003fc000800").unwrap(),
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&jer).unwrap();
        let p = plmn_identities(&v);
        assert!(!p.is_empty(), "{jer}");
        for x in &p {
            let (mcc, mnc) = (x["mcc"].as_str().unwrap(), x["mnc"].as_str().unwrap());
            assert_eq!(mcc.len(), 3, "{x}");
            assert!(mnc.len() == 2 || mnc.len() == 3, "{x}");
        }
        let j = serde_json::json!({"a": [
            {"mcc": [0, 0, 1], "mnc": [0, 1]},
            {"mnc": [0, 0, 7]},
            {"mcc": [3, 1, 0], "mnc": [2, 6, 0]},
        ]});
        assert_eq!(
            plmn_identities(&j),
            vec![
                serde_json::json!({"mcc": "001", "mnc": "01"}),
                serde_json::json!({"mcc": "001", "mnc": "007"}),
                serde_json::json!({"mcc": "310", "mnc": "260"}),
            ]
        );
    }

    #[test]
    fn encode_takes_its_own_json() {
        let t = find("BCCH-BCH-Message-NB").unwrap();
        let b = encode_strict(&t, &mib_jer().to_string()).unwrap();
        assert_eq!(hex(&b), "58e3c00000");
    }

    /// rasn's JER decoder ignores members a type does not have; `rrc encode` names them.
    #[test]
    fn unknown_fields_are_errors_naming_their_path() {
        let t = find("BCCH-BCH-Message-NB").unwrap();
        let mut v = mib_jer();
        v["bogus"] = serde_json::json!(1);
        let e = encode_strict(&t, &v.to_string()).unwrap_err().to_string();
        assert!(e.contains("unknown field bogus"), "{e}");
        let mut v = mib_jer();
        v["message"]["schedulingInfoSIB1-r13-typo"] = serde_json::json!(3);
        let e = encode_strict(&t, &v.to_string()).unwrap_err().to_string();
        assert!(
            e.contains("message.schedulingInfoSIB1-r13-typo") && e.contains("BCCH-BCH-Message-NB"),
            "{e}"
        );
        // an extra member beside a CHOICE's alternative
        let mut v = mib_jer();
        v["message"]["operationModeInfo-r13"]["zz-extra"] = serde_json::json!({});
        let e = encode_strict(&t, &v.to_string()).unwrap_err().to_string();
        assert!(e.contains("message.operationModeInfo-r13.zz-extra"), "{e}");
        // inside a SEQUENCE OF, and at the top of another type
        let sib1 = find("SystemInformationBlockType1-NB").unwrap();
        let (_, jer) = decode_jer(
            "SystemInformationBlockType1-NB",
            &crate::tree::parse_hex("00294200201891a055e6f7c003fc000800").unwrap(),
        )
        .unwrap();
        let mut v: serde_json::Value = serde_json::from_str(&jer).unwrap();
        assert!(encode_strict(&sib1, &v.to_string()).is_ok());
        v["cellAccessRelatedInfo-r13"]["plmn-IdentityList-r13"][0]["mcc"] = serde_json::json!([1]);
        v["p-Max"] = serde_json::json!(23);
        let e = encode_strict(&sib1, &v.to_string())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(
                "unknown fields cellAccessRelatedInfo-r13.plmn-IdentityList-r13[0].mcc, p-Max"
            ) || e.contains(
                "unknown fields p-Max, cellAccessRelatedInfo-r13.plmn-IdentityList-r13[0].mcc"
            ),
            "{e}"
        );
    }
}
