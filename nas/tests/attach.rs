//! End-to-end EPS NAS on virtual time: UE NAS (with USIM) and the MME+HSS peer exchange
//! PDUs over a link with a GEO-like one-way delay. Authentication (incl. resynchronisation
//! from a stale SQN), security mode control, attach accept/complete, an ESM DATA TRANSPORT
//! echo; then idle mode: periodic and normal tracking area update, CONTROL PLANE SERVICE
//! REQUEST with data, paging for downlink data, SERVICE REQUEST, GUTI reallocation. No wall
//! clock: time jumps to the next delivery or timer of either side.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_nas::eps::NasMessage;
use ntn_nas::eps::emm::EmmMessage;
use ntn_nas::eps::mme::{Mme, MmeConfig, MmeEvent, Subscriber, UeId};
use ntn_nas::eps::ue::{EmmState, UeEvent, UeNas, UeNasConfig};
use ntn_nas::eps::usim::Usim;
use ntn_nas::ie::MobileIdentity;
use ntn_nas::timers::{EmmTimers, NasAccess};
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

/// A PDU in flight: deliver at, sequence, to the UE?, octets, and for an uplink PDU that
/// opens a connection the S-TMSI (M-TMSI) the RAN learnt from RRC.
type InFlight = (Instant, u64, bool, Vec<u8>, Option<Option<u32>>);

struct World {
    now: Instant,
    one_way: Duration,
    ue: UeNas,
    mme: Mme,
    queue: Vec<InFlight>,
    seq: u64,
    /// The signalling connection, if one exists; ids count up.
    conn: Option<UeId>,
    next_conn: UeId,
    sent: [usize; 2],
    tamper: Tamper,
    ue_events: Vec<UeEvent>,
    mme_events: Vec<MmeEvent>,
}

impl World {
    fn new(usim_sqn: u64, hss_sqn: u64, tamper: Tamper) -> Self {
        Self::with_config(
            UeNasConfig {
                apn: Some("internet".into()),
                ..Default::default()
            },
            usim_sqn,
            hss_sqn,
            tamper,
        )
    }

    fn with_config(config: UeNasConfig, usim_sqn: u64, hss_sqn: u64, tamper: Tamper) -> Self {
        let ue = UeNas::new(config, Usim::new(IMSI, &K, &OPC, usim_sqn));
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
            one_way: ONE_WAY,
            ue,
            mme,
            queue: vec![],
            seq: 0,
            conn: None,
            next_conn: 1,
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
            // The first PDU on a new connection goes as an initial UE message with the S-TMSI.
            let initial = if self.conn.is_none() {
                self.conn = Some(self.next_conn);
                self.next_conn += 1;
                Some(self.ue.guti().map(|g| g.m_tmsi))
            } else {
                None
            };
            if let Some(p) = (self.tamper)(false, n, p) {
                self.queue
                    .push((self.now + self.one_way, self.seq, false, p, initial));
                self.seq += 1;
            }
        }
        while let Some((conn, p)) = self.mme.poll_transmit() {
            assert_eq!(Some(conn), self.conn, "downlink on the live connection");
            let n = self.sent[1];
            self.sent[1] += 1;
            if let Some(p) = (self.tamper)(true, n, p) {
                self.queue
                    .push((self.now + self.one_way, self.seq, true, p, None));
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
            let next = [next_link, self.ue.poll_timeout(), self.mme.poll_timeout()]
                .into_iter()
                .flatten()
                .min();
            let Some(t) = next.filter(|t| *t <= until) else {
                return;
            };
            self.now = t;
            self.queue.sort_by_key(|q| (q.0, q.1));
            while self.queue.first().is_some_and(|q| q.0 <= t) {
                let (_, _, to_ue, pdu, initial) = self.queue.remove(0);
                let conn = self.conn.unwrap_or(0);
                match (to_ue, initial) {
                    (true, _) => self.ue.handle_pdu(t, &pdu),
                    (false, Some(s_tmsi)) => {
                        self.mme.handle_initial_ue_message(t, conn, s_tmsi, &pdu)
                    }
                    (false, None) => self.mme.handle_uplink_nas(t, conn, &pdu),
                }
            }
            self.ue.handle_timeout(t);
            self.mme.handle_timeout(t);
        }
        panic!("no quiescence");
    }

