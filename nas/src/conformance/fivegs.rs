//! Our reading of a 5GS NAS message with the field names of `vectors/gen/pycrate_nas_5gs.py`.

use super::h;
use crate::fivegs::{FgmmMessage, FgsmBody, MobileIdentity5gs, NasMessage5g};
use crate::ie::Ie;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The identity carried by an IE value, or why it does not parse.
fn id_ie(prefix: &str, value: &[u8], f: &mut BTreeMap<String, Value>) {
    match MobileIdentity5gs::parse(value) {
        Ok(id) => id_fields(prefix, &id, f),
        Err(e) => {
            f.insert(format!("{prefix}identity_error"), json!(e.to_string()));
        }
    }
}

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

pub(super) fn fields(m: &NasMessage5g) -> BTreeMap<String, Value> {
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
                    put("rand", json!(a.rand().map(|r| h(&r))));
                    put("autn", json!(a.autn().map(|r| h(&r))));
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
                        put("imeisv_request", json!(ie.value.first()));
                    }
                }
                FgmmMessage::SecurityModeComplete { ies } => {
                    if let Some(ie) = find(ies, 0x77) {
                        id_ie("", &ie.value, &mut f);
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
                        put("cause", json!(ie.value.first()));
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
                        id_ie("guti_", &ie.value, &mut f);
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
                        put("pdu_session_id", json!(ie.value.first()));
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
                        put("pdu_session_type", json!(ie.value.first()));
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
