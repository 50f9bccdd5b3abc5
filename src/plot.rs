//! Plots for the CLI: stacked line charts sharing an x axis, written as PNG or SVG (by the
//! file extension). PNG text uses the embedded DejaVu Sans subset (assets/fonts), so plots
//! work on a machine with no system fonts.

use anyhow::{Context, Result, bail};
use plotters::prelude::*;
use std::path::Path;
use std::sync::Once;

static FONT: &[u8] = include_bytes!("../assets/fonts/DejaVuSans-subset.ttf");
static REGISTER: Once = Once::new();

/// Register the embedded font for PNG text (once; also used by the coverage maps).
pub fn register_font() {
    REGISTER.call_once(|| {
        // The bytes are a valid TrueType font compiled into the binary; a failure here would
        // only mean text is missing, which the PNG test catches.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// One line of a panel.
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
}

/// One panel (sub-plot): y label and its series.
pub struct Panel {
    pub y_label: String,
    pub series: Vec<Series>,
}

/// A figure of stacked panels.
pub struct Figure {
    pub title: String,
    pub x_label: String,
    pub panels: Vec<Panel>,
}

const PALETTE: [RGBColor; 5] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
];

/// Series with at most this many points are drawn with a marker at each point.
const SPARSE_POINTS: usize = 64;

impl Figure {
    /// Draw to `path`: `.png` (bitmap) or `.svg`, atomically (drawn into a temporary beside
    /// it, which replaces `path` only when complete).
    pub fn save(&self, path: &Path) -> Result<()> {
        let file = ntn_sdr::atomic::AtomicFile::create(path)?;
        self.draw_to(file.temporary(), path)?;
        file.commit()?;
        Ok(())
    }

    /// Draw to the file `to` (named `path` in messages; its extension picks the format).
    fn draw_to(&self, to: &Path, path: &Path) -> Result<()> {
        let height = 260 * self.panels.len().max(1) as u32 + 60;
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("png") => {
                register_font();
                let root = BitMapBackend::new(to, (1100, height)).into_drawing_area();
                self.draw(root)
                    .with_context(|| format!("cannot draw {}", path.display()))
            }
            Some("svg") => {
                let root = SVGBackend::new(to, (1100, height)).into_drawing_area();
                self.draw(root)
                    .with_context(|| format!("cannot draw {}", path.display()))
            }
            _ => bail!("plot file {} must end in .png or .svg", path.display()),
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, plotters::coord::Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE).map_err(|e| anyhow::anyhow!("{e}"))?;
        let root = root
            .titled(&self.title, ("sans-serif", 22))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let areas = root.split_evenly((self.panels.len().max(1), 1));
        for (panel, area) in self.panels.iter().zip(areas) {
            let pts = panel.series.iter().flat_map(|s| s.points.iter());
            let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
            for &(x, y) in pts {
                if x.is_finite() && y.is_finite() {
                    x0 = x0.min(x);
                    x1 = x1.max(x);
                    y0 = y0.min(y);
                    y1 = y1.max(y);
                }
            }
            if x0 > x1 {
                continue;
            }
            if x1 - x0 < 1e-12 {
                x1 = x0 + 1.0;
            }
            // A flat series (one point, or a constant) gets a visible band around its value.
            let pad = if y1 - y0 > 1e-12 {
                (y1 - y0) * 0.05
            } else {
                (y0.abs() * 0.05).max(1.0)
            };
            let (y0, y1) = (y0 - pad, y1 + pad);
            let mut chart = ChartBuilder::on(&area)
                .margin(12)
                .x_label_area_size(36)
                .y_label_area_size(80)
                .build_cartesian_2d(x0..x1, y0..y1)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            chart
                .configure_mesh()
                .x_desc(&self.x_label)
                .y_desc(&panel.y_label)
                .label_style(("sans-serif", 14))
                .draw()
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            for (k, s) in panel.series.iter().enumerate() {
                let color = PALETTE[k % PALETTE.len()];
                let finite = || {
                    s.points
                        .iter()
                        .copied()
                        .filter(|(x, y)| x.is_finite() && y.is_finite())
                };
                // A line through a handful of measurements hides them (and a single one
                // draws nothing): sparse series also get a marker at each point.
                if finite().count() <= SPARSE_POINTS {
                    chart
                        .draw_series(finite().map(|p| Circle::new(p, 3, color.filled())))
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                }
                chart
                    .draw_series(LineSeries::new(finite(), color.stroke_width(2)))
                    .map_err(|e| anyhow::anyhow!("{e}"))?
                    .label(s.label.clone())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                    });
            }
            if panel.series.len() > 1 {
                chart
                    .configure_series_labels()
                    .background_style(WHITE.mix(0.8))
                    .border_style(BLACK)
                    .label_font(("sans-serif", 13))
                    .draw()
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            }
        }
        root.present().map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure() -> Figure {
        Figure {
            title: "test".into(),
            x_label: "t [s]".into(),
            panels: vec![Panel {
                y_label: "Doppler [kHz]".into(),
                series: vec![Series {
                    label: "DL".into(),
                    points: (0..100)
                        .map(|i| (i as f64, (i as f64 * 0.1).sin()))
                        .collect(),
                }],
            }],
        }
    }

    #[test]
    fn png_and_svg_are_written() {
        let dir = std::env::temp_dir().join(format!("ntn-plot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let png = dir.join("a.png");
        figure().save(&png).unwrap();
        let bytes = std::fs::read(&png).unwrap();
        assert_eq!(&bytes[1..4], b"PNG");
        let svg = dir.join("a.svg");
        figure().save(&svg).unwrap();
        assert!(std::fs::read_to_string(&svg).unwrap().contains("Doppler"));
        assert!(figure().save(&dir.join("a.gif")).is_err());
        // A lone measurement (a GEO pass's single NPRACH timing point) is drawn as a marker.
        let lone = Figure {
            title: "Montréal".into(),
            x_label: "t [s]".into(),
            panels: vec![Panel {
                y_label: "timing [µs]".into(),
                series: vec![Series {
                    label: "NPRACH".into(),
                    points: vec![(10.8, 0.4)],
                }],
            }],
        };
        let lone_svg = dir.join("lone.svg");
        lone.save(&lone_svg).unwrap();
        assert!(
            std::fs::read_to_string(&lone_svg)
                .unwrap()
                .contains("<circle")
        );
        lone.save(&dir.join("lone.png")).unwrap();
        std::fs::remove_dir_all(&dir).ok();
    }
}
