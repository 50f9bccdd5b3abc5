//! End-to-end EPS attach on virtual time: UE NAS (with USIM) and the MME+HSS peer exchange
//! PDUs over a link with a GEO-like one-way delay. Authentication (incl. resynchronisation
//! from a stale SQN), security mode control, attach accept/complete, then an ESM DATA
//! TRANSPORT echo. No wall clock: time jumps to the next delivery or timer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_nas::eps::NasMessage;
use ntn_nas::eps::emm::EmmMessage;
use ntn_nas::eps::mme::{Mme, MmeConfig, MmeEvent, Subscriber};
use ntn_nas::eps::ue::{EmmState, UeEvent, UeNas, UeNasConfig};
use ntn_nas::eps::usim::Usim;
use ntn_nas::ie::MobileIdentity;
use ntn_security::{CipheringAlgorithmId, IntegrityAlgorithmId};
use ntn_types::{Duration, Instant};

const IMSI: &str = "001010123456789";
const K: [u8; 16] = [
    0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f, 0xaa, 0x5f, 0x0a, 0x2e, 0xe2, 0x38, 0xa6, 0xbc,
];
const OPC: [u8; 16] = [
    0xcd, 0x63, 0xcb, 0x71, 0x95, 0x4a, 0x9f, 0x4e, 0x48, 0xa5, 0x99, 0x4e, 0x37, 0xa0, 0x2b, 0xaf,
];
const ONE_WAY: Duration = Duration::from_millis(270);

/// What the link does to a PDU: `Some(bytes)` delivers (possibly altered), `None` drops.
type Tamper = Box<dyn FnMut(bool, usize, Vec<u8>) -> Option<Vec<u8>>>;

struct World {
    now: Instant,
    ue: UeNas,
    mme: Mme,
    // (deliver at, sequence, to_ue, pdu)
    queue: Vec<(Instant, u64, bool, Vec<u8>)>,
    seq: u64,
    sent: [usize; 2],
    tamper: Tamper,
    ue_events: Vec<UeEvent>,
    mme_events: Vec<MmeEvent>,
}

impl World {
    fn new(usim_sqn: u64, hss_sqn: u64, tamper: Tamper) -> Self {
        let ue = UeNas::new(
            UeNasConfig {
                apn: Some("internet".into()),
                ..Default::default()
            },
            Usim::new(IMSI, &K, &OPC, usim_sqn),
        );
        let mut mme = Mme::new(MmeConfig::default());
        mme.add_subscriber(
            IMSI,
            Subscriber {
                k: K,
                opc: OPC,
                sqn: hss_sqn,
                ipv4: [10, 45, 0, 7],
            },
        );
        Self {
            now: Instant::ZERO,
            ue,
            mme,
            queue: vec![],
            seq: 0,
            sent: [0, 0],
            tamper,
            ue_events: vec![],
            mme_events: vec![],
        }
    }

    fn drain(&mut self) {
        while let Some(p) = self.ue.poll_transmit() {
            let n = self.sent[0];
            self.sent[0] += 1;
            if let Some(p) = (self.tamper)(false, n, p) {
                self.queue.push((self.now + ONE_WAY, self.seq, false, p));
                self.seq += 1;
            }
        }
        while let Some(p) = self.mme.poll_transmit() {
            let n = self.sent[1];
            self.sent[1] += 1;
            if let Some(p) = (self.tamper)(true, n, p) {
                self.queue.push((self.now + ONE_WAY, self.seq, true, p));
                self.seq += 1;
            }
        }
        while let Some(e) = self.ue.poll_event() {
            self.ue_events.push(e);
        }
        while let Some(e) = self.mme.poll_event() {
            self.mme_events.push(e);
        }
    }

    /// Runs until nothing is pending or `until`.
    fn run(&mut self, until: Instant) {
        for _ in 0..10_000 {
            self.drain();
            let next_link = self.queue.iter().map(|q| q.0).min();
            let next = [next_link, self.ue.poll_timeout()]
                .into_iter()
                .flatten()
                .min();
            let Some(t) = next.filter(|t| *t <= until) else {
                return;
            };
            self.now = t;
            self.queue.sort_by_key(|q| (q.0, q.1));
            while self.queue.first().is_some_and(|q| q.0 <= t) {
                let (_, _, to_ue, pdu) = self.queue.remove(0);
                if to_ue {
                    self.ue.handle_pdu(t, &pdu);
                } else {
                    self.mme.handle_pdu(&pdu);
                }
            }
            self.ue.handle_timeout(t);
        }
        panic!("no quiescence");
    }

    fn attached(&self) -> bool {
        self.ue.state() == EmmState::Registered
            && self
                .mme_events
                .iter()
                .any(|e| matches!(e, MmeEvent::Attached { .. }))
    }
}

fn pass() -> Tamper {
    Box::new(|_, _, p| Some(p))
}

