//! The orbit channel against the orbit crate's own geometry over a real LEO pass.
#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

use ntn_orbit::elements::parse_tle;
use ntn_orbit::geometry::{doppler_downlink, downlink_light_time};
use ntn_orbit::passes::PassSearch;
use ntn_orbit::{EarthOrientation, GroundSite, Satellite, UtcTime};
use ntn_sim::channel::propagation::{
    DEFAULT_GRID_STEP, Direction, OrbitPath, OrbitPathConfig, Payload,
};
use ntn_types::Hz;
use num_complex::Complex32;
use rand::{Rng, SeedableRng};

fn iss() -> Satellite {
    let el = parse_tle(
        None,
        "1 25544U 98067A   20194.88612269 -.00002218  00000-0 -31515-4 0  9992",
        "2 25544  51.6461 221.2784 0001413  89.1723 280.4612 15.49507896236008",
        None,
    )
    .unwrap();
    Satellite::new(el).unwrap()
}

fn munich() -> GroundSite {
    GroundSite::from_degrees(48.14, 11.58, 520.0)
}

/// The first pass above 10° with a culmination above 30°: (AOS, LOS).
fn pass(sat: &Satellite) -> (UtcTime, UtcTime) {
    let start: UtcTime = "2020-07-13T00:00:00Z".parse().unwrap();
    let search = PassSearch {
        site: munich(),
        mask_deg: 10.0,
        start,
        end: start.add_secs(2.0 * 86_400.0),
        eop: EarthOrientation::default(),
    };
    let p = search
        .run(sat)
        .passes
        .into_iter()
        .find(|p| p.max_elevation_deg > 30.0)
        .expect("a pass");
    (p.aos, p.los)
}

fn config(sat: &Satellite, origin: UtcTime, fs: f64, f_c: f64) -> OrbitPathConfig {
    OrbitPathConfig {
        satellite: sat.clone(),
        ue: munich(),
        payload: Payload::Regenerative,
        direction: Direction::Downlink,
        carrier: Hz(f_c),
        origin,
        sample_rate: Hz(fs),
        eop: EarthOrientation::default(),
        grid_step: DEFAULT_GRID_STEP,
        dl_reference_point: None,
        interp_half_length: 8,
    }
}

fn wrap(x: f64, period: f64) -> f64 {
    x - period * (x / period).round()
}

/// A carrier through the channel over the whole pass: its instantaneous frequency, measured
/// from the output samples around each second, is the orbit crate's Doppler (moving-source
/// formula with the range rate at emission time t − τ) within 0.5 Hz. The sample rate is low
/// (4 kHz) so the frequency is compared modulo f_s.
#[test]
fn doppler_follows_orbit_over_a_pass() {
    let sat = iss();
    let (aos, los) = pass(&sat);
    let fs = 4000.0;
    let f_c = 2e9;
    let eop = EarthOrientation::default();
    // At 4 kHz the shortest delay (~2 ms) is 8 samples: a 4-tap-half interpolator fits.
    let mut cfg = config(&sat, aos, fs, f_c);
    cfg.interp_half_length = 4;
    let mut path = OrbitPath::new(cfg).unwrap();
    let seconds = los.secs_since(aos).floor() as usize;
    let n_total = seconds * fs as usize;
    let mut y = vec![Complex32::new(1.0, 0.0); n_total];
    for (i, chunk) in y.chunks_mut(4000).enumerate() {
        path.process_in_place((i * 4000) as u64, chunk).unwrap();
    }
    let mut worst: f64 = 0.0;
    let mut checked = 0;
    for s in 1..seconds - 1 {
        let c = s * fs as usize;
        // Mean phase step over ±32 samples: the centre frequency of a (near-linear) chirp.
        let mut acc = Complex32::new(0.0, 0.0);
        for n in c - 32..c + 32 {
            acc += y[n + 1] * y[n].conj();
        }
        // The steps are centred on c + ½ sample.
        let f_meas = (acc.im as f64).atan2(acc.re as f64) * fs / (2.0 * std::f64::consts::PI);
        let t_rx = aos.add_secs((c as f64 + 0.5) / fs);
        let tau = downlink_light_time(&sat, &munich(), t_rx, &eop)
            .unwrap()
            .s();
        let look = munich().look(&sat.state_ecef(t_rx.add_secs(-tau), &eop).unwrap());
        let f_orbit = doppler_downlink(look.range_rate, Hz(f_c)).hz();
        let err = wrap(f_meas - f_orbit, fs).abs();
        worst = worst.max(err);
        checked += 1;
    }
    eprintln!("pass {aos} → {los}: {checked} s checked, worst |Δf| = {worst:.4} Hz");
    assert!(checked > 300);
    assert!(worst < 0.5, "worst {worst} Hz");
}

