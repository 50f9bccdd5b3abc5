//! Our reading of an EPS NAS message with the field names of `vectors/gen/pycrate_nas_eps.py`.

use super::h;
use crate::eps::NasMessage;
use crate::eps::emm::EmmMessage;
use crate::eps::esm::EsmBody;
use crate::ie::MobileIdentity;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The identity carried by an IE value, or why it does not parse.
fn identity_ie(prefix: &str, value: &[u8], f: &mut BTreeMap<String, Value>) {
    match MobileIdentity::parse(value) {
        Ok(id) => identity_fields(prefix, &id, f),
        Err(e) => {
            f.insert(format!("{prefix}identity_error"), json!(e.to_string()));
        }
    }
}

fn identity_fields(prefix: &str, id: &MobileIdentity, f: &mut BTreeMap<String, Value>) {
    match id {
        MobileIdentity::Imsi(d) => {
            f.insert(format!("{prefix}identity_kind"), json!("imsi"));
            f.insert(format!("{prefix}identity"), json!(d));
        }
        MobileIdentity::Imei(d) => {
            f.insert(format!("{prefix}identity_kind"), json!("imei"));
            f.insert(format!("{prefix}identity"), json!(d));
        }
        MobileIdentity::Guti(g) => {
            f.insert(format!("{prefix}identity_kind"), json!("guti"));
            f.insert(format!("{prefix}guti_plmn"), json!(h(&g.plmn)));
            f.insert(format!("{prefix}guti_mme_group_id"), json!(g.mme_group_id));
            f.insert(format!("{prefix}guti_mme_code"), json!(g.mme_code));
            f.insert(format!("{prefix}guti_m_tmsi"), json!(g.m_tmsi));
        }
        other => {
            f.insert(
                format!("{prefix}identity_kind"),
                json!(format!("{other:?}")),
            );
        }
    }
}

