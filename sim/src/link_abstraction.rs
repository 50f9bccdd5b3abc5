//! Link abstraction: the fate of a transmission drawn from BLER-vs-SNR curves that our own
//! sample-level PHY produced (`vectors/data/phy/link_*_awgn.csv`, regression kind, each with
//! its command, seed and trial count in its `#` header — kept here as [`Curve::provenance`]).
//!
//! ## Lookup rule
//! Every curve is measured for one reference format (its header says which: NPDSCH I_TBS 4,
//! 208 bits over 3 subframes; MIB-NB over a 640 ms TTI; DCI N1 at R = 4; NPSS detection over
//! 20 ms). A transmission of another size, length or bandwidth is looked up at the
//! **equal-energy-per-information-bit SNR**: with SNR γ over the occupied bandwidth B for the
//! air time T carrying K bits, E_b/N₀ = γ·B·T/K, so the curve is read at
//! γ_ref = γ + 10·log10((B·T/K) / (B_ref·T_ref/K_ref)). This ignores the code-rate gain
//! differences between formats (documented fallback, conservative for longer codewords).
//!
//! ## Which curve for which channel
//! | channel | curve | K used |
//! | --- | --- | --- |
//! | NPBCH | `link_npbch_awgn.csv` | 34 (MIB-NB) |
//! | NPDSCH | `link_npdsch_awgn.csv` | the TBS |
//! | NPUSCH F1 | `ul/npusch_*_awgn.csv` of the same bandwidth: 12 tones (I_TBS 10, 2 RUs, 328 bits), single tone 15 kHz (I_TBS 5, 2 RUs, 144 bits), single tone 3.75 kHz (16 bits, 1 RU); 3 or 6 tones use the 12-tone curve | the TBS |
//! | NPDCCH (uplink grant, DCI N0) | `link_npdcch_awgn.csv` | 23 |
//! | NPUSCH F2 | the NPDCCH curve (a small block on repetitions) | 23 (reference K) |
//! | NPRACH | the NPSS detection curve (known-sequence correlation, no prior) at equal total energy γ·B·T | — |
//!
//! SNR convention of the curves: per resource element in the 180 kHz carrier, which equals
//! the SNR over the occupied bandwidth the engine computes.
//!
//! ## Channel models
//! [`LinkAbstraction::bundled_for`] loads the AWGN set (the files above) or the NTN-TDL-C set
//! (the same formats, `*_tdlc.csv`, one fading realisation per trial). A fading draw is the
//! transmission's fate averaged over the fading, independent of the previous transmission's;
//! the sample level instead runs one continuous fading process per link.
//!
//! ## Frequency tolerance
//! A receiver that cannot resolve the carrier offset fails whatever the SNR:
//! NPRACH beyond ±Δf/2 (the hop pattern aliases onto a neighbouring tone); NPUSCH beyond the
//! DMRS estimator's unambiguous range ±1/(2·T_DMRS) (one DMRS per slot: ±1 kHz at 15 kHz,
//! ±250 Hz for 3.75 kHz single tone); the downlink beyond the UE's NPSS search (±55 kHz).
//!
//! ## Measurement noise
//! `RxMeasurement` = truth + estimation noise. Standard deviations follow the estimator
//! acceptance bounds of issue 5 (checked by `phy/tests/nbiot_nprach.rs`
//! `detection_false_alarm_and_estimation_statistics`): ToA std 1 µs and frequency std 50 Hz
//! at the SNR where detection reaches 99 %, scaled as 1/√SNR (the Cramér–Rao slope) and
//! floored at 1/20 of that value. The same form is used for the NPUSCH DMRS estimates with the
//! 10 %-BLER point of its curve as the reference.

use crate::link_sim::LinkChannelModel;
use ntn_stack::air::{LinkFormat, NbChannel};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// Why a curve file cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CurveError {
    /// A data row does not have the `snr_db,trials,errors,error_rate` columns.
    #[error("curve {name}, line {line}: {reason}")]
    BadRow {
        /// Curve name.
        name: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// Fewer than two points.
    #[error("curve {0} has fewer than two points")]
    TooShort(String),
}

