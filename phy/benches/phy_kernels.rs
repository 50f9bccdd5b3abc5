//! Criterion benches of the PHY kernels. The acquisition and steady-state receive benches are
//! measured in thread CPU time (`ntn-benchutil`), so their one-core figures hold on a machine
//! busy with other work; the short kernel benches use wall time (the CPU clock is too coarse
//! for microsecond iterations).
//!
//! Real-time budgets (one core): NB-IoT DL is 1920 samples per 1 ms subframe, so subframe
//! OFDM demodulation must take well under 1 ms (the steady-state receive target of issue 4 is
//! ≥ 50× real time, i.e. ≤ 20 µs per subframe for the whole chain); an NPDSCH TBCC decode of
//! 704 bits (680 TBS + 24 CRC) happens at most once per subframe. The steady-state bench runs
//! a whole frame of the receive chain (demodulation, NRS estimation and tracking, NPDCCH search,
//! NPDSCH decode).

use criterion::{Criterion, criterion_group, criterion_main};
use ntn_benchutil::CpuTime;
use ntn_phy::Complex32;
use ntn_phy::grid::ResourceGrid;
use ntn_phy::ofdm::NbiotOfdm;
use ntn_phy::tbcc::{TbccDecoder, tbcc_encode};
use std::hint::black_box;

fn ofdm_demod(c: &mut Criterion) {
    let mut ofdm = NbiotOfdm::new();
    let mut grid = ResourceGrid::nbiot_subframe();
    for l in 0..14 {
        for k in 0..12 {
            grid.set(k, l, Complex32::new((k as f32).cos(), (l as f32).sin()));
        }
    }
    let mut sf = vec![Complex32::default(); 1920];
    ofdm.modulate_subframe(&grid, &mut sf);
    c.bench_function("nbiot_ofdm_demodulate_subframe (budget 1 ms)", |b| {
        b.iter(|| ofdm.demodulate_subframe(black_box(&sf), &mut grid))
    });
}

fn viterbi(c: &mut Criterion) {
    for d in [50usize, 704] {
        let msg: Vec<u8> = (0..d).map(|i| ((i * 13 + i / 7) % 2) as u8).collect();
        let mut enc = vec![0u8; 3 * d];
        tbcc_encode(&msg, &mut enc);
        let llr: Vec<f32> = enc
            .iter()
            .map(|&b| if b == 0 { 1.5 } else { -1.5 })
            .collect();
        let mut dec = TbccDecoder::new(d);
        let mut out = vec![0u8; d];
        c.bench_function(&format!("tbcc_viterbi_decode D={d} (budget 1 ms)"), |b| {
            b.iter(|| dec.decode(black_box(&llr), &mut out))
        });
    }
}

/// Cold acquisition over ±55 kHz on 80 ms (+ one NPSS span) of a clean signal at a +37 kHz
/// offset: NPSS search, fine offset, NSSS, NPBCH. Budget (issue 4): ≤ 80 ms of CPU.
fn cold_acquisition(c: &mut Criterion<CpuTime>) {
    use ntn_phy::nbiot::cell::{NbiotCellTx, SAMPLES_PER_FRAME};
    use ntn_phy::nbiot::npbch::{MibNb, OperationMode};
    use ntn_phy::nbiot::search::{CellSearcher, NpssSearchConfig};
    use ntn_phy::nbiot::{NcellId, NrsPorts};
    let mib = MibNb {
        sfn_msb4: 0,
        hsfn_lsb2: 0,
        scheduling_info_sib1: 2,
        system_info_value_tag: 1,
        ab_enabled: false,
        operation_mode: OperationMode::Standalone(0),
        trailing11: 0,
    };
    let Ok(cell) = NcellId::new(211) else { return };
    let mut tx = NbiotCellTx::new(cell, NrsPorts::One, mib);
    let mut sig = vec![Complex32::default(); 777];
    let mut frame = vec![Complex32::default(); SAMPLES_PER_FRAME];
    for n_f in 40..49 {
        tx.fill_frame(0, n_f, &mut frame);
        sig.extend_from_slice(&frame);
    }
    sig.truncate(8 * SAMPLES_PER_FRAME + 2000);
    for (n, v) in sig.iter_mut().enumerate() {
        let ph = 2.0 * std::f64::consts::PI * 37e3 * n as f64 / 1.92e6;
        *v *= Complex32::new(ph.cos() as f32, ph.sin() as f32);
    }
    let mut searcher = CellSearcher::new(NpssSearchConfig::default(), sig.len());
    c.bench_function("nbiot_cold_acquisition_80ms_pm55khz (budget 80 ms)", |b| {
        b.iter(|| searcher.search(black_box(&sig)))
    });
}

