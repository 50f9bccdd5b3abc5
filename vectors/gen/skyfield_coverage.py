#!/usr/bin/env python3
"""Independent reference for ntn-coverage: per-cell covered fraction computed with Skyfield.

Run from the repository root:

    pip install -r vectors/gen/requirements.txt
    python3 vectors/gen/skyfield_coverage.py

What it does:

1. Writes ``vectors/data/coverage/walker72.tle``: a Walker delta 53 deg: 72/6/1 shell at
   550 km, made here from its definition (T satellites in P planes, nodes 360/P apart,
   in-plane spacing 360 P/T, inter-plane phase F*360/T; circular, mean motion from
   Kepler with the WGS-72 mu and equatorial radius), formatted as TLEs with checksums,
   epoch 2024-03-01 00:00:00 UTC.  Nothing here is taken from the Rust code.
2. For 24 cell centres of the global 10 deg grid (centres at -85 + 10 i, -175 + 10 j;
   fixed seeded choice), at sea level on WGS-84, samples 00:00 + k min, k = 0..359 (6 h at
   60 s), and for masks 10 deg and 25 deg, computes every satellite's elevation with
   ``(sat - topos).at(t).altaz()`` and records per cell: samples with >= 1 satellite at or
   above the mask, the per-sample covered flags, the sum of visible counts and the highest
   elevation of any visible satellite.
3. Times that straightforward loop (one vectorised Skyfield call per satellite x cell over
   all samples) and writes the cost per (satellite, cell, sample) evaluation, so a
   Starlink-size run can be scaled from it.

Kind: reference (independent implementation: Skyfield 1.55 + python-sgp4, IAU 2000
Earth orientation from Skyfield's built-in tables).  No network: builtin timescale.
"""

import datetime as dt
import json
import math
import os
import random
import sys
import time

import numpy
import sgp4
import skyfield
from skyfield.api import EarthSatellite, load, wgs84

REPO_ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
OUT_DIR = os.path.join(REPO_ROOT, 'vectors', 'data', 'coverage')
TLE_PATH = os.path.join(OUT_DIR, 'walker72.tle')
OUT_PATH = os.path.join(OUT_DIR, 'skyfield_coverage.json')

MU_WGS72_KM3_S2 = 398600.8
RE_WGS72_KM = 6378.135
T, P, F = 72, 6, 1
ALT_KM = 550.0
INC_DEG = 53.0
EPOCH = (2024, 3, 1, 0, 0, 0)
SAMPLES = 360
STEP_S = 60.0
MASKS_DEG = [10.0, 25.0]
SEED = 20240301
N_CELLS = 24


def checksum(line):
    s = 0
    for ch in line[:68]:
        if ch.isdigit():
            s += int(ch)
        elif ch == '-':
            s += 1
    return str(s % 10)


def walker_tles():
    a = RE_WGS72_KM + ALT_KM
    n_rev_day = math.sqrt(MU_WGS72_KM3_S2 / a ** 3) * 86400.0 / (2.0 * math.pi)
    per_plane = T // P
    day_of_year = (dt.date(*EPOCH[:3]) - dt.date(EPOCH[0], 1, 1)).days + 1
    out = []
    for p in range(P):
        raan = (360.0 * p / P) % 360.0
        for k in range(per_plane):
            u = (360.0 * k / per_plane + 360.0 * F * p / T) % 360.0
            norad = 1 + p * per_plane + k
            name = 'WALKER72-%d-%d' % (p, k)
            l1 = '1 %05dU 24001A   %02d%012.8f  .00000000  00000-0  00000-0 0  999' % (
                norad, EPOCH[0] % 100, day_of_year)
            l2 = '2 %05d %8.4f %8.4f %07d %8.4f %8.4f %11.8f%5d' % (
                norad, INC_DEG, raan, 0, 0.0, u, n_rev_day, 0)
            assert len(l1) == 68 and len(l2) == 68, (l1, l2)
            out.append((name, l1 + checksum(l1), l2 + checksum(l2)))
    return out