/// The reference a curve was measured for.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurveReference {
    /// Occupied bandwidth, Hz.
    pub bandwidth_hz: f64,
    /// Air time of the whole transmission, s.
    pub air_time_s: f64,
    /// Information bits.
    pub bits: f64,
}

impl CurveReference {
    /// 10·log10(B·T/K).
    fn energy_db(&self) -> f64 {
        10.0 * (self.bandwidth_hz * self.air_time_s / self.bits).log10()
    }
}

/// One BLER-vs-SNR curve.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Curve {
    /// Name (file stem).
    pub name: String,
    /// The `#` header lines of the file (command, seed, trials, date).
    pub provenance: Vec<String>,
    /// Format the curve was measured for.
    pub reference: CurveReference,
    /// (SNR dB, error rate), ascending SNR.
    pub points: Vec<(f64, f64)>,
}

impl Curve {
    /// Parse a `snr_db,trials,errors,error_rate` CSV with `#` provenance lines.
    pub fn parse(name: &str, text: &str, reference: CurveReference) -> Result<Curve, CurveError> {
        let mut provenance = Vec::new();
        let mut points = Vec::new();
        let bad = |line: usize, reason: &str| CurveError::BadRow {
            name: name.into(),
            line,
            reason: reason.into(),
        };
        for (i, raw) in text.lines().enumerate() {
            let l = raw.trim();
            if let Some(p) = l.strip_prefix('#') {
                provenance.push(p.trim().to_string());
                continue;
            }
            if l.is_empty() || l.starts_with("snr_db") {
                continue;
            }
            let cols: Vec<&str> = l.split(',').collect();
            if cols.len() != 4 {
                return Err(bad(i + 1, "expected 4 columns"));
            }
            let snr: f64 = cols[0].trim().parse().map_err(|_| bad(i + 1, "snr"))?;
            let rate: f64 = cols[3].trim().parse().map_err(|_| bad(i + 1, "rate"))?;
            if !snr.is_finite() || !(0.0..=1.0).contains(&rate) {
                return Err(bad(i + 1, "value out of range"));
            }
            points.push((snr, rate));
        }
        if points.len() < 2 {
            return Err(CurveError::TooShort(name.into()));
        }
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        Ok(Curve {
            name: name.into(),
            provenance,
            reference,
            points,
        })
    }

    /// Error rate at `snr_db`: linear between points, clamped to the end points outside.
    pub fn error_rate(&self, snr_db: f64) -> f64 {
        let p = &self.points;
        if snr_db <= p[0].0 {
            return p[0].1;
        }
        for w in p.windows(2) {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            if snr_db <= x1 {
                return y0 + (y1 - y0) * (snr_db - x0) / (x1 - x0);
            }
        }
        p[p.len() - 1].1
    }

    /// Lowest SNR at which the error rate is at most `target` (the curve's last point if
    /// never).
    pub fn snr_at(&self, target: f64) -> f64 {
        let p = &self.points;
        if p[0].1 <= target {
            return p[0].0;
        }
        for w in p.windows(2) {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            if y1 <= target {
                return x0 + (x1 - x0) * (y0 - target) / (y0 - y1).max(1e-12);
            }
        }
        p[p.len() - 1].0
    }
}

