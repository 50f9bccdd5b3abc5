#!/usr/bin/env python3
"""Independent reference vector for the ntn-sim gas absorption (ITU-R P.676 Annex 2),
computed with the `itur` Python package (an implementation of the ITU-R P-series
Recommendations that shares no code with ntn-sim).

Run from the repository root:

    pip install itur==0.4.0
    python3 vectors/gen/itur_p676.py

Writes vectors/data/sim/p676_itur.json: the slant-path gaseous attenuation by the
approximate method (mode='approx', i.e. Annex 2) of Recommendations P.676-10 and
P.676-11 (`itur.models.itu676.change_version(10 | 11)`), for a terminal at sea level in the reference
atmosphere (1013.25 hPa, 288.15 K, 7.5 g/m^3), over a grid of frequencies (1-54 GHz,
the range ntn-sim implements) and elevations (10-90 deg).  Deterministic, no network.
"""

import json
import warnings

import itur
import itur.models.itu676 as itu676

FREQS_GHZ = [1.5, 2.0, 2.2, 12.0, 20.0, 22.235, 30.0, 40.0]
ELEVATIONS_DEG = [10.0, 30.0, 60.0, 90.0]
PRESSURE_HPA = 1013.25
TEMPERATURE_K = 288.15
RHO_G_M3 = 7.5


def rows_for(version):
    itu676.change_version(version)
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for f in FREQS_GHZ:
            for el in ELEVATIONS_DEG:
                a = itu676.gaseous_attenuation_slant_path(
                    f, el, RHO_G_M3, PRESSURE_HPA, TEMPERATURE_K, mode="approx")
                rows.append({"f_ghz": f, "elevation_deg": el,
                             "attenuation_db": round(float(a.value), 6)})
    return rows


def main():
    out = {
        "kind": "reference",
        "source": "itur %s, ITU-R P.676-10 and P.676-11 Annex 2 (mode='approx'), "
                  "gaseous_attenuation_slant_path" % itur.__version__,
        "generator": "vectors/gen/itur_p676.py",
        "pressure_hpa": PRESSURE_HPA,
        "temperature_k": TEMPERATURE_K,
        "water_vapour_g_m3": RHO_G_M3,
        "rows_p676_10": rows_for(10),
        "rows_p676_11": rows_for(11),
    }
    with open("vectors/data/sim/p676_itur.json", "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
