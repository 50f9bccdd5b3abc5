//! NB-IoT uplink SC-FDMA at 1.92 Msps (TS 36.211 §10.1.5, §5.6): symbol timing of the two
//! numerologies, waveform synthesis of the allocated tones and per-tone demodulation, and the
//! transform precoding of §10.1.3.4 (DFT of size `N_sc^RU`).
//!
//! A tone `k` (0…`N_sc^UL − 1`) sits at `(k − N_sc^UL/2 + ½)·Δf`; symbol `l` of a slot is
//! `Σ_k a_{k,l}·e^{j2π f_k (t − N_CP,l·T_s)}` over `0 ≤ t < (N_CP,l + N)·T_s` (the cyclic
//! prefix is the continuous extension, which for the half-tone shift is not a copy of the
//! symbol's end). With at most 12 tones the waveform is built and analysed tone by tone from
//! precomputed phasor tables instead of an FFT: any window of `N` samples inside a symbol
//! separates the tones exactly, so the receiver can place its window anywhere in the prefix.

use num_complex::Complex32;

use super::UL_SAMPLE_RATE_HZ;

/// One of the two NB-IoT uplink numerologies at 1.92 Msps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Numerology {
    /// Δf = 3.75 kHz: `N` = 512 samples, prefix 16, 7 symbols then a 144-sample guard in a
    /// 3840-sample (2 ms) slot.
    Khz3_75,
    /// Δf = 15 kHz: `N` = 128 samples, prefix 10 (symbol 0) or 9, 960-sample (0.5 ms) slot.
    Khz15,
}

impl Numerology {
    /// Subcarrier spacing in Hz.
    pub fn spacing_hz(self) -> f64 {
        match self {
            Numerology::Khz3_75 => 3750.0,
            Numerology::Khz15 => 15e3,
        }
    }

    /// `N_sc^UL`.
    pub fn n_sc_ul(self) -> usize {
        match self {
            Numerology::Khz3_75 => 48,
            Numerology::Khz15 => 12,
        }
    }

    /// Useful symbol length in samples.
    pub fn n(self) -> usize {
        match self {
            Numerology::Khz3_75 => 512,
            Numerology::Khz15 => 128,
        }
    }

    /// Useful symbol length `N` in `T_s`.
    pub fn n_ts(self) -> usize {
        16 * self.n()
    }

    /// Cyclic prefix of symbol `l` in samples.
    pub fn cp(self, l: usize) -> usize {
        match (self, l) {
            (Numerology::Khz3_75, _) => 16,
            (Numerology::Khz15, 0) => 10,
            (Numerology::Khz15, _) => 9,
        }
    }

    /// Cyclic prefix `N_CP,l` in `T_s` (Table 10.1.5-1).
    pub fn cp_ts(self, l: usize) -> usize {
        match (self, l) {
            (Numerology::Khz3_75, _) => 256,
            (Numerology::Khz15, 0) => 160,
            (Numerology::Khz15, _) => 144,
        }
    }

    /// First sample of symbol `l` (its prefix) within the slot.
    pub fn symbol_start(self, l: usize) -> usize {
        (0..l).map(|i| self.cp(i) + self.n()).sum()
    }

    /// First sample after the prefix of symbol `l` within the slot.
    pub fn useful_start(self, l: usize) -> usize {
        self.symbol_start(l) + self.cp(l)
    }

    /// Samples per slot.
    pub fn slot_samples(self) -> usize {
        match self {
            Numerology::Khz3_75 => 3840,
            Numerology::Khz15 => 960,
        }
    }

    /// Baseband frequency of tone `k` (0…`N_sc^UL − 1`), Hz.
    pub fn tone_hz(self, k: usize) -> f64 {
        (k as f64 - (self.n_sc_ul() / 2) as f64 + 0.5) * self.spacing_hz()
    }
}

/// Extra table entries on each side of `[−CP, N)`, covering a window moved by a few samples.
const TABLE_MARGIN: usize = 24;

/// Per-tone phasor tables `e^{j2π f_k m/f_s}` for `m ∈ [−CP_max − M, N + M)`.
#[derive(Debug, Clone)]
struct ToneTables {
    num: Numerology,
    freqs_hz: Vec<f64>,
    tables: Vec<Vec<Complex32>>,
    m0: usize,
}

impl ToneTables {
    fn new(num: Numerology, first: usize, n_sc: usize) -> Self {
        let m0 = num.cp(0) + TABLE_MARGIN;
        let len = m0 + num.n() + TABLE_MARGIN;
        let freqs_hz: Vec<f64> = (first..first + n_sc).map(|k| num.tone_hz(k)).collect();
        let tables = freqs_hz
            .iter()
            .map(|&f| {
                (0..len)
                    .map(|i| {
                        let m = i as f64 - m0 as f64;
                        let ph = 2.0 * std::f64::consts::PI * f * m / UL_SAMPLE_RATE_HZ;
                        Complex32::new(ph.cos() as f32, ph.sin() as f32)
                    })
                    .collect()
            })
            .collect();
        ToneTables {
            num,
            freqs_hz,
            tables,
            m0,
        }
    }
}

