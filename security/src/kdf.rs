//! The generic key derivation function of TS 33.220 Annex B and the key hierarchies of EPS
//! (TS 33.401 Annex A) and 5GS (TS 33.501 Annex A).
//!
//! KDF(Key, S) = HMAC-SHA-256(Key, S) with S = FC || P0 || L0 || P1 || L1 || ..., each Li being
//! the length of Pi in octets as two octets, most significant first (TS 33.220 §B.2.0).

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use crate::{CipheringAlgorithmId, IntegrityAlgorithmId, Key128, Key256};

/// The TS 33.220 Annex B KDF with function code `fc` and parameters `params`.
///
/// # Panics
/// If a parameter is longer than 65535 octets (its length does not fit in Li); no 3GPP
/// derivation comes near that, so this is a caller bug.
pub fn kdf(key: &[u8], fc: u8, params: &[&[u8]]) -> Key256 {
    // HMAC accepts keys of any length, so new_from_slice cannot fail.
    #[allow(clippy::expect_used)]
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(&[fc]);
    for p in params {
        #[allow(clippy::expect_used)]
        let len = u16::try_from(p.len()).expect("KDF parameter longer than 65535 octets");
        mac.update(p);
        mac.update(&len.to_be_bytes());
    }
    mac.finalize().into_bytes().into()
}

/// Algorithm type distinguishers of TS 33.401 Table A.7-1 / TS 33.501 Table A.8-1.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum AlgorithmDistinguisher {
    /// NAS-enc-alg / N-NAS-enc-alg (0x01).
    NasEnc = 0x01,
    /// NAS-int-alg / N-NAS-int-alg (0x02).
    NasInt = 0x02,
    /// RRC-enc-alg (0x03).
    RrcEnc = 0x03,
    /// RRC-int-alg (0x04).
    RrcInt = 0x04,
    /// UP-enc-alg (0x05).
    UpEnc = 0x05,
    /// UP-int-alg (0x06).
    UpInt = 0x06,
}

fn low128(k: Key256) -> Key128 {
    let mut o = [0u8; 16];
    o.copy_from_slice(&k[16..]);
    o
}

/// The serving network identity of TS 33.401 §A.2 / TS 24.301 §9.9.3.32 (PLMN identity in its
/// 3-octet BCD form: MCC digit 2 | MCC digit 1, MNC digit 3 | MCC digit 3, MNC digit 2 |
/// MNC digit 1, with 0xF for an absent third MNC digit).
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub struct PlmnId(pub [u8; 3]);

impl PlmnId {
    /// From MCC and MNC digit strings ("001", "01"). Returns `None` unless MCC has three
    /// decimal digits and MNC two or three.
    pub fn from_digits(mcc: &str, mnc: &str) -> Option<Self> {
        let d = |c: u8| {
            if c.is_ascii_digit() {
                Some(c - b'0')
            } else {
                None
            }
        };
        let m = mcc.as_bytes();
        let n = mnc.as_bytes();
        if m.len() != 3 || !(n.len() == 2 || n.len() == 3) {
            return None;
        }
        let (m1, m2, m3) = (d(m[0])?, d(m[1])?, d(m[2])?);
        let (n1, n2) = (d(n[0])?, d(n[1])?);
        let n3 = if n.len() == 3 { d(n[2])? } else { 0xf };
        Some(Self([(m2 << 4) | m1, (n3 << 4) | m3, (n2 << 4) | n1]))
    }
}

/// EPS key hierarchy, TS 33.401 Annex A.
pub mod eps {
    use super::*;

    /// KASME from CK, IK (§A.2): FC = 0x10, P0 = SN id, P1 = SQN ⊕ AK.
    pub fn kasme(ck: &Key128, ik: &Key128, plmn: &PlmnId, sqn_xor_ak: &[u8; 6]) -> Key256 {
        let mut key = [0u8; 32];
        key[..16].copy_from_slice(ck);
        key[16..].copy_from_slice(ik);
        kdf(&key, 0x10, &[&plmn.0, sqn_xor_ak])
    }

    /// KeNB from KASME (§A.3): FC = 0x11, P0 = uplink NAS COUNT.
    pub fn kenb(kasme: &Key256, ul_nas_count: u32) -> Key256 {
        kdf(kasme, 0x11, &[&ul_nas_count.to_be_bytes()])
    }

    /// NH from KASME and the previous NH or KeNB (§A.4): FC = 0x12, P0 = SYNC-input.
    pub fn nh(kasme: &Key256, sync_input: &Key256) -> Key256 {
        kdf(kasme, 0x12, &[sync_input])
    }

