//! Sample-level probe of the NB-IoT downlink of a satellite cell at one point of a pass: our
//! cell transmitter (NPSS, NSSS, NRS, NPBCH) → the orbit-driven [`Channel`] (light-time delay
//! and Doppler from the true orbit, AWGN) → our terminal's cell search with no prior. It
//! reports what the terminal found against what the geometry says, the first rung of the
//! end-to-end run over a pass.

use crate::channel::noise::NoiseConfig;
use crate::channel::propagation::{DEFAULT_GRID_STEP, Direction, OrbitPathConfig, Payload};
use crate::channel::{Channel, ChannelConfig, ChannelError};
use ntn_orbit::{EarthOrientation, GroundSite, LinkConfig, PropagationError, Satellite, UtcTime};
use ntn_phy::Complex32;
use ntn_phy::error::PhyError;
use ntn_phy::nbiot::cell::{NbiotCellTx, SAMPLES_PER_FRAME};
use ntn_phy::nbiot::npbch::{MibNb, OperationMode};
use ntn_phy::nbiot::search::{CellSearcher, NpssSearchConfig};
use ntn_phy::nbiot::{NcellId, NrsPorts};
use ntn_types::Hz;
use serde::{Deserialize, Serialize};

/// Sample rate of the NB-IoT probe, Hz.
pub const PROBE_SAMPLE_RATE_HZ: f64 = 1.92e6;

/// What to send and how hard to listen.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DlProbeConfig {
    /// Physical cell identity, 0…503.
    pub cell_id: u16,
    /// Downlink carrier.
    pub carrier: Hz,
    /// SNR over the 180 kHz carrier, dB.
    pub snr_db: f64,
    /// Radio frames given to the cell search (≥ 3: NSSS parity and NPBCH combining).
    pub frames: usize,
    /// Seed of the noise.
    pub seed: u64,
    /// Earth orientation.
    pub eop: EarthOrientation,
}

impl Default for DlProbeConfig {
    fn default() -> Self {
        DlProbeConfig {
            cell_id: 1,
            carrier: Hz(2.185e9),
            snr_db: 0.0,
            frames: 3,
            seed: 1,
            eop: EarthOrientation::default(),
        }
    }
}

/// What the terminal found at one point.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DlProbeResult {
    /// UTC of the first searched sample (at the terminal).
    pub time: UtcTime,
    /// Cell identity found, if any.
    pub cell_id: Option<u16>,
    /// Carrier offset the terminal measured, Hz.
    pub measured_offset_hz: Option<f64>,
    /// Downlink Doppler from the true geometry in the middle of the searched samples, Hz.
    pub true_doppler_hz: f64,
    /// Rate of that Doppler, Hz/s.
    pub true_doppler_rate_hz_s: f64,
    /// The MIB-NB passed its CRC.
    pub mib_decoded: bool,
    /// SFN read from the MIB-NB and NSSS, when known.
    pub sfn: Option<u16>,
}

impl DlProbeResult {
    /// Measured minus true Doppler, Hz.
    pub fn offset_error_hz(&self) -> Option<f64> {
        self.measured_offset_hz.map(|m| m - self.true_doppler_hz)
    }
}

