//! JSON as the tree stores resource properties: a compact form of `serde_json::Value`.
//!
//! `serde_json::Value` with ordered maps costs about 500 bytes for a one-entry object (an
//! index table plus an entry vector sized for growth); a large app holds hundreds of
//! thousands of such objects (every reference is one). Here an object is one boxed slice
//! of entries, and a value is 24 bytes. Conversion happens at the edges: constructs give
//! and take `serde_json::Value`, synthesis serializes this form directly.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Number, Value as Json};

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Stored {
    Null,
    Bool(bool),
    Number(Number),
    String(Box<str>),
    Array(Box<[Stored]>),
    Object(Object),
}

/// A JSON object: entries in insertion order, keys unique.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Object(Box<[(Box<str>, Stored)]>);

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
    pub(crate) fn insert(&mut self, key: &str, value: Stored) {
        if let Some(slot) = self.get_mut(key) {
            *slot = value;
            return;
        }
        let mut entries = std::mem::take(&mut self.0).into_vec();
        entries.push((key.into(), value));
        self.0 = entries.into_boxed_slice();
    }

    /// The object as `serde_json` gives it to constructs.
    pub(crate) fn to_map(&self) -> Map<String, Json> {
        self.iter().map(|(k, v)| (k.to_owned(), v.to_json())).collect()
    }
}

impl From<Map<String, Json>> for Object {
    fn from(map: Map<String, Json>) -> Self {
        Object(map.into_iter().map(|(k, v)| (k.into_boxed_str(), Stored::from(v))).collect())
    }
}

impl From<Json> for Stored {
    fn from(value: Json) -> Self {
        match value {
            Json::Null => Stored::Null,
            Json::Bool(b) => Stored::Bool(b),
            Json::Number(n) => Stored::Number(n),
            Json::String(s) => Stored::String(s.into_boxed_str()),
            Json::Array(items) => Stored::Array(items.into_iter().map(Stored::from).collect()),
            Json::Object(map) => Stored::Object(Object::from(map)),
        }
    }
}

impl Stored {
    /// The value as `serde_json` gives it to constructs.
    pub(crate) fn to_json(&self) -> Json {
        match self {
            Stored::Null => Json::Null,
            Stored::Bool(b) => Json::Bool(*b),
            Stored::Number(n) => Json::Number(n.clone()),
            Stored::String(s) => Json::String(s.to_string()),
            Stored::Array(items) => Json::Array(items.iter().map(Stored::to_json).collect()),
            Stored::Object(o) => Json::Object(o.to_map()),
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
            Stored::String(v) => s.serialize_str(v),
            Stored::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items.iter() {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Stored::Object(o) => o.serialize(s),
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
        let stored = Stored::from(value.clone());
        assert_eq!(stored.to_json(), value);
        assert_eq!(serde_json::to_string(&stored).unwrap(), serde_json::to_string(&value).unwrap());
    }

    #[test]
    fn insert_replaces_in_place_and_appends_new_keys() {
        let Stored::Object(mut o) = Stored::from(json!({"a": 1, "b": 2})) else { unreachable!() };
        o.insert("a", Stored::from(json!(3)));
        o.insert("c", Stored::from(json!(4)));
        assert_eq!(Json::Object(o.to_map()), json!({"a": 3, "b": 2, "c": 4}));
        assert_eq!(serde_json::to_string(&o).unwrap(), r#"{"a":3,"b":2,"c":4}"#);
    }

    #[test]
    fn is_smaller_than_serde_json() {
        assert_eq!(std::mem::size_of::<Stored>(), 24);
        assert!(std::mem::size_of::<Stored>() < std::mem::size_of::<Json>());
    }
}
