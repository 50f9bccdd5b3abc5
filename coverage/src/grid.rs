//! The ground grid: regular latitude/longitude cells (global or a box) at a resolution in
//! degrees, each evaluated at its centre on the WGS-84 ellipsoid (height 0), each weighted by
//! its area so that percentages are percentages of area.
//!
//! Cell `c = row·cols + col`; rows run south to north, columns west to east. A cell's area is
//! the exact area of its latitude/longitude quadrangle on a sphere of the authalic radius
//! R_q = 6371.0072 km: A = R_q²·Δλ·(sin φ₂ − sin φ₁).

use crate::error::CoverageError;
use glam::DVec3;
use ntn_orbit::Geodetic;
use serde::{Deserialize, Serialize};

/// Authalic (equal-area) radius of the WGS-84 ellipsoid, m.
pub const AUTHALIC_RADIUS_M: f64 = 6_371_007.2;

/// A lat/lon box and resolution.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridSpec {
    /// Southern edge, degrees, ≥ −90.
    pub lat_min_deg: f64,
    /// Northern edge, degrees, ≤ 90.
    pub lat_max_deg: f64,
    /// Western edge, degrees.
    pub lon_min_deg: f64,
    /// Eastern edge, degrees (≤ west + 360).
    pub lon_max_deg: f64,
    /// Cell size in latitude and longitude, degrees; must divide both spans.
    pub resolution_deg: f64,
}

impl GridSpec {
    /// The whole Earth at `resolution_deg`.
    pub fn global(resolution_deg: f64) -> Self {
        GridSpec {
            lat_min_deg: -90.0,
            lat_max_deg: 90.0,
            lon_min_deg: -180.0,
            lon_max_deg: 180.0,
            resolution_deg,
        }
    }

    /// Rows and columns, after checking the box.
    pub fn shape(&self) -> Result<(u32, u32), CoverageError> {
        let bad = |s: String| Err(CoverageError::InvalidGrid(s));
        let r = self.resolution_deg;
        if !(r.is_finite() && r > 0.0 && r <= 90.0) {
            return bad(format!("resolution {r}° must be in (0°, 90°]"));
        }
        let (s, n, w, e) = (
            self.lat_min_deg,
            self.lat_max_deg,
            self.lon_min_deg,
            self.lon_max_deg,
        );
        if ![s, n, w, e].iter().all(|v| v.is_finite()) {
            return bad("box edges must be finite".into());
        }
        if !(-90.0..=90.0).contains(&s) || !(-90.0..=90.0).contains(&n) || s >= n {
            return bad(format!(
                "latitudes {s}°..{n}° must satisfy −90 ≤ south < north ≤ 90"
            ));
        }
        if !(w < e && e - w <= 360.0 + 1e-9) || w < -540.0 || e > 540.0 {
            return bad(format!(
                "longitudes {w}°..{e}° must satisfy west < east ≤ west + 360"
            ));
        }
        let count = |span: f64, what: &str| -> Result<u32, CoverageError> {
            let k = span / r;
            let kr = k.round();
            if (k - kr).abs() > 1e-6 || kr < 1.0 {
                return Err(CoverageError::InvalidGrid(format!(
                    "resolution {r}° does not divide the {what} span {span}°"
                )));
            }
            if kr > 1_000_000.0 {
                return Err(CoverageError::InvalidGrid(format!(
                    "{kr} cells along {what} is too many"
                )));
            }
            Ok(kr as u32)
        };
        let rows = count(n - s, "latitude")?;
        let cols = count(e - w, "longitude")?;
        if rows as u64 * cols as u64 > 100_000_000 {
            return bad(format!("{rows}×{cols} cells is more than 10⁸"));
        }
        Ok((rows, cols))
    }
}

/// One ground cell, precomputed for the visibility test.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cell {
    /// Centre latitude (geodetic), degrees.
    pub lat_deg: f64,
    /// Centre longitude, degrees in [−180, 180).
    pub lon_deg: f64,
    /// Centre on the ellipsoid, ECEF, m.
    pub ecef_m: DVec3,
    /// Local up (ellipsoid normal), ECEF unit vector.
    pub up: DVec3,
}

/// The grid with every cell precomputed.
#[derive(Clone, Debug)]
pub struct Grid {
    spec: GridSpec,
    rows: u32,
    cols: u32,
    cells: Vec<Cell>,
    row_area_m2: Vec<f64>,
    row_geocentric_lat_rad: Vec<f64>,
}

