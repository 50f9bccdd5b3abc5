#!/usr/bin/env python3
"""Independent reference vectors for the ntn orbit crate, computed with Skyfield.

Run from the repository root:

    pip install -r vectors/gen/requirements.txt
    python3 vectors/gen/skyfield_orbit.py

What it does, in order:

1. Builds the TLE catalog ``vectors/data/orbit/reference_tles.tle``: one real
   public element set (the ISS TLE printed in Skyfield's own documentation) and
   synthetic element sets made here from chosen orbital elements (LEO, MEO, GEO,
   Molniya, HEO/GTO), formatted as valid TLE lines with their checksums.  The
   catalog is deterministic; ``--keep-catalog`` uses the file on disk as it is.
2. Reads the catalog back from disk, checks every element set parses with
   python-sgp4 ``Satrec.twoline2rv`` and propagates with error code 0.
3. Writes ``skyfield_look_angles.json``: azimuth, elevation, slant range and
   range rate for every (TLE, site, time), computed as
   ``(sat - topos).at(t).frame_latlon_and_rates(topos)``.
4. Writes ``skyfield_passes.json``: rise / culminate / set events from
   ``sat.find_events(topos, t0, t1, altitude_degrees=10.0)`` over a 24 h window,
   each also refined to ~1 microsecond on the same Skyfield geometry.

No network: the timescale is ``load.timescale(builtin=True)`` (UT1 and leap
seconds from the IERS tables bundled inside the Skyfield package).  No
randomness except a seeded ``random.Random`` for sub-second time jitter.
"""

import argparse
import datetime as dt
import json
import math
import os
import random
import sys

import numpy
import sgp4
import skyfield
from sgp4.api import WGS72, Satrec
from skyfield.api import EarthSatellite, load, wgs84
from skyfield.sgp4lib import theta_GMST1982

REPO_ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
OUT_DIR = os.path.join(REPO_ROOT, 'vectors', 'data', 'orbit')
CATALOG_PATH = os.path.join(OUT_DIR, 'reference_tles.tle')
LOOK_PATH = os.path.join(OUT_DIR, 'skyfield_look_angles.json')
PASS_PATH = os.path.join(OUT_DIR, 'skyfield_passes.json')
GENERATOR = 'vectors/gen/skyfield_orbit.py'
COMMAND = 'python3 vectors/gen/skyfield_orbit.py'

SEED = 20240301
TIMES_PER_PAIR = 20          # rows per (TLE, site)
GRID_TIMES = 10              # of which on a common grid over epoch +/- 1.5 d
HALF_SPAN_DAYS = 1.5
PASS_MASK_DEG = 10.0
PASS_WINDOW_HOURS = 24.0

MU_WGS72 = 398600.8          # km^3/s^2, the constant SGP4 (WGS72) uses
RE_WGS72 = 6378.135          # km
SIDEREAL_REVS_PER_DAY = 1.00273791

# ---------------------------------------------------------------------------
# Ground sites (WGS-84 geodetic, altitude above the ellipsoid).
# ---------------------------------------------------------------------------
SITES = [
    # id, name, lat_deg, lon_deg, alt_m
    ('munich', 'Munich, Germany', 48.1351, 11.582, 520.0),
    ('quito', 'Quito, Ecuador (near equator, high altitude)', -0.1807, -78.4678, 2850.0),
    ('svalbard', 'Svalbard, Norway (high latitude)', 78.2298, 15.4078, 500.0),
    ('sydney', 'Sydney, Australia (southern hemisphere)', -33.8688, 151.2093, 50.0),
    ('boulder', 'Boulder CO, USA', 40.015, -105.2705, 1650.0),
    ('null_island', 'Sea level at 0 N 0 E', 0.0, 0.0, 0.0),
]

# ---------------------------------------------------------------------------
# Real public element set, quoted character for character.
# ---------------------------------------------------------------------------
ISS_SKYFIELD_DOCS = (
    'ISS (ZARYA)',
    '1 25544U 98067A   14020.93268519  .00009878  00000-0  18200-3 0  5082',
    '2 25544  51.6498 109.4756 0003572  55.9686 274.8005 15.49815350868473',
    'Skyfield documentation, "Earth Satellites" page '
    '(https://rhodesmill.org/skyfield/earth-satellites.html; source '
    'skyfielders/python-skyfield skyfield/documentation/earth-satellites.rst): '
    'ISS (ZARYA) TLE, epoch 2014-01-20 22:23:04 UTC',
)


def mean_motion_revs_per_day(alt_km=None, a_km=None):
    """Two-body mean motion for a semi-major axis (WGS72 mu); good enough for
    choosing synthetic elements (SGP4 reads it as a Kozai mean motion)."""
    if a_km is None:
        a_km = RE_WGS72 + alt_km
    n_rad_s = math.sqrt(MU_WGS72 / a_km ** 3)
    return n_rad_s * 86400.0 / (2.0 * math.pi)


def a_from_perigee_apogee(hp_km, ha_km):
    rp, ra = RE_WGS72 + hp_km, RE_WGS72 + ha_km
    return (rp + ra) / 2.0, (ra - rp) / (ra + rp)


