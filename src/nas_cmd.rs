//! `ntn nas decode HEX`: an EPS (TS 24.301) or 5GS (TS 24.501) NAS PDU as a tree, like a
//! Wireshark dissection: the security header (type, MAC, sequence number), then the plain
//! message with its information elements, as `ntn-nas` decodes them.
//!
//! With keys (`--key KNASint[:KNASenc]`, or `--kasme` / `--kamf` from which they are derived
//! for the chosen algorithms), the MAC is checked (NAS COUNT = overflow·256 + SN, BEARER 0,
//! DIRECTION from `--dir`) and a ciphered message is deciphered before it is parsed.

use anyhow::{Result, anyhow, bail};
use clap::{Args, Subcommand, ValueEnum};
use ntn_nas::eps::{NasMessage, SecurityHeaderType};
use ntn_nas::fivegs::NasMessage5g;
use ntn_security::kdf::AlgorithmDistinguisher;
use ntn_security::{
    CipherAlgorithm, CipheringAlgorithmId, Direction, IntegrityAlgorithm, IntegrityAlgorithmId,
    Key128, Key256,
};

use crate::rrc_cmd::TreeFormat;
use crate::tree::{HexInput, Tree, hex, parse_hex};

/// `ntn nas` subcommands.
#[derive(Subcommand, Debug)]
pub enum NasCmd {
    /// Decode a NAS PDU given in hex.
    Decode(NasDecodeArgs),
}

/// Link direction of the PDU.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Dir {
    /// UE to network.
    #[default]
    Ul,
    /// Network to UE.
    Dl,
}

/// `ntn nas decode`.
#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("keys").args(["key", "kasme", "kamf"]).multiple(true)))]
pub struct NasDecodeArgs {
    /// The NAS PDU.
    #[command(flatten)]
    pub input: HexInput,
    /// Direction (some messages differ; DIRECTION of the security algorithms).
    #[arg(long, value_enum, default_value_t = Dir::Ul)]
    pub dir: Dir,
    /// KNASint (32 hex digits), optionally `:KNASenc` (32 more) for deciphering.
    #[arg(long, value_name = "KNASINT[:KNASENC]")]
    pub key: Option<String>,
    /// EPS: derive KNASint/KNASenc from this KASME (64 hex digits, TS 33.401 §A.7).
    #[arg(long, value_name = "HEX", conflicts_with_all = ["key", "kamf"])]
    pub kasme: Option<String>,
    /// 5GS: derive KNASint/KNASenc from this KAMF (64 hex digits, TS 33.501 §A.8).
    #[arg(long, value_name = "HEX", conflicts_with = "key")]
    pub kamf: Option<String>,
    /// Integrity algorithm: 0 (EIA0/NIA0), 1 (SNOW 3G), 2 (AES), 3 (ZUC); with a key.
    #[arg(long, default_value_t = 2, requires = "keys",
          value_parser = clap::value_parser!(u8).range(0..=3))]
    pub eia: u8,
    /// Ciphering algorithm: 0..=3 as for --eia; with a key.
    #[arg(long, default_value_t = 2, requires = "keys",
          value_parser = clap::value_parser!(u8).range(0..=3))]
    pub eea: u8,
    /// NAS COUNT overflow counter, 0…65535 (the 24-bit COUNT is overflow·256 + SN); with a
    /// key.
    #[arg(long, default_value_t = 0, requires = "keys")]
    pub overflow: u16,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TreeFormat::Text)]
    pub format: TreeFormat,
}

struct Keys {
    int: Key128,
    enc: Option<Key128>,
    eia: IntegrityAlgorithmId,
    eea: CipheringAlgorithmId,
}

fn key_of<const N: usize>(what: &str, s: &str) -> Result<[u8; N]> {
    let b = parse_hex(s).map_err(|e| anyhow!("{what}: {e}"))?;
    b.try_into()
        .map_err(|b: Vec<u8>| anyhow!("{what}: {} octets, expected {N}", b.len()))
}

