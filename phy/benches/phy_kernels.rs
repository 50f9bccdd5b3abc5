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

criterion_group!(benches, ofdm_demod, viterbi);
criterion_main!(benches);
