//! `cargo xtask modules`: no module of any workspace crate depends, through a
//! chain of imports and paths, on a module that depends back on it.
//!
//! A cycle means neither module can be read, tested or moved without the
//! other; the check makes "no module cycle anywhere" something CI proves.
//!
//! A hand-written scanner rather than `syn`: xtask stays std-only and builds
//! in seconds. It only needs `mod`, `use`, `a::b` paths, the names items are
//! defined under, and `#[cfg(test)]`/`#[path]` attributes, after comments and
//! literals are gone. Macro expansion is out of its reach (see [`scan`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use crate::cmd::Result;

/// Scans every crate target of the workspace, prints each module cycle, and
/// fails if there is one.
pub fn run(ws: &Path) -> Result {
    let tree = Tree::from_disk(ws)?;
    let edges = tree.edges();
    let cycles = tree.cycles(&edges);
    let counts = format!(
        "{} crates, {} modules, {} edges",
        tree.crates.len(),
        tree.modules.len(),
        edges.len()
    );
    for missing in &tree.missing {
        println!("{missing}");
    }
    for cycle in &cycles {
        println!("{}", tree.describe(cycle, &edges));
    }
    let mut problems = Vec::new();
    if !tree.missing.is_empty() {
        problems.push(format!("{} module file(s) missing", tree.missing.len()));
    }
    if !cycles.is_empty() {
        problems.push(format!(
            "{} module cycle(s): move the shared items so each dependency points one way",
            cycles.len()
        ));
    }
    if problems.is_empty() {
        println!("modules: {counts}, no cycle");
        Ok(())
    } else {
        Err(format!("modules: {} ({counts})", problems.join("; ")))
    }
}

// ---------------------------------------------------------------------------
// Lexing: comments and literals out, `::` as one token.

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    /// `::`
    Sep,
    Punct(char),
    /// A string literal's text: only `#[path = "…"]` reads it.
    Str(String),
    /// Numbers, chars, byte strings, lifetimes: never part of a path.
    Other,
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

fn lex(src: &str) -> Vec<Tok> {
    let mut lexer = Lexer {
        s: src.chars().collect(),
        i: 0,
        out: Vec::new(),
    };
    while lexer.i < lexer.s.len() {
        lexer.step();
    }
    lexer.out
}

struct Lexer {
    s: Vec<char>,
    i: usize,
    out: Vec<Tok>,
}

impl Lexer {
    fn at(&self, k: usize) -> char {
        self.s.get(self.i + k).copied().unwrap_or('\0')
    }

    fn step(&mut self) {
        let c = self.at(0);
        if c.is_whitespace() {
            self.i += 1;
        } else if c == '/' && self.at(1) == '/' {
            while self.i < self.s.len() && self.at(0) != '\n' {
                self.i += 1;
            }
        } else if c == '/' && self.at(1) == '*' {
            self.block_comment();
        } else if c == '"' {
            self.i += 1;
            let text = self.quoted('"');
            self.out.push(Tok::Str(text));
        } else if c == '\'' {
            self.char_or_lifetime();
        } else if c == ':' && self.at(1) == ':' {
            self.i += 2;
            self.out.push(Tok::Sep);
        } else if c.is_ascii_digit() {
            while is_ident_char(self.at(0)) {
                self.i += 1;
            }
            self.out.push(Tok::Other);
        } else if is_ident_start(c) {
            self.word();
        } else {
            self.i += 1;
            self.out.push(Tok::Punct(c));
        }
    }

    /// Block comments nest in Rust.
    fn block_comment(&mut self) {
        self.i += 2;
        let mut depth = 1;
        while depth > 0 && self.i < self.s.len() {
            if self.at(0) == '/' && self.at(1) == '*' {
                depth += 1;
                self.i += 2;
            } else if self.at(0) == '*' && self.at(1) == '/' {
                depth -= 1;
                self.i += 2;
            } else {
                self.i += 1;
            }
        }
    }

    /// After an opening quote: the text up to the unescaped closing one.
    fn quoted(&mut self, end: char) -> String {
        let start = self.i;
        while self.i < self.s.len() && self.at(0) != end {
            self.i += if self.at(0) == '\\' { 2 } else { 1 };
        }
        let stop = self.i.min(self.s.len());
        self.i = stop + 1;
        self.s[start..stop].iter().collect()
    }

    /// `'x'` and `'\n'` are chars; `'a` (no closing quote after one char) is
    /// a lifetime or label. Getting this wrong would read `'"'` as a string.
    fn char_or_lifetime(&mut self) {
        self.i += 1;
        if self.at(0) == '\\' || self.at(1) == '\'' {
            self.quoted('\'');
        } else {
            while is_ident_char(self.at(0)) {
                self.i += 1;
            }
        }
        self.out.push(Tok::Other);
    }

    /// An identifier, or a literal with a letter prefix: `b"…"`, `b'…'`,
    /// `c"…"`, raw strings `r#"…"#` / `br"…"`, raw identifiers `r#type`.
    fn word(&mut self) {
        let c = self.at(0);
        if matches!(c, 'b' | 'c') && self.at(1) == '"' {
            self.i += 2;
            self.quoted('"');
            self.out.push(Tok::Other);
            return;
        }
        if c == 'b' && self.at(1) == '\'' {
            self.i += 2;
            self.quoted('\'');
            self.out.push(Tok::Other);
            return;
        }
        let prefix = match (c, self.at(1)) {
            ('b' | 'c', 'r') => 2,
            ('r', _) => 1,
            _ => 0,
        };
        if prefix > 0 {
            let hashes = (0..).take_while(|&k| self.at(prefix + k) == '#').count();
            if self.at(prefix + hashes) == '"' {
                self.i += prefix + hashes + 1;
                let text = self.raw_string(hashes);
                self.out.push(Tok::Str(text));
                return;
            }
            if prefix == 1 && hashes == 1 && is_ident_start(self.at(2)) {
                self.i += 2;
            }
        }
        let start = self.i;
        while is_ident_char(self.at(0)) {
            self.i += 1;
        }
        let word = self.s[start..self.i].iter().collect();
        self.out.push(Tok::Ident(word));
    }