fn keys(a: &NasDecodeArgs) -> Result<Option<Keys>> {
    let eia = IntegrityAlgorithmId::from_code(a.eia).ok_or_else(|| anyhow!("--eia {}", a.eia))?;
    let eea = CipheringAlgorithmId::from_code(a.eea).ok_or_else(|| anyhow!("--eea {}", a.eea))?;
    if let Some(k) = &a.key {
        let (int, enc) = match k.split_once(':') {
            Some((i, e)) => (
                key_of::<16>("KNASint", i)?,
                Some(key_of::<16>("KNASenc", e)?),
            ),
            None => (key_of::<16>("KNASint", k)?, None),
        };
        return Ok(Some(Keys { int, enc, eia, eea }));
    }
    if let Some(k) = &a.kasme {
        let kasme: Key256 = key_of("KASME", k)?;
        return Ok(Some(Keys {
            int: ntn_security::kdf::eps::knas_int(&kasme, eia),
            enc: Some(ntn_security::kdf::eps::knas_enc(&kasme, eea)),
            eia,
            eea,
        }));
    }
    if let Some(k) = &a.kamf {
        let kamf: Key256 = key_of("KAMF", k)?;
        let key = |d, alg| ntn_security::kdf::fivegs::algorithm_key(&kamf, d, alg);
        return Ok(Some(Keys {
            int: key(AlgorithmDistinguisher::NasInt, a.eia),
            enc: Some(key(AlgorithmDistinguisher::NasEnc, a.eea)),
            eia,
            eea,
        }));
    }
    Ok(None)
}

fn sht_name(n: u8) -> &'static str {
    match n {
        0 => "Plain NAS message, not security protected",
        1 => "Integrity protected",
        2 => "Integrity protected and ciphered",
        3 => "Integrity protected with new security context",
        4 => "Integrity protected and ciphered with new security context",
        5 => "Integrity protected and partially ciphered",
        12 => "Security header for the SERVICE REQUEST message",
        _ => "reserved",
    }
}

fn pd_name(pd: u8) -> &'static str {
    match pd {
        0x07 => "EPS mobility management messages",
        0x02 => "EPS session management messages",
        0x7e => "5G mobility management messages",
        0x2e => "5G session management messages",
        _ => "unknown",
    }
}

fn labelled(value: u8, name: &str) -> Tree {
    Tree::text(format!("{value} ({name})"))
}

/// A decoded message body from its derived `Debug` text, without the Rust names around it:
/// `Variant { fields }` and `Struct { fields }` become the fields, a unit variant no fields.
fn body_tree(debug: &str) -> Tree {
    match Tree::from_debug(debug) {
        Tree::Fields(mut f) if f.len() == 1 => match f.pop() {
            Some((_, inner @ Tree::Fields(_))) => inner,
            Some((k, v)) => Tree::Fields(vec![(k, v)]),
            None => Tree::Fields(Vec::new()),
        },
        Tree::Text(_) => Tree::Fields(Vec::new()),
        other => other,
    }
}

/// "Message type" (the octet) and "Message name" (the specification's).
fn message_type_fields(f: &mut Vec<(String, Tree)>, discriminator: u8, message_type: u8) {
    f.push((
        "Message type".into(),
        Tree::text(format!("0x{message_type:02x}")),
    ));
    f.push((
        "Message name".into(),
        Tree::text(ntn_nas::message_name(discriminator, message_type).unwrap_or("unknown")),
    ));
}

