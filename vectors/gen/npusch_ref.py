#!/usr/bin/env python3
"""Reference vectors for the NB-IoT NPUSCH sequences, written from the TS 36.211 equations
(independently of the Rust code in phy/src/nbiot/ul/):

  - the length-31 Gold sequence c(n) of 36.211 7.2 (two LFSRs, Nc = 1600);
  - NPUSCH scrambling c_init = n_RNTI*2^14 + (n_f mod 2)*2^13 + floor(n_s/2)*2^9 + N_ID (10.1.3.1)
    and the first scrambling bits;
  - single-tone DMRS rbar(n) = (1+j)/sqrt2 * (1 - 2c(n)) * w_u(n mod 16), c_init = 35, with w_u
    built as a Sylvester-Hadamard row (10.1.4.1.1);
  - multi-tone DMRS r_u(n) = exp(j*alpha*n) * exp(j*phi(n)*pi/4) (10.1.4.1.2), phi transcribed
    here from the spec tables (3 and 6 tones from 36.211 Tables 10.1.4.1.2-1/-2, 12 tones from
    Table 5.5.1.2-1), alpha from Table 10.1.4.1.2-3;
  - group hopping u = (f_gh(n') + f_ss) mod N_seq (10.1.4.1.3);
  - the format-2 cover index (sum_{i<8} c(8 n_s + i) 2^i) mod 3 with c_init = N_ID;
  - the single-tone phase phi(l~) = rho*(l~ mod 2) + phi'(l~) of 10.1.5.

Usage: python3 vectors/gen/npusch_ref.py > vectors/data/phy/ul/npusch_sequences.txt
Only the standard library is used.
"""
import cmath
import math
import random
import sys

NC = 1600


def gold(c_init, length):
    n_total = NC + length
    x1 = [0] * (n_total + 31)
    x2 = [0] * (n_total + 31)
    x1[0] = 1
    for i in range(31):
        x2[i] = (c_init >> i) & 1
    for n in range(n_total):
        x1[n + 31] = (x1[n + 3] + x1[n]) % 2
        x2[n + 31] = (x2[n + 3] + x2[n + 2] + x2[n + 1] + x2[n]) % 2
    return [(x1[n + NC] + x2[n + NC]) % 2 for n in range(length)]


def hadamard16():
    h = [[1]]
    while len(h) < 16:
        h = [row + row for row in h] + [row + [-v for v in row] for row in h]
    return h


# Sylvester order: row index bits map to the sequence index bits in reverse, so reorder the rows
# to the spec's Walsh numbering w_u(n) = (-1)^{popcount(u & n)} by matching each row against that
# product form computed from the natural binary expansion.
def walsh_rows():
    h = hadamard16()
    rows = {}
    for row in h:
        # u is the set of bit positions b such that row flips sign between n and n ^ (1 << b)
        u = 0
        for b in range(4):
            if row[1 << b] == -1:
                u |= 1 << b
        rows[u] = row
    return [rows[u] for u in range(16)]


W = walsh_rows()

PHI3 = """1 -3 -3
1 -3 -1
1 -3 3
1 -1 -1
1 -1 1
1 -1 3
1 1 -3
1 1 -1
1 1 3
1 3 -1
1 3 1
1 3 3"""

PHI6 = """1 1 1 1 3 -3
1 1 3 1 -3 3
1 -1 -1 -1 1 -3
1 -1 3 -3 -1 -1
1 3 1 -1 -1 3
1 -3 -3 1 3 1
-1 -1 1 -3 -3 -1
-1 -1 -1 3 -3 -1
3 -1 1 -3 -3 3
3 -1 3 -3 -1 1
3 -3 3 -1 3 3
-3 1 3 1 -3 -1
-3 1 -3 3 -3 -1
-3 3 -3 1 1 -3"""

PHI12 = """-1 1 3 -3 3 3 1 1 3 1 -3 3
1 1 3 3 3 -1 1 -3 -3 1 -3 3
1 1 -3 -3 -3 -1 -3 -3 1 -3 1 -1
-1 1 1 1 1 -1 -3 -3 1 -3 3 -1
-1 3 1 -1 1 -1 -3 -1 1 -1 1 3
1 -3 3 -1 -1 1 1 -1 -1 3 -3 1
-1 3 -3 -3 -3 3 1 -1 3 3 -3 1
-3 -1 -1 -1 1 -3 3 -1 1 -3 3 1
1 -3 3 1 -1 -1 -1 1 1 3 -1 1
1 -3 -1 3 3 -1 -3 1 1 1 1 1
-1 3 -1 1 1 -3 -3 -1 -3 -3 3 -1
3 1 -1 -1 3 3 -3 1 3 1 3 3
1 -3 1 1 -3 1 1 1 -3 -3 -3 1
3 3 -3 3 -3 1 1 3 -1 -3 3 3
-3 1 -1 -3 -1 3 1 3 3 3 -1 1
3 -1 1 -3 -1 -1 1 1 3 1 -1 -3
1 3 1 -1 1 3 3 3 -1 -1 3 -1
-3 1 1 3 -3 3 -3 -3 3 1 3 -1
-3 3 1 1 -3 1 -3 -3 -1 -1 1 -3
-1 3 1 3 1 -1 -1 3 -3 -1 -3 -1
-1 -3 1 1 1 1 3 1 -1 1 -3 -1
-1 3 -1 1 -3 -3 -3 -3 -3 1 -1 -3
1 1 -3 -3 -3 -3 -1 3 -3 1 -3 3
1 1 -1 -3 -1 -3 1 -1 1 3 -1 1
1 1 3 1 3 3 -1 1 -1 -3 -3 1
1 -3 3 3 1 3 3 1 -3 -1 -1 3
1 3 -3 -3 3 -3 1 -1 -1 3 -1 -3
-3 -1 -3 -1 -3 3 1 -1 1 3 -3 -3
-1 3 -3 3 -1 3 3 -3 3 3 -1 -1
3 -3 -3 -1 -1 -3 -1 3 -3 3 1 -1"""