    fn raw_string(&mut self, hashes: usize) -> String {
        let start = self.i;
        while self.i < self.s.len() {
            if self.at(0) == '"' && (1..=hashes).all(|k| self.at(k) == '#') {
                let text = self.s[start..self.i].iter().collect();
                self.i += 1 + hashes;
                return text;
            }
            self.i += 1;
        }
        self.s[start..].iter().collect()
    }
}

// ---------------------------------------------------------------------------
// Scanning one module body.

/// What one module's source says before anything is resolved: its child
/// modules, its imports, the paths and names its non-test code mentions, and
/// the items it defines at module level.
#[derive(Debug, Default)]
struct Scan {
    mods: Vec<ModDecl>,
    uses: Vec<Use>,
    /// `a::b::c` paths in code (two segments or more), first segment as
    /// written (`crate`, `super`, `self`, a child, an imported name, …).
    paths: Vec<Vec<String>>,
    /// Every name the code mentions on its own or at the head of a path:
    /// what tells a re-export the module also uses from one it only exposes.
    idents: BTreeSet<String>,
    defines: BTreeSet<String>,
    /// `#![cfg(test)]` at the top of the body.
    test_only: bool,
}

#[derive(Debug)]
struct ModDecl {
    name: String,
    /// `#[path = "…"]`
    path: Option<String>,
    /// `mod name { … }`; `None` for `mod name;`.
    body: Option<Scan>,
}

#[derive(Clone, Debug, PartialEq)]
struct Use {
    /// Full path, `self` leaves folded: `use a::{self}` is `a` bound as `a`.
    path: Vec<String>,
    bind: Bind,
    /// `pub`, `pub(crate)`, …: a re-export, not an edge in itself.
    public: bool,
}

#[derive(Clone, Debug, PartialEq)]
enum Bind {
    Name(String),
    /// `use x::*`
    Glob,
    /// `use x::Trait as _`
    Anon,
}

/// Scans a module body (a whole file) without touching the disk; inline
/// `mod x { … }` bodies come back nested in [`Scan::mods`]. `#[cfg(test)]`
/// (and `#[test]`) items are dropped whole.
///
/// Blind spots: what macros expand to (`macro_rules!` bodies are read as the
/// defining module's code, so `$crate::x` counts there), paths inside
/// attributes and string-typed attributes (`#[serde(with = "…")]`), and
/// `use` scoping inside blocks (a `use` in a function counts for the module).
fn scan(src: &str) -> Scan {
    let mut parser = Parser {
        toks: lex(src),
        pos: 0,
    };
    parser.body()
}

/// Attributes and visibility seen before the item they apply to.
#[derive(Default)]
struct Pending {
    test: bool,
    public: bool,
    path: Option<String>,
}

/// How a `#[cfg(test)]` item ends, so that it can be skipped whole.
#[derive(PartialEq)]
enum ItemEnd {
    /// `fn`, `struct`, `impl`, `mod`, …: a `;` or the first `{…}` group.
    SemiOrBlock,
    /// `const`, `static`, `let`, `type`: only a `;` (their value may hold braces).
    Semi,
    /// A field, match arm or expression: also a `,`.
    Any,
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn tok(&self, k: usize) -> Option<&Tok> {
        self.toks.get(self.pos + k)
    }

    fn punct(&self, k: usize, c: char) -> bool {
        self.tok(k) == Some(&Tok::Punct(c))
    }

    fn sep(&self, k: usize) -> bool {
        self.tok(k) == Some(&Tok::Sep)
    }

    fn ident(&self, k: usize) -> Option<&str> {
        match self.tok(k) {
            Some(Tok::Ident(s)) => Some(s),
            _ => None,
        }
    }

    /// Index of the bracket closing the one at `open` (or the end).
    fn group_end(&self, open: usize) -> usize {
        let mut depth = 0usize;
        for (i, tok) in self.toks.iter().enumerate().skip(open) {
            match tok {
                Tok::Punct('(' | '[' | '{') => depth += 1,
                Tok::Punct(')' | ']' | '}') => {
                    depth -= 1;
                    if depth == 0 {
                        return i;
                    }
                }
                _ => {}
            }
        }
        self.toks.len()
    }

    /// A module body: up to the end, or to the `}` closing an inline module
    /// (already past its `{`).
    fn body(&mut self) -> Scan {
        let mut scan = Scan::default();
        let mut item = Pending::default();
        let mut depth = 0usize;
        while let Some(tok) = self.tok(0).cloned() {
            match tok {
                Tok::Punct('#') if self.punct(1, '[') || self.punct(1, '!') => {
                    self.attribute(&mut item, &mut scan);
                    continue;
                }
                _ if item.test => self.skip_item(),
                Tok::Ident(w) if w == "pub" => {
                    self.visibility();
                    item.public = true;
                    continue;
                }
                Tok::Ident(w)
                    if w == "mod"
                        && self.ident(1).is_some()
                        && (self.punct(2, ';') || self.punct(2, '{')) =>
                {
                    self.module(item.path.take(), &mut scan);
                }
                Tok::Ident(w) if w == "use" && !self.punct(1, '<') => {
                    self.use_item(item.public, &mut scan);
                }
                Tok::Ident(_) => self.word(depth, &mut scan),
                Tok::Punct('{') => {
                    depth += 1;
                    self.pos += 1;
                }
                Tok::Punct('}') => {
                    self.pos += 1;
                    if depth == 0 {
                        return scan;
                    }
                    depth -= 1;
                }
                _ => self.pos += 1,
            }
            item = Pending::default();
        }
        scan
    }

    /// `#[…]` or `#![…]`: notes `cfg(test)`, `test` and `path = "…"`.
    fn attribute(&mut self, item: &mut Pending, scan: &mut Scan) {
        let inner = self.punct(1, '!');
        let open = self.pos + if inner { 2 } else { 1 };
        if self.toks.get(open) != Some(&Tok::Punct('[')) {
            self.pos += 1;
            return;
        }
        let close = self.group_end(open);
        let content = &self.toks[open + 1..close.min(self.toks.len())];
        let test = is_test_attr(content);
        if let [Tok::Ident(key), Tok::Punct('='), Tok::Str(value)] = content {
            if key == "path" {
                item.path = Some(value.clone());
            }
        }
        if test && inner {
            scan.test_only = true;
        } else if test {
            item.test = true;
        }
        self.pos = close + 1;
    }