/// Builds one 10-subframe frame of received grids: NPDCCH (DCI N1, USS R_max 1, both NCCEs) in
/// subframe 1 and an NPDSCH of 680 bits (I_TBS 12, I_SF 2) in subframes 2, 3, 4, at 10 dB.
fn steady_state_frame() -> (
    Vec<Vec<Complex32>>,
    ntn_phy::nbiot::npdsch::NpdschConfig,
    Vec<ntn_phy::nbiot::npdsch::SubframeIndex>,
) {
    use ntn_phy::nbiot::NrsPorts;
    use ntn_phy::nbiot::npdcch::NpdcchCandidate;
    use ntn_phy::nbiot::npdsch::{NpdschConfig, NpdschEncoder, SubframeIndex};
    use ntn_phy::nbiot::nrs::nrs_map;
    use ntn_phy::nbiot::search_space::{NpdcchCell, NpdcchRepetitionEncoder};
    let Ok(cell) = ntn_phy::nbiot::NcellId::new(77) else {
        return (Vec::new(), unreachable_cfg(), Vec::new());
    };
    let cfg = NpdschConfig {
        cell,
        ports: NrsPorts::One,
        rnti: 0x1234,
        bcch: false,
        tbs_bits: 680,
        n_sf: 3,
        n_rep: 1,
        data_start_symbol: 0,
    };
    let mut ofdm = NbiotOfdm::new();
    let mut samples = Vec::new();
    let subs: Vec<SubframeIndex> = (2..5)
        .filter_map(|s| SubframeIndex::new(100, s).ok())
        .collect();
    let mut enc = NpdschEncoder::new(cfg).ok();
    let tb: Vec<u8> = (0..680).map(|i| ((i * 7) % 3 == 0) as u8).collect();
    if let Some(e) = enc.as_mut() {
        let _ = e.encode(&tb);
    }
    let dci: Vec<u8> = (0..23).map(|i| (i % 5 == 0) as u8).collect();
    let ncell = NpdcchCell {
        cell,
        ports: NrsPorts::One,
        start_symbol: 0,
    };
    let mut denc = NpdcchRepetitionEncoder::new(ncell, NpdcchCandidate::Both, &dci, 0x1234).ok();
    let sigma = (128.0f32 / 10.0 / 2.0).sqrt();
    let mut state = 1u32;
    let mut noise = || {
        // small LCG: benches need no statistical quality
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        ((state >> 8) as f32 / (1u32 << 24) as f32 - 0.5) * 2.0 * 1.7
    };
    for sf in 0..10u32 {
        let mut g = vec![ResourceGrid::nbiot_subframe()];
        if sf == 1
            && let Some(d) = denc.as_mut()
        {
            let _ = d.map(ntn_phy::nbiot::npdcch::npdcch_c_init(cell, 1), &mut g);
        }
        if (2..5).contains(&sf)
            && let Some(e) = enc.as_mut()
        {
            let (seg, c) = cfg.segment(&subs, (sf - 2) as usize).unwrap_or((0, 0));
            let _ = e.map_segment(seg, c, &mut g);
        }
        nrs_map(&mut g[0], cell, sf, 0);
        let mut out = vec![Complex32::default(); 1920];
        ofdm.modulate_subframe(&g[0], &mut out);
        for v in out.iter_mut() {
            *v += Complex32::new(noise(), noise()) * sigma;
        }
        samples.push(out);
    }
    (samples, cfg, subs)
}

fn unreachable_cfg() -> ntn_phy::nbiot::npdsch::NpdschConfig {
    // cell 0 is valid; only used if NcellId::new(77) failed, which it cannot
    ntn_phy::nbiot::npdsch::NpdschConfig {
        cell: ntn_phy::nbiot::NcellId::new(0).unwrap_or_else(|_| unreachable!()),
        ports: ntn_phy::nbiot::NrsPorts::One,
        rnti: 0,
        bcch: false,
        tbs_bits: 16,
        n_sf: 1,
        n_rep: 1,
        data_start_symbol: 0,
    }
}

