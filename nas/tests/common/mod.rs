//! Shared by the NAS integration tests: independent decoders (tshark's NAS dissectors,
//! pycrate) run on our own encodings when they are installed. When a tool is missing, the
//! check is skipped with a printed reason (CI installs both).
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

/// The cargo target directory (`$CARGO_TARGET_DIR`, else `<repo>/target`), created.
pub fn target_dir() -> PathBuf {
    let t = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")));
    let _ = std::fs::create_dir_all(&t);
    t
}

/// Lowercase hex.
pub fn h(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// One line per PDU, "ul|dl HEX", the input format of the generator scripts' `--check`.
pub fn encoding_lines(pdus: &[(bool, Vec<u8>)]) -> String {
    pdus.iter()
        .map(|(ul, p)| format!("{} {}\n", if *ul { "ul" } else { "dl" }, h(p)))
        .collect()
}

/// A classic pcap (link type 252, Wireshark "exported PDU") with one record per PDU, each
/// tagged EXP_PDU_TAG_PROTO_NAME = `proto` so that stock tshark hands it to that dissector.
pub fn exported_pdu_pcap(pdus: &[Vec<u8>], proto: &str) -> Vec<u8> {
    const LINKTYPE_WIRESHARK_UPPER_PDU: u32 = 252;
    const EXP_PDU_TAG_PROTO_NAME: u16 = 12;
    let mut f = Vec::new();
    f.extend_from_slice(&0xa1b2_c3d4_u32.to_le_bytes());
    f.extend_from_slice(&2u16.to_le_bytes());
    f.extend_from_slice(&4u16.to_le_bytes());
    f.extend_from_slice(&0i32.to_le_bytes());
    f.extend_from_slice(&0u32.to_le_bytes());
    f.extend_from_slice(&65535u32.to_le_bytes());
    f.extend_from_slice(&LINKTYPE_WIRESHARK_UPPER_PDU.to_le_bytes());
    let mut name = proto.as_bytes().to_vec();
    while !name.len().is_multiple_of(4) {
        name.push(0);
    }
    for (i, p) in pdus.iter().enumerate() {
        let mut rec = Vec::with_capacity(p.len() + name.len() + 8);
        rec.extend_from_slice(&EXP_PDU_TAG_PROTO_NAME.to_be_bytes());
        rec.extend_from_slice(&(name.len() as u16).to_be_bytes());
        rec.extend_from_slice(&name);
        rec.extend_from_slice(&[0, 0, 0, 0]); // end of options
        rec.extend_from_slice(p);
        let n = rec.len() as u32;
        f.extend_from_slice(&(i as u32).to_le_bytes());
        f.extend_from_slice(&0u32.to_le_bytes());
        f.extend_from_slice(&n.to_le_bytes());
        f.extend_from_slice(&n.to_le_bytes());
        f.extend_from_slice(&rec);
    }
    f
}

/// What tshark made of our PDUs.
#[derive(Debug)]
pub struct TsharkReport {
    /// Frames tshark printed.
    pub frames: usize,
    /// (frame index from 0, PDU hex) of malformed frames.
    pub malformed: Vec<(usize, String)>,
    /// (frame index, expert messages) of frames with an error or warning expert item that is
    /// not "malformed".
    pub notes: Vec<(usize, String)>,
}

/// Runs tshark on `pdus` through `proto` ("nas-eps" or "nas-5gs"). `Err(reason)` when tshark
/// is not installed (the caller skips).
pub fn tshark_dissect(
    pdus: &[Vec<u8>],
    proto: &str,
    file_stem: &str,
) -> Result<TsharkReport, String> {
    if Command::new("tshark").arg("--version").output().is_err() {
        return Err("tshark not found on PATH".into());
    }
    let pcap = target_dir().join(format!("{file_stem}.pcap"));
    std::fs::write(&pcap, exported_pdu_pcap(pdus, proto)).map_err(|e| e.to_string())?;
    let out = Command::new("tshark")
        .arg("-r")
        .arg(&pcap)
        .args(["-o", "nas-eps.null_decipher:TRUE", "-T", "fields"])
        .args([
            "-e",
            "_ws.malformed",
            "-e",
            "_ws.expert.severity",
            "-e",
            "_ws.expert.message",
        ])
        .args([
            "-E",
            "occurrence=a",
            "-E",
            "aggregator=|",
            "-E",
            "separator=\t",
        ])
        .output()
        .map_err(|e| e.to_string())?;
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let mut rep = TsharkReport {
        frames: 0,
        malformed: vec![],
        notes: vec![],
    };
    for (i, line) in text.lines().enumerate() {
        rep.frames += 1;
        let cols: Vec<&str> = line.split('\t').collect();
        let pdu = pdus.get(i).map(|p| h(p)).unwrap_or_default();
        if !cols.first().is_none_or(|c| c.is_empty()) {
            rep.malformed.push((i, pdu));
            continue;
        }
        // Severity values of Wireshark's expert.h: PI_WARN 0x00600000, PI_ERROR 0x00800000.
        let serious = cols
            .get(1)
            .into_iter()
            .flat_map(|c| c.split('|'))
            .filter_map(|s| s.parse::<u32>().ok())
            .any(|s| s >= 0x0060_0000);
        if serious {
            rep.notes
                .push((i, format!("{pdu}: {}", cols.get(2).copied().unwrap_or(""))));
        }
    }
    Ok(rep)
}

/// Runs `python3 <script> --check <file>` (pycrate decodes each of our encodings and re-encodes
/// it byte-identically). `Err(reason)` when python3 or pycrate is not installed.
pub fn pycrate_check(script: &str, lines: &str, file_stem: &str) -> Result<String, String> {
    let probe = Command::new("python3")
        .args(["-c", "import pycrate_mobile"])
        .output()
        .map_err(|_| "python3 not found on PATH".to_string())?;
    if !probe.status.success() {
        return Err(
            "pycrate not installed (pip install -r vectors/gen/requirements-nas.txt)".into(),
        );
    }
    let path = target_dir().join(format!("{file_stem}.txt"));
    std::fs::write(&path, lines).map_err(|e| e.to_string())?;
    let script = format!("{}/../vectors/gen/{script}", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("python3")
        .arg(&script)
        .arg("--check")
        .arg(&path)
        .output()
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "pycrate check failed:\n{text}");
    Ok(text)
}

/// Dissects `pdus` with tshark's `proto` dissector and asserts every frame is there and none
/// is malformed (notes are printed); prints `SKIPPED` with the reason when tshark is absent.
pub fn assert_tshark_clean(pdus: &[Vec<u8>], proto: &str, file_stem: &str, what: &str) {
    match tshark_dissect(pdus, proto, file_stem) {
        Ok(rep) => {
            assert_eq!(rep.frames, pdus.len(), "tshark frames");
            assert!(
                rep.malformed.is_empty(),
                "malformed in tshark: {:?}",
                rep.malformed
            );
            for (i, n) in &rep.notes {
                eprintln!("frame {i}: tshark note: {n}");
            }
            eprintln!(
                "tshark dissected {} {what} PDUs: 0 malformed, {} with notes",
                rep.frames,
                rep.notes.len()
            );
        }
        Err(why) => eprintln!("SKIPPED tshark check: {why}"),
    }
}
