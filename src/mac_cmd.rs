//! `ntn mac decode`: an NB-IoT MAC PDU as its tree of subheaders, control elements (with their
//! fields) and SDUs (hex, with the LCID), as text or JSON.

use crate::output::{Format, Table};
use crate::tree::{HexInput, hex};
use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};
use ntn_mac::mac::pdu::{
    BSR_BOUNDS, DV_BOUNDS, Dpr, LinkDirection, MacPduRepr, RarPduRepr, ShortBsr,
    TimingAdvanceCommand, TimingAdvanceReport, parse_c_rnti, parse_contention_resolution_identity,
    parse_subheaders,
};
use serde_json::{Value, json};

/// MAC commands.
#[derive(Subcommand, Debug)]
pub enum MacCmd {
    /// Decode one MAC PDU given in hex (argument, `-`/standard input, `@FILE` or --file).
    Decode(DecodeArgs),
}

/// Direction of the PDU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Dir {
    /// DL-SCH.
    Dl,
    /// UL-SCH.
    Ul,
}

/// RNTI the PDU was addressed with: it decides the PDU format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RntiType {
    /// C-RNTI / Temporary C-RNTI: a DL-SCH or UL-SCH MAC PDU.
    C,
    /// RA-RNTI: a Random Access Response.
    Ra,
    /// P-RNTI: paging (transparent MAC, the PCCH message as is).
    P,
    /// SI-RNTI: system information (transparent MAC, the BCCH message as is).
    Si,
}

/// Output format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum MacFormat {
    /// A tree as text.
    #[default]
    Text,
    /// The same tree as JSON.
    Json,
}

/// `ntn mac decode`.
#[derive(Args, Debug)]
pub struct DecodeArgs {
    /// The MAC PDU.
    #[command(flatten)]
    pub input: HexInput,
    /// Direction.
    #[arg(long, value_enum, default_value_t = Dir::Dl)]
    pub dir: Dir,
    /// RNTI type.
    #[arg(long, value_enum, default_value_t = RntiType::C)]
    pub rnti_type: RntiType,
    /// Output format.
    #[arg(long, value_enum, default_value_t = MacFormat::Text)]
    pub format: MacFormat,
}

/// Runs a MAC command.
pub fn run(cmd: MacCmd) -> Result<()> {
    match cmd {
        MacCmd::Decode(a) => {
            if a.dir == Dir::Ul && a.rnti_type != RntiType::C {
                let name = a
                    .rnti_type
                    .to_possible_value()
                    .map(|v| v.get_name().to_owned())
                    .unwrap_or_default();
                anyhow::bail!(
                    "--rnti-type {name} addresses a downlink PDU (RAR, paging or system information): drop --dir ul"
                );
            }
            let bytes = a.input.read()?;
            let tree = decode(&bytes, a.dir, a.rnti_type)?;
            print!("{}", render(&tree, a.format));
            Ok(())
        }
    }
}

/// The bounds of a BSR (`BS`) or DV index as numbers: `(above, at_most)` in bytes, with
/// `at_most` `None` for the open top index and `(0, Some(0))` for index 0 (TS 36.321 tables
/// 6.1.3.1-1, 6.1.3.10-1).
fn range_bytes(bounds: &[u32], idx: u8) -> (u32, Option<u32>) {
    let i = usize::from(idx);
    match i.checked_sub(1) {
        None => (0, Some(0)),
        Some(below) if i < bounds.len() => (bounds[below], Some(bounds[i])),
        Some(_) => (bounds.last().copied().unwrap_or(0), None),
    }
}

/// The same bounds as text, e.g. `26 < DV <= 36`.
fn range_text(name: &str, bounds: &[u32], idx: u8) -> String {
    match range_bytes(bounds, idx) {
        (_, Some(0)) => format!("{name} = 0"),
        (lo, Some(hi)) => format!("{lo} < {name} <= {hi}"),
        (lo, None) => format!("{name} > {lo}"),
    }
}

