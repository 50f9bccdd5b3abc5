//! The indexed path against the brute-force oracle, and shards against the single run.
#![allow(clippy::unwrap_used)] // test helpers: a failure is the test failing

use ntn_coverage::output::{write_cells_csv, write_cells_geojson, write_summary_json};
use ntn_coverage::*;
use ntn_orbit::UtcTime;
use ntn_orbit::walker::{WalkerPattern, WalkerShell};

fn start() -> UtcTime {
    "2024-03-01T00:00:00Z".parse().unwrap()
}

fn shell(total: u32, planes: u32, phasing: u32, alt_km: f64, inc: f64) -> WalkerShell {
    WalkerShell {
        total,
        planes,
        phasing,
        altitude_m: alt_km * 1e3,
        inclination_deg: inc,
        pattern: WalkerPattern::Delta,
        raan0_deg: 0.0,
    }
}

fn config(hours: f64, step_s: f64, mask_deg: f64, link: bool) -> CoverageConfig {
    let mut c = CoverageConfig::new(
        TimeWindow {
            start: start(),
            duration_s: hours * 3600.0,
            step_s,
        },
        mask_deg,
    );
    if link {
        c.link = Some(LinkParams::default());
    }
    c
}

fn run_with(c: &Constellation, g: &Grid, cfg: &CoverageConfig, m: Method) -> CoveragePartial {
    run(c, g, cfg, Shard::WHOLE, m, &mut |_, _| {}).unwrap()
}

fn outputs(r: &CoveragePartial) -> (Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>) {
    let grid = Grid::new(r.header.grid).unwrap();
    let (cells, summary) = statistics(r).unwrap();
    let (mut csv, mut geo, mut sum, mut bin) = (vec![], vec![], vec![], vec![]);
    write_cells_csv(r, &cells, &mut csv).unwrap();
    write_cells_geojson(&grid, &cells, &mut geo).unwrap();
    write_summary_json(r, &summary, &mut sum).unwrap();
    write_partial(r, &mut bin).unwrap();
    (csv, geo, sum, bin)
}

/// Acceptance: ≥ 60 satellites, 10° grid, 6 h — indexed equals brute force exactly.
#[test]
fn indexed_equals_brute_force_walker_72_over_6h() {
    let c = Constellation::from_walker(&[shell(72, 6, 1, 550.0, 53.0)], start()).unwrap();
    let g = Grid::new(GridSpec::global(10.0)).unwrap();
    let mut coverage = vec![];
    for (mask, link) in [(0.0, false), (10.0, true), (25.0, true)] {
        let cfg = config(6.0, 60.0, mask, link);
        let fast = run_with(&c, &g, &cfg, Method::Indexed);
        let slow = run_with(&c, &g, &cfg, Method::BruteForce);
        assert_eq!(fast, slow, "mask {mask}");
        assert_eq!(outputs(&fast), outputs(&slow));
        let (_, s) = statistics(&fast).unwrap();
        assert_eq!((s.samples, s.step_s, s.cells), (360, 60.0, 648));
        // The time mean of the covered-area series is the area-weighted coverage.
        let series_mean = s.covered_area_fraction_series.iter().sum::<f64>() / 360.0;
        assert!((series_mean - s.area_weighted_coverage).abs() < 1e-12);
        coverage.push(s.area_weighted_coverage);
    }
    // 72 satellites at 550 km: nearly global at 0°, thin at 25°.
    assert!(coverage[0] > 0.9 && coverage[0] > coverage[1] && coverage[1] > coverage[2]);
    assert!(coverage[2] > 0.05 && coverage[2] < 0.5, "{coverage:?}");
}

/// Several shells of different heights (the bound uses the highest), polar and inclined.
#[test]
fn indexed_equals_brute_force_mixed_shells() {
    let shells = [
        shell(40, 5, 1, 550.0, 53.0),
        WalkerShell {
            pattern: WalkerPattern::Star,
            ..shell(24, 4, 1, 1200.0, 87.9)
        },
        shell(6, 3, 0, 8062.0, 0.0),
    ];
    let c = Constellation::from_walker(&shells, start()).unwrap();
    let g = Grid::new(GridSpec::global(10.0)).unwrap();
    let cfg = config(6.0, 120.0, 15.0, true);
    assert_eq!(
        run_with(&c, &g, &cfg, Method::Indexed),
        run_with(&c, &g, &cfg, Method::BruteForce)
    );
}

/// A real-catalog mix: LEO, MEO, GEO, Molniya and GTO element sets.
#[test]
fn indexed_equals_brute_force_reference_catalog() {
    let text = include_str!("../../vectors/data/orbit/reference_tles.tle");
    let c = Constellation::from_catalog_text(text).unwrap();
    assert!(c.len() >= 20);
    let g = Grid::new(GridSpec::global(10.0)).unwrap();
    let cfg = CoverageConfig {
        window: TimeWindow {
            start: c.satellites()[1].epoch(),
            duration_s: 6.0 * 3600.0,
            step_s: 300.0,
        },
        ..config(6.0, 300.0, 5.0, true)
    };
    let fast = run_with(&c, &g, &cfg, Method::Indexed);
    assert_eq!(fast, run_with(&c, &g, &cfg, Method::BruteForce));
}