def pick_cells():
    rng = random.Random(SEED)
    centres = [(-85.0 + 10.0 * i, -175.0 + 10.0 * j) for i in range(18) for j in range(36)]
    # Mostly where a 53-degree shell reaches at least sometimes, plus a few beyond it.
    inside = [c for c in centres if abs(c[0]) <= 65.0]
    beyond = [c for c in centres if abs(c[0]) > 65.0]
    cells = rng.sample(inside, N_CELLS - 3) + rng.sample(beyond, 3)
    cells.sort()
    return cells


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    tles = walker_tles()
    with open(TLE_PATH, 'w') as f:
        for name, l1, l2 in tles:
            f.write('%s\n%s\n%s\n' % (name, l1, l2))
    ts = load.timescale(builtin=True)
    sats = [EarthSatellite(l1, l2, name, ts) for name, l1, l2 in tles]
    t = ts.utc(EPOCH[0], EPOCH[1], EPOCH[2], EPOCH[3], EPOCH[4],
               EPOCH[5] + numpy.arange(SAMPLES) * STEP_S)
    cells = pick_cells()
    rows = []
    t0 = time.perf_counter()
    for lat, lon in cells:
        topos = wgs84.latlon(lat, lon, elevation_m=0.0)
        elev = numpy.empty((len(sats), SAMPLES))
        for i, sat in enumerate(sats):
            alt, _az, _dist = (sat - topos).at(t).altaz()
            elev[i] = alt.degrees
        for mask in MASKS_DEG:
            vis = elev >= mask
            count = vis.sum(axis=0)
            covered = count > 0
            best = numpy.where(vis, elev, -numpy.inf).max(axis=0)
            rows.append({
                'lat_deg': lat,
                'lon_deg': lon,
                'mask_deg': mask,
                'covered_samples': int(covered.sum()),
                'covered_fraction': round(float(covered.sum()) / SAMPLES, 6),
                'visible_sum': int(count.sum()),
                'max_best_elevation_deg': (round(float(best.max()), 4)
                                           if covered.any() else None),
                'covered_flags': ''.join('1' if c else '0' for c in covered),
            })
    elapsed = time.perf_counter() - t0
    evaluations = len(sats) * len(cells) * SAMPLES
    ns_per_eval = elapsed / evaluations * 1e9
    starlink_evals = 6008 * 64800 * 1440
    out = {
        'provenance': {
            'kind': 'reference',
            'generator': 'vectors/gen/skyfield_coverage.py',
            'command': 'python3 vectors/gen/skyfield_coverage.py',
            'date_generated': dt.datetime.now(dt.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
            'skyfield': skyfield.__version__,
            'sgp4': sgp4.__version__,
            'numpy': numpy.__version__,
            'python': sys.version.split()[0],
            'seed': SEED,
            'notes': [
                'Independent of ntn-coverage: Walker TLEs built here from the shell definition; '
                'elevations from Skyfield (sat - wgs84.latlon(lat, lon, 0)).at(t).altaz().',
                'Skyfield builds satellites with WGS72 constants, opsmode improved; these are '
                'near-Earth orbits, for which opsmode does not matter.',
                'Skyfield rotates to the terrestrial frame with UT1 from its built-in IERS table '
                'and IAU 2000 precession-nutation; ntn uses GMST-82 with UT1 = UTC by default. '
                'The difference is a few metres to tens of metres on the satellite position.',
                'A sample counts as covered when some satellite is at or above the mask.',
            ],
        },
        'catalog': 'vectors/data/coverage/walker72.tle',
        'walker': {'total': T, 'planes': P, 'phasing': F, 'altitude_km': ALT_KM,
                   'inclination_deg': INC_DEG, 'raan0_deg': 0.0,
                   'mu_km3_s2': MU_WGS72_KM3_S2, 're_km': RE_WGS72_KM},
        'window': {'start': '2024-03-01T00:00:00Z', 'samples': SAMPLES, 'step_s': STEP_S},
        'grid': {'resolution_deg': 10.0, 'global': True},
        'timing': {
            'what': 'straightforward Skyfield loop: one vectorised (sat - topos).at(t).altaz() '
                    'per satellite x cell over all samples',
            'satellites': len(sats), 'cells': len(cells), 'samples': SAMPLES,
            'seconds': round(elapsed, 3),
            'ns_per_evaluation': round(ns_per_eval, 1),
            'scaled_to_6008_sats_x_64800_cells_x_1440_samples_s': round(
                starlink_evals * ns_per_eval * 1e-9, 0),
        },
        'rows': rows,
    }
    with open(OUT_PATH, 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')
    print('wrote %s (%d rows); Skyfield loop %.2f s = %.0f ns per evaluation; scaled %.0f s'
          % (OUT_PATH, len(rows), elapsed, ns_per_eval, starlink_evals * ns_per_eval * 1e-9))


if __name__ == '__main__':
    main()