    /// `pub`, `pub(crate)`, `pub(super)`, `pub(in a::b)`: the group is not
    /// code (`pub(in crate::a)` is no dependency on `a`). `pub (u8, u16)` in
    /// a tuple struct is a type, so the group must start with a keyword.
    fn visibility(&mut self) {
        self.pos += 1;
        let scoped =
            self.punct(0, '(') && matches!(self.ident(1), Some("crate" | "self" | "super" | "in"));
        if scoped {
            self.pos = self.group_end(self.pos) + 1;
        }
    }

    fn module(&mut self, path: Option<String>, scan: &mut Scan) {
        let name = self.ident(1).unwrap_or_default().to_string();
        let inline = self.punct(2, '{');
        self.pos += 3;
        let body = inline.then(|| self.body());
        scan.mods.push(ModDecl { name, path, body });
    }

    fn use_item(&mut self, public: bool, scan: &mut Scan) {
        self.pos += 1;
        // `use ::name` names an external crate.
        let external = self.sep(0);
        let mut found = Vec::new();
        self.use_tree(&mut Vec::new(), &mut found);
        while let Some(tok) = self.tok(0).cloned() {
            self.pos += 1;
            if tok == Tok::Punct(';') {
                break;
            }
        }
        if !external {
            scan.uses.extend(
                found
                    .into_iter()
                    .map(|(path, bind)| Use { path, bind, public }),
            );
        }
    }

    /// One use tree under `prefix`: `a::b`, `a::b as c`, `a::*`, `a::{…}`.
    fn use_tree(&mut self, prefix: &mut Vec<String>, out: &mut Vec<(Vec<String>, Bind)>) {
        let outer = prefix.len();
        if self.sep(0) {
            self.pos += 1;
        }
        loop {
            match self.tok(0).cloned() {
                Some(Tok::Ident(segment)) => {
                    self.pos += 1;
                    prefix.push(segment);
                    if self.sep(0) {
                        self.pos += 1;
                        continue;
                    }
                    out.push(self.use_leaf(prefix));
                }
                Some(Tok::Punct('*')) => {
                    self.pos += 1;
                    out.push((prefix.clone(), Bind::Glob));
                }
                Some(Tok::Punct('{')) => {
                    self.pos += 1;
                    while self.tok(0).is_some() && !self.punct(0, '}') {
                        let before = self.pos;
                        self.use_tree(prefix, out);
                        if self.punct(0, ',') {
                            self.pos += 1;
                        } else if self.pos == before || !self.punct(0, '}') {
                            break;
                        }
                    }
                    if self.punct(0, '}') {
                        self.pos += 1;
                    }
                }
                _ => {}
            }
            break;
        }
        prefix.truncate(outer);
    }

    /// The end of a use path: its binding (`as x`, `as _`), `self` folded.
    fn use_leaf(&mut self, prefix: &[String]) -> (Vec<String>, Bind) {
        let mut path = prefix.to_vec();
        let alias = if self.ident(0) == Some("as") {
            let alias = self.ident(1).map(str::to_string);
            self.pos += 2;
            alias
        } else {
            None
        };
        if path.len() > 1 && path.last().is_some_and(|s| s == "self") {
            path.pop();
        }
        let bind = match alias.as_deref() {
            Some("_") => Bind::Anon,
            Some(alias) => Bind::Name(alias.to_string()),
            None => Bind::Name(path.last().cloned().unwrap_or_default()),
        };
        (path, bind)
    }

    /// An identifier in code: a definition, or a name or path it mentions.
    fn word(&mut self, depth: usize, scan: &mut Scan) {
        if let Some((name, len)) = self.defined_name() {
            if depth == 0 {
                scan.defines.insert(name);
            }
            self.pos += len;
            return;
        }
        // `x.name` is a field or method; `a::name` was taken with `a`.
        let after = self.pos.checked_sub(1).map(|i| &self.toks[i]);
        if matches!(after, Some(Tok::Punct('.') | Tok::Sep)) {
            self.pos += 1;
            return;
        }
        let mut path = vec![self.ident(0).unwrap_or_default().to_string()];
        let mut len = 1;
        while self.sep(len) {
            let Some(segment) = self.ident(len + 1) else {
                break;
            };
            path.push(segment.to_string());
            len += 2;
        }
        scan.idents.insert(path[0].clone());
        if path.len() > 1 {
            scan.paths.push(path);
        }
        self.pos += len;
    }

    /// `fn name`, `struct Name`, `macro_rules! name`, …: the name and how
    /// many tokens the keyword and name take.
    fn defined_name(&self) -> Option<(String, usize)> {
        const KEYWORDS: [&str; 8] = [
            "fn", "struct", "enum", "union", "trait", "type", "const", "static",
        ];
        const NOT_NAMES: [&str; 6] = ["fn", "unsafe", "async", "extern", "mut", "_"];
        let word = self.ident(0)?;
        if word == "macro_rules" && self.punct(1, '!') {
            return Some((self.ident(2)?.to_string(), 3));
        }
        if !KEYWORDS.contains(&word) {
            return None;
        }
        let at = if word == "static" && self.ident(1) == Some("mut") {
            2
        } else {
            1
        };
        let name = self.ident(at).filter(|name| !NOT_NAMES.contains(name))?;
        Some((name.to_string(), at + 1))
    }

