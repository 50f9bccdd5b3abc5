#!/usr/bin/env python3
"""Generate rasn derive types from the 3GPP RRC ASN.1 modules (subset generator of ntn).

Reads the Rel-17 TS 36.331 modules from ../shared/asn1/36331-h40/ (never copied into the repo),
takes the transitive closure of the root types below and writes `src/generated.rs`.

Covers the ASN.1 subset these modules use: SEQUENCE (OPTIONAL, DEFAULT, `...`, `[[ ]]` groups),
CHOICE (with extensions), ENUMERATED (with extensions), INTEGER ranges, BOOLEAN, NULL,
BIT STRING / OCTET STRING with sizes, SEQUENCE OF with sizes, parameterised SetupRelease.
Anything else stops the generator with an error, so nothing is dropped silently.

Usage: python3 rrc/asn1/gen.py [ASN1_DIR]   (from the repository root)
"""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "asn1", "36331-h40"))
MODULES = ["NBIOT-RRC-Definitions.asn", "EUTRA-RRC-Definitions.asn"]
ROOTS = [
    "BCCH-BCH-Message-NB",
    "BCCH-DL-SCH-Message-NB",
    "DL-CCCH-Message-NB",
    "UL-CCCH-Message-NB",
    "DL-DCCH-Message-NB",
    "UL-DCCH-Message-NB",
    "PCCH-Message-NB",
]
ROOTS = [r for r in os.environ.get("NTN_RRC_ROOTS", ",".join(ROOTS)).split(",") if r]

# ---------------------------------------------------------------- lexer

TOKEN = re.compile(
    r"""(?P<ws>\s+)
      | (?P<assign>::=)
      | (?P<ellipsis>\.\.\.)
      | (?P<range>\.\.)
      | (?P<lgroup>\[\[)
      | (?P<rgroup>\]\])
      | (?P<bstr>'[01]*'B)
      | (?P<hstr>'[0-9A-Fa-f]*'H)
      | (?P<num>-?[0-9]+)
      | (?P<ident>[A-Za-z][A-Za-z0-9-]*)
      | (?P<punct>[{}(),|\[\]<>;])
    """,
    re.VERBOSE,
)


def strip_comments(text):
    out = []
    for line in text.splitlines():
        # ASN.1 comments: `--` to the next `--` or the end of the line.
        res = ""
        i = 0
        while True:
            j = line.find("--", i)
            if j < 0:
                res += line[i:]
                break
            res += line[i:j]
            k = line.find("--", j + 2)
            if k < 0:
                break
            i = k + 2
        out.append(res)
    return "\n".join(out)


def lex(text):
    text = strip_comments(text.lstrip("\ufeff"))
    toks = []
    pos = 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            raise SystemExit(f"lexer: cannot read {text[pos:pos + 40]!r}")
        pos = m.end()
        if m.lastgroup != "ws":
            toks.append(m.group())
    return toks


# ---------------------------------------------------------------- parser
# Types are dicts: {"k": kind, ...}.


