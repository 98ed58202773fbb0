//! The documents against the code: every JSON example of docs/agent-api.md
//! and docs/openapi.yaml goes through the kyso-wire type it names and comes
//! back the same; every OpenAPI schema and every agent object of the SDK's
//! kyso.d.ts has exactly the fields of its Rust type, required, optional or
//! nullable as the type is. A document that drifts from the code fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::de::{DeserializeOwned, Visitor};
use serde::Serialize;
use serde_json::Value;

use kyso_core::cert::Identifiers;
use kyso_wire::api::authenticate::{AuthRequest, AuthToken};
use kyso_wire::api::certificates::{Cert, CertificatesResponse, TokenJson};
use kyso_wire::api::error::{ErrorBody, ErrorResponse};
use kyso_wire::api::info::InfoResponse;
use kyso_wire::api::pair::PairResponse;
use kyso_wire::api::revocation::{RevocationRequest, RevocationResponse};
use kyso_wire::api::sign::{SignRequest, SignResponse};
use kyso_wire::api::sign_batch::{BatchItem, BatchRequest, BatchResponse, BatchResult};
use kyso_wire::api::sign_hash::HashRequest;
use kyso_wire::api::timestamp::{TimestampRequest, TimestampResponse};
use kyso_wire::dialog;

/// One wire type and the names the documents give it.
struct Contract {
    /// The Rust type's name, as `wire=` tags in the Markdown use it.
    rust: &'static str,
    /// Its schema names in openapi.yaml (`oneOf` variants all map to it).
    openapi: &'static [&'static str],
    /// Its interface in kyso.d.ts (`Cert.token` for an inline member).
    typescript: Option<&'static str>,
    roundtrip: fn(&Value) -> Result<Value, String>,
    fields: fn() -> Vec<&'static str>,
}

macro_rules! contract {
    ($ty:ty, [$($openapi:literal),*], $ts:expr) => {
        Contract {
            rust: stringify!($ty),
            openapi: &[$($openapi),*],
            typescript: $ts,
            roundtrip: roundtrip::<$ty>,
            fields: fields_of::<$ty>,
        }
    };
}

fn contracts() -> Vec<Contract> {
    vec![
        contract!(InfoResponse, ["Info"], Some("AgentInfo")),
        contract!(PairResponse, ["PairResponse"], None),
        contract!(CertificatesResponse, ["CertificatesResponse"], None),
        contract!(Cert, ["Cert"], Some("Cert")),
        contract!(TokenJson, ["TokenInfo"], Some("Cert.token")),
        contract!(Identifiers, ["Identifiers"], Some("Cert.identifiers")),
        contract!(SignRequest, ["SignRequest"], None),
        contract!(SignResponse, ["SignResponse"], None),
        contract!(BatchRequest, ["BatchRequest"], None),
        contract!(BatchItem, ["BatchItem"], None),
        contract!(BatchResponse, ["BatchResponse"], None),
        contract!(
            BatchResult,
            ["BatchResult", "BatchSignature", "BatchError"],
            None
        ),
        contract!(AuthRequest, ["AuthRequest"], None),
        contract!(AuthToken, ["AuthToken"], Some("AuthToken")),
        contract!(HashRequest, ["HashRequest"], None),
        contract!(TimestampRequest, ["TimestampRequest"], None),
        contract!(TimestampResponse, ["TimestampResponse"], None),
        contract!(RevocationRequest, ["RevocationRequest"], None),
        contract!(RevocationResponse, ["RevocationResponse"], None),
        contract!(ErrorResponse, ["Error"], None),
        contract!(ErrorBody, ["ErrorBody"], None),
    ]
}

fn contract(rust: &str) -> Contract {
    contracts()
        .into_iter()
        .find(|c| c.rust == rust)
        .unwrap_or_else(|| panic!("no wire type {rust} in this test's list"))
}

