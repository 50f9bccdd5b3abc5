//! Replays `vectors/data/mac/l2_pdus.toml`: every PDU decodes to the listed fields and
//! re-encodes to the same bytes; every PDU also goes through the fuzz entry points (the
//! file doubles as their seed corpus).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_mac::mac::pdu::{LinkDirection, MacPduRepr, MacSubPdu, RarPduRepr, fuzz_decode_mac};
use ntn_mac::pdcp::pdu::{PdcpDataPdu, PdcpSnLength, emit_data_header, fuzz_decode_pdcp};
use ntn_mac::rlc::pdu::{
    AmdPduRepr, FramingInfo, LiLength, StatusPduRepr, UmSnLength, UmdPduRepr, fuzz_decode_rlc,
};
use serde::Deserialize;

const FILE: &str = include_str!("../../vectors/data/mac/l2_pdus.toml");

#[derive(Deserialize)]
struct File {
    rlc_amd: Vec<Amd>,
    rlc_umd: Vec<Umd>,
    rlc_status: Vec<Status>,
    pdcp_data: Vec<Pdcp>,
    mac_pdu: Vec<Mac>,
    rar: Vec<Rar>,
}
#[derive(Deserialize)]
struct Amd {
    name: String,
    hex: String,
    sn: u16,
    poll: bool,
    fi: u8,
    lis: Vec<u16>,
    header_len: usize,
    lsf: Option<bool>,
    so: Option<u16>,
}
#[derive(Deserialize)]
struct Umd {
    name: String,
    hex: String,
    sn_bits: u8,
    sn: u16,
    fi: u8,
    lis: Vec<u16>,
    header_len: usize,
}
#[derive(Deserialize)]
struct Status {
    name: String,
    hex: String,
    ack_sn: u16,
    nack_sn: Vec<u16>,
    so_start: Vec<i32>,
    so_end: Vec<i32>,
}
#[derive(Deserialize)]
struct Pdcp {
    name: String,
    hex: String,
    sn_bits: u8,
    sn: u32,
}
#[derive(Deserialize)]
struct Mac {
    name: String,
    hex: String,
    uplink: bool,
    lcids: Vec<u8>,
    payloads: Vec<String>,
    padding: usize,
}
#[derive(Deserialize)]
struct Rar {
    name: String,
    hex: String,
    bi: u8,
    rapid: u8,
    ta: u16,
    grant: u16,
    tc_rnti: u16,
}

fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex {s}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn file() -> File {
    toml::from_str(FILE).unwrap()
}

#[test]
fn rlc_vectors() {
    let f = file();
    for v in &f.rlc_amd {
        let b = unhex(&v.hex);
        let (r, hdr) = AmdPduRepr::parse(&b, LiLength::Eleven).unwrap();
        assert_eq!(
            (r.sn, r.poll, r.fi.bits(), &r.lis, hdr),
            (v.sn, v.poll, v.fi, &v.lis, v.header_len),
            "{}",
            v.name
        );
        assert_eq!(
            r.segment.map(|s| (s.lsf, s.so)),
            v.lsf.zip(v.so),
            "{}",
            v.name
        );
        let mut out = Vec::new();
        r.emit(LiLength::Eleven, &mut out).unwrap();
        assert_eq!(out, b[..hdr], "{}", v.name);
    }
    for v in &f.rlc_umd {
        let b = unhex(&v.hex);
        let snl = if v.sn_bits == 5 {
            UmSnLength::Five
        } else {
            UmSnLength::Ten
        };
        let (r, hdr) = UmdPduRepr::parse(&b, snl, LiLength::Eleven).unwrap();
        assert_eq!(
            (r.sn, r.fi, &r.lis, hdr),
            (v.sn, FramingInfo::from_bits(v.fi), &v.lis, v.header_len),
            "{}",
            v.name
        );
        let mut out = Vec::new();
        r.emit(snl, LiLength::Eleven, &mut out).unwrap();
        assert_eq!(out, b[..hdr], "{}", v.name);
    }
    for v in &f.rlc_status {
        let b = unhex(&v.hex);
        let s = StatusPduRepr::parse(&b).unwrap();
        assert_eq!(s.ack_sn, v.ack_sn, "{}", v.name);
        let sns: Vec<u16> = s.nacks.iter().map(|n| n.sn).collect();
        assert_eq!(sns, v.nack_sn, "{}", v.name);
        for (i, n) in s.nacks.iter().enumerate() {
            let want = (v.so_start[i] >= 0).then(|| (v.so_start[i] as u16, v.so_end[i] as u16));
            assert_eq!(n.so, want, "{}", v.name);
        }
        let mut out = Vec::new();
        s.emit(&mut out).unwrap();
        assert_eq!(out, b, "{}", v.name);
    }
}

