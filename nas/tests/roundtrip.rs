//! Property tests: typed messages survive emit → parse unchanged, including optional IEs the
//! codec does not know (kept as received).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_nas::eps::emm::{
    AttachAccept, AttachRequest, AuthenticationFailure, AuthenticationRequest,
    AuthenticationResponse, DetachRequestNetwork, DetachRequestUe, EmmMessage, IdentityResponse,
    SecurityModeCommand,
};
use ntn_nas::eps::esm::{
    ActivateDefaultEpsBearerContextRequest, EsmDataTransport, PdnConnectivityRequest,
};
use ntn_nas::eps::{EsmBody, EsmMessage, NasMessage, ServiceRequest};
use ntn_nas::ie::{Apn, Guti, Ie, IeFormat, MobileIdentity, NasKsi, SecurityCapability};
use ntn_security::Direction;
use proptest::prelude::*;

fn ksi() -> impl Strategy<Value = NasKsi> {
    (any::<bool>(), 0u8..8).prop_map(|(mapped, ksi)| NasKsi { mapped, ksi })
}

fn identity() -> impl Strategy<Value = MobileIdentity> {
    prop_oneof![
        "[0-9]{6,15}".prop_map(MobileIdentity::Imsi),
        "[0-9]{15}".prop_map(MobileIdentity::Imei),
        (any::<[u8; 3]>(), any::<u16>(), any::<u8>(), any::<u32>()).prop_map(|(plmn, g, c, t)| {
            MobileIdentity::Guti(Guti {
                plmn,
                mme_group_id: g,
                mme_code: c,
                m_tmsi: t,
            })
        }),
    ]
}

fn identity_24008() -> impl Strategy<Value = MobileIdentity> {
    prop_oneof![
        "[0-9]{6,15}".prop_map(MobileIdentity::Imsi),
        "[0-9]{16}".prop_map(MobileIdentity::Imeisv),
        any::<u32>().prop_map(MobileIdentity::Tmsi),
    ]
}

fn caps() -> impl Strategy<Value = SecurityCapability> {
    (
        any::<u8>(),
        any::<u8>(),
        proptest::collection::vec(any::<u8>(), 0..3),
    )
        .prop_map(|(eea, eia, rest)| SecurityCapability { eea, eia, rest })
}

/// Optional IEs no table of these messages knows, framed by the TS 24.007 default rule.
fn unknown_ies() -> impl Strategy<Value = Vec<Ie>> {
    proptest::collection::vec(
        prop_oneof![
            (
                (0x21u8..0x27),
                proptest::collection::vec(any::<u8>(), 0..10)
            )
                .prop_map(|(iei, value)| Ie {
                    iei,
                    format: IeFormat::Tlv,
                    value
                }),
            (
                (0x71u8..0x78),
                proptest::collection::vec(any::<u8>(), 0..300)
            )
                .prop_map(|(iei, value)| Ie {
                    iei,
                    format: IeFormat::Tlve,
                    value
                }),
            (0u8..16).prop_map(|v| Ie {
                iei: 0xa0,
                format: IeFormat::HalfTv,
                value: vec![v]
            }),
        ],
        0..4,
    )
}

