//! The terminal's downlink receiver at sample level: one downlink transmission of the cell
//! (MIB-NB TTI, NPDSCH, or an NPDCCH uplink grant) modulated by our transmitter, put
//! subframe by subframe through the [`ResidualChannel`] the terminal sees, and received by our
//! PHY; plus the cold acquisition of a terminal with no timing ([`DlSampleRx::acquire`]).
//!
//! ## What is sent, as the link level has it
//! - **MIB-NB** (`AirPayload::Mib`, format `Npbch`): the 34 bits of the UPER bytes (MSB
//!   first) through [`NpbchEncoder`], NPBCH in subframe 0 of the 64 frames of the TTI, the
//!   frames 10 ms apart from the window start. The tracking terminal knows its frame timing,
//!   soft-combines and tries a decode after every 8-frame block, stopping at the first CRC pass
//!   (what a UE does); an error is the TTI's end without a correct MIB-NB.
//! - **NPDSCH** (`AirPayload::Dlsch`, format `Npdsch`): the transport block of `tb.len()·8`
//!   bits (BCCH scrambling and repetition order for SI-RNTI), `N_SF = resource_units`,
//!   `M_rep = repetitions`, `l_DataStart = 0` (standalone), on `N_SF·M_rep` **consecutive**
//!   1 ms subframes from the window start — the link level does not skip the NPSS, NSSS and
//!   NPBCH subframes, and neither does this path. The NPDCCH that schedules it is folded into
//!   it at link level: only the NPDSCH is sent and received here.
//! - **Uplink grant** (`AirPayload::UlGrant`, format `Npdcch`): a DCI format N0 (23 bits, TS
//!   36.212 §6.4.3.1) on the `R = repetitions`, aggregation-level-2 candidate of a UE-specific
//!   search space with `R_max = R` starting at the window start, found by the searcher of that
//!   space (as the NPDCCH curve measures it). The candidate's subframes are the NB-IoT DL
//!   subframes from the window start (they skip subframes 0, 5 and 9 of even frames). Field
//!   mapping from the grant ([`dci_n0_bits`]): `I_sc` = first index of the tone count
//!   (1 → 0, 3 → 12, 6 → 16, 12 → 18, TS 36.213 Table 16.5.1.1-1), `(I_TBS, I_RU)` = the
//!   smallest NPUSCH TBS of Table 16.5.1.2-2 that holds `tbs_bits` (fewest RUs on a tie; multi-
//!   tone `I_MCS = I_TBS` ≤ 12, single tone `I_MCS` from Table 16.5.1.2-1 ≤ 10), `I_Delay` from
//!   `k0` (8, 16, 32, 64 → 0…3, Table 16.5.1-1), `I_Rep = log2(repetitions)`, RV 0, NDI 0, DCI
//!   subframe repetition number = the index of `R = R_max`.
//!
//! ## The receiver
//! Subframe `j` of the transmission is received in the terminal's window that starts `t_j`
//! after the window start (`t_j` = its offset on the cell's grid): the transmitted subframe
//! through [`ResidualChannel::apply`] with `x_t0_s = out_t0_s = t_j`, complex AWGN from the
//! caller's RNG, OFDM demodulation with the FFT window [`FFT_ADVANCE_SAMPLES`] samples into
//! the cyclic prefix (so that a signal up to that much early still has no inter-symbol
//! interference; the known phase ramp of that advance is removed from the resource elements),
//! then the NRS channel estimate and the channel decoder of the PHY.
//!
//! Noise: the SNR of the [`Residual`] is the downlink curves' convention (per resource element
//! of the 180 kHz carrier: a unit-power port-2000 RE against a time-domain noise variance
//! `128/SNR`, `phy::link_sim`), so that this path and the link abstraction agree at equal SNR
//! (`sim/tests/sample_dl.rs`). With two NRS ports, port 2001 arrives with amplitude 0.7 (as in
//! the curves).
//!
//! Estimates, from the least-squares NRS pilots of every received subframe:
//! - **timing**: the phase of `Σ LS(k+6, l)·LS*(k, l)` (pilots of one port six subcarriers
//!   apart in one symbol) is `−2π·6·τ/128` (τ in samples, unambiguous over ±10 samples);
//! - **frequency**: the phase of `Σ LS(k, l+7)·LS*(k, l)` (the same pilot one slot later) is
//!   `2π·f·0.5 ms` (unambiguous over ±1 kHz);
//! - both per subframe; over a transmission spanning at least [`DRIFT_FIT_SPAN_S`] a weighted
//!   straight line through the per-subframe phases gives the value at `t = 0` and the drift
//!   (the residual drifts), otherwise the mean is taken as the value at the start;
//! - the frequency is then refined, when the received subframes are at most 2.5 ms apart
//!   (NPDSCH, NPDCCH), by the phase of each subframe's NRS amplitude (timing slope and coarse
//!   offset removed) from subframe to subframe, unwrapped against the coarse value: 1 ms and
//!   more of lag instead of 0.5 ms.
//!
//! Accuracy (`sim/tests/sample_dl.rs`, 10 dB per RE, ±2 µs, ±300 Hz, drifting): timing within
//! [`TIMING_ACCURACY_S`], frequency within [`FREQ_ACCURACY_HZ`] (NPDSCH, NPDCCH); a MIB-NB,
//! measured on its NPBCH subframes only, within [`NPBCH_TIMING_ACCURACY_S`] and
//! [`NPBCH_FREQ_ACCURACY_HZ`].
//!
//! Caches: one transmitter/decoder per channel, the NPDSCH encoders by configuration (at most
//! [`ENCODER_CACHE`] entries), the NRS pilot lists by subframe, the acquisition chain built on
//! its first use; buffers are reused.

use std::collections::HashMap;

