//! # ntn-coverage — constellation coverage over a ground grid
//!
//! For a constellation (TLE/OMM catalog or Walker shells) and a ground grid (global or a
//! lat/lon box, area-weighted cells), sampled over a time window: per cell the fraction of
//! time covered (≥ 1 satellite above the elevation mask), the visible-satellite count
//! distribution, outages (longest, mean), the best server's elevation (mean, max), its
//! largest Doppler at a stated carrier and largest delay, and, with link parameters, its C/N
//! distribution; globally the area-weighted coverage, the covered-area time series and
//! percentiles.
//!
//! * [`Constellation`], [`Grid`]/[`GridSpec`], [`CoverageConfig`] (+ [`LinkParams`]) describe
//!   the run; [`run`] computes one [`Shard`] of it into a [`CoveragePartial`].
//! * Speed: every satellite is propagated once per sample (rayon across satellites, one
//!   TEME → ECEF rotation per sample); cells look for satellites through a spatial index of
//!   sub-satellite points ([`Method::Indexed`]); the brute-force path
//!   ([`Method::BruteForce`]) stays as the oracle and gives identical results. Memory is
//!   bounded by streaming over time: per-cell accumulators plus one row of counts per sample.
//! * Scale-out: a shard is a time part × a tile (row) part; [`merge`] combines partials
//!   exactly (all accumulators are integer counts or maxima), so N shards merged give the
//!   single run's bytes. Partials travel as files ([`write_partial`], [`read_partial`]),
//!   so any scheduler (a job array, `mpirun`) can fan the shards out.
//! * Outputs: [`statistics`] then [`output`] (CSV, GeoJSON, JSON summary) and [`map`]
//!   (PNG/SVG maps with Natural Earth coastlines).
//!
//! Pure computation: no clock is read, and files are touched only through the writers'
//! `Write`/`Read` arguments.
//!
//! This crate stands alone for now so that it could be built beside `ntn-sim`; the
//! architecture places coverage in `ntn-sim` (`constellation/`), where it may be folded later.
//!
//! ```
//! use ntn_coverage::*;
//! use ntn_orbit::{UtcTime, walker::{WalkerShell, WalkerPattern}};
//! let shell = WalkerShell { total: 66, planes: 6, phasing: 2, altitude_m: 780e3,
//!     inclination_deg: 86.4, pattern: WalkerPattern::Star, raan0_deg: 0.0 };
//! let start: UtcTime = "2024-03-01T00:00:00Z".parse()?;
//! let constellation = Constellation::from_walker(&[shell], start)?;
//! let grid = Grid::new(GridSpec::global(30.0))?;
//! let config = CoverageConfig::new(TimeWindow { start, duration_s: 3600.0, step_s: 300.0 }, 10.0);
//! let result = run(&constellation, &grid, &config, Shard::WHOLE, Method::Indexed, &mut |_, _| {})?;
//! let (_cells, summary) = statistics(&result)?;
//! assert!(summary.area_weighted_coverage > 0.9);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod accum;
pub mod config;
pub mod conformance;
pub mod constellation;
pub mod engine;
pub mod error;
pub mod grid;
pub mod link;
pub mod map;
pub mod output;
pub mod result;
pub mod stats;

pub use config::{CoverageConfig, TimeWindow};
pub use constellation::Constellation;
pub use engine::{Method, Part, Shard, run, run_stoppable};
pub use error::CoverageError;
pub use grid::{Grid, GridSpec};
pub use link::LinkParams;
pub use result::{CoveragePartial, RunHeader, merge, read_partial, write_partial};
pub use stats::{CellStats, Summary, statistics};
