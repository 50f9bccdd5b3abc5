//! A decoded-message tree shared by the `decode` commands (`ntn rrc decode`, `ntn nas decode`,
//! `ntn mac decode`): named fields, lists and scalars, printed as indented text (one field per
//! line, like a Wireshark dissection) or as JSON, in field order.
//!
//! Trees are built from what the codecs already produce, never by hand-decoding bits:
//! - [`Tree::from_json`]: JSON text, e.g. rasn's JER (X.697) of a generated ASN.1 value;
//! - [`Tree::from_debug`]: the derived `{:#?}` text of a decoded Rust value (struct and field
//!   names become labels, `None` fields are left out, `Some(x)` is `x`, integer lists that fit
//!   in octets are shown as hex);
//! - [`Tree::fields`] / [`Tree::text`] / [`Tree::raw`] to assemble headers around them.

use std::fmt::Write as _;

/// A node of a decoded message.
#[derive(Clone, Debug, PartialEq)]
pub enum Tree {
    /// Text (a JSON string).
    Text(String),
    /// A number, boolean or null, kept as written (a JSON literal).
    Raw(String),
    /// Named children in order.
    Fields(Vec<(String, Tree)>),
    /// Unnamed children in order.
    List(Vec<Tree>),
}

impl Tree {
    /// A text leaf.
    pub fn text(s: impl Into<String>) -> Self {
        Tree::Text(s.into())
    }

    /// A literal leaf (number, boolean).
    pub fn raw(s: impl ToString) -> Self {
        Tree::Raw(s.to_string())
    }

    /// Octets as a hex text leaf.
    pub fn hex(bytes: &[u8]) -> Self {
        Tree::Text(hex(bytes))
    }

    /// A node with named children.
    pub fn fields(children: Vec<(&str, Tree)>) -> Self {
        Tree::Fields(
            children
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }

    /// Parses JSON text, keeping the order of object members.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let mut p = JsonParser {
            s: text.as_bytes(),
            i: 0,
        };
        let t = p.value()?;
        p.ws();
        if p.i != p.s.len() {
            return Err(format!("trailing characters at offset {}", p.i));
        }
        Ok(t)
    }

    /// Builds a tree from derived `Debug` output (`format!("{value:#?}")` or `{value:?}`).
    pub fn from_debug(text: &str) -> Self {
        let toks = debug_tokens(text);
        let mut p = DebugParser { t: &toks, i: 0 };
        p.value().unwrap_or_else(|| Tree::text(text.trim()))
    }

    /// Indented text, two spaces per level, `name: value` for leaves.
    pub fn to_text(&self, title: &str) -> String {
        let mut out = String::new();
        match self {
            Tree::Text(_) | Tree::Raw(_) => {
                let _ = writeln!(out, "{title}: {}", self.leaf_text());
            }
            _ => {
                let _ = writeln!(out, "{title}");
                self.write_children(&mut out, 1);
            }
        }
        out
    }

    fn leaf_text(&self) -> String {
        match self {
            Tree::Text(s) | Tree::Raw(s) => s.clone(),
            _ => String::new(),
        }
    }

    fn write_children(&self, out: &mut String, depth: usize) {
        let pad = "  ".repeat(depth);
        let line = |label: &str, v: &Tree, out: &mut String| match v {
            Tree::Text(_) | Tree::Raw(_) => {
                let _ = writeln!(out, "{pad}{label}: {}", v.leaf_text());
            }
            Tree::List(items) if items.is_empty() => {
                let _ = writeln!(out, "{pad}{label}: (empty)");
            }
            Tree::Fields(items) if items.is_empty() => {
                let _ = writeln!(out, "{pad}{label}");
            }
            _ => {
                let _ = writeln!(out, "{pad}{label}");
                v.write_children(out, depth + 1);
            }
        };
        match self {
            Tree::Fields(items) => {
                for (k, v) in items {
                    line(k, v, out);
                }
            }
            Tree::List(items) => {
                for (i, v) in items.iter().enumerate() {
                    line(&format!("[{i}]"), v, out);
                }
            }
            Tree::Text(_) | Tree::Raw(_) => {}
        }
    }

    /// Pretty JSON, members in tree order.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out, 0);
        out.push('\n');
        out
    }

    fn write_json(&self, out: &mut String, depth: usize) {
        let pad = "  ".repeat(depth + 1);
        let end = "  ".repeat(depth);
        match self {
            Tree::Text(s) => out.push_str(&json_string(s)),
            Tree::Raw(s) => out.push_str(s),
            Tree::Fields(items) if items.is_empty() => out.push_str("{}"),
            Tree::List(items) if items.is_empty() => out.push_str("[]"),
            Tree::Fields(items) => {
                out.push_str("{\n");
                for (n, (k, v)) in items.iter().enumerate() {
                    let _ = write!(out, "{pad}{}: ", json_string(k));
                    v.write_json(out, depth + 1);
                    out.push_str(if n + 1 < items.len() { ",\n" } else { "\n" });
                }
                let _ = write!(out, "{end}}}");
            }
            Tree::List(items) => {
                out.push_str("[\n");
                for (n, v) in items.iter().enumerate() {
                    out.push_str(&pad);
                    v.write_json(out, depth + 1);
                    out.push_str(if n + 1 < items.len() { ",\n" } else { "\n" });
                }
                let _ = write!(out, "{end}]");
            }
        }
    }
}