class Parser:
    def __init__(self, toks):
        self.t = toks
        self.i = 0

    def peek(self, n=0):
        return self.t[self.i + n] if self.i + n < len(self.t) else None

    def next(self):
        tok = self.t[self.i]
        self.i += 1
        return tok

    def expect(self, tok):
        got = self.next()
        if got != tok:
            ctx = " ".join(self.t[max(0, self.i - 12):self.i + 3])
            raise SystemExit(f"parser: expected {tok!r}, got {got!r} near: {ctx}")

    def skip_balanced(self, open_, close):
        depth = 0
        while True:
            tok = self.next()
            if tok == open_:
                depth += 1
            elif tok == close:
                depth -= 1
                if depth == 0:
                    return

    def module(self, types, values, params):
        # header: NAME DEFINITIONS ... ::= BEGIN
        while self.next() != "BEGIN":
            pass
        if self.peek() == "IMPORTS":
            while self.next() != ";":
                pass
        while self.peek() != "END":
            name = self.next()
            if self.peek() == "{":  # parameterised type
                self.next()
                plist = []
                while self.peek() != "}":
                    tok = self.next()
                    if tok != ",":
                        plist.append(tok)
                self.next()
                self.expect("::=")
                params[name] = (plist, self.type())
            elif self.peek() == "::=":
                self.next()
                types[name] = self.type()
            else:  # value assignment: name Type ::= value
                self.type()
                self.expect("::=")
                values[name] = self.next()

    def constraint(self):
        """Parse `( ... )`; returns dict with value/size bounds and extensibility."""
        self.expect("(")
        c = {}
        if self.peek() == "SIZE":
            self.next()
            inner = self.constraint()
            c["size"] = inner.get("value")
            c["size_ext"] = inner.get("ext", False)
        elif self.peek() == "CONTAINING":
            self.next()
            c["containing"] = self.next()
        else:
            lo = self.next()
            hi = lo
            if self.peek() == "..":
                self.next()
                hi = self.next()
            c["value"] = (lo, hi)
            if self.peek() == "|":
                raise SystemExit("parser: union constraints are not supported")
        if self.peek() == ",":
            self.next()
            self.expect("...")
            c["ext"] = True
        self.expect(")")
        return c

    def constraints(self, ty):
        while self.peek() == "(":
            c = self.constraint()
            for k, v in c.items():
                ty[k] = v
        return ty

    def type(self):
        tok = self.next()
        if tok == "SEQUENCE" or tok == "SET":
            if self.peek() == "{":
                return self.sequence()
            size = None
            size_ext = False
            if self.peek() == "(":
                c = self.constraint()
                size, size_ext = c.get("size"), c.get("size_ext", False)
            elif self.peek() == "SIZE":
                self.next()
                c = self.constraint()
                size, size_ext = c.get("value"), c.get("ext", False)
            self.expect("OF")
            return {"k": "seqof", "elem": self.type(), "size": size, "size_ext": size_ext}
        if tok == "CHOICE":
            return self.choice()
        if tok == "ENUMERATED":
            return self.enumerated()
        if tok == "INTEGER":
            return self.constraints({"k": "int"})
        if tok == "BOOLEAN":
            return {"k": "bool"}
        if tok == "NULL":
            return {"k": "null"}
        if tok == "BIT":
            self.expect("STRING")
            if self.peek() == "{":
                self.skip_balanced("{", "}")
            return self.constraints({"k": "bits"})
        if tok == "OCTET":
            self.expect("STRING")
            return self.constraints({"k": "octets"})
        if tok in ("VisibleString", "IA5String", "PrintableString", "UTF8String"):
            return self.constraints({"k": "string", "which": tok})
        if tok[0].isupper():
            ty = {"k": "ref", "name": tok}
            if self.peek() == "{":
                self.next()
                ty["args"] = [self.next()]
                self.expect("}")
            return self.constraints(ty)
        raise SystemExit(f"parser: unsupported type starting at {tok!r}")

    def component(self):
        name = self.next()
        ty = self.type()
        comp = {"name": name, "ty": ty, "opt": False, "default": None}
        if self.peek() == "OPTIONAL":
            self.next()
            comp["opt"] = True
        elif self.peek() == "DEFAULT":
            self.next()
            comp["default"] = self.next()
        return comp

    def sequence(self):
        self.expect("{")
        root, ext, extensible = [], [], False
        after_ext = False
        while self.peek() != "}":
            tok = self.peek()
            if tok == "...":
                self.next()
                extensible = True
                if after_ext:
                    raise SystemExit("parser: second extension marker not supported")
                after_ext = True
            elif tok == "[[":
                self.next()
                group = []
                while self.peek() != "]]":
                    if self.peek() == ",":
                        self.next()
                        continue
                    group.append(self.component())
                self.next()
                ext.append({"group": group})
            elif tok == ",":
                self.next()
            else:
                comp = self.component()
                (ext if after_ext else root).append(comp)
        self.next()
        return {"k": "seq", "root": root, "ext": ext, "extensible": extensible}

    def choice(self):
        self.expect("{")
        root, ext, extensible = [], [], False
        while self.peek() != "}":
            tok = self.peek()
            if tok == "...":
                self.next()
                extensible = True
            elif tok == ",":
                self.next()
            elif tok in ("[[", "]]"):
                # version brackets in a CHOICE do not change its encoding (X.691 23.8)
                self.next()
            else:
                name = self.next()
                (ext if extensible else root).append({"name": name, "ty": self.type()})
        self.next()
        return {"k": "choice", "root": root, "ext": ext, "extensible": extensible}

    def enumerated(self):
        self.expect("{")
        root, ext, extensible = [], [], False
        while self.peek() != "}":
            tok = self.next()
            if tok == "...":
                extensible = True
            elif tok != ",":
                (ext if extensible else root).append(tok)
        self.next()
        return {"k": "enum", "root": root, "ext": ext, "extensible": extensible}