# Synthetic element sets.  Epochs are on 2024-03-01 (day of year 61).
# Fields: norad, name, class, epoch day-of-year (2024), incl, raan, ecc, argp,
# mean anomaly (None = place a GEO at geo_lon), mean motion rev/day, bstar,
# ndot/2 (rev/day^2, informational), geo_lon (deg E) for GEOs.
def synthetic_elements():
    a_gto, e_gto = a_from_perigee_apogee(250.0, 35786.0)
    a_mol = (86164.0905 / 2.0 / (2 * math.pi)) ** (2.0 / 3.0) * MU_WGS72 ** (1.0 / 3.0)
    s = []

    def add(norad, name, cls, doy, incl, raan, ecc, argp, ma, n, bstar, ndot, geo_lon=None):
        s.append(dict(norad=norad, name=name, cls=cls, doy=doy, incl=incl, raan=raan,
                      ecc=ecc, argp=argp, ma=ma, n=n, bstar=bstar, ndot=ndot,
                      geo_lon=geo_lon))

    # LEO
    add(90001, 'NTN LEO-550 53DEG A', 'LEO', 61.25, 53.0, 10.0, 0.0001, 90.0, 30.0,
        mean_motion_revs_per_day(550.0), 1.2e-4, 1.0e-5)
    add(90002, 'NTN LEO-550 53DEG B', 'LEO', 61.30, 53.0, 190.0, 0.0001, 90.0, 200.0,
        mean_motion_revs_per_day(550.0), 1.2e-4, 1.0e-5)
    add(90003, 'NTN LEO-600 TR38821', 'LEO', 61.35, 55.0, 75.0, 0.0002, 45.0, 120.0,
        mean_motion_revs_per_day(600.0), 8.0e-5, 6.0e-6)
    add(90004, 'NTN LEO-630 51.9DEG', 'LEO', 61.40, 51.9, 300.0, 0.0003, 120.0, 10.0,
        mean_motion_revs_per_day(630.0), 6.0e-5, 4.0e-6)
    add(90005, 'NTN LEO-780 86.4DEG', 'LEO', 61.45, 86.4, 140.0, 0.0002, 80.0, 280.0,
        mean_motion_revs_per_day(780.0), 3.0e-5, 1.0e-6)
    add(90006, 'NTN SSO-800 98.6DEG', 'LEO', 61.50, 98.6, 60.0, 0.0011, 100.0, 260.0,
        mean_motion_revs_per_day(800.0), 2.0e-5, 5.0e-7)
    add(90007, 'NTN SSO-500 97.4DEG', 'LEO', 61.55, 97.4, 240.0, 0.0009, 70.0, 290.0,
        mean_motion_revs_per_day(500.0), 2.0e-4, 2.0e-5)
    add(90008, 'NTN LEO-1200 87.9DEG', 'LEO', 61.60, 87.9, 20.0, 0.0002, 90.0, 45.0,
        mean_motion_revs_per_day(1200.0), 1.0e-5, 1.0e-7)
    add(90009, 'NTN LEO-1000 15DEG', 'LEO', 61.65, 15.0, 330.0, 0.0005, 30.0, 100.0,
        mean_motion_revs_per_day(1000.0), 1.0e-5, 1.0e-7)
    add(90010, 'NTN ISS-LIKE 420 51.64DEG', 'LEO', 61.70, 51.64, 150.0, 0.0005, 60.0, 300.0,
        mean_motion_revs_per_day(420.0), 3.0e-4, 8.0e-5)
    a_ell, e_ell = a_from_perigee_apogee(400.0, 1500.0)
    add(90011, 'NTN LEO-ELLIPTIC 400X1500 70DEG', 'LEO', 61.75, 70.0, 100.0, e_ell, 200.0, 0.0,
        mean_motion_revs_per_day(a_km=a_ell), 5.0e-5, 3.0e-6)
    # MEO
    add(90021, 'NTN GPS-LIKE 20200 55DEG', 'MEO', 61.20, 55.0, 35.0, 0.0080, 40.0, 150.0,
        2.00563000, 0.0, 0.0)
    add(90022, 'NTN GALILEO-LIKE 23222 56DEG', 'MEO', 61.22, 56.0, 250.0, 0.0004, 10.0, 20.0,
        mean_motion_revs_per_day(23222.0), 0.0, 0.0)
    add(90023, 'NTN GLONASS-LIKE 19130 64.8DEG', 'MEO', 61.24, 64.8, 160.0, 0.0010, 250.0, 80.0,
        mean_motion_revs_per_day(19130.0), 0.0, 0.0)
    add(90024, 'NTN O3B-LIKE 8062 EQUATORIAL', 'MEO', 61.26, 0.04, 0.0, 0.0003, 0.0, 0.0,
        mean_motion_revs_per_day(8062.0), 0.0, 0.0)
    # GEO (mean anomaly solved so the sub-satellite point is near geo_lon at epoch)
    add(90031, 'NTN GEO 19.2E', 'GEO', 61.10, 0.05, 90.0, 0.0002, 0.0, None,
        SIDEREAL_REVS_PER_DAY, 0.0, 0.0, geo_lon=19.2)
    add(90032, 'NTN GEO 75W', 'GEO', 61.12, 0.02, 270.0, 0.0003, 90.0, None,
        SIDEREAL_REVS_PER_DAY, 0.0, 0.0, geo_lon=-75.0)
    add(90033, 'NTN GEO INCLINED 6DEG 150E', 'GEO', 61.14, 6.0, 45.0, 0.0004, 200.0, None,
        SIDEREAL_REVS_PER_DAY, 0.0, 0.0, geo_lon=150.0)
    add(90034, 'NTN GEO INCLINED 2DEG 105W', 'GEO', 61.16, 2.0, 300.0, 0.0001, 10.0, None,
        SIDEREAL_REVS_PER_DAY, 0.0, 0.0, geo_lon=-105.0)
    # Molniya (12 h, e ~ 0.7, critical inclination, apogee over the north)
    add(90041, 'NTN MOLNIYA A', 'MOLNIYA', 61.05, 63.4, 60.0, 0.7200, 270.0, 0.0,
        mean_motion_revs_per_day(a_km=a_mol), 0.0, 0.0)
    add(90042, 'NTN MOLNIYA B', 'MOLNIYA', 61.07, 63.4, 180.0, 0.6900, 280.0, 120.0,
        mean_motion_revs_per_day(a_km=a_mol), 0.0, 0.0)
    # HEO / GTO
    add(90051, 'NTN GTO 250X35786 27DEG', 'HEO', 61.08, 27.0, 120.0, e_gto, 180.0, 10.0,
        mean_motion_revs_per_day(a_km=a_gto), 1.0e-5, 0.0)
    add(90052, 'NTN TUNDRA 63.4DEG', 'HEO', 61.09, 63.4, 300.0, 0.2700, 270.0, 50.0,
        SIDEREAL_REVS_PER_DAY, 0.0, 0.0)
    return s