    /// Skips the item a `#[cfg(test)]` applies to, without consuming the
    /// bracket that closes the enclosing group.
    fn skip_item(&mut self) {
        let end = self.item_end();
        let mut depth = 0usize;
        while let Some(tok) = self.tok(0) {
            match tok {
                Tok::Punct('(' | '[' | '{') => depth += 1,
                Tok::Punct(')' | ']' | '}') => {
                    if depth == 0 {
                        return;
                    }
                    depth -= 1;
                    if depth == 0 && *tok == Tok::Punct('}') && end != ItemEnd::Semi {
                        self.pos += 1;
                        return;
                    }
                }
                Tok::Punct(';') if depth == 0 => {
                    self.pos += 1;
                    return;
                }
                Tok::Punct(',') if depth == 0 && end == ItemEnd::Any => {
                    self.pos += 1;
                    return;
                }
                _ => {}
            }
            self.pos += 1;
        }
    }

    fn item_end(&self) -> ItemEnd {
        let mut k = 0;
        if self.ident(0) == Some("pub") {
            k = 1;
            if self.punct(1, '(') {
                k = self.group_end(self.pos + 1) + 1 - self.pos;
            }
        }
        loop {
            match self.tok(k) {
                Some(Tok::Str(_)) => k += 1,
                Some(Tok::Ident(w)) => match w.as_str() {
                    "async" | "unsafe" | "extern" | "default" => k += 1,
                    "const" if matches!(self.ident(k + 1), Some("fn" | "unsafe" | "async")) => {
                        k += 1
                    }
                    "const" | "static" | "let" | "type" => return ItemEnd::Semi,
                    "fn" | "struct" | "enum" | "union" | "trait" | "impl" | "mod" | "use"
                    | "macro_rules" => return ItemEnd::SemiOrBlock,
                    _ => return ItemEnd::Any,
                },
                _ => return ItemEnd::Any,
            }
        }
    }
}

/// `test`, `cfg(test)` or `cfg(all(…, test, …))`: compiled only for tests.
fn is_test_attr(content: &[Tok]) -> bool {
    let word = |s: &str| Tok::Ident(s.into());
    match content {
        [t] => *t == word("test"),
        [cfg, Tok::Punct('('), inner @ .., Tok::Punct(')')] if *cfg == word("cfg") => match inner {
            [t] => *t == word("test"),
            [all, Tok::Punct('('), args @ .., Tok::Punct(')')] if *all == word("all") => args
                .split(|t| *t == Tok::Punct(','))
                .any(|arg| arg == [word("test")]),
            _ => false,
        },
        _ => false,
    }
}

// ---------------------------------------------------------------------------
// The module tree of every crate, and the edges between its modules.

/// Reads a file by its workspace-relative path; tests serve it from memory.
type Reader<'a> = &'a dyn Fn(&Path) -> Option<String>;

#[derive(Debug)]
struct Module {
    krate: usize,
    parent: Option<usize>,
    /// `agent/src/server/mod.rs`, or `agent/src/autostart.rs::imp` inline.
    label: String,
    children: BTreeMap<String, usize>,
    uses: Vec<Use>,
    paths: Vec<Vec<String>>,
    idents: BTreeSet<String>,
    defines: BTreeSet<String>,
}

#[derive(Debug, Default)]
struct Tree {
    /// Crate targets: `kyso-agent`, `kyso-agent (bin kyso)`, …
    crates: Vec<String>,
    modules: Vec<Module>,
    /// `mod x;` declarations with no file (the crate would not build).
    missing: Vec<String>,
}

/// Where a module's source is, to find the files of its `mod x;` children.
struct Place<'a> {
    krate: usize,
    file: &'a Path,
    /// The directory `mod x;` looks in for `x.rs` / `x/mod.rs`.
    dir: PathBuf,
    /// Inside an inline `mod { … }`: `#[path]` is relative to `dir`.
    inline: bool,
}

/// What a path names: a module, or an item of the module that defines it.
#[derive(Clone, Debug, PartialEq)]
enum Target {
    Module(usize),
    Item(usize, String),
}

/// Module-to-module dependencies, each with the names it goes through.
type Edges = BTreeMap<(usize, usize), BTreeSet<String>>;

/// Bounds re-export and glob chains (and loops among globs).
const MAX_HOPS: u32 = 16;

