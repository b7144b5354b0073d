//! JSON as the tree stores resource properties: a compact form of `serde_json::Value`.
//!
//! `serde_json::Value` with ordered maps costs about 500 bytes for a one-entry object (an
//! index table plus an entry vector sized for growth); a large app holds hundreds of
//! thousands of such objects (every reference is one). Here an object is one boxed slice
//! of entries, and a value is 24 bytes. Conversion happens at the edges: constructs give
//! and take `serde_json::Value`, synthesis serializes this form directly.

use std::sync::Arc;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Number, Value as Json, json};

use crate::expr::{ElementRef, marker};

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Stored {
    Null,
    Bool(bool),
    Number(Number),
    /// A string of at most [`SHORT`] bytes, held inline: most strings of a template are
    /// short (actions, types, names), and each would otherwise be an allocation.
    Short(Short),
    String(Box<str>),
    Array(Box<[Stored]>),
    Object(Object),
    /// A reference to an element (`{"cw::ref": [app, node]}` or `{"cw::name": [app,
    /// node]}`), held without the three allocations of its JSON form: a large app has
    /// several per resource.
    Reference(ReferenceKind, ElementRef),
}

/// Bytes a [`Stored::Short`] holds: what fits beside the tag in 24 bytes.
const SHORT: usize = 22;

/// A short string's bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Short {
    len: u8,
    bytes: [u8; SHORT],
}

impl Short {
    fn new(s: &str) -> Option<Short> {
        let mut bytes = [0; SHORT];
        bytes.get_mut(..s.len())?.copy_from_slice(s.as_bytes());
        Some(Short { len: u8::try_from(s.len()).ok()?, bytes })
    }

    fn as_str(&self) -> &str {
        // Copied from a `str` whole, so always UTF-8.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

/// Which marker a [`Stored::Reference`] stands for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ReferenceKind {
    /// `Ref` (or the export of one, across stacks).
    Ref,
    /// The element's logical id ([`crate::Expr::LogicalId`]).
    Name,
}

impl ReferenceKind {
    pub(crate) fn marker(self) -> &'static str {
        match self {
            ReferenceKind::Ref => marker::REF,
            ReferenceKind::Name => marker::NAME,
        }
    }
}

/// A JSON object: entries in insertion order, keys unique.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Object(Box<[(Arc<str>, Stored)]>);

/// An app's repeated strings, each held once: object keys and construct ids. A large app
/// uses a few hundred distinct ones (property names, `Resource`, `ServiceRole`) over a
/// million times, and each would otherwise be an allocation of its own. Values enter the
/// tree through here.
#[derive(Default)]
pub(crate) struct Keys(hashbrown::HashSet<Arc<str>>);

impl Keys {
    /// The shared copy of `key`.
    pub(crate) fn key(&mut self, key: &str) -> Arc<str> {
        if let Some(known) = self.0.get(key) {
            return Arc::clone(known);
        }
        let new: Arc<str> = Arc::from(key);
        self.0.insert(Arc::clone(&new));
        new
    }

    /// `value` in its stored form.
    pub(crate) fn value(&mut self, value: Json) -> Stored {
        match value {
            Json::Null => Stored::Null,
            Json::Bool(b) => Stored::Bool(b),
            Json::Number(n) => Stored::Number(n),
            Json::String(s) => Stored::string(s),
            Json::Array(items) => Stored::Array(items.into_iter().map(|v| self.value(v)).collect()),
            Json::Object(map) => match reference(&map) {
                Some((kind, element)) => Stored::Reference(kind, element),
                None => Stored::Object(self.object(map)),
            },
        }
    }

    /// `map` in its stored form.
    pub(crate) fn object(&mut self, map: Map<String, Json>) -> Object {
        Object(map.into_iter().map(|(k, v)| (self.key(&k), self.value(v))).collect())
    }
}

impl Object {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &Stored)> {
        self.0.iter().map(|(k, v)| (&**k, v))
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Stored> {
        self.0.iter().find(|(k, _)| &**k == key).map(|(_, v)| v)
    }

    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut Stored> {
        self.0.iter_mut().find(|(k, _)| &**k == key).map(|(_, v)| v)
    }

    /// Sets `key`, keeping its position when it exists (as `IndexMap::insert` does).
    pub(crate) fn insert(&mut self, key: Arc<str>, value: Stored) {
        if let Some(slot) = self.get_mut(&key) {
            *slot = value;
            return;
        }
        let mut entries = std::mem::take(&mut self.0).into_vec();
        entries.push((key, value));
        self.0 = entries.into_boxed_slice();
    }

    /// The object as `serde_json` gives it to constructs.
    pub(crate) fn to_map(&self) -> Map<String, Json> {
        self.iter().map(|(k, v)| (k.to_owned(), v.to_json())).collect()
    }
}

