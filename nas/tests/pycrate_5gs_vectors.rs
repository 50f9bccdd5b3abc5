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
use serde_json::{Value, json};
use std::collections::BTreeMap;

mod common;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

use common::h;

fn id_fields(p: &str, id: &MobileIdentity5gs, f: &mut BTreeMap<String, Value>) {
    let mut put = |k: &str, v: Value| {
        f.insert(format!("{p}{k}"), v);
    };
    match id {
        MobileIdentity5gs::Suci(s) => {
            put("id_kind", json!("suci"));
            put("supi_format", json!(s.supi_format));
            put("plmn", json!(h(&s.plmn)));
            put("routing", json!(h(&s.routing_indicator)));
            put("scheme", json!(s.protection_scheme));
            put("hnpkid", json!(s.hn_public_key_id));
            put("output", json!(h(&s.scheme_output)));
        }
        MobileIdentity5gs::Guti(g) => {
            put("id_kind", json!("guti"));
            put("plmn", json!(h(&g.plmn)));
            put("amf_region", json!(g.amf_region_id));
            put("amf_set", json!(g.amf_set_id));
            put("amf_ptr", json!(g.amf_pointer));
            put("tmsi", json!(g.tmsi));
        }
        MobileIdentity5gs::STmsi {
            amf_set_id,
            amf_pointer,
            tmsi,
        } => {
            put("id_kind", json!("stmsi"));
            put("amf_set", json!(amf_set_id));
            put("amf_ptr", json!(amf_pointer));
            put("tmsi", json!(tmsi));
        }
        MobileIdentity5gs::Imei(d) => {
            put("id_kind", json!("imei"));
            put("digits", json!(d));
        }
        MobileIdentity5gs::Imeisv(d) => {
            put("id_kind", json!("imeisv"));
            put("digits", json!(d));
        }
        other => put("id_kind", json!(format!("{other:?}"))),
    }
}

fn find(ies: &[Ie], iei: u8) -> Option<&Ie> {
    ies.iter().find(|i| i.iei == iei)
}