impl Tree {
    fn from_disk(ws: &Path) -> Result<Tree> {
        let read_text =
            |path: &Path| fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()));
        let members = members(&read_text(&ws.join("Cargo.toml"))?);
        let read = |path: &Path| fs::read_to_string(ws.join(path)).ok();
        let mut tree = Tree::default();
        for member in members {
            let manifest = read_text(&ws.join(&member).join("Cargo.toml"))?;
            for (name, root) in targets(ws, Path::new(&member), &manifest) {
                tree.add_crate(&name, &root, &read);
            }
        }
        Ok(tree)
    }

    fn add_crate(&mut self, name: &str, root: &Path, read: Reader) {
        let Some(src) = read(root) else {
            return self
                .missing
                .push(format!("{name}: crate root {} is missing", root.display()));
        };
        let krate = self.crates.len();
        self.crates.push(name.to_string());
        let place = Place {
            krate,
            file: root,
            dir: root.parent().unwrap_or(Path::new("")).to_path_buf(),
            inline: false,
        };
        let label = root.display().to_string();
        self.insert(None, "", label, scan(&src), &place, read);
    }

    /// Adds a module and its children. A second `mod x` under the same
    /// parent is a cfg alternative (`#[cfg(unix)] mod imp` / `#[cfg(windows)]
    /// mod imp`): one module, their contents merged.
    fn insert(
        &mut self,
        parent: Option<usize>,
        name: &str,
        label: String,
        scan: Scan,
        place: &Place,
        read: Reader,
    ) -> usize {
        let existing = parent.and_then(|p| self.modules[p].children.get(name).copied());
        let id = existing.unwrap_or(self.modules.len());
        if let Some(id) = existing {
            let known = &mut self.modules[id].label;
            if !known.split(" + ").any(|l| l == label) {
                *known = format!("{known} + {label}");
            }
        } else {
            self.modules.push(Module {
                krate: place.krate,
                parent,
                label,
                children: BTreeMap::new(),
                uses: Vec::new(),
                paths: Vec::new(),
                idents: BTreeSet::new(),
                defines: BTreeSet::new(),
            });
            if let Some(p) = parent {
                self.modules[p].children.insert(name.to_string(), id);
            }
        }
        let module = &mut self.modules[id];
        module.uses.extend(scan.uses);
        module.paths.extend(scan.paths);
        module.idents.extend(scan.idents);
        module.defines.extend(scan.defines);
        for decl in scan.mods {
            self.child(id, decl, place, read);
        }
        id
    }

    /// A `mod` whose file is missing is noted in [`Tree::missing`]: the rest
    /// of the workspace is still checked.
    fn child(&mut self, parent: usize, decl: ModDecl, place: &Place, read: Reader) {
        if let Some(body) = decl.body {
            if body.test_only {
                return;
            }
            let label = format!("{}::{}", self.modules[parent].label, decl.name);
            let inner = Place {
                krate: place.krate,
                file: place.file,
                dir: place.dir.join(&decl.name),
                inline: true,
            };
            self.insert(Some(parent), &decl.name, label, body, &inner, read);
            return;
        }
        let (file, dir, src) = match locate(&decl, place, read) {
            Ok(found) => found,
            Err(message) => return self.missing.push(message),
        };
        let body = scan(&src);
        if body.test_only {
            return;
        }
        let own = Place {
            krate: place.krate,
            file: &file,
            dir,
            inline: false,
        };
        let label = file.display().to_string();
        self.insert(Some(parent), &decl.name, label, body, &own, read);
    }

    fn root(&self, mut m: usize) -> usize {
        while let Some(parent) = self.modules[m].parent {
            m = parent;
        }
        m
    }

    /// The module or item `path` names, seen from module `from`; `None` for
    /// anything outside the crate. A path is followed through the modules it
    /// names, then through re-exports to the module defining the item.
    fn resolve(&self, from: usize, path: &[String], hops: u32) -> Option<Target> {
        if hops > MAX_HOPS {
            return None;
        }
        let (head, rest) = path.split_first()?;
        let mut at = match head.as_str() {
            "crate" => self.root(from),
            "self" => from,
            "super" => self.modules[from].parent?,
            "Self" => return None,
            name => match self.lookup(from, name, hops + 1)? {
                Target::Module(m) => m,
                item => return Some(item),
            },
        };
        for segment in rest {
            if segment == "super" {
                at = self.modules[at].parent?;
                continue;
            }
            match self.lookup(at, segment, hops + 1) {
                Some(Target::Module(m)) => at = m,
                Some(item) => return Some(item),
                // Defined out of our sight (a macro): the deepest module it is in.
                None => return Some(Target::Item(at, segment.clone())),
            }
        }
        Some(Target::Module(at))
    }

    /// What `name` is in module `m`: a child, an item it defines, or what a
    /// `use` in it (named, then glob) brings in under that name.
    fn lookup(&self, m: usize, name: &str, hops: u32) -> Option<Target> {
        if hops > MAX_HOPS {
            return None;
        }
        let module = &self.modules[m];
        if let Some(&child) = module.children.get(name) {
            return Some(Target::Module(child));
        }
        if module.defines.contains(name) {
            return Some(Target::Item(m, name.to_string()));
        }
        let named = module
            .uses
            .iter()
            .filter(|u| u.bind == Bind::Name(name.into()));
        // `use name;` alone imports an external crate.
        for u in named.filter(|u| u.path.len() > 1) {
            if let Some(target) = self.resolve(m, &u.path, hops + 1) {
                return Some(target);
            }
        }
        for u in module.uses.iter().filter(|u| u.bind == Bind::Glob) {
            let Some(Target::Module(t)) = self.resolve(m, &u.path, hops + 1) else {
                continue;
            };
            if let Some(found) = (t != m).then(|| self.lookup(t, name, hops + 1)).flatten() {
                return Some(found);
            }
        }
        None
    }

    /// Names `m` binds itself, which shadow whatever a glob brings in.
    fn binds(&self, m: usize, name: &str) -> bool {
        let module = &self.modules[m];
        module.defines.contains(name)
            || module.children.contains_key(name)
            || module
                .uses
                .iter()
                .any(|u| u.bind == Bind::Name(name.into()))
    }

    fn edges(&self) -> Edges {
        let mut edges = Edges::new();
        for from in 0..self.modules.len() {
            let mut add = |to: usize, via: &str| {
                if to != from {
                    edges.entry((from, to)).or_default().insert(via.to_string());
                }
            };
            self.path_edges(from, &mut add);
            self.use_edges(from, &mut add);
        }
        edges
    }

    /// `crate::a::B::new()`, `super::x::y()`, `child::f()`, `alias::f()`.
    fn path_edges(&self, from: usize, add: &mut dyn FnMut(usize, &str)) {
        for path in &self.modules[from].paths {
            match self.resolve(from, path, 0) {
                Some(Target::Item(m, name)) => add(m, &name),
                Some(Target::Module(m)) => add(m, path.last().map_or("", String::as_str)),
                None => {}
            }
        }
    }

    /// A private `use` of an item is an edge; a `pub use` re-export only
    /// when the module also uses the name itself. A module imported by name
    /// is an alias: its `alias::x` paths are the edges.
    fn use_edges(&self, from: usize, add: &mut dyn FnMut(usize, &str)) {
        let module = &self.modules[from];
        for u in &module.uses {
            let own_use = |name: &str| !u.public || module.idents.contains(name);
            match (&u.bind, self.resolve(from, &u.path, 0)) {
                (Bind::Glob, Some(Target::Module(t))) => self.glob_edges(from, t, u.public, add),
                (Bind::Glob | Bind::Anon, Some(Target::Item(m, name))) if !u.public => {
                    add(m, &name)
                }
                (Bind::Name(bound), Some(Target::Item(m, name))) if own_use(bound) => add(m, &name),
                (Bind::Name(bound), Some(Target::Module(m)))
                    if !u.public && !module.idents.contains(bound) =>
                {
                    add(m, bound)
                }
                _ => {}
            }
        }
    }

    /// `use x::*`: an edge to `x` for each name it supplies that the module
    /// uses (following `x`'s own imports to where they are defined), and a
    /// private glob is an edge to `x` even when no such name is found: what
    /// a glob brings in cannot be told apart from what it might.
    fn glob_edges(
        &self,
        from: usize,
        target: usize,
        public: bool,
        add: &mut dyn FnMut(usize, &str),
    ) {
        let mut to_target = false;
        for name in &self.modules[from].idents {
            if self.binds(from, name) {
                continue;
            }
            if let Some(Target::Item(m, item)) = self.lookup(target, name, 0) {
                to_target |= m == target;
                add(m, &item);
            }
        }
        if !public && !to_target {
            add(target, "*");
        }
    }

    /// Strongly connected components of more than one module (Tarjan), each
    /// in tree order.
    fn cycles(&self, edges: &Edges) -> Vec<Vec<usize>> {
        let mut adjacent = vec![Vec::new(); self.modules.len()];
        for &(from, to) in edges.keys() {
            adjacent[from].push(to);
        }
        let mut tarjan = Tarjan {
            adjacent,
            index: vec![None; self.modules.len()],
            low: vec![0; self.modules.len()],
            on_stack: vec![false; self.modules.len()],
            stack: Vec::new(),
            next: 0,
            components: Vec::new(),
        };
        for v in 0..self.modules.len() {
            if tarjan.index[v].is_none() {
                tarjan.visit(v);
            }
        }
        let mut cycles: Vec<Vec<usize>> = tarjan
            .components
            .into_iter()
            .filter(|c| c.len() > 1)
            .map(|mut c| {
                c.sort_unstable();
                c
            })
            .collect();
        cycles.sort();
        cycles
    }

    /// `crate: a.rs ↔ b.rs (via X, y)`, then one line per edge of the cycle.
    fn describe(&self, cycle: &[usize], edges: &Edges) -> String {
        let inside: Vec<(&(usize, usize), &BTreeSet<String>)> = edges
            .iter()
            .filter(|((a, b), _)| cycle.contains(a) && cycle.contains(b))
            .collect();
        let via: BTreeSet<&str> = inside
            .iter()
            .flat_map(|(_, names)| names.iter().map(String::as_str))
            .collect();
        let labels: Vec<&str> = cycle
            .iter()
            .map(|&m| self.modules[m].label.as_str())
            .collect();
        let krate = &self.crates[self.modules[cycle[0]].krate];
        let mut text = format!(
            "{krate}: {} (via {})",
            labels.join(" ↔ "),
            via.into_iter().collect::<Vec<_>>().join(", ")
        );
        for ((a, b), names) in inside {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            text += &format!(
                "\n    {} → {}: {}",
                self.modules[*a].label,
                self.modules[*b].label,
                names.join(", ")
            );
        }
        text
    }
}