/// Steady-state receive of one 10 ms frame: OFDM demodulation, NRS channel estimation and
/// carrier tracking in every subframe, NPDCCH search (USS R_max 1) in subframe 1, NPDSCH of
/// 680 bits over subframes 2–4 (accumulate + Viterbi + CRC). Budget (issue 4): ≥ 50× real
/// time, i.e. ≤ 200 µs per 10 ms frame on one core.
fn steady_state_receive(c: &mut Criterion<CpuTime>) {
    use ntn_phy::nbiot::NrsPorts;
    use ntn_phy::nbiot::chest::NrsChannelEstimator;
    use ntn_phy::nbiot::npdsch::{NpdschDecoder, SubframeIndex};
    use ntn_phy::nbiot::search_space::{
        NpdcchCell, NpdcchSearcher, SearchSpaceConfig, SearchSpaceKind,
    };
    use ntn_phy::nbiot::tracking::NrsFrequencyTracker;
    let (frame, cfg, subs) = steady_state_frame();
    if frame.is_empty() {
        return;
    }
    let Ok(space) = SearchSpaceConfig::new(SearchSpaceKind::UeSpecific, 1, 4.0, 0.0) else {
        return;
    };
    let mut ofdm = NbiotOfdm::new();
    let mut chest = NrsChannelEstimator::new();
    let mut tracker = NrsFrequencyTracker::new(40);
    let mut searcher = NpdcchSearcher::new().with_repetition_field(21, 2);
    let mut dec = NpdschDecoder::new();
    let mut grids = vec![ResourceGrid::nbiot_subframe(); 10];
    let ncell = NpdcchCell {
        cell: cfg.cell,
        ports: NrsPorts::One,
        start_symbol: 0,
    };
    let mut t_s = 0.0f64;
    let Ok(k0) = SubframeIndex::new(100, 1) else {
        return;
    };
    c.bench_function(
        "nbiot_steady_state_receive_100_frames (1 s of signal; budget 20 ms CPU = 50x real time)",
        |b| {
            b.iter(|| {
                for _ in 0..100 {
                    for (sf, s) in frame.iter().enumerate() {
                        let _ = ofdm.demodulate_subframe(s, &mut grids[sf]);
                        if let Ok(e) =
                            chest.estimate(&grids[sf], cfg.cell, sf as u32, NrsPorts::One)
                        {
                            t_s += 1e-3;
                            let _ = tracker.update(t_s, e.amplitude(0));
                        }
                    }
                    let g1 = &grids[1];
                    let lookup = |x: SubframeIndex| (x == k0).then_some(g1);
                    let dci = searcher.search(&space, k0, None, ncell, 0x1234, 23, &lookup);
                    let _ = dec.start(&cfg);
                    for (j, sf) in subs.iter().enumerate() {
                        if let Ok((seg, c_init)) = cfg.segment(&subs, j) {
                            let _ = dec.accumulate(
                                &grids[sf.subframe as usize],
                                sf.subframe,
                                seg,
                                c_init,
                            );
                        }
                    }
                    black_box((dci.is_ok(), dec.decode().is_ok()));
                }
            })
        },
    );
}

/// 100 Viterbi decodes of 704 bits (an NPDSCH of 680 bits) in CPU time.
fn viterbi_cpu(c: &mut Criterion<CpuTime>) {
    let d = 704;
    let msg: Vec<u8> = (0..d).map(|i| ((i * 13 + i / 7) % 2) as u8).collect();
    let mut enc = vec![0u8; 3 * d];
    tbcc_encode(&msg, &mut enc);
    let llr: Vec<f32> = enc
        .iter()
        .map(|&b| if b == 0 { 1.5 } else { -1.5 })
        .collect();
    let mut out = vec![0u8; d];
    // the run-time-selected kernel (AVX2 where present), then the portable scalar oracle
    for (name, mut dec) in [
        ("tbcc_viterbi_decode_704_x100 (CPU)", TbccDecoder::new(d)),
        (
            "tbcc_viterbi_decode_704_x100 scalar kernel (CPU)",
            TbccDecoder::new(d).scalar(),
        ),
    ] {
        c.bench_function(name, |b| {
            b.iter(|| {
                for _ in 0..100 {
                    let _ = dec.decode(black_box(&llr), &mut out);
                }
            })
        });
    }
}

criterion_group!(wall, ofdm_demod, viterbi);
criterion_group! {
    name = one_core;
    config = Criterion::default().with_measurement(CpuTime);
    targets = viterbi_cpu, cold_acquisition, steady_state_receive
}
criterion_main!(wall, one_core);
