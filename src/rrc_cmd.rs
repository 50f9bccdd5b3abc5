//! `ntn rrc`: decode an NB-IoT RRC message (UPER hex) to a tree or JSON, and encode JSON back.
//!
//! The JSON is rasn's JER (X.697) of the types generated from TS 36.331 (field and
//! alternative names are the spec's), so `ntn rrc decode T HEX --format json > f.json` and
//! `ntn rrc encode T f.json` round-trip. Decoding is `ntn_rrc`'s typed decoders (BCCH and PCCH
//! accept the zero padding of TS 36.331 §8.5).

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand, ValueEnum};
use ntn_rrc::asn1::rasn;
use std::path::PathBuf;

use crate::tree::{Tree, hex, parse_hex};

/// Text or JSON output of the decode commands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum TreeFormat {
    /// An indented tree, one field per line.
    #[default]
    Text,
    /// JSON (for RRC: JER, accepted by `ntn rrc encode`).
    Json,
}

/// `ntn rrc` subcommands.
#[derive(Subcommand, Debug)]
pub enum RrcCmd {
    /// Decode a UPER-encoded message given in hex.
    Decode(DecodeArgs),
    /// Encode a message from its JSON (JER) form; prints the UPER hex.
    Encode(EncodeArgs),
    /// List the message types.
    Types,
}

/// `ntn rrc decode`.
#[derive(Args, Debug)]
pub struct DecodeArgs {
    /// Message type, e.g. BCCH-BCH-Message-NB, BCCH-DL-SCH-Message-NB, DL-CCCH-Message-NB,
    /// UL-CCCH-Message-NB, DL-DCCH-Message-NB, UL-DCCH-Message-NB (see `ntn rrc types`).
    pub message_type: String,
    /// The encoded message in hex.
    pub hex: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TreeFormat::Text)]
    pub format: TreeFormat,
}

/// `ntn rrc encode`.
#[derive(Args, Debug)]
pub struct EncodeArgs {
    /// Message type (as for decode).
    pub message_type: String,
    /// JSON file with the value (as printed by `decode --format json`); `-` for stdin.
    pub file: PathBuf,
}

/// The message types the commands know: spec name, decoder and encoder through JER.
struct MsgType {
    name: &'static str,
    decode: fn(&[u8]) -> Result<String>,
    encode: fn(&str) -> Result<Vec<u8>>,
}

fn jer_of<T: rasn::Encode, E: std::fmt::Display>(r: Result<T, E>) -> Result<String> {
    let v = r.map_err(|e| anyhow!("{e}"))?;
    rasn::jer::encode(&v).map_err(|e| anyhow!("JER encoding failed: {e}"))
}

fn uper_of<T: rasn::Decode + rasn::Encode>(name: &'static str, json: &str) -> Result<Vec<u8>> {
    let v: T = rasn::jer::decode(json).map_err(|e| anyhow!("not a valid {name} value: {e}"))?;
    ntn_rrc::encode(name, &v).map_err(|e| anyhow!("{e}"))
}

macro_rules! msg_type {
    ($name:literal, $ty:ty, $decode:path) => {
        MsgType {
            name: $name,
            decode: |b| jer_of($decode(b)),
            encode: |j| uper_of::<$ty>($name, j),
        }
    };
}

fn types() -> [MsgType; 9] {
    use ntn_rrc::asn1 as a;
    [
        msg_type!(
            "BCCH-BCH-Message-NB",
            a::BCCHBCHMessageNB,
            ntn_rrc::decode_bcch_bch
        ),
        msg_type!(
            "BCCH-DL-SCH-Message-NB",
            a::BCCHDLSCHMessageNB,
            ntn_rrc::decode_bcch_dl_sch
        ),
        msg_type!(
            "DL-CCCH-Message-NB",
            a::DLCCCHMessageNB,
            ntn_rrc::decode_dl_ccch
        ),
        msg_type!(
            "UL-CCCH-Message-NB",
            a::ULCCCHMessageNB,
            ntn_rrc::decode_ul_ccch
        ),
        msg_type!(
            "DL-DCCH-Message-NB",
            a::DLDCCHMessageNB,
            ntn_rrc::decode_dl_dcch
        ),
        msg_type!(
            "UL-DCCH-Message-NB",
            a::ULDCCHMessageNB,
            ntn_rrc::decode_ul_dcch
        ),
        msg_type!("PCCH-Message-NB", a::PCCHMessageNB, ntn_rrc::decode_pcch),
        msg_type!(
            "SystemInformationBlockType1-NB",
            a::SystemInformationBlockType1NB,
            ntn_rrc::decode_sib1
        ),
        msg_type!(
            "SystemInformationBlockType31-NB-r17",
            a::SystemInformationBlockType31NBR17,
            ntn_rrc::decode_sib31
        ),
    ]
}

fn find(name: &str) -> Result<MsgType> {
    let want = name.to_ascii_lowercase().replace('_', "-");
    types()
        .into_iter()
        .find(|t| t.name.to_ascii_lowercase() == want)
        .ok_or_else(|| {
            let known: Vec<&str> = types().iter().map(|t| t.name).collect();
            anyhow!("unknown message type {name:?}; known: {}", known.join(", "))
        })
}

/// Decodes `hex` as `message_type`: (canonical type name, JER text).
pub fn decode_jer(message_type: &str, hex_text: &str) -> Result<(&'static str, String)> {
    let t = find(message_type)?;
    let bytes = parse_hex(hex_text).map_err(|e| anyhow!("bad hex: {e}"))?;
    if bytes.is_empty() {
        bail!("no octets to decode");
    }
    Ok((t.name, (t.decode)(&bytes)?))
}

/// Runs `ntn rrc`.
pub fn run(cmd: RrcCmd) -> Result<()> {
    match cmd {
        RrcCmd::Types => {
            for t in types() {
                println!("{}", t.name);
            }
            Ok(())
        }
        RrcCmd::Decode(a) => {
            let (name, jer) = decode_jer(&a.message_type, &a.hex)?;
            let tree = Tree::from_json(&jer).map_err(|e| anyhow!("JER from the codec: {e}"))?;
            match a.format {
                TreeFormat::Text => print!("{}", tree.to_text(name)),
                TreeFormat::Json => print!("{}", tree.to_json()),
            }
            Ok(())
        }
        RrcCmd::Encode(a) => {
            let t = find(&a.message_type)?;
            let json = if a.file.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin()).context("reading stdin")?
            } else {
                std::fs::read_to_string(&a.file)
                    .with_context(|| format!("reading {}", a.file.display()))?
            };
            let bytes = (t.encode)(&json)?;
            println!("{}", hex(&bytes));
            Ok(())
        }
    }
}