/// Finds the file of `mod name;`: `#[path]`, else `name.rs`, else
/// `name/mod.rs`. Returns the file, the directory of its own children, and
/// its source.
fn locate(decl: &ModDecl, place: &Place, read: Reader) -> Result<(PathBuf, PathBuf, String)> {
    let name = &decl.name;
    let candidates = match &decl.path {
        Some(path) => {
            let base = if place.inline {
                place.dir.clone()
            } else {
                place.file.parent().unwrap_or(Path::new("")).to_path_buf()
            };
            let file = base.join(path);
            let dir = file.parent().unwrap_or(Path::new("")).to_path_buf();
            vec![(file, dir)]
        }
        None => vec![
            (place.dir.join(format!("{name}.rs")), place.dir.join(name)),
            (place.dir.join(name).join("mod.rs"), place.dir.join(name)),
        ],
    };
    for (file, dir) in &candidates {
        if let Some(src) = read(file) {
            return Ok((file.clone(), dir.clone(), src));
        }
    }
    let tried: Vec<String> = candidates
        .iter()
        .map(|(file, _)| file.display().to_string())
        .collect();
    Err(format!(
        "{}: `mod {name};` has no file ({})",
        place.file.display(),
        tried.join(" or ")
    ))
}

struct Tarjan {
    adjacent: Vec<Vec<usize>>,
    index: Vec<Option<usize>>,
    low: Vec<usize>,
    on_stack: Vec<bool>,
    stack: Vec<usize>,
    next: usize,
    components: Vec<Vec<usize>>,
}

impl Tarjan {
    fn visit(&mut self, v: usize) {
        self.index[v] = Some(self.next);
        self.low[v] = self.next;
        self.next += 1;
        self.stack.push(v);
        self.on_stack[v] = true;
        for i in 0..self.adjacent[v].len() {
            let w = self.adjacent[v][i];
            match self.index[w] {
                None => {
                    self.visit(w);
                    self.low[v] = self.low[v].min(self.low[w]);
                }
                Some(index) if self.on_stack[w] => self.low[v] = self.low[v].min(index),
                Some(_) => {}
            }
        }
        if Some(self.low[v]) == self.index[v] {
            let mut component = Vec::new();
            while let Some(w) = self.stack.pop() {
                self.on_stack[w] = false;
                component.push(w);
                if w == v {
                    break;
                }
            }
            self.components.push(component);
        }
    }
}

// ---------------------------------------------------------------------------
// Crates of the workspace, from the manifests.

/// `members = [ … ]` of the root manifest (literal paths, no globs).
fn members(manifest: &str) -> Vec<String> {
    let Some(start) = manifest.lines().position(|line| {
        line.trim_start()
            .strip_prefix("members")
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    }) else {
        return Vec::new();
    };
    let text: String = manifest
        .lines()
        .skip(start)
        .map(|line| line.split('#').next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let list = text
        .split_once('[')
        .and_then(|(_, rest)| rest.split_once(']'))
        .map_or("", |(list, _)| list);
    list.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// `[section]` / `[[section]]` tables of a manifest with their
/// `key = "value"` lines: all that finding the targets needs.
fn sections(manifest: &str) -> Vec<(String, BTreeMap<String, String>)> {
    let mut out: Vec<(String, BTreeMap<String, String>)> = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            let name = line.trim_matches(|c| c == '[' || c == ']').trim();
            out.push((name.to_string(), BTreeMap::new()));
        } else if let (Some((key, value)), Some((_, table))) =
            (line.split_once('='), out.last_mut())
        {
            let value = value.trim();
            if let Some(value) = value.strip_prefix('"').and_then(|v| v.split('"').next()) {
                table.insert(key.trim().to_string(), value.to_string());
            }
        }
    }
    out
}

