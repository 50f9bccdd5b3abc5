//! Maps of per-cell statistics (equirectangular, plate carrée) with Natural Earth 1:110m
//! coastlines, as PNG or SVG, written to a `Write`.
//!
//! Text in PNGs needs a font registered with plotters' `ab_glyph` backend
//! ([`register_font`]); without one, PNG maps are drawn without title and labels
//! ([`MapOptions::text`]). SVG maps carry their text as `<text>` elements. The shared plot
//! helper of the CLI framework may take this over.

use crate::error::CoverageError;
use crate::grid::Grid;
use crate::stats::CellStats;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::io::Write;

/// The coastline polylines (see `assets/README.md`).
const LAND_110M: &str = include_str!("../../assets/land_110m.txt");

/// Which per-cell statistic a map shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapQuantity {
    /// Fraction of time covered, 0…1.
    CoveredFraction,
    /// Mean number of visible satellites.
    MeanVisible,
    /// Longest outage, minutes.
    LongestOutage,
    /// Median best-server C/N, dB.
    CnMedian,
}

impl MapQuantity {
    /// All quantities, in file order.
    pub const ALL: [MapQuantity; 4] = [
        MapQuantity::CoveredFraction,
        MapQuantity::MeanVisible,
        MapQuantity::LongestOutage,
        MapQuantity::CnMedian,
    ];

    /// Short name for file names.
    pub fn slug(&self) -> &'static str {
        match self {
            MapQuantity::CoveredFraction => "coverage",
            MapQuantity::MeanVisible => "visible",
            MapQuantity::LongestOutage => "max_outage",
            MapQuantity::CnMedian => "cn",
        }
    }

    /// Title text.
    pub fn title(&self) -> &'static str {
        match self {
            MapQuantity::CoveredFraction => "Fraction of time covered",
            MapQuantity::MeanVisible => "Mean visible satellites",
            MapQuantity::LongestOutage => "Longest outage [min]",
            MapQuantity::CnMedian => "Best-server C/N, median [dB]",
        }
    }

    /// The value of a cell, if it has one.
    pub fn value(&self, c: &CellStats) -> Option<f64> {
        match self {
            MapQuantity::CoveredFraction => Some(c.covered_fraction),
            MapQuantity::MeanVisible => Some(c.mean_visible),
            MapQuantity::LongestOutage => Some(c.longest_outage_s / 60.0),
            MapQuantity::CnMedian => c.cn_percentiles_db.map(|p| p[1]),
        }
    }
}

/// Size and text of a map.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MapOptions {
    /// Width, pixels.
    pub width_px: u32,
    /// Height, pixels.
    pub height_px: u32,
    /// Draw title and labels (PNG needs a registered font for that).
    pub text: bool,
}

impl Default for MapOptions {
    fn default() -> Self {
        MapOptions {
            width_px: 1200,
            height_px: 640,
            text: true,
        }
    }
}

/// Register the font used for PNG text (a TrueType/OpenType file's bytes) under the
/// family name "sans-serif".
pub fn register_font(bytes: &'static [u8]) -> Result<(), CoverageError> {
    plotters::style::register_font("sans-serif", FontStyle::Normal, bytes)
        .map_err(|_| CoverageError::Plot("the font cannot be read".into()))
}

/// Render a map as PNG.
pub fn write_png(
    grid: &Grid,
    cells: &[CellStats],
    q: MapQuantity,
    subtitle: &str,
    opts: &MapOptions,
    w: &mut dyn Write,
) -> Result<(), CoverageError> {
    let (width, height) = (opts.width_px, opts.height_px);
    if width < 200 || height < 120 || width > 20_000 || height > 20_000 {
        return Err(CoverageError::Plot(format!("map size {width}×{height} px")));
    }
    let mut rgb = vec![0u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        draw(&root, grid, cells, q, subtitle, opts)?;
        root.present().map_err(plot_err)?;
    }
    let mut enc = png::Encoder::new(w, width, height);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc
        .write_header()
        .map_err(|e| CoverageError::Plot(format!("PNG: {e}")))?;
    writer
        .write_image_data(&rgb)
        .map_err(|e| CoverageError::Plot(format!("PNG: {e}")))?;
    writer
        .finish()
        .map_err(|e| CoverageError::Plot(format!("PNG: {e}")))?;
    Ok(())
}

