//! TS 33.501 Annex C.4 ECIES test data (vectors/data/security/suci_ecies_33501.toml).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_security::suci::{
    SuciError, conceal_profile_a, conceal_profile_b, deconceal_profile_a, deconceal_profile_b,
    x963_kdf,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct File {
    set: Vec<Set>,
}

#[derive(Deserialize)]
struct Set {
    name: String,
    profile: String,
    hn_private: String,
    hn_public: String,
    eph_private: String,
    eph_public: String,
    shared: String,
    enc_key: String,
    icb: Option<String>,
    mac_key: String,
    scheme_input: String,
    scheme_output: String,
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn annex_c4_profiles_a_and_b() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/data/security/suci_ecies_33501.toml"
    );
    let f: File = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(f.set.len(), 4);
    for t in &f.set {
        // key derivation from the published shared secret
        let k = x963_kdf(&hex(&t.shared), &hex(&t.eph_public));
        assert_eq!(k.enc_key.to_vec(), hex(&t.enc_key), "{} enc key", t.name);
        assert_eq!(k.mac_key.to_vec(), hex(&t.mac_key), "{} mac key", t.name);
        if let Some(icb) = &t.icb {
            assert_eq!(k.icb.to_vec(), hex(icb), "{} ICB", t.name);
        }
        let eph: [u8; 32] = hex(&t.eph_private).try_into().unwrap();
        let hn_priv: [u8; 32] = hex(&t.hn_private).try_into().unwrap();
        let input = hex(&t.scheme_input);
        let (out, back) = match t.profile.as_str() {
            "A" => {
                let hn_pub: [u8; 32] = hex(&t.hn_public).try_into().unwrap();
                let out = conceal_profile_a(&hn_pub, &eph, &input);
                (out.clone(), deconceal_profile_a(&hn_priv, &out).unwrap())
            }
            _ => {
                let out = conceal_profile_b(&hex(&t.hn_public), &eph, &input).unwrap();
                (out.clone(), deconceal_profile_b(&hn_priv, &out).unwrap())
            }
        };
        assert_eq!(out, hex(&t.scheme_output), "{} scheme output", t.name);
        assert_eq!(back, input, "{} deconcealed", t.name);
        let mut bad = out.clone();
        *bad.last_mut().unwrap() ^= 1;
        let r = if t.profile == "A" {
            deconceal_profile_a(&hn_priv, &bad)
        } else {
            deconceal_profile_b(&hn_priv, &bad)
        };
        assert_eq!(r, Err(SuciError::MacMismatch));
    }
    assert_eq!(
        deconceal_profile_b(&[1; 32], &[2; 10]),
        Err(SuciError::TooShort)
    );
}