/// SC-FDMA synthesis of a block of slots on the allocated tones.
#[derive(Debug, Clone)]
pub struct UlSynth {
    t: ToneTables,
}

impl UlSynth {
    /// Plans synthesis of tones `first … first + n_sc − 1`.
    pub fn new(num: Numerology, first: usize, n_sc: usize) -> Self {
        UlSynth {
            t: ToneTables::new(num, first, n_sc),
        }
    }

    /// Writes `slots` slots of resource elements `res` (slot-major, 7 symbols × `n_sc` tones
    /// per slot) into `out` (already zeroed, ≥ `slots` slots long), delayed by `delay_s`
    /// (|delay| ≤ 1 sample) and shifted by `freq_offset_hz`.
    pub fn synthesize(
        &self,
        res: &[Complex32],
        slots: usize,
        delay_s: f64,
        freq_offset_hz: f64,
        out: &mut [Complex32],
    ) {
        let num = self.t.num;
        let n_sc = self.t.freqs_hz.len();
        let fs = UL_SAMPLE_RATE_HZ;
        let d = delay_s * fs;
        // e^{−j2π f_k τ} per tone.
        let delay_rot: Vec<Complex32> = self
            .t
            .freqs_hz
            .iter()
            .map(|&f| {
                let ph = -2.0 * std::f64::consts::PI * f * delay_s;
                Complex32::new(ph.cos() as f32, ph.sin() as f32)
            })
            .collect();
        let mut a = vec![Complex32::default(); n_sc];
        let n_out = out.len() as i64;
        for j in 0..slots {
            let base = (j * num.slot_samples()) as i64;
            for l in 0..7 {
                let row = &res[(j * 7 + l) * n_sc..(j * 7 + l + 1) * n_sc];
                for ((ak, r), rot) in a.iter_mut().zip(row).zip(&delay_rot) {
                    *ak = r * rot;
                }
                let start = base as f64 + num.symbol_start(l) as f64 + d;
                let end = start + (num.cp(l) + num.n()) as f64;
                let n_us = base + num.useful_start(l) as i64;
                let (n0, n1) = (start.ceil() as i64, end.ceil() as i64);
                for n in n0.max(0)..n1.min(n_out) {
                    let idx = (n - n_us + self.t.m0 as i64) as usize;
                    let mut v = Complex32::default();
                    for (ak, tab) in a.iter().zip(&self.t.tables) {
                        v += ak * tab[idx];
                    }
                    out[n as usize] = v;
                }
            }
        }
        if freq_offset_hz != 0.0 {
            apply_frequency_offset(out, freq_offset_hz, 0);
        }
    }
}

/// Multiplies `x[n]` by `e^{j2π f (n + n0)/f_s}`.
pub fn apply_frequency_offset(x: &mut [Complex32], freq_hz: f64, n0: u64) {
    let w = 2.0 * std::f64::consts::PI * freq_hz / UL_SAMPLE_RATE_HZ;
    for (chunk_i, chunk) in x.chunks_mut(1024).enumerate() {
        let ph0 = w * ((chunk_i * 1024) as f64 + n0 as f64);
        let mut r = num_complex::Complex64::new(ph0.cos(), ph0.sin());
        let step = num_complex::Complex64::new(w.cos(), w.sin());
        for s in chunk {
            *s *= Complex32::new(r.re as f32, r.im as f32);
            r *= step;
        }
    }
}

/// Per-tone SC-FDMA demodulation of the allocated tones.
#[derive(Debug, Clone)]
pub struct UlDemod {
    t: ToneTables,
}

impl UlDemod {
    /// Plans demodulation of tones `first … first + n_sc − 1`.
    pub fn new(num: Numerology, first: usize, n_sc: usize) -> Self {
        UlDemod {
            t: ToneTables::new(num, first, n_sc),
        }
    }

    /// Largest window shift (samples) [`Self::demodulate`] accepts.
    pub fn max_shift(&self) -> i64 {
        (TABLE_MARGIN - 2) as i64
    }