/// Render a map as SVG.
pub fn write_svg(
    grid: &Grid,
    cells: &[CellStats],
    q: MapQuantity,
    subtitle: &str,
    opts: &MapOptions,
    w: &mut dyn Write,
) -> Result<(), CoverageError> {
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (opts.width_px, opts.height_px)).into_drawing_area();
        draw(&root, grid, cells, q, subtitle, opts)?;
        root.present().map_err(plot_err)?;
    }
    w.write_all(svg.as_bytes())?;
    Ok(())
}

fn plot_err<E: std::fmt::Debug>(e: E) -> CoverageError {
    CoverageError::Plot(format!("{e:?}"))
}

/// A colour ramp from dark blue through teal and green to yellow (five stops, linear in
/// RGB between them).
pub fn ramp(t: f64) -> RGBColor {
    const STOPS: [[f64; 3]; 5] = [
        [38.0, 24.0, 96.0],
        [36.0, 96.0, 168.0],
        [24.0, 160.0, 140.0],
        [150.0, 204.0, 64.0],
        [252.0, 230.0, 40.0],
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * 4.0;
    let i = (x.floor() as usize).min(3);
    let f = x - i as f64;
    let c = |k: usize| (STOPS[i][k] + f * (STOPS[i + 1][k] - STOPS[i][k])).round() as u8;
    RGBColor(c(0), c(1), c(2))
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    grid: &Grid,
    cells: &[CellStats],
    q: MapQuantity,
    subtitle: &str,
    opts: &MapOptions,
) -> Result<(), CoverageError> {
    root.fill(&WHITE).map_err(plot_err)?;
    let spec = grid.spec();
    let (w, h) = (opts.width_px as f64, opts.height_px as f64);
    let (left, top, bar_w) = (10.0, if opts.text { 44.0 } else { 10.0 }, 110.0);
    let lon_span = spec.lon_max_deg - spec.lon_min_deg;
    let lat_span = spec.lat_max_deg - spec.lat_min_deg;
    // Fit the box, keeping 1° of longitude as wide as 1° of latitude.
    let scale = ((w - left - bar_w - 10.0) / lon_span).min((h - top - 10.0) / lat_span);
    let px = |lon: f64, lat: f64| -> (i32, i32) {
        (
            (left + (lon - spec.lon_min_deg) * scale).round() as i32,
            (top + (spec.lat_max_deg - lat) * scale).round() as i32,
        )
    };
    let values: Vec<Option<f64>> = cells.iter().map(|c| q.value(c)).collect();
    let (lo, hi) = match q {
        MapQuantity::CoveredFraction => (0.0, 1.0),
        _ => {
            let finite = values.iter().flatten().filter(|v| v.is_finite());
            let lo = finite.clone().fold(f64::INFINITY, |a, &b| a.min(b));
            let hi = finite.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
            if lo.is_finite() && hi > lo {
                (if q == MapQuantity::CnMedian { lo } else { 0.0 }, hi)
            } else if lo.is_finite() {
                (lo - 0.5, lo + 0.5)
            } else {
                (0.0, 1.0)
            }
        }
    };
    let grey = RGBColor(200, 200, 200);
    for (c, v) in values.iter().enumerate() {
        let [w_, s_, e_, n_] = grid.cell_bounds_deg(c);
        let colour = match v {
            Some(v) if v.is_finite() => ramp((v - lo) / (hi - lo)),
            _ => grey,
        };
        root.draw(&Rectangle::new([px(w_, n_), px(e_, s_)], colour.filled()))
            .map_err(plot_err)?;
    }
    // Coastlines: each polyline shifted by 360° as needed into the box, split where it
    // jumps across the antimeridian or leaves the box.
    let coast = RGBColor(0, 0, 0);
    let inside = |lon: f64, lat: f64| {
        lon >= spec.lon_min_deg
            && lon <= spec.lon_max_deg
            && lat >= spec.lat_min_deg
            && lat <= spec.lat_max_deg
    };
    for line in LAND_110M.lines().filter(|l| !l.starts_with('#')) {
        let mut run: Vec<(i32, i32)> = Vec::new();
        let mut prev_lon: Option<f64> = None;
        for pair in line.split_ascii_whitespace() {
            let Some((a, b)) = pair.split_once(',') else {
                continue;
            };
            let (Ok(mut lon), Ok(lat)) = (a.parse::<f64>(), b.parse::<f64>()) else {
                continue;
            };
            while lon < spec.lon_min_deg {
                lon += 360.0;
            }
            while lon > spec.lon_max_deg && lon - 360.0 >= spec.lon_min_deg {
                lon -= 360.0;
            }
            let jump = prev_lon.is_some_and(|p| (lon - p).abs() > 180.0);
            if !inside(lon, lat) || jump {
                if run.len() > 1 {
                    root.draw(&PathElement::new(std::mem::take(&mut run), coast))
                        .map_err(plot_err)?;
                }
                run.clear();
            }
            if inside(lon, lat) {
                run.push(px(lon, lat));
            }
            prev_lon = Some(lon);
        }
        if run.len() > 1 {
            root.draw(&PathElement::new(run, coast)).map_err(plot_err)?;
        }
    }
    // Frame.
    root.draw(&Rectangle::new(
        [
            px(spec.lon_min_deg, spec.lat_max_deg),
            px(spec.lon_max_deg, spec.lat_min_deg),
        ],
        BLACK.stroke_width(1),
    ))
    .map_err(plot_err)?;
    // Colour bar.
    let (x0, _) = px(spec.lon_max_deg, 0.0);
    let bar_x = x0 + 20;
    let (_, y_top) = px(spec.lon_min_deg, spec.lat_max_deg);
    let (_, y_bot) = px(spec.lon_min_deg, spec.lat_min_deg);
    let steps = 64;
    for k in 0..steps {
        let y0 = y_bot - (y_bot - y_top) * (k + 1) / steps;
        let y1 = y_bot - (y_bot - y_top) * k / steps;
        root.draw(&Rectangle::new(
            [(bar_x, y0), (bar_x + 18, y1)],
            ramp((k as f64 + 0.5) / steps as f64).filled(),
        ))
        .map_err(plot_err)?;
    }
    if opts.text {
        let font = ("sans-serif", 20).into_font();
        root.draw(&Text::new(
            format!("{} — {subtitle}", q.title()),
            (left as i32, 12),
            font,
        ))
        .map_err(plot_err)?;
        let small = ("sans-serif", 14).into_font();
        for k in 0..=4 {
            let v = lo + (hi - lo) * k as f64 / 4.0;
            let y = y_bot - (y_bot - y_top) * k / 4;
            let label = if (hi - lo).abs() < 10.0 {
                format!("{v:.2}")
            } else {
                format!("{v:.0}")
            };
            root.draw(&Text::new(label, (bar_x + 24, y - 7), small.clone()))
                .map_err(plot_err)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramp_ends() {
        assert_eq!(ramp(0.0), RGBColor(38, 24, 96));
        assert_eq!(ramp(1.0), RGBColor(252, 230, 40));
        assert_eq!(ramp(f64::NAN), ramp(0.0));
        assert_eq!(ramp(0.5), RGBColor(24, 160, 140));
    }

    #[test]
    fn coastline_asset_parses() {
        let lines: Vec<_> = LAND_110M.lines().filter(|l| !l.starts_with('#')).collect();
        assert!(lines.len() > 100);
        for l in lines {
            for pair in l.split_ascii_whitespace() {
                let (a, b) = pair.split_once(',').unwrap();
                let (lon, lat): (f64, f64) = (a.parse().unwrap(), b.parse().unwrap());
                assert!(lon.abs() <= 180.0 && lat.abs() <= 90.0);
            }
        }
    }
}