fn emm() -> impl Strategy<Value = (Direction, NasMessage)> {
    prop_oneof![
        (
            0u8..16,
            ksi(),
            identity(),
            caps(),
            proptest::collection::vec(any::<u8>(), 0..64),
            unknown_ies()
        )
            .prop_map(|(attach_type, nas_ksi, identity, c, esm, ies)| (
                Direction::Uplink,
                EmmMessage::AttachRequest(AttachRequest {
                    attach_type,
                    nas_ksi,
                    identity,
                    ue_network_capability: c,
                    esm_container: esm,
                    ies
                })
                .into()
            )),
        (
            0u8..16,
            any::<u8>(),
            proptest::collection::vec(any::<u8>(), 6..20),
            identity(),
            unknown_ies()
        )
            .prop_map(|(r, t, tai, id, ies)| {
                let mut a = AttachAccept {
                    attach_result: r,
                    t3412: t,
                    tai_list: tai,
                    esm_container: vec![1, 2],
                    ies,
                };
                a.set_guti(&id);
                (Direction::Downlink, EmmMessage::AttachAccept(a).into())
            }),
        (ksi(), any::<[u8; 16]>(), any::<[u8; 16]>()).prop_map(|(nas_ksi, rand, autn)| (
            Direction::Downlink,
            EmmMessage::AuthenticationRequest(AuthenticationRequest {
                nas_ksi,
                rand,
                autn
            })
            .into()
        )),
        proptest::collection::vec(any::<u8>(), 4..17).prop_map(|res| (
            Direction::Uplink,
            EmmMessage::AuthenticationResponse(AuthenticationResponse { res }).into()
        )),
        any::<[u8; 14]>().prop_map(|a| (
            Direction::Uplink,
            EmmMessage::AuthenticationFailure(AuthenticationFailure::synch_failure(a)).into()
        )),
        (0u8..8, 0u8..8, ksi(), caps(), 0u8..8).prop_map(|(c, i, k, caps, imeisv)| {
            let mut m = SecurityModeCommand {
                ciphering: c,
                integrity: i,
                nas_ksi: k,
                replayed_ue_security_capabilities: caps,
                ies: vec![],
            };
            m.set_imeisv_request(imeisv);
            (
                Direction::Downlink,
                EmmMessage::SecurityModeCommand(m).into(),
            )
        }),
        identity_24008().prop_map(|identity| (
            Direction::Uplink,
            EmmMessage::IdentityResponse(IdentityResponse { identity }).into()
        )),
        (0u8..16, ksi(), identity()).prop_map(|(t, k, id)| (
            Direction::Uplink,
            EmmMessage::DetachRequestUe(DetachRequestUe {
                detach_type: t,
                nas_ksi: k,
                identity: id
            })
            .into()
        )),
        (0u8..16, unknown_ies()).prop_map(|(t, ies)| (
            Direction::Downlink,
            EmmMessage::DetachRequestNetwork(DetachRequestNetwork {
                detach_type: t,
                ies
            })
            .into()
        )),
        (0u8..8, 0u8..32, any::<[u8; 2]>()).prop_map(|(ksi, sequence_number, short_mac)| (
            Direction::Uplink,
            NasMessage::ServiceRequest(ServiceRequest {
                ksi,
                sequence_number,
                short_mac
            })
        )),
    ]
}

fn esm() -> impl Strategy<Value = (Direction, NasMessage)> {
    prop_oneof![
        (
            0u8..16,
            any::<u8>(),
            0u8..8,
            0u8..8,
            "[a-z]{1,8}(\\.[a-z]{1,8}){0,2}"
        )
            .prop_map(|(ebi, pti, r, t, apn)| {
                let mut p = PdnConnectivityRequest {
                    request_type: r,
                    pdn_type: t,
                    ies: vec![],
                };
                p.set_apn(&Apn::from_dotted(&apn));
                (
                    Direction::Uplink,
                    EsmMessage {
                        ebi,
                        pti,
                        body: EsmBody::PdnConnectivityRequest(p),
                    }
                    .into(),
                )
            }),
        (0u8..16, any::<u8>(), "[a-z]{1,20}", any::<[u8; 4]>()).prop_map(|(ebi, pti, apn, ip)| {
            let mut a = vec![0x01];
            a.extend_from_slice(&ip);
            let m = ActivateDefaultEpsBearerContextRequest {
                eps_qos: vec![9],
                apn: Apn::from_dotted(&apn),
                pdn_address: a,
                ies: vec![],
            };
            (
                Direction::Downlink,
                EsmMessage {
                    ebi,
                    pti,
                    body: EsmBody::ActivateDefaultEpsBearerContextRequest(m),
                }
                .into(),
            )
        }),
        (
            0u8..16,
            proptest::collection::vec(any::<u8>(), 0..1600),
            proptest::option::of(0u8..4)
        )
            .prop_map(|(ebi, user_data, rai)| {
                let mut d = EsmDataTransport {
                    user_data,
                    ies: vec![],
                };
                if let Some(r) = rai {
                    d.set_release_assistance_indication(r);
                }
                (
                    Direction::Uplink,
                    EsmMessage {
                        ebi,
                        pti: 0,
                        body: EsmBody::EsmDataTransport(d),
                    }
                    .into(),
                )
            }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn emm_round_trip((d, m) in emm()) {
        let b = m.to_vec().unwrap();
        prop_assert_eq!(NasMessage::parse(&b, d).unwrap(), m);
    }

    #[test]
    fn esm_round_trip((d, m) in esm()) {
        let b = m.to_vec().unwrap();
        let back = NasMessage::parse(&b, d).unwrap();
        prop_assert_eq!(&back, &m);
        if let NasMessage::Esm(EsmMessage { body: EsmBody::ActivateDefaultEpsBearerContextRequest(a), .. }) = back {
            prop_assert!(a.ipv4().is_some());
            prop_assert!(a.apn.to_dotted().is_some());
        }
    }
}
