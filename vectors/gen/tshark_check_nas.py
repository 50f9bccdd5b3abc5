#!/usr/bin/env python3
"""Decode ntn-nas encodings with tshark (Wireshark's nas-eps dissector) and report malformed
fields.

Input: lines "ul|dl HEX" as written by `cargo test -p ntn-nas --test pycrate_vectors` to
$CARGO_TARGET_DIR/nas_our_encodings.txt. Each PDU goes into a pcap record of link type 252
(Wireshark "exported PDU") with an EXP_PDU_TAG_PROTO_NAME tag "nas-eps", so stock tshark
dissects it with no preferences. A PDU fails if tshark reports a malformed packet or an error
expert item.

    python3 vectors/gen/tshark_check_nas.py target/nas_our_encodings.txt
    python3 vectors/gen/tshark_check_nas.py target/nas5g_our_encodings.txt nas-5gs

The same check runs as Rust tests (`our_encodings_decode_in_tshark_without_malformed_fields` in
nas/tests/pycrate_vectors.rs and its 5GS twin), which also fail on Warning/Malformed expert
items; this script is for looking at tshark's notes by hand.
"""
import struct
import subprocess
import sys
import tempfile


def exported_pdu(payload, proto=b'nas-eps'):
    name = proto + b'\0' * ((4 - len(proto) % 4) % 4)
    tags = struct.pack('>HH', 12, len(name)) + name + struct.pack('>HH', 0, 0)
    return tags + payload


def main(path, proto=b'nas-eps'):
    pdus = []
    for line in open(path):
        line = line.strip()
        if line:
            d, hx = line.split()
            pdus.append((d, bytes.fromhex(hx)))
    with tempfile.NamedTemporaryFile(suffix='.pcap', delete=False) as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 252))
        for i, (_, p) in enumerate(pdus):
            rec = exported_pdu(p, proto)
            f.write(struct.pack('<IIII', i, 0, len(rec), len(rec)))
            f.write(rec)
        pcap = f.name
    out = subprocess.run(['tshark', '-r', pcap, '-V', '-o', 'nas-eps.null_decipher:TRUE'],
                         capture_output=True, text=True).stdout
    frames = out.split('\nFrame ')
    bad = 0
    notes = 0
    for i, fr in enumerate(frames):
        d, p = pdus[i] if i < len(pdus) else ('?', b'')
        if 'Malformed Packet' in fr or '(Error/Malformed)' in fr:
            bad += 1
            print('frame %d (%s %s): MALFORMED' % (i + 1, d, p.hex()))
        elif 'Expert Info (Error/Protocol)' in fr or 'Expert Info (Warning' in fr:
            notes += 1
            why = [l.strip() for l in fr.splitlines() if 'Expert Info (' in l]
            print('frame %d (%s %s): note: %s' % (i + 1, d, p.hex(), '; '.join(why)))
    print('tshark dissected %d PDUs: %d malformed, %d with protocol notes / warnings'
          % (len(frames), bad, notes))
    return bad == 0 and len(frames) == len(pdus)


if __name__ == '__main__':
    proto = sys.argv[2].encode() if len(sys.argv) > 2 else b'nas-eps'
    sys.exit(0 if main(sys.argv[1], proto) else 1)
