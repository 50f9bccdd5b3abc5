//! Transmit diversity for NB-IoT channels on two NRS ports (layer mapping and precoding of
//! 36.211 §6.3.3.3 / §6.3.4.3, as NPBCH §10.2.4, NPDCCH §10.2.5 and NPDSCH §10.2.3 use them)
//! and the matching receiver combining with an NRS channel estimate.
//!
//! SFBC on consecutive REs `(2i, 2i+1)` in mapping order:
//! `y0(2i) = x(2i)/√2, y1(2i) = −x(2i+1)*/√2, y0(2i+1) = x(2i+1)/√2, y1(2i+1) = x(2i)*/√2`.

use num_complex::Complex32;

use super::NrsPorts;
use super::chest::ChannelEstimate;
use crate::grid::ResourceGrid;

/// Writes the port signals of `x` onto `pos` in the grids (one per port): port 2000 only, or
/// SFBC over ports 2000/2001. An optional per-RE factor `theta` multiplies every port's
/// symbol (NPBCH θ_f).
///
/// # Panics
/// If the slices disagree in length, `grids.len()` differs from the port count, or (two
/// ports) the RE count is odd — caller bugs.
pub fn precode_and_map(
    x: &[Complex32],
    pos: &[(usize, usize)],
    theta: Option<&[Complex32]>,
    ports: NrsPorts,
    grids: &mut [ResourceGrid],
) {
    assert_eq!(x.len(), pos.len(), "precode_and_map: one RE per symbol");
    assert_eq!(
        grids.len(),
        ports.count(),
        "precode_and_map: one grid per port"
    );
    let th = |i: usize| theta.map_or(Complex32::new(1.0, 0.0), |t| t[i]);
    match ports {
        NrsPorts::One => {
            for (i, (&v, &(k, l))) in x.iter().zip(pos).enumerate() {
                grids[0].set(k, l, v * th(i));
            }
        }
        NrsPorts::Two => {
            assert!(
                x.len().is_multiple_of(2),
                "precode_and_map: SFBC needs an even RE count"
            );
            let h = std::f32::consts::FRAC_1_SQRT_2;
            for i in (0..x.len()).step_by(2) {
                let (a, b) = (x[i], x[i + 1]);
                let (pa, pb) = (pos[i], pos[i + 1]);
                grids[0].set(pa.0, pa.1, th(i) * a * h);
                grids[0].set(pb.0, pb.1, th(i + 1) * b * h);
                grids[1].set(pa.0, pa.1, th(i) * (-b.conj()) * h);
                grids[1].set(pb.0, pb.1, th(i + 1) * a.conj() * h);
            }
        }
    }
}

/// Receiver combining: writes `scale·x̂·G` into `out` for the REs `pos` — 1 port:
/// `H*·y`; 2 ports: Alamouti combining of each RE pair. With `scale = 2√2/σ²` the real and
/// imaginary parts of `out` are the QPSK LLRs. `derotate` removes a per-RE factor first.
///
/// # Panics
/// If the slices disagree in length, or (two ports) the RE count is odd — caller bugs.
pub fn equalise(
    grid: &ResourceGrid,
    chest: &ChannelEstimate,
    ports: NrsPorts,
    pos: &[(usize, usize)],
    derotate: Option<&[Complex32]>,
    scale: f32,
    out: &mut [Complex32],
) {
    assert_eq!(out.len(), pos.len(), "equalise: one output per RE");
    let th = |i: usize| derotate.map_or(Complex32::new(1.0, 0.0), |t| t[i].conj());
    match ports {
        NrsPorts::One => {
            for (i, (o, &(k, l))) in out.iter_mut().zip(pos).enumerate() {
                let y = grid.get(k, l) * th(i);
                *o = chest.h(0, k, l).conj() * y * scale;
            }
        }
        NrsPorts::Two => {
            assert!(
                pos.len().is_multiple_of(2),
                "equalise: SFBC needs an even RE count"
            );
            let h = std::f32::consts::FRAC_1_SQRT_2;
            for i in (0..pos.len()).step_by(2) {
                let (pa, pb) = (pos[i], pos[i + 1]);
                let ya = grid.get(pa.0, pa.1) * th(i);
                let yb = grid.get(pb.0, pb.1) * th(i + 1);
                let (ha0, ha1) = (chest.h(0, pa.0, pa.1) * h, chest.h(1, pa.0, pa.1) * h);
                let (hb0, hb1) = (chest.h(0, pb.0, pb.1) * h, chest.h(1, pb.0, pb.1) * h);
                // ya = ha0·a − ha1·b*, yb = hb0·b + hb1·a*
                out[i] = (ha0.conj() * ya + hb1 * yb.conj()) * scale;
                out[i + 1] = (hb0.conj() * yb - ha1 * ya.conj()) * scale;
            }
        }
    }
}

/// Soft-bit scale for unit-energy QPSK after equalisation: 2√2/σ² of the estimate's noise.
pub fn qpsk_llr_scale(chest: &ChannelEstimate) -> f32 {
    2.0 * std::f32::consts::SQRT_2 / chest.noise_var().max(1e-12)
}

/// Equalises the REs at `pos` (no derotation) and writes their QPSK soft bits, real then
/// imaginary part of each RE, into `llr` (cleared first). `eq` is scratch.
pub fn equalised_llrs(
    grid: &ResourceGrid,
    chest: &ChannelEstimate,
    ports: NrsPorts,
    pos: &[(usize, usize)],
    eq: &mut Vec<Complex32>,
    llr: &mut Vec<f32>,
) {
    eq.clear();
    eq.resize(pos.len(), Complex32::default());
    equalise(grid, chest, ports, pos, None, qpsk_llr_scale(chest), eq);
    llr.clear();
    llr.extend(eq.iter().flat_map(|z| [z.re, z.im]));
}