/// One element of the PDU: its name and fields.
fn element(dir: Dir, lcid: u8, p: &[u8]) -> Value {
    let sdu =
        |name: String| json!({"lcid": lcid, "name": name, "length": p.len(), "sdu_hex": hex(p)});
    match (dir, lcid) {
        (Dir::Dl, 0) => sdu("CCCH SDU".into()),
        (Dir::Ul, 0) => {
            // NB-IoT Msg3: the DPR octet in front of the CCCH SDU (36.321 §6.1.3.10).
            match Dpr::parse(p) {
                Ok(d) => json!({
                    "lcid": lcid, "name": "DPR + CCCH SDU", "length": p.len(),
                    "dpr": {"ph_level": d.ph, "dv_index": d.dv, "dv": range_text("DV", &DV_BOUNDS, d.dv),
                        "dv_bytes_above": range_bytes(&DV_BOUNDS, d.dv).0,
                        "dv_bytes_at_most": range_bytes(&DV_BOUNDS, d.dv).1},
                    "sdu_hex": hex(&p[1..]),
                }),
                Err(_) => sdu("CCCH SDU (empty)".into()),
            }
        }
        (_, 1) => sdu("SRB1 SDU".into()),
        (_, 3) => sdu("SRB1bis SDU".into()),
        (_, 2..=10) => sdu(format!("logical channel {lcid} SDU")),
        (Dir::Dl, 28) => match parse_contention_resolution_identity(p) {
            Ok(id) => {
                json!({"lcid": lcid, "name": "UE Contention Resolution Identity", "identity_hex": hex(&id)})
            }
            Err(e) => {
                json!({"lcid": lcid, "name": "UE Contention Resolution Identity", "error": e.to_string()})
            }
        },
        (Dir::Dl, 29) => match TimingAdvanceCommand::parse(p) {
            Ok(t) => json!({"lcid": lcid, "name": "Timing Advance Command", "tag_id": t.tag_id,
                "ta": t.ta, "n_ta_change_ts": (i32::from(t.ta) - 31) * 16}),
            Err(e) => {
                json!({"lcid": lcid, "name": "Timing Advance Command", "error": e.to_string()})
            }
        },
        (Dir::Dl, 30) => json!({"lcid": lcid, "name": "DRX Command"}),
        (Dir::Ul, 15) => match TimingAdvanceReport::parse(p) {
            Ok(t) => json!({"lcid": lcid, "name": "Timing Advance Report", "ta": t.ta}),
            Err(e) => {
                json!({"lcid": lcid, "name": "Timing Advance Report", "error": e.to_string()})
            }
        },
        (Dir::Ul, 26) => json!({"lcid": lcid, "name": "Power Headroom Report",
            "ph": p.first().map(|b| b & 0x3f)}),
        (Dir::Ul, 27) => match parse_c_rnti(p) {
            Ok(r) => json!({"lcid": lcid, "name": "C-RNTI", "c_rnti": r}),
            Err(e) => json!({"lcid": lcid, "name": "C-RNTI", "error": e.to_string()}),
        },
        (Dir::Ul, 28 | 29) => match ShortBsr::parse(p) {
            Ok(b) => json!({"lcid": lcid,
                "name": if lcid == 29 { "Short BSR" } else { "Truncated BSR" },
                "lcg_id": b.lcg_id, "buffer_size_index": b.buffer_size_index,
                "buffer_size": range_text("BS", &BSR_BOUNDS, b.buffer_size_index),
                "buffer_size_bytes_above": range_bytes(&BSR_BOUNDS, b.buffer_size_index).0,
                "buffer_size_bytes_at_most": range_bytes(&BSR_BOUNDS, b.buffer_size_index).1}),
            Err(e) => json!({"lcid": lcid, "name": "BSR", "error": e.to_string()}),
        },
        (Dir::Ul, 30) => json!({"lcid": lcid, "name": "Long BSR", "body_hex": hex(p)}),
        _ => json!({"lcid": lcid, "name": "unknown", "length": p.len(), "body_hex": hex(p)}),
    }
}

