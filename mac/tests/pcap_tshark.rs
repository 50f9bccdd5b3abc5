//! The pcap tap against Wireshark's dissectors: a capture of real NB-IoT MAC PDUs (RAR, Msg3
//! with DPR + RRCConnectionRequest-NB, Msg4 with the contention resolution identity +
//! RRCConnectionSetup-NB, SRB1bis and SRB1 traffic through our RLC AM and PDCP entities,
//! MIB-NB, SIB1-NB, SIB31-NB, paging) is written by `ntn_mac::pcap` and dissected by
//! `tshark -V`; the expected RRC-NB message names must appear, with no "Malformed" packet
//! and no expert error. The RRC encodings are the pycrate reference vectors of
//! `vectors/data/rrc/nb_pycrate.json`. Skips with a printed reason when `tshark` is absent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bytes::{Bytes, BytesMut};
use ntn_mac::mac::pdu::{
    Dpr, LCID_CCCH, LCID_SRB1BIS, LinkDirection, MacPduRepr, MacSubPdu, NbRar, NbRarGrant,
    RarPduRepr, TimingAdvanceCommand,
};
use ntn_mac::pcap::{MacPcap, MacPcapContext, PcapDirection, RntiType};
use ntn_mac::pdcp::entity::{PdcpBearer, PdcpConfig, PdcpEntity};
use ntn_mac::pdcp::pdu::PdcpSnLength;
use ntn_mac::pdcp::{Direction, NullSecurity};
use ntn_mac::rlc::am::{RlcAmConfig, RlcAmEntity};
use ntn_types::{Duration, Instant};
use std::path::PathBuf;
use std::process::Command;

/// The user-DLT mapping that makes tshark read DLT 147 as `mac-lte-framed`.
const USER_DLT: &str = r#"uat:user_dlts:"User 0 (DLT=147)","mac-lte-framed","0","","0","""#;
/// The capture's PDCP uses the null algorithms while the SecurityModeCommand vector names
/// real ones; without this Wireshark would treat later SRB1 PDUs as ciphered and not decode
/// them (it has no keys).
const IGNORE_SMC: &str = "pdcp-lte.ignore_rrc_sec_params:TRUE";