use super::channel::{LinkFading, ResidualChannel, add_awgn};
use super::{CellPhy, Residual, SAMPLE_RATE_HZ, SampleError, SampleOutcome};
use ntn_phy::Complex32;
use ntn_phy::error::PhyError;
use ntn_phy::grid::ResourceGrid;
use ntn_phy::nbiot::cell::{NbiotCellTx, SAMPLES_PER_FRAME};
use ntn_phy::nbiot::npbch::{MIB_NB_BITS, MibNb, NpbchDecoder, NpbchEncoder};
use ntn_phy::nbiot::npdcch::DCI_N0_N1_BITS;
use ntn_phy::nbiot::npdsch::{NpdschConfig, NpdschDecoder, NpdschEncoder, SI_RNTI, SubframeIndex};
use ntn_phy::nbiot::nrs::{NrsPilot, nrs_map, nrs_pilots};
use ntn_phy::nbiot::search::{CellSearcher, NpssSearchConfig};
use ntn_phy::nbiot::search_space::{
    NpdcchCell, NpdcchRepetitionEncoder, NpdcchSearcher, SearchSpaceConfig, SearchSpaceKind,
    npdcch_repetition_c_init,
};
use ntn_phy::nbiot::ul::npusch::NPUSCH_TBS;
use ntn_phy::nbiot::{NcellId, NrsPorts};
use ntn_phy::ofdm::{NBIOT_FFT_SIZE, NbiotOfdm, SAMPLES_PER_SUBFRAME, useful_start};
use ntn_stack::air::{AirPayload, LinkFormat, NbChannel};
use rand::RngCore;

/// Samples the terminal places its FFT windows into the cyclic prefix (9 or 10 samples): a
/// signal arriving up to this much early keeps clear of the next symbol, and one arriving up to
/// `CP − 4` samples late stays inside the prefix.
pub const FFT_ADVANCE_SAMPLES: usize = 4;

/// Span of a transmission from which the estimates are extrapolated to its start along a fitted
/// drift (shorter ones report their mean), s.
pub const DRIFT_FIT_SPAN_S: f64 = 0.02;

/// Timing accuracy stated for NPDSCH and NPDCCH at 10 dB per RE (the tests check it), s.
pub const TIMING_ACCURACY_S: f64 = 0.3e-6;

/// Frequency accuracy stated for NPDSCH and NPDCCH at 10 dB per RE (2 subframes or more;
/// the tests check it), Hz.
pub const FREQ_ACCURACY_HZ: f64 = 40.0;

/// Timing accuracy stated for a MIB-NB at 10 dB per RE, s: it measures on the NPBCH
/// subframes alone, 10 ms apart (8 of them when it decodes after the first block).
pub const NPBCH_TIMING_ACCURACY_S: f64 = 0.5e-6;

/// Frequency accuracy stated for a MIB-NB at 10 dB per RE, Hz (0.5 ms lag only).
pub const NPBCH_FREQ_ACCURACY_HZ: f64 = 60.0;

/// Most NPDSCH encoder configurations kept (the cache is emptied when full).
pub const ENCODER_CACHE: usize = 64;

/// Radio frames in the cold-acquisition buffer (80 ms, the issue-4 acquisition budget).
pub const ACQUISITION_FRAMES: usize = 8;

/// Largest |residual delay| accepted, s, and largest |offset|, Hz (beyond: not a residual).
const MAX_ABS_DELAY_S: f64 = 0.1;
const MAX_ABS_FREQ_HZ: f64 = 500e3;

/// Subframes per H-SFN cycle (1024 hyper-frames of 1024 frames of 10 subframes).
const SUBFRAMES_PER_CYCLE: u64 = 10 * 1024 * 1024;

/// Amplitude of NRS port 2001 at the terminal relative to port 2000 (as in the DL curves).
const PORT1_GAIN: Complex32 = Complex32::new(0.0, 0.7);

/// NPDSCH encoder cache key: `(rnti, bcch, tbs_bits, n_sf, n_rep)`.
type NpdschKey = (u16, bool, usize, usize, usize);

/// The terminal's sample-level downlink receiver (see the module docs).
pub struct DlSampleRx {
    cell: CellPhy,
    channel: ResidualChannel,
    ofdm: NbiotOfdm,
    tx_grids: Vec<ResourceGrid>,
    tmp: Vec<Complex32>,
    tx: Vec<Complex32>,
    rx: Vec<Complex32>,
    grid: ResourceGrid,
    pilots: Vec<Option<Vec<NrsPilot>>>,
    npbch_dec: NpbchDecoder,
    npdsch_enc: HashMap<NpdschKey, NpdschEncoder>,
    npdsch_dec: NpdschDecoder,
    npdcch: NpdcchSearcher,
    npdcch_grids: Vec<(SubframeIndex, ResourceGrid)>,
    subframes: Vec<SubframeIndex>,
    tb_bits: Vec<u8>,
    est: Estimator,
    /// `e^{+j2π(k−5.5)·A/128}`: removes the phase ramp of the FFT advance `A`.
    advance_ramp: [Complex32; 12],
    acq: Option<(NbiotCellTx, CellSearcher)>,
}

impl std::fmt::Debug for DlSampleRx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DlSampleRx")
            .field("cell", &self.cell)
            .field("cached_npdsch_encoders", &self.npdsch_enc.len())
            .finish_non_exhaustive()
    }
}

