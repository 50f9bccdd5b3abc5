//! SNOW 3G keystream test sets (vectors/data/security/snow3g_keystream.toml).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_security::snow3g::Snow3g;
use serde::Deserialize;

#[derive(Deserialize)]
struct File {
    set: Vec<Set>,
}

#[derive(Deserialize)]
struct Set {
    name: String,
    key: [String; 4],
    iv: [String; 4],
    words: Vec<(usize, String)>,
}

fn w(s: &str) -> u32 {
    u32::from_str_radix(s, 16).unwrap()
}

#[test]
fn document_3_keystream_sets() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/data/security/snow3g_keystream.toml"
    );
    let f: File = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(f.set.len(), 4);
    for t in &f.set {
        let k = [w(&t.key[0]), w(&t.key[1]), w(&t.key[2]), w(&t.key[3])];
        let iv = [w(&t.iv[0]), w(&t.iv[1]), w(&t.iv[2]), w(&t.iv[3])];
        let mut g = Snow3g::new(k, iv);
        let last = t.words.iter().map(|(i, _)| *i).max().unwrap();
        let z: Vec<u32> = (0..last).map(|_| g.next_word()).collect();
        for (i, want) in &t.words {
            assert_eq!(z[i - 1], w(want), "{} z{}", t.name, i);
        }
    }
}