#[test]
fn pdcp_vectors() {
    for v in &file().pdcp_data {
        let b = unhex(&v.hex);
        let l = match v.sn_bits {
            5 => PdcpSnLength::Five,
            7 => PdcpSnLength::Seven,
            _ => PdcpSnLength::Twelve,
        };
        let p = PdcpDataPdu::new_checked(&b[..], l).unwrap();
        assert_eq!(p.sn(), v.sn, "{}", v.name);
        let mut out = Vec::new();
        emit_data_header(v.sn, l, &mut out).unwrap();
        assert_eq!(out, b[..l.header_len()], "{}", v.name);
    }
}

#[test]
fn mac_vectors() {
    let f = file();
    for v in &f.mac_pdu {
        let b = unhex(&v.hex);
        let dir = if v.uplink {
            LinkDirection::Uplink
        } else {
            LinkDirection::Downlink
        };
        let p = MacPduRepr::parse(&b, dir).unwrap();
        let lcids: Vec<u8> = p.elements.iter().map(|e| e.lcid).collect();
        assert_eq!(lcids, v.lcids, "{}", v.name);
        let payloads: Vec<Vec<u8>> = v.payloads.iter().map(|h| unhex(h)).collect();
        for (e, want) in p.elements.iter().zip(&payloads) {
            assert_eq!(e.payload, &want[..], "{}", v.name);
        }
        assert_eq!(p.padding, v.padding, "{}", v.name);
        let repr = MacPduRepr {
            elements: v
                .lcids
                .iter()
                .zip(&payloads)
                .map(|(&lcid, p)| MacSubPdu { lcid, payload: p })
                .collect(),
            padding: 0,
        };
        let mut out = Vec::new();
        repr.emit(dir, b.len(), &mut out).unwrap();
        assert_eq!(out, b, "{}", v.name);
    }
    for v in &f.rar {
        let b = unhex(&v.hex);
        let r = RarPduRepr::parse(&b).unwrap();
        assert_eq!(r.backoff_indicator, Some(v.bi), "{}", v.name);
        let (rapid, rar) = r.rars[0];
        assert_eq!(
            (rapid, rar.ta, rar.grant.bits(), rar.tc_rnti),
            (v.rapid, v.ta, v.grant, v.tc_rnti),
            "{}",
            v.name
        );
        let mut out = Vec::new();
        r.emit(&mut out).unwrap();
        assert_eq!(out, b, "{}", v.name);
    }
}

/// The vectors as a fuzz seed corpus: each PDU, every prefix and every single-bit flip
/// through every decoder.
#[test]
fn corpus_replay_with_mutations() {
    let f = file();
    let all: Vec<Vec<u8>> = f
        .rlc_amd
        .iter()
        .map(|v| &v.hex)
        .chain(f.rlc_umd.iter().map(|v| &v.hex))
        .chain(f.rlc_status.iter().map(|v| &v.hex))
        .chain(f.pdcp_data.iter().map(|v| &v.hex))
        .chain(f.mac_pdu.iter().map(|v| &v.hex))
        .chain(f.rar.iter().map(|v| &v.hex))
        .map(|h| unhex(h))
        .collect();
    let mut runs = 0;
    for b in &all {
        for n in 0..=b.len() {
            run_all(&b[..n]);
            runs += 1;
        }
        for bit in 0..b.len() * 8 {
            let mut m = b.clone();
            m[bit / 8] ^= 1 << (bit % 8);
            run_all(&m);
            runs += 1;
        }
    }
    assert!(runs > 500);
}

fn run_all(b: &[u8]) {
    fuzz_decode_rlc(b);
    fuzz_decode_pdcp(b);
    fuzz_decode_mac(b);
}