# ---------------------------------------------------------------------------
# TLE formatting.
# ---------------------------------------------------------------------------
def tle_checksum(line68):
    total = 0
    for ch in line68:
        if ch.isdigit():
            total += int(ch)
        elif ch == '-':
            total += 1
    return str(total % 10)


def tle_exp_field(value):
    """Format a value as the TLE 'assumed decimal point' field: ' 12345-4'."""
    if value == 0.0:
        return ' 00000-0'
    sign = '-' if value < 0 else ' '
    v = abs(value)
    exp = math.floor(math.log10(v)) + 1
    mant = int(round(v / 10.0 ** exp * 1e5))
    if mant >= 100000:
        mant //= 10
        exp += 1
    esign = '-' if exp < 0 else '+'
    if exp == 0:
        esign = '-'
    return '%s%05d%s%d' % (sign, mant, esign, abs(exp))


def tle_ndot_field(value):
    s = '%.8f' % value          # e.g. '0.00001000' or '-0.00001000'
    if value < 0:
        return '-' + s[2:]      # '-.00001000'
    return ' ' + s[1:]          # ' .00001000'


def gmst82_rad_at_utc(ts, year, doy):
    t = ts.utc(year, 1, doy)
    theta, _ = theta_GMST1982(t.whole, t.ut1_fraction)
    return theta


def format_tle(ts, e, elset_number=999, revnum=100):
    year = 2024
    ma = e['ma']
    if ma is None:
        # Near-circular, near-equatorial: sub-satellite longitude ~
        # raan + argp + M - GMST(epoch).  Solve for M.
        gmst_deg = math.degrees(gmst82_rad_at_utc(ts, year, e['doy']))
        ma = (e['geo_lon'] + gmst_deg - e['raan'] - e['argp']) % 360.0
    intl = '24%03dA' % (e['norad'] - 90000)
    line1 = '1 %05dU %-8s %02d%012.8f %s %s %s 0 %4d' % (
        e['norad'], intl, year % 100, e['doy'], tle_ndot_field(e['ndot']),
        tle_exp_field(0.0), tle_exp_field(e['bstar']), elset_number)
    ecc = '%07d' % int(round(e['ecc'] * 1e7))
    line2 = '2 %05d %8.4f %8.4f %s %8.4f %8.4f %11.8f%5d' % (
        e['norad'], e['incl'], e['raan'] % 360.0, ecc, e['argp'] % 360.0, ma % 360.0,
        e['n'], revnum)
    assert len(line1) == 68 and len(line2) == 68, (line1, line2)
    return line1 + tle_checksum(line1), line2 + tle_checksum(line2)


def build_catalog_text(ts):
    # Plain 3-line records only (no comment lines), so any TLE catalog reader
    # takes the file; its provenance is in README.md and the JSON files.
    out = []
    name, l1, l2, _ = ISS_SKYFIELD_DOCS
    out.extend([name, l1, l2])
    for e in synthetic_elements():
        l1, l2 = format_tle(ts, e)
        out.extend([e['name'], l1, l2])
    return '\n'.join(out) + '\n'


def read_catalog(path):
    """Read a 3-line catalog; '#' lines are comments."""
    with open(path) as f:
        lines = [ln.rstrip('\n') for ln in f if ln.strip() and not ln.startswith('#')]
    if len(lines) % 3:
        raise SystemExit('%s: line count %d is not a multiple of 3' % (path, len(lines)))
    out = []
    for i in range(0, len(lines), 3):
        name, l1, l2 = lines[i].strip(), lines[i + 1], lines[i + 2]
        for ln in (l1, l2):
            if tle_checksum(ln[:68]) != ln[68]:
                raise SystemExit('%s: bad checksum in %r' % (path, ln))
        out.append((name, l1, l2))
    return out


# ---------------------------------------------------------------------------
# Time helpers.
# ---------------------------------------------------------------------------
J2000_JD0H = 2451544.5  # JD of 2000-01-01T00:00:00


def utc_from_us(us):
    """Integer microseconds since 2000-01-01T00:00:00 UTC (no leap second
    falls inside any window used here) -> (datetime, jd_whole, jd_fraction)."""
    days, us_of_day = divmod(us, 86400 * 10 ** 6)
    when = dt.datetime(2000, 1, 1) + dt.timedelta(microseconds=us)
    return when, J2000_JD0H + days, us_of_day / 86400e6


def us_from_time(t):
    """Skyfield Time -> integer microseconds since 2000-01-01 UTC (rounded)."""
    whole, frac = sgp4_jd_pair(t)
    w = math.floor(whole + frac - 0.5) + 0.5
    f = (whole - w) + frac
    days = int(round(w - J2000_JD0H))
    return days * 86400 * 10 ** 6 + int(round(f * 86400e6))


def sgp4_jd_pair(t):
    """The exact (jd, fraction) UTC pair Skyfield hands to Satrec.sgp4()."""
    return float(t.whole), float(t.tai_fraction - t._leap_seconds() / 86400.0)


