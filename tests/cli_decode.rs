//! `ntn rrc decode/encode` and `ntn nas decode` end to end: the pycrate reference vectors of
//! `vectors/data/rrc` and `vectors/data/nas` decode to the expected fields, RRC JSON round-trips
//! through `encode`, NAS MAC checking and deciphering with keys, and bad input is an error.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is the report

use std::path::PathBuf;

use ntn_nas::eps::SecurityHeaderType;
use ntn_nas::eps::security::{NasSecurityContext, Role};
use ntn_nas::ie::NasKsi;
use ntn_security::{CipheringAlgorithmId, IntegrityAlgorithmId};

mod common;
use common::ntn;

fn vectors(file: &str) -> Vec<serde_json::Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("vectors/data")
        .join(file);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["vectors"].as_array().unwrap().clone()
}

fn tmp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("ntn-cli-decode-{}-{name}", std::process::id()))
}

#[test]
fn rrc_decode_text_shows_the_spec_field_names() {
    let (ok, out, err) = ntn(&["rrc", "decode", "BCCH-BCH-Message-NB", "58e3c00000"]);
    assert!(ok, "{err}");
    assert!(out.starts_with("BCCH-BCH-Message-NB\n"), "{out}");
    assert!(out.contains("schedulingInfoSIB1-r13: 3"), "{out}");
    assert!(out.contains("systemInfoValueTag-r13: 17"), "{out}");
    assert!(out.contains("standalone-r13"), "{out}");
    // a transport block from a commercial eNB, with RRC padding (TS 36.331 §8.5)
    let (ok, out, err) = ntn(&[
        "rrc",
        "decode",
        "bcch-dl-sch-message-nb",
        "000003303d040104a40c2f100000bb1006380700000000000000",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("sib2-r13"), "{out}");
    assert!(out.contains("ue-TimersAndConstants-r13"), "{out}");
}

#[test]
fn rrc_every_channel_round_trips_through_json() {
    // our own encodings of the reference values (the same bytes as pycrate's for all but the
    // few with a Rel-18 extension bitmap, see rrc/asn1/ROUTE.md)
    let ours: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors/data/rrc/nb_ours.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let v = ours.as_array().unwrap();
    let mut done = std::collections::BTreeSet::new();
    for x in v {
        let ty = x["type"].as_str().unwrap();
        let hex = x["hex"].as_str().unwrap();
        let (ok, json, err) = ntn(&["rrc", "decode", ty, hex, "--format", "json"]);
        assert!(ok, "{ty}: {err}");
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(value.is_object(), "{ty}: {json}");
        let f = tmp(&format!("{ty}.json"));
        std::fs::write(&f, &json).unwrap();
        let (ok, out, err) = ntn(&["rrc", "encode", ty, f.to_str().unwrap()]);
        std::fs::remove_file(&f).ok();
        assert!(ok, "{ty}: {err}");
        assert_eq!(out.trim(), hex, "{ty} ({})", x["name"]);
        done.insert(ty.to_string());
    }
    // every type `ntn rrc types` lists, the six channels of issue 6 among them
    let (ok, listed, _) = ntn(&["rrc", "types"]);
    assert!(ok);
    let listed: std::collections::BTreeSet<String> = listed.lines().map(String::from).collect();
    assert!(listed.contains("UL-DCCH-Message-NB") && listed.len() >= 6);
    assert_eq!(done, listed);
}

#[test]
fn rrc_bad_input_is_an_error() {
    let (ok, _, err) = ntn(&["rrc", "decode", "UL-DCCH-Message-NB", "ffffffffff"]);
    assert!(!ok);
    assert!(err.contains("UL-DCCH-Message-NB"), "{err}");
    let (ok, _, err) = ntn(&["rrc", "decode", "No-Such-Message", "00"]);
    assert!(!ok && err.contains("unknown message type"), "{err}");
    let (ok, _, err) = ntn(&["rrc", "decode", "BCCH-BCH-Message-NB", "0g"]);
    assert!(!ok && err.contains("hex"), "{err}");
    let f = tmp("bad.json");
    std::fs::write(&f, "{\"message\": 5}").unwrap();
    let (ok, _, err) = ntn(&["rrc", "encode", "BCCH-BCH-Message-NB", f.to_str().unwrap()]);
    std::fs::remove_file(&f).ok();
    assert!(!ok && err.contains("not a valid"), "{err}");
}

#[test]
fn nas_plain_eps_and_5gs_messages() {
    let (ok, out, err) = ntn(&["nas", "decode", "075501", "--dir", "dl"]);
    assert!(ok, "{err}");
    assert!(out.starts_with("EPS NAS PDU\n"), "{out}");
    assert!(
        out.contains("Protocol discriminator: 7 (EPS mobility management messages)"),
        "{out}"
    );
    assert!(out.contains("Message type: 0x55"), "{out}");
    assert!(out.contains("Message name: IDENTITY REQUEST"), "{out}");
    // every pycrate EPS and 5GS vector decodes without an error line
    for (file, first) in [
        ("nas/eps_pycrate.json", "EPS"),
        ("nas/5gs_pycrate.json", "5GS"),
    ] {
        for x in vectors(file) {
            let (hex, dir) = (x["hex"].as_str().unwrap(), x["dir"].as_str().unwrap());
            let (ok, out, err) = ntn(&["nas", "decode", hex, "--dir", dir, "--format", "json"]);
            assert!(ok, "{}: {err}", x["name"]);
            assert!(!out.contains("\"error\""), "{}: {out}", x["name"]);
            let j: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert!(j.is_object());
            let (ok, text, _) = ntn(&["nas", "decode", hex, "--dir", dir]);
            assert!(ok && text.starts_with(first), "{text}");
        }
    }
}

#[test]
fn nas_protected_message_mac_check_and_deciphering() {
    let kasme = [0x5au8; 32];
    let mut mme = NasSecurityContext::new(
        Role::Network,
        NasKsi {
            mapped: false,
            ksi: 1,
        },
        &kasme,
        CipheringAlgorithmId::Eea2,
        IntegrityAlgorithmId::Eia2,
    );
    // EMM INFORMATION then IDENTITY REQUEST, integrity protected and ciphered (COUNT 0, 1)
    let _ = mme
        .protect(
            &[0x07, 0x61],
            SecurityHeaderType::IntegrityProtectedCiphered,
        )
        .unwrap();
    let pdu = mme
        .protect(
            &[0x07, 0x55, 0x01],
            SecurityHeaderType::IntegrityProtectedCiphered,
        )
        .unwrap();
    let hex: String = pdu.iter().map(|b| format!("{b:02x}")).collect();
    let kasme_hex = "5a".repeat(32);

    let (ok, out, err) = ntn(&["nas", "decode", &hex, "--dir", "dl"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("Security header type: 2 (Integrity protected and ciphered)"),
        "{out}"
    );
    assert!(out.contains("MAC check: not checked (no key)"), "{out}");
    assert!(out.contains("Ciphered NAS message"), "{out}");

    let (ok, out, err) = ntn(&["nas", "decode", &hex, "--dir", "dl", "--kasme", &kasme_hex]);
    assert!(ok, "{err}");
    assert!(out.contains("Sequence number: 1"), "{out}");
    assert!(out.contains("MAC check: verified"), "{out}");
    assert!(out.contains("Message name: IDENTITY REQUEST"), "{out}");

    // the same keys given directly
    let knas_int = ntn_security::kdf::eps::knas_int(&kasme, IntegrityAlgorithmId::Eia2);
    let knas_enc = ntn_security::kdf::eps::knas_enc(&kasme, CipheringAlgorithmId::Eea2);
    let h = |k: &[u8]| k.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let key = format!("{}:{}", h(&knas_int), h(&knas_enc));
    let (ok, out, _) = ntn(&["nas", "decode", &hex, "--dir", "dl", "--key", &key]);
    assert!(
        ok && out.contains("MAC check: verified (EIA2)") && out.contains("IDENTITY REQUEST"),
        "{out}"
    );

    // wrong direction or a flipped bit: the MAC check fails
    let (ok, out, _) = ntn(&["nas", "decode", &hex, "--dir", "ul", "--kasme", &kasme_hex]);
    assert!(ok && out.contains("MAC check: FAILED"), "{out}");
    let mut bad = pdu.clone();
    *bad.last_mut().unwrap() ^= 1;
    let bad_hex: String = bad.iter().map(|b| format!("{b:02x}")).collect();
    let (ok, out, _) = ntn(&[
        "nas", "decode", &bad_hex, "--dir", "dl", "--kasme", &kasme_hex,
    ]);
    assert!(ok && out.contains("MAC check: FAILED"), "{out}");
}

#[test]
fn nas_bad_input_is_an_error() {
    let (ok, _, err) = ntn(&["nas", "decode", "", "--dir", "ul"]);
    assert!(!ok, "{err}");
    let (ok, _, err) = ntn(&["nas", "decode", "0f00"]);
    assert!(!ok && err.contains("not an EPS NAS PDU"), "{err}");
    let (ok, _, err) = ntn(&["nas", "decode", "27000000000100", "--key", "00"]);
    assert!(!ok && err.contains("KNASint"), "{err}");
}