/// The bundled curves (`vectors/data/phy`), compiled in so that a run reads no file: per
/// channel model, (file stem, text) of NPDSCH, NPBCH, NPDCCH, NPSS, then NPUSCH 12 tones,
/// single tone 15 kHz, single tone 3.75 kHz.
macro_rules! curve_files {
    ($($stem:literal),* $(,)?) => {
        [$(($stem, include_str!(concat!("../../vectors/data/phy/", $stem, ".csv")))),*]
    };
}
const AWGN_CURVES: [(&str, &str); 7] = curve_files![
    "link_npdsch_awgn",
    "link_npbch_awgn",
    "link_npdcch_awgn",
    "link_npss_awgn",
    "ul/npusch_mt12_qpsk_tbs10_ru1_rep1_awgn",
    "ul/npusch_st15_qpsk_tbs5_ru1_rep1_awgn",
    "ul/npusch_st3k75_bpsk_tbs0_ru0_rep1_awgn",
];
const TDLC_CURVES: [(&str, &str); 7] = curve_files![
    "link_npdsch_tdlc",
    "link_npbch_tdlc",
    "link_npdcch_tdlc",
    "link_npss_tdlc",
    "ul/npusch_mt12_qpsk_tbs10_ru1_rep1_tdlc",
    "ul/npusch_st15_qpsk_tbs5_ru1_rep1_tdlc",
    "ul/npusch_st3k75_bpsk_tbs0_ru0_rep1_tdlc",
];

/// Fate and measurement of one transmission at one receiver.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    /// Decoded (detected).
    pub decoded: bool,
    /// Error rate the draw used.
    pub error_rate: f64,
    /// Timing estimation error, s.
    pub timing_error_s: f64,
    /// Frequency estimation error, Hz.
    pub freq_error_hz: f64,
}

/// The curves, one per channel, and the lookup rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkAbstraction {
    /// NPDSCH.
    pub npdsch: Curve,
    /// NPBCH.
    pub npbch: Curve,
    /// NPDCCH (uplink grants, and NPUSCH format 2).
    pub npdcch: Curve,
    /// NPSS detection (used for NPRACH).
    pub npss: Curve,
    /// NPUSCH format 1, one curve per occupied bandwidth.
    pub npusch: Vec<Curve>,
}

impl LinkAbstraction {
    /// The bundled AWGN curves.
    ///
    /// # Errors
    /// A bundled file does not parse (a build with broken vectors).
    pub fn bundled() -> Result<Self, CurveError> {
        Self::bundled_for(LinkChannelModel::Awgn)
    }

    /// The bundled curves of a channel model: AWGN, or NTN-TDL-C (TR 38.811 Table 6.9.2-3,
    /// 100 ns, 3 km/h at 2 GHz; one fading realisation per trial, so a draw is a
    /// transmission's fate averaged over the fading, independent of the one before).
    ///
    /// # Errors
    /// As [`Self::bundled`].
    pub fn bundled_for(model: LinkChannelModel) -> Result<Self, CurveError> {
        let files = match model {
            LinkChannelModel::Awgn => &AWGN_CURVES,
            LinkChannelModel::TdlC => &TDLC_CURVES,
        };
        let curve = |i: usize, bandwidth_hz: f64, air_time_s: f64, bits: f64| {
            let (stem, text) = files[i];
            let name = stem.rsplit('/').next().unwrap_or(stem);
            Curve::parse(
                name,
                text,
                CurveReference {
                    bandwidth_hz,
                    air_time_s,
                    bits,
                },
            )
        };
        Ok(LinkAbstraction {
            npdsch: curve(0, 180e3, 3e-3, 208.0)?,
            npbch: curve(1, 180e3, 64e-3, 34.0)?,
            npdcch: curve(2, 180e3, 4e-3, 23.0)?,
            // Two NPSS of 11 OFDM symbols in 20 ms.
            npss: curve(3, 165e3, 2.0 * 11.0 / 14.0 * 1e-3, 1.0)?,
            npusch: vec![
                curve(4, 180e3, 2e-3, 328.0)?,
                curve(5, 15e3, 16e-3, 144.0)?,
                curve(6, 3.75e3, 32e-3, 16.0)?,
            ],
        })
    }

    /// The NPUSCH curve measured on the bandwidth nearest to `bandwidth_hz` (log scale).
    fn npusch_for(&self, bandwidth_hz: f64) -> &Curve {
        self.npusch
            .iter()
            .min_by(|a, b| {
                let d = |c: &Curve| (c.reference.bandwidth_hz / bandwidth_hz).ln().abs();
                d(a).total_cmp(&d(b))
            })
            .unwrap_or(&self.npdsch)
    }

