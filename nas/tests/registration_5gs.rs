//! 5GS registration on virtual time: UE (USIM, 5G AKA, NAS SMC) and the AMF+AUSF+UDM peer over
//! a LEO-like link, then a PDU session; plus SQN resynchronisation in 5G AKA; then idle mode:
//! periodic and mobility registration update, paging answered by SERVICE REQUEST, and the NR
//! NTN value of T3510 over a GEO link.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_nas::eps::mme::UeId;
use ntn_nas::eps::usim::Usim;
use ntn_nas::fivegs::MobileIdentity5gs;
use ntn_nas::fivegs::procedures::{Amf, AmfEvent, Subscriber5g, UeEvent5g, UeNas5g, UeNas5gConfig};
use ntn_nas::timers::NasAccess;
use ntn_types::{Duration, Instant};

const SUPI: &str = "001010123456789";
const K: [u8; 16] = [
    0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f, 0xaa, 0x5f, 0x0a, 0x2e, 0xe2, 0x38, 0xa6, 0xbc,
];
const OPC: [u8; 16] = [
    0xcd, 0x63, 0xcb, 0x71, 0x95, 0x4a, 0x9f, 0x4e, 0x48, 0xa5, 0x99, 0x4e, 0x37, 0xa0, 0x2b, 0xaf,
];
const ONE_WAY: Duration = Duration::from_millis(20);

type InFlight = (Instant, u64, bool, Vec<u8>, Option<Option<u32>>);

struct World {
    now: Instant,
    one_way: Duration,
    ue: UeNas5g,
    amf: Amf,
    queue: Vec<InFlight>,
    seq: u64,
    conn: Option<UeId>,
    next_conn: UeId,
    /// Uplink PDUs to lose, by index.
    lose_ul: Vec<usize>,
    sent_ul: usize,
    ue_events: Vec<UeEvent5g>,
    amf_events: Vec<AmfEvent>,
}

impl World {
    fn new(usim_sqn: u64, udm_sqn: u64) -> Self {
        Self::with_config(UeNas5gConfig::default(), usim_sqn, udm_sqn)
    }

    fn with_config(config: UeNas5gConfig, usim_sqn: u64, udm_sqn: u64) -> Self {
        let ue = UeNas5g::new(config, Usim::new(SUPI, &K, &OPC, usim_sqn));
        let mut amf = Amf::new("001", "01");
        amf.add_subscriber(
            SUPI,
            Subscriber5g {
                k: K,
                opc: OPC,
                sqn: udm_sqn,
                ipv4: [10, 60, 0, 2],
            },
        );
        Self {
            now: Instant::ZERO,
            one_way: ONE_WAY,
            ue,
            amf,
            queue: vec![],
            seq: 0,
            conn: None,
            next_conn: 1,
            lose_ul: vec![],
            sent_ul: 0,
            ue_events: vec![],
            amf_events: vec![],
        }
    }

    fn run(&mut self, until: Instant) {
        for _ in 0..10_000 {
            while let Some(p) = self.ue.poll_transmit() {
                let initial = if self.conn.is_none() {
                    self.conn = Some(self.next_conn);
                    self.next_conn += 1;
                    Some(self.ue.guti().map(|g| g.tmsi))
                } else {
                    None
                };
                self.sent_ul += 1;
                if !self.lose_ul.contains(&(self.sent_ul - 1)) {
                    self.queue
                        .push((self.now + self.one_way, self.seq, false, p, initial));
                }
                self.seq += 1;
            }
            while let Some((conn, p)) = self.amf.poll_transmit() {
                assert_eq!(Some(conn), self.conn);
                self.queue
                    .push((self.now + self.one_way, self.seq, true, p, None));
                self.seq += 1;
            }
            while let Some(e) = self.ue.poll_event() {
                self.ue_events.push(e);
            }
            while let Some(e) = self.amf.poll_event() {
                self.amf_events.push(e);
            }
            let next = [
                self.queue.iter().map(|q| q.0).min(),
                self.ue.poll_timeout(),
                self.amf.poll_timeout(),
            ]
            .into_iter()
            .flatten()
            .min();
            let Some(t) = next.filter(|t| *t <= until) else {
                return;
            };
            self.now = t;
            self.queue.sort_by_key(|q| (q.0, q.1));
            while self.queue.first().is_some_and(|q| q.0 <= t) {
                let (_, _, to_ue, p, initial) = self.queue.remove(0);
                let conn = self.conn.unwrap_or(0);
                match (to_ue, initial) {
                    (true, _) => self.ue.handle_pdu(t, &p),
                    (false, Some(s_tmsi)) => {
                        self.amf.handle_initial_ue_message(t, conn, s_tmsi, &p)
                    }
                    (false, None) => self.amf.handle_uplink_nas(t, conn, &p),
                }
            }
            self.ue.handle_timeout(t);
            self.amf.handle_timeout(t);
        }
        panic!("no quiescence");
    }

    fn release(&mut self) {
        if let Some(c) = self.conn.take() {
            self.ue.handle_connection_released(self.now);
            self.amf.handle_connection_released(self.now, c);
        }
    }

    fn registered_idle(config: UeNas5gConfig) -> Self {
        let mut w = Self::with_config(config, 0, 32);
        w.ue.handle_register(w.now);
        w.run(w.now + Duration::from_secs(60));
        assert!(w.ue.is_registered());
        w.release();
        w.ue_events.clear();
        w.amf_events.clear();
        w
    }
}