/// The crate targets of one member, as (name, workspace-relative root):
/// the library (`[lib] path` or src/lib.rs), then binaries (`[[bin]] path`,
/// src/main.rs, src/bin/*.rs, src/bin/*/main.rs). Tests, examples and
/// benches are left out.
fn targets(ws: &Path, member: &Path, manifest: &str) -> Vec<(String, PathBuf)> {
    let tables = sections(manifest);
    let table = |name: &str| -> Vec<&BTreeMap<String, String>> {
        tables
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, t)| t)
            .collect()
    };
    let package = table("package")
        .into_iter()
        .find_map(|t| t.get("name").cloned())
        .unwrap_or_else(|| member.display().to_string());
    let exists = |path: &Path| ws.join(member).join(path).is_file();
    let mut found: Vec<(String, PathBuf)> = Vec::new();
    let lib = table("lib")
        .into_iter()
        .find_map(|t| t.get("path").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("src/lib.rs"));
    if exists(&lib) {
        found.push((package.clone(), lib));
    }
    let bin = |name: &str| {
        if name == package {
            package.clone()
        } else {
            format!("{package} (bin {name})")
        }
    };
    for t in table("bin") {
        let name = t.get("name").cloned().unwrap_or_else(|| package.clone());
        let path = t
            .get("path")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(format!("src/bin/{name}.rs")));
        found.push((bin(&name), path));
    }
    let mut auto = vec![(package.clone(), PathBuf::from("src/main.rs"))];
    auto.extend(bin_dir(&ws.join(member).join("src/bin")));
    for (name, path) in auto {
        if exists(&path) && !found.iter().any(|(_, p)| *p == path) {
            found.push((bin(&name), path));
        }
    }
    found
        .into_iter()
        .map(|(name, path)| (name, member.join(path)))
        .collect()
}

