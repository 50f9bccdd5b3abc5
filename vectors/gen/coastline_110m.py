#!/usr/bin/env python3
"""Convert Natural Earth 1:110m land (TopoJSON from npm's `world-atlas` package) into the
compact polyline text file `assets/land_110m.txt` that ntn-coverage draws under its maps.

Run from the repository root:

    npm pack world-atlas@2.0.2          # -> world-atlas-2.0.2.tgz
    tar xzf world-atlas-2.0.2.tgz       # -> package/land-110m.json
    python3 vectors/gen/coastline_110m.py package/land-110m.json assets/land_110m.txt

What it does: decodes the TopoJSON `arcs` (quantised, delta-encoded, per the TopoJSON
specification: absolute = running sum of deltas, then x * scale + translate), and writes
every arc that the `land` object uses as one line of `lon,lat` pairs rounded to 0.01 deg.
The arcs are the coastline segments; the drawing needs lines only, not filled rings, so no
ring assembly is done. Standard library only; deterministic output.

Provenance: Natural Earth (naturalearthdata.com) 1:110m physical "land" — public domain;
packaged as TopoJSON by Mike Bostock's world-atlas 2.0.2 (ISC licence).
"""
import json
import sys


def decode_arcs(topo):
    tr = topo.get("transform")
    out = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for p in arc:
            if tr:
                x += p[0]
                y += p[1]
                lon = x * tr["scale"][0] + tr["translate"][0]
                lat = y * tr["scale"][1] + tr["translate"][1]
            else:
                lon, lat = p[0], p[1]
            pts.append((lon, lat))
        out.append(pts)
    return out


def used_arcs(geom, acc):
    t = geom["type"]
    if t == "GeometryCollection":
        for g in geom["geometries"]:
            used_arcs(g, acc)
    elif t == "Polygon":
        for ring in geom["arcs"]:
            for a in ring:
                acc.add(a if a >= 0 else ~a)
    elif t == "MultiPolygon":
        for poly in geom["arcs"]:
            for ring in poly:
                for a in ring:
                    acc.add(a if a >= 0 else ~a)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src) as f:
        topo = json.load(f)
    arcs = decode_arcs(topo)
    idx = set()
    used_arcs(topo["objects"]["land"], idx)
    lines = [
        "# Natural Earth 1:110m land outlines (public domain, naturalearthdata.com),",
        "# from world-atlas 2.0.2 land-110m.json (ISC, (c) 2013-2019 Michael Bostock),",
        "# converted by vectors/gen/coastline_110m.py. One polyline per line: lon,lat (deg).",
    ]
    for i in sorted(idx):
        pts = []
        for lon, lat in arcs[i]:
            s = "%.2f,%.2f" % (lon, lat)
            if not pts or pts[-1] != s:
                pts.append(s)
        if len(pts) >= 2:
            lines.append(" ".join(pts))
    with open(dst, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("%d arcs -> %s" % (len(lines) - 3, dst))


if __name__ == "__main__":
    main()
