#!/usr/bin/env python3
"""Builds the seed corpus fuzz/corpus/<target>/ from the repository's vectors.

Usage (from the repository root):
    python3 fuzz/make_corpus.py [--iq RECORDING.sigmf-meta]

Seeds: MAC/RLC/PDCP PDUs from vectors/data/mac/l2_pdus.toml, RRC encodings from
vectors/data/rrc/*.json (routed by message type), EPS/5GS NAS messages from
vectors/data/nas/*_pycrate.json (plain, and wrapped as integrity-protected with EIA0/EEA0
for the *_protected targets), SigMF metadata and sample bytes. With --iq (a cf32_le
recording written by `ntn nbiot gen`), the sdr_samples seeds take its first samples and
phy_dl_rx gets subframe 0 and frame 0 of the recording (cell id prefix, see fuzz_receive).

Files are named by the SHA-1 of their content, as cargo-fuzz names corpus entries, so
re-running is idempotent; existing files (e.g. inputs a fuzzer added) are kept.
"""
import argparse
import hashlib
import json
import pathlib
import struct
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"

RRC_TARGETS = {
    "BCCH-BCH-Message-NB": "rrc_bcch_bch",
    "BCCH-DL-SCH-Message-NB": "rrc_bcch_dl_sch",
    "SystemInformationBlockType1-NB": "rrc_sib1",
    "SystemInformationBlockType31-NB-r17": "rrc_sib31",
    "DL-CCCH-Message-NB": "rrc_dl_ccch",
    "UL-CCCH-Message-NB": "rrc_ul_ccch",
    "DL-DCCH-Message-NB": "rrc_dl_dcch",
    "UL-DCCH-Message-NB": "rrc_ul_dcch",
    "PCCH-Message-NB": "rrc_pcch",
}

# fuzz_unprotect_parse selector byte: EEA0/EIA0; bit 4 set = network role (receives uplink).
SEL_UE, SEL_NETWORK = 0x00, 0x10

written = {}


def put(target, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)
    written[target] = written.get(target, 0) + 1


def l2():
    doc = tomllib.loads((ROOT / "vectors/data/mac/l2_pdus.toml").read_text())
    for section, entries in doc.items():
        target = {"rlc": "rlc", "pdcp": "pdcp", "mac": "mac", "rar": "mac"}[section.split("_")[0]]
        for e in entries:
            put(target, bytes.fromhex(e["hex"]))


def rrc():
    for name in ("nb_pycrate.json", "nb_ours.json"):
        doc = json.loads((ROOT / "vectors/data/rrc" / name).read_text())
        for v in doc["vectors"] if isinstance(doc, dict) else doc:
            put(RRC_TARGETS[v["type"]], bytes.fromhex(v["hex"]))


def nas():
    for name, plain_t, prot_t in (
        ("eps_pycrate.json", "nas_eps", "nas_eps_protected"),
        ("5gs_pycrate.json", "nas_5gs", "nas_5gs_protected"),
    ):
        doc = json.loads((ROOT / "vectors/data/nas" / name).read_text())
        for v in doc["vectors"]:
            msg = bytes.fromhex(v["hex"])
            put(plain_t, msg)
            sel = SEL_NETWORK if v.get("dir") == "ul" else SEL_UE
            if plain_t == "nas_eps":
                # TS 24.301 9.1: SHT 1 (integrity protected) | PD 7, MAC (zero under EIA0), SN 0
                wrapped = bytes([0x17, 0, 0, 0, 0, 0]) + msg
            else:
                # TS 24.501 9.1.1: EPD 0x7E, SHT 1, MAC, SN 0
                wrapped = bytes([0x7E, 0x01, 0, 0, 0, 0, 0]) + msg
            put(prot_t, bytes([sel]) + wrapped)
            put(prot_t, bytes([sel]) + msg)


def meta_text(datatype):
    return json.dumps(
        {
            "global": {
                "core:datatype": datatype,
                "core:sample_rate": 1920000.0,
                "core:num_channels": 1,
                "core:version": "1.0.0",
                "core:description": "fuzz seed",
            },
            "captures": [{"core:sample_start": 0, "core:frequency": 2.0e9}],
            "annotations": [],
        },
        indent=1,
    ).encode()


def sdr(iq):
    put("sdr_meta", meta_text("cf32_le"))
    put("sdr_meta", meta_text("ci16_le"))
    put("sdr_meta", b'{"global":{"core:datatype":"cf32_le","core:sample_rate":1}}')
    if iq is None:
        samples = [(0.5, -0.25), (1.0, 0.0), (-1.0, 0.75), (0.0, 0.0)]
    else:
        raw = iq[: 64 * 8]
        samples = [struct.unpack_from("<ff", raw, i) for i in range(0, len(raw), 8)]
    put("sdr_samples", b"".join(struct.pack("<ff", re, im) for re, im in samples))
    q = lambda v: max(-32768, min(32767, round(v * 32768)))
    put("sdr_samples", b"".join(struct.pack("<hh", q(re), q(im)) for re, im in samples))


def phy(iq, cell):
    sf = 1920 * 8  # one subframe of cf32_le at 1.92 Msample/s
    prefix = struct.pack("<H", cell)
    put("phy_dl_rx", prefix + iq[:sf])
    put("phy_dl_rx", prefix + iq[: 10 * sf])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iq", type=pathlib.Path, help="cf32_le recording (.sigmf-meta) from `ntn nbiot gen`")
    args = ap.parse_args()
    l2()
    rrc()
    nas()
    iq = None
    if args.iq is not None:
        meta = json.loads(args.iq.read_text())
        iq = args.iq.with_suffix(".sigmf-data").read_bytes()
        phy(iq, meta["global"].get("ntn:cell_id", 0))
    sdr(iq)
    for t in sorted(written):
        print(f"{t}: {written[t]} seeds")


if __name__ == "__main__":
    main()