fn fields(m: &NasMessage5g) -> BTreeMap<String, Value> {
    let mut f = BTreeMap::new();
    match m {
        NasMessage5g::Mm(mm) => {
            f.insert("message_type".into(), json!(mm.message_type()));
            let mut put = |k: &str, v: Value| {
                f.insert(k.to_string(), v);
            };
            match mm {
                FgmmMessage::RegistrationRequest(r) => {
                    put("ng_ksi", json!(r.ng_ksi.nibble()));
                    put("registration_type", json!(r.registration_type));
                    if let Some(c) = r.ue_security_capability() {
                        put("ue_security_capability", json!(h(c)));
                    }
                    id_fields("", &r.identity, &mut f);
                }
                FgmmMessage::RegistrationAccept(a) => {
                    put("result", json!(a.result));
                    if let Some(Ok(g)) = a.guti() {
                        id_fields("guti_", &g, &mut f);
                    }
                }
                FgmmMessage::RegistrationReject { cause, .. }
                | FgmmMessage::ServiceReject { cause, .. }
                | FgmmMessage::SecurityModeReject { cause }
                | FgmmMessage::Status { cause } => put("cause", json!(cause)),
                FgmmMessage::AuthenticationRequest(a) => {
                    put("ng_ksi", json!(a.ng_ksi.nibble()));
                    put("abba", json!(h(&a.abba)));
                    put("rand", json!(h(&a.rand().unwrap())));
                    put("autn", json!(h(&a.autn().unwrap())));
                }
                FgmmMessage::AuthenticationResponse { ies } => {
                    if let Some(ie) = find(ies, 0x2d) {
                        put("res_star", json!(h(&ie.value)));
                    }
                }
                FgmmMessage::AuthenticationFailure { cause, ies } => {
                    put("cause", json!(cause));
                    if let Some(ie) = find(ies, 0x30) {
                        put("auts", json!(h(&ie.value)));
                    }
                }
                FgmmMessage::IdentityRequest { identity_type } => {
                    put("identity_type", json!(identity_type))
                }
                FgmmMessage::IdentityResponse { identity } => id_fields("", identity, &mut f),
                FgmmMessage::SecurityModeCommand(s) => {
                    put("ciphering", json!(s.ciphering));
                    put("integrity", json!(s.integrity));
                    put("ng_ksi", json!(s.ng_ksi.nibble()));
                    put(
                        "replayed_caps",
                        json!(h(&s.replayed_ue_security_capabilities)),
                    );
                    if let Some(ie) = find(&s.ies, 0xe0) {
                        put("imeisv_request", json!(ie.value[0]));
                    }
                }
                FgmmMessage::SecurityModeComplete { ies } => {
                    if let Some(ie) = find(ies, 0x77) {
                        id_fields("", &MobileIdentity5gs::parse(&ie.value).unwrap(), &mut f);
                    }
                }
                FgmmMessage::DeregistrationRequestUe {
                    deregistration_type,
                    ng_ksi,
                    identity,
                } => {
                    put("ng_ksi", json!(ng_ksi.nibble()));
                    put("deregistration_type", json!(deregistration_type));
                    id_fields("", identity, &mut f);
                }
                FgmmMessage::DeregistrationRequestNetwork {
                    deregistration_type,
                    ies,
                } => {
                    put("deregistration_type", json!(deregistration_type));
                    if let Some(ie) = find(ies, 0x58) {
                        put("cause", json!(ie.value[0]));
                    }
                }
                FgmmMessage::ServiceRequest {
                    service_type,
                    ng_ksi,
                    s_tmsi,
                    ..
                } => {
                    put("ng_ksi", json!(ng_ksi.nibble()));
                    put("service_type", json!(service_type));
                    id_fields("", s_tmsi, &mut f);
                }
                FgmmMessage::ConfigurationUpdateCommand { ies } => {
                    if let Some(ie) = find(ies, 0x77) {
                        id_fields(
                            "guti_",
                            &MobileIdentity5gs::parse(&ie.value).unwrap(),
                            &mut f,
                        );
                    }
                }
                FgmmMessage::UlNasTransport {
                    payload_type,
                    payload,
                    ies,
                }
                | FgmmMessage::DlNasTransport {
                    payload_type,
                    payload,
                    ies,
                } => {
                    put("payload_type", json!(payload_type));
                    put("payload", json!(h(payload)));
                    if let Some(ie) = find(ies, 0x12) {
                        put("pdu_session_id", json!(ie.value[0]));
                    }
                    if let Some(ie) = find(ies, 0x25) {
                        put("dnn", json!(h(&ie.value)));
                    }
                }
                _ => {}
            }
        }
        NasMessage5g::Sm(sm) => {
            f.insert("message_type".into(), json!(sm.message_type()));
            f.insert("pdu_session_id".into(), json!(sm.pdu_session_id));
            f.insert("pti".into(), json!(sm.pti));
            let mut put = |k: &str, v: Value| {
                f.insert(k.to_string(), v);
            };
            match &sm.body {
                FgsmBody::PduSessionEstablishmentRequest {
                    max_integrity_rate,
                    ies,
                } => {
                    put("max_integrity_rate", json!(h(max_integrity_rate)));
                    if let Some(ie) = find(ies, 0x90) {
                        put("pdu_session_type", json!(ie.value[0]));
                    }
                }
                FgsmBody::PduSessionEstablishmentAccept {
                    pdu_session_type,
                    ssc_mode,
                    qos_rules,
                    session_ambr,
                    ies,
                } => {
                    put("pdu_session_type", json!(pdu_session_type));
                    put("ssc_mode", json!(ssc_mode));
                    put("qos_rules", json!(h(qos_rules)));
                    put("session_ambr", json!(h(session_ambr)));
                    if let Some(ie) = find(ies, 0x29) {
                        put("pdu_address", json!(h(&ie.value)));
                    }
                }
                FgsmBody::PduSessionEstablishmentReject { cause, .. }
                | FgsmBody::PduSessionReleaseCommand { cause, .. }
                | FgsmBody::Status { cause } => put("cause", json!(cause)),
                _ => {}
            }
        }
        NasMessage5g::Protected(_) => {}
    }
    f
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
    let vecs = doc["vectors"].as_array().unwrap();
    let mut types = std::collections::BTreeSet::new();
    let mut n_fields = 0;
    for v in vecs {
        let name = v["name"].as_str().unwrap();
        let b = hex(v["hex"].as_str().unwrap());
        let m = NasMessage5g::parse(&b, dir(v["dir"].as_str().unwrap()))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let ours = fields(&m);
        for (k, want) in v["fields"].as_object().unwrap() {
            assert_eq!(ours.get(k), Some(want), "{name}: field {k}");
            n_fields += 1;
        }
        assert_eq!(m.to_vec().unwrap(), b, "{name}: re-encoding differs");
        types.insert(match &m {
            NasMessage5g::Mm(x) => u32::from(x.message_type()),
            NasMessage5g::Sm(x) => 0x100 + u32::from(x.message_type()),
            NasMessage5g::Protected(_) => 0x200,
        });
    }
    assert!(vecs.len() >= 30);
    assert!(types.len() >= 30, "{} message types", types.len());
    eprintln!(
        "{} 5GS pycrate vectors, {} message types, {n_fields} fields equal",
        vecs.len(),
        types.len()
    );
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
