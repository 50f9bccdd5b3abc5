#!/usr/bin/env python3
"""Reference rows for `ntn orbit track` with default options (the bundled IERS table in force).

Run from the repository root:

    pip install -r vectors/gen/requirements.txt    # skyfield, sgp4, numpy, astropy-iers-data
    python3 vectors/gen/skyfield_eop_track.py

Writes ``vectors/data/orbit/skyfield_eop_track.json``: range, range rate, azimuth and
elevation of element sets from ``reference_tles.tle`` and the bundled
``assets/tle/default.tle`` (CBERS 2 and XM-3 from 2006) at seeded random sites (uniform on the
sphere, 0-3000 m) and random times within +/- 2 days of each epoch, computed by Skyfield as
``(sat - topos).at(t).frame_latlon_and_rates(topos)``.

Earth orientation, Skyfield side:
* UT1 - UTC: Skyfield's default ``load.timescale()`` (``builtin=True``: its bundled
  ``skyfield/data/iers.npz``, built by Skyfield from the IERS ``finals2000A.all``).
* Polar motion: Skyfield applies none unless a table is installed; this script installs the
  one from the IERS ``finals2000A.all`` shipped in PyPI ``astropy-iers-data`` (the same
  file ``vectors/gen/iers_eop.py`` extracts ntn's bundled table from) with
  ``skyfield.data.iers.install_polar_motion_table``.  Skyfield then rotates the site by the
  pole offsets (ITRS) while SGP4's TEME is rotated without them, so the net TEME -> ITRF
  rotation is W(xp, yp) R3(GMST82(UT1)) as in Vallado / AIAA 2006-6753 and in ntn.
Each row records the dut1_s, xp_arcsec and yp_arcsec Skyfield used; ``eop_vs_bundled`` in
the JSON gives the largest difference between Skyfield's builtin UT1 - UTC and the finals
file's Bulletin A value (interpolated) over the rows: the two are the same IERS data.
"""

import datetime as dt
import json
import math
import os
import random
import sys

import astropy_iers_data
import numpy
import sgp4
import skyfield
from skyfield.api import EarthSatellite, load, wgs84
from skyfield.data import iers

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import skyfield_orbit as so  # noqa: E402  (shared catalog reader, time and JSON helpers)

OUT_PATH = os.path.join(so.OUT_DIR, 'skyfield_eop_track.json')
DEFAULT_TLE = os.path.join(so.REPO_ROOT, 'assets', 'tle', 'default.tle')
SEED = 20261208
ROWS = 400
HALF_SPAN_US = 2 * 86400 * 10 ** 6


def main():
    ts = load.timescale()  # builtin=True: Skyfield's own default
    with open(astropy_iers_data.IERS_A_FILE, 'rb') as f:
        finals = iers.parse_x_y_dut1_from_finals_all(f)
    iers.install_polar_motion_table(ts, finals)
    catalog = so.read_catalog(so.CATALOG_PATH) + so.read_catalog(DEFAULT_TLE)
    rng = random.Random(SEED)
    rows = []
    max_dut1_diff = 0.0
    for k in range(ROWS):
        name, l1, l2 = catalog[k % len(catalog)]
        sat = EarthSatellite(l1, l2, name, ts)
        lat = math.degrees(math.asin(rng.uniform(-1.0, 1.0)))
        lon = rng.uniform(-180.0, 180.0)
        alt = round(rng.uniform(0.0, 3000.0), 1)
        lat, lon = round(lat, 6), round(lon, 6)
        topos = wgs84.latlon(lat, lon, elevation_m=alt)
        epoch_us = so.us_from_time(sat.epoch)
        us = epoch_us + rng.randint(-HALF_SPAN_US, HALF_SPAN_US)
        when, _, _ = so.utc_from_us(us)
        t = so.time_from_us(ts, us)
        az, el, rng_m, rr, msg = so.look(sat, topos, t)
        if msg:
            continue
        _sprime, xp, yp = t.polar_motion_angles()
        mjd = t.utc_datetime().timestamp() / 86400.0 + 40587.0
        finals_dut1 = float(numpy.interp(mjd, finals['utc_mjd'], finals['dut1']))
        max_dut1_diff = max(max_dut1_diff, abs(finals_dut1 - float(t.dut1)))
        rows.append(dict(
            norad=int(sat.model.satnum), name=name, lat_deg=lat, lon_deg=lon, alt_m=alt,
            time_utc=so.iso(when), dut1_s=so.r(float(t.dut1), 7),
            xp_arcsec=so.r(float(xp), 6), yp_arcsec=so.r(float(yp), 6),
            azimuth_deg=so.r(az, 6), elevation_deg=so.r(el, 6),
            range_m=so.r(rng_m, 4), range_rate_mps=so.r(rr, 6)))
    top = dict(
        provenance=dict(
            kind='reference',
            generator='vectors/gen/skyfield_eop_track.py',
            command='python3 vectors/gen/skyfield_eop_track.py',
            date_generated=dt.datetime.now(dt.timezone.utc).strftime('%Y-%m-%d'),
            python=sys.version.split()[0], skyfield=skyfield.__version__,
            sgp4=sgp4.__version__, numpy=numpy.__version__,
            astropy_iers_data=astropy_iers_data.__version__,
            earth_orientation=(
                'UT1-UTC from Skyfield\'s default load.timescale() (builtin iers.npz); polar motion '
                'from finals2000A.all of astropy-iers-data %s installed with '
                'skyfield.data.iers.install_polar_motion_table' % astropy_iers_data.__version__),
            catalogs=['vectors/data/orbit/reference_tles.tle', 'assets/tle/default.tle']),
        description=('Skyfield look angles, range and range rate at seeded random sites and '
                     'times within +/- 2 days of each element-set epoch, with IERS Earth '
                     'orientation (UT1-UTC and polar motion) in force.'),
        tolerances=dict(range_m=1.0, range_rate_mps=1e-3,
                        note='issue 21 acceptance: ntn orbit track with default options'),
        eop_vs_bundled=dict(
            what='largest |Skyfield builtin UT1-UTC - finals2000A.all Bulletin A UT1-UTC| over the rows, s',
            max_abs_s=float('%.3g' % max_dut1_diff)),
        counts=dict(rows=len(rows)),
    )
    n = so.dump_json(OUT_PATH, top, 'rows', rows)
    print('%s: %d rows, %d bytes, max dut1 difference %.3g s' % (OUT_PATH, len(rows), n,
                                                                  max_dut1_diff))


if __name__ == '__main__':
    main()
