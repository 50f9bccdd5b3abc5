//! Cell-side NB-IoT downlink frame generator (standalone/guard-band): NPBCH in subframe 0,
//! NPSS in subframe 5, NSSS in subframe 9 of even frames, SIB1-NB (when a payload is set) in
//! subframe 4 of its scheduled frames, NRS in every subframe without NPSS/NSSS
//! (36.211 §10.2.6), modulated at 1.92 Msps.

use num_complex::Complex32;

use super::npbch::{MibNb, NPBCH_SUBFRAME, NpbchEncoder};
use super::npdsch::{
    NpdschEncoder, SIB1_SUBFRAME, Sib1Schedule, npdsch_c_init_bcch, npdsch_data_start,
};
use super::npss::{NPSS_SUBFRAME, npss_map};
use super::nrs::nrs_map;
use super::nsss::{NSSS_SUBFRAME, nsss_in_frame, nsss_map};
use super::{NcellId, NrsPorts};
use crate::error::PhyError;
use crate::grid::ResourceGrid;
use crate::ofdm::{NbiotOfdm, SAMPLES_PER_SUBFRAME};

/// Samples per 10 ms radio frame at 1.92 Msps.
pub const SAMPLES_PER_FRAME: usize = 10 * SAMPLES_PER_SUBFRAME;

/// Generates whole downlink radio frames for one cell; grids and plans are allocated once.
#[derive(Debug)]
pub struct NbiotCellTx {
    cell: NcellId,
    ports: NrsPorts,
    mib: MibNb,
    npbch: NpbchEncoder,
    encoded_tti: Option<(u32, u32)>,
    ofdm: NbiotOfdm,
    grids: Vec<ResourceGrid>,
    sib1: Option<(Sib1Schedule, NpdschEncoder)>,
}

impl NbiotCellTx {
    /// A cell with identity `cell`, `ports` NRS ports and MIB-NB content `mib` (its SFN and
    /// H-SFN fields are overwritten per TTI).
    pub fn new(cell: NcellId, ports: NrsPorts, mib: MibNb) -> Self {
        NbiotCellTx {
            cell,
            ports,
            mib,
            npbch: NpbchEncoder::new(cell, ports),
            encoded_tti: None,
            ofdm: NbiotOfdm::new(),
            grids: vec![ResourceGrid::nbiot_subframe(); ports.count()],
            sib1: None,
        }
    }

    /// Sends `payload` (the SIB1-NB transport block, bits 0/1) as SIB1-NB from now on, on the
    /// schedule of the MIB-NB's `schedulingInfoSIB1`; `None` stops sending it.
    ///
    /// # Errors
    /// `OutOfRange` for a reserved `schedulingInfoSIB1`; `Length` if the payload is not the
    /// TBS of that schedule.
    pub fn set_sib1(&mut self, payload: Option<&[u8]>) -> Result<(), PhyError> {
        let Some(bits) = payload else {
            self.sib1 = None;
            return Ok(());
        };
        let sched = Sib1Schedule::new(self.mib.scheduling_info_sib1, self.cell)?;
        let start = npdsch_data_start(self.mib.operation_mode, true, None);
        let mut enc = NpdschEncoder::new(sched.config(self.cell, self.ports, start))?;
        enc.encode(bits)?;
        self.sib1 = Some((sched, enc));
        Ok(())
    }

    /// The SIB1-NB schedule, when a SIB1-NB payload is set.
    pub fn sib1_schedule(&self) -> Option<Sib1Schedule> {
        self.sib1.as_ref().map(|(s, _)| *s)
    }

    /// The cell identity.
    pub fn cell(&self) -> NcellId {
        self.cell
    }

    /// The MIB-NB sent in the TTI of frame `n_f` of hyper-frame `hsfn`.
    pub fn mib_for(&self, hsfn: u32, n_f: u32) -> MibNb {
        MibNb {
            sfn_msb4: ((n_f >> 6) & 0xF) as u8,
            hsfn_lsb2: (hsfn & 3) as u8,
            ..self.mib
        }
    }