    /// The curve and the information bits used for `format`.
    fn curve_for(&self, format: &LinkFormat) -> (&Curve, f64) {
        match format.channel {
            NbChannel::Npbch => (&self.npbch, 34.0),
            NbChannel::Npdsch => (&self.npdsch, f64::from(format.tbs_bits.max(1))),
            NbChannel::NpuschF1 => (
                self.npusch_for(Self::bandwidth_hz(format)),
                f64::from(format.tbs_bits.max(1)),
            ),
            // An uplink grant is a DCI N0 (23 bits) on NPDCCH; HARQ-ACK a small block on
            // repetitions like it.
            NbChannel::Npdcch | NbChannel::NpuschF2 => (&self.npdcch, 23.0),
            // NPRACH and anything later: a detection at equal total energy.
            _ => (&self.npss, 1.0),
        }
    }

    /// Occupied bandwidth of a format, Hz.
    pub fn bandwidth_hz(format: &LinkFormat) -> f64 {
        f64::from(format.subcarriers.max(1)) * f64::from(format.subcarrier_spacing_hz.max(1))
    }

    /// Time the format actually occupies its bandwidth (not the span it is spread over), s:
    /// DL subframes and 12-tone RUs 1 ms; an RU of 6/3/1 tones 2/4/8 ms at 15 kHz, 32 ms
    /// single-tone at 3.75 kHz (TS 36.211 Table 10.1.2.3-1); an NPRACH repetition is four
    /// symbol groups of 5 symbols + CP: 5.6 ms (format 0, 3.75 kHz), 6.4 ms (format 1 has the
    /// long CP; approximated by the same), 4·(3 × 0.8 ms + 0.8 ms) = 12.8 ms at 1.25 kHz.
    pub fn occupied_time_s(format: &LinkFormat) -> f64 {
        let units = f64::from(format.resource_units.max(1)) * f64::from(format.repetitions.max(1));
        let unit_s = match format.channel {
            NbChannel::NpuschF1 | NbChannel::NpuschF2 => {
                match (format.subcarrier_spacing_hz, format.subcarriers) {
                    (s, _) if s < 15_000 => 32e-3,
                    (_, 12) => 1e-3,
                    (_, 6) => 2e-3,
                    (_, 3) => 4e-3,
                    _ => 8e-3,
                }
            }
            NbChannel::Nprach => {
                if format.subcarrier_spacing_hz < 3_750 {
                    12.8e-3
                } else {
                    5.6e-3
                }
            }
            _ => 1e-3,
        };
        units * unit_s
    }

    /// The SNR at which the format's curve is read.
    pub fn reference_snr_db(&self, format: &LinkFormat, snr_db: f64) -> f64 {
        let (curve, bits) = self.curve_for(format);
        let mine = CurveReference {
            bandwidth_hz: Self::bandwidth_hz(format),
            air_time_s: Self::occupied_time_s(format),
            bits,
        };
        snr_db + mine.energy_db() - curve.reference.energy_db()
    }

    /// Error (miss) probability of `format` at `snr_db` over the occupied bandwidth with
    /// carrier offset `freq_offset_hz` at the receiver.
    pub fn error_rate(&self, format: &LinkFormat, snr_db: f64, freq_offset_hz: f64) -> f64 {
        if freq_offset_hz.abs() > Self::frequency_tolerance_hz(format) {
            return 1.0;
        }
        let (curve, _) = self.curve_for(format);
        curve.error_rate(self.reference_snr_db(format, snr_db))
    }

    /// The largest carrier offset the receiver of `format` resolves, Hz.
    pub fn frequency_tolerance_hz(format: &LinkFormat) -> f64 {
        let sc = f64::from(format.subcarrier_spacing_hz.max(1));
        match format.channel {
            NbChannel::Nprach => sc / 2.0,
            NbChannel::NpuschF1 | NbChannel::NpuschF2 => {
                // One DMRS symbol per slot: 0.5 ms at 15 kHz, 2 ms at 3.75 kHz.
                let slot_s = if format.subcarrier_spacing_hz >= 15_000 {
                    0.5e-3
                } else {
                    2e-3
                };
                1.0 / (2.0 * slot_s)
            }
            _ => 55e3,
        }
    }

