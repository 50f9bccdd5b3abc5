//! Acceptance (issue 4): garbage, truncated or NaN-laden IQ returns "no cell found" or a typed
//! error, never a panic — through the whole downlink receive chain: cold cell search, OFDM
//! demodulation, NRS channel estimation and tracking, NPBCH, NPDCCH search, NPDSCH.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_phy::Complex32;
use ntn_phy::error::PhyError;
use ntn_phy::grid::ResourceGrid;
use ntn_phy::nbiot::cell::{NbiotCellTx, SAMPLES_PER_FRAME};
use ntn_phy::nbiot::chest::NrsChannelEstimator;
use ntn_phy::nbiot::npbch::{MibNb, NpbchDecoder, OperationMode};
use ntn_phy::nbiot::npdsch::{NpdschConfig, NpdschDecoder, SubframeIndex};
use ntn_phy::nbiot::search::{CellSearcher, NpssSearchConfig};
use ntn_phy::nbiot::search_space::{
    NpdcchCell, NpdcchSearcher, SearchSpaceConfig, SearchSpaceKind,
};
use ntn_phy::nbiot::tracking::NrsFrequencyTracker;
use ntn_phy::nbiot::{NcellId, NrsPorts};
use ntn_phy::ofdm::{NbiotOfdm, SAMPLES_PER_SUBFRAME};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A clean 3-frame signal of cell 123 (what the garbage is mixed into).
fn clean_cell() -> Vec<Complex32> {
    let mib = MibNb {
        sfn_msb4: 0,
        hsfn_lsb2: 0,
        scheduling_info_sib1: 1,
        system_info_value_tag: 3,
        ab_enabled: false,
        operation_mode: OperationMode::Standalone(0),
        trailing11: 0,
    };
    let mut tx = NbiotCellTx::new(NcellId::new(123).unwrap(), NrsPorts::One, mib);
    let mut frame = vec![Complex32::default(); SAMPLES_PER_FRAME];
    let mut sig = Vec::new();
    for n_f in 10..13 {
        tx.fill_frame(0, n_f, &mut frame);
        sig.extend_from_slice(&frame);
    }
    sig
}

/// Random bytes read as `cf32_le` (a wrong file format): NaN, ±inf, denormals, 1e38.
fn bytes_as_iq(rng: &mut ChaCha8Rng, n: usize) -> Vec<Complex32> {
    (0..n)
        .map(|_| Complex32::new(f32::from_bits(rng.random()), f32::from_bits(rng.random())))
        .collect()
}

/// The buffers every stage is fed: (what, samples).
fn garbage() -> Vec<(String, Vec<Complex32>)> {
    let mut rng = ChaCha8Rng::seed_from_u64(404);
    let clean = clean_cell();
    let mut v = vec![
        (
            "random bytes".to_string(),
            bytes_as_iq(&mut rng, clean.len()),
        ),
        ("empty".to_string(), Vec::new()),
        ("one sample".to_string(), vec![Complex32::new(1.0, 0.0)]),
        (
            "huge finite".to_string(),
            (0..clean.len())
                .map(|i| Complex32::new(3e38 * ((i % 3) as f32 - 1.0), -3e38))
                .collect(),
        ),
        (
            "constant".to_string(),
            vec![Complex32::new(0.7, -0.7); clean.len()],
        ),
    ];
    for (what, bad) in [
        ("NaN", Complex32::new(f32::NAN, 0.0)),
        ("+inf", Complex32::new(f32::INFINITY, 0.0)),
        ("-inf", Complex32::new(0.0, f32::NEG_INFINITY)),
    ] {
        let mut s = clean.clone();
        for _ in 0..5 {
            let at = rng.random_range(0..s.len());
            s[at] = bad;
        }
        v.push((format!("cell with {what} samples"), s));
    }
    // truncations of the clean cell, from nothing to just short of the 20.7 ms it needs
    for len in [0usize, 1, 127, 1919, 1920, 19_199, 19_200, 20_000, 20_698] {
        v.push((format!("cell truncated to {len}"), clean[..len].to_vec()));
    }
    v
}

fn typed(e: &PhyError) -> bool {
    matches!(
        e,
        PhyError::NotFound { .. }
            | PhyError::NonFinite { .. }
            | PhyError::Length { .. }
            | PhyError::TooLong { .. }
            | PhyError::OutOfRange { .. }
            | PhyError::CrcFailed
    )
}