impl DlSampleRx {
    /// A receiver of the downlink of `cell` (an invalid identity or port count is reported by
    /// [`Self::receive`] as `Unsupported`).
    pub fn new(cell: CellPhy) -> Self {
        DlSampleRx {
            cell,
            channel: ResidualChannel::new(),
            ofdm: NbiotOfdm::new(),
            tx_grids: vec![ResourceGrid::nbiot_subframe(); 2],
            tmp: vec![Complex32::default(); SAMPLES_PER_SUBFRAME],
            tx: vec![Complex32::default(); SAMPLES_PER_SUBFRAME],
            rx: vec![Complex32::default(); SAMPLES_PER_SUBFRAME],
            grid: ResourceGrid::nbiot_subframe(),
            pilots: vec![None; 10],
            npbch_dec: NpbchDecoder::new(),
            npdsch_enc: HashMap::new(),
            npdsch_dec: NpdschDecoder::new(),
            npdcch: NpdcchSearcher::new().with_repetition_field(DCI_N0_N1_BITS - 2, 2),
            npdcch_grids: Vec::new(),
            subframes: Vec::new(),
            tb_bits: Vec::new(),
            est: Estimator::default(),
            advance_ramp: std::array::from_fn(|k| {
                let ph = std::f64::consts::TAU * (k as f64 - 5.5) * FFT_ADVANCE_SAMPLES as f64
                    / NBIOT_FFT_SIZE as f64;
                Complex32::new(ph.cos() as f32, ph.sin() as f32)
            }),
            acq: None,
        }
    }

    /// Sets the small-scale fading of the receptions that follow (`None`: AWGN only) and
    /// returns the one set before (see [`ResidualChannel::set_fading`]).
    pub fn set_fading(&mut self, fading: Option<LinkFading>) -> Option<LinkFading> {
        self.channel.set_fading(fading)
    }

    /// One downlink transmission (MIB-NB TTI, NPDSCH with its NPDCCH folded in, or an
    /// NPDCCH uplink grant) into a terminal that tracks the cell (its grid and carrier).
    ///
    /// # Errors
    /// `Unsupported` for another payload or channel, a payload that does not fit its format,
    /// an invalid cell, or a residual out of any plausible range; `Phy` for a non-finite
    /// residual.
    pub fn receive<R: RngCore + ?Sized>(
        &mut self,
        payload: &AirPayload,
        format: &LinkFormat,
        first_subframe: u64,
        residual: &Residual,
        rng: &mut R,
    ) -> Result<SampleOutcome, SampleError> {
        check_residual(residual)?;
        let (cell, ports) = self.identity()?;
        let sigma = noise_sigma(residual.snr_db);
        self.est.clear();
        let first_subframe = first_subframe % SUBFRAMES_PER_CYCLE;
        match (payload, format.channel) {
            (AirPayload::Mib { bytes }, NbChannel::Npbch) => {
                self.receive_mib(bytes, cell, ports, first_subframe, residual, sigma, rng)
            }
            (AirPayload::Dlsch { rnti, tb }, NbChannel::Npdsch) => self.receive_npdsch(
                *rnti,
                tb,
                format,
                (cell, ports),
                first_subframe,
                residual,
                sigma,
                rng,
            ),
            (
                AirPayload::UlGrant {
                    rnti,
                    tbs_bits,
                    k0_ms,
                    subcarriers,
                    repetitions,
                },
                NbChannel::Npdcch,
            ) => {
                let grant = Grant {
                    tbs_bits: *tbs_bits,
                    k0_ms: *k0_ms,
                    subcarriers: *subcarriers,
                    repetitions: *repetitions,
                };
                self.receive_grant(
                    *rnti,
                    &grant,
                    format,
                    (cell, ports),
                    first_subframe,
                    residual,
                    sigma,
                    rng,
                )
            }
            _ => Err(SampleError::Unsupported(format!(
                "{} on {:?} is not a downlink transmission of this receiver",
                super::payload_name(payload),
                format.channel
            ))),
        }
    }

    /// Cold acquisition by a terminal with no timing, from a MIB-NB transmission: the
    /// residual's delay_s ∈ [0, 10 ms) is where the TTI's first radio frame begins in the
    /// terminal's buffer, its freq_hz the whole Doppler (tens of kHz). Generates the cell's
    /// full downlink (NPSS, NSSS, NRS, NPBCH) for the 80 ms acquisition buffer and runs the
    /// [`CellSearcher`]; decoded = this PCI found and this MIB-NB decoded; delay_s = the
    /// estimated start of that first frame in the buffer (in [0, 10 ms)); freq_hz = the
    /// estimated offset (the searcher's estimate over the buffer).
    ///
    /// # Errors
    /// As [`Self::receive`]; `Unsupported` for a payload that is not a MIB-NB.
    pub fn acquire<R: RngCore + ?Sized>(
        &mut self,
        payload: &AirPayload,
        format: &LinkFormat,
        first_subframe: u64,
        residual: &Residual,
        rng: &mut R,
    ) -> Result<SampleOutcome, SampleError> {
        check_residual(residual)?;
        let (cell, ports) = self.identity()?;
        let (AirPayload::Mib { bytes }, NbChannel::Npbch) = (payload, format.channel) else {
            return Err(SampleError::Unsupported(
                "acquisition needs a MIB-NB on the NPBCH".into(),
            ));
        };
        let bits = mib_bits(bytes)?;
        let mib = MibNb::unpack(&bits);
        let sigma = noise_sigma(residual.snr_db);
        let first_subframe = first_subframe % SUBFRAMES_PER_CYCLE;
        let hsfn = (first_subframe / 10240) as u32;
        let n_f0 = ((first_subframe / 10) % 1024) as u32;
        let len = ACQUISITION_FRAMES * SAMPLES_PER_FRAME;
        // The chain is built once; the transmitter again when the MIB-NB content changes
        // (its SFN/H-SFN fields aside).
        let (tx, searcher) = self.acq.get_or_insert_with(|| {
            (
                NbiotCellTx::new(cell, ports, mib),
                CellSearcher::new(NpssSearchConfig::default(), len),
            )
        });
        if tx.mib_for(hsfn, n_f0) != mib {
            *tx = NbiotCellTx::new(cell, ports, mib);
        }
        // The frame before the TTI and the TTI's frames, contiguous, the first starting 10 ms
        // before the window start.
        let np = ports.count();
        let n_frames = ACQUISITION_FRAMES + 2;
        let mut frame = vec![Complex32::default(); np * SAMPLES_PER_FRAME];
        let mut x = Vec::with_capacity(n_frames * SAMPLES_PER_FRAME);
        for i in 0..n_frames as u32 {
            // frame n_f0 − 1 of the previous hyper-frame when n_f0 = 0
            let (h, f) = if n_f0 + i == 0 {
                (hsfn.wrapping_sub(1) % 1024, 1023)
            } else {
                (hsfn + (n_f0 + i - 1) / 1024, (n_f0 + i - 1) % 1024)
            };
            tx.fill_frame(h % 1024, f, &mut frame);
            x.extend((0..SAMPLES_PER_FRAME).map(|n| {
                let mut s = frame[n];
                if np == 2 {
                    s += frame[SAMPLES_PER_FRAME + n] * PORT1_GAIN;
                }
                s
            }));
        }
        let mut buf = vec![Complex32::default(); len];
        let frame_s = SAMPLES_PER_FRAME as f64 / SAMPLE_RATE_HZ;
        self.channel.apply(&x, -frame_s, residual, &mut buf, 0.0);
        add_awgn(&mut buf, sigma, rng);
        match searcher.search(&buf) {
            Ok(r) => {
                let mib_ok = r.mib.is_some_and(|(_, d)| {
                    let mut got = [0u8; MIB_NB_BITS];
                    d.mib.pack(&mut got);
                    got == bits
                });
                Ok(SampleOutcome {
                    decoded: r.nsss.cell == cell && mib_ok,
                    delay_s: Some((r.npss.frame_start % SAMPLES_PER_FRAME) as f64 / SAMPLE_RATE_HZ),
                    freq_hz: Some(r.npss.offset_hz),
                    snr_db: None,
                })
            }
            Err(PhyError::NotFound { .. }) => Ok(SampleOutcome::MISSED),
            Err(e) => Err(e.into()),
        }
    }