    /// Draw the fate of one transmission and the receiver's estimation errors.
    pub fn draw<R: Rng + ?Sized>(
        &self,
        format: &LinkFormat,
        snr_db: f64,
        freq_offset_hz: f64,
        rng: &mut R,
    ) -> Outcome {
        let error_rate = self.error_rate(format, snr_db, freq_offset_hz);
        let decoded = rng.random::<f64>() >= error_rate;
        // Estimation noise: 1 µs / 50 Hz at the reference point, ∝ 1/√SNR, floored.
        let (curve, _) = self.curve_for(format);
        let target = if format.channel == NbChannel::Nprach {
            0.01
        } else {
            0.1
        };
        let excess_db = self.reference_snr_db(format, snr_db) - curve.snr_at(target);
        let scale = 10f64.powf(-excess_db / 20.0).clamp(0.05, 10.0);
        let (g1, g2) = ntn_phy::noise::gaussian_pair_f64(rng);
        Outcome {
            decoded,
            error_rate,
            timing_error_s: 1e-6 * scale * g1,
            freq_error_hz: 50.0 * scale * g2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn npdsch(tbs: u32, reps: u16) -> LinkFormat {
        LinkFormat {
            channel: NbChannel::Npdsch,
            tbs_bits: tbs,
            resource_units: 3,
            repetitions: reps,
            subcarriers: 12,
            subcarrier_spacing_hz: 15_000,
        }
    }

    #[test]
    fn bundled_curves_load_with_provenance() {
        for model in LinkChannelModel::ALL {
            let la = LinkAbstraction::bundled_for(model).unwrap();
            let suffix = model.name().replace('-', "");
            for c in [&la.npdsch, &la.npbch, &la.npdcch, &la.npss]
                .into_iter()
                .chain(&la.npusch)
            {
                assert!(c.points.len() >= 5, "{}", c.name);
                assert!(c.name.ends_with(&suffix), "{} for {model:?}", c.name);
                assert!(c.provenance.iter().any(|l| l.contains("command")));
                // Monotone enough: lowest SNR fails more than highest.
                assert!(c.points[0].1 > c.points[c.points.len() - 1].1);
            }
        }
    }

    #[test]
    fn fading_costs_snr_on_every_channel() {
        // NTN-TDL-C (LOS, K = 10 dB) needs more SNR than AWGN for 10 % errors on every curve.
        let awgn = LinkAbstraction::bundled().unwrap();
        let tdlc = LinkAbstraction::bundled_for(LinkChannelModel::TdlC).unwrap();
        let pairs = [
            (&awgn.npdsch, &tdlc.npdsch),
            (&awgn.npbch, &tdlc.npbch),
            (&awgn.npdcch, &tdlc.npdcch),
            (&awgn.npss, &tdlc.npss),
        ];
        for (a, t) in pairs
            .into_iter()
            .chain(awgn.npusch.iter().zip(&tdlc.npusch))
        {
            let (sa, st) = (a.snr_at(0.1), t.snr_at(0.1));
            assert!(st > sa, "{}: {sa} dB, {}: {st} dB", a.name, t.name);
        }
    }

    #[test]
    fn reference_format_reads_the_curve_itself() {
        let la = LinkAbstraction::bundled().unwrap();
        let f = npdsch(208, 1);
        for &(snr, rate) in &la.npdsch.points {
            assert!((la.error_rate(&f, snr, 0.0) - rate).abs() < 1e-9);
        }
        // Between -1.5 (0.735) and -0.25 (0.32): linear.
        let mid = la.error_rate(&f, -0.875, 0.0);
        assert!((mid - 0.5275).abs() < 1e-9, "{mid}");
    }

    #[test]
    fn repetition_buys_snr_and_bigger_blocks_cost_it() {
        let la = LinkAbstraction::bundled().unwrap();
        let f = npdsch(208, 1);
        let f4 = npdsch(208, 4);
        let f2 = npdsch(416, 1);
        // 4× the air time = +6.02 dB.
        let a = la.reference_snr_db(&f4, -5.0);
        assert!((a - (-5.0 + 6.0206)).abs() < 1e-3, "{a}");
        let b = la.reference_snr_db(&f2, 0.0);
        assert!((b + 3.0103).abs() < 1e-3, "{b}");
        assert!(la.error_rate(&f4, -3.0, 0.0) < la.error_rate(&f, -3.0, 0.0));
    }

    #[test]
    fn frequency_beyond_the_estimator_range_fails() {
        let la = LinkAbstraction::bundled().unwrap();
        let prach = LinkFormat {
            channel: NbChannel::Nprach,
            tbs_bits: 0,
            resource_units: 1,
            repetitions: 4,
            subcarriers: 1,
            subcarrier_spacing_hz: 3_750,
        };
        assert_eq!(la.error_rate(&prach, 30.0, 40e3), 1.0);
        assert!(la.error_rate(&prach, 30.0, 100.0) < 0.01);
        let pusch = LinkFormat {
            channel: NbChannel::NpuschF1,
            subcarriers: 12,
            subcarrier_spacing_hz: 15_000,
            tbs_bits: 256,
            ..prach
        };
        assert_eq!(LinkAbstraction::frequency_tolerance_hz(&pusch), 1000.0);
        assert_eq!(la.error_rate(&pusch, 30.0, 1500.0), 1.0);
    }

    #[test]
    fn draws_follow_the_error_rate() {
        let la = LinkAbstraction::bundled().unwrap();
        let f = npdsch(208, 1);
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let n = 4000;
        let fails = (0..n)
            .filter(|_| !la.draw(&f, -0.25, 0.0, &mut rng).decoded)
            .count();
        let p = fails as f64 / n as f64;
        // 0.32 ± 4σ (σ = 0.0074).
        assert!((p - 0.32).abs() < 0.03, "{p}");
        // Estimation noise shrinks with SNR.
        let spread = |snr: f64, rng: &mut ChaCha8Rng| {
            let v: Vec<f64> = (0..500)
                .map(|_| la.draw(&f, snr, 0.0, rng).freq_error_hz)
                .collect();
            (v.iter().map(|x| x * x).sum::<f64>() / v.len() as f64).sqrt()
        };
        let lo = spread(0.0, &mut rng);
        let hi = spread(10.0, &mut rng);
        assert!(hi < lo / 2.0, "{lo} {hi}");
    }

    #[test]
    fn npusch_reads_the_curve_of_its_bandwidth() {
        let la = LinkAbstraction::bundled().unwrap();
        let mt12 = LinkFormat {
            channel: NbChannel::NpuschF1,
            tbs_bits: 328,
            resource_units: 2,
            repetitions: 1,
            subcarriers: 12,
            subcarrier_spacing_hz: 15_000,
        };
        let st = LinkFormat {
            subcarriers: 1,
            tbs_bits: 144,
            ..mt12
        };
        for (f, curve) in [(mt12, &la.npusch[0]), (st, &la.npusch[1])] {
            for &(snr, rate) in &curve.points {
                assert!(
                    (la.error_rate(&f, snr, 0.0) - rate).abs() < 1e-9,
                    "{f:?} {snr}"
                );
            }
        }
    }

    #[test]
    fn malformed_curves_are_errors() {
        let r = CurveReference {
            bandwidth_hz: 1.0,
            air_time_s: 1.0,
            bits: 1.0,
        };
        assert!(Curve::parse("x", "snr_db,trials,errors,error_rate\n1,2,3\n", r).is_err());
        assert!(Curve::parse("x", "1,2,3,1.5\n", r).is_err());
        assert!(matches!(
            Curve::parse("x", "1,2,3,0.5\n", r),
            Err(CurveError::TooShort(_))
        ));
    }
}