/// The plain message's tree: its header octets, the message type and name, then the decoded
/// message's fields.
fn plain_tree(plain: &[u8], direction: Direction) -> Tree {
    let mut f: Vec<(String, Tree)> = Vec::new();
    let Some(&first) = plain.first() else {
        return Tree::fields(vec![("error", Tree::text("empty message"))]);
    };
    if first == 0x7e || first == 0x2e {
        f.push((
            "Extended protocol discriminator".into(),
            Tree::text(format!("0x{first:02x} ({})", pd_name(first))),
        ));
        match NasMessage5g::parse(plain, direction) {
            Ok(NasMessage5g::Mm(m)) => {
                f.push(("Security header type".into(), labelled(0, sht_name(0))));
                message_type_fields(&mut f, first, m.message_type());
                f.push(("5GMM message".into(), body_tree(&format!("{m:#?}"))));
            }
            Ok(NasMessage5g::Sm(m)) => {
                f.push(("PDU session identity".into(), Tree::raw(m.pdu_session_id)));
                f.push(("Procedure transaction identity".into(), Tree::raw(m.pti)));
                message_type_fields(&mut f, first, m.message_type());
                f.push(("5GSM message".into(), body_tree(&format!("{:#?}", m.body))));
            }
            Ok(NasMessage5g::Protected(_)) => {
                f.push(("error".into(), Tree::text("nested security protection")));
            }
            Err(e) => f.push(("error".into(), Tree::text(e.to_string()))),
        }
    } else {
        let pd = first & 0x0f;
        f.push(("Protocol discriminator".into(), labelled(pd, pd_name(pd))));
        match NasMessage::parse(plain, direction) {
            Ok(NasMessage::Emm(m)) => {
                f.push((
                    "Security header type".into(),
                    labelled(first >> 4, sht_name(first >> 4)),
                ));
                message_type_fields(&mut f, pd, m.message_type());
                f.push(("EMM message".into(), body_tree(&format!("{m:#?}"))));
            }
            Ok(NasMessage::Esm(m)) => {
                f.push(("EPS bearer identity".into(), Tree::raw(m.ebi)));
                f.push(("Procedure transaction identity".into(), Tree::raw(m.pti)));
                message_type_fields(&mut f, pd, m.message_type());
                f.push(("ESM message".into(), body_tree(&format!("{:#?}", m.body))));
            }
            Ok(NasMessage::ServiceRequest(s)) => {
                f.push(("Security header type".into(), labelled(12, sht_name(12))));
                f.push(("Message name".into(), Tree::text("SERVICE REQUEST")));
                f.push(("KSI".into(), Tree::raw(s.ksi)));
                f.push(("Sequence number".into(), Tree::raw(s.sequence_number)));
                f.push(("Short MAC".into(), Tree::hex(&s.short_mac)));
            }
            Ok(NasMessage::Protected(_)) => {
                f.push(("error".into(), Tree::text("nested security protection")));
            }
            Err(e) => f.push(("error".into(), Tree::text(e.to_string()))),
        }
    }
    Tree::Fields(f)
}

/// The algorithm's specification name: EIA/EEA for EPS, NIA/NEA for 5GS.
fn algorithm_name(five_g: bool, integrity: bool, code: u8) -> String {
    let kind = if integrity { "IA" } else { "EA" };
    format!("{}{kind}{code}", if five_g { "N" } else { "E" })
}