# ---------------------------------------------------------------- naming

RUST_KEYWORDS = {
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
}


def camel(name):
    parts = re.split(r"-", name)
    out = ""
    for p in parts:
        if not p:
            continue
        out += p[0].upper() + p[1:]
    return out


def snake(name):
    s = name.replace("-", "_")
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    s = re.sub(r"_+", "_", s).lower()
    if s in RUST_KEYWORDS:
        s += "_"
    return s


def variant_names(names):
    out = []
    seen = set()
    for n in names:
        v = camel(re.sub(r"-(?=[0-9])", "Minus", n) if re.search(r"[A-Za-z]-[0-9]", n) else n)
        if v[0].isdigit():
            v = "V" + v
        base, k = v, 1
        while v in seen:
            k += 1
            v = f"{base}{k}"
        seen.add(v)
        out.append(v)
    return out


# ---------------------------------------------------------------- generator


class Gen:
    def __init__(self, types, values, params):
        self.types = types
        self.values = values
        self.params = params
        self.out = []
        self.rand = []
        self.done = set()
        self.queue = []
        self.rust_names = {}

    def val(self, v):
        if re.fullmatch(r"-?[0-9]+", v):
            return int(v)
        if v in self.values:
            return self.val(self.values[v])
        raise SystemExit(f"generator: unknown value {v!r}")

    def rname(self, asn_name):
        r = camel(asn_name)
        prev = self.rust_names.setdefault(r, asn_name)
        if prev != asn_name:
            raise SystemExit(f"generator: Rust name clash {r}: {prev} / {asn_name}")
        return r

    def want(self, asn_name):
        if asn_name not in self.done:
            self.done.add(asn_name)
            self.queue.append(asn_name)
        return self.rname(asn_name)

    def instance(self, ty):
        """Name (and schedule) the instance of a parameterised type."""
        base = ty["name"]
        arg = ty["args"][0]
        inst = f"{base}-{arg}"
        if inst not in self.types:
            plist, body = self.params[base]
            self.types[inst] = subst(body, plist[0], arg)
        return self.want(inst)

    # -- constraints as rasn attributes
    def range_attr(self, key, bounds, ext):
        lo, hi = self.val(bounds[0]), self.val(bounds[1])
        s = f"{lo}" if lo == hi else f"{lo}..={hi}"
        return f'{key}("{s}"{", extensible" if ext else ""})'

    def int_type(self, ty):
        if "value" not in ty:
            return "Integer"
        lo, hi = self.val(ty["value"][0]), self.val(ty["value"][1])
        if ty.get("ext"):
            return "Integer"
        if lo >= 0:
            for bits, name in ((8, "u8"), (16, "u16"), (32, "u32"), (64, "u64")):
                if hi < (1 << bits):
                    return name
        for bits, name in ((8, "i8"), (16, "i16"), (32, "i32"), (64, "i64")):
            if -(1 << (bits - 1)) <= lo and hi < (1 << (bits - 1)):
                return name
        raise SystemExit("generator: integer range too wide")

    def attrs_of(self, ty):
        """Constraint attributes that can sit on a field or a delegate newtype."""
        a = []
        if ty["k"] == "int" and "value" in ty:
            a.append(self.range_attr("value", ty["value"], ty.get("ext", False)))
        if ty["k"] in ("bits", "octets", "string", "seqof") and ty.get("size"):
            a.append(self.range_attr("size", ty["size"], ty.get("size_ext", False)))
        return a

    def inline(self, ty, ctx):
        """Rust type for `ty` used in position `ctx` (an ASN.1-like name for anonymous types)."""
        k = ty["k"]
        if k == "ref":
            if "args" in ty:
                return self.instance(ty)
            if ty["name"] not in self.types:
                raise SystemExit(f"generator: unknown type {ty['name']}")
            if any(x in ty for x in ("value", "size")):
                raise SystemExit(f"generator: constrained reference {ty}")
            return self.want(ty["name"])
        if k == "int":
            return self.int_type(ty)
        if k == "bool":
            return "bool"
        if k == "null":
            return "()"
        if k == "bits":
            return "BitString"
        if k == "octets":
            return "OctetString"
        if k == "string":
            return {"VisibleString": "VisibleString", "IA5String": "Ia5String",
                    "PrintableString": "PrintableString", "UTF8String": "Utf8String"}[ty["which"]]
        if k == "seqof":
            elem = ty["elem"]
            if elem["k"] in ("int", "bits", "octets", "string") and self.attrs_of(elem):
                # constrained element: give it a newtype
                name = ctx + "-Item"
                self.types[name] = elem
                inner = self.want(name)
            else:
                inner = self.inline(elem, ctx + "-Item")
            return f"SequenceOf<{inner}>"
        # anonymous SEQUENCE / CHOICE / ENUMERATED: a named type of its own
        self.types[ctx] = ty
        return self.want(ctx)

    def size_expr(self, ty, cap):
        """Rust expression for a random length within the SIZE root (at most lo + cap)."""
        if not ty.get("size"):
            return f"r.below({cap + 1}) as usize"
        lo, hi = self.val(ty["size"][0]), self.val(ty["size"][1])
        hi = min(hi, lo + cap)
        return f"({lo} + r.below({hi - lo + 1})) as usize" if hi > lo else f"{lo}usize"

    def rand_expr(self, ty, rt):
        """Rust expression producing a random valid value of `ty` (Rust type `rt`)."""
        k = ty["k"]
        if k == "int":
            if "value" in ty:
                lo, hi = self.val(ty["value"][0]), self.val(ty["value"][1])
            else:
                lo, hi = 0, 1000
            e = f"({lo}i128 + i128::from(r.below({hi - lo + 1})))"
            if rt == "Integer":
                return f"Integer::from(i64::try_from({e}).unwrap_or_default())"
            return f"{rt}::try_from({e}).unwrap_or_default()"
        if k == "bool":
            return "r.below(2) == 1"
        if k == "null":
            return "()"
        if k == "bits":
            return f"(0..{self.size_expr(ty, 40)}).map(|_| r.below(2) == 1).collect::<BitString>()"
        if k == "octets" and ty.get("containing") in self.types:
            # OCTET STRING (CONTAINING X): the UPER encoding of a random X
            inner = self.want(ty["containing"])
            return (f"OctetString::from(rasn::uper::encode(&<{inner} as RandomValue>::random(r))"
                    ".unwrap_or_default())")
        if k == "octets":
            return (f"OctetString::from((0..{self.size_expr(ty, 6)})"
                    ".map(|_| r.below(256) as u8).collect::<Vec<u8>>())")
        if k == "seqof":
            inner = rt[len("SequenceOf<"):-1]
            elem = ty["elem"]
            if elem["k"] in ("int", "bits", "octets", "string") and self.attrs_of(elem):
                ee = f"<{inner} as RandomValue>::random(r)"
            else:
                ee = self.rand_expr(elem, inner)
            return f"(0..{self.size_expr(ty, 3)}).map(|_| {ee}).collect::<Vec<_>>()"
        if k == "string":
            return f"{rt}::try_from(String::new()).unwrap_or_default()"
        return f"<{rt} as RandomValue>::random(r)"

    def rand_impl(self, r, body):
        self.rand.append(
            f"impl RandomValue for {r} {{\n    fn random(r: &mut dyn RandomSource) -> Self {{\n"
            f"        {body}\n    }}\n}}\n"
        )

    def emit(self, name):
        ty = self.types[name]
        r = self.rname(name)
        k = ty["k"]
        doc = f"/// `{name}` (TS 36.331)."
        if k == "seq":
            self.emit_seq(r, name, ty, doc)
        elif k == "choice":
            self.emit_choice(r, name, ty, doc)
        elif k == "enum":
            self.emit_enum(r, ty, doc)
        else:
            inner = self.inline(ty, name)
            self.rand_impl(r, f"Self({self.rand_expr(ty, inner)})")
            attrs = ", ".join(["delegate"] + self.attrs_of(ty))
            self.out.append(
                f"{doc}\n#[derive(AsnType, Encode, Decode, Debug, Clone, PartialEq, Eq, Hash)]\n"
                f"#[rasn(automatic_tags, {attrs})]\npub struct {r}(pub {inner});\n"
            )

    def field(self, comp, parent, attrs_extra):
        name = comp["name"]
        ty = comp["ty"]
        fname = snake(name)
        rt = self.inline(ty, f"{parent}-{name}")
        attrs = [f'identifier = "{name}"'] + list(attrs_extra) + self.attrs_of(ty)
        default_fn = None
        if comp["default"] is not None:
            default_fn = f"{snake(parent)}_{fname}_default".replace("__", "_")
            attrs.append(f'default = "{default_fn}"')
            self.out.append(self.default_fn(default_fn, ty, rt, comp["default"]))
        expr = self.rand_expr(ty, rt)
        if comp["opt"] or "extension_addition" in attrs_extra and comp["default"] is None:
            rt = f"Option<{rt}>"
            expr = f"if r.below(2) == 1 {{ Some({expr}) }} else {{ None }}"
        self.last_rand = expr
        line = ""
        if attrs:
            line += f"    #[rasn({', '.join(attrs)})]\n"
        line += f"    pub {fname}: {rt},\n"
        return fname, rt, line

    def default_fn(self, fn, ty, rt, value):
        if ty["k"] == "int":
            body = str(self.val(value))
        elif ty["k"] == "bool":
            body = value.lower()
        else:
            target = self.types[ty["name"]] if ty["k"] == "ref" else ty
            if target["k"] != "enum":
                raise SystemExit(f"generator: DEFAULT on {ty}")
            names = target["root"] + target["ext"]
            body = f"{rt}::{variant_names(names)[names.index(value)]}"
        return f"pub(crate) fn {fn}() -> {rt} {{\n    {body}\n}}\n"

    def emit_seq(self, r, name, ty, doc):
        lines = []
        fields = []
        rands = []
        for comp in ty["root"]:
            f, t, line = self.field(comp, name, [])
            lines.append(line)
            fields.append((f, t))
            rands.append(f"{f}: {self.last_rand}")
        n_group = 0
        for item in ty["ext"]:
            if "group" in item:
                n_group += 1
                gname = f"{name}-ext{n_group}"
                self.types[gname] = {"k": "seq", "root": item["group"], "ext": [],
                                     "extensible": False}
                gr = self.want(gname)
                f = f"ext{n_group}"
                lines.append(f"    #[rasn(extension_addition_group)]\n    pub {f}: Option<{gr}>,\n")
                fields.append((f, f"Option<{gr}>"))
                # a group whose components are all absent is itself absent on the wire
                terms = []
                for comp in item["group"]:
                    cf = snake(comp["name"])
                    if comp["opt"]:
                        terms.append(f"g.{cf}.is_some()")
                    elif comp["default"] is not None:
                        dfn = f"{snake(gname)}_{cf}_default".replace("__", "_")
                        terms.append(f"g.{cf} != {dfn}()")
                    else:
                        terms.append("true")
                present = " || ".join(terms) or "false"
                rands.append(f"{f}: {{ let on = r.below(2) == 1; let g = <{gr} as RandomValue>"
                             f"::random(r); (on && ({present})).then_some(g) }}")
            else:
                f, t, line = self.field(item, name, ["extension_addition"])
                lines.append(line)
                fields.append((f, t))
                rands.append(f"{f}: {self.last_rand}")
        ne = "#[non_exhaustive]\n" if ty["extensible"] else ""
        self.out.append(
            f"{doc}\n#[derive(AsnType, Encode, Decode, Debug, Clone, PartialEq, Eq, Hash)]\n"
            f"#[rasn(automatic_tags, identifier = \"{name}\")]\n{ne}pub struct {r} {{\n{''.join(lines)}}}\n"
        )
        self.rand_impl(r, "Self {\n            " + ",\n            ".join(rands) + "\n        }"
                       if rands else "Self {}")
        args = ", ".join(f"{f}: {t}" for f, t in fields)
        names = ", ".join(f for f, _ in fields)
        self.out.append(
            f"impl {r} {{\n    /// All fields, in ASN.1 order.\n    #[allow(clippy::too_many_arguments)]\n"
            f"    pub fn new({args}) -> Self {{\n        Self {{ {names} }}\n    }}\n}}\n"
        )

    def emit_choice(self, r, name, ty, doc):
        lines = []
        arms = []
        vnames = variant_names([a["name"] for a in ty["root"] + ty["ext"]])
        for idx, alt in enumerate(ty["root"] + ty["ext"]):
            rt = self.inline(alt["ty"], f"{name}-{alt['name']}")
            arms.append(f"{idx} => Self::{vnames[idx]}({self.rand_expr(alt['ty'], rt)}),")
            attrs = [f'identifier = "{alt["name"]}"'] + self.attrs_of(alt["ty"])
            if idx >= len(ty["root"]):
                attrs = ["extension_addition"] + attrs
            a = f"    #[rasn({', '.join(attrs)})]\n" if attrs else ""
            lines.append(f"{a}    {vnames[idx]}({rt}),\n")
        n = len(arms)
        arms[-1] = "_" + arms[-1][len(str(n - 1)):]
        self.rand_impl(r, f"match r.below({n}) {{\n            " + "\n            ".join(arms)
                       + "\n        }")
        ne = "#[non_exhaustive]\n" if ty["extensible"] else ""
        self.out.append(
            f"{doc}\n#[derive(AsnType, Encode, Decode, Debug, Clone, PartialEq, Eq, Hash)]\n"
            f"#[rasn(choice, automatic_tags, identifier = \"{name}\")]\n{ne}pub enum {r} {{\n{''.join(lines)}}}\n"
        )

    def emit_enum(self, r, ty, doc):
        asn_names = ty["root"] + ty["ext"]
        vnames = variant_names(asn_names)
        lines = []
        for idx, v in enumerate(vnames):
            ext = ", extension_addition" if idx >= len(ty["root"]) else ""
            a = f'    #[rasn(identifier = "{asn_names[idx]}"{ext})]\n'
            lines.append(f"{a}    {v},\n")
        arms = [f"{i} => Self::{v}," for i, v in enumerate(vnames)]
        arms[-1] = f"_ => Self::{vnames[-1]},"
        self.rand_impl(r, f"match r.below({len(arms)}) {{\n            "
                       + "\n            ".join(arms) + "\n        }")
        ne = "#[non_exhaustive]\n" if ty["extensible"] else ""
        self.out.append(
            f"{doc}\n#[derive(AsnType, Encode, Decode, Debug, Clone, Copy, PartialEq, Eq, Hash)]\n"
            f"#[rasn(enumerated)]\n{ne}pub enum {r} {{\n{''.join(lines)}}}\n"
        )

    def run(self, roots):
        for root in roots:
            self.want(root)
        while self.queue:
            self.emit(self.queue.pop(0))
        return self.out