    /// An algorithm key (§A.7): FC = 0x15, P0 = algorithm type distinguisher, P1 = algorithm
    /// identity; the key is the 128 least significant bits of the KDF output.
    pub fn algorithm_key(parent: &Key256, dist: AlgorithmDistinguisher, alg_id: u8) -> Key128 {
        low128(kdf(parent, 0x15, &[&[dist as u8], &[alg_id]]))
    }

    /// KNASenc for the chosen EEA (§A.7).
    pub fn knas_enc(kasme: &Key256, alg: CipheringAlgorithmId) -> Key128 {
        algorithm_key(kasme, AlgorithmDistinguisher::NasEnc, alg.code())
    }

    /// KNASint for the chosen EIA (§A.7).
    pub fn knas_int(kasme: &Key256, alg: IntegrityAlgorithmId) -> Key128 {
        algorithm_key(kasme, AlgorithmDistinguisher::NasInt, alg.code())
    }
}

/// 5G key hierarchy, TS 33.501 Annex A.
pub mod fivegs {
    use super::*;

    /// The serving network name of TS 24.501 §9.12.1 / TS 33.501 §6.1.1.4:
    /// "5G:mnc<MNC>.mcc<MCC>.3gppnetwork.org" with a three-digit MNC (a two-digit MNC gets a
    /// leading zero).
    pub fn serving_network_name(mcc: &str, mnc: &str) -> String {
        let mnc3 = if mnc.len() == 2 {
            format!("0{mnc}")
        } else {
            mnc.to_string()
        };
        format!("5G:mnc{mnc3}.mcc{mcc}.3gppnetwork.org")
    }

    /// KAUSF for 5G AKA (§A.2): key CK || IK, FC = 0x6A, P0 = serving network name,
    /// P1 = SQN ⊕ AK.
    pub fn kausf(ck: &Key128, ik: &Key128, sn_name: &[u8], sqn_xor_ak: &[u8; 6]) -> Key256 {
        let mut key = [0u8; 32];
        key[..16].copy_from_slice(ck);
        key[16..].copy_from_slice(ik);
        kdf(&key, 0x6a, &[sn_name, sqn_xor_ak])
    }

    /// RES* / XRES* (§A.4): key CK || IK, FC = 0x6B, P0 = serving network name, P1 = RAND,
    /// P2 = RES; the 128 least significant bits of the output.
    pub fn res_star(
        ck: &Key128,
        ik: &Key128,
        sn_name: &[u8],
        rand: &[u8; 16],
        res: &[u8],
    ) -> Key128 {
        let mut key = [0u8; 32];
        key[..16].copy_from_slice(ck);
        key[16..].copy_from_slice(ik);
        low128(kdf(&key, 0x6b, &[sn_name, rand, res]))
    }

    /// HRES* / HXRES* (§A.5): the 128 least significant bits of SHA-256(RAND || RES*).
    pub fn hres_star(rand: &[u8; 16], res_star: &Key128) -> Key128 {
        let mut h = Sha256::new();
        h.update(rand);
        h.update(res_star);
        low128(h.finalize().into())
    }

    /// KSEAF (§A.6): FC = 0x6C, P0 = serving network name.
    pub fn kseaf(kausf: &Key256, sn_name: &[u8]) -> Key256 {
        kdf(kausf, 0x6c, &[sn_name])
    }

    /// KAMF (§A.7): FC = 0x6D, P0 = SUPI (the IMSI digits for an IMSI-type SUPI),
    /// P1 = ABBA.
    pub fn kamf(kseaf: &Key256, supi: &[u8], abba: &[u8]) -> Key256 {
        kdf(kseaf, 0x6d, &[supi, abba])
    }

    /// An algorithm key (§A.8): FC = 0x69, P0 = algorithm type distinguisher, P1 = algorithm
    /// identity; 128 least significant bits.
    pub fn algorithm_key(parent: &Key256, dist: AlgorithmDistinguisher, alg_id: u8) -> Key128 {
        low128(kdf(parent, 0x69, &[&[dist as u8], &[alg_id]]))
    }

    /// Access type distinguisher of §A.9.
    #[derive(Clone, Copy, Debug, Eq, PartialEq)]
    pub enum AccessType {
        /// 3GPP access (0x01).
        ThreeGpp = 0x01,
        /// Non-3GPP access (0x02).
        NonThreeGpp = 0x02,
    }

    /// KgNB / KN3IWF (§A.9): FC = 0x6E, P0 = uplink NAS COUNT, P1 = access type distinguisher.
    pub fn kgnb(kamf: &Key256, ul_nas_count: u32, access: AccessType) -> Key256 {
        kdf(kamf, 0x6e, &[&ul_nas_count.to_be_bytes(), &[access as u8]])
    }
}