#[test]
fn cell_search_finds_no_cell_in_garbage() {
    let mut searcher = CellSearcher::new(NpssSearchConfig::default(), 3 * SAMPLES_PER_FRAME);
    // the clean signal itself is found (the garbage below is what breaks it)
    assert_eq!(searcher.search(&clean_cell()).unwrap().nsss.cell.get(), 123);
    for (what, s) in garbage() {
        match searcher.search(&s) {
            Ok(r) => panic!("{what}: found {r:?}"),
            Err(e) => {
                println!("{what}: {e}");
                assert!(typed(&e), "{what}: {e:?}");
            }
        }
    }
    // truncated but long enough (two frames less a sample): still found
    let clean = clean_cell();
    let r = searcher
        .search(&clean[..2 * SAMPLES_PER_FRAME - 1])
        .unwrap();
    assert_eq!(r.nsss.cell.get(), 123);
    // longer than planned: a typed error, not an out-of-bounds write
    let long = vec![Complex32::default(); 3 * SAMPLES_PER_FRAME + 1];
    assert!(matches!(
        searcher.search(&long),
        Err(PhyError::TooLong { .. })
    ));
}

#[test]
fn receive_chain_returns_typed_errors_on_garbage() {
    let cell = NcellId::new(123).unwrap();
    let mut ofdm = NbiotOfdm::new();
    let mut grid = ResourceGrid::nbiot_subframe();
    let mut chest = NrsChannelEstimator::new();
    let mut tracker = NrsFrequencyTracker::new(10);
    let mut npbch = NpbchDecoder::new();
    let mut npdcch = NpdcchSearcher::new().with_repetition_field(21, 2);
    let mut npdsch = NpdschDecoder::new();
    let space = SearchSpaceConfig::new(SearchSpaceKind::UeSpecific, 1, 4.0, 0.0).unwrap();
    let ncell = NpdcchCell {
        cell,
        ports: NrsPorts::One,
        start_symbol: 0,
    };
    let cfg = NpdschConfig {
        cell,
        ports: NrsPorts::One,
        rnti: 0x4321,
        bcch: false,
        tbs_bits: 680,
        n_sf: 3,
        n_rep: 1,
        data_start_symbol: 0,
    };
    let k0 = SubframeIndex::new(10, 1).unwrap();
    for (what, s) in garbage() {
        let mut t_s = 0.0;
        for (j, sub) in s.chunks(SAMPLES_PER_SUBFRAME).enumerate() {
            let sf = (j % 10) as u32;
            match ofdm.demodulate_subframe(sub, &mut grid) {
                Ok(()) => {}
                Err(e) => {
                    assert!(typed(&e), "{what}: OFDM {e:?}");
                    continue;
                }
            }
            // the grid may hold huge or NaN-free garbage: every stage answers with a value
            // or a typed error
            if let Err(e) = chest.estimate(&grid, cell, sf, NrsPorts::One) {
                assert!(typed(&e), "{what}: chest {e:?}");
            } else if let Ok(est) = chest.estimate(&grid, cell, sf, NrsPorts::One) {
                t_s += 1e-3;
                if let Err(e) = tracker.update(t_s, est.amplitude(0)) {
                    assert!(typed(&e), "{what}: tracker {e:?}");
                }
            }
            if sf == 0 {
                npbch.reset_combining();
                if let Err(e) = npbch.accumulate(&grid, cell, 0, 0) {
                    assert!(typed(&e), "{what}: NPBCH {e:?}");
                } else if let Ok(m) = npbch.decode_accumulated(cell) {
                    panic!("{what}: MIB-NB from garbage {m:?}");
                }
            }
            if sf == 1 {
                let lookup = |x: SubframeIndex| (x == k0).then_some(&grid);
                if let Ok(d) = npdcch.search(&space, k0, None, ncell, 0x4321, 23, &lookup) {
                    panic!("{what}: DCI from garbage {d:?}");
                }
            }
            if sf == 2 {
                npdsch.start(&cfg).unwrap();
                let subs: Vec<SubframeIndex> =
                    (2..5).map(|x| SubframeIndex::new(10, x).unwrap()).collect();
                for (i, x) in subs.iter().enumerate() {
                    let (seg, c_init) = cfg.segment(&subs, i).unwrap();
                    if let Err(e) = npdsch.accumulate(&grid, x.subframe, seg, c_init) {
                        assert!(typed(&e), "{what}: NPDSCH {e:?}");
                    }
                }
                match npdsch.decode() {
                    Ok(tb) => panic!("{what}: transport block from garbage {tb:?}"),
                    Err(e) => assert!(typed(&e), "{what}: NPDSCH decode {e:?}"),
                }
            }
        }
    }
}
