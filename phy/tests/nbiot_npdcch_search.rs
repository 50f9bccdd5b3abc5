//! NPDCCH search spaces with repetitions: our transmitter → OFDM → AWGN + carrier offset → our
//! search-space blind decoder (36.213 §16.6).

use std::collections::BTreeMap;

use ntn_phy::Complex32;
use ntn_phy::PhyError;
use ntn_phy::grid::ResourceGrid;
use ntn_phy::nbiot::npdcch::{DCI_N0_N1_BITS, NpdcchCandidate};
use ntn_phy::nbiot::npdsch::{Sib1Schedule, SubframeIndex};
use ntn_phy::nbiot::nrs::nrs_map;
use ntn_phy::nbiot::search_space::{
    NpdcchCell, NpdcchRepetitionEncoder, NpdcchSearcher, SearchSpaceConfig, SearchSpaceKind,
    npdcch_repetition_c_init, npdcch_start_symbol,
};
use ntn_phy::nbiot::{NcellId, NrsPorts};
use ntn_phy::ofdm::{NBIOT_SAMPLE_RATE_HZ, NbiotOfdm, SAMPLES_PER_SUBFRAME};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use ntn_phy::noise::gaussian as gauss;

/// Sends `dci` on the candidate with repetition index `rep_index` (and start `u`) of a
/// UE-specific search space; every NB-IoT DL subframe of the window carries NRS; returns
/// the received grids by subframe.
#[allow(clippy::too_many_arguments)] // scenario knobs
fn transmit(
    space: &SearchSpaceConfig,
    k0: SubframeIndex,
    sib1: Option<&Sib1Schedule>,
    cell: NpdcchCell,
    dci: &[u8],
    rnti: u16,
    pick: usize,
    snr_db: f32,
    offset_hz: f64,
    seed: u64,
) -> BTreeMap<SubframeIndex, ResourceGrid> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut cands = Vec::new();
    space.candidates(k0, sib1, &mut cands);
    let cand = &cands[pick];
    let mut enc = NpdcchRepetitionEncoder::new(cell, cand.ncce, dci, rnti).expect("DCI");
    let window = &cands.last().expect("candidates").subframes;
    let mut ofdm = NbiotOfdm::new();
    let sigma = (128.0 / 10f32.powf(snr_db / 10.0) / 2.0).sqrt();
    let gains = [
        Complex32::from_polar(1.0, rng.random_range(0.0..std::f32::consts::TAU)),
        Complex32::from_polar(0.7, rng.random_range(0.0..std::f32::consts::TAU)),
    ];
    let mut out = BTreeMap::new();
    let mut tmp = vec![Complex32::default(); SAMPLES_PER_SUBFRAME];
    for &sf in window {
        let mut grids = vec![ResourceGrid::nbiot_subframe(); cell.ports.count()];
        if let Some(j) = cand.subframes.iter().position(|&s| s == sf) {
            let c_init = npdcch_repetition_c_init(cell.cell, &cand.subframes, j);
            enc.map(c_init, &mut grids).expect("map");
        }
        let mut rx = vec![Complex32::default(); SAMPLES_PER_SUBFRAME];
        for (p, g) in grids.iter_mut().enumerate() {
            nrs_map(g, cell.cell, sf.subframe, p);
            ofdm.modulate_subframe(g, &mut tmp);
            for (r, t) in rx.iter_mut().zip(&tmp) {
                *r += t * gains[p];
            }
        }
        let n0 = u64::from((sf.absolute() + 10240 - k0.absolute()) % 10240) * 1920;
        for (i, r) in rx.iter_mut().enumerate() {
            let ph = 2.0 * std::f64::consts::PI * offset_hz * (n0 + i as u64) as f64
                / NBIOT_SAMPLE_RATE_HZ;
            *r = *r * Complex32::new(ph.cos() as f32, ph.sin() as f32)
                + Complex32::new(gauss(&mut rng), gauss(&mut rng)) * sigma;
        }
        let mut grid = ResourceGrid::nbiot_subframe();
        ofdm.demodulate_subframe(&rx, &mut grid).expect("finite");
        out.insert(sf, grid);
    }
    out
}

fn dci_with_rep_field(rep: u8, seed: u64) -> Vec<u8> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut d: Vec<u8> = (0..DCI_N0_N1_BITS)
        .map(|_| rng.random_range(0..2u8))
        .collect();
    d[21] = (rep >> 1) & 1;
    d[22] = rep & 1;
    d
}