#[test]
fn attach_with_aka_and_smc_then_data_echo() {
    let mut w = World::new(0, 32, pass());
    w.ue.handle_attach(w.now);
    w.run(Instant::from_nanos(60_000_000_000));
    assert!(w.attached());
    // 3 round trips + the last one-way leg (attach complete): 7 one-way delays.
    assert_eq!(w.now, Instant::ZERO + Duration::from_millis(7 * 270));
    assert_eq!(
        w.ue_events[..2],
        [
            UeEvent::Authenticated,
            UeEvent::SecurityActivated {
                ciphering: CipheringAlgorithmId::Eea2,
                integrity: IntegrityAlgorithmId::Eia2
            },
        ]
    );
    let UeEvent::Attached { guti, ipv4 } = &w.ue_events[2] else {
        panic!("{:?}", w.ue_events)
    };
    assert_eq!(*ipv4, Some([10, 45, 0, 7]));
    assert!(matches!(guti, Some(MobileIdentity::Guti(g)) if g.mme_code == 3));
    assert_eq!(w.ue.usim().sqn_ms(), 32);

    // CIoT data over NAS: ESM DATA TRANSPORT up, echoed down.
    assert!(w.ue.handle_send_data(w.now, b"hello from orbit"));
    let t0 = w.now;
    w.run(t0 + Duration::from_secs(10));
    assert_eq!(w.now, t0 + Duration::from_millis(2 * 270));
    assert!(
        w.mme_events
            .contains(&MmeEvent::Data(b"hello from orbit".to_vec()))
    );
    assert_eq!(
        w.ue_events.last(),
        Some(&UeEvent::Data(b"hello from orbit".to_vec()))
    );
    // Both NAS COUNTs moved in step; nothing was dropped.
    let (ue_sec, mme_sec) = (w.ue.security().unwrap(), w.mme.security().unwrap());
    assert_eq!(ue_sec.tx_count(), 3); // SMC complete, attach complete, data
    assert_eq!(mme_sec.rx_last(), Some(2));
    assert_eq!(w.ue.stats().dropped + w.mme.stats().dropped, 0);
}

#[test]
fn stale_sqn_gives_auts_that_the_core_accepts() {
    // The USIM has seen SQN 1_000_000; the HSS would send 32.
    let mut w = World::new(1_000_000, 32, pass());
    w.ue.handle_attach(w.now);
    w.run(Instant::from_nanos(60_000_000_000));
    assert_eq!(w.ue_events[0], UeEvent::AuthenticationFailed { cause: 21 });
    assert_eq!(
        w.mme_events[0],
        MmeEvent::Resynchronised {
            imsi: IMSI.into(),
            sqn_ms: 1_000_000
        }
    );
    assert!(w.attached());
    assert_eq!(w.ue.usim().sqn_ms(), 1_000_032);
    assert_eq!(w.mme.stats().vectors, 2);
}

#[test]
fn lost_attach_request_is_retried_on_t3410() {
    let mut w = World::new(
        0,
        32,
        Box::new(|to_ue, n, p| if !to_ue && n == 0 { None } else { Some(p) }),
    );
    w.ue.handle_attach(w.now);
    w.run(Instant::from_nanos(60_000_000_000));
    assert!(w.attached());
    assert_eq!(w.ue.stats().t3410_expiries, 1);
    assert_eq!(
        w.now,
        Instant::ZERO + Duration::from_secs(15) + Duration::from_millis(7 * 270)
    );
}

#[test]
fn tampered_attach_accept_is_dropped_and_attach_recovers() {
    // The 3rd downlink PDU is ATTACH ACCEPT; flip one bit of its ciphertext.
    let mut w = World::new(
        0,
        32,
        Box::new(|to_ue, n, mut p| {
            if to_ue && n == 2 {
                let last = p.len() - 1;
                p[last] ^= 0x01;
            }
            Some(p)
        }),
    );
    w.ue.handle_attach(w.now);
    w.run(Instant::from_nanos(60_000_000_000));
    assert_eq!(w.ue.stats().dropped, 1, "the tampered ATTACH ACCEPT");
    assert_eq!(
        w.ue.stats().t3410_expiries,
        1,
        "T3410 ran out, attach restarted"
    );
    assert!(w.attached());
}

#[test]
fn plain_message_after_smc_is_dropped() {
    let mut w = World::new(0, 32, pass());
    w.ue.handle_attach(w.now);
    w.run(Instant::from_nanos(60_000_000_000));
    assert!(w.attached());
    let before = w.ue.stats().dropped;
    // A forged plain DETACH REQUEST and a plain ESM DATA TRANSPORT from "the network".
    w.ue.handle_pdu(w.now, &[0x07, 0x45, 0x01]);
    w.ue.handle_pdu(w.now, &[0x52, 0x00, 0xeb, 0x00, 0x01, 0x41]);
    assert_eq!(w.ue.stats().dropped, before + 2);
    assert_eq!(w.ue.state(), EmmState::Registered);
    assert!(w.ue.poll_event().is_none());
    // ... while a plain IDENTITY REQUEST for the IMSI is still answered (TS 24.301 §4.4.4.2).
    w.ue.handle_pdu(
        w.now,
        &NasMessage::Emm(EmmMessage::IdentityRequest(
            ntn_nas::eps::emm::IdentityRequest { identity_type: 1 },
        ))
        .to_vec(),
    );
    assert!(w.ue.poll_transmit().is_some());
}

#[test]
fn two_runs_are_identical() {
    use std::cell::RefCell;
    use std::rc::Rc;
    let trace = || {
        let log = Rc::new(RefCell::new(Vec::new()));
        let l = log.clone();
        let mut w = World::new(
            5_000,
            32,
            Box::new(move |to_ue, _, p| {
                l.borrow_mut().push((to_ue, p.clone()));
                Some(p)
            }),
        );
        w.ue.handle_attach(w.now);
        w.run(Instant::from_nanos(60_000_000_000));
        assert!(w.ue.handle_send_data(w.now, b"x"));
        w.run(Instant::from_nanos(120_000_000_000));
        let v = log.borrow().clone();
        (v, w.now)
    };
    let a = trace();
    assert_eq!(a.0.len(), 11); // 9 for attach incl. one resynchronisation, 2 for the echo
    assert_eq!(a, trace());
}
