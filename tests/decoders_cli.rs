//! Issue 21, machine-readable output and decoder input: hex from an argument, standard input
//! or a file for `ntn mac|rrc|nas decode` (bad hex is an error naming the position, never a
//! panic); `--format json` of every decoder is structured (named fields, no Rust `Debug`
//! text); `rrc encode` refuses unknown JSON fields; `nbiot gen` range-checks its numbers;
//! single-tone NPUSCH defaults to π/4-QPSK.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is the report

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

mod common;
use common::ntn;

/// `ntn ARGS` with `input` on standard input: `(success, stdout, stderr)`.
fn ntn_stdin(args: &[&str], input: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ntn"))
        .args(args)
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ntn runs");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(input.as_bytes())
        .expect("stdin written");
    let out = child.wait_with_output().expect("ntn ends");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.success(), text(&out.stdout), text(&out.stderr))
}

fn tmp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("ntn-decoders-cli-{}-{name}", std::process::id()))
}

/// Fails on anything that looks like Rust `Debug` output in a JSON document: `Some(…)`,
/// `None`, `Type { … }` or `Variant(…)` in a string, or a Rust type name as a key.
fn assert_no_debug_text(v: &Value, at: &str) {
    let looks_like_debug = |s: &str| {
        s.contains("Some(")
            || s == "None"
            || s.split_whitespace().any(|w| {
                let mut c = w.chars();
                c.next().is_some_and(|f| f.is_ascii_uppercase())
                    && w.chars().any(|x| x.is_ascii_lowercase())
                    && (w.ends_with('{') || w.contains('('))
                    && !w.starts_with("0x")
            })
            || s.contains(" { ")
    };
    match v {
        Value::String(s) => assert!(!looks_like_debug(s), "{at}: {s:?}"),
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                assert_no_debug_text(x, &format!("{at}[{i}]"));
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                for rust_name in [
                    "FgsmMessage",
                    "FgmmMessage",
                    "EsmMessage",
                    "EmmMessage",
                    "NasMessage",
                    "DciN0",
                    "DciN1",
                ] {
                    assert_ne!(k, rust_name, "{at}: a Rust type name as a key");
                }
                assert_no_debug_text(x, &format!("{at}.{k}"));
            }
        }
        _ => {}
    }
}

/// The case of the issue: a non-ASCII character panicked `ntn mac decode` (byte slicing of a
/// `str`); now every decoder names the character and its position.
#[test]
fn non_ascii_and_bad_hex_are_errors_naming_the_position() {
    for cmd in [
        &["mac", "decode"][..],
        &["rrc", "decode", "BCCH-BCH-Message-NB"],
        &["nas", "decode"],
    ] {
        let mut args = cmd.to_vec();
        args.push("3cé1");
        let (ok, _, err) = ntn(&args);
        assert!(!ok, "{cmd:?}");
        assert!(!err.contains("panicked"), "{cmd:?}: {err}");
        assert!(err.contains("'é' at character 3"), "{cmd:?}: {err}");
        let mut args = cmd.to_vec();
        args.push("3c0");
        let (ok, _, err) = ntn(&args);
        assert!(
            !ok && err.contains("odd number of hex digits"),
            "{cmd:?}: {err}"
        );
    }
    let (ok, _, err) = ntn(&["mac", "decode", "3c 3d zz"]);
    assert!(!ok && err.contains("'z' at character 7"), "{err}");
}

