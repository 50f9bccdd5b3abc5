//! Conformance suites of the simulator's models against independent references. The caller
//! hands the vector text in; nothing here touches a file. Used by the vector tests and by
//! `ntn conformance`.
//!
//! * [`p676_itur`]: slant-path gas absorption (ITU-R P.676 Annex 2) against the `itur`
//!   package (`vectors/data/sim/p676_itur.json`): within 0.01 dB of P.676-10, within 0.1 dB
//!   of P.676-11 (revised equivalent heights).

use crate::channel::large_scale::{Atmosphere, p676_slant_attenuation};
use ntn_types::conformance::SuiteReport;
use ntn_types::{Degrees, Hz};
use serde_json::Value;

/// P.676 Annex 2 against `itur` 0.4.0; one case per (table, frequency, elevation).
pub fn p676_itur(json_text: &str) -> SuiteReport {
    let mut report = SuiteReport::new(
        "p676-itur",
        "sim/gas absorption (ITU-R P.676 Annex 2)",
        "itur 0.4.0 Python package (vectors/data/sim/p676_itur.json)",
        "P.676-10 ±0.01 dB, P.676-11 ±0.1 dB",
    );
    let v: Value = match serde_json::from_str(json_text) {
        Ok(v) => v,
        Err(e) => {
            report.case("reference", false, e.to_string());
            return report;
        }
    };
    let (Some(p), Some(t), Some(w)) = (
        v["pressure_hpa"].as_f64(),
        v["temperature_k"].as_f64(),
        v["water_vapour_g_m3"].as_f64(),
    ) else {
        report.case("reference", false, "atmosphere fields missing");
        return report;
    };
    let atm = Atmosphere {
        pressure_hpa: p,
        temperature_k: t,
        water_vapour_g_m3: w,
    };
    for (table, tol_db) in [("rows_p676_10", 0.01), ("rows_p676_11", 0.1)] {
        let Some(rows) = v[table].as_array().filter(|r| !r.is_empty()) else {
            report.case(table, false, "table missing or empty");
            continue;
        };
        for r in rows {
            let (Some(f), Some(el), Some(want)) = (
                r["f_ghz"].as_f64(),
                r["elevation_deg"].as_f64(),
                r["attenuation_db"].as_f64(),
            ) else {
                report.case(table, false, format!("bad row {r}"));
                continue;
            };
            let name = format!("{table} {f} GHz {el}°");
            match p676_slant_attenuation(Hz(f * 1e9), Degrees(el), &atm) {
                Ok(got) => {
                    let d = (got.db() - want).abs();
                    report.case(
                        name,
                        d <= tol_db,
                        format!("ours {:.4} dB, itur {want:.4} dB, Δ {d:.4} dB", got.db()),
                    );
                }
                Err(e) => report.case(name, false, e.to_string()),
            }
        }
    }
    report
}

