//! Cross-check against pycrate (vectors/data/nas/eps_pycrate.json, made by
//! vectors/gen/pycrate_nas_eps.py): every vector decodes field-equal with pycrate's reading and
//! re-encodes to the same octets. Also writes our own encodings of messages built from typed
//! fields to target/nas_our_encodings.txt for `pycrate_nas_eps.py --check`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_nas::eps::emm::{
    AttachAccept, AttachRequest, AuthenticationFailure, DetachRequestUe, EmmMessage,
    ExtendedServiceRequest, GutiReallocationCommand, SecurityModeCommand, SecurityModeComplete,
    service_type,
};
use ntn_nas::eps::esm::{EsmDataTransport, PdnConnectivityRequest};
use ntn_nas::eps::{EsmBody, EsmMessage, NasMessage, ServiceRequest};
use ntn_nas::ie::{Apn, Guti, MobileIdentity, NasKsi, SecurityCapability};
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

#[test]
fn pycrate_vectors_decode_field_equal_and_reencode() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/data/nas/eps_pycrate.json"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["kind"], "reference");
    let report = ntn_nas::conformance::pycrate_eps(&text);
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

/// Messages built from typed fields (not copied from pycrate output).
fn our_messages() -> Vec<(Direction, NasMessage)> {
    let guti = Guti {
        plmn: [0x00, 0xf1, 0x10],
        mme_group_id: 0x4567,
        mme_code: 0x89,
        m_tmsi: 0xdead_beef,
    };
    let mut pdn = PdnConnectivityRequest {
        request_type: 1,
        pdn_type: 5,
        ies: vec![],
    };
    pdn.set_apn(&Apn::from_dotted("nbiot.ntn"));
    let pdn_msg = EsmMessage {
        ebi: 0,
        pti: 3,
        body: EsmBody::PdnConnectivityRequest(pdn),
    };
    let mut ar = AttachRequest {
        attach_type: 1,
        nas_ksi: NasKsi::NO_KEY,
        identity: MobileIdentity::Imsi("901700000012345".into()),
        ue_network_capability: SecurityCapability {
            eea: 0xf0,
            eia: 0x70,
            rest: vec![],
        },
        esm_container: pdn_msg.to_vec().unwrap(),
        ies: vec![],
    };
    ar.set_drx_parameter([0x00, 0x00]);
    let mut acc = AttachAccept {
        attach_result: 1,
        t3412: 0x49,
        tai_list: vec![0x00, 0x09, 0xf1, 0x07, 0x00, 0x07],
        esm_container: vec![0x52, 0x03, 0xc2],
        ies: vec![],
    };
    acc.set_guti(&MobileIdentity::Guti(guti));
    let mut smc = SecurityModeCommand {
        ciphering: 1,
        integrity: 3,
        nas_ksi: NasKsi {
            mapped: false,
            ksi: 2,
        },
        replayed_ue_security_capabilities: SecurityCapability {
            eea: 0xf0,
            eia: 0x70,
            rest: vec![0xc0, 0x40],
        },
        ies: vec![],
    };
    smc.set_imeisv_request(1);
    let mut smcc = SecurityModeComplete { ies: vec![] };
    smcc.set_imeisv(&MobileIdentity::Imeisv("3534900698733191".into()));
    let mut dt = EsmDataTransport {
        user_data: b"hello from orbit".to_vec(),
        ies: vec![],
    };
    dt.set_release_assistance_indication(2);
    let mut realloc = GutiReallocationCommand {
        guti: MobileIdentity::Guti(Guti {
            m_tmsi: 0x0bad_cafe,
            ..guti
        }),
        ies: vec![],
    };
    realloc.set_tai_list(&[0x00, 0x00, 0xf1, 0x10, 0x00, 0x02]);
    let mut esr = ExtendedServiceRequest {
        service_type: service_type::PACKET_SERVICES_S1_NB_IOT,
        nas_ksi: NasKsi {
            mapped: false,
            ksi: 2,
        },
        m_tmsi: MobileIdentity::Tmsi(0xdead_beef),
        ies: vec![],
    };
    esr.set_eps_bearer_context_status([0x20, 0x00]);
    vec![
        (
            Direction::Downlink,
            EmmMessage::GutiReallocationCommand(realloc).into(),
        ),
        (
            Direction::Uplink,
            EmmMessage::ExtendedServiceRequest(esr).into(),
        ),
        (Direction::Uplink, EmmMessage::AttachRequest(ar).into()),
        (Direction::Downlink, EmmMessage::AttachAccept(acc).into()),
        (
            Direction::Downlink,
            EmmMessage::SecurityModeCommand(smc).into(),
        ),
        (
            Direction::Uplink,
            EmmMessage::SecurityModeComplete(smcc).into(),
        ),
        (
            Direction::Uplink,
            EmmMessage::AuthenticationFailure(AuthenticationFailure::synch_failure([0x11; 14]))
                .into(),
        ),
        (
            Direction::Uplink,
            EmmMessage::DetachRequestUe(DetachRequestUe {
                detach_type: 0x09,
                nas_ksi: NasKsi {
                    mapped: false,
                    ksi: 2,
                },
                identity: MobileIdentity::Guti(guti),
            })
            .into(),
        ),
        (Direction::Uplink, pdn_msg.into()),
        (
            Direction::Uplink,
            EsmMessage {
                ebi: 5,
                pti: 0,
                body: EsmBody::EsmDataTransport(dt),
            }
            .into(),
        ),
        (
            Direction::Uplink,
            NasMessage::ServiceRequest(ServiceRequest {
                ksi: 2,
                sequence_number: 17,
                short_mac: [0x12, 0x34],
            }),
        ),
    ]
}