def table(text):
    return [[int(v) for v in line.split()] for line in text.strip().splitlines()]


PHI = {3: table(PHI3), 6: table(PHI6), 12: table(PHI12)}
N_SEQ = {1: 16, 3: 12, 6: 14, 12: 30}
ALPHA = {3: [0, 2 * math.pi / 3, 4 * math.pi / 3], 6: [0, 2 * math.pi / 6, 4 * math.pi / 6, 8 * math.pi / 6],
         12: [0]}


def byte_at(c_init, n):
    c = gold(c_init, 8 * n + 8)
    return sum(c[8 * n + i] << i for i in range(8))


def main():
    rng = random.Random(20261128)
    out = sys.stdout
    out.write("# NB-IoT NPUSCH sequence reference vectors (TS 36.211 7.2, 10.1.3.1, 10.1.4, 10.1.5)\n")
    out.write("# kind: reference (independent Python implementation written from the spec equations)\n")
    out.write("# generator: vectors/gen/npusch_ref.py (standard library only), seed 20261128, 2026-11-28\n")
    out.write("# command: python3 vectors/gen/npusch_ref.py > vectors/data/phy/ul/npusch_sequences.txt\n")
    out.write("# lines: scr RNTI NF NS NID CINIT BITS(64) | st U OFFSET SIGNS (sign of Re rbar(n), = Im) |\n")
    out.write("#        mt NSC U CS RE0 IM0 ... | hop NSC NID NPRIME DSS U | cover NID NS IDX |\n")
    out.write("#        phase SPACING_HZ K RHO_DEN PHI(0..13) (radians mod 2pi)\n")
    for _ in range(12):
        rnti, nf, ns, nid = rng.randrange(65536), rng.randrange(1024), rng.randrange(20), rng.randrange(504)
        c_init = rnti * 2 ** 14 + (nf % 2) * 2 ** 13 + (ns // 2) * 2 ** 9 + nid
        bits = "".join(str(b) for b in gold(c_init, 64))
        out.write("scr %d %d %d %d %d %s\n" % (rnti, nf, ns, nid, c_init, bits))
    c35 = gold(35, 400)
    for u in (0, 5, 11, 15):
        for off in (0, 37, 300):
            signs = "".join("+" if (1 - 2 * c35[n]) * W[u][n % 16] > 0 else "-" for n in range(off, off + 64))
            out.write("st %d %d %s\n" % (u, off, signs))
    for nsc in (3, 6, 12):
        for u in range(N_SEQ[nsc]):
            for cs, alpha in enumerate(ALPHA[nsc]):
                vals = [cmath.exp(1j * alpha * n) * cmath.exp(1j * PHI[nsc][u][n] * math.pi / 4) for n in range(nsc)]
                out.write("mt %d %d %d %s\n" % (nsc, u, cs, " ".join("%.7f %.7f" % (v.real, v.imag) for v in vals)))
    for _ in range(40):
        nsc = rng.choice([1, 3, 6, 12])
        nid, nprime, dss = rng.randrange(504), rng.randrange(20), rng.randrange(30)
        nseq = N_SEQ[nsc]
        u = (byte_at(nid // nseq, nprime) % nseq + (nid + dss) % nseq) % nseq
        out.write("hop %d %d %d %d %d\n" % (nsc, nid, nprime, dss, u))
    for _ in range(20):
        nid, ns = rng.randrange(504), rng.randrange(20)
        out.write("cover %d %d %d\n" % (nid, ns, byte_at(nid, ns) % 3))
    ts = 1.0 / 30.72e6
    for df, n_ts, cps in ((15e3, 2048, [160, 144, 144, 144, 144, 144, 144]), (3750.0, 8192, [256] * 7)):
        nsc_ul = 12 if df == 15e3 else 48
        for sc in (0, nsc_ul // 2 - 1, nsc_ul - 1):
            k = sc - nsc_ul // 2
            for rho_den in (2, 4):
                rho = math.pi / rho_den
                phis = []
                acc = 0.0
                for lt in range(14):
                    if lt > 0:
                        acc += 2 * math.pi * df * (k + 0.5) * (n_ts + cps[lt % 7]) * ts
                    phis.append((rho * (lt % 2) + acc) % (2 * math.pi))
                out.write("phase %d %d %d %s\n" % (int(df), sc, rho_den, " ".join("%.9f" % p for p in phis)))


if __name__ == "__main__":
    main()
