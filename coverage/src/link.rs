//! A small, explicit C/N model for the best server: free-space path loss on the slant range
//! plus fixed terms. The full link-budget module (TR 38.811 losses, antenna patterns, UE
//! classes) lands in `ntn-sim` later; this model keeps every term visible so that results
//! can be checked by hand.
//!
//! ```text
//! C/N [dB] = EIRPD [dBW/MHz] + 10·log10(B / 1 MHz)     (EIRP in the bandwidth)
//!          − FSPL(d, f)                                  (20·log10(4π·d·f / c))
//!          − L_other [dB]                                (atmosphere, polarisation, …)
//!          + G/T [dB/K]
//!          − 10·log10(k)                                 (k = 1.380649e−23 J/K → −228.6 dBW/K/Hz)
//!          − 10·log10(B [Hz])
//! ```
//! The EIRP density is the satellite's at beam centre towards the cell (no antenna pattern:
//! every visible satellite is assumed to point a beam at every cell it sees).

use crate::error::CoverageError;
use ntn_orbit::SPEED_OF_LIGHT_MPS;
use serde::{Deserialize, Serialize};

/// Boltzmann's constant, J/K (exact in the 2019 SI).
pub const BOLTZMANN_J_PER_K: f64 = 1.380_649e-23;

/// Link parameters of the downlink to a terminal.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkParams {
    /// Satellite EIRP density towards the cell, dBW/MHz.
    pub eirp_density_dbw_per_mhz: f64,
    /// Terminal G/T, dB/K.
    pub g_over_t_db_per_k: f64,
    /// Noise (and signal) bandwidth, Hz.
    pub bandwidth_hz: f64,
    /// Further fixed losses (atmospheric, scintillation, polarisation, body), dB.
    pub other_losses_db: f64,
}

impl Default for LinkParams {
    /// TR 38.821 Table 6.1.1.1-1 LEO-600 S-band set-1 satellite (EIRP density 34 dBW/MHz)
    /// towards a handheld (G/T −31.6 dB/K), 360 kHz (NB-IoT-like 2 PRB), 3 dB other losses.
    fn default() -> Self {
        LinkParams {
            eirp_density_dbw_per_mhz: 34.0,
            g_over_t_db_per_k: -31.6,
            bandwidth_hz: 360e3,
            other_losses_db: 3.0,
        }
    }
}

impl LinkParams {
    /// Check the parameters.
    pub fn validate(&self) -> Result<(), CoverageError> {
        use ntn_types::validate::{finite, positive};
        finite("eirp_density_dbw_per_mhz", self.eirp_density_dbw_per_mhz)?;
        finite("g_over_t_db_per_k", self.g_over_t_db_per_k)?;
        positive("bandwidth_hz", self.bandwidth_hz)?;
        finite("other_losses_db", self.other_losses_db)?;
        Ok(())
    }

    /// The terms that do not depend on the range, dB: everything but −FSPL.
    pub fn fixed_terms_db(&self) -> f64 {
        self.eirp_density_dbw_per_mhz + 10.0 * (self.bandwidth_hz / 1e6).log10()
            - self.other_losses_db
            + self.g_over_t_db_per_k
            - 10.0 * BOLTZMANN_J_PER_K.log10()
            - 10.0 * self.bandwidth_hz.log10()
    }

    /// C/N at slant range `range_m` and carrier `carrier_hz`, dB.
    pub fn cn_db(&self, range_m: f64, carrier_hz: f64) -> f64 {
        self.fixed_terms_db() - fspl_db(range_m, carrier_hz)
    }
}

/// Free-space path loss, dB: 20·log10(4π·d·f/c).
pub fn fspl_db(range_m: f64, carrier_hz: f64) -> f64 {
    20.0 * (4.0 * std::f64::consts::PI * range_m * carrier_hz / SPEED_OF_LIGHT_MPS).log10()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fspl_and_cn_by_hand() {
        // 600 km at 2 GHz: 20·log10(4π·6e5·2e9/c) = 154.031 dB.
        assert!((fspl_db(600e3, 2e9) - 154.031_408).abs() < 1e-5);
        let p = LinkParams::default();
        // 34 + 10log10(0.36) − 3 − 31.6 + 228.599 − 10log10(360e3) = 167.999 dB.
        assert!(
            (p.fixed_terms_db() - 167.999_167).abs() < 1e-5,
            "{}",
            p.fixed_terms_db()
        );
        assert!((p.cn_db(600e3, 2e9) - 13.967_759).abs() < 1e-5);
        assert!(
            LinkParams {
                bandwidth_hz: 0.0,
                ..p
            }
            .validate()
            .is_err()
        );
    }

    #[test]
    fn tr38821_sc9_downlink_row() {
        // TR 38.821 Table 6.1.3.3-1 (via docs ntn-reference.md), LEO-600 S-band DL at 30°:
        // EIRP 48.8 dBW in 30 MHz, G/T −31.6 dB/K, FSPL 159.1 dB, atmospheric 0.1 +
        // shadowing 3.0 + scintillation 2.2 dB → CNR 6.6 dB.
        let p = LinkParams {
            eirp_density_dbw_per_mhz: 48.8 - 10.0 * 30f64.log10(),
            g_over_t_db_per_k: -31.6,
            bandwidth_hz: 30e6,
            other_losses_db: 0.1 + 3.0 + 2.2,
        };
        let cn = p.fixed_terms_db() - 159.1;
        assert!((cn - 6.63).abs() < 0.01, "{cn}");
        // The slant range of 600 km at 30° elevation (1075.1 km, R = 6371 km) gives that
        // FSPL at 2 GHz.
        assert!((fspl_db(1_075.1e3, 2e9) - 159.1).abs() < 0.02);
    }
}