/// Our encodings: the messages built from typed fields, then the re-encodings of every pycrate
/// vector; (uplink, octets).
fn our_pdus() -> Vec<(bool, Vec<u8>)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/data/nas/eps_pycrate.json"
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut pdus = vec![];
    for (d, m) in our_messages() {
        let b = m.to_vec().unwrap();
        assert_eq!(NasMessage::parse(&b, d).unwrap(), m);
        pdus.push((d == Direction::Uplink, b));
    }
    // Re-encodings of the pycrate vectors too (identical octets by the other test).
    for v in doc["vectors"].as_array().unwrap() {
        let d = v["dir"].as_str().unwrap();
        let m = NasMessage::parse(&hex(v["hex"].as_str().unwrap()), dir(d)).unwrap();
        pdus.push((d == "ul", m.to_vec().unwrap()));
    }
    pdus
}

#[test]
fn our_encodings_round_trip_and_are_written_for_pycrate() {
    let lines = common::encoding_lines(&our_pdus());
    std::fs::write(common::target_dir().join("nas_our_encodings.txt"), lines).unwrap();
}

/// Acceptance (issue 7): our encodings decode in pycrate, byte-identically.
#[test]
fn our_encodings_decode_in_pycrate() {
    let pdus = our_pdus();
    match common::pycrate_check(
        "pycrate_nas_eps.py",
        &common::encoding_lines(&pdus),
        "nas_our_encodings_pycrate",
    ) {
        Ok(out) => {
            let want = format!("{n} of {n} of our encodings", n = pdus.len());
            assert!(out.contains(&want), "pycrate: {out}");
            eprintln!("{}", out.trim());
        }
        Err(why) => eprintln!("SKIPPED pycrate cross-decode: {why}"),
    }
}

/// Acceptance (issue 7): our encodings decode in tshark (Wireshark's nas-eps dissector)
/// without malformed fields.
#[test]
fn our_encodings_decode_in_tshark_without_malformed_fields() {
    let pdus: Vec<Vec<u8>> = our_pdus().into_iter().map(|(_, p)| p).collect();
    common::assert_tshark_clean(&pdus, "nas-eps", "nas_our_encodings", "EPS");
}
