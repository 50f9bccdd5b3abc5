//! NPDSCH loopback: our transmitter → OFDM → AWGN + carrier offset → our receiver, for unicast
//! transport blocks with repetitions (1 and 2 NRS ports) and for SIB1-NB sent by the cell
//! transmitter and found after a full cell search.

use ntn_phy::Complex32;
use ntn_phy::grid::ResourceGrid;
use ntn_phy::nbiot::cell::{NbiotCellTx, SAMPLES_PER_FRAME};
use ntn_phy::nbiot::npbch::{MibNb, OperationMode};
use ntn_phy::nbiot::npdsch::{
    NpdschConfig, NpdschDecoder, NpdschEncoder, SI_RNTI, SIB1_SUBFRAME, Sib1Schedule,
    SubframeIndex, nbiot_dl_subframes, npdsch_c_init_bcch, npdsch_n_rep, npdsch_n_sf, npdsch_tbs,
};
use ntn_phy::nbiot::nrs::nrs_map;
use ntn_phy::nbiot::search::{CellSearcher, NpssSearchConfig, remove_offset};
use ntn_phy::nbiot::{NcellId, NrsPorts};
use ntn_phy::ofdm::{NBIOT_SAMPLE_RATE_HZ, NbiotOfdm, SAMPLES_PER_SUBFRAME};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use ntn_phy::noise::gaussian as gauss;

/// One unicast transmission through the channel; `Ok(true)` if the CRC passed with the sent
/// block.
#[allow(clippy::too_many_arguments)] // scenario knobs
fn unicast(
    ports: NrsPorts,
    i_tbs: u8,
    i_sf: u8,
    i_rep: u8,
    snr_db: f32,
    offset_hz: f64,
    seed: u64,
) -> bool {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let cell = NcellId::new(rng.random_range(0..504)).expect("id");
    let cfg = NpdschConfig {
        cell,
        ports,
        rnti: rng.random_range(1..0xFFF0),
        bcch: false,
        tbs_bits: npdsch_tbs(i_tbs, i_sf).expect("TBS"),
        n_sf: npdsch_n_sf(i_sf).expect("N_SF"),
        n_rep: npdsch_n_rep(i_rep).expect("N_rep"),
        data_start_symbol: 0,
    };
    let tb: Vec<u8> = (0..cfg.tbs_bits)
        .map(|_| rng.random_range(0..2u8))
        .collect();
    let mut enc = NpdschEncoder::new(cfg).expect("config");
    enc.encode(&tb).expect("TBS");
    let mut subs = Vec::new();
    let start = SubframeIndex::new(rng.random_range(0..1024), rng.random_range(0..10)).expect("sf");
    nbiot_dl_subframes(start, cfg.total_subframes(), None, &mut subs);
    let mut dec = NpdschDecoder::new();
    dec.start(&cfg).expect("config");
    let mut ofdm = NbiotOfdm::new();
    let gains = [
        Complex32::from_polar(1.0, rng.random_range(0.0..std::f32::consts::TAU)),
        Complex32::from_polar(0.8, rng.random_range(0.0..std::f32::consts::TAU)),
    ];
    // RE power 1 per port → noise per RE 10^(−SNR/10) → ×128 per time sample
    let sigma = (128.0 / 10f32.powf(snr_db / 10.0) / 2.0).sqrt();
    let mut tmp = vec![Complex32::default(); SAMPLES_PER_SUBFRAME];
    let mut rx = vec![Complex32::default(); SAMPLES_PER_SUBFRAME];
    let mut grid = ResourceGrid::nbiot_subframe();
    let t0 = subs[0].absolute();
    for (j, sf) in subs.iter().enumerate() {
        let mut grids = vec![ResourceGrid::nbiot_subframe(); ports.count()];
        let (seg, c_init) = cfg.segment(&subs, j).expect("segment");
        enc.map_segment(seg, c_init, &mut grids).expect("map");
        rx.fill(Complex32::default());
        for (p, g) in grids.iter_mut().enumerate() {
            nrs_map(g, cell, sf.subframe, p);
            ofdm.modulate_subframe(g, &mut tmp);
            for (r, t) in rx.iter_mut().zip(&tmp) {
                *r += t * gains[p];
            }
        }
        // carrier offset, continuous in time across the subframes
        let n0 = u64::from(sf.absolute().wrapping_sub(t0) % 10240) * SAMPLES_PER_SUBFRAME as u64;
        for (i, r) in rx.iter_mut().enumerate() {
            let ph = 2.0 * std::f64::consts::PI * offset_hz * (n0 + i as u64) as f64
                / NBIOT_SAMPLE_RATE_HZ;
            *r = *r * Complex32::new(ph.cos() as f32, ph.sin() as f32)
                + Complex32::new(gauss(&mut rng), gauss(&mut rng)) * sigma;
        }
        ofdm.demodulate_subframe(&rx, &mut grid).expect("finite");
        dec.accumulate(&grid, sf.subframe, seg, c_init)
            .expect("accumulate");
    }
    match dec.decode() {
        Ok(d) => {
            assert_eq!(d.bits, tb, "a CRC pass must carry the sent block");
            assert_eq!(d.subframes_combined, cfg.total_subframes());
            true
        }
        Err(_) => false,
    }
}