/// R_max 8 UE-specific space; the DCI is sent on the R = 8 candidate at −8 dB for one port and
/// −6 dB for two (SFBC through one antenna with port gains 1 and 0.7 loses about 1.3 dB, and each
/// port's estimate has half the pilots); one subframe alone is far below threshold, 8
/// repetitions give +9 dB. The searcher must find it there and nowhere else (repetition-field
/// consistency), under a 200 Hz carrier offset.
#[test]
fn uss_repetitions_found_at_minus_8_db() {
    let space = SearchSpaceConfig::new(SearchSpaceKind::UeSpecific, 8, 4.0, 0.125).expect("space");
    let k0 = space
        .next_start(SubframeIndex::new(100, 0).expect("sf"))
        .expect("start");
    for (i, ports) in [NrsPorts::One, NrsPorts::Two].into_iter().enumerate() {
        let cell = NpdcchCell {
            cell: NcellId::new(17 + 100 * i as u16).expect("id"),
            ports,
            start_symbol: npdcch_start_symbol(None),
        };
        let sib1 = Sib1Schedule::new(1, cell.cell).expect("sib1");
        let rnti = 0x4321;
        // candidate 14 = R 8 (order: R1 ×8, R2 ×4, R4 ×2, R8 ×1)
        let dci = dci_with_rep_field(3, i as u64);
        let mut ok = 0;
        let snr_db = if ports == NrsPorts::One { -8.0 } else { -6.0 };
        for seed in 0..4 {
            let grids = transmit(
                &space,
                k0,
                Some(&sib1),
                cell,
                &dci,
                rnti,
                14,
                snr_db,
                200.0,
                seed,
            );
            let lookup = |sf: SubframeIndex| grids.get(&sf);
            let mut searcher = NpdcchSearcher::new().with_repetition_field(21, 2);
            match searcher.search(&space, k0, Some(&sib1), cell, rnti, DCI_N0_N1_BITS, &lookup) {
                Ok(found) => {
                    assert_eq!(found.bits, dci);
                    assert_eq!(found.candidate.repetitions, 8);
                    assert_eq!(found.candidate.dci_subframe_repetition, 3);
                    ok += 1;
                }
                Err(e) => println!("{ports:?} seed {seed}: {e}"),
            }
            // another RNTI finds nothing
            assert!(matches!(
                searcher.search(
                    &space,
                    k0,
                    Some(&sib1),
                    cell,
                    0x1234,
                    DCI_N0_N1_BITS,
                    &lookup
                ),
                Err(PhyError::NotFound { .. })
            ));
        }
        assert!(ok >= 3, "{ports:?}: {ok}/4");
    }
}

/// R_max 2 UE-specific space, aggregation level 1 on NCCE 1 at R = 1 in the second start,
/// clean: found with its NCCE; missing subframes are skipped, not an error.
#[test]
fn uss_aggregation_level_1_and_missing_subframes() {
    let space = SearchSpaceConfig::new(SearchSpaceKind::UeSpecific, 2, 2.0, 0.0).expect("space");
    let k0 = space
        .next_start(SubframeIndex::new(3, 3).expect("sf"))
        .expect("start");
    let cell = NpdcchCell {
        cell: NcellId::new(300).expect("id"),
        ports: NrsPorts::One,
        start_symbol: 0,
    };
    let dci = dci_with_rep_field(0, 9);
    // candidates: R1 start 0 (NCCE0, NCCE1, both), R1 start 1 (…), R2 both → pick 4
    let grids = transmit(&space, k0, None, cell, &dci, 0x77, 4, 20.0, 0.0, 1);
    let lookup = |sf: SubframeIndex| grids.get(&sf);
    let mut searcher = NpdcchSearcher::new().with_repetition_field(21, 2);
    let found = searcher
        .search(&space, k0, None, cell, 0x77, DCI_N0_N1_BITS, &lookup)
        .expect("found");
    assert_eq!(found.candidate.ncce, NpdcchCandidate::Ncce1);
    assert_eq!(found.candidate.subframes.len(), 1);
    assert_eq!(found.bits, dci);
    let none = |_: SubframeIndex| None;
    assert!(
        searcher
            .search(&space, k0, None, cell, 0x77, DCI_N0_N1_BITS, &none)
            .is_err()
    );
    assert!(
        searcher
            .search(&space, k0, None, cell, 0x77, 0, &lookup)
            .is_err()
    );
}