/// src/bin/NAME.rs and src/bin/NAME/main.rs, sorted.
fn bin_dir(dir: &Path) -> Vec<(String, PathBuf)> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut bins: Vec<(String, PathBuf)> = entries
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let name = path.file_stem()?.to_str()?.to_string();
            let relative = if path.is_dir() {
                format!("src/bin/{name}/main.rs")
            } else if path.extension().is_some_and(|e| e == "rs") {
                format!("src/bin/{name}.rs")
            } else {
                return None;
            };
            Some((name, PathBuf::from(relative)))
        })
        .collect();
    bins.sort();
    bins
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A crate `demo` rooted at src/lib.rs, served from `files`.
    fn tree(files: &[(&str, &str)]) -> Tree {
        let files: BTreeMap<PathBuf, String> = files
            .iter()
            .map(|(path, src)| (PathBuf::from(path), src.to_string()))
            .collect();
        let mut tree = Tree::default();
        tree.add_crate("demo", Path::new("src/lib.rs"), &|p| files.get(p).cloned());
        assert_eq!(tree.missing, Vec::<String>::new());
        tree
    }

    fn cycles(files: &[(&str, &str)]) -> Vec<String> {
        let tree = tree(files);
        let edges = tree.edges();
        let cycles = tree.cycles(&edges);
        cycles
            .iter()
            .map(|c| tree.describe(c, &edges).lines().next().unwrap().to_string())
            .collect()
    }

    /// `a → b: X, Y` for every edge.
    fn edges(files: &[(&str, &str)]) -> Vec<String> {
        let tree = tree(files);
        let label = |m: usize| tree.modules[m].label.clone();
        tree.edges()
            .into_iter()
            .map(|((a, b), via)| {
                let via: Vec<String> = via.into_iter().collect();
                format!("{} → {}: {}", label(a), label(b), via.join(", "))
            })
            .collect()
    }

    #[test]
    fn finds_a_real_cycle() {
        let found = cycles(&[
            ("src/lib.rs", "mod a; mod b;"),
            ("src/a.rs", "use crate::b::B; pub struct A; fn f(_: B) {}"),
            ("src/b.rs", "pub struct B; pub fn g() { crate::a::A; }"),
        ]);
        assert_eq!(found, ["demo: src/a.rs ↔ src/b.rs (via A, B)"]);
    }

    #[test]
    fn finds_a_cycle_between_a_parent_and_its_child() {
        let found = cycles(&[
            ("src/lib.rs", "mod server;"),
            (
                "src/server/mod.rs",
                "mod router; pub struct State; fn run() { router::handle(); }",
            ),
            (
                "src/server/router.rs",
                "use super::State; pub fn handle() {}",
            ),
        ]);
        assert_eq!(
            found,
            ["demo: src/server/mod.rs ↔ src/server/router.rs (via State, handle)"]
        );
    }

    #[test]
    fn declaring_and_re_exporting_a_child_is_no_cycle() {
        let files = [
            (
                "src/lib.rs",
                "mod child; mod other; pub use child::{Thing, make}; pub struct Config;",
            ),
            (
                "src/child.rs",
                "use crate::Config; pub struct Thing(pub Config); pub fn make() {}",
            ),
            ("src/other.rs", "use crate::Thing; fn f() { crate::make() }"),
        ];
        assert_eq!(cycles(&files), Vec::<String>::new());
        assert_eq!(
            edges(&files),
            [
                "src/child.rs → src/lib.rs: Config",
                "src/other.rs → src/child.rs: Thing, make"
            ]
        );
    }

    #[test]
    fn a_re_export_the_parent_also_uses_is_an_edge() {
        let found = cycles(&[
            (
                "src/lib.rs",
                "mod child; pub use child::Thing; pub struct Config(Thing);",
            ),
            ("src/child.rs", "use crate::Config; pub struct Thing;"),
        ]);
        assert_eq!(
            found,
            ["demo: src/lib.rs ↔ src/child.rs (via Config, Thing)"]
        );
    }

    #[test]
    fn test_modules_are_ignored() {
        let files = [
            ("src/lib.rs", "mod a; pub struct S; fn f() { a::g() }"),
            (
                "src/a.rs",
                "pub fn g() {}
                 #[cfg(test)]
                 mod tests { use super::*; use crate::S; fn t() { crate::S; } }
                 #[cfg(test)]
                 mod more;
                 #[cfg(all(test, unix))]
                 fn helper() -> crate::S { crate::S }",
            ),
        ];
        assert_eq!(cycles(&files), Vec::<String>::new());
        assert_eq!(edges(&files), ["src/lib.rs → src/a.rs: g"]);
    }

    #[test]
    fn comments_and_strings_are_ignored() {
        let files = [
            ("src/lib.rs", "mod a; mod b;"),
            ("src/a.rs", "pub fn f() {}"),
            (
                "src/b.rs",
                r###"
                //! Uses [`crate::a::f`].
                // crate::a::f();
                /* crate::a::f(); /* nested */ crate::a::f(); */
                fn g() -> char {
                    let _ = "crate::a::f()";
                    let _ = r#"crate::a::f() " still raw"#;
                    let _ = b"crate::a::f";
                    '"'
                }
                fn h<'a>(x: &'a str) -> &'a str { x }
                "###,
            ),
        ];
        assert_eq!(edges(&files), Vec::<String>::new());
    }

    #[test]
    fn a_path_after_a_quote_char_is_still_seen() {
        let files = [
            ("src/lib.rs", "mod a; mod b;"),
            ("src/a.rs", "pub fn f() {}"),
            ("src/b.rs", "fn g() { let _ = '\"'; crate::a::f(); }"),
        ];
        assert_eq!(edges(&files), ["src/b.rs → src/a.rs: f"]);
    }

    #[test]
    fn grouped_imports_are_parsed() {
        let uses =
            scan("use super::{a, b::C}; pub(crate) use crate::m::{self, n::{D as E, *}};").uses;
        let entry = |path: &[&str], bind: Bind, public| Use {
            path: path.iter().map(|s| s.to_string()).collect(),
            bind,
            public,
        };
        let name = |s: &str| Bind::Name(s.into());
        assert_eq!(
            uses,
            [
                entry(&["super", "a"], name("a"), false),
                entry(&["super", "b", "C"], name("C"), false),
                entry(&["crate", "m"], name("m"), true),
                entry(&["crate", "m", "n", "D"], name("E"), true),
                entry(&["crate", "m", "n"], Bind::Glob, true),
            ]
        );
    }

    #[test]
    fn grouped_imports_make_edges() {
        let files = [
            ("src/lib.rs", "mod x;"),
            ("src/x/mod.rs", "mod a; mod b; mod c;"),
            ("src/x/a.rs", "pub fn f() {}"),
            ("src/x/b.rs", "pub struct C;"),
            ("src/x/c.rs", "use super::{a, b::C}; fn g(_: C) { a::f() }"),
        ];
        assert_eq!(
            edges(&files),
            ["src/x/c.rs → src/x/a.rs: f", "src/x/c.rs → src/x/b.rs: C"]
        );
    }

    #[test]
    fn a_glob_import_is_an_edge_to_its_module() {
        let found = cycles(&[
            (
                "src/lib.rs",
                "mod imp; use std::path::Path; pub fn go() { imp::run() }",
            ),
            ("src/imp.rs", "use super::*; pub fn run() { let _: &Path; }"),
        ]);
        assert_eq!(found, ["demo: src/lib.rs ↔ src/imp.rs (via *, run)"]);
    }

    #[test]
    fn a_glob_import_names_what_it_supplies() {
        let files = [
            ("src/lib.rs", "mod a; mod b; pub use b::Config;"),
            ("src/a.rs", "use super::*; fn f(_: Config) {}"),
            ("src/b.rs", "pub struct Config;"),
        ];
        assert_eq!(
            edges(&files),
            ["src/a.rs → src/lib.rs: *", "src/a.rs → src/b.rs: Config"]
        );
    }

    #[test]
    fn inline_modules_are_modules() {
        let found = cycles(&[(
            "src/lib.rs",
            "mod outer {
                 pub mod inner { pub fn f() { super::g() } }
                 pub fn g() {}
                 pub fn h() { inner::f() }
             }",
        )]);
        assert_eq!(
            found,
            ["demo: src/lib.rs::outer ↔ src/lib.rs::outer::inner (via f, g)"]
        );
    }

    #[test]
    fn cfg_alternatives_are_one_module_and_path_attributes_are_honoured() {
        let files = [
            (
                "src/lib.rs",
                "#[cfg(unix)] #[path = \"sys/unix.rs\"] mod imp;
                 #[cfg(windows)] #[path = \"sys/windows.rs\"] mod imp;
                 pub fn go() { imp::run() }",
            ),
            ("src/sys/unix.rs", "pub fn run() {}"),
            ("src/sys/windows.rs", "pub fn run() { crate::go() }"),
        ];
        assert_eq!(
            cycles(&files),
            ["demo: src/lib.rs ↔ src/sys/unix.rs + src/sys/windows.rs (via go, run)"]
        );
    }

    #[test]
    fn a_missing_module_file_is_reported() {
        let mut tree = Tree::default();
        let files = |p: &Path| (p == Path::new("src/lib.rs")).then(|| "mod gone;".to_string());
        tree.add_crate("demo", Path::new("src/lib.rs"), &files);
        assert_eq!(
            tree.missing,
            ["src/lib.rs: `mod gone;` has no file (src/gone.rs or src/gone/mod.rs)"]
        );
    }

    #[test]
    fn reads_the_workspace_manifests() {
        let root =
            "[workspace]\nmembers = [\"core\",\n  \"tests\"] # two\ndefault-members = [\"core\"]\n";
        assert_eq!(members(root), ["core", "tests"]);
        let manifest = "[package]\nname = \"kyso-tests\"\n\n[lib]\npath = \"support/mod.rs\"\n\n[[test]]\nname = \"x\"\npath = \"x.rs\"\n";
        let tables = sections(manifest);
        assert_eq!(tables[1].0, "lib");
        assert_eq!(tables[1].1["path"], "support/mod.rs");
    }
}
