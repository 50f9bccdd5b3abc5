//! NAS security behaviour (TS 24.301 §4.4): protection round trips for every algorithm pair,
//! tampered messages dropped and counted, replays dropped, NAS COUNT overflow, and the rule on
//! plain messages after security activation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_nas::eps::emm::{EmmMessage, IdentityRequest, SecurityModeCommand};
use ntn_nas::eps::security::{NasSecurityContext, Role, SecurityFailure, ue_accepts_plain};
use ntn_nas::eps::{NasMessage, SecurityHeaderType};
use ntn_nas::ie::{NasKsi, SecurityCapability};
use ntn_security::kdf::{PlmnId, eps};
use ntn_security::milenage::Milenage;
use ntn_security::{CipheringAlgorithmId as C, Direction, IntegrityAlgorithmId as I};

fn kasme() -> [u8; 32] {
    // TS 35.208 Test Set 1 inputs through MILENAGE and TS 33.401 §A.2.
    let k = [
        0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f, 0xaa, 0x5f, 0x0a, 0x2e, 0xe2, 0x38, 0xa6,
        0xbc,
    ];
    let op = [
        0xcd, 0xc2, 0x02, 0xd5, 0x12, 0x3e, 0x20, 0xf6, 0x2b, 0x6d, 0x67, 0x6a, 0xc7, 0x2c, 0xb3,
        0x18,
    ];
    let m = Milenage::with_op(&k, &op);
    let rand = [0x23; 16];
    let (autn, o) = m.generate_autn(&rand, &[0, 0, 0, 0, 0, 0x20], &[0x80, 0]);
    let sqn_ak: [u8; 6] = autn[..6].try_into().unwrap();
    eps::kasme(
        &o.ck,
        &o.ik,
        &PlmnId::from_digits("001", "01").unwrap(),
        &sqn_ak,
    )
}

fn pair(c: C, i: I) -> (NasSecurityContext, NasSecurityContext) {
    let ksi = NasKsi {
        mapped: false,
        ksi: 1,
    };
    let k = kasme();
    (
        NasSecurityContext::new(Role::Ue, ksi, &k, c, i),
        NasSecurityContext::new(Role::Network, ksi, &k, c, i),
    )
}

fn smc() -> Vec<u8> {
    NasMessage::Emm(EmmMessage::SecurityModeCommand(SecurityModeCommand {
        ciphering: 2,
        integrity: 2,
        nas_ksi: NasKsi {
            mapped: false,
            ksi: 1,
        },
        replayed_ue_security_capabilities: SecurityCapability {
            eea: 0xf0,
            eia: 0x70,
            rest: vec![],
        },
        ies: vec![],
    }))
    .to_vec()
    .unwrap()
}

#[test]
fn protect_unprotect_for_every_algorithm_pair() {
    for c in [C::Eea0, C::Eea1, C::Eea2, C::Eea3] {
        for i in [I::Eia1, I::Eia2, I::Eia3] {
            let (mut ue, mut nw) = pair(c, i);
            let plain = smc();
            let pdu = nw
                .protect(&plain, SecurityHeaderType::IntegrityProtectedNewContext)
                .unwrap();
            assert_eq!(pdu[0], 0x37);
            let (got, count) = ue.unprotect(&pdu).unwrap();
            assert_eq!((got.as_slice(), count), (plain.as_slice(), 0));
            // ciphered uplink: the payload differs from the plain message unless EEA0
            let up = b"\x07\x5e".to_vec();
            let pdu = ue
                .protect(
                    &up,
                    SecurityHeaderType::IntegrityProtectedCipheredNewContext,
                )
                .unwrap();
            assert_eq!(pdu[6..] != up[..], c != C::Eea0, "{c:?}");
            assert_eq!(nw.unprotect(&pdu).unwrap().0, up);
            assert_eq!(ue.stats().protected, 1);
            assert_eq!(nw.stats().accepted, 1);
        }
    }
}

#[test]
fn tampered_message_is_dropped_and_counted() {
    let (mut ue, mut nw) = pair(C::Eea2, I::Eia2);
    let pdu = nw
        .protect(&smc(), SecurityHeaderType::IntegrityProtectedCiphered)
        .unwrap();
    for bit in [0usize, 8 * 5, 8 * 6 + 3, 8 * (pdu.len() - 1) + 7] {
        let mut t = pdu.clone();
        t[bit / 8 + usize::from(bit < 8)] ^= 0x80 >> (bit % 8);
        assert!(
            matches!(ue.unprotect(&t), Err(SecurityFailure::MacFailure { .. })),
            "bit {bit}"
        );
    }
    assert_eq!(ue.stats().mac_failures, 4);
    assert_eq!(
        ue.rx_last(),
        None,
        "a failed message must not move the NAS COUNT"
    );
    // the untampered one still goes through
    assert!(ue.unprotect(&pdu).is_ok());
}