/// Acceptance: 4 shards (time) merged give the single run byte for byte; so do tiles and a
/// time × tile mix, in any order.
#[test]
fn shards_merge_byte_for_byte() {
    let c = Constellation::from_walker(&[shell(72, 6, 1, 550.0, 53.0)], start()).unwrap();
    let g = Grid::new(GridSpec::global(10.0)).unwrap();
    let cfg = config(6.0, 60.0, 20.0, true);
    let whole = run_with(&c, &g, &cfg, Method::Indexed);
    let whole_bytes = outputs(&whole);
    let one = |time: &str, tile: &str| {
        let shard = Shard {
            time: time.parse().unwrap(),
            tile: tile.parse().unwrap(),
        };
        let p = run(&c, &g, &cfg, shard, Method::Indexed, &mut |_, _| {}).unwrap();
        // Through the file form, as the CLI does.
        let mut buf = vec![];
        write_partial(&p, &mut buf).unwrap();
        read_partial(&mut buf.as_slice()).unwrap()
    };
    let time4: Vec<_> = ["3/4", "1/4", "4/4", "2/4"]
        .iter()
        .map(|t| one(t, "1/1"))
        .collect();
    let merged = merge(time4).unwrap();
    assert_eq!(merged, whole);
    assert_eq!(outputs(&merged), whole_bytes);

    let tile4: Vec<_> = ["2/4", "4/4", "1/4", "3/4"]
        .iter()
        .map(|t| one("1/1", t))
        .collect();
    assert_eq!(outputs(&merge(tile4).unwrap()), whole_bytes);

    let mut mixed = vec![];
    for t in ["2/2", "1/2"] {
        for r in ["1/3", "3/3", "2/3"] {
            mixed.push(one(t, r));
        }
    }
    assert_eq!(outputs(&merge(mixed).unwrap()), whole_bytes);

    // Missing or duplicated parts are refused.
    let parts = vec![one("1/4", "1/1"), one("3/4", "1/1")];
    assert!(matches!(merge(parts), Err(CoverageError::Merge(_))));
    let parts = vec![one("1/2", "1/1"), one("1/2", "1/1")];
    assert!(merge(parts).is_err());
    // Partials of another run are refused.
    let other = config(6.0, 60.0, 25.0, true);
    let p = run(
        &c,
        &g,
        &other,
        Shard {
            time: "2/2".parse().unwrap(),
            tile: Part::WHOLE,
        },
        Method::Indexed,
        &mut |_, _| {},
    )
    .unwrap();
    assert!(matches!(
        merge(vec![one("1/2", "1/1"), p]),
        Err(CoverageError::Merge(_))
    ));
}

#[test]
fn bad_inputs_are_clear_errors() {
    let c = Constellation::from_walker(&[shell(12, 3, 1, 550.0, 53.0)], start()).unwrap();
    let g = Grid::new(GridSpec::global(30.0)).unwrap();
    let go = |cfg: &CoverageConfig| run(&c, &g, cfg, Shard::WHOLE, Method::Indexed, &mut |_, _| {});
    let e = go(&config(1.0, 60.0, 90.0, false)).unwrap_err();
    assert!(matches!(e, CoverageError::InvalidMask { .. }));
    assert!(e.to_string().contains("90"), "{e}");
    let e = go(&config(1.0, 0.0, 10.0, false)).unwrap_err();
    assert!(matches!(e, CoverageError::InvalidStep { .. }), "{e}");
    assert!(go(&config(1.0, 60.0, -1.0, false)).is_err());
    assert!(go(&config(1.0, 60.0, f64::NAN, false)).is_err());
    let e = Constellation::from_catalog_text("").unwrap_err();
    assert!(e.to_string().contains("empty"), "{e}");
    // More shards than samples.
    let shard = Shard {
        time: Part {
            index: 0,
            count: 100,
        },
        tile: Part::WHOLE,
    };
    let e = run(
        &c,
        &g,
        &config(1.0, 60.0, 10.0, false),
        shard,
        Method::Indexed,
        &mut |_, _| {},
    );
    assert!(matches!(e, Err(CoverageError::InvalidShard(_))));
    // Garbage partial files.
    assert!(read_partial(&mut &b"NTNCOVP1\xff\xff\xff\xff"[..]).is_err());
    assert!(read_partial(&mut &b"hello"[..]).is_err());
}