/// Our reading of a message, with the field names the generator uses.
pub(super) fn fields(m: &NasMessage) -> BTreeMap<String, Value> {
    let mut f = BTreeMap::new();
    let mut put = |k: &str, v: Value| {
        f.insert(k.to_string(), v);
    };
    match m {
        NasMessage::Emm(e) => {
            put("message_type", json!(e.message_type()));
            match e {
                EmmMessage::AttachRequest(a) => {
                    put("nas_ksi", json!(a.nas_ksi.nibble()));
                    put("attach_type", json!(a.attach_type));
                    put("eea", json!(a.ue_network_capability.eea));
                    put("eia", json!(a.ue_network_capability.eia));
                    put("esm_container", json!(h(&a.esm_container)));
                    if let Some(d) = a.drx_parameter() {
                        put("drx", json!(h(&d)));
                    }
                    identity_fields("", &a.identity, &mut f);
                }
                EmmMessage::AttachAccept(a) => {
                    put("attach_result", json!(a.attach_result));
                    put("t3412", json!(a.t3412));
                    put("tai_list", json!(h(&a.tai_list)));
                    put("esm_container", json!(h(&a.esm_container)));
                    if let Some(Ok(g)) = a.guti() {
                        identity_fields("accept_", &g, &mut f);
                    }
                }
                EmmMessage::AttachComplete(a) => put("esm_container", json!(h(&a.esm_container))),
                EmmMessage::AttachReject(a) => put("cause", json!(a.cause)),
                EmmMessage::AuthenticationRequest(a) => {
                    put("nas_ksi", json!(a.nas_ksi.nibble()));
                    put("rand", json!(h(&a.rand)));
                    put("autn", json!(h(&a.autn)));
                }
                EmmMessage::AuthenticationResponse(a) => put("res", json!(h(&a.res))),
                EmmMessage::AuthenticationFailure(a) => {
                    put("cause", json!(a.cause));
                    if let Some(auts) = a.auts() {
                        put("auts", json!(h(&auts)));
                    }
                }
                EmmMessage::SecurityModeCommand(s) => {
                    put("ciphering", json!(s.ciphering));
                    put("integrity", json!(s.integrity));
                    put("nas_ksi", json!(s.nas_ksi.nibble()));
                    put("eea", json!(s.replayed_ue_security_capabilities.eea));
                    put("eia", json!(s.replayed_ue_security_capabilities.eia));
                    if let Some(r) = s.imeisv_request() {
                        put("imeisv_request", json!(r));
                    }
                }
                EmmMessage::SecurityModeComplete(s) => {
                    if let Some(Ok(MobileIdentity::Imeisv(d))) = s.imeisv() {
                        put("imeisv", json!(d));
                    }
                }
                EmmMessage::SecurityModeReject { cause } | EmmMessage::EmmStatus { cause } => {
                    put("cause", json!(cause))
                }
                EmmMessage::IdentityRequest(r) => put("identity_type", json!(r.identity_type)),
                EmmMessage::IdentityResponse(r) => identity_fields("", &r.identity, &mut f),
                EmmMessage::DetachRequestUe(d) => {
                    put("nas_ksi", json!(d.nas_ksi.nibble()));
                    put("detach_type", json!(d.detach_type));
                    identity_fields("", &d.identity, &mut f);
                }
                EmmMessage::DetachRequestNetwork(d) => {
                    put("detach_type", json!(d.detach_type));
                    if let Some(c) = d.emm_cause() {
                        put("cause", json!(c));
                    }
                }
                EmmMessage::EmmInformation { ies } => put("ie_count", json!(ies.len())),
                EmmMessage::TrackingAreaUpdateRequest {
                    update_type,
                    nas_ksi,
                    old_guti,
                    ..
                } => {
                    put("nas_ksi", json!(nas_ksi.nibble()));
                    put("update_type", json!(update_type));
                    identity_fields("", old_guti, &mut f);
                }
                EmmMessage::TrackingAreaUpdateAccept { update_result, ies } => {
                    put("update_result", json!(update_result));
                    if let Some(ie) = ies.iter().find(|i| i.iei == 0x50) {
                        identity_ie("accept_", &ie.value, &mut f);
                    }
                }
                EmmMessage::TrackingAreaUpdateReject { cause, .. }
                | EmmMessage::ServiceReject { cause, .. } => put("cause", json!(cause)),
                EmmMessage::ControlPlaneServiceRequest {
                    service_type,
                    nas_ksi,
                    ..
                } => {
                    put("nas_ksi", json!(nas_ksi.nibble()));
                    put("service_type", json!(service_type));
                    if let Some(c) = e.cpsr_esm_container() {
                        put("cpsr_esm_container", json!(h(c)));
                    }
                }
                EmmMessage::DownlinkGenericNasTransport {
                    container_type,
                    container,
                    ..
                }
                | EmmMessage::UplinkGenericNasTransport {
                    container_type,
                    container,
                    ..
                } => {
                    put("container_type", json!(container_type));
                    put("container", json!(h(container)));
                }
                EmmMessage::DownlinkNasTransport { container }
                | EmmMessage::UplinkNasTransport { container } => {
                    put("container", json!(h(container)))
                }
                EmmMessage::GutiReallocationCommand(g) => {
                    if let Some(t) = g.tai_list() {
                        put("tai_list", json!(h(t)));
                    }
                    identity_fields("", &g.guti, &mut f);
                }
                EmmMessage::ExtendedServiceRequest(x) => {
                    put("nas_ksi", json!(x.nas_ksi.nibble()));
                    put("service_type", json!(x.service_type));
                    if let MobileIdentity::Tmsi(t) = x.m_tmsi {
                        put("m_tmsi", json!(t));
                    }
                    if let Some(b) = x.eps_bearer_context_status() {
                        put("eps_bearer_context_status", json!(h(&b)));
                    }
                }
                EmmMessage::ServiceAccept { ies } => {
                    if let Some(ie) = ies.iter().find(|i| i.iei == 0x57) {
                        put("eps_bearer_context_status", json!(h(&ie.value)));
                    }
                }
                EmmMessage::CsServiceNotification(c) => {
                    put("paging_identity", json!(c.paging_identity));
                    if let Some(cli) = c.cli() {
                        put("cli", json!(h(cli)));
                    }
                }
                _ => {}
            }
        }
        NasMessage::Esm(e) => {
            put("message_type", json!(e.message_type()));
            put("ebi", json!(e.ebi));
            put("pti", json!(e.pti));
            match &e.body {
                EsmBody::PdnConnectivityRequest(p) => {
                    put("pdn_type", json!(p.pdn_type));
                    put("request_type", json!(p.request_type));
                    if let Some(a) = p.apn() {
                        put("apn", json!(h(&a.0)));
                    }
                    if let Some(x) = p.esm_information_transfer_flag() {
                        put("esm_info_transfer_flag", json!(u8::from(x)));
                    }
                }
                EsmBody::ActivateDefaultEpsBearerContextRequest(a) => {
                    put("eps_qos", json!(h(&a.eps_qos)));
                    put("apn", json!(h(&a.apn.0)));
                    put("pdn_address", json!(h(&a.pdn_address)));
                }
                EsmBody::PdnConnectivityReject { cause, .. } | EsmBody::EsmStatus { cause } => {
                    put("cause", json!(cause))
                }
                EsmBody::EsmInformationResponse { ies } => {
                    if let Some(ie) = ies.iter().find(|i| i.iei == 0x28) {
                        put("apn", json!(h(&ie.value)));
                    }
                }
                EsmBody::EsmDataTransport(d) => {
                    put("user_data", json!(h(&d.user_data)));
                    if let Some(r) = d.release_assistance_indication() {
                        put("release_assistance_indication", json!(r));
                    }
                }
                _ => {}
            }
        }
        NasMessage::ServiceRequest(s) => {
            put("ksi", json!(s.ksi));
            put("sequence_number", json!(s.sequence_number));
            put("short_mac", json!(h(&s.short_mac)));
        }
        NasMessage::Protected(_) => {}
    }
    f
}
