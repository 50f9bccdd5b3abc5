//! `ntn mac decode` end to end: text and JSON trees of a DL-SCH PDU, an NB-IoT Msg3 and a RAR,
//! and the error for a truncated PDU.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::ntn;

#[test]
fn mac_decode_text_and_json() {
    // CRI CE, TA command (T_A 33), SRB1bis SDU with a 7-bit L, then SRB1 to the end.
    let pdu = "3c 3d 23 03 01 010203040506 21 aabbcc dd";
    let (ok, out, err) = ntn(&["mac", "decode", pdu]);
    assert!(ok, "{err}");
    for want in [
        "DL-SCH MAC PDU",
        "[2] F2=0 E=1 LCID=3 F=0 L=3",
        "UE Contention Resolution Identity",
        "identity_hex: 010203040506",
        "ta: 33",
        "SRB1bis SDU",
        "sdu_hex: aabbcc",
        "SRB1 SDU",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }

    let (ok, out, err) = ntn(&[
        "mac",
        "decode",
        "00252a2468acf134a60000",
        "--dir",
        "ul",
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["pdu"], "UL-SCH MAC PDU");
    assert_eq!(j["elements"][0]["dpr"]["ph_level"], 2);
    assert_eq!(j["elements"][0]["sdu_hex"], "2a2468acf134a60000");

    let (ok, out, err) = ntn(&[
        "mac",
        "decode",
        "85512ab98a604601",
        "--rnti-type",
        "ra",
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["backoff_indicator"], 5);
    assert_eq!(j["rars"][0]["rapid"], 17);
    assert_eq!(j["rars"][0]["ul_grant"]["scheduling_delay"], 1);

    let (ok, _, err) = ntn(&["mac", "decode", "3c"]);
    assert!(!ok);
    assert!(err.contains("truncated"), "{err}");
}
