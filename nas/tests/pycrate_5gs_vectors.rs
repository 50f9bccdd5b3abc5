//! 5GS cross-check against pycrate (vectors/data/nas/5gs_pycrate.json, made by
//! vectors/gen/pycrate_nas_5gs.py): field-equal decoding, identical re-encoding, and our own
//! encodings written to target/nas5g_our_encodings.txt for `pycrate_nas_5gs.py --check`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_nas::fivegs::mm::{
    AuthenticationRequest, RegistrationAccept, RegistrationRequest, SecurityModeCommand,
};
use ntn_nas::fivegs::{
    FgmmMessage, FgsmBody, FgsmMessage, Guti5g, MobileIdentity5gs, NasMessage5g, Suci,
};
use ntn_nas::ie::{Ie, IeFormat, NasKsi};
use ntn_security::Direction;
use serde_json::Value;

mod common;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn dir(s: &str) -> Direction {
    if s == "ul" {
        Direction::Uplink
    } else {
        Direction::Downlink
    }
}

fn load() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/data/nas/5gs_pycrate.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn pycrate_5gs_vectors_decode_field_equal_and_reencode() {
    let doc = load();
    let report = ntn_nas::conformance::pycrate_5gs(&doc.to_string());
    for f in report.failures() {
        eprintln!("{}: {}", f.name, f.detail);
    }
    assert!(
        report.all_passed(),
        "{} vectors failed",
        report.failures().len()
    );
    eprintln!("{} vectors: {} cases passed", report.suite, report.passed());
}

/// Our 5GS encodings: messages built from typed fields, then the re-encodings of every
/// pycrate vector; (uplink, octets).
fn our_pdus() -> Vec<(bool, Vec<u8>)> {
    let plmn = [0x09, 0xf1, 0x07];
    let suci = MobileIdentity5gs::Suci(Suci::null_scheme(plmn, [0xf0, 0xff], "0000012345"));
    let guti = MobileIdentity5gs::Guti(Guti5g {
        plmn,
        amf_region_id: 1,
        amf_set_id: 0x3ff,
        amf_pointer: 0x3f,
        tmsi: 0x0102_0304,
    });
    let mut reg = RegistrationRequest {
        registration_type: 1,
        ng_ksi: NasKsi::NO_KEY,
        identity: suci.clone(),
        ies: vec![],
    };
    reg.set_ue_security_capability(&[0xf0, 0x70]);
    let mut acc = RegistrationAccept {
        result: 0x09,
        ies: vec![],
    };
    acc.set_guti(&guti);
    let smc = SecurityModeCommand {
        ciphering: 1,
        integrity: 2,
        ng_ksi: NasKsi {
            mapped: false,
            ksi: 3,
        },
        replayed_ue_security_capabilities: vec![0xf0, 0x70],
        ies: vec![Ie {
            iei: 0xe0,
            format: IeFormat::HalfTv,
            value: vec![1],
        }],
    };
    let est = FgsmMessage {
        pdu_session_id: 1,
        pti: 9,
        body: FgsmBody::PduSessionEstablishmentRequest {
            max_integrity_rate: [0xff, 0xff],
            ies: vec![Ie {
                iei: 0x90,
                format: IeFormat::HalfTv,
                value: vec![1],
            }],
        },
    };
    let msgs: Vec<(Direction, NasMessage5g)> = vec![
        (
            Direction::Uplink,
            NasMessage5g::Mm(FgmmMessage::RegistrationRequest(reg)),
        ),
        (
            Direction::Downlink,
            NasMessage5g::Mm(FgmmMessage::RegistrationAccept(acc)),
        ),
        (
            Direction::Downlink,
            NasMessage5g::Mm(FgmmMessage::AuthenticationRequest(
                AuthenticationRequest::five_g_aka(
                    NasKsi {
                        mapped: false,
                        ksi: 3,
                    },
                    &[0, 0],
                    [0x11; 16],
                    [0x22; 16],
                ),
            )),
        ),
        (
            Direction::Downlink,
            NasMessage5g::Mm(FgmmMessage::SecurityModeCommand(smc)),
        ),
        (
            Direction::Uplink,
            NasMessage5g::Mm(FgmmMessage::IdentityResponse { identity: suci }),
        ),
        (
            Direction::Uplink,
            NasMessage5g::Mm(FgmmMessage::UlNasTransport {
                payload_type: 1,
                payload: est.to_vec().unwrap(),
                ies: vec![Ie {
                    iei: 0x12,
                    format: IeFormat::Tv(1),
                    value: vec![1],
                }],
            }),
        ),
        (Direction::Uplink, NasMessage5g::Sm(est)),
        (
            Direction::Uplink,
            NasMessage5g::Mm(FgmmMessage::DeregistrationRequestUe {
                deregistration_type: 1,
                ng_ksi: NasKsi {
                    mapped: false,
                    ksi: 3,
                },
                identity: guti,
            }),
        ),
    ];
    let mut pdus = vec![];
    for (d, m) in msgs {
        let b = m.to_vec().unwrap();
        assert_eq!(NasMessage5g::parse(&b, d).unwrap(), m);
        pdus.push((d == Direction::Uplink, b));
    }
    for v in load()["vectors"].as_array().unwrap() {
        let d = v["dir"].as_str().unwrap();
        let m = NasMessage5g::parse(&hex(v["hex"].as_str().unwrap()), dir(d)).unwrap();
        pdus.push((d == "ul", m.to_vec().unwrap()));
    }
    pdus
}

#[test]
fn our_5gs_encodings_round_trip_and_are_written_for_pycrate() {
    let lines = common::encoding_lines(&our_pdus());
    std::fs::write(common::target_dir().join("nas5g_our_encodings.txt"), lines).unwrap();
}

/// Acceptance (issue 7): our 5GS encodings decode in pycrate, byte-identically.
#[test]
fn our_5gs_encodings_decode_in_pycrate() {
    let pdus = our_pdus();
    match common::pycrate_check(
        "pycrate_nas_5gs.py",
        &common::encoding_lines(&pdus),
        "nas5g_our_encodings_pycrate",
    ) {
        Ok(out) => {
            let want = format!("{n} of {n}", n = pdus.len());
            assert!(out.contains(&want), "pycrate: {out}");
            eprintln!("{}", out.trim());
        }
        Err(why) => eprintln!("SKIPPED pycrate cross-decode: {why}"),
    }
}

/// Acceptance (issue 7): our 5GS encodings decode in tshark (nas-5gs dissector) without
/// malformed fields.
#[test]
fn our_5gs_encodings_decode_in_tshark_without_malformed_fields() {
    let pdus: Vec<Vec<u8>> = our_pdus().into_iter().map(|(_, p)| p).collect();
    common::assert_tshark_clean(&pdus, "nas-5gs", "nas5g_our_encodings", "5GS");
}