#[test]
fn decoders_read_hex_from_stdin_and_files() {
    let pdu = "3c 3d 03 010203040506 21 aabbcc";
    let (ok, by_arg, err) = ntn(&["mac", "decode", pdu, "--format", "json"]);
    assert!(ok, "{err}");
    // standard input: `-` or no argument; 0x, colons and line breaks tolerated
    for args in [
        &["mac", "decode", "-", "--format", "json"][..],
        &["mac", "decode", "--format", "json"],
    ] {
        let (ok, out, err) = ntn_stdin(args, "0x3c:3d:03\n010203040506\n21 aabbcc\n");
        assert!(ok, "{args:?}: {err}");
        assert_eq!(out, by_arg, "{args:?}");
    }
    // a file: @FILE or --file FILE
    let f = tmp("mac.hex");
    std::fs::write(&f, format!("{pdu}\n")).unwrap();
    let at = format!("@{}", f.display());
    let (ok, out, err) = ntn(&["mac", "decode", &at, "--format", "json"]);
    assert!(ok && out == by_arg, "{err}");
    let (ok, out, err) = ntn(&[
        "mac",
        "decode",
        "--file",
        f.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(ok && out == by_arg, "{err}");
    // rrc and nas too
    std::fs::write(&f, "58e3c00000").unwrap();
    let (ok, out, err) = ntn(&["rrc", "decode", "BCCH-BCH-Message-NB", &at]);
    assert!(ok && out.contains("systemInfoValueTag-r13: 17"), "{err}");
    let (ok, out, err) = ntn_stdin(&["nas", "decode", "--dir", "dl"], "07 55 01");
    assert!(ok && out.contains("IDENTITY REQUEST"), "{err}");
    // errors name the source
    std::fs::write(&f, "07 5g").unwrap();
    let (ok, _, err) = ntn(&["nas", "decode", &at]);
    assert!(
        !ok && err.contains(&f.display().to_string()) && err.contains("character 5"),
        "{err}"
    );
    std::fs::remove_file(&f).ok();
    let (ok, _, err) = ntn(&["nas", "decode", &at]);
    assert!(!ok && err.contains("cannot read"), "{err}");
    let (ok, _, err) = ntn_stdin(&["mac", "decode"], "");
    assert!(
        !ok && err.contains("standard input") && err.contains("no hex"),
        "{err}"
    );
    let (ok, _, err) = ntn(&["mac", "decode", "00", "--file", "x"]);
    assert!(!ok && err.contains("cannot be used with"), "{err}");
}

#[test]
fn mac_json_is_structured() {
    for (pdu, extra) in [
        ("3c 3d 23 03 01 010203040506 21 aabbcc dd", &[][..]),
        ("00252a2468acf134a60000", &["--dir", "ul"][..]),
        ("3d1f 21 02 0a0b", &["--dir", "ul"][..]),
        ("85 51 2ab98a604601", &["--rnti-type", "ra"][..]),
    ] {
        let mut args = vec!["mac", "decode", pdu, "--format", "json"];
        args.extend_from_slice(extra);
        let (ok, out, err) = ntn(&args);
        assert!(ok, "{pdu}: {err}");
        let j: Value = serde_json::from_str(&out).unwrap();
        assert!(j["pdu"].is_string() && j["length"].is_u64(), "{out}");
        assert!(j["elements"].is_array() || j["rars"].is_array(), "{out}");
        assert_no_debug_text(&j, pdu);
    }
}

/// RA-, P- and SI-RNTI PDUs are downlink only: `--dir ul` with them was accepted and ignored.
#[test]
fn mac_rnti_type_and_direction_agree() {
    let (ok, _, err) = ntn(&[
        "mac",
        "decode",
        "855112",
        "--rnti-type",
        "ra",
        "--dir",
        "ul",
    ]);
    assert!(!ok && err.contains("--dir ul"), "{err}");
}

#[test]
fn rrc_json_is_structured_jer() {
    let (ok, out, err) = ntn(&[
        "rrc",
        "decode",
        "BCCH-BCH-Message-NB",
        "58e3c00000",
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    let j: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["message"]["systemInfoValueTag-r13"], 17);
    assert_no_debug_text(&j, "MIB-NB");
}

/// Unknown JSON fields were silently ignored by `rrc encode`.
#[test]
fn rrc_encode_refuses_unknown_fields() {
    let (ok, out, _) = ntn(&[
        "rrc",
        "decode",
        "BCCH-BCH-Message-NB",
        "58e3c00000",
        "--format",
        "json",
    ]);
    assert!(ok);
    let mut j: Value = serde_json::from_str(&out).unwrap();
    j["message"]["systemInfoValueTag"] = Value::from(3);
    let f = tmp("mib.json");
    std::fs::write(&f, j.to_string()).unwrap();
    let (ok, _, err) = ntn(&["rrc", "encode", "BCCH-BCH-Message-NB", f.to_str().unwrap()]);
    std::fs::remove_file(&f).ok();
    assert!(!ok, "accepted an unknown field");
    assert!(
        err.contains("unknown field message.systemInfoValueTag") && err.contains("mib.json"),
        "{err}"
    );
    let (ok, _, err) = ntn_stdin(&["rrc", "encode", "BCCH-BCH-Message-NB", "-"], "{\"x\":1}");
    assert!(!ok && err.contains("standard input"), "{err}");
}

/// Every 5GS NAS message has its name, as the EPS ones do, and no Rust type names.
#[test]
fn nas_json_names_every_message() {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("vectors/data/nas/5gs_pycrate.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut named = 0;
    for x in doc["vectors"].as_array().unwrap() {
        let (hex, dir) = (x["hex"].as_str().unwrap(), x["dir"].as_str().unwrap());
        let (ok, out, err) = ntn(&["nas", "decode", hex, "--dir", dir, "--format", "json"]);
        assert!(ok, "{}: {err}", x["name"]);
        let j: Value = serde_json::from_str(&out).unwrap();
        assert_no_debug_text(&j, x["name"].as_str().unwrap());
        let plain = if j.get("Plain NAS message").is_some() {
            &j["Plain NAS message"]
        } else {
            &j
        };
        if plain.get("Ciphered NAS message").is_none() && j.get("Ciphered NAS message").is_none() {
            let name = plain["Message name"].as_str().unwrap_or_default();
            assert!(
                !name.is_empty() && name != "unknown" && name == name.to_uppercase(),
                "{}: {out}",
                x["name"]
            );
            named += 1;
        }
    }
    assert!(named > 10, "{named}");
    // a 5GSM message inside: PDU SESSION ESTABLISHMENT REQUEST (PSI 1, PTI 1)
    let (ok, out, err) = ntn(&["nas", "decode", "2e0101c1ffff91", "--format", "json"]);
    assert!(ok, "{err}");
    let j: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        j["Message name"], "PDU SESSION ESTABLISHMENT REQUEST",
        "{out}"
    );
    assert_eq!(j["PDU session identity"], 1);
    assert!(j["5GSM message"].is_object(), "{out}");
}

/// The overflow counter is 16 bits: a larger one was shifted out of the 24-bit COUNT silently.
#[test]
fn nas_overflow_counter_is_range_checked() {
    let key = "00".repeat(16);
    let (ok, _, err) = ntn(&[
        "nas",
        "decode",
        "075501",
        "--overflow",
        "65536",
        "--key",
        &key,
    ]);
    assert!(!ok && err.contains("--overflow"), "{err}");
    let (ok, _, err) = ntn(&[
        "nas",
        "decode",
        "075501",
        "--overflow",
        "65535",
        "--key",
        &key,
    ]);
    assert!(ok, "{err}");
}

/// Options that only mean something with a key were accepted and ignored without one; keys
/// of the wrong system gave a MAC failure instead of saying so.
#[test]
fn nas_key_options_follow_the_keys() {
    for opt in ["--overflow", "--eia", "--eea"] {
        let (ok, _, err) = ntn(&["nas", "decode", "075501", opt, "1"]);
        assert!(!ok && err.contains("--key"), "{opt}: {err}");
    }
    let (ok, _, err) = ntn(&[
        "nas",
        "decode",
        "075501",
        "--eia",
        "4",
        "--key",
        &"00".repeat(16),
    ]);
    assert!(!ok && err.contains("--eia"), "{err}");
    let k = "11".repeat(32);
    let (ok, _, err) = ntn(&["nas", "decode", "7e005c000d0100f110", "--kasme", &k]);
    assert!(!ok && err.contains("--kamf"), "{err}");
    let (ok, _, err) = ntn(&["nas", "decode", "075501", "--kamf", &k]);
    assert!(!ok && err.contains("--kasme"), "{err}");
}

#[test]
fn nbiot_gen_range_checks_its_numbers() {
    let out = tmp("gen.sigmf-meta");
    let o = out.to_str().unwrap();
    for (arg, value) in [
        ("--sfn", "1024"),
        ("--hsfn", "1024"),
        ("--value-tag", "32"),
        ("--cell-id", "504"),
        ("--frames", "0"),
        ("--scheduling-info-sib1", "12"),
        ("--ports", "3"),
        ("--offset-hz", "NaN"),
        ("--offset-hz", "1e9"),
        ("--snr-db", "inf"),
        ("--sfn", "-1"),
    ] {
        let (ok, _, err) = ntn(&["nbiot", "gen", "--out", o, &format!("{arg}={value}")]);
        assert!(!ok, "{arg} {value} accepted");
        assert!(err.contains(arg), "{arg} {value}: {err}");
    }
    assert!(!out.exists());
    // scan's frame position only means something with --cell: alone it was ignored
    let (ok, _, err) = ntn(&["nbiot", "scan", o, "--sfn", "3"]);
    assert!(!ok && err.contains("--cell"), "{err}");
    let (ok, _, err) = ntn(&["nbiot", "scan", o, "--cell", "0", "--subframe", "10"]);
    assert!(!ok && err.contains("--subframe"), "{err}");
}

/// The MIB-NB of a scan carries the full SFN and every field by name; the SIB1-NB its PLMNs
/// as MCC/MNC strings.
#[test]
fn nbiot_scan_json_has_the_full_sfn_and_plmns() {
    // the reference SIB1-NB (vectors/data/rrc/nb_ours.json) in a BCCH-DL-SCH-Message-NB
    // (CHOICE bits 0, 1 in front), zero-padded to the 328 bits of schedulingInfoSIB1 4
    let sib1 = [
        0x00u8, 0x29, 0x42, 0x00, 0x20, 0x18, 0x91, 0xa0, 0x55, 0xe6, 0xf7, 0xc0, 0x03, 0xfc, 0x00,
        0x08, 0x00,
    ];
    let mut bits = vec![0u8, 1];
    bits.extend(
        sib1.iter()
            .flat_map(|b| (0..8).rev().map(move |i| (b >> i) & 1)),
    );
    bits.resize(328, 0);
    let tb: String = bits
        .chunks(8)
        .map(|c| format!("{:02x}", c.iter().fold(0u8, |a, b| (a << 1) | b)))
        .collect();
    let cfg = tmp("cell.toml");
    std::fs::write(&cfg, format!("sib1_hex = \"{tb}\"\n")).unwrap();
    let out = tmp("scan.sigmf-meta");
    let o = out.to_str().unwrap();
    let (ok, _, err) = ntn(&[
        "nbiot",
        "gen",
        "--config",
        cfg.to_str().unwrap(),
        "--out",
        o,
        "--cell-id",
        "37",
        "--scheduling-info-sib1",
        "4",
        "--sfn",
        "110",
        "--hsfn",
        "7",
        "--value-tag",
        "31",
        "--frames",
        "20",
    ]);
    std::fs::remove_file(&cfg).ok();
    assert!(ok, "{err}");
    let (ok, json, err) = ntn(&["nbiot", "scan", o, "--format", "json"]);
    for ext in ["sigmf-meta", "sigmf-data"] {
        std::fs::remove_file(out.with_extension(ext)).ok();
    }
    assert!(ok, "{err}");
    let j: Value = serde_json::from_str(&json).unwrap();
    assert_no_debug_text(&j, "scan");
    let mib = &j["mib_nb"];
    let sfn = mib["sfn"].as_u64().expect("full SFN");
    assert!((110..130).contains(&sfn), "{sfn}");
    assert_eq!(mib["system_frame_number_msb"].as_u64(), Some(sfn >> 6));
    assert_eq!(mib["system_info_value_tag"], 31);
    assert_eq!(mib["scheduling_info_sib1"], 4);
    assert_eq!(mib["operation_mode"]["mode"], "standalone");
    assert!(mib["hyper_sfn_lsb"].is_u64());
    assert_eq!(j["dcis"], Value::Array(vec![]));
    assert_eq!(j["sib1_nb"], Value::from(tb));
    let plmns = j["sib1_nb_plmns"].as_array().expect("PLMNs");
    assert!(!plmns.is_empty(), "{json}");
    for p in plmns {
        assert_eq!(p["mcc"].as_str().map(str::len), Some(3), "{p}");
        assert!(
            matches!(p["mnc"].as_str().map(str::len), Some(2 | 3)),
            "{p}"
        );
    }
}

/// Single-tone NPUSCH defaulted to QPSK and failed; it now follows --tones.
#[test]
fn single_tone_npusch_defaults_to_pi4_qpsk() {
    let (ok, out, err) = ntn(&[
        "link-sim", "npusch", "--tones", "1", "--snr-db", "20", "--trials", "1", "--format", "json",
    ]);
    assert!(ok, "{err}");
    let j: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["rows"][0]["errors"], 0, "{out}");
    let (ok, _, err) = ntn(&[
        "link-sim", "npusch", "--tones", "12", "--snr-db", "20", "--trials", "1",
    ]);
    assert!(ok, "{err}");
}