def subst(ty, param, arg):
    if isinstance(ty, dict):
        if ty.get("k") == "ref" and ty.get("name") == param:
            return {"k": "ref", "name": arg}
        return {k: subst(v, param, arg) for k, v in ty.items()}
    if isinstance(ty, list):
        return [subst(v, param, arg) for v in ty]
    return ty


def main():
    args = [a for a in sys.argv[1:] if a != "--check"]
    check = "--check" in sys.argv[1:]
    src_dir = args[0] if args else DEFAULT_DIR
    types, values, params = {}, {}, {}
    for mod in MODULES:
        with open(os.path.join(src_dir, mod), encoding="utf-8") as f:
            Parser(lex(f.read())).module(types, values, params)
    gen = Gen(types, values, params)
    body = gen.run(ROOTS)
    header = (
        "// @generated by rrc/asn1/gen.py from TS 36.331 V17.4.0 (NBIOT-RRC-Definitions,\n"
        "// EUTRA-RRC-Definitions). Do not edit: change the generator and run it again.\n"
        f"// Roots: {', '.join(ROOTS)}. Types: {len(gen.done)}.\n\n"
        "use rasn::prelude::*;\n\n"
    )
    files = {
        os.path.join(HERE, "src", "generated.rs"): header + "\n".join(body),
        os.path.join(HERE, "src", "random.rs"): (
            "// @generated by rrc/asn1/gen.py: a random valid value of every generated type, for\n"
            "// round-trip tests (feature `random`). Do not edit.\n\n"
            "use crate::generated::*;\nuse crate::{RandomSource, RandomValue};\n"
            "use rasn::prelude::*;\n\n" + "\n".join(gen.rand)),
    }
    stale = []
    for path, text in files.items():
        if check:
            with open(path, encoding="utf-8") as f:
                if f.read() != text:
                    stale.append(path)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    if stale:
        print(f"stale (run python3 rrc/asn1/gen.py): {', '.join(stale)}", file=sys.stderr)
        sys.exit(1)
    print(f"{'checked' if check else 'wrote'} {len(files)} files: {len(gen.done)} types",
          file=sys.stderr)


if __name__ == "__main__":
    main()
