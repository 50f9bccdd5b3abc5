//! NPUSCH round trips: our transmitter → (residual timing and frequency offset, noise) → our
//! cell-side receiver, bit-exact at high SNR for every format, subcarrier spacing, tone
//! count, modulation, resource-unit count and repetition count.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_phy::Complex32;
use ntn_phy::nbiot::ul::npusch::{
    DmrsConfig, NpuschConfig, NpuschTx, UlModulation, UlSlot, UlSpacing,
};
use ntn_phy::nbiot::ul::npusch_rx::{NpuschRx, NpuschRxConfig};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The five (spacing, tones, modulation) shapes of format 1 plus the single-tone QPSK ones.
const SHAPES: [(UlSpacing, usize, UlModulation); 7] = [
    (UlSpacing::Khz3_75, 1, UlModulation::Pi2Bpsk),
    (UlSpacing::Khz3_75, 1, UlModulation::Pi4Qpsk),
    (UlSpacing::Khz15, 1, UlModulation::Pi2Bpsk),
    (UlSpacing::Khz15, 1, UlModulation::Pi4Qpsk),
    (UlSpacing::Khz15, 3, UlModulation::Qpsk),
    (UlSpacing::Khz15, 6, UlModulation::Qpsk),
    (UlSpacing::Khz15, 12, UlModulation::Qpsk),
];

/// Largest `I_TBS` a modulation carries (36.213 Table 16.5.1.2-1).
fn max_i_tbs(m: UlModulation) -> u8 {
    match m {
        UlModulation::Pi2Bpsk => 2,
        UlModulation::Pi4Qpsk => 10,
        // 13 would give code rate 1.0 at I_RU 3 (1128 + 24 bits into 4 × 288): not decodable.
        UlModulation::Qpsk => 12,
    }
}

struct Channel {
    /// Delay in samples (integer + fraction, positive = late).
    delay: f64,
    freq_hz: f64,
    snr_db: f64,
}

/// Fast Gaussian pairs for long noise buffers (the rand crates are not optimised in debug
/// test builds): xorshift64* uniforms through Box–Muller.
struct Noise(u64);

impl Noise {
    fn uniform(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        ((x >> 40) as f32 + 0.5) / (1u64 << 24) as f32
    }

    fn pair(&mut self) -> (f32, f32) {
        let r = (-2.0 * self.uniform().ln()).sqrt();
        let (s, c) = (2.0 * std::f32::consts::PI * self.uniform()).sin_cos();
        (r * c, r * s)
    }
}

/// Passes the prepared transmitter's waveform through the channel into a receiver buffer.
fn channel(
    tx: &NpuschTx,
    rx: &NpuschRx,
    margin: usize,
    ch: &Channel,
    rng: &mut ChaCha8Rng,
) -> Vec<Complex32> {
    let p = tx.params();
    let whole = ch.delay.round();
    let frac = (ch.delay - whole) / 1.92e6;
    let mut wave = vec![Complex32::default(); p.total_samples()];
    tx.transmit(frac, ch.freq_hz, &mut wave).unwrap();
    let mut buf = vec![Complex32::default(); rx.input_len()];
    let off = margin as i64 + whole as i64;
    for (n, w) in wave.iter().enumerate() {
        let i = off + n as i64;
        if i >= 0 && (i as usize) < buf.len() {
            buf[i as usize] = *w;
        }
    }
    let n_fft = p.cfg.spacing.numerology().n() as f64;
    let sigma = (n_fft / 10f64.powf(ch.snr_db / 10.0) / 2.0).sqrt() as f32;
    let mut noise = Noise(rng.random::<u64>() | 1);
    for b in &mut buf {
        let (x, y) = noise.pair();
        *b += Complex32::new(x * sigma, y * sigma);
    }
    buf
}

fn round_trip_data(cfg: NpuschConfig, ch: &Channel, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut tx = NpuschTx::new(cfg).unwrap();
    let opts = NpuschRxConfig::default();
    let mut rx = NpuschRx::new(cfg, opts).unwrap();
    let tbs = tx.params().tbs;
    let tb: Vec<u8> = (0..tbs).map(|_| rng.random_range(0..2u8)).collect();
    let start = UlSlot {
        frame: rng.random_range(0..1024),
        slot: 0,
    };
    tx.encode_data(&tb, start).unwrap();
    let buf = channel(&tx, &rx, opts.margin_samples, ch, &mut rng);
    let mut out = vec![0u8; tbs];
    let rep = rx.receive_data(&buf, start, &mut out).unwrap();
    assert!(rep.crc_ok, "CRC failed for {cfg:?}: {rep:?}");
    assert_eq!(out, tb, "{cfg:?}");
    // Residual frequency reported within 20 Hz at this SNR.
    assert!(
        (rep.freq_offset_hz - ch.freq_hz).abs() < 20.0,
        "freq {} vs {} for {cfg:?}",
        rep.freq_offset_hz,
        ch.freq_hz
    );
    if cfg.n_sc > 1 {
        let t = rep.timing_offset_s.unwrap() * 1.92e6;
        // One sample = 0.52 µs; three tones give two phase differences per slot.
        assert!(
            (t - ch.delay).abs() < 1.0,
            "timing {t} vs {} for {cfg:?}",
            ch.delay
        );
    } else {
        assert!(rep.timing_offset_s.is_none());
    }
}

