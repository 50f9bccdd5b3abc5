//! 5GS registration on virtual time: UE (USIM, 5G AKA, NAS SMC) and the AMF+AUSF+UDM peer over
//! a LEO-like link, then a PDU session; plus SQN resynchronisation in 5G AKA.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_nas::eps::usim::Usim;
use ntn_nas::fivegs::MobileIdentity5gs;
use ntn_nas::fivegs::procedures::{Amf, AmfEvent, Subscriber5g, UeEvent5g, UeNas5g, UeNas5gConfig};
use ntn_types::{Duration, Instant};

const SUPI: &str = "001010123456789";
const K: [u8; 16] = [
    0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f, 0xaa, 0x5f, 0x0a, 0x2e, 0xe2, 0x38, 0xa6, 0xbc,
];
const OPC: [u8; 16] = [
    0xcd, 0x63, 0xcb, 0x71, 0x95, 0x4a, 0x9f, 0x4e, 0x48, 0xa5, 0x99, 0x4e, 0x37, 0xa0, 0x2b, 0xaf,
];
const ONE_WAY: Duration = Duration::from_millis(20);

struct World {
    now: Instant,
    ue: UeNas5g,
    amf: Amf,
    queue: Vec<(Instant, u64, bool, Vec<u8>)>,
    seq: u64,
    ue_events: Vec<UeEvent5g>,
    amf_events: Vec<AmfEvent>,
}

impl World {
    fn new(usim_sqn: u64, udm_sqn: u64) -> Self {
        let ue = UeNas5g::new(
            UeNas5gConfig::default(),
            Usim::new(SUPI, &K, &OPC, usim_sqn),
        );
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
            ue,
            amf,
            queue: vec![],
            seq: 0,
            ue_events: vec![],
            amf_events: vec![],
        }
    }

    fn run(&mut self, until: Instant) {
        for _ in 0..10_000 {
            while let Some(p) = self.ue.poll_transmit() {
                self.queue.push((self.now + ONE_WAY, self.seq, false, p));
                self.seq += 1;
            }
            while let Some(p) = self.amf.poll_transmit() {
                self.queue.push((self.now + ONE_WAY, self.seq, true, p));
                self.seq += 1;
            }
            while let Some(e) = self.ue.poll_event() {
                self.ue_events.push(e);
            }
            while let Some(e) = self.amf.poll_event() {
                self.amf_events.push(e);
            }
            let next = [self.queue.iter().map(|q| q.0).min(), self.ue.poll_timeout()]
                .into_iter()
                .flatten()
                .min();
            let Some(t) = next.filter(|t| *t <= until) else {
                return;
            };
            self.now = t;
            self.queue.sort_by_key(|q| (q.0, q.1));
            while self.queue.first().is_some_and(|q| q.0 <= t) {
                let (_, _, to_ue, p) = self.queue.remove(0);
                if to_ue {
                    self.ue.handle_pdu(t, &p);
                } else {
                    self.amf.handle_pdu(&p);
                }
            }
            self.ue.handle_timeout(t);
        }
        panic!("no quiescence");
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