impl Grid {
    /// Build the grid of a spec.
    pub fn new(spec: GridSpec) -> Result<Self, CoverageError> {
        let (rows, cols) = spec.shape()?;
        let r = spec.resolution_deg;
        let mut cells = Vec::with_capacity(rows as usize * cols as usize);
        let mut row_area_m2 = Vec::with_capacity(rows as usize);
        let mut row_geocentric_lat_rad = Vec::with_capacity(rows as usize);
        for i in 0..rows {
            let lat_s = spec.lat_min_deg + r * i as f64;
            let lat_n = (lat_s + r).min(90.0);
            let lat = lat_s + 0.5 * r;
            let dlon = r.to_radians();
            row_area_m2.push(
                AUTHALIC_RADIUS_M
                    * AUTHALIC_RADIUS_M
                    * dlon
                    * (lat_n.to_radians().sin() - lat_s.to_radians().sin()),
            );
            for j in 0..cols {
                let lon = normalise_lon_deg(spec.lon_min_deg + r * (j as f64 + 0.5));
                let g = Geodetic::from_degrees(lat, lon, 0.0);
                let ecef_m = g.to_ecef().xyz_m();
                if j == 0 {
                    row_geocentric_lat_rad.push((ecef_m.z / ecef_m.length()).asin());
                }
                cells.push(Cell {
                    lat_deg: lat,
                    lon_deg: lon,
                    ecef_m,
                    up: g.enu_axes()[2],
                });
            }
        }
        Ok(Grid {
            spec,
            rows,
            cols,
            cells,
            row_area_m2,
            row_geocentric_lat_rad,
        })
    }

    /// The spec it was built from.
    pub fn spec(&self) -> &GridSpec {
        &self.spec
    }
    /// Number of rows (latitude bands).
    pub fn rows(&self) -> u32 {
        self.rows
    }
    /// Number of columns.
    pub fn cols(&self) -> u32 {
        self.cols
    }
    /// Number of cells.
    pub fn len(&self) -> usize {
        self.cells.len()
    }
    /// True for a grid without cells (cannot be built; kept for API symmetry).
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
    /// All cells, row-major.
    pub fn cells(&self) -> &[Cell] {
        &self.cells
    }
    /// Area of one cell of row `row`, m².
    pub fn row_cell_area_m2(&self, row: u32) -> f64 {
        self.row_area_m2[row as usize]
    }
    /// Geocentric latitude of the centres of row `row`, rad.
    pub fn row_geocentric_lat_rad(&self, row: u32) -> f64 {
        self.row_geocentric_lat_rad[row as usize]
    }
    /// Total area of the grid, m² (summed row by row, south to north).
    pub fn total_area_m2(&self) -> f64 {
        self.row_area_m2.iter().map(|a| a * self.cols as f64).sum()
    }
    /// Corner coordinates (lon, lat) in degrees of cell `c`, for drawing: west, south, east,
    /// north edges.
    pub fn cell_bounds_deg(&self, c: usize) -> [f64; 4] {
        let r = self.spec.resolution_deg;
        let row = c / self.cols as usize;
        let col = c % self.cols as usize;
        let s = self.spec.lat_min_deg + r * row as f64;
        let w = self.spec.lon_min_deg + r * col as f64;
        [w, s, w + r, (s + r).min(90.0)]
    }
}

/// A longitude folded into [−180, 180).
pub fn normalise_lon_deg(lon: f64) -> f64 {
    (lon + 180.0).rem_euclid(360.0) - 180.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_grid_area_and_layout() {
        let g = Grid::new(GridSpec::global(10.0)).unwrap();
        assert_eq!((g.rows(), g.cols(), g.len()), (18, 36, 648));
        let sphere = 4.0 * std::f64::consts::PI * AUTHALIC_RADIUS_M * AUTHALIC_RADIUS_M;
        assert!((g.total_area_m2() / sphere - 1.0).abs() < 1e-12);
        let c0 = g.cells()[0];
        assert_eq!((c0.lat_deg, c0.lon_deg), (-85.0, -175.0));
        // Equatorial cells are larger than polar ones by cos(5°)/sin(5°)·… exactly:
        let ratio = g.row_cell_area_m2(9) / g.row_cell_area_m2(17);
        let want = (10f64.to_radians().sin()) / (1.0 - 80f64.to_radians().sin());
        assert!((ratio - want).abs() < 1e-9);
        assert_eq!(g.cell_bounds_deg(37), [-170.0, -80.0, -160.0, -70.0]);
    }

    #[test]
    fn box_errors() {
        let mut s = GridSpec::global(7.0);
        assert!(matches!(s.shape(), Err(CoverageError::InvalidGrid(_))));
        s.resolution_deg = 0.0;
        assert!(s.shape().is_err());
        let b = GridSpec {
            lat_min_deg: 30.0,
            lat_max_deg: 60.0,
            lon_min_deg: -10.0,
            lon_max_deg: 40.0,
            resolution_deg: 2.5,
        };
        assert_eq!(b.shape().unwrap(), (12, 20));
        assert!(
            GridSpec {
                lat_max_deg: 20.0,
                ..b
            }
            .shape()
            .is_err()
        );
    }
}
