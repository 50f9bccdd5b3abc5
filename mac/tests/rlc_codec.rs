//! Round trips of the RLC header codecs on generated values (TS 36.322 §6.2).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_mac::rlc::pdu::{
    AmdPduRepr, FramingInfo, LiLength, Nack, SegmentInfo, StatusPduRepr, UmSnLength, UmdPduRepr,
};
use proptest::prelude::*;

fn fi() -> impl Strategy<Value = FramingInfo> {
    (0u8..4).prop_map(FramingInfo::from_bits)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn amd_round_trip(
        poll in any::<bool>(), fi in fi(), sn in 0u16..1024,
        seg in proptest::option::of((any::<bool>(), 0u16..0x8000)),
        lis in proptest::collection::vec(1u16..2048, 0..6), fifteen in any::<bool>(),
        tail in 1usize..5,
    ) {
        let li = if fifteen { LiLength::Fifteen } else { LiLength::Eleven };
        let r = AmdPduRepr { poll, fi, sn, segment: seg.map(|(lsf, so)| SegmentInfo { lsf, so }), lis };
        let mut v = Vec::new();
        r.emit(li, &mut v).unwrap();
        prop_assert_eq!(v.len(), r.header_len(li));
        let data: usize = r.lis.iter().map(|&l| usize::from(l)).sum::<usize>() + tail;
        v.resize(v.len() + data, 0x5a);
        let (p, hdr) = AmdPduRepr::parse(&v, li).unwrap();
        prop_assert_eq!(hdr, r.header_len(li));
        prop_assert_eq!(p, r);
    }

    #[test]
    fn umd_round_trip(
        fi in fi(), sn in 0u16..1024, ten in any::<bool>(),
        lis in proptest::collection::vec(1u16..2048, 0..6), tail in 1usize..5,
    ) {
        let snl = if ten { UmSnLength::Ten } else { UmSnLength::Five };
        let r = UmdPduRepr { sn: sn % snl.modulus(), fi, lis };
        let mut v = Vec::new();
        r.emit(snl, LiLength::Eleven, &mut v).unwrap();
        let data: usize = r.lis.iter().map(|&l| usize::from(l)).sum::<usize>() + tail;
        v.resize(v.len() + data, 0);
        let (p, hdr) = UmdPduRepr::parse(&v, snl, LiLength::Eleven).unwrap();
        prop_assert_eq!(hdr, r.header_len(snl, LiLength::Eleven));
        prop_assert_eq!(p, r);
    }

    #[test]
    fn status_round_trip(
        ack in 0u16..1024,
        nacks in proptest::collection::vec(
            (0u16..1024, proptest::option::of((0u16..0x8000, 0u16..0x8000))), 0..20),
    ) {
        let nacks: Vec<Nack> = nacks.into_iter()
            .map(|(sn, so)| Nack { sn, so: so.map(|(a, b)| (a.min(b), a.max(b))) })
            .collect();
        let s = StatusPduRepr { ack_sn: ack, nacks };
        let mut v = Vec::new();
        s.emit(&mut v).unwrap();
        prop_assert_eq!(v.len(), s.buffer_len());
        prop_assert_eq!(StatusPduRepr::parse(&v).unwrap(), s);
    }
}