fn clean() -> Channel {
    Channel {
        delay: 0.0,
        freq_hz: 0.0,
        snr_db: 30.0,
    }
}

fn offset(spacing: UlSpacing) -> Channel {
    // A few samples late plus a fraction, a few hundred Hz (at 3.75 kHz beyond the ±250 Hz
    // slot-to-slot range: the single-tone coarse estimate resolves the alias).
    Channel {
        delay: 2.4,
        freq_hz: if spacing == UlSpacing::Khz3_75 {
            -340.0
        } else {
            320.0
        },
        snr_db: 25.0,
    }
}

#[test]
fn every_shape_and_resource_unit_count_round_trips() {
    for (s, &(spacing, n_sc, m)) in SHAPES.iter().enumerate() {
        for i_ru in 0..8u8 {
            let i_tbs = max_i_tbs(m);
            let cfg = NpuschConfig::data(spacing, n_sc, m, i_tbs, i_ru, 1);
            round_trip_data(cfg, &clean(), 100 + s as u64 * 10 + u64::from(i_ru));
        }
    }
}

#[test]
fn every_shape_and_repetition_count_round_trips_with_offsets() {
    for (s, &(spacing, n_sc, m)) in SHAPES.iter().enumerate() {
        for (r, reps) in [1usize, 2, 4, 8, 16, 32, 64, 128].into_iter().enumerate() {
            let cfg = NpuschConfig::data(spacing, n_sc, m, max_i_tbs(m).min(5), 0, reps);
            round_trip_data(cfg, &offset(spacing), 1000 + s as u64 * 10 + r as u64);
        }
    }
}

#[test]
fn mixed_resource_units_repetitions_hopping_and_allocations() {
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    for case in 0..24u64 {
        let &(spacing, n_sc, m) = &SHAPES[case as usize % SHAPES.len()];
        let slots = spacing.n_sc_ul() / n_sc;
        let mut cfg = NpuschConfig::data(
            spacing,
            n_sc,
            m,
            rng.random_range(0..=max_i_tbs(m)),
            rng.random_range(0..4),
            [2usize, 4, 8][case as usize % 3],
        );
        if m == UlModulation::Pi2Bpsk {
            cfg.i_tbs = 2 * (cfg.i_tbs / 2);
        }
        cfg.first_subcarrier = rng.random_range(0..slots) * n_sc;
        cfg.n_id = rng.random_range(0..504);
        cfg.rnti = rng.random();
        cfg.dmrs = DmrsConfig {
            group_hopping: case % 2 == 0,
            delta_ss: rng.random_range(0..30),
            base_sequence: None,
            cyclic_shift: match n_sc {
                3 => rng.random_range(0..3),
                6 => rng.random_range(0..4),
                _ => 0,
            },
        };
        round_trip_data(cfg, &offset(spacing), 5000 + case);
    }
}

#[test]
fn format2_ack_and_nack_round_trip() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for spacing in [UlSpacing::Khz3_75, UlSpacing::Khz15] {
        for reps in [1usize, 2, 4, 8, 16, 32, 64, 128] {
            for ack in [false, true] {
                let mut cfg =
                    NpuschConfig::ack(spacing, rng.random_range(0..spacing.n_sc_ul()), reps);
                cfg.n_id = rng.random_range(0..504);
                let mut tx = NpuschTx::new(cfg).unwrap();
                let mut rx = NpuschRx::new(cfg, NpuschRxConfig::default()).unwrap();
                let start = UlSlot { frame: 3, slot: 1 };
                tx.encode_ack(ack, start).unwrap();
                let ch = Channel {
                    snr_db: 15.0,
                    ..offset(spacing)
                };
                let buf = channel(&tx, &rx, 16, &ch, &mut rng);
                let rep = rx.receive_ack(&buf, start).unwrap();
                assert_eq!(rep.ack, Some(ack), "{cfg:?} {rep:?}");
                assert!((rep.freq_offset_hz - ch.freq_hz).abs() < 50.0, "{rep:?}");
            }
        }
    }
}

#[test]
fn timing_advance_moves_the_buffer_start() {
    let cfg = NpuschConfig::data(UlSpacing::Khz15, 12, UlModulation::Qpsk, 3, 0, 1);
    let mut tx = NpuschTx::new(cfg).unwrap();
    tx.encode_data(&vec![1u8; tx.params().tbs], UlSlot::default())
        .unwrap();
    let mut a = vec![Complex32::default(); tx.params().total_samples()];
    // N_TA = 16·T_A with T_A = 100: 1600 T_s = exactly 100 samples earlier.
    assert_eq!(tx.transmit_with_ta(1600, 0.0, &mut a).unwrap(), -100);
    let mut b = vec![Complex32::default(); tx.params().total_samples()];
    tx.transmit(0.0, 0.0, &mut b).unwrap();
    assert_eq!(a, b);
    // 1608 T_s: 100.5 samples; the half sample is applied to the waveform.
    let whole = tx.transmit_with_ta(1608, 0.0, &mut a).unwrap();
    assert!(whole == -100 || whole == -101);
    assert_ne!(a, b);
}