#[test]
fn unicast_loopback_clean_all_sizes_and_ports() {
    for (i, ports) in [NrsPorts::One, NrsPorts::Two].into_iter().enumerate() {
        for (i_tbs, i_sf) in [(0u8, 0u8), (4, 7), (12, 2), (13, 7)] {
            assert!(
                unicast(ports, i_tbs, i_sf, 0, 30.0, 0.0, 100 + i as u64),
                "{ports:?} I_TBS {i_tbs} I_SF {i_sf}"
            );
        }
    }
}

/// 680-bit block over 3 subframes (I_TBS 12, I_SF 2: code rate ≈ 0.73 per transmission, which
/// needs about 6 dB) repeated 16 times (+12 dB), at −3 dB per RE with a 150 Hz residual carrier
/// offset: the repetitions make it.
#[test]
fn unicast_repetitions_at_minus_3_db_with_offset() {
    let mut ok = 0;
    for seed in 0..6 {
        let ports = if seed % 2 == 0 {
            NrsPorts::One
        } else {
            NrsPorts::Two
        };
        if unicast(ports, 12, 2, 4, -3.0, 150.0, seed) {
            ok += 1;
        }
    }
    assert!(ok >= 5, "{ok}/6 decoded");
    // one transmission alone at −3 dB does not decode
    assert!(!unicast(NrsPorts::One, 12, 2, 0, -3.0, 150.0, 9));
}

/// The cell transmitter sends SIB1-NB; the UE acquires the cell at a 2.3 kHz offset with no
/// prior (NPSS, NSSS, MIB-NB), derives the SIB1-NB schedule from the MIB-NB and decodes the
/// eight subframes of one repetition at 0 dB.
#[test]
fn sib1_nb_end_to_end_after_cell_search() {
    let cell = NcellId::new(204).expect("id"); // N_ID mod 4 = 0: 4 repetitions from frame 0
    let mib = MibNb {
        sfn_msb4: 0,
        hsfn_lsb2: 1,
        scheduling_info_sib1: 3, // 4 repetitions, 328 bits
        system_info_value_tag: 7,
        ab_enabled: false,
        operation_mode: OperationMode::Standalone(0),
        trailing11: 0,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let payload: Vec<u8> = (0..328).map(|_| rng.random_range(0..2u8)).collect();
    let mut tx = NbiotCellTx::new(cell, NrsPorts::Two, mib);
    assert!(tx.set_sib1(Some(&payload[..100])).is_err(), "wrong TBS");
    tx.set_sib1(Some(&payload)).expect("payload of the TBS");
    let first_sfn = 64u32; // second repetition: frames 64…78
    let n_frames = 16;
    let mut sig = Vec::with_capacity(n_frames * SAMPLES_PER_FRAME);
    let mut frame = vec![Complex32::default(); 2 * SAMPLES_PER_FRAME];
    for i in 0..n_frames {
        tx.fill_frame(1, first_sfn + i as u32, &mut frame);
        // two ports onto one receive antenna
        sig.extend((0..SAMPLES_PER_FRAME).map(|n| frame[n] + frame[SAMPLES_PER_FRAME + n] * 0.7));
    }
    let offset_hz = 2300.0;
    let sigma = (128.0 / 2.0f32).sqrt(); // 0 dB per RE
    for (n, s) in sig.iter_mut().enumerate() {
        let ph = 2.0 * std::f64::consts::PI * offset_hz * n as f64 / NBIOT_SAMPLE_RATE_HZ;
        *s = *s * Complex32::new(ph.cos() as f32, ph.sin() as f32)
            + Complex32::new(gauss(&mut rng), gauss(&mut rng)) * sigma;
    }
    let search_len = 3 * SAMPLES_PER_FRAME;
    let mut searcher = CellSearcher::new(NpssSearchConfig::default(), search_len);
    let r = searcher.search(&sig[..search_len]).expect("cell found");
    assert_eq!(r.nsss.cell, cell);
    let (_, d) = r.mib.expect("MIB-NB");
    assert_eq!(d.ports, NrsPorts::Two);
    let sfn0 = r.sfn_at_even_frame().expect("SFN");
    assert_eq!(u32::from(sfn0), first_sfn);
    remove_offset(&mut sig, r.npss.offset_hz);
    let sched = Sib1Schedule::new(d.mib.scheduling_info_sib1, cell).expect("schedule");
    let cfg = sched.config(cell, d.ports, 0);
    let mut dec = NpdschDecoder::new();
    dec.start(&cfg).expect("config");
    let mut ofdm = NbiotOfdm::new();
    let mut grid = ResourceGrid::nbiot_subframe();
    for i in 0..n_frames {
        let n_f = u32::from(sfn0) + i as u32;
        let Some(p) = sched.locate(n_f) else { continue };
        let s = r.nsss.even_frame_start + i * SAMPLES_PER_FRAME + SIB1_SUBFRAME as usize * 1920;
        ofdm.demodulate_subframe(&sig[s..s + SAMPLES_PER_SUBFRAME], &mut grid)
            .expect("finite");
        let c_init = npdsch_c_init_bcch(cell, SI_RNTI, p.repetition_first_frame);
        dec.accumulate(&grid, SIB1_SUBFRAME, p.segment, c_init)
            .expect("accumulate");
    }
    assert_eq!(dec.accumulated(), 8);
    let got = dec.decode().expect("SIB1-NB CRC pass");
    assert_eq!(got.bits, payload);
}