    /// The RAN releases the connection (both sides told at once).
    fn release(&mut self) {
        if let Some(c) = self.conn.take() {
            self.ue.handle_connection_released(self.now);
            self.mme.handle_connection_released(self.now, c);
        }
    }

    /// Runs until quiet or `secs` seconds pass, whichever is first.
    fn run_for(&mut self, secs: i64) {
        let until = self.now + Duration::from_secs(secs);
        self.run(until);
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
    assert!(w.mme_events.contains(&MmeEvent::Data {
        imsi: IMSI.into(),
        data: b"hello from orbit".to_vec()
    }));
    assert_eq!(
        w.ue_events.last(),
        Some(&UeEvent::Data(b"hello from orbit".to_vec()))
    );
    // Both NAS COUNTs moved in step; nothing was dropped.
    let (ue_sec, mme_sec) = (w.ue.security().unwrap(), w.mme.security(IMSI).unwrap());
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
fn tampered_attach_accept_is_dropped_and_t3450_recovers() {
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
    assert_eq!(w.ue.security().unwrap().stats().mac_failures, 1);
    // The MME resends ATTACH ACCEPT on T3450 (6 s) before the UE's T3410 (15 s) runs out.
    assert_eq!(w.mme.stats().retransmissions, 1);
    assert_eq!(w.ue.stats().t3410_expiries, 0);
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
        .to_vec()
        .unwrap(),
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

/// An attached UE whose connection was then released (EMM-IDLE on both sides).
fn idle_world(config: UeNasConfig, tamper: Tamper) -> World {
    let mut w = World::with_config(config, 0, 32, tamper);
    w.ue.handle_attach(w.now);
    w.run_for(60);
    assert!(w.attached());
    w.release();
    assert!(!w.ue.is_connected() && !w.mme.is_connected(IMSI));
    w.ue_events.clear();
    w.mme_events.clear();
    w
}

fn default_config() -> UeNasConfig {
    UeNasConfig {
        apn: Some("internet".into()),
        ..Default::default()
    }
}

#[test]
fn periodic_tau_on_t3412_then_normal_tau_on_ta_change() {
    let mut w = idle_world(default_config(), pass());
    let t_release = w.now;
    let old = w.ue.guti().unwrap();
    // ATTACH ACCEPT gave T3412 = 0x49 = 54 min, started at the release.
    assert_eq!(
        w.ue.poll_timeout(),
        Some(t_release + Duration::from_secs(54 * 60))
    );
    w.run_for(55 * 60);
    assert_eq!(w.ue.stats().periodic_updates, 1);
    let new = w.mme.guti(IMSI).unwrap();
    assert_ne!(new.m_tmsi, old.m_tmsi, "TAU ACCEPT assigned a new GUTI");
    assert_eq!(
        w.ue_events,
        [UeEvent::TrackingAreaUpdated {
            update_type: 3,
            guti: Some(new)
        }]
    );
    assert!(w.mme_events.contains(&MmeEvent::TrackingAreaUpdated {
        imsi: IMSI.into(),
        update_type: 3
    }));
    // TAU REQUEST up at release + 54 min, ACCEPT down, COMPLETE up: 3 one-way delays.
    assert_eq!(
        w.now,
        t_release + Duration::from_secs(54 * 60) + Duration::from_millis(3 * 270)
    );
    assert_eq!(w.ue.guti(), Some(new));
    w.release();

    // A cell of the registered TA (TAC 1): no update. Another TA: a normal TAU (type 0).
    w.ue_events.clear();
    w.ue.handle_tracking_area(w.now, [0x00, 0xf1, 0x10], 1);
    assert!(w.ue.poll_transmit().is_none());
    w.ue.handle_tracking_area(w.now, [0x00, 0xf1, 0x10], 9);
    w.run_for(10);
    assert!(matches!(
        w.ue_events[..],
        [UeEvent::TrackingAreaUpdated {
            update_type: 0,
            guti: Some(_)
        }]
    ));
    assert_eq!(w.ue.stats().dropped + w.mme.stats().dropped, 0);
}

#[test]
fn idle_data_goes_in_a_partially_ciphered_cpsr_and_is_echoed() {
    use std::cell::RefCell;
    use std::rc::Rc;
    let uplink = Rc::new(RefCell::new(Vec::new()));
    let log = uplink.clone();
    let mut w = idle_world(
        default_config(),
        Box::new(move |to_ue, _, p| {
            if !to_ue {
                log.borrow_mut().push(p.clone());
            }
            Some(p)
        }),
    );
    let t0 = w.now;
    let payload = b"sensor reading 42, from orbit";
    assert!(w.ue.handle_send_data(w.now, payload));
    w.run_for(10);
    assert_eq!(
        w.ue_events,
        [UeEvent::ServiceAccepted, UeEvent::Data(payload.to_vec())]
    );
    assert!(w.mme_events.contains(&MmeEvent::Data {
        imsi: IMSI.into(),
        data: payload.to_vec()
    }));
    // Up, then SERVICE ACCEPT and the echo down: 2 one-way delays.
    assert_eq!(w.now, t0 + Duration::from_millis(2 * 270));
    // On the air: security header type 5, CPSR readable, the user data not.
    let cpsr = uplink.borrow().last().unwrap().clone();
    assert_eq!(cpsr[0], 0x57);
    assert_eq!(cpsr[7], 0x4d, "message type in clear");
    assert!(!cpsr.windows(payload.len()).any(|x| x == payload));
    assert_eq!(w.ue.stats().dropped + w.mme.stats().dropped, 0);
}

#[test]
fn paging_for_downlink_data_is_answered_over_a_geo_link() {
    let mut w = idle_world(default_config(), pass());
    let t0 = w.now;
    assert!(w.mme.handle_downlink_data(w.now, IMSI, b"wake up"));
    w.drain();
    let guti = w.ue.guti().unwrap();
    let paging = w
        .mme_events
        .iter()
        .find_map(|e| match e {
            MmeEvent::Paging { m_tmsi, .. } => Some(*m_tmsi),
            _ => None,
        })
        .unwrap();
    assert_eq!(paging, guti.m_tmsi, "paged by S-TMSI");
    // The RAN delivers the paging one way later; the UE answers with a CPSR (MT).
    w.now += w.one_way;
    w.ue.handle_paging(w.now);
    w.run_for(10);
    assert_eq!(
        w.ue_events,
        [UeEvent::ServiceAccepted, UeEvent::Data(b"wake up".to_vec())]
    );
    // Paging down, CPSR up, data down: 3 one-way GEO delays from the data's arrival.
    assert_eq!(w.now, t0 + Duration::from_millis(3 * 270));
    assert_eq!(w.mme.stats().pagings, 1);
    assert!(w.mme.is_connected(IMSI));
}

#[test]
fn unanswered_paging_is_repeated_on_t3413() {
    let mut w = idle_world(default_config(), pass());
    assert!(w.mme.handle_downlink_data(w.now, IMSI, b"nobody home"));
    w.run_for(60);
    // The first paging + 4 repetitions at 5 s, then the data is dropped.
    assert_eq!(w.mme.stats().pagings, 5);
    assert_eq!(w.mme.poll_timeout(), None);
}

#[test]
fn service_request_with_short_mac_and_a_forged_one() {
    let config = UeNasConfig {
        control_plane_ciot: false,
        ..default_config()
    };
    let mut w = idle_world(config.clone(), pass());
    w.ue.handle_paging(w.now);
    w.run_for(1); // less than T3417: the RAN would now set up the radio bearers
    assert!(
        w.mme_events
            .iter()
            .any(|e| matches!(e, MmeEvent::ServiceRequestAccepted { imsi, .. } if imsi == IMSI))
    );
    assert_eq!(w.ue.state(), EmmState::ServiceRequestInitiated);
    w.ue.handle_user_plane_established(w.now);
    w.drain();
    assert_eq!(w.ue.state(), EmmState::Registered);
    assert_eq!(w.ue_events, [UeEvent::ServiceAccepted]);

    // The same with one bit of the short MAC flipped: the MME drops it, T3417 runs out.
    let mut w = idle_world(
        config,
        Box::new(|to_ue, _, mut p| {
            if !to_ue && p[0] >> 4 == 12 {
                p[3] ^= 0x01;
            }
            Some(p)
        }),
    );
    w.ue.handle_paging(w.now);
    w.run_for(10);
    assert_eq!(w.mme.stats().dropped, 1);
    assert_eq!(w.mme.security(IMSI).unwrap().stats().mac_failures, 1);
    assert_eq!(w.ue.stats().t3417_expiries, 1);
    assert_eq!(w.ue_events, [UeEvent::ServiceRequestFailed { cause: None }]);
}

#[test]
fn satellite_access_uses_the_ntn_timer_values() {
    // Lose the first TAU REQUEST: the retry comes after T3430 of the access in use.
    let lose_first_tau = || -> Tamper {
        Box::new(|to_ue, _, p| {
            let tau = !to_ue && p[0] == 0x17 && p.get(7) == Some(&0x48);
            let first = tau && !TAU_SEEN.with(|s| s.replace(true));
            (!first).then_some(p)
        })
    };
    thread_local!(static TAU_SEEN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
    for (access, t3430_s) in [
        (NasAccess::Terrestrial, 15),
        (NasAccess::SatelliteEutran, 27),
    ] {
        TAU_SEEN.with(|s| s.set(false));
        let mut w = idle_world(default_config(), lose_first_tau());
        w.ue.set_access(access);
        assert_eq!(w.ue.timers(), EmmTimers::for_access(access));
        let t0 = w.now;
        w.ue.handle_tracking_area(w.now, [0x00, 0xf1, 0x10], 7);
        w.run_for(60);
        assert_eq!(w.ue.stats().t3430_expiries, 1);
        assert_eq!(
            w.now,
            t0 + Duration::from_secs(t3430_s) + Duration::from_millis(3 * 270),
            "{access:?}"
        );
        assert!(matches!(
            w.ue_events[..],
            [UeEvent::TrackingAreaUpdated { update_type: 0, .. }]
        ));
    }
}

#[test]
fn configured_t3410_is_a_lower_bound_on_the_table_value() {
    let ue = |t3410_s, access| {
        let cfg = UeNasConfig {
            t3410: Duration::from_secs(t3410_s),
            access,
            ..default_config()
        };
        UeNas::new(cfg, Usim::new(IMSI, &K, &OPC, 0)).timers().t3410
    };
    assert_eq!(ue(15, NasAccess::Terrestrial), Duration::from_secs(15));
    assert_eq!(
        ue(15, NasAccess::SatelliteEutran),
        EmmTimers::for_access(NasAccess::SatelliteEutran).t3410
    );
    assert_eq!(ue(40, NasAccess::SatelliteEutran), Duration::from_secs(40));
}

#[test]
fn guti_reallocation() {
    let mut w = World::new(0, 32, pass());
    w.ue.handle_attach(w.now);
    w.run_for(60);
    let old = w.ue.guti().unwrap();
    assert!(w.mme.handle_reallocate_guti(w.now, IMSI));
    w.run_for(60);
    let new = w.mme.guti(IMSI).unwrap();
    assert_ne!(new, old);
    assert_eq!(w.ue.guti(), Some(new));
    assert_eq!(w.ue_events.last(), Some(&UeEvent::GutiReallocated(new)));
    // COMPLETE stopped T3450: no retransmission, no timer left.
    assert_eq!(w.mme.stats().retransmissions, 0);
    assert_eq!(w.mme.poll_timeout(), None);
}

#[test]
fn one_mme_serves_several_ues_on_their_own_connections() {
    // Three UEs attach at once through one MME; each connection gets only its own PDUs, and
    // each UE's data comes back to it alone.
    const IMSIS: [&str; 3] = ["001010000000001", "001010000000002", "001010000000003"];
    let mut mme = Mme::new(MmeConfig::default());
    let mut ues: Vec<UeNas> = IMSIS
        .iter()
        .map(|imsi| {
            mme.add_subscriber(
                imsi,
                Subscriber {
                    k: K,
                    opc: OPC,
                    sqn: 32,
                    ipv4: [10, 0, 0, imsi.as_bytes()[14] - b'0'],
                },
            );
            UeNas::new(default_config(), Usim::new(imsi, &K, &OPC, 0))
        })
        .collect();
    let now = Instant::ZERO;
    for ue in ues.iter_mut() {
        ue.handle_attach(now);
    }
    let mut events = vec![];
    fn pump(now: Instant, ues: &mut [UeNas], mme: &mut Mme, events: &mut Vec<UeEvent>) {
        for _ in 0..20 {
            for (i, ue) in ues.iter_mut().enumerate() {
                while let Some(p) = ue.poll_transmit() {
                    mme.handle_uplink_nas(now, i as UeId + 100, &p);
                }
            }
            while let Some((conn, p)) = mme.poll_transmit() {
                let ue = &mut ues[(conn - 100) as usize];
                ue.handle_pdu(now, &p);
            }
            for ue in ues.iter_mut() {
                while let Some(e) = ue.poll_event() {
                    events.push(e);
                }
            }
        }
    }
    pump(now, &mut ues, &mut mme, &mut events);
    assert!(ues.iter().all(|u| u.state() == EmmState::Registered));
    for (i, ue) in ues.iter_mut().enumerate() {
        assert!(ue.handle_send_data(now, format!("from ue {i}").as_bytes()));
    }
    events.clear();
    pump(now, &mut ues, &mut mme, &mut events);
    // Each UE got exactly its own echo back (events are collected in UE order).
    assert_eq!(
        events,
        (0..3)
            .map(|i| UeEvent::Data(format!("from ue {i}").into_bytes()))
            .collect::<Vec<_>>()
    );
    let tmsis: std::collections::BTreeSet<u32> =
        IMSIS.iter().map(|i| mme.guti(i).unwrap().m_tmsi).collect();
    assert_eq!(tmsis.len(), 3, "distinct GUTIs");
    assert_eq!(mme.stats().dropped, 0);
}

/// 70 kB of downlink data does not fit the LV-E user data container: the MME reports it
/// (MmeEvent::NotSent with the typed encode error) instead of panicking, sends nothing, and
/// the link keeps working.
#[test]
fn oversized_downlink_data_is_reported_not_a_panic() {
    let mut w = World::new(0, 32, pass());
    w.ue.handle_attach(w.now);
    w.run(Instant::from_nanos(60_000_000_000));
    assert!(w.attached());
    let before = w.sent;
    assert!(w.mme.handle_downlink_data(w.now, IMSI, &vec![0x5a; 70_000]));
    assert!(w.mme.poll_transmit().is_none());
    let ev = w.mme.poll_event();
    assert!(
        matches!(
            &ev,
            Some(MmeEvent::NotSent {
                imsi: Some(i),
                error: ntn_nas::SendError::Encode(ntn_nas::EncodeError::TooLong { len, .. }),
            }) if i == IMSI && *len > 65_535
        ),
        "{ev:?}"
    );
    assert_eq!(w.mme.stats().not_sent, 1);
    assert_eq!(w.sent, before);
    // a message that fits still goes through afterwards
    assert!(w.mme.handle_downlink_data(w.now, IMSI, b"small"));
    let t0 = w.now;
    w.run(t0 + Duration::from_secs(10));
    assert!(
        w.ue_events
            .iter()
            .any(|e| *e == UeEvent::Data(b"small".to_vec()))
    );
}
