#!/usr/bin/env python3
"""Extract the compact Earth-orientation table bundled with ntn-orbit.

Run from the repository root:

    pip install astropy-iers-data==0.2026.11.16.0.37.44
    python3 vectors/gen/iers_eop.py

Source: the IERS Rapid Service/Prediction Centre file ``finals2000A.all``
(IERS Bulletin A, IAU 2000A nutation model), as shipped inside the PyPI
package ``astropy-iers-data`` (file ``astropy_iers_data/data/finals2000A.all``;
the package is BSD-3-Clause, the data are the IERS's).  IERS data are freely
usable with acknowledgement of the IERS as their source (IERS conditions of
use, https://www.iers.org — "Data and products ... can be used freely").

Output: ``orbit/data/eop_finals2000A.txt``, one line per day from
2006-01-01 to the last day of the file with a UT1-UTC value (observed, then
predicted), Bulletin A columns only (the same columns Skyfield's
``skyfield.data.iers.parse_x_y_dut1_from_finals_all`` reads):

    MJD  x_p[1e-6 arcsec]  y_p[1e-6 arcsec]  UT1-UTC[1e-7 s]  LOD[1e-7 s]

Every number is an integer and is the finals value exactly (finals gives x/y
to 1e-6", UT1-UTC to 1e-7 s and LOD to 1e-4 ms).  A blank LOD (the
predictions) is written as 0.  '#' lines are comments; the header records
the source package, its version, the file's SHA-256 and the first predicted
day.
"""

import hashlib
import os
import sys

import astropy_iers_data

REPO_ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
OUT_PATH = os.path.join(REPO_ROOT, 'orbit', 'data', 'eop_finals2000A.txt')
FIRST_MJD = 53736  # 2006-01-01: the bundled CBERS 2 / XM-3 element sets are from June 2006


def field(line, a, b):
    """1-based inclusive columns a..b of a finals2000A line, stripped."""
    return line[a - 1:b].strip()


def scaled(text, digits):
    """A fixed-point decimal string to an exact integer in units of 10^-digits."""
    neg = text.startswith('-')
    text = text.lstrip('+-')
    whole, _, frac = text.partition('.')
    frac = (frac + '0' * digits)[:digits]
    v = int(whole or '0') * 10 ** digits + int(frac or '0')
    return -v if neg else v


def main():
    src = astropy_iers_data.IERS_A_FILE
    raw = open(src, 'rb').read()
    sha = hashlib.sha256(raw).hexdigest()
    rows = []
    first_pred = None
    for line in raw.decode('ascii').splitlines():
        if len(line) < 68 or not field(line, 59, 68):
            continue
        mjd = float(field(line, 8, 15))
        if mjd < FIRST_MJD:
            continue
        if mjd != int(mjd):
            raise SystemExit('non-integer MJD %r' % line[:20])
        xp = scaled(field(line, 19, 27), 6)
        yp = scaled(field(line, 38, 46), 6)
        dut1 = scaled(field(line, 59, 68), 7)
        lod_text = field(line, 80, 86)
        lod = scaled(lod_text, 4) if lod_text else 0  # 1e-4 ms = 1e-7 s
        if first_pred is None and field(line, 58, 58) == 'P':
            first_pred = int(mjd)
        rows.append((int(mjd), xp, yp, dut1, lod))
    for a, b in zip(rows, rows[1:]):
        if b[0] != a[0] + 1:
            raise SystemExit('gap in the table after MJD %d' % a[0])
    head = [
        '# ntn-orbit bundled Earth orientation table (generated: python3 vectors/gen/iers_eop.py)',
        '# source: IERS Bulletin A finals2000A.all (IAU 2000A), Bulletin A columns only',
        '# from: PyPI astropy-iers-data %s, file astropy_iers_data/data/finals2000A.all' % astropy_iers_data.__version__,
        '# sha256 of that file: %s' % sha,
        '# terms: IERS data are freely usable; source acknowledged: IERS Earth Orientation Centre / Rapid Service-Prediction Centre',
        '# span: MJD %d .. %d; predicted values from MJD %s on' % (rows[0][0], rows[-1][0], first_pred),
        '# columns: MJD xp[1e-6 arcsec] yp[1e-6 arcsec] UT1-UTC[1e-7 s] LOD[1e-7 s] (LOD 0 where finals has none)',
    ]
    with open(OUT_PATH + '.tmp', 'w') as f:
        f.write('\n'.join(head) + '\n')
        for r in rows:
            f.write('%d %d %d %d %d\n' % r)
    os.replace(OUT_PATH + '.tmp', OUT_PATH)
    print('%s: %d rows, MJD %d..%d, first predicted %s, %d bytes' % (
        OUT_PATH, len(rows), rows[0][0], rows[-1][0], first_pred, os.path.getsize(OUT_PATH)))


if __name__ == '__main__':
    sys.exit(main())