    /// Demodulates one symbol: `rx[n_us]` is the symbol's first sample after the prefix; the
    /// `N`-sample window starts half a prefix early, moved by `shift` samples
    /// (|shift| ≤ [`Self::max_shift`]). `out[i] = (1/N)·Σ rx[n_us + m]·e^{−j2π f_i m/f_s}`, so a
    /// tone sent with value `a` and delayed by `δ` samples gives `a·e^{−j2π f_i δ/f_s}`.
    /// Returns `false` (and zeros) when the window leaves `rx`.
    pub fn demodulate(
        &self,
        rx: &[Complex32],
        n_us: i64,
        cp: usize,
        shift: i64,
        out: &mut [Complex32],
    ) -> bool {
        let n = self.t.num.n();
        let m_start = shift - (cp / 2) as i64;
        let first = n_us + m_start;
        out.fill(Complex32::default());
        if first < 0 || first + n as i64 > rx.len() as i64 || shift.abs() > self.max_shift() {
            return false;
        }
        let win = &rx[first as usize..first as usize + n];
        let t0 = (m_start + self.t.m0 as i64) as usize;
        let scale = 1.0 / n as f32;
        for (o, tab) in out.iter_mut().zip(&self.t.tables) {
            let mut acc = Complex32::default();
            for (x, w) in win.iter().zip(&tab[t0..t0 + n]) {
                acc += x * w.conj();
            }
            *o = acc * scale;
        }
        true
    }
}

/// Transform precoding (§10.1.3.4, §5.3.3): `z(k) = (1/√M)·Σ_i d(i)·e^{−j2πik/M}`.
pub fn dft_precode(d: &[Complex32], z: &mut [Complex32]) {
    dft(d, z, -1.0);
}

/// Inverse of [`dft_precode`].
pub fn idft_decode(z: &[Complex32], d: &mut [Complex32]) {
    dft(z, d, 1.0);
}

fn dft(x: &[Complex32], y: &mut [Complex32], sign: f64) {
    let m = x.len();
    let scale = 1.0 / (m as f32).sqrt();
    let twiddle = |j: usize| {
        let ph = sign * 2.0 * std::f64::consts::PI * j as f64 / m as f64;
        Complex32::new(ph.cos() as f32, ph.sin() as f32)
    };
    // The M twiddles once (M ≤ 12 in NB-IoT), not M² sin/cos per call.
    let mut table = [Complex32::default(); 12];
    let tabled = m <= table.len();
    if tabled {
        for (j, t) in table[..m].iter_mut().enumerate() {
            *t = twiddle(j);
        }
    }
    for (k, yk) in y.iter_mut().enumerate() {
        let mut acc = Complex32::default();
        for (i, xi) in x.iter().enumerate() {
            let j = (i * k) % m;
            acc += xi * if tabled { table[j] } else { twiddle(j) };
        }
        *yk = acc * scale;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_timing_adds_up() {
        for num in [Numerology::Khz15, Numerology::Khz3_75] {
            let used = num.symbol_start(7);
            let guard = if num == Numerology::Khz3_75 { 144 } else { 0 };
            assert_eq!(used + guard, num.slot_samples());
            // T_s bookkeeping: samples are 16 T_s.
            assert_eq!(16 * (num.cp(1) + num.n()), num.cp_ts(1) + num.n_ts());
        }
        assert_eq!(Numerology::Khz15.useful_start(3), 10 + 128 + 2 * 137 + 9);
        assert!((Numerology::Khz15.tone_hz(0) + 82_500.0).abs() < 1e-9);
        assert!((Numerology::Khz3_75.tone_hz(47) - 88_125.0).abs() < 1e-9);
    }

    #[test]
    fn synth_demod_round_trip_with_shifts() {
        for (num, first, n_sc) in [(Numerology::Khz15, 0, 12), (Numerology::Khz3_75, 17, 1)] {
            let synth = UlSynth::new(num, first, n_sc);
            let demod = UlDemod::new(num, first, n_sc);
            let res: Vec<Complex32> = (0..7 * n_sc)
                .map(|i| Complex32::new((i as f32 * 0.7).cos(), (i as f32 * 1.3).sin()))
                .collect();
            let mut out = vec![Complex32::default(); num.slot_samples()];
            synth.synthesize(&res, 1, 0.0, 0.0, &mut out);
            let mut y = vec![Complex32::default(); n_sc];
            for l in 0..7 {
                for shift in [-3i64, 0, 3] {
                    let ok = demod.demodulate(
                        &out,
                        num.useful_start(l) as i64,
                        num.cp(l),
                        shift,
                        &mut y,
                    );
                    assert!(ok || l == 0 || l == 6);
                    if ok {
                        for i in 0..n_sc {
                            assert!(
                                (y[i] - res[l * n_sc + i]).norm() < 1e-3,
                                "{num:?} l {l} shift {shift}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn dft_round_trip_is_unitary() {
        let d: Vec<Complex32> = (0..12)
            .map(|i| Complex32::new(i as f32, 1.0 - i as f32))
            .collect();
        let mut z = vec![Complex32::default(); 12];
        let mut e = vec![Complex32::default(); 12];
        dft_precode(&d, &mut z);
        idft_decode(&z, &mut e);
        let pd: f32 = d.iter().map(|x| x.norm_sqr()).sum();
        let pz: f32 = z.iter().map(|x| x.norm_sqr()).sum();
        assert!((pd - pz).abs() < 1e-3 * pd);
        for (a, b) in d.iter().zip(&e) {
            assert!((a - b).norm() < 1e-4);
        }
    }
}