    fn identity(&self) -> Result<(NcellId, NrsPorts), SampleError> {
        let cell = NcellId::new(self.cell.pci)
            .map_err(|e| SampleError::Unsupported(format!("cell identity: {e}")))?;
        let ports = match self.cell.nrs_ports {
            1 => NrsPorts::One,
            2 => NrsPorts::Two,
            n => {
                return Err(SampleError::Unsupported(format!("{n} NRS ports")));
            }
        };
        Ok((cell, ports))
    }

    /// Modulates `self.tx_grids` (the cell's ports), passes the subframe through the residual
    /// channel at `t_s` after the window start, adds noise, demodulates into `self.grid` and
    /// feeds the estimator with its NRS (subframe number `sf`).
    #[allow(clippy::too_many_arguments)] // one subframe's channel inputs
    fn through_air<R: RngCore + ?Sized>(
        &mut self,
        cell: NcellId,
        ports: NrsPorts,
        sf: u32,
        t_s: f64,
        residual: &Residual,
        sigma: f32,
        rng: &mut R,
    ) -> Result<(), SampleError> {
        self.ofdm.modulate_subframe(&self.tx_grids[0], &mut self.tx);
        if ports == NrsPorts::Two {
            self.ofdm
                .modulate_subframe(&self.tx_grids[1], &mut self.tmp);
            for (a, b) in self.tx.iter_mut().zip(&self.tmp) {
                *a += b * PORT1_GAIN;
            }
        }
        self.channel
            .apply(&self.tx, t_s, residual, &mut self.rx, t_s);
        add_awgn(&mut self.rx, sigma, rng);
        for l in 0..self.grid.n_symbols() {
            let u = useful_start(l) - FFT_ADVANCE_SAMPLES;
            let sym = self.grid.symbol_mut(l);
            self.ofdm
                .demodulate_symbol(&self.rx[u..u + NBIOT_FFT_SIZE], sym)?;
            // the advance is the terminal's own choice: undo its phase ramp
            for (v, r) in sym.iter_mut().zip(&self.advance_ramp) {
                *v *= r;
            }
        }
        let pilots = pilots_of(&mut self.pilots, cell, ports, sf);
        self.est.push(t_s, &self.grid, pilots);
        Ok(())
    }

    fn clear_tx(&mut self) {
        for g in &mut self.tx_grids {
            g.clear();
        }
    }

    fn map_nrs(&mut self, cell: NcellId, ports: NrsPorts, sf: u32) {
        for p in 0..ports.count() {
            nrs_map(&mut self.tx_grids[p], cell, sf, p);
        }
    }