/// Statistics of the NTN-TDL generator over `realisations` independent channels (TR 38.811
/// §6.9.2): the mean power of every tap of TDL-A/B/C/D is its normalised table power within
/// 0.2 dB; TDL-C's LOS tap has Rician K = 10.224 dB within 0.5 dB (from the moments of |g|²);
/// flat Rayleigh through the sample-level filter has the Jakes autocorrelation J₀(2π f_D τ)
/// within 0.05 up to its first zero. One case per profile and statistic.
pub fn tdl_statistics(realisations: u64) -> SuiteReport {
    use crate::channel::tdl::{FadingProfile, Tdl, TdlConfig};
    use crate::math::bessel_j;
    use num_complex::Complex32;
    let mut report = SuiteReport::new(
        "tdl-statistics",
        "sim/NTN-TDL fading (TR 38.811 §6.9.2)",
        "TR 38.811 Tables 6.9.2-1..4 (tap powers, K factor), Jakes/Clarke autocorrelation",
        "tap powers ±0.2 dB, K ±0.5 dB, |R − J0| ≤ 0.05",
    );
    let n = realisations.max(1);
    for profile in [
        FadingProfile::TdlA,
        FadingProfile::TdlB,
        FadingProfile::TdlC,
        FadingProfile::TdlD,
    ] {
        let taps = profile.taps();
        let total: f64 = taps.iter().map(|t| 10f64.powf(t.power_db / 10.0)).sum();
        let mut sum = vec![0.0; taps.len()];
        let mut g = Vec::new();
        let mut failed = None;
        for seed in 0..n {
            let mut cfg = TdlConfig::new(profile, Hz(1.92e6), seed);
            cfg.max_doppler = Hz(100.0);
            match Tdl::new(cfg) {
                Ok(tdl) => tdl.tap_gains(12_345, &mut g),
                Err(e) => {
                    failed = Some(e.to_string());
                    break;
                }
            }
            for (s, x) in sum.iter_mut().zip(&g) {
                *s += f64::from(x.norm_sqr());
            }
        }
        let worst = taps
            .iter()
            .zip(&sum)
            .map(|(t, s)| {
                let got_db = 10.0 * (s / n as f64).log10();
                (got_db - 10.0 * (10f64.powf(t.power_db / 10.0) / total).log10()).abs()
            })
            .fold(0.0f64, f64::max);
        let name = format!("{profile:?} power-delay profile");
        match failed {
            Some(e) => report.case(name, false, e),
            None => report.case(
                name,
                worst < 0.2,
                format!(
                    "{} taps, worst |Δ| {worst:.3} dB over {n} realisations",
                    taps.len()
                ),
            ),
        }
    }
    let (mut m2, mut m4) = (0.0, 0.0);
    let mut g = Vec::new();
    for seed in 0..n {
        if let Ok(tdl) = Tdl::new(TdlConfig::new(FadingProfile::TdlC, Hz(1.92e6), seed)) {
            tdl.tap_gains(777, &mut g);
        }
        let p = match (g.first(), g.get(1)) {
            (Some(a), Some(b)) => f64::from((a + b).norm_sqr()),
            _ => f64::NAN,
        };
        m2 += p;
        m4 += p * p;
    }
    let (m2, m4) = (m2 / n as f64, m4 / n as f64);
    let r = (2.0 - m4 / (m2 * m2)).sqrt();
    let k_db = 10.0 * (r / (1.0 - r)).log10();
    report.case(
        "TdlC Rician K",
        (k_db - 10.224).abs() < 0.5,
        format!("K = {k_db:.3} dB (table 10.224 dB)"),
    );
    let (fs, fd) = (10_000.0, 100.0);
    let first_zero = (2.404_825_557_695_773 / (2.0 * std::f64::consts::PI * fd) * fs) as usize;
    let mut acc = vec![Complex32::new(0.0, 0.0); first_zero + 1];
    let mut p0 = 0.0f32;
    let mut failed = None;
    for seed in 0..(n / 5).max(1) {
        let mut cfg = TdlConfig::new(FadingProfile::FlatRayleigh, Hz(fs), seed);
        cfg.max_doppler = Hz(fd);
        let mut y = vec![Complex32::new(1.0, 0.0); 600];
        if let Err(e) = Tdl::new(cfg).and_then(|mut t| t.process_in_place(0, &mut y)) {
            failed = Some(e.to_string());
            break;
        }
        let a = 100;
        for (lag, r) in acc.iter_mut().enumerate() {
            *r += y[a + lag] * y[a].conj();
        }
        p0 += y[a].norm_sqr();
    }
    let worst = acc
        .iter()
        .enumerate()
        .map(|(lag, r)| {
            let j0 = bessel_j(0, 2.0 * std::f64::consts::PI * fd * lag as f64 / fs);
            (f64::from(r.re) / f64::from(p0) - j0).abs()
        })
        .fold(0.0f64, f64::max);
    match failed {
        Some(e) => report.case("FlatRayleigh Jakes autocorrelation", false, e),
        None => report.case(
            "FlatRayleigh Jakes autocorrelation",
            worst < 0.05,
            format!("worst |R − J0| {worst:.4} up to lag {first_zero}"),
        ),
    }
    report
}

/// The TDL-C curves re-run by [`link_curves_tdlc`]: channel, SNRs (dB) and trials.
pub const LINK_RECHECK_TDLC: [(ntn_phy::link_sim::LinkChannel, &[f32], usize); 4] = [
    (ntn_phy::link_sim::LinkChannel::Npdsch, &[0.0, 3.0], 60),
    (ntn_phy::link_sim::LinkChannel::Npdcch, &[-8.5, -5.5], 60),
    (ntn_phy::link_sim::LinkChannel::Npss, &[-8.0], 60),
    (ntn_phy::link_sim::LinkChannel::Npbch, &[-13.0], 24),
];