def iso(when):
    return when.strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def time_from_us(ts, us):
    when, _, _ = utc_from_us(us)
    sec = when.second + when.microsecond / 1e6
    return ts.utc(when.year, when.month, when.day, when.hour, when.minute, sec)


def tsince_minutes(satrec, t):
    jd, fr = sgp4_jd_pair(t)
    return (jd - satrec.jdsatepoch) * 1440.0 + (fr - satrec.jdsatepochF) * 1440.0


# ---------------------------------------------------------------------------
# Geometry.
# ---------------------------------------------------------------------------
def look(sat, topos, t):
    """Skyfield topocentric look angles: (az, el, range_m, range_rate_mps, msg)."""
    pos = (sat - topos).at(t)
    el, az, dist, _el_rate, _az_rate, range_rate = pos.frame_latlon_and_rates(topos)
    return az.degrees, el.degrees, dist.m, range_rate.m_per_s, pos.message


def elevation(sat, topos, t):
    return (sat - topos).at(t).frame_latlon_and_rates(topos)[0].degrees


def shift(ts, t, seconds):
    return ts.tt_jd(t.whole, t.tt_fraction + seconds / 86400.0)


def bisect_root(ts, f, t, lo_s, hi_s, tol_s=1e-6):
    """Root of f on [t+lo_s, t+hi_s] (f must change sign), by bisection."""
    flo = f(shift(ts, t, lo_s))
    fhi = f(shift(ts, t, hi_s))
    if flo == 0.0:
        return lo_s
    if fhi == 0.0:
        return hi_s
    if (flo > 0) == (fhi > 0):
        return None
    while hi_s - lo_s > tol_s:
        mid = 0.5 * (lo_s + hi_s)
        fm = f(shift(ts, t, mid))
        if (fm > 0) == (flo > 0):
            lo_s, flo = mid, fm
        else:
            hi_s = mid
    return 0.5 * (lo_s + hi_s)


def golden_max(ts, f, t, lo_s, hi_s, tol_s=1e-4):
    """Maximiser of f on [t+lo_s, t+hi_s] by golden-section search."""
    g = (math.sqrt(5.0) - 1.0) / 2.0
    a, b = lo_s, hi_s
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(shift(ts, t, c)), f(shift(ts, t, d))
    while b - a > tol_s:
        if fc >= fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(shift(ts, t, c))
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(shift(ts, t, d))
    return 0.5 * (a + b)


def refine_event(ts, sat, topos, t, kind, mask):
    """Refine a find_events() time on the same Skyfield geometry.
    Rise/set: root of elevation(t) - mask (bisection to 1e-6 s).
    Culmination: maximum of elevation(t) (golden section to 1e-4 s); not the
    zero of the elevation *rate*, which comes from the SGP4 velocity and so
    can put the peak a few hundredths of a second off (see notes)."""
    el = lambda tt: elevation(sat, topos, tt)
    if kind in (0, 2):
        for half in (2.0, 10.0, 60.0):
            off = bisect_root(ts, lambda tt: el(tt) - mask, t, -half, half)
            if off is not None:
                return shift(ts, t, off), off
        return None, None
    e0 = el(t)
    for half in (2.0, 10.0, 60.0, 300.0):
        if el(shift(ts, t, -half)) < e0 and el(shift(ts, t, half)) < e0:
            off = golden_max(ts, el, t, -half, half)
            return shift(ts, t, off), off
    return None, None


# ---------------------------------------------------------------------------
# Output helpers.
# ---------------------------------------------------------------------------
def r(x, nd):
    v = round(float(x), nd)
    return 0.0 if v == 0.0 else v


def dump_json(path, top, rows_key, rows):
    """Stable, diff-friendly JSON: metadata indented, one row per line."""
    head = json.dumps(top, indent=2, ensure_ascii=False)
    assert head.endswith('}')
    body = ',\n'.join('    ' + json.dumps(row, ensure_ascii=False, separators=(',', ':'))
                      for row in rows)
    text = head[:-2] + ',\n  "%s": [\n%s\n  ]\n}\n' % (rows_key, body)
    json.loads(text)  # self-check
    with open(path, 'w') as f:
        f.write(text)
    return len(text.encode())


WGS84_A_M = 6378137.0
WGS84_F = 1.0 / 298.257223563
OMEGA_EARTH_GMST82 = 7.29211514670698e-05  # rad/s, Vallado teme2ecef


def independent_look(model, lat, lon, alt, jd, fr, dut1):
    """A second, plain implementation of the same conventions (python-sgp4
    TEME state -> GMST-1982 rotation at UT1 -> ECEF, WGS-84 site, ENU), used
    only to check that the conventions stated in the provenance are the ones
    Skyfield really applied."""
    err, rt, vt = model.sgp4(jd, fr)
    rt = numpy.array(rt) * 1e3
    vt = numpy.array(vt) * 1e3
    tut1 = ((jd - 2451545.0) + fr + dut1 / 86400.0) / 36525.0
    gmst_s = (67310.54841 + (876600.0 * 3600.0 + 8640184.812866) * tut1
              + 0.093104 * tut1 ** 2 - 6.2e-6 * tut1 ** 3)
    th = math.radians((gmst_s % 86400.0) / 240.0)
    c, s_ = math.cos(th), math.sin(th)
    rot = numpy.array([[c, s_, 0.0], [-s_, c, 0.0], [0.0, 0.0, 1.0]])
    rp = rot @ rt
    vp = rot @ vt - numpy.cross([0.0, 0.0, OMEGA_EARTH_GMST82], rp)
    phi, lam = math.radians(lat), math.radians(lon)
    e2 = WGS84_F * (2.0 - WGS84_F)
    n = WGS84_A_M / math.sqrt(1.0 - e2 * math.sin(phi) ** 2)
    site = numpy.array([(n + alt) * math.cos(phi) * math.cos(lam),
                        (n + alt) * math.cos(phi) * math.sin(lam),
                        (n * (1.0 - e2) + alt) * math.sin(phi)])
    rho = rp - site
    east = -math.sin(lam) * rho[0] + math.cos(lam) * rho[1]
    north = (-math.sin(phi) * math.cos(lam) * rho[0] - math.sin(phi) * math.sin(lam) * rho[1]
             + math.cos(phi) * rho[2])
    up = (math.cos(phi) * math.cos(lam) * rho[0] + math.cos(phi) * math.sin(lam) * rho[1]
          + math.sin(phi) * rho[2])
    rng_m = float(numpy.linalg.norm(rho))
    return (math.degrees(math.atan2(east, north)) % 360.0,
            math.degrees(math.atan2(up, math.hypot(east, north))),
            rng_m, float(rho @ vp) / rng_m)