#[test]
fn registration_with_5g_aka_smc_and_pdu_session() {
    let mut w = World::new(0, 32);
    w.ue.handle_register(w.now);
    w.run(Instant::ZERO + Duration::from_secs(10));
    assert!(w.ue.is_registered());
    // request, auth, SMC, accept (4 round trips) minus the last leg + registration complete leg
    assert_eq!(w.now, Instant::ZERO + Duration::from_millis(7 * 20));
    assert_eq!(w.ue_events[0], UeEvent5g::Authenticated);
    assert_eq!(w.ue_events[1], UeEvent5g::SecurityActivated);
    assert!(
        matches!(&w.ue_events[2], UeEvent5g::Registered { guti: Some(MobileIdentity5gs::Guti(g)) } if g.tmsi == 0x5a5a_0001)
    );
    assert_eq!(
        w.amf_events,
        vec![AmfEvent::Registered { supi: SUPI.into() }]
    );

    assert!(w.ue.handle_establish_pdu_session(w.now, 1));
    let t0 = w.now;
    w.run(t0 + Duration::from_secs(10));
    assert_eq!(w.now, t0 + Duration::from_millis(2 * 20));
    assert_eq!(
        w.ue_events.last(),
        Some(&UeEvent5g::PduSessionEstablished {
            id: 1,
            ipv4: Some([10, 60, 0, 2])
        })
    );
    assert_eq!(w.ue.dropped() + w.amf.dropped(), 0);
}

#[test]
fn stale_sqn_resynchronises_in_5g_aka() {
    let mut w = World::new(70_000, 32);
    w.ue.handle_register(w.now);
    w.run(Instant::ZERO + Duration::from_secs(10));
    assert_eq!(
        w.ue_events[0],
        UeEvent5g::AuthenticationFailed { cause: 21 }
    );
    assert_eq!(w.amf_events[0], AmfEvent::Resynchronised { sqn_ms: 70_000 });
    assert!(w.ue.is_registered());
}

#[test]
fn periodic_and_mobility_registration_update() {
    let mut w = World::registered_idle(UeNas5gConfig::default());
    let t0 = w.now;
    let first = w.ue.guti().unwrap();
    // REGISTRATION ACCEPT gave T3512 = 0x06 = 1 h.
    assert_eq!(w.ue.poll_timeout(), Some(t0 + Duration::from_secs(3600)));
    w.run(t0 + Duration::from_secs(3700));
    let g = w.amf.guti(SUPI).unwrap();
    assert_ne!(g.tmsi, first.tmsi);
    assert_eq!(
        w.ue_events,
        [UeEvent5g::RegistrationUpdated {
            registration_type: 3,
            guti: Some(g)
        }]
    );
    assert_eq!(w.ue.guti(), Some(g));
    // request up, accept down, complete up
    assert_eq!(
        w.now,
        t0 + Duration::from_secs(3600) + Duration::from_millis(3 * 20)
    );
    w.release();
    w.ue_events.clear();
    // TAC 1 is in the registration area, TAC 0x0a0b0c is not.
    w.ue.handle_tracking_area(w.now, [0x00, 0xf1, 0x10], 1);
    assert!(w.ue.poll_transmit().is_none());
    w.ue.handle_tracking_area(w.now, [0x00, 0xf1, 0x10], 0x0a_0b0c);
    w.run(w.now + Duration::from_secs(10));
    assert!(matches!(
        w.ue_events[..],
        [UeEvent5g::RegistrationUpdated {
            registration_type: 2,
            guti: Some(_)
        }]
    ));
    assert!(w.amf_events.contains(&AmfEvent::RegistrationUpdated {
        supi: SUPI.into(),
        registration_type: 2
    }));
    assert_eq!(w.ue.dropped() + w.amf.dropped(), 0);
}

#[test]
fn paging_is_answered_with_a_service_request() {
    let mut w = World::registered_idle(UeNas5gConfig::default());
    assert!(w.amf.handle_page(w.now, SUPI));
    let tmsi = match w.amf.poll_event() {
        Some(AmfEvent::Paging { tmsi, .. }) => tmsi,
        e => panic!("{e:?}"),
    };
    assert_eq!(Some(tmsi), w.ue.guti().map(|g| g.tmsi));
    w.now += w.one_way;
    let t0 = w.now;
    w.ue.handle_paging(w.now);
    w.run(w.now + Duration::from_secs(10));
    assert_eq!(w.ue_events, [UeEvent5g::ServiceAccepted]);
    assert_eq!(w.now, t0 + Duration::from_millis(2 * 20));
    assert!(w.amf.is_connected(SUPI));
    // Connected now: no second page.
    assert!(!w.amf.handle_page(w.now, SUPI));
}

#[test]
fn nr_ntn_access_uses_t3510_of_27_s_over_geo() {
    for (access, t3510_s) in [
        (NasAccess::Terrestrial, 15),
        (NasAccess::SatelliteNgRan, 27),
    ] {
        let mut w = World::with_config(
            UeNas5gConfig {
                access,
                ..Default::default()
            },
            0,
            32,
        );
        w.one_way = Duration::from_millis(270);
        w.lose_ul = vec![0]; // the first REGISTRATION REQUEST is lost
        w.ue.handle_register(w.now);
        w.run(Instant::ZERO + Duration::from_secs(120));
        assert!(w.ue.is_registered(), "{access:?}");
        // Resent at T3510, then 4 round trips less the last leg, plus the complete.
        assert_eq!(
            w.now,
            Instant::ZERO + Duration::from_secs(t3510_s) + Duration::from_millis(7 * 270),
            "{access:?}"
        );
    }
}
