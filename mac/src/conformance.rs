//! Conformance of the layer-2 codecs against `vectors/data/mac/l2_pdus.toml` (hand-decoded
//! and independent PDUs; see its README): every PDU decodes to the listed fields and
//! re-encodes to the same bytes. The caller hands the TOML text in; nothing here touches a
//! file. Used by the vector test and by `ntn conformance`.

use crate::mac::pdu::{LinkDirection, MacPduRepr, MacSubPdu, RarPduRepr};
use crate::pdcp::pdu::{PdcpDataPdu, PdcpSnLength, emit_data_header};
use crate::rlc::pdu::{AmdPduRepr, FramingInfo, LiLength, StatusPduRepr, UmSnLength, UmdPduRepr};
use ntn_types::conformance::{SuiteReport, hex_bytes};
use serde::Deserialize;

/// The vector file, as the test and the suite read it.
#[derive(Deserialize)]
pub struct L2File {
    /// RLC AMD PDUs.
    pub rlc_amd: Vec<AmdVector>,
    /// RLC UMD PDUs.
    pub rlc_umd: Vec<UmdVector>,
    /// RLC STATUS PDUs.
    pub rlc_status: Vec<StatusVector>,
    /// PDCP data PDUs.
    pub pdcp_data: Vec<PdcpVector>,
    /// MAC PDUs.
    pub mac_pdu: Vec<MacVector>,
    /// MAC RAR PDUs.
    pub rar: Vec<RarVector>,
}

/// An RLC AMD PDU and its fields.
#[derive(Deserialize)]
#[allow(missing_docs)]
pub struct AmdVector {
    pub name: String,
    pub hex: String,
    sn: u16,
    poll: bool,
    fi: u8,
    lis: Vec<u16>,
    header_len: usize,
    lsf: Option<bool>,
    so: Option<u16>,
}

/// An RLC UMD PDU and its fields.
#[derive(Deserialize)]
#[allow(missing_docs)]
pub struct UmdVector {
    pub name: String,
    pub hex: String,
    sn_bits: u8,
    sn: u16,
    fi: u8,
    lis: Vec<u16>,
    header_len: usize,
}

/// An RLC STATUS PDU and its fields (SO −1: none).
#[derive(Deserialize)]
#[allow(missing_docs)]
pub struct StatusVector {
    pub name: String,
    pub hex: String,
    ack_sn: u16,
    nack_sn: Vec<u16>,
    so_start: Vec<i32>,
    so_end: Vec<i32>,
}

/// A PDCP data PDU and its SN.
#[derive(Deserialize)]
#[allow(missing_docs)]
pub struct PdcpVector {
    pub name: String,
    pub hex: String,
    sn_bits: u8,
    sn: u32,
}

/// A MAC PDU: its subPDUs and padding.
#[derive(Deserialize)]
#[allow(missing_docs)]
pub struct MacVector {
    pub name: String,
    pub hex: String,
    uplink: bool,
    lcids: Vec<u8>,
    payloads: Vec<String>,
    padding: usize,
}

/// A MAC RAR PDU and its fields.
#[derive(Deserialize)]
#[allow(missing_docs)]
pub struct RarVector {
    pub name: String,
    pub hex: String,
    bi: u8,
    rapid: u8,
    ta: u16,
    grant: u16,
    tc_rnti: u16,
}

fn check_amd(v: &AmdVector, b: &[u8]) -> Result<(), String> {
    let (r, hdr) = AmdPduRepr::parse(b, LiLength::Eleven).map_err(|e| e.to_string())?;
    if (r.sn, r.poll, r.fi.bits(), &r.lis, hdr) != (v.sn, v.poll, v.fi, &v.lis, v.header_len)
        || r.segment.map(|s| (s.lsf, s.so)) != v.lsf.zip(v.so)
    {
        return Err("decoded fields differ".into());
    }
    let mut out = Vec::new();
    r.emit(LiLength::Eleven, &mut out)
        .map_err(|e| e.to_string())?;
    (b.get(..hdr) == Some(&out[..]))
        .then_some(())
        .ok_or_else(|| "re-encoded header differs".into())
}

fn check_umd(v: &UmdVector, b: &[u8]) -> Result<(), String> {
    let snl = if v.sn_bits == 5 {
        UmSnLength::Five
    } else {
        UmSnLength::Ten
    };
    let (r, hdr) = UmdPduRepr::parse(b, snl, LiLength::Eleven).map_err(|e| e.to_string())?;
    if (r.sn, r.fi, &r.lis, hdr) != (v.sn, FramingInfo::from_bits(v.fi), &v.lis, v.header_len) {
        return Err("decoded fields differ".into());
    }
    let mut out = Vec::new();
    r.emit(snl, LiLength::Eleven, &mut out)
        .map_err(|e| e.to_string())?;
    (b.get(..hdr) == Some(&out[..]))
        .then_some(())
        .ok_or_else(|| "re-encoded header differs".into())
}