#[test]
fn replayed_nas_count_is_dropped() {
    let (mut ue, mut nw) = pair(C::Eea1, I::Eia1);
    let a = nw
        .protect(&smc(), SecurityHeaderType::IntegrityProtected)
        .unwrap();
    let b = nw
        .protect(&smc(), SecurityHeaderType::IntegrityProtected)
        .unwrap();
    assert!(ue.unprotect(&a).is_ok());
    assert!(ue.unprotect(&b).is_ok());
    assert_eq!(
        ue.unprotect(&a),
        Err(SecurityFailure::Replay { count: 0 }).map(|()| unreachable!())
    );
    assert_eq!(
        ue.unprotect(&b),
        Err(SecurityFailure::Replay { count: 1 }).map(|()| unreachable!())
    );
    assert_eq!(ue.stats().accepted, 2);
    assert_eq!(ue.stats().replays, 2);
    assert_eq!(ue.rx_last(), Some(1));
}

#[test]
fn nas_count_overflow_and_losses() {
    let (mut ue, mut nw) = pair(C::Eea3, I::Eia3);
    let msg = b"\x07\x60\x61".to_vec();
    let mut delivered = 0;
    for n in 0..700u32 {
        let pdu = ue
            .protect(&msg, SecurityHeaderType::IntegrityProtectedCiphered)
            .unwrap();
        // lose a few in a row now and then, never 256 at once
        if n % 97 < 5 && n > 0 {
            continue;
        }
        let (plain, count) = nw.unprotect(&pdu).unwrap();
        assert_eq!((plain.as_slice(), count), (msg.as_slice(), n));
        delivered += 1;
    }
    assert_eq!(nw.rx_last(), Some(699));
    assert_eq!(nw.stats().accepted, delivered);
    assert_eq!(ue.tx_count(), 700);
}

#[test]
fn plain_messages_after_security_activation() {
    let attach_accept_like =
        NasMessage::Emm(EmmMessage::SecurityModeCommand(SecurityModeCommand {
            ciphering: 0,
            integrity: 0,
            nas_ksi: NasKsi::NO_KEY,
            replayed_ue_security_capabilities: SecurityCapability {
                eea: 0x80,
                eia: 0x80,
                rest: vec![],
            },
            ies: vec![],
        }));
    assert!(
        !ue_accepts_plain(&attach_accept_like),
        "a plain SMC (bidding down) is dropped"
    );
    assert!(ue_accepts_plain(&NasMessage::Emm(
        EmmMessage::IdentityRequest(IdentityRequest { identity_type: 1 })
    )));
    assert!(!ue_accepts_plain(&NasMessage::Emm(
        EmmMessage::IdentityRequest(IdentityRequest { identity_type: 3 })
    )));
    assert!(ue_accepts_plain(&NasMessage::Emm(
        EmmMessage::AuthenticationReject
    )));
    let plain_detach = NasMessage::parse(&[0x07, 0x45, 0x01], Direction::Downlink).unwrap();
    assert!(!ue_accepts_plain(&plain_detach));
    let tau_reject = NasMessage::parse(&[0x07, 0x4b, 0x09], Direction::Downlink).unwrap();
    assert!(ue_accepts_plain(&tau_reject));
}

#[test]
fn not_protected_and_garbage_are_counted_as_malformed() {
    let (mut ue, _) = pair(C::Eea2, I::Eia2);
    assert_eq!(
        ue.unprotect(&smc()),
        Err(SecurityFailure::NotProtected).map(|()| unreachable!())
    );
    assert!(matches!(
        ue.unprotect(&[0x27, 1, 2]),
        Err(SecurityFailure::Malformed(_))
    ));
    assert_eq!(ue.stats().malformed, 2);
}

#[test]
fn five_gs_context_protects_with_the_5gs_envelope() {
    use ntn_nas::fivegs::{FgmmMessage, NasMessage5g};
    let kamf = [0x3c; 32];
    let ksi = NasKsi {
        mapped: false,
        ksi: 2,
    };
    for c in [C::Eea0, C::Eea1, C::Eea2, C::Eea3] {
        for i in [I::Eia1, I::Eia2, I::Eia3] {
            let mut ue = NasSecurityContext::new_5gs(Role::Ue, ksi, &kamf, c, i);
            let mut amf = NasSecurityContext::new_5gs(Role::Network, ksi, &kamf, c, i);
            let plain = NasMessage5g::Mm(FgmmMessage::RegistrationComplete { ies: vec![] })
                .to_vec()
                .unwrap();
            let pdu = ue
                .protect(&plain, SecurityHeaderType::IntegrityProtectedCiphered)
                .unwrap();
            assert_eq!(&pdu[..2], &[0x7e, 0x02]);
            assert!(matches!(
                NasMessage5g::parse(&pdu, Direction::Uplink).unwrap(),
                NasMessage5g::Protected(_)
            ));
            assert_eq!(amf.unprotect(&pdu).unwrap(), (plain.clone(), 0));
            // replay and tamper
            assert!(matches!(
                amf.unprotect(&pdu),
                Err(SecurityFailure::Replay { count: 0 })
            ));
            let mut t = ue
                .protect(&plain, SecurityHeaderType::IntegrityProtectedCiphered)
                .unwrap();
            *t.last_mut().unwrap() ^= 1;
            assert!(matches!(
                amf.unprotect(&t),
                Err(SecurityFailure::MacFailure { .. })
            ));
            // an EPS context cannot open a 5GS PDU
            let mut eps_ctx = NasSecurityContext::new(Role::Network, ksi, &kamf, c, i);
            assert!(eps_ctx.unprotect(&pdu).is_err());
        }
    }
}