#[test]
fn maps_render() {
    use ntn_coverage::map::{MapOptions, MapQuantity, write_png, write_svg};
    let c = Constellation::from_walker(&[shell(24, 6, 1, 550.0, 53.0)], start()).unwrap();
    let g = Grid::new(GridSpec::global(10.0)).unwrap();
    let r = run_with(&c, &g, &config(1.0, 300.0, 10.0, true), Method::Indexed);
    let (cells, _) = statistics(&r).unwrap();
    for q in MapQuantity::ALL {
        let mut png = vec![];
        let opts = MapOptions {
            text: false,
            ..MapOptions::default()
        };
        write_png(&g, &cells, q, "test", &opts, &mut png).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let mut svg = vec![];
        write_svg(&g, &cells, q, "test", &MapOptions::default(), &mut svg).unwrap();
        let svg = String::from_utf8(svg).unwrap();
        assert!(svg.contains("<svg") && svg.contains(q.title()), "{q:?}");
    }
    // A box grid draws too.
    let b = Grid::new(GridSpec {
        lat_min_deg: 30.0,
        lat_max_deg: 60.0,
        lon_min_deg: -20.0,
        lon_max_deg: 40.0,
        resolution_deg: 5.0,
    })
    .unwrap();
    let r = run_with(&c, &b, &config(1.0, 300.0, 10.0, false), Method::Indexed);
    let (cells, _) = statistics(&r).unwrap();
    let mut svg = vec![];
    write_svg(
        &b,
        &cells,
        MapQuantity::CoveredFraction,
        "box",
        &MapOptions::default(),
        &mut svg,
    )
    .unwrap();
}

/// A box across the antimeridian reaching the pole, and one in the south: same results both
/// ways; the box's cells are the global grid's cells with the same statistics.
#[test]
fn boxes_match_brute_force_and_the_global_grid() {
    let shells = [
        shell(60, 6, 1, 550.0, 53.0),
        WalkerShell {
            pattern: WalkerPattern::Star,
            ..shell(24, 4, 1, 780.0, 86.4)
        },
    ];
    let c = Constellation::from_walker(&shells, start()).unwrap();
    let cfg = config(2.0, 60.0, 10.0, true);
    let global = Grid::new(GridSpec::global(5.0)).unwrap();
    let (gcells, _) = statistics(&run_with(&c, &global, &cfg, Method::Indexed)).unwrap();
    for spec in [
        GridSpec {
            lat_min_deg: 60.0,
            lat_max_deg: 90.0,
            lon_min_deg: 150.0,
            lon_max_deg: 210.0,
            resolution_deg: 5.0,
        },
        GridSpec {
            lat_min_deg: -50.0,
            lat_max_deg: -20.0,
            lon_min_deg: -80.0,
            lon_max_deg: -40.0,
            resolution_deg: 5.0,
        },
    ] {
        let g = Grid::new(spec).unwrap();
        let fast = run_with(&c, &g, &cfg, Method::Indexed);
        assert_eq!(fast, run_with(&c, &g, &cfg, Method::BruteForce));
        let (cells, _) = statistics(&fast).unwrap();
        for cell in &cells {
            let twin = gcells
                .iter()
                .find(|x| x.lat_deg == cell.lat_deg && x.lon_deg == cell.lon_deg)
                .unwrap();
            assert_eq!(cell, twin);
        }
    }
}

/// A partial file that was edited, truncated, written by an older layout, or that comes from
/// a different run is refused on read or merge, never merged.
#[test]
fn tampered_truncated_and_foreign_partials_are_refused() {
    let c = Constellation::from_walker(&[shell(24, 6, 1, 550.0, 53.0)], start()).unwrap();
    let g = Grid::new(GridSpec::global(30.0)).unwrap();
    let cfg = config(1.0, 600.0, 10.0, true);
    let part = |index: u32, cfg: &CoverageConfig| {
        let shard = Shard {
            time: Part { index, count: 2 },
            tile: Part::WHOLE,
        };
        let p = run(&c, &g, cfg, shard, Method::Indexed, &mut |_, _| {}).unwrap();
        let mut buf = vec![];
        write_partial(&p, &mut buf).unwrap();
        buf
    };
    let (a, b) = (part(0, &cfg), part(1, &cfg));
    let read = |bytes: &[u8]| read_partial(&mut &bytes[..]);
    // Intact files merge.
    merge(vec![read(&a).unwrap(), read(&b).unwrap()]).unwrap();
    // One bit flipped anywhere, in the payload or in the header: a checksum error.
    for at in [a.len() - 40, a.len() / 2, 20] {
        let mut t = a.clone();
        t[at] ^= 0x01;
        let e = read(&t).unwrap_err().to_string();
        assert!(e.contains("checksum"), "byte {at}: {e}");
    }
    // Truncated at any length.
    for n in [0, 7, 8, 40, a.len() / 2, a.len() - 1] {
        assert!(read(&a[..n]).is_err(), "{n} bytes");
    }
    // The version-1 layout (no checksum) is named and refused.
    let mut v1 = a.clone();
    v1[7] = b'1';
    let e = read(&v1).unwrap_err().to_string();
    assert!(e.contains("layout version 1"), "{e}");
    // A shard of another window (mask changed) does not merge with this run's.
    let other = part(1, &config(1.0, 600.0, 20.0, true));
    let e = merge(vec![read(&a).unwrap(), read(&other).unwrap()])
        .unwrap_err()
        .to_string();
    assert!(e.contains("different run"), "{e}");
}
