//! SUCI concealment with the ECIES protection schemes of TS 33.501 Annex C.3: Profile A
//! (X25519) and Profile B (secp256r1, compressed ephemeral key), each with the ANSI X9.63 KDF
//! (SHA-256), AES-128 in counter mode and HMAC-SHA-256 truncated to 64 bits.
//!
//! Sans-IO: the caller supplies the ephemeral private key (from its own RNG), so concealment
//! is deterministic and testable. The scheme output is
//! `ephemeral public key || ciphertext || MAC tag` (TS 33.501 §C.3.3).

use aes::Aes128;
use aes::cipher::{KeyIvInit, StreamCipher};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

type Aes128Ctr = ctr::Ctr128BE<Aes128>;

/// Why a scheme output could not be produced or opened.
#[derive(Clone, Copy, Debug, Eq, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SuciError {
    /// A key or point is not valid for the curve.
    #[error("invalid key or point")]
    InvalidKey,
    /// The scheme output is shorter than key + tag.
    #[error("scheme output too short")]
    TooShort,
    /// The MAC tag does not verify.
    #[error("MAC tag mismatch")]
    MacMismatch,
}

/// Keys derived from the shared secret (TS 33.501 §C.3.4.1 / C.3.4.2).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct EciesKeys {
    /// Encryption key (128 bits).
    pub enc_key: [u8; 16],
    /// Initial counter block (128 bits).
    pub icb: [u8; 16],
    /// MAC key (256 bits).
    pub mac_key: [u8; 32],
}

/// ANSI X9.63 KDF with SHA-256 over the shared secret `z` with SharedInfo1 = the ephemeral
/// public key as sent, 64 octets of key data (TS 33.501 §C.3.4).
pub fn x963_kdf(z: &[u8], shared_info: &[u8]) -> EciesKeys {
    let mut data = Vec::with_capacity(64);
    for counter in 1u32..=2 {
        let mut h = Sha256::new();
        h.update(z);
        h.update(counter.to_be_bytes());
        h.update(shared_info);
        data.extend_from_slice(&h.finalize());
    }
    let mut k = EciesKeys {
        enc_key: [0; 16],
        icb: [0; 16],
        mac_key: [0; 32],
    };
    k.enc_key.copy_from_slice(&data[..16]);
    k.icb.copy_from_slice(&data[16..32]);
    k.mac_key.copy_from_slice(&data[32..64]);
    k
}

fn seal(keys: &EciesKeys, eph_pub: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let mut c = plaintext.to_vec();
    Aes128Ctr::new((&keys.enc_key).into(), (&keys.icb).into()).apply_keystream(&mut c);
    let tag = mac8(&keys.mac_key, &c);
    let mut out = eph_pub.to_vec();
    out.extend_from_slice(&c);
    out.extend_from_slice(&tag);
    out
}

fn mac8(key: &[u8; 32], data: &[u8]) -> [u8; 8] {
    // HMAC takes keys of any length.
    #[allow(clippy::expect_used)]
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("any key length");
    m.update(data);
    let t = m.finalize().into_bytes();
    let mut o = [0u8; 8];
    o.copy_from_slice(&t[..8]);
    o
}

fn open(keys: &EciesKeys, body: &[u8]) -> Result<Vec<u8>, SuciError> {
    let split = body.len().checked_sub(8).ok_or(SuciError::TooShort)?;
    let (c, tag) = body.split_at(split);
    if mac8(&keys.mac_key, c) != tag {
        return Err(SuciError::MacMismatch);
    }
    let mut p = c.to_vec();
    Aes128Ctr::new((&keys.enc_key).into(), (&keys.icb).into()).apply_keystream(&mut p);
    Ok(p)
}

/// Profile A (Curve25519): conceals `plaintext` (the MSIN in BCD, or the NAI username) for the
/// home network public key `hn_public`, with the UE's ephemeral private key `eph_private`.
pub fn conceal_profile_a(
    hn_public: &[u8; 32],
    eph_private: &[u8; 32],
    plaintext: &[u8],
) -> Vec<u8> {
    let eph = x25519_dalek::StaticSecret::from(*eph_private);
    let eph_pub = x25519_dalek::PublicKey::from(&eph);
    let z = eph.diffie_hellman(&x25519_dalek::PublicKey::from(*hn_public));
    let keys = x963_kdf(z.as_bytes(), eph_pub.as_bytes());
    seal(&keys, eph_pub.as_bytes(), plaintext)
}

/// Profile A, home network side: opens a scheme output with the home network private key.
pub fn deconceal_profile_a(
    hn_private: &[u8; 32],
    scheme_output: &[u8],
) -> Result<Vec<u8>, SuciError> {
    let eph: [u8; 32] = scheme_output
        .get(..32)
        .ok_or(SuciError::TooShort)?
        .try_into()
        .map_err(|_| SuciError::TooShort)?;
    let hn = x25519_dalek::StaticSecret::from(*hn_private);
    let z = hn.diffie_hellman(&x25519_dalek::PublicKey::from(eph));
    let keys = x963_kdf(z.as_bytes(), &eph);
    open(&keys, &scheme_output[32..])
}

fn p256_shared(private: &[u8; 32], public_sec1: &[u8]) -> Result<[u8; 32], SuciError> {
    let sk = p256::SecretKey::from_slice(private).map_err(|_| SuciError::InvalidKey)?;
    let pk = p256::PublicKey::from_sec1_bytes(public_sec1).map_err(|_| SuciError::InvalidKey)?;
    let shared = p256::ecdh::diffie_hellman(sk.to_nonzero_scalar(), pk.as_affine());
    let mut z = [0u8; 32];
    z.copy_from_slice(shared.raw_secret_bytes());
    Ok(z)
}

/// Profile B (secp256r1): conceals for the home network public key `hn_public_sec1`
/// (compressed or uncompressed SEC1); the ephemeral public key is sent compressed (33 octets).
pub fn conceal_profile_b(
    hn_public_sec1: &[u8],
    eph_private: &[u8; 32],
    plaintext: &[u8],
) -> Result<Vec<u8>, SuciError> {
    let sk = p256::SecretKey::from_slice(eph_private).map_err(|_| SuciError::InvalidKey)?;
    let eph_pub = p256::CompressedPoint::from(sk.public_key());
    let z = p256_shared(eph_private, hn_public_sec1)?;
    let keys = x963_kdf(&z, eph_pub.as_slice());
    Ok(seal(&keys, eph_pub.as_slice(), plaintext))
}

/// Profile B, home network side.
pub fn deconceal_profile_b(
    hn_private: &[u8; 32],
    scheme_output: &[u8],
) -> Result<Vec<u8>, SuciError> {
    let eph = scheme_output.get(..33).ok_or(SuciError::TooShort)?;
    let z = p256_shared(hn_private, eph)?;
    let keys = x963_kdf(&z, eph);
    open(&keys, &scheme_output[33..])
}