/// The reference a JSON object is, when it is a `cw::ref` or `cw::name` marker.
fn reference(map: &Map<String, Json>) -> Option<(ReferenceKind, ElementRef)> {
    if map.len() != 1 {
        return None;
    }
    let (key, arg) = map.iter().next()?;
    let kind = match key.as_str() {
        marker::REF => ReferenceKind::Ref,
        marker::NAME => ReferenceKind::Name,
        _ => return None,
    };
    let number = |v: &Json| v.as_u64().and_then(|n| u32::try_from(n).ok());
    match arg.as_array()?.as_slice() {
        [app, node] => Some((kind, ElementRef { app: number(app)?, node: number(node)? })),
        _ => None,
    }
}

impl Stored {
    fn string(s: String) -> Stored {
        match Short::new(&s) {
            Some(short) => Stored::Short(short),
            None => Stored::String(s.into_boxed_str()),
        }
    }

    /// The text of a string.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Stored::Short(s) => Some(s.as_str()),
            Stored::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value as `serde_json` gives it to constructs.
    pub(crate) fn to_json(&self) -> Json {
        match self {
            Stored::Null => Json::Null,
            Stored::Bool(b) => Json::Bool(*b),
            Stored::Number(n) => Json::Number(n.clone()),
            Stored::Short(s) => Json::String(s.as_str().to_owned()),
            Stored::String(s) => Json::String(s.to_string()),
            Stored::Array(items) => Json::Array(items.iter().map(Stored::to_json).collect()),
            Stored::Object(o) => Json::Object(o.to_map()),
            Stored::Reference(kind, r) => json!({kind.marker(): [r.app, r.node]}),
        }
    }

    /// The only entry of a one-entry object.
    pub(crate) fn single_entry(&self) -> Option<(&str, &Stored)> {
        match self {
            Stored::Object(o) if o.len() == 1 => o.iter().next(),
            _ => None,
        }
    }
}

impl Serialize for Stored {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Stored::Null => s.serialize_unit(),
            Stored::Bool(b) => s.serialize_bool(*b),
            Stored::Number(n) => n.serialize(s),
            Stored::Short(v) => s.serialize_str(v.as_str()),
            Stored::String(v) => s.serialize_str(v),
            Stored::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items.iter() {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Stored::Object(o) => o.serialize(s),
            Stored::Reference(kind, r) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry(kind.marker(), &[r.app, r.node])?;
                map.end()
            }
        }
    }
}

impl Serialize for Object {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.len()))?;
        for (k, v) in self.iter() {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips_and_serializes_like_serde_json() {
        let value = json!({"b": [1, -2, 2.5, "x", null, true], "a": {"Ref": "X"}, "c": {}});
        let stored = Keys::default().value(value.clone());
        assert_eq!(stored.to_json(), value);
        assert_eq!(serde_json::to_string(&stored).unwrap(), serde_json::to_string(&value).unwrap());
    }

    #[test]
    fn insert_replaces_in_place_and_appends_new_keys() {
        let Stored::Object(mut o) = Keys::default().value(json!({"a": 1, "b": 2})) else { unreachable!() };
        o.insert("a".into(), Keys::default().value(json!(3)));
        o.insert("c".into(), Keys::default().value(json!(4)));
        assert_eq!(Json::Object(o.to_map()), json!({"a": 3, "b": 2, "c": 4}));
        assert_eq!(serde_json::to_string(&o).unwrap(), r#"{"a":3,"b":2,"c":4}"#);
    }

    #[test]
    fn short_strings_and_references_are_held_compactly_and_read_back_unchanged() {
        let exactly = "a".repeat(SHORT);
        let longer = "b".repeat(SHORT + 1);
        // Multi-byte characters: 7 x 3 bytes fits, 8 x 3 does not.
        let (wide_fits, wide_long) = ("€".repeat(7), "€".repeat(8));
        let value = json!({
            "short": [exactly, longer, wide_fits, wide_long, ""],
            "ref": {"cw::ref": [1, 42]},
            "name": {"cw::name": [1, 7]},
            "not a reference": [{"cw::ref": [1]}, {"cw::ref": [1, 2], "x": 1}, {"cw::att": [1, 2, "Arn"]}],
        });
        let stored = Keys::default().value(value.clone());
        let Stored::Object(o) = &stored else { unreachable!() };
        let Some(Stored::Array(strings)) = o.get("short") else { unreachable!() };
        let kinds: Vec<bool> = strings.iter().map(|s| matches!(s, Stored::Short(_))).collect();
        assert_eq!(kinds, [true, false, true, false, true]);
        assert!(matches!(o.get("ref"), Some(Stored::Reference(ReferenceKind::Ref, ElementRef { app: 1, node: 42 }))));
        assert!(matches!(o.get("name"), Some(Stored::Reference(ReferenceKind::Name, ElementRef { app: 1, node: 7 }))));
        let Some(Stored::Array(others)) = o.get("not a reference") else { unreachable!() };
        assert!(others.iter().all(|v| matches!(v, Stored::Object(_))));
        assert_eq!(stored.to_json(), value);
        assert_eq!(serde_json::to_string(&stored).unwrap(), serde_json::to_string(&value).unwrap());
    }

    #[test]
    fn is_smaller_than_serde_json() {
        assert_eq!(std::mem::size_of::<Stored>(), 24);
        assert!(std::mem::size_of::<Stored>() < std::mem::size_of::<Json>());
    }
}