/// Lower-case hex of octets.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Octets from hex text. Whitespace, `:`, `-`, `_` and `,` between digits and a `0x`/`0X`
/// in front of a group are allowed (`0x0a:ff 10`, `0a-ff-10`, `0x0a 0xff`). The error names the
/// first offending character and its position (1-based, in characters).
pub fn parse_hex(s: &str) -> Result<Vec<u8>, String> {
    let is_sep = |c: char| c.is_whitespace() || matches!(c, ':' | '-' | '_' | ',');
    let chars: Vec<char> = s.chars().collect();
    let mut nibbles = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let group_start = i == 0 || is_sep(chars[i - 1]);
        if is_sep(c) {
            i += 1;
        } else if c == '0' && group_start && matches!(chars.get(i + 1), Some('x' | 'X')) {
            i += 2;
        } else if let Some(d) = c.to_digit(16) {
            // a hex digit is below 16: the cast is exact
            nibbles.push(d as u8);
            i += 1;
        } else {
            return Err(format!("{c:?} at character {} is not a hex digit", i + 1));
        }
    }
    if nibbles.is_empty() {
        return Err("no hex digits".into());
    }
    if !nibbles.len().is_multiple_of(2) {
        return Err(format!(
            "odd number of hex digits ({}): the last octet is incomplete",
            nibbles.len()
        ));
    }
    Ok(nibbles.chunks(2).map(|p| (p[0] << 4) | p[1]).collect())
}

/// The most text a decoder or encoder reads from a file or standard input (64 MiB: far above
/// any PDU or message, far below a mistaken recording).
pub const MAX_TEXT_INPUT_BYTES: u64 = 64 << 20;

/// Where a decoder's hex comes from, as its users give it (`ntn mac|rrc|nas decode`).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct HexInput {
    /// The octets in hex (whitespace, `:`, `-`, `0x` allowed); `-` or nothing reads standard
    /// input, `@FILE` reads FILE.
    #[arg(value_name = "HEX|-|@FILE")]
    pub hex: Option<String>,
    /// Read the hex from this file.
    #[arg(long, value_name = "FILE", conflicts_with = "hex")]
    pub file: Option<std::path::PathBuf>,
}