#[test]
fn receiver_rejects_bad_input_and_survives_noise() {
    let cfg = NpuschConfig::data(UlSpacing::Khz15, 12, UlModulation::Qpsk, 4, 1, 2);
    let mut rx = NpuschRx::new(cfg, NpuschRxConfig::default()).unwrap();
    let tbs = rx.params().tbs;
    let mut out = vec![0u8; tbs];
    let short = vec![Complex32::default(); rx.input_len() - 1];
    assert!(matches!(
        rx.receive_data(&short, UlSlot::default(), &mut out),
        Err(ntn_phy::PhyError::Length { .. })
    ));
    let mut nan = vec![Complex32::default(); rx.input_len()];
    nan[5] = Complex32::new(f32::NAN, 0.0);
    assert!(matches!(
        rx.receive_data(&nan, UlSlot::default(), &mut out),
        Err(ntn_phy::PhyError::NonFinite { .. })
    ));
    // Silence and pure noise decode to a CRC failure, not a panic.
    let zeros = vec![Complex32::default(); rx.input_len()];
    assert!(
        !rx.receive_data(&zeros, UlSlot::default(), &mut out)
            .unwrap()
            .crc_ok
    );
    let mut noise = Noise(12345);
    let junk: Vec<Complex32> = (0..rx.input_len())
        .map(|_| {
            let (a, b) = noise.pair();
            Complex32::new(a, b)
        })
        .collect();
    assert!(
        !rx.receive_data(&junk, UlSlot::default(), &mut out)
            .unwrap()
            .crc_ok
    );
    // Format mismatch is a typed error.
    assert!(rx.receive_ack(&junk, UlSlot::default()).is_err());
    let mut tx = NpuschTx::new(cfg).unwrap();
    assert!(tx.encode_ack(true, UlSlot::default()).is_err());
    assert!(
        tx.encode_data(&vec![0; tbs + 1], UlSlot::default())
            .is_err()
    );
}

/// Residual timing and frequency estimates the NTN layer consumes: error spread over trials at
/// a low SNR (values printed with `--nocapture`).
#[test]
fn offset_estimates_are_accurate_at_low_snr() {
    let cases = [
        // (spacing, tones, modulation, SNR dB per RE, timing rms bound s, frequency rms
        // bound Hz); I_RU 1 = 2 RUs: 4 slots (12 tones), 16 (3 tones), 32 (one tone).
        // Measured (seeded): 0.41 µs / 68 Hz, 1.9 µs / 38 Hz, – / 44 Hz, – / 14 Hz.
        (UlSpacing::Khz15, 12, UlModulation::Qpsk, 0.0, 0.6e-6, 100.0),
        (UlSpacing::Khz15, 3, UlModulation::Qpsk, 0.0, 3.0e-6, 60.0),
        (UlSpacing::Khz15, 1, UlModulation::Pi4Qpsk, 0.0, 0.0, 65.0),
        (UlSpacing::Khz3_75, 1, UlModulation::Pi2Bpsk, 0.0, 0.0, 25.0),
    ];
    for (c, &(spacing, n_sc, m, snr_db, t_std_max, f_std_max)) in cases.iter().enumerate() {
        let cfg = NpuschConfig::data(spacing, n_sc, m, 2, 1, 1);
        let mut tx = NpuschTx::new(cfg).unwrap();
        let mut rx = NpuschRx::new(cfg, NpuschRxConfig::default()).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(77 + c as u64);
        let tb = vec![1u8; tx.params().tbs];
        tx.encode_data(&tb, UlSlot::default()).unwrap();
        let (mut t2, mut f2) = (0.0f64, 0.0f64);
        let trials = 30;
        for _ in 0..trials {
            let ch = Channel {
                delay: rng.random_range(-3.0..3.0),
                freq_hz: rng.random_range(-200.0..200.0),
                snr_db,
            };
            let buf = channel(&tx, &rx, 16, &ch, &mut rng);
            let mut out = vec![0u8; tb.len()];
            let rep = rx.receive_data(&buf, UlSlot::default(), &mut out).unwrap();
            if let Some(t) = rep.timing_offset_s {
                t2 += (t - ch.delay / 1.92e6).powi(2);
            }
            f2 += (rep.freq_offset_hz - ch.freq_hz).powi(2);
        }
        let (t_rms, f_rms) = ((t2 / trials as f64).sqrt(), (f2 / trials as f64).sqrt());
        println!(
            "{spacing:?} {n_sc} tone(s) at {snr_db} dB: timing rms {:.3} us, frequency rms {f_rms:.1} Hz",
            t_rms * 1e6
        );
        if n_sc > 1 {
            assert!(t_rms <= t_std_max, "case {c}: timing rms {t_rms}");
        }
        assert!(f_rms <= f_std_max, "case {c}: frequency rms {f_rms}");
    }
}