/// The decoded tree of one PDU.
pub fn decode(bytes: &[u8], dir: Dir, rnti: RntiType) -> Result<Value> {
    let dir_s = match dir {
        Dir::Dl => "DL",
        Dir::Ul => "UL",
    };
    match rnti {
        RntiType::P | RntiType::Si => Ok(json!({
            "pdu": if rnti == RntiType::P { "PCH (transparent MAC)" } else { "BCCH on DL-SCH (transparent MAC)" },
            "direction": dir_s, "length": bytes.len(), "sdu_hex": hex(bytes),
        })),
        RntiType::Ra => {
            let r = RarPduRepr::parse(bytes).map_err(|e| anyhow::anyhow!("RAR PDU: {e}"))?;
            let rars: Vec<Value> = r
                .rars
                .iter()
                .map(|(rapid, rar)| {
                    json!({
                        "rapid": rapid, "ta": rar.ta, "tc_rnti": rar.tc_rnti,
                        "ul_grant": {
                            "subcarrier_spacing_khz": if rar.grant.spacing_15khz { 15.0 } else { 3.75 },
                            "subcarrier_indication": rar.grant.subcarrier_indication,
                            "scheduling_delay": rar.grant.scheduling_delay,
                            "msg3_repetition_number": rar.grant.msg3_repetitions,
                            "mcs": rar.grant.mcs,
                        }
                    })
                })
                .collect();
            Ok(json!({
                "pdu": "Random Access Response", "direction": dir_s, "length": bytes.len(),
                "backoff_indicator": r.backoff_indicator, "rars": rars,
            }))
        }
        RntiType::C => {
            let ld = match dir {
                Dir::Dl => LinkDirection::Downlink,
                Dir::Ul => LinkDirection::Uplink,
            };
            let p = MacPduRepr::parse(bytes, ld).map_err(|e| anyhow::anyhow!("MAC PDU: {e}"))?;
            let (heads, _) =
                parse_subheaders(bytes, ld).map_err(|e| anyhow::anyhow!("MAC PDU: {e}"))?;
            let subheaders: Vec<Value> = heads
                .iter()
                .map(|h| {
                    json!({
                        "lcid": h.lcid, "f2": u8::from(h.format2), "e": u8::from(h.extension),
                        "f": h.format.map(u8::from), "l": if h.has_l { h.length } else { None },
                        "octets": h.octets,
                    })
                })
                .collect();
            let elements: Vec<Value> = p
                .elements
                .iter()
                .map(|e| element(dir, e.lcid, e.payload))
                .collect();
            Ok(json!({
                "pdu": format!("{}-SCH MAC PDU", dir_s), "direction": dir_s,
                "length": bytes.len(), "padding": p.padding, "subheaders": subheaders,
                "elements": elements,
            }))
        }
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

/// Renders the tree: JSON as is; text as the summary (through the shared table output)
/// followed by the subheaders and the elements, one indented block each.
pub fn render(tree: &Value, format: MacFormat) -> String {
    match format {
        MacFormat::Json => format!("{tree:#}\n"),
        MacFormat::Text => {
            let mut t = Table::new(scalar(&tree["pdu"]), &[]);
            if let Value::Object(m) = tree {
                for (k, v) in m {
                    if !matches!(k.as_str(), "pdu" | "elements" | "rars" | "subheaders") {
                        t.summary(k, v.clone());
                    }
                }
            }
            let mut s = t.render(Format::Table);
            if let Some(h) = tree["subheaders"].as_array() {
                s.push_str("  subheaders:\n");
                for (i, x) in h.iter().enumerate() {
                    let l = match &x["l"] {
                        Value::Null => String::new(),
                        v => format!(" F={} L={v}", scalar(&x["f"])),
                    };
                    s.push_str(&format!(
                        "    [{i}] F2={} E={} LCID={}{l}\n",
                        x["f2"], x["e"], x["lcid"]
                    ));
                }
            }
            let (label, items) = match tree["elements"].as_array() {
                Some(e) => ("elements", e.clone()),
                None => ("rars", tree["rars"].as_array().cloned().unwrap_or_default()),
            };
            if !items.is_empty() {
                s.push_str(&format!("  {label}:\n"));
            }
            for (i, e) in items.iter().enumerate() {
                let name = e
                    .get("name")
                    .map(scalar)
                    .unwrap_or_else(|| format!("RAR RAPID {}", scalar(&e["rapid"])));
                s.push_str(&format!("    [{i}] {name}\n"));
                let mut fields = Vec::new();
                flatten("", e, &mut fields);
                for (k, v) in fields.into_iter().filter(|(k, _)| k != "name") {
                    s.push_str(&format!("          {k}: {v}\n"));
                }
            }
            s
        }
    }
}

fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, x, out);
            }
        }
        other => out.push((prefix.to_owned(), scalar(other))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::tree::parse_hex;

    /// Msg4-like DL PDU: CRI CE, TA command CE (T_A 33 → +32 Ts), SRB1bis SDU.
    #[test]
    fn dl_pdu_tree() {
        let b = parse_hex("3c 3d 03 010203040506 21 aabbcc").unwrap();
        let t = decode(&b, Dir::Dl, RntiType::C).unwrap();
        let e = t["elements"].as_array().unwrap();
        assert_eq!(e.len(), 3);
        assert_eq!(e[0]["identity_hex"], "010203040506");
        assert_eq!(e[1]["ta"], 33);
        assert_eq!(e[1]["n_ta_change_ts"], 32);
        assert_eq!(e[2]["name"], "SRB1bis SDU");
        assert_eq!(e[2]["sdu_hex"], "aabbcc");
        let text = render(&t, MacFormat::Text);
        assert!(text.contains("UE Contention Resolution Identity"), "{text}");
        assert!(text.contains("sdu_hex: aabbcc"), "{text}");
        assert!(text.contains("[2] F2=0 E=0 LCID=3"), "{text}");
        assert_eq!(t["subheaders"][0]["e"], 1);
    }

    /// Index 0, the closed indices and the open top one, as text and numbers.
    #[test]
    fn bsr_and_dv_bounds() {
        assert_eq!(range_text("BS", &BSR_BOUNDS, 0), "BS = 0");
        assert_eq!(range_text("BS", &BSR_BOUNDS, 1), "0 < BS <= 10");
        assert_eq!(range_text("BS", &BSR_BOUNDS, 62), "128125 < BS <= 150000");
        assert_eq!(range_text("BS", &BSR_BOUNDS, 63), "BS > 150000");
        assert_eq!(range_bytes(&BSR_BOUNDS, 63), (150_000, None));
        assert_eq!(range_text("DV", &DV_BOUNDS, 15), "DV > 1500");
        assert_eq!(range_bytes(&DV_BOUNDS, 5), (26, Some(36)));
    }

    /// Msg3: CCCH with DPR (PH 2, DV 5) and an RRCConnectionRequest-NB.
    #[test]
    fn ul_msg3_and_rar() {
        let b = parse_hex("00252a2468acf134a60000").unwrap();
        let t = decode(&b, Dir::Ul, RntiType::C).unwrap();
        let e = &t["elements"][0];
        assert_eq!(e["dpr"]["ph_level"], 2);
        assert_eq!(e["dpr"]["dv"], "26 < DV <= 36");
        assert_eq!(e["sdu_hex"], "2a2468acf134a60000");
        let rar = parse_hex("85 51 2ab98a604601").unwrap();
        let t = decode(&rar, Dir::Dl, RntiType::Ra).unwrap();
        assert_eq!(t["backoff_indicator"], 5);
        assert_eq!(t["rars"][0]["rapid"], 17);
        assert_eq!(t["rars"][0]["tc_rnti"], 0x4601);
        let j: Value = serde_json::from_str(&render(&t, MacFormat::Json)).unwrap();
        assert_eq!(j, t);
        assert!(decode(&[0x3c], Dir::Dl, RntiType::C).is_err());
        assert!(parse_hex("abc").is_err());
    }
}
