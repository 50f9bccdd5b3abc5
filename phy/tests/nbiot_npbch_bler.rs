//! NPBCH link level: MIB-NB over one 640 ms TTI (64 subframes, soft combined) in AWGN.
//! Issue 4 target: BLER ≤ 10 % at SNR −8 dB (SNR per RE in the 180 kHz carrier).

use ntn_phy::Complex32;
use ntn_phy::grid::ResourceGrid;
use ntn_phy::nbiot::npbch::{MibNb, NpbchDecoder, NpbchEncoder, OperationMode};
use ntn_phy::nbiot::nrs::nrs_map;
use ntn_phy::nbiot::{NcellId, NrsPorts};
use ntn_phy::ofdm::NbiotOfdm;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use ntn_phy::noise::gaussian as gauss;

/// Runs `trials` TTIs at `snr_db`; returns the number of CRC-passing, correct MIB-NBs.
fn run(snr_db: f32, trials: u32, seed: u64) -> u32 {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut ofdm = NbiotOfdm::new();
    let mut dec = NpbchDecoder::new();
    let mut grid = ResourceGrid::nbiot_subframe();
    let mut sf = vec![Complex32::default(); 1920];
    let mut ok = 0;
    for t in 0..trials {
        let cell = NcellId::new(rng.random_range(0..504)).expect("id");
        let mib = MibNb {
            sfn_msb4: (t % 16) as u8,
            hsfn_lsb2: rng.random_range(0..4),
            scheduling_info_sib1: rng.random_range(0..12),
            system_info_value_tag: rng.random_range(0..32),
            ab_enabled: rng.random_bool(0.5),
            operation_mode: OperationMode::Standalone(0),
            trailing11: 0,
        };
        let mut enc = NpbchEncoder::new(cell, NrsPorts::One);
        enc.encode(&mib);
        dec.reset_combining();
        // noise per RE = 10^(−SNR/10) for unit RE power → ×128 per time sample
        let sigma = (128.0 / 10f32.powf(snr_db / 10.0) / 2.0).sqrt();
        let phase0: f32 = rng.random_range(0.0..std::f32::consts::TAU);
        for n_f in 0..64u32 {
            let mut tx = vec![ResourceGrid::nbiot_subframe()];
            enc.map_frame(n_f, &mut tx);
            nrs_map(&mut tx[0], cell, 0, 0);
            ofdm.modulate_subframe(&tx[0], &mut sf);
            // slowly varying carrier phase between frames
            let g = Complex32::from_polar(1.0, phase0 + 0.3 * n_f as f32);
            for v in sf.iter_mut() {
                *v = *v * g + Complex32::new(gauss(&mut rng), gauss(&mut rng)) * sigma;
            }
            ofdm.demodulate_subframe(&sf, &mut grid).expect("finite");
            dec.accumulate(&grid, cell, n_f, (n_f % 8) as u8)
                .expect("accumulate");
        }
        if let Ok(d) = dec.decode_accumulated(cell) {
            assert_eq!(d.mib, mib, "a CRC pass must carry the sent MIB-NB");
            assert_eq!((d.block, d.frame_mod8), (0, Some(0)));
            ok += 1;
        }
    }
    ok
}

#[test]
fn mib_nb_bler_at_minus_8_db_one_tti() {
    let trials = 20;
    let ok = run(-8.0, trials, 8);
    println!(
        "SNR −8 dB: {ok}/{trials} TTIs decoded (BLER {:.2})",
        1.0 - f64::from(ok) / f64::from(trials)
    );
    assert!(ok >= 18, "BLER above 10 %: {ok}/{trials}");
}
