//! Criterion benches of the PHY kernels.
//!
//! Real-time budgets (one core): NB-IoT DL is 1920 samples per 1 ms subframe, so subframe
//! OFDM demodulation must take well under 1 ms (the steady-state receive target of issue 4 is
//! ≥ 50× real time, i.e. ≤ 20 µs per subframe for the whole chain); an NPDSCH TBCC decode of
//! 704 bits (680 TBS + 24 CRC) happens at most once per subframe.

use criterion::{Criterion, criterion_group, criterion_main};
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
fn cold_acquisition(c: &mut Criterion) {
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

criterion_group!(benches, ofdm_demod, viterbi, cold_acquisition);
criterion_main!(benches);