/// Envelope delay: a 240 kHz tone (f_c = 0, pure delay) fixes τ modulo 1/240 kHz to < 1 ns;
/// an impulse fixes the whole samples. Checked at 8 points of the pass against
/// `downlink_light_time`.
#[test]
fn delay_matches_geometry() {
    let sat = iss();
    let (aos, los) = pass(&sat);
    let fs = 1.92e6;
    let f_b = fs / 8.0;
    let eop = EarthOrientation::default();
    let dur = los.secs_since(aos);
    let mut worst_ns: f64 = 0.0;
    for k in 0..8 {
        let origin = aos.add_secs(dur * k as f64 / 8.0);
        let n = 40_000;
        // Tone.
        let mut path = OrbitPath::new(config(&sat, origin, fs, 0.0)).unwrap();
        let mut y: Vec<Complex32> = (0..n)
            .map(|i| {
                let p = 2.0 * std::f64::consts::PI * f_b * i as f64 / fs;
                Complex32::new(p.cos() as f32, p.sin() as f32)
            })
            .collect();
        path.process_in_place(0, &mut y).unwrap();
        for m in [30_000usize, 39_000] {
            let t_rx = origin.add_secs(m as f64 / fs);
            let tau = downlink_light_time(&sat, &munich(), t_rx, &eop)
                .unwrap()
                .s();
            let p = 2.0 * std::f64::consts::PI * f_b * m as f64 / fs;
            let z = y[m] * Complex32::new(p.cos() as f32, -p.sin() as f32);
            let tau_mod = -(z.im as f64).atan2(z.re as f64) / (2.0 * std::f64::consts::PI * f_b);
            let err = wrap(tau_mod - tau, 1.0 / f_b).abs();
            worst_ns = worst_ns.max(err * 1e9);
        }
        // Impulse at sample 100: the output peaks at 100 + round(τ·f_s).
        let mut path = OrbitPath::new(config(&sat, origin, fs, 0.0)).unwrap();
        let mut y = vec![Complex32::new(0.0, 0.0); 30_000];
        y[100] = Complex32::new(1.0, 0.0);
        path.process_in_place(0, &mut y).unwrap();
        let peak = (0..y.len())
            .max_by(|&a, &b| y[a].norm().total_cmp(&y[b].norm()))
            .unwrap();
        let tau = downlink_light_time(&sat, &munich(), origin.add_secs(peak as f64 / fs), &eop)
            .unwrap()
            .s();
        assert_eq!(peak, 100 + (tau * fs).round() as usize, "point {k}");
    }
    eprintln!("worst delay error {worst_ns:.4} ns");
    assert!(worst_ns < 1.0, "{worst_ns} ns");
}