def afspc_satrec(model):
    """Same elements as `model`, initialised with opsmode 'a' (AFSPC)."""
    s = Satrec()
    s.sgp4init(WGS72, 'a', model.satnum,
               (model.jdsatepoch - 2433281.5) + model.jdsatepochF,
               model.bstar, model.ndot, model.nddot, model.ecco, model.argpo,
               model.inclo, model.mo, model.no_kozai, model.nodeo)
    return s


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--keep-catalog', action='store_true',
                    help='use reference_tles.tle as it is on disk instead of rewriting it')
    args = ap.parse_args()

    ts = load.timescale(builtin=True)
    os.makedirs(OUT_DIR, exist_ok=True)
    if not args.keep_catalog:
        with open(CATALOG_PATH, 'w') as f:
            f.write(build_catalog_text(ts))
    catalog = read_catalog(CATALOG_PATH)

    classes = {e['norad']: e['cls'] for e in synthetic_elements()}
    classes[25544] = 'LEO'
    sources = {e['norad']: 'synthetic' for e in synthetic_elements()}
    sources[25544] = ISS_SKYFIELD_DOCS[3]

    sites = [(sid, name, wgs84.latlon(lat, lon, elevation_m=alt), lat, lon, alt)
             for sid, name, lat, lon, alt in SITES]
    rng = random.Random(SEED)

    tle_meta, rows, passes = [], [], []
    opsmode_diffs = {}
    self_check = [0.0] * 5
    fd_check = {}
    for name, l1, l2 in catalog:
        model = Satrec.twoline2rv(l1, l2)          # exactly what EarthSatellite does
        sat = EarthSatellite(l1, l2, name, ts)
        norad = sat.model.satnum
        cls = classes.get(norad, 'LEO')
        deep = sat.model.method == 'd'
        sat_a = EarthSatellite.from_satrec(afspc_satrec(model), ts) if deep else None
        # TLE epoch exactly as python-sgp4 split it (Skyfield's sat.epoch Time is
        # only good to a few tens of microseconds).
        epoch_us = (int(round(model.jdsatepoch - J2000_JD0H)) * 86400 * 10 ** 6
                    + int(round(model.jdsatepochF * 86400e6)))
        period_min = 2 * math.pi / sat.model.no_kozai
        # The whole test window propagates cleanly (1-minute steps).
        steps = numpy.arange(-HALF_SPAN_DAYS * 1440.0, HALF_SPAN_DAYS * 1440.0 + 1.0) / 1440.0
        errs, _, _ = model.sgp4_array(numpy.full(steps.shape, model.jdsatepoch),
                                      model.jdsatepochF + steps)
        if errs.any():
            raise SystemExit('%s: SGP4 error %s within epoch +/- %.1f d' % (name, set(errs.tolist()), HALF_SPAN_DAYS))

        # Common grid over epoch +/- 1.5 d, with seeded sub-minute jitter.
        span_us = int(2 * HALF_SPAN_DAYS * 86400e6)
        start_us = epoch_us - span_us // 2
        grid = []
        for k in range(GRID_TIMES if cls != 'GEO' else TIMES_PER_PAIR):
            n = GRID_TIMES if cls != 'GEO' else TIMES_PER_PAIR
            base = start_us + (span_us * k) // (n - 1)
            jitter = rng.randrange(-30 * 10 ** 6, 30 * 10 ** 6)
            grid.append(min(max(base + jitter, start_us), start_us + span_us))

        tle_meta.append(dict(
            norad=norad, name=name, orbit_class=cls, source=sources.get(norad, 'catalog'),
            line1=l1, line2=l2,
            epoch_utc=iso(utc_from_us(epoch_us)[0]),
            epoch_jd_whole=model.jdsatepoch, epoch_jd_fraction=r(model.jdsatepochF, 15),
            period_min=r(period_min, 6), sgp4_method='deep-space' if deep else 'near-earth'))

        t0_win = time_from_us(ts, start_us)
        t1_win = time_from_us(ts, start_us + span_us)
        for sid, sname, topos, lat, lon, alt in sites:
            times = [(u, 'grid') for u in grid]
            if cls != 'GEO':
                # Pick the other rows inside passes above 0 deg for this site.
                te, ev = sat.find_events(topos, t0_win, t1_win, altitude_degrees=0.0)
                spans, rise = [], None
                for ti, e in zip(te, ev):
                    if e == 0:
                        rise = ti
                    elif e == 2 and rise is not None:
                        spans.append((us_from_time(rise), us_from_time(ti)))
                        rise = None
                need = TIMES_PER_PAIR - GRID_TIMES
                picks = []
                if spans:
                    for j in range(need):
                        a, b = spans[(j * len(spans)) // need]
                        frac = rng.uniform(0.05, 0.95)
                        picks.append(a + int((b - a) * frac))
                else:
                    # Never above the horizon here in the window: more grid-like times.
                    for j in range(need):
                        picks.append(start_us + int(span_us * (j + 0.5) / need)
                                     + rng.randrange(-10 ** 6, 10 ** 6))
                times += [(u, 'pass' if spans else 'grid') for u in picks]
            times.sort()
            for us, tag in times:
                t = time_from_us(ts, us)
                when, jd_whole, jd_fraction = utc_from_us(us)
                err, _, _ = sat.model.sgp4(*sgp4_jd_pair(t))
                if err != 0:
                    raise SystemExit('SGP4 error %d for %s at %s' % (err, norad, iso(when)))
                az, el, rng_m, rr, msg = look(sat, topos, t)
                assert msg is None, msg
                row = dict(
                    norad=norad, site=sid, lat_deg=lat, lon_deg=lon, alt_m=alt,
                    time_utc=iso(when), jd_whole=jd_whole, jd_fraction=r(jd_fraction, 15),
                    tsince_min=r(tsince_minutes(sat.model, t), 9),
                    dut1_s=r(t.dut1, 7),
                    azimuth_deg=r(az, 9), elevation_deg=r(el, 9),
                    range_m=r(rng_m, 4), range_rate_mps=r(rr, 6), sample=tag)
                chk = independent_look(sat.model, lat, lon, alt, *sgp4_jd_pair(t), t.dut1)
                for i, v in enumerate((
                        abs((chk[0] - az + 180.0) % 360.0 - 180.0) * math.cos(math.radians(el)),
                        abs(chk[1] - el), abs(chk[2] - rng_m), abs(chk[3] - rr))):
                    self_check[i] = max(self_check[i], v)
                # Range rate vs a central difference of range (+/- 0.05 s).
                fd = (look(sat, topos, shift(ts, t, 0.05))[2]
                      - look(sat, topos, shift(ts, t, -0.05))[2]) / 0.1
                fd_check[cls] = max(fd_check.get(cls, 0.0), abs(fd - rr))
                # Time fields agree with what Skyfield fed SGP4.
                jd_s, fr_s = sgp4_jd_pair(t)
                time_err_s = abs(((jd_s - jd_whole) + (fr_s - jd_fraction)) * 86400.0)
                self_check[4] = max(self_check[4], time_err_s)
                if deep:
                    az_a, el_a, rng_a, rr_a, _ = look(sat_a, topos, t)
                    d = opsmode_diffs.setdefault(norad, [0.0, 0.0, 0.0, 0.0])
                    daz = abs((az_a - az + 180.0) % 360.0 - 180.0) * math.cos(math.radians(el))
                    for i, v in enumerate((daz, abs(el_a - el), abs(rng_a - rng_m), abs(rr_a - rr))):
                        d[i] = max(d[i], v)
                rows.append(row)

    # ---------------- passes ----------------
    pass_sats = [m for m in tle_meta if m['orbit_class'] in ('LEO', 'MEO', 'MOLNIYA')]
    sats = {m['norad']: EarthSatellite(m['line1'], m['line2'], m['name'], ts) for m in pass_sats}
    windows = []
    for m in pass_sats:
        sat = sats[m['norad']]
        ep = dt.datetime.strptime(m['epoch_utc'], '%Y-%m-%dT%H:%M:%S.%fZ')
        day0 = dt.datetime(ep.year, ep.month, ep.day)
        w0_us = int((day0 - dt.datetime(2000, 1, 1)).total_seconds()) * 10 ** 6
        w1_us = w0_us + int(PASS_WINDOW_HOURS * 3600) * 10 ** 6
        t0, t1 = time_from_us(ts, w0_us), time_from_us(ts, w1_us)
        windows.append(dict(norad=m['norad'], start_utc=iso(utc_from_us(w0_us)[0]),
                            end_utc=iso(utc_from_us(w1_us)[0])))
        for sid, sname, topos, lat, lon, alt in sites:
            te, ev = sat.find_events(topos, t0, t1, altitude_degrees=PASS_MASK_DEG)
            for ti, e in zip(te, ev):
                e = int(e)
                tr, off = refine_event(ts, sat, topos, ti, e, PASS_MASK_DEG)
                if tr is None:
                    raise SystemExit('could not refine event %s %s %s' % (m['norad'], sid, ti.utc_iso()))
                raw_when, raw_w, raw_f = utc_from_us(us_from_time(ti))
                sw, sf = sgp4_jd_pair(tr)
                w = math.floor(sw + sf - 0.5) + 0.5
                f = (sw - w) + sf
                az, el, rng_m, rr, _ = look(sat, topos, tr)
                if e == 1:
                    assert el >= elevation(sat, topos, ti) - 1e-12, (m['norad'], sid, 'culmination')
                else:
                    assert abs(el - PASS_MASK_DEG) < 1e-5, (m['norad'], sid, el)
                passes.append(dict(
                    norad=m['norad'], site=sid, lat_deg=lat, lon_deg=lon, alt_m=alt,
                    event=('rise', 'culminate', 'set')[e],
                    time_utc=iso(utc_from_us(us_from_time(tr))[0]),
                    jd_whole=w, jd_fraction=r(f, 15),
                    dut1_s=r(tr.dut1, 7),
                    skyfield_time_utc=iso(raw_when),
                    skyfield_jd_whole=raw_w, skyfield_jd_fraction=r(raw_f, 15),
                    refine_offset_s=r(off, 6),
                    azimuth_deg=r(az, 9), elevation_deg=r(el, 9),
                    range_m=r(rng_m, 4), range_rate_mps=r(rr, 6)))

    write_outputs(ts, catalog, tle_meta, rows, passes, windows, opsmode_diffs, self_check, fd_check)


def provenance(extra_notes):
    return dict(
        kind='reference',
        generator=GENERATOR,
        command=COMMAND,
        date_generated=dt.datetime.now(dt.timezone.utc).strftime('%Y-%m-%d'),
        python=sys.version.split()[0],
        skyfield=skyfield.__version__,
        sgp4=sgp4.__version__,
        numpy=numpy.__version__,
        sgp4_accelerated=bool(__import__('sgp4.api', fromlist=['accelerated']).accelerated),
        independent_implementation=(
            'Skyfield (Brandon Rhodes) + python-sgp4 (Vallado C++ SGP4 of "Revisiting Spacetrack '
            'Report #3", AIAA 2006-6753).  No code shared with the Rust crate.'),
        conventions=[
            'SGP4: Skyfield builds every satellite with sgp4.api.Satrec.twoline2rv(line1, line2), i.e. '
            'gravity model WGS72 (mu 398600.8 km^3/s^2, Re 6378.135 km) and opsmode "i" (improved). '
            'opsmode only matters for deep-space element sets (period >= 225 min); see '
            'opsmode_a_vs_i below.',
            'Time into SGP4: the UTC Julian date (Skyfield passes t.whole and '
            't.tai_fraction - leap_seconds/86400); TLE epoch is taken as UTC.  tsince_min in each '
            'row is exactly the minutes-since-epoch python-sgp4 computed from that pair.',
            'TEME -> Earth-fixed: Skyfield rotates TEME to GCRS with theta_GMST1982(UT1) - GAST and '
            'the precession-nutation matrix, and the site from ITRS to GCRS with the same GAST and '
            'matrix, so these cancel: the net TEME -> Earth-fixed rotation is the GMST-1982 angle of '
            'AIAA 2006-6753 / Vallado, evaluated at UT1.',
            'UT1: from the IERS table bundled in Skyfield (load.timescale(builtin=True), file '
            'skyfield/data/iers.npz, daily values interpolated linearly); the UT1-UTC used at each '
            'instant is stored as dut1_s.  A Rust implementation must use dut1_s: 0.1 s of UT1 '
            'error moves a site ~46 m.',
            'Polar motion: NOT applied (built-in timescale has polar_motion_table = None, so '
            'Skyfield\'s ITRS rotation omits the polar-motion matrix; xp = yp = 0).',
            'Sites: wgs84.latlon(lat, lon, elevation_m=alt), WGS-84 ellipsoid (a 6378137 m, '
            '1/f 298.257223563), geodetic latitude, altitude above the ellipsoid.',
            'Look angles: (sat - topos).at(t) is a purely geometric vector difference at one '
            'instant: no light-time, no aberration, no refraction, no deflection.  '
            'frame_latlon_and_rates(topos) gives elevation (from the ellipsoid-normal horizon '
            'plane), azimuth (degrees clockwise from north, 0..360), range and range rate.',
            'range_rate_mps: positive = receding (range growing).  It is the projection of the '
            'relative velocity (SGP4 output velocity, rotated; site moving with the Earth) on the '
            'line of sight, as Skyfield\'s frame_latlon_and_rates() computes it, not a finite '
            'difference of range (SGP4 velocity is not exactly the derivative of SGP4 position: '
            'see range_rate_vs_finite_difference in the look-angle file).  The '
            'Earth rotation rate Skyfield gives the site (7.2921150e-5 rad/s) versus the '
            'GMST-1982 rate changes it by < 1e-5 m/s.',
        ] + extra_notes,
    )


def write_outputs(ts, catalog, tle_meta, rows, passes, windows, opsmode_diffs, self_check, fd_check):
    by_cls = {}
    for m in tle_meta:
        by_cls.setdefault(m['orbit_class'], []).append(m['norad'])
    cls_of = {m['norad']: m['orbit_class'] for m in tle_meta}
    leo_rows = [x for x in rows if cls_of[x['norad']] == 'LEO']
    above = sum(1 for x in rows if x['elevation_deg'] > 0)
    leo_above = sum(1 for x in leo_rows if x['elevation_deg'] > 0)
    opsdiff = {str(k): dict(max_az_times_cos_el_deg=float('%.3g' % v[0]),
                            max_elevation_deg=float('%.3g' % v[1]),
                            max_range_m=float('%.3g' % v[2]),
                            max_range_rate_mps=float('%.3g' % v[3]))
               for k, v in sorted(opsmode_diffs.items())}

    look_top = dict(
        provenance=provenance([
            'opsmode_a_vs_i: for every deep-space TLE, the same rows were also computed with the '
            'satellite built by EarthSatellite.from_satrec() from a Satrec initialised with '
            'opsmode "a" (AFSPC, as the Rust crate\'s AFSPC-compatibility mode); the largest '
            'differences are listed per NORAD id.  Near-earth TLEs are identical in both modes.',
        ]),
        description=('Topocentric look angles of each catalog TLE from each site at %d UTC '
                     'instants per (TLE, site): %d on a grid over TLE epoch +/- %.1f d shared by all '
                     'sites (GEO: all %d), the rest chosen inside passes above 0 deg for that site '
                     '(sample="pass"), so rows below the horizon are included on purpose.' % (
                         TIMES_PER_PAIR, GRID_TIMES, HALF_SPAN_DAYS, TIMES_PER_PAIR)),
        catalog='vectors/data/orbit/reference_tles.tle',
        tolerances=dict(azimuth_deg=0.01, elevation_deg=0.01, range_m=50.0, range_rate_mps=0.05,
                        note='issue 2 acceptance; compare azimuth modulo 360 and, near the '
                             'zenith, as (delta az) * cos(elevation)'),
        units=dict(lat_deg='deg (geodetic WGS-84)', lon_deg='deg east', alt_m='m above WGS-84 ellipsoid',
                   time_utc='ISO-8601 UTC, microseconds', jd_whole='UTC Julian date at 0h (x.5)',
                   jd_fraction='fraction of the UTC day; jd_whole + jd_fraction = UTC JD',
                   tsince_min='minutes since TLE epoch as fed to SGP4', dut1_s='UT1-UTC, s',
                   azimuth_deg='deg clockwise from north, [0,360)',
                   elevation_deg='deg above the ellipsoid-normal horizon',
                   range_m='m', range_rate_mps='m/s, positive = receding',
                   sample='"grid" (common time grid) or "pass" (time chosen inside a pass)'),
        sites=[dict(id=sid, name=name, lat_deg=lat, lon_deg=lon, alt_m=alt)
               for sid, name, lat, lon, alt in SITES],
        tles=tle_meta,
        opsmode_a_vs_i=opsdiff,
        self_check=dict(
            what=('every row recomputed by a second plain implementation in this script: '
                  'python-sgp4 TEME state, GMST-1982 (Vallado) at UT1 = UTC + dut1_s, no polar '
                  'motion, Earth rate 7.29211514670698e-5 rad/s, WGS-84 site, ENU; largest '
                  'difference from Skyfield over all rows'),
            max_az_times_cos_el_deg=float('%.3g' % self_check[0]),
            max_elevation_deg=float('%.3g' % self_check[1]),
            max_range_m=float('%.3g' % self_check[2]),
            max_range_rate_mps=float('%.3g' % self_check[3]),
            max_time_fields_vs_sgp4_input_s=float('%.3g' % self_check[4])),
        range_rate_vs_finite_difference=dict(
            what=('largest |range_rate_mps - (range(t+0.05 s) - range(t-0.05 s)) / 0.1 s| per orbit '
                  'class.  range_rate_mps uses the SGP4 velocity, which is not exactly the time '
                  'derivative of the SGP4 position; compare against a velocity-based range rate, '
                  'not a differenced range'),
            max_abs_mps={k: float('%.3g' % v) for k, v in sorted(fd_check.items())}),
        counts=dict(tles=len(tle_meta), sites=len(SITES), times_per_tle_site=TIMES_PER_PAIR,
                    rows=len(rows), rows_above_horizon=above, leo_rows=len(leo_rows),
                    leo_rows_above_horizon=leo_above,
                    tles_by_class={k: len(v) for k, v in sorted(by_cls.items())}),
    )
    n1 = dump_json(LOOK_PATH, look_top, 'rows', rows)

    pass_top = dict(
        provenance=provenance([
            'Events: sat.find_events(topos, t0, t1, altitude_degrees=10.0) with Skyfield %s.  '
            'Skyfield documents the culmination as "accurate to within a second or so"; its code '
            'stops refining rise/set brackets at 0.5 s (half_second epsilon) and returns the bracket '
            'end.  So each event is also refined here on the same Skyfield geometry (bisection of '
            'elevation - mask for rise/set, to 1e-6 s; golden-section maximum of elevation for '
            'culminate, to 1e-4 s): '
            'time_utc / jd_* hold the refined time, skyfield_* the raw find_events() time, '
            'refine_offset_s their difference.  Compare AOS/LOS against the refined time.'
            % skyfield.__version__,
            'A pass already in progress at the window start has no rise event in the window, one '
            'still in progress at the end has no set event; a satellite may culminate more than '
            'once between rise and set (Skyfield reports each).',
        ]),
        description='Rise (AOS), culmination and set (LOS) above a %.1f deg elevation mask over a '
                    '%.0f h window starting at 00:00 UTC on the TLE epoch day.' % (
                        PASS_MASK_DEG, PASS_WINDOW_HOURS),
        catalog='vectors/data/orbit/reference_tles.tle',
        mask_deg=PASS_MASK_DEG,
        window_hours=PASS_WINDOW_HOURS,
        windows=windows,
        tolerances=dict(aos_los_s=1.0, note='issue 2 acceptance, against time_utc (refined)'),
        sites=[dict(id=sid, name=name, lat_deg=lat, lon_deg=lon, alt_m=alt)
               for sid, name, lat, lon, alt in SITES],
        counts=dict(tles=len(windows), sites=len(SITES), events=len(passes),
                    rises=sum(1 for p in passes if p['event'] == 'rise'),
                    culminations=sum(1 for p in passes if p['event'] == 'culminate'),
                    sets=sum(1 for p in passes if p['event'] == 'set'),
                    max_abs_refine_offset_s=max(abs(p['refine_offset_s']) for p in passes)),
    )
    n2 = dump_json(PASS_PATH, pass_top, 'events', passes)
    print('catalog: %d TLEs %s' % (len(catalog), {k: len(v) for k, v in sorted(by_cls.items())}))
    print('look angles: %d rows, %d above horizon (LEO %d/%d = %.0f%%), %d bytes' % (
        len(rows), above, leo_above, len(leo_rows), 100.0 * leo_above / len(leo_rows), n1))
    print('passes: %d events, %d bytes' % (len(passes), n2))
    print('opsmode a vs i:', json.dumps(opsdiff))
    print('self check (az*cos el, el, range, range rate, time):', [float(x) for x in self_check])
    print('range rate vs finite difference:', fd_check)


if __name__ == '__main__':
    main()