    /// Writes frame `n_f` (0…1023) of hyper-frame `hsfn` into `out`: `ports × 19200`
    /// samples, port-major (one antenna per port).
    ///
    /// # Panics
    /// If `out.len() != ports·19200` (a caller bug).
    pub fn fill_frame(&mut self, hsfn: u32, n_f: u32, out: &mut [Complex32]) {
        let np = self.ports.count();
        assert_eq!(
            out.len(),
            np * SAMPLES_PER_FRAME,
            "fill_frame: ports × 19200 samples"
        );
        let n_f = n_f % 1024;
        let tti = (hsfn, n_f / 64);
        if self.encoded_tti != Some(tti) {
            let mib = self.mib_for(hsfn, n_f);
            self.npbch.encode(&mib);
            self.encoded_tti = Some(tti);
        }
        for sf in 0..10usize {
            for g in self.grids.iter_mut() {
                g.clear();
            }
            match sf {
                NPBCH_SUBFRAME => {
                    self.npbch.map_frame(n_f, &mut self.grids);
                    for (p, g) in self.grids.iter_mut().enumerate() {
                        nrs_map(g, self.cell, sf as u32, p);
                    }
                }
                NPSS_SUBFRAME => {
                    // port 2000 only: NPSS/NSSS use one antenna port
                    npss_map(&mut self.grids[0]);
                }
                NSSS_SUBFRAME if nsss_in_frame(n_f) => {
                    nsss_map(&mut self.grids[0], self.cell, n_f);
                }
                _ if sf as u32 == SIB1_SUBFRAME
                    && self
                        .sib1
                        .as_ref()
                        .is_some_and(|(s, _)| s.locate(n_f).is_some()) =>
                {
                    if let Some((sched, enc)) = self.sib1.as_mut()
                        && let Some(p) = sched.locate(n_f)
                    {
                        let c_init = npdsch_c_init_bcch(
                            self.cell,
                            super::npdsch::SI_RNTI,
                            p.repetition_first_frame,
                        );
                        // the segment is below N_SF = 8 and the grids match the ports
                        let _ = enc.map_segment(p.segment, c_init, &mut self.grids);
                    }
                    for (p, g) in self.grids.iter_mut().enumerate() {
                        nrs_map(g, self.cell, sf as u32, p);
                    }
                }
                _ => {
                    for (p, g) in self.grids.iter_mut().enumerate() {
                        nrs_map(g, self.cell, sf as u32, p);
                    }
                }
            }
            for (p, g) in self.grids.iter().enumerate() {
                let s = p * SAMPLES_PER_FRAME + sf * SAMPLES_PER_SUBFRAME;
                self.ofdm
                    .modulate_subframe(g, &mut out[s..s + SAMPLES_PER_SUBFRAME]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nbiot::npbch::{FrameHint, NpbchDecoder, OperationMode};

    #[test]
    fn frames_decode_and_carry_sync_signals() {
        let cell = NcellId::new(77).unwrap();
        let mib = MibNb {
            sfn_msb4: 0,
            hsfn_lsb2: 0,
            scheduling_info_sib1: 4,
            system_info_value_tag: 9,
            ab_enabled: false,
            operation_mode: OperationMode::Standalone(0),
            trailing11: 0,
        };
        let mut tx = NbiotCellTx::new(cell, NrsPorts::One, mib);
        let mut frame = vec![Complex32::default(); SAMPLES_PER_FRAME];
        let mut ofdm = NbiotOfdm::new();
        let mut grid = ResourceGrid::nbiot_subframe();
        for n_f in [130u32, 131] {
            tx.fill_frame(5, n_f, &mut frame);
            ofdm.demodulate_subframe(&frame[..1920], &mut grid).unwrap();
            let d = NpbchDecoder::new()
                .decode_subframe(&grid, cell, FrameHint::Unknown)
                .unwrap();
            assert_eq!(d.sfn(), Some(n_f as u16));
            assert_eq!(d.mib.hsfn_lsb2, 1);
            assert_eq!(d.mib.scheduling_info_sib1, 4);
            // NSSS subframe only in even frames
            ofdm.demodulate_subframe(&frame[9 * 1920..], &mut grid)
                .unwrap();
            let nsss_energy: f32 = grid.symbol(3).iter().map(|v| v.norm_sqr()).sum();
            assert_eq!(nsss_energy > 1.0, n_f % 2 == 0);
        }
    }
}