/// Why a probe could not run (a cell not found is a result, not an error).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DlProbeError {
    /// The channel could not be built or run.
    #[error(transparent)]
    Channel(#[from] ChannelError),
    /// The geometry could not be propagated.
    #[error(transparent)]
    Orbit(#[from] PropagationError),
    /// A configuration value is out of range.
    #[error("probe configuration: {0}")]
    Config(String),
}

/// A probe with its transmitter and searcher allocated once, for many points of a pass.
pub struct DlProbe {
    cfg: DlProbeConfig,
    tx: NbiotCellTx,
    searcher: CellSearcher,
}

impl DlProbe {
    /// Plan a probe.
    pub fn new(cfg: DlProbeConfig) -> Result<Self, DlProbeError> {
        let cell =
            NcellId::new(cfg.cell_id).map_err(|e: PhyError| DlProbeError::Config(e.to_string()))?;
        if cfg.frames < 3 || cfg.frames > 64 {
            return Err(DlProbeError::Config(format!(
                "{} frames: use 3…64",
                cfg.frames
            )));
        }
        if !(cfg.carrier.hz().is_finite() && cfg.carrier.hz() > 0.0 && cfg.snr_db.is_finite()) {
            return Err(DlProbeError::Config(
                "carrier and SNR must be finite".into(),
            ));
        }
        let mib = MibNb {
            sfn_msb4: 0,
            hsfn_lsb2: 0,
            scheduling_info_sib1: 0,
            system_info_value_tag: 0,
            ab_enabled: false,
            operation_mode: OperationMode::Standalone(0),
            trailing11: 0,
        };
        Ok(DlProbe {
            cfg,
            tx: NbiotCellTx::new(cell, NrsPorts::One, mib),
            searcher: CellSearcher::new(
                NpssSearchConfig::default(),
                cfg.frames * SAMPLES_PER_FRAME,
            ),
        })
    }

    /// Run the cell search on the signal the terminal at `ue` receives from `sat` starting
    /// at `at` (regenerative payload: the satellite is the cell).
    pub fn run(
        &mut self,
        sat: &Satellite,
        ue: GroundSite,
        at: UtcTime,
    ) -> Result<DlProbeResult, DlProbeError> {
        let cfg = self.cfg;
        let truth_link = LinkConfig {
            ue,
            gateway: None,
            f_dl: cfg.carrier,
            f_ul: cfg.carrier,
            eop: cfg.eop,
        };
        // The transmitter starts enough whole frames before `at` to cover the propagation
        // delay (a few ms for a LEO, ~130 ms for a GEO), so the delay line is full by then.
        let delay_s = truth_link.snapshot(sat, at)?.one_way_delay.s();
        let frame_s = SAMPLES_PER_FRAME as f64 / PROBE_SAMPLE_RATE_HZ;
        let lead_frames = (delay_s / frame_s).ceil() as usize + 1;
        let origin = at.add_secs(-(lead_frames as f64) * frame_s);
        let mut channel = Channel::new(ChannelConfig {
            path: Some(OrbitPathConfig {
                satellite: sat.clone(),
                ue,
                payload: Payload::Regenerative,
                direction: Direction::Downlink,
                carrier: cfg.carrier,
                origin,
                sample_rate: Hz(PROBE_SAMPLE_RATE_HZ),
                eop: cfg.eop,
                grid_step: DEFAULT_GRID_STEP,
                dl_reference_point: None,
                interp_half_length: 8,
            }),
            gain_db: 0.0,
            fading: None,
            noise: Some(NoiseConfig {
                snr_db: cfg.snr_db,
                // 12 of 128 subcarriers carry unit-power REs.
                signal_power: 12.0 / 128.0,
                snr_bandwidth: Some(Hz(180e3)),
                sample_rate: Hz(PROBE_SAMPLE_RATE_HZ),
                seed: cfg.seed,
            }),
        })?;
        let mut frame = vec![Complex32::default(); SAMPLES_PER_FRAME];
        let mut out = vec![Complex32::default(); SAMPLES_PER_FRAME];
        let mut rx = Vec::with_capacity(cfg.frames * SAMPLES_PER_FRAME);
        for f in 0..lead_frames + cfg.frames {
            self.tx.fill_frame(0, (f % 1024) as u32, &mut frame);
            channel.process((f * SAMPLES_PER_FRAME) as u64, &frame, &mut out)?;
            if f >= lead_frames {
                rx.extend_from_slice(&out);
            }
        }
        let mid = at.add_secs(0.5 * rx.len() as f64 / PROBE_SAMPLE_RATE_HZ);
        let truth = truth_link.snapshot(sat, mid)?;
        let mut result = DlProbeResult {
            time: at,
            cell_id: None,
            measured_offset_hz: None,
            true_doppler_hz: truth.doppler_dl.hz(),
            true_doppler_rate_hz_s: truth.doppler_rate_dl_hz_s,
            mib_decoded: false,
            sfn: None,
        };
        // No cell found is an outcome to report, not a failure of the probe.
        if let Ok(r) = self.searcher.search(&rx) {
            result.cell_id = Some(r.nsss.cell.get());
            result.measured_offset_hz = Some(r.npss.offset_hz);
            result.mib_decoded = r.mib.is_some();
            result.sfn = r.sfn_at_even_frame();
        }
        Ok(result)
    }
}