/// Decodes a NAS PDU into a tree (the whole dissection).
pub fn dissect(bytes: &[u8], a: &NasDecodeArgs) -> Result<(&'static str, Tree)> {
    let direction = match a.dir {
        Dir::Ul => Direction::Uplink,
        Dir::Dl => Direction::Downlink,
    };
    let Some(&first) = bytes.first() else {
        bail!("no octets to decode")
    };
    let five_g = first == 0x7e || first == 0x2e;
    match (five_g, &a.kasme, &a.kamf) {
        (true, Some(_), _) => bail!("--kasme derives EPS NAS keys; this is a 5GS PDU: give --kamf"),
        (false, _, Some(_)) => {
            bail!("--kamf derives 5GS NAS keys; this is an EPS PDU: give --kasme")
        }
        _ => {}
    }
    let title = if five_g { "5GS NAS PDU" } else { "EPS NAS PDU" };
    // The security-protected envelope: (header type, MAC, SN, payload).
    let envelope = if five_g {
        match NasMessage5g::parse(bytes, direction) {
            Ok(NasMessage5g::Protected(p)) => Some((p.header_type, p.mac, p.sn, p.payload)),
            Ok(_) => None,
            Err(e) => bail!("not a 5GS NAS PDU: {e}"),
        }
    } else {
        match NasMessage::parse(bytes, direction) {
            Ok(NasMessage::Protected(p)) => Some((p.header_type.nibble(), p.mac, p.sn, p.payload)),
            Ok(_) => None,
            Err(e) => bail!("not an EPS NAS PDU: {e}"),
        }
    };
    let Some((sht, mac, sn, payload)) = envelope else {
        return Ok((title, plain_tree(bytes, direction)));
    };
    let mut f: Vec<(String, Tree)> = Vec::new();
    if five_g {
        f.push((
            "Extended protocol discriminator".into(),
            Tree::text(format!("0x{first:02x} ({})", pd_name(first))),
        ));
    } else {
        f.push((
            "Protocol discriminator".into(),
            labelled(first & 0x0f, pd_name(first & 0x0f)),
        ));
    }
    f.push(("Security header type".into(), labelled(sht, sht_name(sht))));
    f.push(("Message authentication code".into(), Tree::hex(&mac)));
    f.push(("Sequence number".into(), Tree::raw(sn)));
    let ciphered = SecurityHeaderType::from_nibble(sht).is_some_and(|t| t.is_ciphered());
    // NAS COUNT = overflow (16 bits) · 2⁸ + SN: 24 bits, never wrapped (--overflow is a u16)
    let count = (u32::from(a.overflow) << 8) | u32::from(sn);
    let keys = keys(a)?;
    let mut plain = Some(payload.clone());
    match &keys {
        Some(k) => {
            let mut covered = Vec::with_capacity(payload.len() + 1);
            covered.push(sn);
            covered.extend_from_slice(&payload);
            let computed = k
                .eia
                .mac(&k.int, count, 0, direction, &covered, covered.len() * 8)
                .map_err(|e| anyhow!("integrity algorithm: {e}"))?;
            f.push(("NAS COUNT".into(), Tree::raw(count)));
            f.push((
                "MAC check".into(),
                Tree::text(if computed == mac {
                    format!("verified ({})", algorithm_name(five_g, true, k.eia.code()))
                } else {
                    format!(
                        "FAILED (computed {} with {})",
                        hex(&computed),
                        algorithm_name(five_g, true, k.eia.code())
                    )
                }),
            ));
            if ciphered {
                match &k.enc {
                    Some(enc) => {
                        let mut p = payload.clone();
                        let bits = p.len() * 8;
                        k.eea
                            .apply(enc, count, 0, direction, &mut p, bits)
                            .map_err(|e| anyhow!("ciphering algorithm: {e}"))?;
                        f.push((
                            "Deciphered with".into(),
                            Tree::text(algorithm_name(five_g, false, k.eea.code())),
                        ));
                        plain = Some(p);
                    }
                    None => plain = None,
                }
            }
        }
        None => {
            f.push(("MAC check".into(), Tree::text("not checked (no key)")));
            if ciphered {
                plain = None;
            }
        }
    }
    match plain {
        Some(p) => f.push(("Plain NAS message".into(), plain_tree(&p, direction))),
        None => f.push(("Ciphered NAS message".into(), Tree::hex(&payload))),
    }
    Ok((title, Tree::Fields(f)))
}

/// Runs `ntn nas`.
pub fn run(cmd: NasCmd) -> Result<()> {
    match cmd {
        NasCmd::Decode(a) => {
            let bytes = a.input.read()?;
            let (title, tree) = dissect(&bytes, &a)?;
            match a.format {
                TreeFormat::Text => print!("{}", tree.to_text(title)),
                TreeFormat::Json => print!("{}", tree.to_json()),
            }
            Ok(())
        }
    }
}
