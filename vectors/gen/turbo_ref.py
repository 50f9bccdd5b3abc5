#!/usr/bin/env python3
"""Independent reference for the LTE turbo encoder and turbo rate matching.

Written straight from the equations of TS 36.212:
  * §5.1.3.2.1 turbo encoder (PCCC, G(D) = [1, g1/g0], g0 = 1+D^2+D^3, g1 = 1+D+D^3),
  * §5.1.3.2.2 trellis termination (12 tail bits, the d^(0..2)_{K..K+3} assignment),
  * §5.1.3.2.3 QPP interleaver Pi(i) = (f1*i + f2*i^2) mod K,
  * §5.1.4.1.1 sub-block interleaver (32 columns, inter-column permutation, third stream
    pi(k) = (P[floor(k/R)] + 32*(k mod R) + 1) mod K_Pi),
  * §5.1.4.1.2 bit collection, k0 = R*(2*ceil(Ncb/(8R))*rv + 2), NULL skipping, Ncb = Kw.

The (f1, f2) pairs below were taken from a separate transcription of Table 5.1.3-3 (the
MathWorks getf1f2.m listing), not from the Rust table, so the Rust table is cross-checked for
the block sizes used here. No code was taken from any library.

Usage (writes the reference vector file):
    python3 vectors/gen/turbo_ref.py > vectors/data/phy/ul/turbo_reference.txt
"""
import sys

import numpy as np

# K -> (f1, f2), Table 5.1.3-3, for the sizes exercised here.
F1F2 = {40: (3, 10), 104: (7, 26), 1008: (55, 84), 2240: (209, 420), 3200: (111, 240),
        6144: (263, 480)}

# Table 5.1.4-1, inter-column permutation pattern of the sub-block interleaver.
P = [0, 16, 8, 24, 4, 20, 12, 28, 2, 18, 10, 26, 6, 22, 14, 30,
     1, 17, 9, 25, 5, 21, 13, 29, 3, 19, 11, 27, 7, 23, 15, 31]

NULL = -1


def constituent(bits):
    """One 8-state constituent encoder of Figure 5.1.3-2 over `bits`, then the 3-step
    termination with the switch in the feedback position. Returns (z, x_tail, z_tail)."""
    reg = [0, 0, 0]  # reg[0] = first delay element (D), reg[1] = D^2, reg[2] = D^3
    z = []
    for c in bits:
        fb = reg[1] ^ reg[2]            # g0 taps D^2, D^3
        a = c ^ fb
        z.append(a ^ reg[0] ^ reg[2])   # g1 taps 1, D, D^3
        reg = [a, reg[0], reg[1]]
    xt, zt = [], []
    for _ in range(3):
        fb = reg[1] ^ reg[2]
        xt.append(fb)                   # input taken from the feedback: register input 0
        zt.append(0 ^ reg[0] ^ reg[2])
        reg = [0, reg[0], reg[1]]
    assert reg == [0, 0, 0]
    return z, xt, zt


def turbo_encode(c):
    K = len(c)
    f1, f2 = F1F2[K]
    cp = [c[(f1 * i + f2 * i * i) % K] for i in range(K)]
    z, xt, zt = constituent(c)
    zp, xpt, zpt = constituent(cp)
    d0 = list(c) + [xt[0], zt[1], xpt[0], zpt[1]]
    d1 = list(z) + [zt[0], xt[2], zpt[0], xpt[2]]
    d2 = list(zp) + [xt[1], zt[2], xpt[1], zpt[2]]
    return d0, d1, d2


def subblock(d, third):
    D = len(d)
    R = -(-D // 32)
    KPi = 32 * R
    ND = KPi - D
    y = [NULL] * ND + list(d)
    if not third:
        m = np.array(y).reshape(R, 32)          # written row by row
        m = m[:, P]                              # permute columns
        return list(m.T.reshape(-1)), R          # read column by column
    return [y[(P[k // R] + 32 * (k % R) + 1) % KPi] for k in range(KPi)], R


def rate_match(c, filler, E, rv):
    d0, d1, d2 = turbo_encode(c)
    for k in range(filler):                      # filler bits are <NULL> in d0 and d1
        d0[k] = NULL
        d1[k] = NULL
    v0, R = subblock(d0, False)
    v1, _ = subblock(d1, False)
    v2, _ = subblock(d2, True)
    KPi = len(v0)
    w = v0 + [None] * (2 * KPi)
    for k in range(KPi):
        w[KPi + 2 * k] = v1[k]
        w[KPi + 2 * k + 1] = v2[k]
    Ncb = len(w)
    k0 = R * (2 * -(-Ncb // (8 * R)) * rv + 2)
    e, k, j = [], 0, 0
    while k < E:
        b = w[(k0 + j) % Ncb]
        if b != NULL:
            e.append(b)
            k += 1
        j += 1
    return e


def s(bits):
    return "".join(str(int(b)) for b in bits)


def main():
    rng = np.random.default_rng(20261128)
    out = sys.stdout
    out.write("# LTE turbo encoder and rate-matching reference vectors (TS 36.212 5.1.3.2, 5.1.4.1)\n")
    out.write("# kind: reference (independent Python implementation written from the spec equations)\n")
    out.write("# generator: vectors/gen/turbo_ref.py, numpy %s, seed 20261128, 2026-11-28\n" % np.__version__)
    out.write("# command: python3 vectors/gen/turbo_ref.py > vectors/data/phy/ul/turbo_reference.txt\n")
    out.write("# format: 'encode K' then lines c/d0/d1/d2; 'ratematch K F E rv' then lines c/e (bits as 0/1)\n")
    for K in [40, 104, 1008, 2240, 6144]:
        c = rng.integers(0, 2, K)
        d0, d1, d2 = turbo_encode(c)
        out.write("encode %d\nc %s\nd0 %s\nd1 %s\nd2 %s\n" % (K, s(c), s(d0), s(d1), s(d2)))
    for (K, F, E, rv) in [(40, 0, 100, 0), (40, 0, 300, 1), (40, 0, 77, 2), (40, 0, 200, 3),
                          (104, 4, 250, 0), (104, 4, 90, 3), (1008, 0, 1500, 0),
                          (1008, 0, 4000, 2), (3200, 0, 9000, 1), (6144, 0, 7000, 3)]:
        c = rng.integers(0, 2, K)
        c[:F] = 0
        e = rate_match(c, F, E, rv)
        out.write("ratematch %d %d %d %d\nc %s\ne %s\n" % (K, F, E, rv, s(c), s(e)))


if __name__ == "__main__":
    main()