#[test]
fn block_size_never_changes_the_output() {
    let sat = iss();
    let (aos, _) = pass(&sat);
    let fs = 1.92e6;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let n = 200_000;
    let x: Vec<Complex32> = (0..n)
        .map(|_| Complex32::new(rng.random::<f32>() - 0.5, rng.random::<f32>() - 0.5))
        .collect();
    let mut one = x.clone();
    OrbitPath::new(config(&sat, aos, fs, 2e9))
        .unwrap()
        .process_in_place(0, &mut one)
        .unwrap();
    let mut many = x.clone();
    let mut path = OrbitPath::new(config(&sat, aos, fs, 2e9)).unwrap();
    let mut at = 0;
    while at < n {
        let len = rng.random_range(1..5000).min(n - at);
        path.process_in_place(at as u64, &mut many[at..at + len])
            .unwrap();
        at += len;
    }
    assert!(
        one.iter()
            .zip(&many)
            .all(|(a, b)| a.re.to_bits() == b.re.to_bits() && a.im.to_bits() == b.im.to_bits())
    );
    // And a gap is refused.
    assert!(
        path.process_in_place(at as u64 + 1, &mut many[..10])
            .is_err()
    );
}

#[test]
fn transparent_delay_is_both_hops() {
    let sat = iss();
    let (aos, los) = pass(&sat);
    let mid = aos.add_secs(los.secs_since(aos) / 2.0);
    let gw = GroundSite::from_degrees(47.0, 8.0, 400.0);
    let mut cfg = config(&sat, mid, 1e6, 2e9);
    cfg.payload = Payload::Transparent {
        gateway: gw,
        feeder_carrier: Hz(20e9),
        feeder_doppler_compensation: false,
    };
    let eop = EarthOrientation::default();
    let p = cfg.point(mid).unwrap();
    let st = sat.state_ecef(mid, &eop).unwrap();
    let geo = (munich().look(&st).range.m() + gw.look(&st).range.m()) / 299_792_458.0;
    // Light-time vs instantaneous ranges differ by v·τ/c-level terms: tens of ns.
    assert!((p.delay_s - geo).abs() < 1e-6, "{} vs {}", p.delay_s, geo);
    cfg.payload = Payload::Transparent {
        gateway: gw,
        feeder_carrier: Hz(20e9),
        feeder_doppler_compensation: true,
    };
    let q = cfg.point(mid).unwrap();
    assert_eq!(q.delay_s, p.delay_s);
    // Only the service link's phase is left.
    let ts = downlink_light_time(&sat, &munich(), mid, &eop).unwrap().s();
    assert!((q.phase_cycles - 2e9 * ts).abs() < 1e-6);
}

/// The whole chain (orbit path, gain, TDL-C, AWGN): one block against random blocks.
#[test]
fn whole_channel_block_invariance() {
    use ntn_sim::channel::noise::NoiseConfig;
    use ntn_sim::channel::tdl::{FadingProfile, TdlConfig};
    use ntn_sim::channel::{Channel, ChannelConfig};
    let sat = iss();
    let (aos, _) = pass(&sat);
    let fs = 1.92e6;
    let mut tdl = TdlConfig::new(FadingProfile::TdlC, Hz(fs), 5);
    tdl.max_doppler = Hz(200.0);
    let cfg = ChannelConfig {
        path: Some(config(&sat, aos, fs, 2e9)),
        gain_db: -3.0,
        fading: Some(tdl),
        noise: Some(NoiseConfig {
            snr_db: 5.0,
            signal_power: 1.0,
            snr_bandwidth: Some(Hz(180e3)),
            sample_rate: Hz(fs),
            seed: 6,
        }),
    };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(8);
    let n = 100_000;
    let x: Vec<Complex32> = (0..n)
        .map(|_| Complex32::new(rng.random::<f32>() - 0.5, rng.random::<f32>() - 0.5))
        .collect();
    let mut one = vec![Complex32::new(0.0, 0.0); n];
    Channel::new(cfg.clone())
        .unwrap()
        .process(0, &x, &mut one)
        .unwrap();
    let mut many = vec![Complex32::new(0.0, 0.0); n];
    let mut ch = Channel::new(cfg).unwrap();
    let mut at = 0;
    while at < n {
        let len = rng.random_range(1..3000).min(n - at);
        ch.process(at as u64, &x[at..at + len], &mut many[at..at + len])
            .unwrap();
        at += len;
    }
    assert!(
        one.iter()
            .zip(&many)
            .all(|(a, b)| a.re.to_bits() == b.re.to_bits() && a.im.to_bits() == b.im.to_bits())
    );
}