/// The stored NTN-TDL-C link-level curves (`vectors/data/phy/link_*_tdlc.csv`, regression)
/// re-run through our TDL-C at a few points ([`LINK_RECHECK_TDLC`]; `texts` in that order):
/// each point within |z| ≤ 4 of the stored error rate (`ntn_phy::conformance::link_curve`).
pub fn link_curves_tdlc(texts: &[&str]) -> SuiteReport {
    use crate::link_sim::{LinkChannelModel, with_model};
    use ntn_phy::link_sim::LinkSimConfig;
    let mut all = SuiteReport::new(
        "link-curves-tdlc",
        "phy+sim/link level (NB-IoT DL through NTN-TDL-C)",
        "our stored BLER curves (vectors/data/phy/link_*_tdlc.csv, regression)",
        "|z| ≤ 4 against the stored error rate",
    );
    for (i, (channel, snrs, trials)) in LINK_RECHECK_TDLC.iter().enumerate() {
        let file = format!("link_{}_tdlc.csv", channel.name());
        let Some(text) = texts.get(i).filter(|t| t.contains("NTN-TDL-C")) else {
            all.case(file, false, "vector text missing or not a TDL-C curve");
            continue;
        };
        let base = LinkSimConfig::new(*channel, snrs.to_vec(), *trials, 4242);
        match with_model(&base, LinkChannelModel::TdlC) {
            Ok(cfg) => all
                .cases
                .extend(ntn_phy::conformance::link_curve(&file, text, &cfg).cases),
            Err(e) => all.case(file, false, e.to_string()),
        }
    }
    all
}

/// The TR 38.821 Table 6.1.3.3-1 link-budget rows our presets reproduce: Set-1 LEO-600 S-band
/// DL (`sc9-dl`) and the GEO Ka-band DL/UL rows (`sc6-dl`, `sc6-ul`): EIRP, G/T, free-space
/// path loss and gas absorption within 0.01 dB of the table's figures, C/N within 0.2 dB.
pub fn link_budget_tr38821() -> SuiteReport {
    use crate::link_budget::LinkBudgetConfig;
    let mut report = SuiteReport::new(
        "link-budget-tr38821",
        "sim/link budget",
        "3GPP TR 38.821 Table 6.1.3.3-1 (rows as the presets sc9-dl, sc6-dl, sc6-ul)",
        "EIRP, G/T, FSPL, gas ±0.01 dB; C/N ±0.2 dB",
    );
    // (preset, EIRP dBW, G/T dB/K, FSPL dB, gas dB, C/N dB); None: not given for that row.
    type Row = (
        &'static str,
        Option<f64>,
        Option<f64>,
        f64,
        Option<f64>,
        f64,
    );
    let rows: [Row; 3] = [
        ("sc9-dl", Some(48.77), Some(-31.62), 159.10, Some(0.07), 6.6),
        ("sc6-dl", Some(30.02), Some(15.86), 179.10, Some(0.51), 8.5),
        ("sc6-ul", None, None, 182.62, None, 18.4),
    ];
    for (preset, eirp, gt, fspl, gas, cn) in rows {
        let Some(cfg) = LinkBudgetConfig::preset(preset) else {
            report.case(preset, false, "no such preset");
            continue;
        };
        let b = cfg.evaluate();
        let near =
            |got: f64, want: Option<f64>, tol: f64| want.is_none_or(|w| (got - w).abs() <= tol);
        let ok = near(b.eirp_dbw, eirp, 0.01)
            && near(b.g_over_t_db_k, gt, 0.01)
            && near(b.fspl_db, Some(fspl), 0.01)
            && near(b.gas_db, gas, 0.01)
            && near(b.c_over_n_db, Some(cn), 0.2);
        report.case(
            preset,
            ok,
            format!(
                "EIRP {:.2} dBW, G/T {:.2} dB/K, FSPL {:.2} dB, gas {:.2} dB, C/N {:.2} dB \
                 (table C/N {cn} dB)",
                b.eirp_dbw, b.g_over_t_db_k, b.fspl_db, b.gas_db, b.c_over_n_db
            ),
        );
    }
    report
}