fn roundtrip<T: DeserializeOwned + Serialize>(v: &Value) -> Result<Value, String> {
    let typed: T = serde_json::from_value(v.clone()).map_err(|e| e.to_string())?;
    serde_json::to_value(&typed).map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------
// What the Rust types say

/// The JSON member names of a struct, read from its `Deserialize` impl.
fn fields_of<T: DeserializeOwned>() -> Vec<&'static str> {
    let mut grabbed = None;
    let _ = T::deserialize(FieldNames(&mut grabbed));
    grabbed
        .unwrap_or_else(|| panic!("{} is not a struct", std::any::type_name::<T>()))
        .to_vec()
}

/// A deserializer that only records the field list serde asks for.
struct FieldNames<'a>(&'a mut Option<&'static [&'static str]>);

impl<'de> serde::Deserializer<'de> for FieldNames<'_> {
    type Error = serde::de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(serde::de::Error::custom("not a struct"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = Some(fields);
        Err(serde::de::Error::custom("fields recorded"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

/// How a member appears on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Presence {
    /// Always there, never null.
    Required,
    /// Always there, may be null.
    Nullable,
    /// May be left out.
    Optional,
}

/// Each field's presence, found by trying the type on edits of `full`, a
/// documented example that deserialises.
fn presence(c: &Contract, full: &Value) -> BTreeMap<&'static str, Presence> {
    let obj = full.as_object().expect("an object example");
    (c.fields)()
        .into_iter()
        .map(|f| {
            let mut without = obj.clone();
            without.remove(f);
            let mut null = obj.clone();
            null.insert(f.into(), Value::Null);
            let omittable = (c.roundtrip)(&Value::Object(without)).is_ok();
            let nullable = (c.roundtrip)(&Value::Object(null)).is_ok();
            let p = match (omittable, nullable) {
                (true, _) => Presence::Optional,
                (false, true) => Presence::Nullable,
                (false, false) => Presence::Required,
            };
            (f, p)
        })
        .collect()
}

// ---------------------------------------------------------------------------
// The documents

fn doc(path: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// `(line, wire type, JSON)` for every ```json block of a Markdown file.
fn markdown_examples(text: &str) -> Vec<(usize, String, String)> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let Some(info) = line.trim_start().strip_prefix("```json") else {
            continue;
        };
        let tag = info
            .split_whitespace()
            .find_map(|w| w.strip_prefix("wire="))
            .unwrap_or_else(|| {
                panic!(
                    "line {}: a JSON example without `wire=Type` (or `wire=-` when it is not a \
                     kyso-wire type)",
                    n + 1
                )
            });
        let body: Vec<&str> = lines
            .by_ref()
            .map(|(_, l)| l)
            .take_while(|l| !l.trim_start().starts_with("```"))
            .collect();
        out.push((n + 1, tag.to_string(), body.join("\n")));
    }
    out
}

fn openapi() -> Value {
    let yaml: serde_norway::Value =
        serde_norway::from_str(&doc("docs/openapi.yaml")).expect("openapi.yaml is YAML");
    serde_json::to_value(yaml).expect("openapi.yaml as JSON")
}

/// The schema name a `$ref` points at.
fn ref_name(schema: &Value) -> Option<&str> {
    schema
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
}

/// `(where, schema name, example)` for every example in the OpenAPI file.
fn openapi_examples(api: &Value) -> Vec<(String, String, Value)> {
    fn walk(v: &Value, at: &str, out: &mut Vec<(String, String, Value)>) {
        match v {
            Value::Object(o) => {
                if let Some(name) = o.get("schema").and_then(ref_name) {
                    if let Some(ex) = o.get("example") {
                        out.push((at.into(), name.into(), ex.clone()));
                    }
                    for (k, ex) in o
                        .get("examples")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flatten()
                    {
                        let value = ex.get("value").unwrap_or(ex);
                        out.push((format!("{at}/examples/{k}"), name.into(), value.clone()));
                    }
                }
                for (k, child) in o {
                    walk(child, &format!("{at}/{k}"), out);
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    walk(child, &format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(api, "", &mut out);
    // Examples given on a component schema itself.
    for (name, schema) in schemas(api) {
        if let Some(ex) = schema
            .get("example")
            .filter(|_| schema.get("properties").is_some())
        {
            out.push((
                format!("components/schemas/{name}"),
                name.clone(),
                ex.clone(),
            ));
        }
    }
    out
}

fn schemas(api: &Value) -> Vec<(String, &Value)> {
    api["components"]["schemas"]
        .as_object()
        .expect("components.schemas")
        .iter()
        .map(|(k, v)| (k.clone(), v))
        .collect()
}

fn contract_for_schema(name: &str) -> Option<Contract> {
    contracts().into_iter().find(|c| c.openapi.contains(&name))
}

/// `interface Name { … }` of kyso.d.ts as member → (optional, type text).
fn typescript_interfaces(text: &str) -> BTreeMap<String, BTreeMap<String, (bool, String)>> {
    let text = strip_comments(text);
    let mut out = BTreeMap::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("interface ") {
        rest = &rest[at + "interface ".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let Some(open) = rest.find('{') else { break };
        let body = balanced(&rest[open..]);
        out.insert(name.clone(), members(body));
        // Inline object members become `Name.member`.
        for (member, (_, ty)) in members(body) {
            if ty.trim_start().starts_with('{') {
                out.insert(
                    format!("{name}.{member}"),
                    members(balanced(ty.trim_start())),
                );
            }
        }
        rest = &rest[open + body.len()..];
    }
    out
}

fn strip_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("/*") {
            rest = r.find("*/").map_or("", |e| &r[e + 2..]);
        } else if let Some(r) = rest.strip_prefix("//") {
            rest = r.find('\n').map_or("", |e| &r[e..]);
        } else {
            let c = rest.chars().next().expect("not empty");
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// `{ … }` including its braces, from `s` starting at `{`.
fn balanced(s: &str) -> &str {
    let mut depth = 0;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &s[..=i];
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced braces in kyso.d.ts")
}

/// The members of an object type `{ a: T; b?: U }`.
fn members(body: &str) -> BTreeMap<String, (bool, String)> {
    let inner = &body[1..body.len() - 1];
    let mut out = BTreeMap::new();
    let mut depth = 0;
    let mut start = 0;
    let mut parts = Vec::new();
    for (i, c) in inner.char_indices() {
        match c {
            '{' | '(' | '[' | '<' => depth += 1,
            '}' | ')' | ']' | '>' => depth -= 1,
            ';' | '\n' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    for part in parts {
        let part = part.trim().trim_start_matches("readonly ").trim();
        let Some((name, ty)) = part.split_once(':') else {
            continue;
        };
        let (name, optional) = match name.trim().strip_suffix('?') {
            Some(n) => (n.trim(), true),
            None => (name.trim(), false),
        };
        if name.contains('(') {
            continue; // a method
        }
        out.insert(name.to_string(), (optional, ty.trim().to_string()));
    }
    out
}

/// `actual` holds everything `documented` says, equal where both say it
/// (members that serialise a default may be added).
fn assert_says_the_same(documented: &Value, actual: &Value, at: &str) {
    match (documented, actual) {
        (Value::Object(d), Value::Object(a)) => {
            for (k, v) in d {
                let got = a
                    .get(k)
                    .unwrap_or_else(|| panic!("{at}: member {k} does not come back"));
                assert_says_the_same(v, got, &format!("{at}.{k}"));
            }
        }
        (Value::Array(d), Value::Array(a)) => {
            assert_eq!(d.len(), a.len(), "{at}: array length");
            for (i, (dv, av)) in d.iter().zip(a).enumerate() {
                assert_says_the_same(dv, av, &format!("{at}[{i}]"));
            }
        }
        _ => assert_eq!(documented, actual, "{at}"),
    }
}

fn check_example(c: &Contract, example: &Value, at: &str) {
    let back = (c.roundtrip)(example)
        .unwrap_or_else(|e| panic!("{at}: the example is not a {}: {e}", c.rust));
    assert_says_the_same(example, &back, at);
}

// ---------------------------------------------------------------------------
// The tests

#[test]
fn every_json_example_of_the_api_document_is_a_wire_type() {
    let text = doc("docs/agent-api.md");
    let examples = markdown_examples(&text);
    let mut seen = BTreeSet::new();
    for (line, tag, json) in &examples {
        if tag == "-" {
            continue;
        }
        let value: Value = serde_json::from_str(json)
            .unwrap_or_else(|e| panic!("agent-api.md:{line}: not JSON: {e}"));
        let c = contract(tag);
        check_example(&c, &value, &format!("agent-api.md:{line}"));
        seen.insert(c.rust);
    }
    // Every endpoint's request and answer is shown at least once.
    for must in [
        "InfoResponse",
        "PairResponse",
        "CertificatesResponse",
        "SignRequest",
        "SignResponse",
        "BatchRequest",
        "BatchResponse",
        "AuthRequest",
        "AuthToken",
        "HashRequest",
        "TimestampRequest",
        "TimestampResponse",
        "RevocationRequest",
        "RevocationResponse",
        "ErrorResponse",
    ] {
        assert!(seen.contains(must), "agent-api.md shows no {must}");
    }
}

#[test]
fn every_openapi_example_is_a_wire_type() {
    let api = openapi();
    let examples = openapi_examples(&api);
    let mut shown = BTreeSet::new();
    for (at, schema, example) in &examples {
        let Some(c) = contract_for_schema(schema) else {
            continue; // a scalar schema (CertificateId, Base64…)
        };
        check_example(&c, example, &format!("openapi.yaml{at}"));
        shown.insert(c.rust);
    }
    for must in [
        "InfoResponse",
        "SignRequest",
        "TimestampRequest",
        "TimestampResponse",
        "RevocationRequest",
        "RevocationResponse",
        "ErrorResponse",
    ] {
        assert!(
            shown.contains(must),
            "openapi.yaml has no example of {must}"
        );
    }
}

#[test]
fn openapi_schemas_have_the_fields_of_the_wire_types() {
    let api = openapi();
    let examples = full_examples();
    for (name, schema) in schemas(&api) {
        let Some(c) = contract_for_schema(&name) else {
            continue;
        };
        if schema.get("oneOf").is_some() {
            continue; // checked through its variants
        }
        let Some(props) = schema.get("properties").and_then(Value::as_object) else {
            panic!("schema {name} has no properties");
        };
        let rust: BTreeSet<&str> = (c.fields)().into_iter().collect();
        let documented: BTreeSet<&str> = props.keys().map(String::as_str).collect();
        if c.openapi.len() > 1 {
            // A oneOf variant: a part of the type's members, each required.
            assert!(
                documented.is_subset(&rust),
                "{name}: {documented:?} not members of {}",
                c.rust
            );
            continue;
        }
        assert_eq!(documented, rust, "schema {name} vs {}", c.rust);
        let full = examples
            .get(c.rust)
            .unwrap_or_else(|| panic!("no documented example of {}", c.rust));
        let required: BTreeSet<&str> = schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        for (field, p) in presence(&c, full) {
            let nullable = props[field]["nullable"] == Value::Bool(true);
            assert_eq!(
                required.contains(field),
                p != Presence::Optional,
                "schema {name}: is {field} required? the type says {p:?}"
            );
            assert_eq!(
                nullable,
                p == Presence::Nullable,
                "schema {name}: is {field} nullable? the type says {p:?}"
            );
        }
    }
}

#[test]
fn the_sdk_types_have_the_fields_of_the_wire_types() {
    let interfaces = typescript_interfaces(&doc("js-sdk/src/kyso.d.ts"));
    let examples = full_examples();
    let mut checked = 0;
    for c in contracts() {
        let Some(ts) = c.typescript else { continue };
        let members = interfaces
            .get(ts)
            .unwrap_or_else(|| panic!("kyso.d.ts has no {ts}"));
        let rust: BTreeSet<&str> = (c.fields)().into_iter().collect();
        let documented: BTreeSet<&str> = members.keys().map(String::as_str).collect();
        assert_eq!(documented, rust, "kyso.d.ts {ts} vs {}", c.rust);
        let full = examples
            .get(c.rust)
            .unwrap_or_else(|| panic!("no documented example of {}", c.rust));
        for (field, p) in presence(&c, full) {
            let (optional, ty) = &members[field];
            let nullable = ty.split('|').any(|t| t.trim() == "null");
            assert_eq!(
                (*optional, nullable),
                (p == Presence::Optional, p == Presence::Nullable),
                "kyso.d.ts {ts}.{field}: `{}{ty}`, the type says {p:?}",
                if *optional { "?: " } else { ": " }
            );
        }
        checked += 1;
    }
    assert!(checked >= 4);
}

/// The documented example with the most members, per wire type: the one
/// presence is judged on. Nested objects count too (a Cert's token).
fn full_examples() -> BTreeMap<&'static str, Value> {
    let mut all: Vec<(&'static str, Value)> = Vec::new();
    for (_, tag, json) in markdown_examples(&doc("docs/agent-api.md")) {
        if tag != "-" {
            let c = contract(&tag);
            all.push((c.rust, serde_json::from_str(&json).expect("JSON")));
        }
    }
    let api = openapi();
    for (_, schema, example) in openapi_examples(&api) {
        if let Some(c) = contract_for_schema(&schema) {
            all.push((c.rust, example));
        }
    }
    // Members that are themselves wire types.
    let nested: &[(&str, &str, &str)] = &[
        ("CertificatesResponse", "certificates", "Cert"),
        ("Cert", "token", "TokenJson"),
        ("Cert", "identifiers", "Identifiers"),
        ("BatchRequest", "items", "BatchItem"),
        ("BatchResponse", "signatures", "BatchResult"),
        ("ErrorResponse", "error", "ErrorBody"),
    ];
    let mut i = 0;
    while i < all.len() {
        for (outer, member, inner) in nested {
            if all[i].0 != *outer {
                continue;
            }
            let values = match &all[i].1[*member] {
                Value::Array(a) => a.clone(),
                Value::Null => Vec::new(),
                v => vec![v.clone()],
            };
            let inner = contract(inner).rust;
            for v in values {
                all.push((inner, v));
            }
        }
        i += 1;
    }
    let mut best: BTreeMap<&'static str, Value> = BTreeMap::new();
    for (rust, v) in all {
        let size = |v: &Value| v.as_object().map_or(0, |o| o.len());
        if best.get(rust).is_none_or(|b| size(&v) > size(b)) {
            best.insert(rust, v);
        }
    }
    best
}

#[test]
fn the_dialog_protocol_example_parses() {
    // The example of wire/src/dialog.rs's documentation, as the window reads it.
    let source = doc("wire/src/dialog.rs");
    let json: String = source
        .lines()
        .skip_while(|l| !l.starts_with("//! ```json"))
        .skip(1)
        .take_while(|l| !l.starts_with("//! ```"))
        .map(|l| l.trim_start_matches("//!"))
        .collect::<Vec<_>>()
        .join("\n");
    let request = dialog::Request::parse(json.as_bytes()).expect("the documented request");
    assert_eq!(request.kind, dialog::Kind::Sign);
    let back = serde_json::to_value(&request).unwrap();
    assert_says_the_same(&serde_json::from_str(&json).unwrap(), &back, "dialog.rs");
}

#[test]
fn a_drifted_document_is_caught() {
    // The checks above must be able to fail: a renamed member, a missing
    // required one and a member the type does not have are all refused.
    let c = contract("SignRequest");
    let good = serde_json::json!({"certificateId": "a:01", "signedAttributes": "MQA=", "documentName": "x.pdf"});
    assert!((c.roundtrip)(&good).is_ok());
    let mut renamed = good.clone();
    renamed["document_name"] = renamed["documentName"].take();
    renamed.as_object_mut().unwrap().remove("documentName");
    assert!((c.roundtrip)(&renamed).is_err());
    let mut extra = good.clone();
    extra["origin"] = "https://evil.example".into();
    assert!((c.roundtrip)(&extra).is_err());
    let p = presence(&c, &good);
    assert_eq!(p["documentName"], Presence::Required);
    assert_eq!(p["scheme"], Presence::Optional);
    let cert = contract("Cert");
    let full = &full_examples()["Cert"];
    assert_eq!(presence(&cert, full)["keyType"], Presence::Nullable);
    let ts = typescript_interfaces(
        "export interface X { a: string; b?: number | null; c: { d: string } }",
    );
    assert_eq!(ts["X"]["b"], (true, "number | null".to_string()));
    assert_eq!(ts["X.c"]["d"], (false, "string".to_string()));
}