fn check_status(v: &StatusVector, b: &[u8]) -> Result<(), String> {
    let s = StatusPduRepr::parse(b).map_err(|e| e.to_string())?;
    let sns: Vec<u16> = s.nacks.iter().map(|n| n.sn).collect();
    if s.ack_sn != v.ack_sn || sns != v.nack_sn {
        return Err("ACK_SN or NACK_SNs differ".into());
    }
    for (i, n) in s.nacks.iter().enumerate() {
        let (Some(&a), Some(&e)) = (v.so_start.get(i), v.so_end.get(i)) else {
            return Err("so_start/so_end shorter than the NACKs".into());
        };
        let want = match (u16::try_from(a), u16::try_from(e)) {
            (Ok(a), Ok(e)) => Some((a, e)),
            _ => None,
        };
        if n.so != want {
            return Err(format!("NACK {i}: SO {:?}", n.so));
        }
    }
    let mut out = Vec::new();
    s.emit(&mut out).map_err(|e| e.to_string())?;
    (out == b)
        .then_some(())
        .ok_or_else(|| "re-encoded PDU differs".into())
}

fn check_pdcp(v: &PdcpVector, b: &[u8]) -> Result<(), String> {
    let l = match v.sn_bits {
        5 => PdcpSnLength::Five,
        7 => PdcpSnLength::Seven,
        _ => PdcpSnLength::Twelve,
    };
    let p = PdcpDataPdu::new_checked(b, l).map_err(|e| e.to_string())?;
    if p.sn() != v.sn {
        return Err(format!("SN {}", p.sn()));
    }
    let mut out = Vec::new();
    emit_data_header(v.sn, l, &mut out).map_err(|e| e.to_string())?;
    (b.get(..l.header_len()) == Some(&out[..]))
        .then_some(())
        .ok_or_else(|| "re-encoded header differs".into())
}

fn check_mac(v: &MacVector, b: &[u8]) -> Result<(), String> {
    let dir = if v.uplink {
        LinkDirection::Uplink
    } else {
        LinkDirection::Downlink
    };
    let p = MacPduRepr::parse(b, dir).map_err(|e| e.to_string())?;
    let lcids: Vec<u8> = p.elements.iter().map(|e| e.lcid).collect();
    let payloads: Option<Vec<Vec<u8>>> = v.payloads.iter().map(|h| hex_bytes(h)).collect();
    let payloads = payloads.ok_or("a payload is not hex")?;
    if lcids != v.lcids
        || p.padding != v.padding
        || p.elements.len() != payloads.len()
        || p.elements
            .iter()
            .zip(&payloads)
            .any(|(e, w)| e.payload != &w[..])
    {
        return Err("decoded subPDUs differ".into());
    }
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
    repr.emit(dir, b.len(), &mut out)
        .map_err(|e| e.to_string())?;
    (out == b)
        .then_some(())
        .ok_or_else(|| "re-encoded PDU differs".into())
}

fn check_rar(v: &RarVector, b: &[u8]) -> Result<(), String> {
    let r = RarPduRepr::parse(b).map_err(|e| e.to_string())?;
    let &(rapid, rar) = r.rars.first().ok_or("no RAR")?;
    if r.backoff_indicator != Some(v.bi)
        || (rapid, rar.ta, rar.grant.bits(), rar.tc_rnti) != (v.rapid, v.ta, v.grant, v.tc_rnti)
    {
        return Err("decoded fields differ".into());
    }
    let mut out = Vec::new();
    r.emit(&mut out).map_err(|e| e.to_string())?;
    (out == b)
        .then_some(())
        .ok_or_else(|| "re-encoded PDU differs".into())
}

/// Every PDU of the file: decode to the listed fields, re-encode to the same bytes. One case
/// per PDU.
pub fn l2_pdus(toml_text: &str) -> SuiteReport {
    let mut report = SuiteReport::new(
        "l2-pdus",
        "mac/MAC+RLC+PDCP PDU codecs",
        "TS 36.321/36.322/36.323 hand-decoded and independent PDUs (vectors/data/mac/l2_pdus.toml)",
        "fields equal, re-encoding byte-exact",
    );
    let f: L2File = match toml::from_str(toml_text) {
        Ok(f) => f,
        Err(e) => {
            report.case("vector file", false, e.to_string());
            return report;
        }
    };
    let mut one =
        |kind: &str, name: &str, hex: &str, check: &dyn Fn(&[u8]) -> Result<(), String>| {
            let r = hex_bytes(hex)
                .ok_or_else(|| "not hex".to_owned())
                .and_then(|b| check(&b));
            match r {
                Ok(()) => report.case(format!("{kind} {name}"), true, "decoded and re-encoded"),
                Err(e) => report.case(format!("{kind} {name}"), false, e),
            }
        };
    for v in &f.rlc_amd {
        one("RLC AMD", &v.name, &v.hex, &|b| check_amd(v, b));
    }
    for v in &f.rlc_umd {
        one("RLC UMD", &v.name, &v.hex, &|b| check_umd(v, b));
    }
    for v in &f.rlc_status {
        one("RLC STATUS", &v.name, &v.hex, &|b| check_status(v, b));
    }
    for v in &f.pdcp_data {
        one("PDCP", &v.name, &v.hex, &|b| check_pdcp(v, b));
    }
    for v in &f.mac_pdu {
        one("MAC", &v.name, &v.hex, &|b| check_mac(v, b));
    }
    for v in &f.rar {
        one("RAR", &v.name, &v.hex, &|b| check_rar(v, b));
    }
    report
}