impl HexInput {
    /// The octets, from the argument, the file or standard input; the error says which
    /// source was read and where it went wrong.
    pub fn read(&self) -> anyhow::Result<Vec<u8>> {
        use std::io::IsTerminal as _;
        let file = match (&self.file, self.hex.as_deref()) {
            (Some(f), _) => Some(f.clone()),
            (None, Some(h)) => h.strip_prefix('@').map(std::path::PathBuf::from),
            (None, None) => None,
        };
        let (text, origin) = match (file, self.hex.as_deref()) {
            (Some(f), _) => read_text(Some(&f))?,
            (None, None) if std::io::stdin().is_terminal() => anyhow::bail!(
                "no hex given: pass it as an argument, `-` or a pipe for standard input, or @FILE / --file FILE"
            ),
            (None, None | Some("-")) => read_text(None)?,
            (None, Some(h)) => (h.to_owned(), "the argument".to_owned()),
        };
        parse_hex(&text).map_err(|e| anyhow::anyhow!("bad hex in {origin}: {e}"))
    }
}

/// The text of `path`, or of standard input for `None`, and where it came from (for
/// messages); at most [`MAX_TEXT_INPUT_BYTES`], UTF-8.
pub fn read_text(path: Option<&std::path::Path>) -> anyhow::Result<(String, String)> {
    use anyhow::Context as _;
    use std::io::Read as _;
    let origin = path.map_or_else(|| "standard input".to_owned(), |p| p.display().to_string());
    let mut bytes = Vec::new();
    match path {
        Some(p) => std::fs::File::open(p)
            .and_then(|f| f.take(MAX_TEXT_INPUT_BYTES + 1).read_to_end(&mut bytes))
            .with_context(|| format!("cannot read {origin}"))?,
        None => std::io::stdin()
            .lock()
            .take(MAX_TEXT_INPUT_BYTES + 1)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {origin}"))?,
    };
    if bytes.len() as u64 > MAX_TEXT_INPUT_BYTES {
        anyhow::bail!("{origin}: more than the {MAX_TEXT_INPUT_BYTES} bytes read as text input");
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{origin}: not text (invalid UTF-8 at byte {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok((text, origin))
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{}\"", s.escape_default()))
}

struct JsonParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl JsonParser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.i).copied()
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!("expected '{}' at offset {}", c as char, self.i))
        }
    }

    fn string(&mut self) -> Result<String, String> {
        let start = self.i;
        self.expect(b'"')?;
        let mut escaped = false;
        while self.i < self.s.len() {
            let c = self.s[self.i];
            self.i += 1;
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                let raw = std::str::from_utf8(&self.s[start..self.i]).map_err(|e| e.to_string())?;
                return serde_json::from_str::<String>(raw).map_err(|e| e.to_string());
            }
        }
        Err("unterminated string".into())
    }

    /// Comma-separated items up to `close` (the opening bracket already read).
    fn items<T>(
        &mut self,
        close: u8,
        mut item: impl FnMut(&mut Self) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        let mut out = Vec::new();
        if self.peek() == Some(close) {
            self.i += 1;
            return Ok(out);
        }
        loop {
            out.push(item(self)?);
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(c) if c == close => {
                    self.i += 1;
                    return Ok(out);
                }
                _ => {
                    return Err(format!(
                        "expected ',' or '{}' at offset {}",
                        close as char, self.i
                    ));
                }
            }
        }
    }

    fn value(&mut self) -> Result<Tree, String> {
        match self.peek() {
            Some(b'{') => {
                self.i += 1;
                let members = self.items(b'}', |p| {
                    p.ws();
                    let k = p.string()?;
                    p.expect(b':')?;
                    Ok((k, p.value()?))
                })?;
                Ok(Tree::Fields(members))
            }
            Some(b'[') => {
                self.i += 1;
                Ok(Tree::List(self.items(b']', Self::value)?))
            }
            Some(b'"') => Ok(Tree::Text(self.string()?)),
            Some(_) => {
                let start = self.i;
                while self.i < self.s.len()
                    && !matches!(self.s[self.i], b',' | b'}' | b']')
                    && !self.s[self.i].is_ascii_whitespace()
                {
                    self.i += 1;
                }
                let lit = std::str::from_utf8(&self.s[start..self.i]).map_err(|e| e.to_string())?;
                if lit.is_empty() {
                    return Err(format!("unexpected character at offset {start}"));
                }
                Ok(Tree::Raw(lit.to_string()))
            }
            None => Err("unexpected end of JSON".into()),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Punct(char),
}

fn debug_tokens(text: &str) -> Vec<Tok> {
    let cs: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '"' || c == '\'' {
            let q = c;
            let mut s = String::new();
            i += 1;
            while i < cs.len() && cs[i] != q {
                if cs[i] == '\\' && i + 1 < cs.len() {
                    s.push(cs[i]);
                    i += 1;
                }
                s.push(cs[i]);
                i += 1;
            }
            i += 1;
            out.push(Tok::Str(s));
        } else if "{}()[]:,".contains(c) {
            out.push(Tok::Punct(c));
            i += 1;
        } else if c == '.' && cs.get(i + 1) == Some(&'.') {
            i += 2; // `..` of finish_non_exhaustive
        } else {
            let start = i;
            while i < cs.len()
                && !cs[i].is_whitespace()
                && !"{}()[],\"".contains(cs[i])
                && !(cs[i] == ':' && cs.get(i + 1) != Some(&':') && (i == 0 || cs[i - 1] != ':'))
            {
                i += 1;
            }
            if i == start {
                i += 1;
                continue;
            }
            out.push(Tok::Word(cs[start..i].iter().collect()));
        }
    }
    out
}