    #[allow(clippy::too_many_arguments)] // one transmission's inputs
    fn receive_mib<R: RngCore + ?Sized>(
        &mut self,
        bytes: &[u8],
        cell: NcellId,
        ports: NrsPorts,
        first_subframe: u64,
        residual: &Residual,
        sigma: f32,
        rng: &mut R,
    ) -> Result<SampleOutcome, SampleError> {
        let bits = mib_bits(bytes)?;
        let mut enc = NpbchEncoder::new(cell, ports);
        enc.encode(&MibNb::unpack(&bits));
        self.npbch_dec.reset_combining();
        let n_f0 = first_subframe / 10;
        let mut decoded = false;
        for i in 0..64u64 {
            let n_f = ((n_f0 + i) % 1024) as u32;
            self.clear_tx();
            enc.map_frame(n_f, &mut self.tx_grids[..ports.count()]);
            self.map_nrs(cell, ports, 0);
            self.through_air(cell, ports, 0, i as f64 * 1e-2, residual, sigma, rng)?;
            match self
                .npbch_dec
                .accumulate(&self.grid, cell, i as u32, (n_f % 8) as u8)
            {
                Ok(()) | Err(PhyError::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
            if i % 8 == 7
                && let Ok(d) = self.npbch_dec.decode_accumulated(cell)
            {
                let mut got = [0u8; MIB_NB_BITS];
                d.mib.pack(&mut got);
                decoded = got == bits;
                break;
            }
        }
        Ok(self.est.outcome(decoded))
    }

    #[allow(clippy::too_many_arguments)] // one transmission's inputs
    fn receive_npdsch<R: RngCore + ?Sized>(
        &mut self,
        rnti: u16,
        tb: &[u8],
        format: &LinkFormat,
        (cell, ports): (NcellId, NrsPorts),
        first_subframe: u64,
        residual: &Residual,
        sigma: f32,
        rng: &mut R,
    ) -> Result<SampleOutcome, SampleError> {
        let cfg = NpdschConfig {
            cell,
            ports,
            rnti,
            bcch: rnti == SI_RNTI,
            tbs_bits: tb.len() * 8,
            n_sf: usize::from(format.resource_units),
            n_rep: usize::from(format.repetitions),
            data_start_symbol: 0,
        };
        cfg.validate()
            .map_err(|e| SampleError::Unsupported(format!("NPDSCH: {e}")))?;
        self.tb_bits.clear();
        self.tb_bits.extend(
            tb.iter()
                .flat_map(|b| (0..8).rev().map(move |i| (b >> i) & 1)),
        );
        let key = (rnti, cfg.bcch, cfg.tbs_bits, cfg.n_sf, cfg.n_rep);
        if !self.npdsch_enc.contains_key(&key) {
            if self.npdsch_enc.len() >= ENCODER_CACHE {
                self.npdsch_enc.clear();
            }
            self.npdsch_enc.insert(key, NpdschEncoder::new(cfg)?);
        }
        let mut enc = self
            .npdsch_enc
            .remove(&key)
            .ok_or(SampleError::Unsupported("NPDSCH encoder cache".into()))?;
        // The encoder's cell/ports are those of this receiver (one cell per receiver).
        let result = self.npdsch_through(&mut enc, &cfg, first_subframe, residual, sigma, rng);
        self.npdsch_enc.insert(key, enc);
        result
    }

    fn npdsch_through<R: RngCore + ?Sized>(
        &mut self,
        enc: &mut NpdschEncoder,
        cfg: &NpdschConfig,
        first_subframe: u64,
        residual: &Residual,
        sigma: f32,
        rng: &mut R,
    ) -> Result<SampleOutcome, SampleError> {
        enc.encode(&self.tb_bits)?;
        let total = cfg.total_subframes();
        let mut subframes = std::mem::take(&mut self.subframes);
        subframes.clear();
        for j in 0..total as u64 {
            subframes.push(subframe_index(first_subframe + j)?);
        }
        self.npdsch_dec.start(cfg)?;
        let ports = cfg.ports;
        for (j, sf) in subframes.iter().enumerate() {
            let (seg, c_init) = cfg.segment(&subframes, j)?;
            self.clear_tx();
            enc.map_segment(seg, c_init, &mut self.tx_grids[..ports.count()])?;
            self.map_nrs(cfg.cell, ports, sf.subframe);
            self.through_air(
                cfg.cell,
                ports,
                sf.subframe,
                j as f64 * 1e-3,
                residual,
                sigma,
                rng,
            )?;
            match self
                .npdsch_dec
                .accumulate(&self.grid, sf.subframe, seg, c_init)
            {
                Ok(()) | Err(PhyError::NotFound { .. }) => {}
                Err(e) => {
                    self.subframes = subframes;
                    return Err(e.into());
                }
            }
        }
        self.subframes = subframes;
        let decoded = self
            .npdsch_dec
            .decode()
            .is_ok_and(|d| d.bits == self.tb_bits);
        Ok(self.est.outcome(decoded))
    }

    #[allow(clippy::too_many_arguments)] // one transmission's inputs
    fn receive_grant<R: RngCore + ?Sized>(
        &mut self,
        rnti: u16,
        grant: &Grant,
        format: &LinkFormat,
        (cell, ports): (NcellId, NrsPorts),
        first_subframe: u64,
        residual: &Residual,
        sigma: f32,
        rng: &mut R,
    ) -> Result<SampleOutcome, SampleError> {
        let r = usize::from(format.repetitions.max(1));
        let space = SearchSpaceConfig::new(SearchSpaceKind::UeSpecific, r, 4.0, 0.0)
            .map_err(|e| SampleError::Unsupported(format!("NPDCCH R = {r}: {e}")))?;
        let k0 = subframe_index(first_subframe)?;
        let mut cands = Vec::new();
        space.candidates(k0, None, &mut cands);
        let cand = cands
            .into_iter()
            .rev()
            .find(|c| c.repetitions == r)
            .ok_or(SampleError::Unsupported("NPDCCH candidate".into()))?;
        let dci = dci_n0_bits(grant, cand.dci_subframe_repetition)?;
        let npdcch_cell = NpdcchCell {
            cell,
            ports,
            start_symbol: 0,
        };
        let mut enc = NpdcchRepetitionEncoder::new(npdcch_cell, cand.ncce, &dci, rnti)?;
        let mut grids = std::mem::take(&mut self.npdcch_grids);
        grids.truncate(0);
        let k0_abs = u64::from(k0.absolute());
        for (j, &sf) in cand.subframes.iter().enumerate() {
            self.clear_tx();
            enc.map(
                npdcch_repetition_c_init(cell, &cand.subframes, j),
                &mut self.tx_grids[..ports.count()],
            )?;
            self.map_nrs(cell, ports, sf.subframe);
            let dt_ms = (u64::from(sf.absolute()) + 10240 - k0_abs) % 10240;
            self.through_air(
                cell,
                ports,
                sf.subframe,
                dt_ms as f64 * 1e-3,
                residual,
                sigma,
                rng,
            )?;
            grids.push((sf, self.grid.clone()));
        }
        let lookup = |s: SubframeIndex| grids.iter().find(|(x, _)| *x == s).map(|(_, g)| g);
        let found =
            self.npdcch
                .search(&space, k0, None, npdcch_cell, rnti, DCI_N0_N1_BITS, &lookup);
        self.npdcch_grids = grids;
        let decoded = match found {
            Ok(f) => f.bits == dci,
            Err(PhyError::NotFound { .. }) => false,
            Err(e) => return Err(e.into()),
        };
        Ok(self.est.outcome(decoded))
    }
}

/// The NRS pilots of subframe `sf` (0…9) for the cell's ports, from `cache`.
fn pilots_of(
    cache: &mut [Option<Vec<NrsPilot>>],
    cell: NcellId,
    ports: NrsPorts,
    sf: u32,
) -> &[NrsPilot] {
    cache[(sf % 10) as usize].get_or_insert_with(|| {
        let mut v = Vec::with_capacity(16);
        nrs_pilots(cell, sf % 10, ports, &mut v);
        v
    })
}

/// The grant fields that go into the DCI.
#[derive(Clone, Copy, Debug)]
struct Grant {
    tbs_bits: u32,
    k0_ms: u16,
    subcarriers: u8,
    repetitions: u16,
}

/// Single-tone `I_MCS` → `I_TBS` (TS 36.213 Table 16.5.1.2-1).
const SINGLE_TONE_I_TBS: [u8; 11] = [0, 2, 1, 3, 4, 5, 6, 7, 8, 9, 10];

/// The 23 bits of DCI format N0 for `grant` (mapping in the module docs).
fn dci_n0_bits(grant: &Grant, dci_subframe_repetition: u8) -> Result<Vec<u8>, SampleError> {
    let bad = |what: &str| Err(SampleError::Unsupported(format!("uplink grant: {what}")));
    let i_sc = match grant.subcarriers {
        1 => 0,
        3 => 12,
        6 => 16,
        12 => 18,
        n => return bad(&format!("{n} tones")),
    };
    // (I_MCS, I_TBS) pairs allowed for this tone count
    let mcs_tbs: Vec<(u8, u8)> = if grant.subcarriers == 1 {
        (0..11u8)
            .map(|m| (m, SINGLE_TONE_I_TBS[m as usize]))
            .collect()
    } else {
        (0..13u8).map(|m| (m, m)).collect()
    };
    let mut best: Option<(u16, u8, u8)> = None; // (tbs, i_ru, i_mcs)
    for i_ru in 0..8u8 {
        for &(m, t) in &mcs_tbs {
            let tbs = NPUSCH_TBS[t as usize][i_ru as usize];
            if u32::from(tbs) >= grant.tbs_bits && best.is_none_or(|(b, _, _)| tbs < b) {
                best = Some((tbs, i_ru, m));
            }
        }
    }
    let Some((_, i_ru, i_mcs)) = best else {
        return bad(&format!("no NPUSCH TBS holds {} bits", grant.tbs_bits));
    };
    let i_delay = match grant.k0_ms {
        8 => 0,
        16 => 1,
        32 => 2,
        64 => 3,
        k => return bad(&format!("k0 {k} ms")),
    };
    let rep = grant.repetitions;
    if !(1..=128).contains(&rep) || !rep.is_power_of_two() {
        return bad(&format!("{rep} repetitions"));
    }
    let i_rep = rep.trailing_zeros();
    let fields: [(u32, usize); 9] = [
        (0, 1), // format N0
        (i_sc, 6),
        (u32::from(i_ru), 3),
        (i_delay, 2),
        (u32::from(i_mcs), 4),
        (0, 1), // redundancy version
        (i_rep, 3),
        (0, 1), // new data indicator
        (u32::from(dci_subframe_repetition), 2),
    ];
    let mut out = Vec::with_capacity(DCI_N0_N1_BITS);
    for (v, n) in fields {
        out.extend((0..n).rev().map(|i| ((v >> i) & 1) as u8));
    }
    Ok(out)
}

/// The 34 MIB-NB bits of its UPER bytes (MSB first).
fn mib_bits(bytes: &[u8]) -> Result<[u8; MIB_NB_BITS], SampleError> {
    if bytes.len() * 8 < MIB_NB_BITS {
        return Err(SampleError::Unsupported(format!(
            "MIB-NB of {} bytes",
            bytes.len()
        )));
    }
    Ok(std::array::from_fn(|i| (bytes[i / 8] >> (7 - i % 8)) & 1))
}

/// The subframe at absolute number `abs` (ms since SFN 0 of H-SFN 0).
fn subframe_index(abs: u64) -> Result<SubframeIndex, SampleError> {
    Ok(SubframeIndex::new(
        ((abs / 10) % 1024) as u32,
        (abs % 10) as u32,
    )?)
}

/// Noise σ per real dimension for an SNR per RE (time-domain variance `128/SNR`).
fn noise_sigma(snr_db: f64) -> f32 {
    (NBIOT_FFT_SIZE as f64 / 10f64.powf(snr_db / 10.0) / 2.0).sqrt() as f32
}

fn check_residual(r: &Residual) -> Result<(), SampleError> {
    let all = [
        r.delay_s,
        r.delay_rate,
        r.freq_hz,
        r.freq_rate_hz_s,
        r.snr_db,
    ];
    if all.iter().any(|v| !v.is_finite()) {
        return Err(PhyError::NonFinite { what: "residual" }.into());
    }
    if r.delay_s.abs() > MAX_ABS_DELAY_S
        || r.delay_rate.abs() > 1e-3
        || r.freq_hz.abs() > MAX_ABS_FREQ_HZ
        || r.freq_rate_hz_s.abs() > 1e5
        || r.snr_db.abs() > 300.0
    {
        return Err(SampleError::Unsupported(format!(
            "residual out of range: {r:?}"
        )));
    }
    Ok(())
}

/// The NRS correlations of one subframe: `timing` = Σ LS(k+6)·LS*(k) within a symbol,
/// `freq` = Σ LS(k, l+7)·LS*(k, l) (one slot apart).
#[derive(Clone, Copy, Debug, Default)]
struct NrsMeasure {
    timing: Complex32,
    freq: Complex32,
}

/// The phase (rad) that undoes, on the NRS pilot at subcarrier `k` of symbol `l`, a delay of
/// `tau_samples` (across subcarriers, about the band centre) and a carrier offset of
/// `coarse_hz` (at the symbol's centre within its subframe).
fn pilot_turn(k: u8, l: u8, tau_samples: f64, coarse_hz: f64) -> f64 {
    use std::f64::consts::TAU;
    let t_sym = (useful_start(usize::from(l)) - FFT_ADVANCE_SAMPLES + NBIOT_FFT_SIZE / 2) as f64
        / SAMPLE_RATE_HZ;
    TAU * (f64::from(k) - 5.5) * tau_samples / NBIOT_FFT_SIZE as f64 - TAU * coarse_hz * t_sym
}

/// `x` is a number above zero (not NaN).
fn positive(x: f64) -> bool {
    x.is_finite() && x > 0.0
}

/// One least-squares NRS pilot of a received subframe: subcarrier, symbol, port, value.
type LsPilot = (u8, u8, u8, Complex32);

/// Per-subframe NRS correlations and pilots of one transmission, reduced to estimates:
/// timing and a coarse frequency from the correlations ([`Self::phase_line`]); over
/// subframes at most [`FINE_MAX_GAP_S`] apart the frequency is refined by the phase of the
/// per-subframe NRS amplitude from subframe to subframe (unwrapped against the coarse value).
#[derive(Debug, Default)]
struct Estimator {
    points: Vec<(f64, NrsMeasure)>,
    ls: Vec<LsPilot>,
    /// `(t_s, first, end)` of each subframe's pilots in `ls`.
    spans: Vec<(f64, usize, usize)>,
}

/// Fewest slots of NRS (four port-0 pilots each) over which the receiver states an SNR: at
/// −6 dB, 16 slots scatter the estimate by about ±2 dB, while a 1–4 subframe reception
/// scatters it by 5–20 dB. NRSRP is measured on the MIB-NB (64 subframes per TTI), SIBs and
/// longer transmissions.
pub const SNR_MIN_SLOTS: usize = 16;

/// Largest gap between received subframes over which the fine frequency stage unwraps.
const FINE_MAX_GAP_S: f64 = 2.5e-3;

/// A straight line through per-subframe phases: value at `t = 0`, slope (rad/s).
#[derive(Clone, Copy, Debug)]
struct PhaseLine {
    at_start: f64,
    slope: f64,
    /// Weighted mean time of the points, s.
    t_mean: f64,
}

impl Estimator {
    fn clear(&mut self) {
        self.points.clear();
        self.ls.clear();
        self.spans.clear();
    }

    fn push(&mut self, t_s: f64, grid: &ResourceGrid, pilots: &[NrsPilot]) {
        let first = self.ls.len();
        self.ls.extend(pilots.iter().map(|p| {
            (
                p.k as u8,
                p.l as u8,
                p.port as u8,
                grid.get(p.k, p.l) * p.value.conj(),
            )
        }));
        let ls = &self.ls[first..];
        let mut m = NrsMeasure::default();
        for &(ka, la, pa, za) in ls {
            for &(kb, lb, pb, zb) in ls {
                if pa != pb {
                    continue;
                }
                if la == lb && kb == ka + 6 {
                    m.timing += zb * za.conj();
                }
                if lb == la + 7 && kb == ka {
                    m.freq += zb * za.conj();
                }
            }
        }
        self.points.push((t_s, m));
        self.spans.push((t_s, first, self.ls.len()));
    }

    /// The weighted line through the phases of `z` per subframe (their deviations from the
    /// phase of `Σz`); over less than [`DRIFT_FIT_SPAN_S`] or three points a flat line at
    /// that phase. `None` without energy.
    fn phase_line(&self, z: impl Fn(&NrsMeasure) -> Complex32) -> Option<PhaseLine> {
        let sum: Complex32 = self.points.iter().map(|(_, m)| z(m)).sum();
        if !positive(f64::from(sum.norm())) {
            return None;
        }
        let mean = f64::from(sum.arg());
        let rot = sum.conj() / sum.norm();
        let (mut sw, mut st, mut stt, mut sd, mut std_) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (t, m) in &self.points {
            let zi = z(m);
            let w = f64::from(zi.norm());
            if !positive(w) {
                continue;
            }
            let d = f64::from((zi * rot).arg());
            sw += w;
            st += w * t;
            stt += w * t * t;
            sd += w * d;
            std_ += w * t * d;
        }
        let t_mean = st / sw;
        let flat = PhaseLine {
            at_start: mean,
            slope: 0.0,
            t_mean,
        };
        let (t_first, t_last) = (self.points.first()?.0, self.points.last()?.0);
        if self.points.len() < 3 || t_last - t_first < DRIFT_FIT_SPAN_S {
            return Some(flat);
        }
        let det = sw * stt - st * st;
        if !positive(det.abs() - 1e-12 * sw * sw) {
            return Some(flat);
        }
        Some(PhaseLine {
            at_start: mean + (stt * sd - st * std_) / det,
            slope: (sw * std_ - st * sd) / det,
            t_mean,
        })
    }

    /// The mean carrier offset over the transmission from the phase of the per-subframe NRS
    /// amplitude (timing slope `tau_samples` and the coarse offset removed), Hz; `None` when
    /// the subframes are too far apart or too few.
    fn fine_offset_hz(&self, coarse_hz: f64, tau_samples: f64) -> Option<f64> {
        use std::f64::consts::TAU;
        if self.spans.len() < 2
            || self
                .spans
                .windows(2)
                .any(|w| w[1].0 - w[0].0 > FINE_MAX_GAP_S)
        {
            return None;
        }
        let (mut sw, mut st, mut stt, mut su, mut stu) = (0.0, 0.0, 0.0, 0.0, 0.0);
        let mut prev: Option<f64> = None;
        let mut unwrapped = 0.0;
        for &(t, a, b) in &self.spans {
            let mut amp = Complex32::default();
            for &(k, l, _, z) in &self.ls[a..b] {
                let ph = pilot_turn(k, l, tau_samples, coarse_hz);
                amp += z * Complex32::new(ph.cos() as f32, ph.sin() as f32);
            }
            let w = f64::from(amp.norm());
            if !positive(w) {
                continue;
            }
            let ph = f64::from(amp.arg()) - TAU * coarse_hz * t;
            unwrapped = match prev {
                None => ph,
                Some(p) => {
                    let d = ph - p;
                    unwrapped + d - (d / TAU).round() * TAU
                }
            };
            prev = Some(ph);
            sw += w;
            st += w * t;
            stt += w * t * t;
            su += w * unwrapped;
            stu += w * t * unwrapped;
        }
        let det = sw * stt - st * st;
        if !positive(det - 1e-12 * sw * sw) {
            return None;
        }
        Some(coarse_hz + (sw * stu - st * su) / det / TAU)
    }

    /// SNR per resource element from port 0's NRS, dB. The four pilots of a slot see one
    /// channel, turned by the delay across subcarriers (`tau_samples` undoes it) and by the
    /// carrier offset over the 71 µs between their two symbols (`coarse_hz`, a small
    /// correction); nothing spans slots, so a wrong frequency estimate costs little. With
    /// `a` their coherent sum, `|a|² − Σ|z|²` (the cross terms, free of each pilot's own
    /// noise) estimates `n(n−1)·S`, while the mean pilot power is S + N. Within [−30, 50] dB;
    /// `None` over fewer than [`SNR_MIN_SLOTS`] slots.
    fn snr_db(&self, tau_samples: f64, coarse_hz: f64) -> Option<f64> {
        if self.spans.len() * 2 < SNR_MIN_SLOTS {
            return None;
        }
        let (mut cross, mut weight, mut p, mut pilots) = (0.0f64, 0.0f64, 0.0f64, 0usize);
        for &(_, a, b) in &self.spans {
            for slot in 0..2u8 {
                let mut amp = Complex32::default();
                let (mut own, mut n) = (0.0f64, 0.0f64);
                for &(k, l, _, z) in self.ls[a..b].iter().filter(|x| x.2 == 0 && x.1 / 7 == slot) {
                    let ph = pilot_turn(k, l, tau_samples, coarse_hz);
                    amp += z * Complex32::new(ph.cos() as f32, ph.sin() as f32);
                    own += f64::from(z.norm_sqr());
                    n += 1.0;
                }
                cross += f64::from(amp.norm_sqr()) - own;
                weight += n * (n - 1.0);
                p += own;
                pilots += n as usize;
            }
        }
        if !positive(weight) {
            return None;
        }
        let s = cross / weight;
        let n = p / pilots as f64 - s;
        let db = if !positive(s) {
            -30.0
        } else if !positive(n) {
            50.0
        } else {
            10.0 * (s / n).log10()
        };
        Some(db.clamp(-30.0, 50.0))
    }

    fn outcome(&self, decoded: bool) -> SampleOutcome {
        use std::f64::consts::TAU;
        let tau_samples = self
            .phase_line(|m| m.timing)
            .map(|l| -l.at_start * NBIOT_FFT_SIZE as f64 / (TAU * 6.0));
        let slot_s = 0.5e-3;
        let mut coarse_hz = 0.0;
        let freq_hz = self.phase_line(|m| m.freq).map(|l| {
            let coarse_mean = (l.at_start + l.slope * l.t_mean) / (TAU * slot_s);
            coarse_hz = coarse_mean;
            let drift_hz_s = l.slope / (TAU * slot_s);
            let mean = self
                .fine_offset_hz(coarse_mean, tau_samples.unwrap_or(0.0))
                .unwrap_or(coarse_mean);
            mean - drift_hz_s * l.t_mean
        });
        SampleOutcome {
            decoded,
            delay_s: tau_samples.map(|t| t / SAMPLE_RATE_HZ),
            freq_hz,
            snr_db: self.snr_db(tau_samples.unwrap_or(0.0), coarse_hz),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dci_mapping() {
        let g = Grant {
            tbs_bits: 328,
            k0_ms: 16,
            subcarriers: 12,
            repetitions: 4,
        };
        let b = dci_n0_bits(&g, 3).unwrap();
        assert_eq!(b.len(), DCI_N0_N1_BITS);
        let ntn_phy::nbiot::npdcch::DciN0N1::N0(n0) =
            ntn_phy::nbiot::npdcch::DciN0N1::unpack(&b).unwrap()
        else {
            panic!("N0 expected");
        };
        assert_eq!(n0.subcarrier_indication, 18);
        assert_eq!(n0.scheduling_delay, 1);
        assert_eq!(n0.repetition_number, 2);
        assert_eq!(n0.dci_subframe_repetition, 3);
        let tbs = NPUSCH_TBS[n0.mcs as usize][n0.resource_assignment as usize];
        assert_eq!(tbs, 328);
        assert!(
            dci_n0_bits(
                &Grant {
                    subcarriers: 5,
                    ..g
                },
                0
            )
            .is_err()
        );
        assert!(dci_n0_bits(&Grant { k0_ms: 9, ..g }, 0).is_err());
        assert!(
            dci_n0_bits(
                &Grant {
                    repetitions: 3,
                    ..g
                },
                0
            )
            .is_err()
        );
        assert!(
            dci_n0_bits(
                &Grant {
                    tbs_bits: 100_000,
                    ..g
                },
                0
            )
            .is_err()
        );
    }

    #[test]
    fn mib_bits_msb_first() {
        let b = mib_bits(&[0x80, 0, 0, 0, 0x40]).unwrap();
        assert_eq!(b[0], 1);
        assert_eq!(b[33], 1);
        assert_eq!(b.iter().map(|&x| u32::from(x)).sum::<u32>(), 2);
        assert!(mib_bits(&[0; 4]).is_err());
    }

    #[test]
    fn sigma_matches_the_curve_convention() {
        // 0 dB per RE: time-domain variance 128, σ² = 64 per dimension
        assert!((noise_sigma(0.0) - 8.0).abs() < 1e-5);
    }
}
