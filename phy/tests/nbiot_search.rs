//! Our transmitter → AWGN + carrier offset → our cell search (NPSS, NSSS, NPBCH).

use ntn_phy::Complex32;
use ntn_phy::nbiot::cell::{NbiotCellTx, SAMPLES_PER_FRAME};
use ntn_phy::nbiot::npbch::{MibNb, OperationMode};
use ntn_phy::nbiot::search::{CellSearcher, NpssSearchConfig, remove_offset, remove_offset_from};
use ntn_phy::nbiot::{NcellId, NrsPorts};
use ntn_phy::ofdm::NBIOT_SAMPLE_RATE_HZ;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use ntn_phy::noise::gaussian as gauss;

/// `n_frames` frames from SFN `first_sfn`, delayed by `delay` samples, with a carrier offset
/// `offset_hz` ramping at `rate_hz_per_s`, and AWGN at `snr_db` measured in the 180 kHz
/// carrier (signal power per RE over noise power per RE).
#[allow(clippy::too_many_arguments)] // scenario knobs of the test signal
fn make_signal(
    cell: u16,
    first_sfn: u32,
    n_frames: usize,
    delay: usize,
    offset_hz: f64,
    rate_hz_per_s: f64,
    snr_db: f32,
    seed: u64,
) -> Vec<Complex32> {
    let mib = MibNb {
        sfn_msb4: 0,
        hsfn_lsb2: 0,
        scheduling_info_sib1: 3,
        system_info_value_tag: 12,
        ab_enabled: false,
        operation_mode: OperationMode::Standalone(0),
        trailing11: 0,
    };
    let mut tx = NbiotCellTx::new(NcellId::new(cell).expect("id"), NrsPorts::One, mib);
    let mut sig = vec![Complex32::default(); delay];
    let mut frame = vec![Complex32::default(); SAMPLES_PER_FRAME];
    for i in 0..n_frames {
        tx.fill_frame(0, first_sfn + i as u32, &mut frame);
        sig.extend_from_slice(&frame);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // RE power 1 → time-domain noise σ² = 128/SNR per complex sample
    let sigma = (128.0 / 10f32.powf(snr_db / 10.0) / 2.0).sqrt();
    let mut phase = 0.0f64;
    for (n, s) in sig.iter_mut().enumerate() {
        let t = n as f64 / NBIOT_SAMPLE_RATE_HZ;
        let f = offset_hz + rate_hz_per_s * t;
        phase += 2.0 * std::f64::consts::PI * f / NBIOT_SAMPLE_RATE_HZ;
        *s = *s * Complex32::new(phase.cos() as f32, phase.sin() as f32)
            + Complex32::new(gauss(&mut rng), gauss(&mut rng)) * sigma;
    }
    sig
}

#[test]
fn acquires_across_plus_minus_50_khz() {
    let mut searcher = CellSearcher::new(NpssSearchConfig::default(), 4 * SAMPLES_PER_FRAME);
    for (i, &offset) in [-50e3f64, -31.7e3, -7.4e3, 0.0, 12.2e3, 44.4e3, 50e3]
        .iter()
        .enumerate()
    {
        let cell = [0u16, 1, 125, 126, 257, 400, 503][i];
        let delay = 1234 + 2111 * i;
        let sig = make_signal(
            cell,
            514 + 2 * i as u32,
            3,
            delay,
            offset,
            600.0,
            10.0,
            i as u64,
        );
        let r = searcher.search(&sig).expect("cell found");
        println!("offset {offset} → {:?}", r);
        assert_eq!(r.nsss.cell.get(), cell);
        assert!(
            (r.npss.offset_hz - offset).abs() < 50.0,
            "offset {} vs {offset}",
            r.npss.offset_hz
        );
        assert_eq!(r.npss.frame_start, delay % SAMPLES_PER_FRAME);
        let (_, mib) = r.mib.expect("MIB-NB decoded");
        assert_eq!(mib.mib.system_info_value_tag, 12);
        let even_index = (r.nsss.even_frame_start - delay) / SAMPLES_PER_FRAME;
        assert_eq!(
            r.sfn_at_even_frame(),
            Some((514 + 2 * i + even_index) as u16)
        );
        assert_eq!(
            u32::from(r.nsss.frame_mod8),
            (514 + 2 * i as u32 + even_index as u32) % 8
        );
    }
}

#[test]
fn low_snr_detection() {
    // −6 dB in-band SNR, 8 frames (80 ms) of signal, random offsets within ±50 kHz
    let mut searcher = CellSearcher::new(NpssSearchConfig::default(), 9 * SAMPLES_PER_FRAME);
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    let trials = 10;
    let mut found = 0;
    for t in 0..trials {
        let offset: f64 = rng.random_range(-50e3..50e3);
        let cell: u16 = rng.random_range(0..504);
        let delay: usize = rng.random_range(0..SAMPLES_PER_FRAME);
        let sig = make_signal(
            cell,
            2 * t,
            8,
            delay,
            offset,
            -600.0,
            -6.0,
            1000 + u64::from(t),
        );
        let res = searcher.search(&sig);
        println!("trial {t}: cell {cell} delay {delay} offset {offset:.0}: {res:?}");
        if let Ok(r) = res {
            let timing_err = r.npss.frame_start as i64 - (delay % SAMPLES_PER_FRAME) as i64;
            if r.nsss.cell.get() == cell && timing_err.abs() <= 2 {
                // true offset at mid-buffer: offset − 600 Hz/s × 40 ms
                assert!(
                    (r.npss.offset_hz - (offset - 24.0)).abs() < 60.0,
                    "{}",
                    r.npss.offset_hz
                );
                found += 1;
            }
        }
    }
    assert!(found >= 9, "{found}/{trials} acquisitions at −6 dB");
}

#[test]
fn noise_and_garbage_find_no_cell() {
    let mut searcher = CellSearcher::new(NpssSearchConfig::default(), 3 * SAMPLES_PER_FRAME);
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let noise: Vec<Complex32> = (0..3 * SAMPLES_PER_FRAME)
        .map(|_| Complex32::new(gauss(&mut rng), gauss(&mut rng)))
        .collect();
    assert!(searcher.search(&noise).is_err());
    let zeros = vec![Complex32::default(); 3 * SAMPLES_PER_FRAME];
    assert!(searcher.search(&zeros).is_err());
    let mut nan = noise.clone();
    nan[777] = Complex32::new(f32::NAN, 1.0);
    assert!(searcher.search(&nan).is_err());
    assert!(searcher.search(&noise[..1000]).is_err());
    let long = vec![Complex32::default(); 4 * SAMPLES_PER_FRAME];
    assert!(searcher.search(&long).is_err());
}

#[test]
fn two_port_cell_through_one_antenna() {
    // ports 2000/2001 through different flat gains onto one receive antenna, +21.3 kHz offset
    let mib = MibNb {
        sfn_msb4: 0,
        hsfn_lsb2: 0,
        scheduling_info_sib1: 7,
        system_info_value_tag: 2,
        ab_enabled: true,
        operation_mode: OperationMode::Guardband(8),
        trailing11: 0,
    };
    let cell = NcellId::new(257).expect("id");
    let mut tx = NbiotCellTx::new(cell, NrsPorts::Two, mib);
    let gains = [
        Complex32::from_polar(0.9, 0.4),
        Complex32::from_polar(0.6, 2.5),
    ];
    let mut frame = vec![Complex32::default(); 2 * SAMPLES_PER_FRAME];
    let mut sig = vec![Complex32::default(); 4321];
    for n_f in 446..449 {
        tx.fill_frame(1, n_f, &mut frame);
        let (p0, p1) = frame.split_at(SAMPLES_PER_FRAME);
        sig.extend(p0.iter().zip(p1).map(|(a, b)| a * gains[0] + b * gains[1]));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    for (n, v) in sig.iter_mut().enumerate() {
        let ph = 2.0 * std::f64::consts::PI * 21.3e3 * n as f64 / NBIOT_SAMPLE_RATE_HZ;
        *v = *v * Complex32::new(ph.cos() as f32, ph.sin() as f32)
            + Complex32::new(gauss(&mut rng), gauss(&mut rng)) * 2.0;
    }
    let mut searcher = CellSearcher::new(NpssSearchConfig::default(), sig.len());
    let r = searcher.search(&sig).expect("cell found");
    assert_eq!(r.nsss.cell, cell);
    assert!((r.npss.offset_hz - 21.3e3).abs() < 50.0);
    let (_, d) = r.mib.expect("MIB-NB decoded");
    assert_eq!(d.ports, NrsPorts::Two);
    assert_eq!(d.mib.operation_mode, OperationMode::Guardband(8));
    assert_eq!(d.mib.hsfn_lsb2, 1);
    assert_eq!(r.sfn_at_even_frame(), Some(446));
}

#[test]
fn nrs_tracking_follows_drifting_offset() {
    use ntn_phy::grid::ResourceGrid;
    use ntn_phy::nbiot::chest::NrsChannelEstimator;
    use ntn_phy::nbiot::tracking::NrsFrequencyTracker;
    use ntn_phy::ofdm::{NbiotOfdm, SAMPLES_PER_SUBFRAME, useful_start};
    // residual offset 150 Hz drifting at +600 Hz/s (LEO Doppler rate), 5 dB, 300 ms
    let (offset, rate) = (150.0f64, 600.0f64);
    let frames = 30;
    let sig = make_signal(12, 100, frames, 0, offset, rate, 5.0, 4);
    let cell = NcellId::new(12).expect("id");
    let mut ofdm = NbiotOfdm::new();
    let mut grid = ResourceGrid::nbiot_subframe();
    let mut chest = NrsChannelEstimator::new();
    let mut tracker = NrsFrequencyTracker::new(80);
    let mut last = None;
    let mut t_last = 0.0;
    for f in 0..frames {
        for sf in [0usize, 1, 2, 3, 4, 6, 7, 8] {
            let s = f * SAMPLES_PER_FRAME + sf * SAMPLES_PER_SUBFRAME;
            ofdm.demodulate_subframe(&sig[s..s + SAMPLES_PER_SUBFRAME], &mut grid)
                .expect("finite");
            let est = chest
                .estimate(&grid, cell, sf as u32, NrsPorts::One)
                .expect("NRS");
            let t_s = (s + useful_start(9) + 64) as f64 / NBIOT_SAMPLE_RATE_HZ;
            last = tracker.update(t_s, est.amplitude(0)).expect("measurement");
            t_last = t_s;
        }
    }
    let e = last.expect("estimate");
    let truth = offset + rate * t_last;
    println!("tracker {e:?}, truth {truth:.1} Hz");
    assert!(
        (e.offset_hz - truth).abs() < 10.0,
        "offset {} vs {truth}",
        e.offset_hz
    );
    assert!(
        (e.drift_hz_per_s - rate).abs() < 150.0,
        "drift {}",
        e.drift_hz_per_s
    );
}

/// A recording read block by block (`ntn nbiot scan`) gets the same samples and the same
/// search result as one held whole: offset removal per block with the block's first index,
/// the search in place in the caller's buffer, and a searcher reused after a longer buffer.
#[test]
fn block_wise_and_in_place_forms_match_the_whole_buffer() {
    let sig = make_signal(101, 40, 30, 777, 12_345.0, 0.0, 5.0, 9);
    let mut whole = sig.clone();
    remove_offset(&mut whole, 3_210.0);
    let mut blocks = sig.clone();
    for (k, b) in blocks.chunks_mut(1000).enumerate() {
        remove_offset_from(b, 3_210.0, (k * 1000) as u64);
    }
    assert_eq!(whole, blocks);

    let short = &sig[..12 * SAMPLES_PER_FRAME];
    let fresh = |s: &[Complex32]| {
        CellSearcher::new(NpssSearchConfig::default(), s.len())
            .search(s)
            .expect("cell")
    };
    let expect = format!("{:?}", fresh(short));
    let mut own = short.to_vec();
    let in_place = CellSearcher::new(NpssSearchConfig::default(), own.len())
        .search_in_place(&mut own)
        .expect("cell");
    assert_eq!(format!("{in_place:?}"), expect);
    let mut reused = CellSearcher::new(NpssSearchConfig::default(), sig.len());
    reused.search(&sig).expect("cell");
    assert_eq!(format!("{:?}", reused.search(short).expect("cell")), expect);
}