struct DebugParser<'a> {
    t: &'a [Tok],
    i: usize,
}

impl DebugParser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.t.get(self.i)
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(&Tok::Punct(c)) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// `None` means an absent value (`None`).
    fn value(&mut self) -> Option<Tree> {
        match self.peek()?.clone() {
            Tok::Str(s) => {
                self.i += 1;
                Some(Tree::Text(s))
            }
            Tok::Punct('[') => {
                self.i += 1;
                let items = self.seq(']');
                Some(list_or_hex(items))
            }
            Tok::Punct(_) => {
                self.i += 1;
                None
            }
            Tok::Word(w) => {
                self.i += 1;
                if self.eat('{') {
                    let mut fields = Vec::new();
                    while !self.eat('}') {
                        let Some(Tok::Word(name)) = self.peek().cloned() else {
                            // malformed: skip a token
                            self.i += 1;
                            if self.i >= self.t.len() {
                                break;
                            }
                            continue;
                        };
                        self.i += 1;
                        self.eat(':');
                        let v = self.value();
                        self.eat(',');
                        if let Some(v) = v {
                            fields.push((name, v));
                        }
                    }
                    return Some(Tree::Fields(fields));
                }
                if self.eat('(') {
                    let mut items = self.seq(')');
                    if w == "Some" && items.len() == 1 {
                        return items.pop();
                    }
                    let inner = if items.len() == 1 {
                        items.pop().unwrap_or(Tree::Fields(Vec::new()))
                    } else {
                        list_or_hex(items)
                    };
                    return Some(Tree::Fields(vec![(w, inner)]));
                }
                if w == "None" {
                    return None;
                }
                let literal = w.parse::<f64>().is_ok() || w == "true" || w == "false";
                Some(if literal { Tree::Raw(w) } else { Tree::Text(w) })
            }
        }
    }

    fn seq(&mut self, close: char) -> Vec<Tree> {
        let mut items = Vec::new();
        while self.i < self.t.len() && !self.eat(close) {
            if let Some(v) = self.value() {
                items.push(v);
            }
            self.eat(',');
        }
        items
    }
}

