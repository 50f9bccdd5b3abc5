//! Cell scheduler properties with dozens of UEs: no two grants overlap on the anchor DL
//! carrier (NPDCCH, NPDSCH) or on the UL (NPUSCH, HARQ-ACK); every DCI sits on a search-space
//! candidate; every NPDSCH/NPUSCH/HARQ-ACK time follows the DCI fields with the UE's
//! K_offset (k-Offset − Differential Koffset); repetitions are respected; invalid DL
//! subframes stay free; every request is served.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_mac::mac::scheduler::{
    CellScheduler, DlRequest, GrantKind, NPDSCH_N_REP, NPDSCH_N_SF, NPUSCH_N_REP, NPUSCH_N_RU,
    SchedulerConfig, Tones, UlRequest,
};
use ntn_mac::mac::timing::{ACK_K0_15KHZ, N0_K0, N1_K0_RMAX_LT_128};
use proptest::prelude::*;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
struct Case {
    cfg: SchedulerConfig,
    ues: Vec<(u16, u32)>,
    reqs: Vec<(usize, Result<DlRequest, UlRequest>)>,
}

fn tones() -> impl Strategy<Value = Tones> {
    prop_oneof![
        (0u8..12).prop_map(Tones::One),
        (0u8..4).prop_map(Tones::Three),
        (0u8..2).prop_map(Tones::Six),
        Just(Tones::Twelve),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    let cfg = (
        prop::sample::select(vec![4u32, 8, 16, 32]),
        prop::sample::select(vec![2u32, 4, 8]),
        prop::sample::select(vec![0u32, 1, 3]),
        0u32..4,
        1u32..3,
        prop::sample::select(vec![0u32, 20, 545, 1023]),
        0u32..40,
        any::<bool>(),
    )
        .prop_map(|(r_max, g, a, rdiv, ack, k, kmac, sib1)| SchedulerConfig {
            r_max,
            g,
            alpha_offset_eighths: a,
            dci_repetitions: (r_max >> rdiv).max(r_max / 8).max(1),
            ack_repetitions: ack,
            k_cell_offset: k,
            k_mac: kmac,
            sib1_even_frames: sib1,
        });
    let req = prop_oneof![
        (0u8..8, 0u8..3, 0u8..13, any::<bool>()).prop_map(|(i_sf, i_rep, mcs, ndi)| Ok(
            DlRequest {
                i_sf,
                i_rep,
                mcs,
                ndi
            }
        )),
        (tones(), 0u8..4, 0u8..3, 0u8..11, any::<bool>()).prop_map(
            |(tones, i_ru, i_rep, mcs, ndi)| Err(UlRequest {
                tones,
                i_ru,
                i_rep,
                mcs,
                ndi
            })
        ),
    ];
    (cfg, 24usize..48)
        .prop_flat_map(move |(cfg, n)| {
            (
                Just(cfg),
                prop::collection::vec(0u32..64, n),
                prop::collection::vec((0..n, req.clone()), n..3 * n),
            )
        })
        .prop_map(|(cfg, diffs, reqs)| Case {
            cfg,
            ues: diffs
                .into_iter()
                .enumerate()
                .map(|(i, d)| (0x100 + i as u16, d))
                .collect(),
            reqs,
        })
}

fn check(case: &Case) {
    let cfg = case.cfg;
    let mut s = CellScheduler::new(cfg, 0).unwrap();
    for &(rnti, d) in &case.ues {
        s.add_ue(rnti, d);
    }
    for (ue, r) in &case.reqs {
        let rnti = case.ues[*ue].0;
        match r {
            Ok(d) => s.request_dl(rnti, *d).unwrap(),
            Err(u) => s.request_ul(rnti, *u).unwrap(),
        }
    }
    let total = case.reqs.len();
    let mut grants = Vec::new();
    let mut until = 0u64;
    while s.pending() > 0 {
        until += 1000;
        assert!(until < 50_000_000, "requests starve: {} left", s.pending());
        grants.extend(s.schedule(until));
    }
    assert_eq!(grants.len(), total);

    let mut dl: BTreeMap<u64, u16> = BTreeMap::new();
    let mut ul: BTreeMap<u64, u16> = BTreeMap::new();
    let mut book_dl = |sf: u64, rnti: u16| {
        assert!(cfg.dl_valid(sf), "invalid DL subframe {sf} used");
        assert!(dl.insert(sf, rnti).is_none(), "DL overlap at {sf}");
    };
    let t = cfg.period();
    let off = t * u64::from(cfg.alpha_offset_eighths) / 8;
    let r = u64::from(cfg.dci_repetitions);
    let mut ue_last: BTreeMap<u16, u64> = BTreeMap::new();
    for g in &grants {
        let k_off = case
            .ues
            .iter()
            .find(|u| u.0 == g.rnti)
            .map(|u| cfg.k_cell_offset.saturating_sub(u.1))
            .unwrap();
        assert_eq!(g.k_offset, k_off);
        // NPDCCH: a search-space candidate, R NB-IoT DL subframes.
        let occ = (g.npdcch.first + t - off) / t * t + off;
        let occ = if occ > g.npdcch.first { occ - t } else { occ };
        let pd = cfg.dl_subframes(g.npdcch.first, r);
        assert_eq!(*pd.last().unwrap(), g.npdcch.last);
        let b_pos = (occ..g.npdcch.first).filter(|&x| cfg.dl_valid(x)).count() as u64;
        assert_eq!(b_pos % r, 0, "DCI not on a candidate boundary");
        assert!(
            b_pos / r < u64::from(cfg.r_max) / r,
            "DCI outside the occasion"
        );
        for sf in pd {
            book_dl(sf, g.rnti);
        }
        // One grant in flight per UE.
        if let Some(&prev) = ue_last.get(&g.rnti) {
            assert!(g.npdcch.first >= prev);
        }
        ue_last.insert(g.rnti, g.ul_rx_end);
        match g.kind {
            GrantKind::Dl { dci, npdsch, ack } => {
                let k0 = N1_K0_RMAX_LT_128[usize::from(dci.scheduling_delay)];
                let expect = cfg.nth_dl_subframe(g.npdcch.last + 5, u64::from(k0));
                assert_eq!(npdsch.first, expect);
                let n = u64::from(NPDSCH_N_SF[usize::from(dci.resource_assignment)])
                    * u64::from(NPDSCH_N_REP[usize::from(dci.repetition_number)]);
                let sfs = cfg.dl_subframes(npdsch.first, n);
                assert_eq!(*sfs.last().unwrap(), npdsch.last);
                for sf in sfs {
                    book_dl(sf, g.rnti);
                }
                let k0a = ACK_K0_15KHZ[usize::from(dci.harq_ack_resource)];
                assert_eq!(ack.first, npdsch.last + u64::from(k0a) + u64::from(k_off));
                assert_eq!(ack.last - ack.first + 1, 2 * u64::from(cfg.ack_repetitions));
                for sf in ack.first..=ack.last {
                    assert!(ul.insert(sf, g.rnti).is_none(), "UL overlap at {sf}");
                }
                assert_eq!(g.ul_rx_end, ack.last + 1 + u64::from(cfg.k_mac));
            }
            GrantKind::Ul { dci, npusch } => {
                let k0 = N0_K0[usize::from(dci.scheduling_delay)];
                assert_eq!(
                    npusch.first,
                    g.npdcch.last + u64::from(k0) + u64::from(k_off) + 1
                );
                let ru = match dci.subcarrier_indication {
                    0..=11 => 8,
                    12..=15 => 4,
                    16..=17 => 2,
                    _ => 1,
                };
                let n = ru
                    * u64::from(NPUSCH_N_RU[usize::from(dci.resource_assignment)])
                    * u64::from(NPUSCH_N_REP[usize::from(dci.repetition_number)]);
                assert_eq!(npusch.last - npusch.first + 1, n);
                for sf in npusch.first..=npusch.last {
                    assert!(ul.insert(sf, g.rnti).is_none(), "UL overlap at {sf}");
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn grants_never_collide_and_follow_the_timing(c in case()) {
        check(&c);
    }
}

/// A fixed GEO case with 40 UEs, for the figures in the report.
#[test]
fn forty_ues_geo() {
    let cfg = SchedulerConfig {
        r_max: 8,
        g: 4,
        alpha_offset_eighths: 0,
        dci_repetitions: 2,
        ack_repetitions: 2,
        k_cell_offset: 545,
        k_mac: 10,
        sib1_even_frames: true,
    };
    let ues: Vec<(u16, u32)> = (0..40).map(|i| (0x200 + i, (i as u32 * 7) % 64)).collect();
    let reqs = (0..120)
        .map(|i| {
            let ue = (i * 13) % 40;
            let r = if i % 2 == 0 {
                Ok(DlRequest {
                    i_sf: (i % 8) as u8,
                    i_rep: 1,
                    mcs: 5,
                    ndi: true,
                })
            } else {
                Err(UlRequest {
                    tones: Tones::Three((i % 4) as u8),
                    i_ru: 2,
                    i_rep: 0,
                    mcs: 3,
                    ndi: true,
                })
            };
            (ue, r)
        })
        .collect();
    check(&Case { cfg, ues, reqs });
}