fn rrc_vector(name: &str) -> Vec<u8> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors/data/rrc/nb_pycrate.json");
    let text = std::fs::read_to_string(&path).expect("vectors/data/rrc/nb_pycrate.json");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let hex = v["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("no RRC vector {name}"))["hex"]
        .as_str()
        .unwrap()
        .to_owned();
    (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn mac_pdu(dir: LinkDirection, elements: &[(u8, &[u8])], tbs: usize) -> Vec<u8> {
    let repr = MacPduRepr {
        elements: elements
            .iter()
            .map(|&(lcid, payload)| MacSubPdu { lcid, payload })
            .collect(),
        padding: 0,
    };
    let mut out = Vec::new();
    repr.emit(dir, tbs, &mut out).unwrap();
    out
}

/// One RLC AM PDU carrying `sdu` (the whole SDU fits the grant).
fn rlc_am_pdu(rlc: &mut RlcAmEntity, now: Instant, sdu: Bytes) -> Vec<u8> {
    rlc.handle_sdu(now, sdu).unwrap();
    let mut out = BytesMut::new();
    rlc.pull_pdu(now, 200, &mut out);
    assert!(!out.is_empty());
    out.to_vec()
}

/// Builds the capture: one UE's access and first signalling, plus broadcast.
fn build_capture() -> Vec<u8> {
    let mut tap = MacPcap::new();
    let rnti = 0x4601;
    let t0 = Instant::ZERO;
    let mut now = t0;
    let mut step = |ms: i64| {
        now += Duration::from_millis(ms);
        now
    };
    let dl = |t| MacPcapContext::nb_iot(PcapDirection::Downlink, t, rnti);
    let ul = MacPcapContext::nb_iot(PcapDirection::Uplink, RntiType::C, rnti);

    // Broadcast: MIB-NB on NPBCH, SIB1-NB (with the v1700 NTN extension), SIB31-NB, paging.
    let t = step(0);
    tap.record(
        t,
        &MacPcapContext::nb_iot(PcapDirection::Downlink, RntiType::None, 0),
        &rrc_vector("mib_standalone"),
    );
    let si = MacPcapContext::nb_iot(PcapDirection::Downlink, RntiType::Si, 0xffff);
    tap.record(step(4), &si, &rrc_vector("dlsch_sib1_ntn"));
    tap.record(step(160), &si, &rrc_vector("si_sib31_sv_0"));
    tap.record(step(160), &si, &rrc_vector("si_sib31_orb_3"));
    let pch = MacPcapContext::nb_iot(PcapDirection::Downlink, RntiType::P, 0xfffe);
    tap.record(step(100), &pch, &rrc_vector("paging_stmsi"));

    // RAR for RAPID 17 on RA-RNTI 2. T_A = 0: the NTN UE pre-compensates its full TA.
    let rar = RarPduRepr {
        backoff_indicator: None,
        rars: vec![(
            17,
            NbRar {
                ta: 0,
                grant: NbRarGrant {
                    spacing_15khz: true,
                    subcarrier_indication: 12,
                    scheduling_delay: 1,
                    msg3_repetitions: 2,
                    mcs: 3,
                },
                tc_rnti: rnti,
            },
        )],
    };
    let mut rar_pdu = Vec::new();
    rar.emit(&mut rar_pdu).unwrap();
    let ra = MacPcapContext::nb_iot(PcapDirection::Downlink, RntiType::Ra, 2);
    tap.record(step(30), &ra, &rar_pdu);

    // Msg3: DPR + RRCConnectionRequest-NB under the CCCH subheader.
    let request = rrc_vector("rrc_conn_request_random");
    let mut ccch = Dpr::for_bytes(2, 30).emit().unwrap().to_vec();
    ccch.extend_from_slice(&request);
    let msg3 = mac_pdu(LinkDirection::Uplink, &[(LCID_CCCH, &ccch)], 11);
    tap.record(step(20), &ul, &msg3);

    // Msg4: contention resolution identity (the first 48 bits of the CCCH SDU), a TA
    // command and RRCConnectionSetup-NB.
    let setup = rrc_vector("rrc_conn_setup_ntn_rlc");
    let cri: [u8; 6] = request[..6].try_into().unwrap();
    let tac = TimingAdvanceCommand { tag_id: 0, ta: 31 }.emit().unwrap();
    let msg4 = mac_pdu(
        LinkDirection::Downlink,
        &[(28, &cri), (29, &tac), (LCID_CCCH, &setup)],
        56,
    );
    tap.record(step(30), &dl(RntiType::C), &msg4);

    // RRCConnectionSetupComplete-NB on SRB1bis (RLC AM, no PDCP).
    let am = RlcAmConfig::nb_iot_default();
    let mut ue_srb1bis = RlcAmEntity::new(am.clone(), t0);
    let complete = rrc_vector("rrc_conn_setup_complete");
    let t = step(40);
    let rlc = rlc_am_pdu(&mut ue_srb1bis, t, Bytes::from(complete));
    tap.record(
        t,
        &ul,
        &mac_pdu(
            LinkDirection::Uplink,
            &[(LCID_SRB1BIS, &rlc)],
            rlc.len() + 1,
        ),
    );

    // SecurityModeCommand / Complete and a DLInformationTransfer-NB on SRB1 (RLC AM + PDCP
    // with the 5-bit SN and MAC-I).
    let srb1 = PdcpBearer::Srb { rb_id: 1 };
    let cfg_enb = PdcpConfig::new(srb1, PdcpSnLength::Five, Direction::Downlink).unwrap();
    let cfg_ue = PdcpConfig::new(srb1, PdcpSnLength::Five, Direction::Uplink).unwrap();
    let mut enb_pdcp = PdcpEntity::new(cfg_enb, NullSecurity, t0);
    let mut ue_pdcp = PdcpEntity::new(cfg_ue, NullSecurity, t0);
    let mut enb_rlc = RlcAmEntity::new(am.clone(), t0);
    let mut ue_rlc = RlcAmEntity::new(am, t0);
    for (dir, name) in [
        (PcapDirection::Downlink, "security_mode_command"),
        (PcapDirection::Uplink, "security_mode_complete"),
        (PcapDirection::Downlink, "dl_info_transfer"),
        (PcapDirection::Downlink, "rrc_conn_release"),
    ] {
        let t = step(40);
        let (pdcp, rlc_e, ldir) = match dir {
            PcapDirection::Downlink => (&mut enb_pdcp, &mut enb_rlc, LinkDirection::Downlink),
            PcapDirection::Uplink => (&mut ue_pdcp, &mut ue_rlc, LinkDirection::Uplink),
        };
        pdcp.handle_sdu(t, Bytes::from(rrc_vector(name))).unwrap();
        let pdcp_pdu = pdcp.poll_transmit().unwrap();
        let rlc = rlc_am_pdu(rlc_e, t, pdcp_pdu);
        // Three spare bytes: a padding subheader at the end.
        let pdu = mac_pdu(ldir, &[(1, &rlc)], rlc.len() + 5);
        let ctx = match dir {
            PcapDirection::Downlink => dl(RntiType::C),
            PcapDirection::Uplink => ul,
        };
        tap.record(t, &ctx, &pdu);
    }
    tap.bytes().to_vec()
}

fn tshark_available() -> bool {
    Command::new("tshark")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn tshark_dissects_the_capture_as_nb_iot() {
    let file = build_capture();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join("ntn_mac_nb_iot.pcap");
    std::fs::write(&path, &file).unwrap();
    if !tshark_available() {
        println!("SKIP: tshark not found on PATH (CI installs it via .ci/run); wrote {path:?}");
        return;
    }
    let out = Command::new("tshark")
        .args(["-o", USER_DLT, "-o", IGNORE_SMC, "-r"])
        .arg(&path)
        .arg("-V")
        .output()
        .unwrap();
    assert!(out.status.success(), "tshark failed: {out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let expected = [
        "BCCH-BCH-Message-NB",
        "BCCH-DL-SCH-Message-NB",
        "systemInformationBlockType1-r13",
        "sib31-v1700",
        "servingSatelliteInfo-r17",
        "stateVectors",
        "orbitalParameters",
        "PCCH-Message-NB",
        "paging-r13",
        "RAR Header: (RAPID=17)",
        "Data Volume and Power Headroom Report",
        "UL-CCCH-Message-NB",
        "rrcConnectionRequest-r13",
        "Contention Resolution (matches Msg3",
        "DL-CCCH-Message-NB",
        "rrcConnectionSetup-r13",
        "UL-DCCH-Message-NB",
        "rrcConnectionSetupComplete-r13",
        "DL-DCCH-Message-NB",
        "securityModeCommand-r13",
        "securityModeComplete-r13",
        "dlInformationTransfer-r13",
        "rrcConnectionRelease-r13",
        "PDCP-LTE",
    ];
    let missing: Vec<_> = expected.iter().filter(|s| !text.contains(**s)).collect();
    assert!(
        missing.is_empty(),
        "missing in tshark -V: {missing:?}\n{text}"
    );
    assert!(!text.contains("Malformed"), "malformed packet:\n{text}");
    // An SRB payload Wireshark could not hand to RRC is shown as raw "Signalling Data".
    assert!(
        !text.contains("Signalling Data"),
        "undecoded SRB PDU:\n{text}"
    );
    let frames = text.lines().filter(|l| l.starts_with("Frame ")).count();
    assert_eq!(frames, 13, "{text}");

    let expert = Command::new("tshark")
        .args(["-o", USER_DLT, "-o", IGNORE_SMC, "-r"])
        .arg(&path)
        .args(["-q", "-z", "expert"])
        .output()
        .unwrap();
    let ex = String::from_utf8_lossy(&expert.stdout);
    println!("tshark -z expert:\n{ex}");
    assert!(!ex.contains("Errors ("), "expert errors:\n{ex}");
    // Warnings are allowed only from NAS: the NAS containers of the RRC vectors hold
    // placeholder bytes. Our layers (MAC, RLC, PDCP, RRC) must raise none (notes are fine).
    let mut in_warns = false;
    for line in ex.lines() {
        if line.ends_with(')') && !line.starts_with(' ') {
            in_warns = line.starts_with("Warns (") || line.starts_with("Errors (");
        }
        if in_warns {
            for proto in ["MAC-LTE", "RLC-LTE", "PDCP-LTE", "LTE RRC"] {
                assert!(
                    !line.contains(proto),
                    "expert warning from {proto}: {line}\n{ex}"
                );
            }
        }
    }
}