/// Lists of integers that all fit in an octet are octet strings: shown as hex.
fn list_or_hex(items: Vec<Tree>) -> Tree {
    let bytes: Option<Vec<u8>> = items
        .iter()
        .map(|t| match t {
            Tree::Raw(s) => s.parse::<u8>().ok(),
            _ => None,
        })
        .collect();
    match bytes {
        Some(b) if !b.is_empty() => Tree::Text(hex(&b)),
        _ => Tree::List(items),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    #[allow(dead_code)]
    enum Msg {
        Attach(Attach),
        Unit,
    }

    #[derive(Debug)]
    #[allow(dead_code)]
    struct Attach {
        ksi: u8,
        id: Option<[u8; 3]>,
        gone: Option<u8>,
        name: &'static str,
        list: Vec<Msg>,
    }

    #[test]
    fn debug_text_becomes_a_tree() {
        let v = Msg::Attach(Attach {
            ksi: 7,
            id: Some([1, 2, 0xff]),
            gone: None,
            name: "a \"b\"",
            list: vec![Msg::Unit],
        });
        let t = Tree::from_debug(&format!("{v:#?}"));
        assert_eq!(
            t,
            Tree::fields(vec![(
                "Attach",
                Tree::fields(vec![
                    ("ksi", Tree::raw(7)),
                    ("id", Tree::text("0102ff")),
                    ("name", Tree::text("a \\\"b\\\"")),
                    ("list", Tree::List(vec![Tree::text("Unit")])),
                ])
            )])
        );
        let text = t.to_text("msg");
        assert!(text.contains("\n    ksi: 7\n"), "{text}");
    }

    #[test]
    fn json_keeps_member_order_and_round_trips() {
        let src = r#"{"z": 1, "a": {"k": [true, "x"]}, "m": []}"#;
        let t = Tree::from_json(src).unwrap();
        let Tree::Fields(f) = &t else { panic!() };
        assert_eq!(f[0].0, "z");
        let again = Tree::from_json(&t.to_json()).unwrap();
        assert_eq!(t, again);
        let v: serde_json::Value = serde_json::from_str(&t.to_json()).unwrap();
        assert_eq!(v["a"]["k"][1], "x");
        assert!(Tree::from_json("{\"a\": }").is_err());
    }

    #[test]
    fn hex_parsing() {
        assert_eq!(parse_hex("0x0a:ff 10").unwrap(), vec![0x0a, 0xff, 0x10]);
        assert_eq!(
            parse_hex("0X0A 0xFF\n\t10").unwrap(),
            vec![0x0a, 0xff, 0x10]
        );
        assert_eq!(parse_hex("0a-ff_10,00").unwrap(), vec![0x0a, 0xff, 0x10, 0]);
        assert!(parse_hex("abc").unwrap_err().contains("odd number"));
        assert!(parse_hex("").unwrap_err().contains("no hex digits"));
        assert!(parse_hex("zz").unwrap_err().contains("character 1"));
        // a non-ASCII character is an error naming its position (character, not byte)
        let e = parse_hex("3cé1").unwrap_err();
        assert!(e.contains("'é' at character 3"), "{e}");
        assert!(parse_hex("ü").unwrap_err().contains("character 1"));
        assert!(parse_hex("0x").is_err());
        assert!(
            parse_hex("1x00")
                .unwrap_err()
                .contains("'x' at character 2")
        );
    }

    #[test]
    fn hex_input_from_argument_and_file() {
        let arg = HexInput {
            hex: Some("0102".into()),
            file: None,
        };
        assert_eq!(arg.read().unwrap(), vec![1, 2]);
        let f = std::env::temp_dir().join(format!("ntn-tree-hex-{}", std::process::id()));
        std::fs::write(&f, "0x03 04\n").unwrap();
        let at = HexInput {
            hex: Some(format!("@{}", f.display())),
            file: None,
        };
        assert_eq!(at.read().unwrap(), vec![3, 4]);
        let by_flag = HexInput {
            hex: None,
            file: Some(f.clone()),
        };
        assert_eq!(by_flag.read().unwrap(), vec![3, 4]);
        std::fs::write(&f, [0x30, 0x31, 0xff]).unwrap();
        let e = by_flag.read().unwrap_err().to_string();
        assert!(e.contains("invalid UTF-8 at byte 2"), "{e}");
        std::fs::write(&f, "01 0g").unwrap();
        let e = by_flag.read().unwrap_err().to_string();
        assert!(
            e.contains(&f.display().to_string()) && e.contains("character 5"),
            "{e}"
        );
        std::fs::remove_file(&f).ok();
        assert!(by_flag.read().is_err());
    }
}
