//! Values as the tree stores them: resource properties and metadata, parameters,
//! outputs, conditions, mappings and rules, all in one form.
//!
//! A [`Stored`] is JSON whose deploy-time parts are typed: a reference to an element or a
//! stack value is a [`Reference`], never a marker object. Values enter the tree
//! through [`crate::store::Interner::value`], which converts the marker form constructs
//! give (an [`crate::Expr`] serialized by `serde`) exactly once; synthesis resolves and
//! serializes this form directly (`synth/resolve.rs`).
//!
//! The form is compact because a large app holds hundreds of thousands of values (see
//! [`crate::store`] for the measurements): a value is 24 bytes, an object one boxed slice
//! of entries with interned keys, a short string inline.

use std::sync::Arc;

use serde_json::{Map, Number, Value as Json};

use crate::expr::Reference;
use crate::store::InlineStr;

/// A JSON value whose references are typed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Stored {
    Null,
    Bool(bool),
    Number(Number),
    /// A string short enough to be held inline ([`InlineStr`]).
    Short(InlineStr),
    String(Box<str>),
    Array(Box<[Stored]>),
    Object(Object),
    /// A deploy-time value: what an [`crate::Expr`] holds that JSON cannot.
    Expr(Reference),
}

/// A JSON object: entries in insertion order, keys unique and interned.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Object(pub(crate) Box<[(Arc<str>, Stored)]>);

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

    /// The object as `serde_json` gives it to constructs (references as markers).
    pub(crate) fn to_map(&self) -> Map<String, Json> {
        self.iter().map(|(k, v)| (k.to_owned(), v.to_json())).collect()
    }
}

impl Stored {
    pub(crate) fn string(s: String) -> Stored {
        match InlineStr::new(&s) {
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

    /// The value as `serde_json` gives it to constructs (references as markers).
    pub(crate) fn to_json(&self) -> Json {
        match self {
            Stored::Null => Json::Null,
            Stored::Bool(b) => Json::Bool(*b),
            Stored::Number(n) => Json::Number(n.clone()),
            Stored::Short(s) => Json::String(s.as_str().to_owned()),
            Stored::String(s) => Json::String(s.to_string()),
            Stored::Array(items) => Json::Array(items.iter().map(Stored::to_json).collect()),
            Stored::Object(o) => Json::Object(o.to_map()),
            Stored::Expr(r) => r.to_marker(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::ElementRef;
    use crate::store::Interner;
    use serde_json::json;

    fn stored(value: Json) -> (Stored, Vec<String>) {
        let mut problems = Vec::new();
        let stored = Interner::default().value(value, &mut problems);
        (stored, problems)
    }

    #[test]
    fn round_trips() {
        let value = json!({"b": [1, -2, 2.5, "x", null, true], "a": {"Ref": "X"}, "c": {}});
        assert_eq!(stored(value.clone()).0.to_json(), value);
    }

    #[test]
    fn insert_replaces_in_place_and_appends_new_keys() {
        let Stored::Object(mut o) = stored(json!({"a": 1, "b": 2})).0 else { unreachable!() };
        o.insert("a".into(), stored(json!(3)).0);
        o.insert("c".into(), stored(json!(4)).0);
        assert_eq!(Json::Object(o.to_map()), json!({"a": 3, "b": 2, "c": 4}));
    }

    #[test]
    fn short_strings_are_inline_and_references_typed_and_both_read_back_unchanged() {
        let exactly = "a".repeat(crate::store::INLINE);
        let longer = "b".repeat(crate::store::INLINE + 1);
        // Multi-byte characters: 7 x 3 bytes fits, 8 x 3 does not.
        let (wide_fits, wide_long) = ("€".repeat(7), "€".repeat(8));
        let value = json!({
            "short": [exactly, longer, wide_fits, wide_long, ""],
            "ref": {"cw::ref": [1, 42]},
            "name": {"cw::name": [1, 7]},
            "att": {"cw::att": [1, 2, "Arn"]},
            "value": {"cw::value": "inputs.x"},
        });
        let (stored, problems) = stored(value.clone());
        assert!(problems.is_empty(), "{problems:?}");
        let Stored::Object(o) = &stored else { unreachable!() };
        let Some(Stored::Array(strings)) = o.get("short") else { unreachable!() };
        let kinds: Vec<bool> = strings.iter().map(|s| matches!(s, Stored::Short(_))).collect();
        assert_eq!(kinds, [true, false, true, false, true]);
        let element = |node| ElementRef::new(1, node);
        assert_eq!(o.get("ref"), Some(&Stored::Expr(Reference::Ref(element(42)))));
        assert_eq!(o.get("name"), Some(&Stored::Expr(Reference::LogicalId(element(7)))));
        assert_eq!(o.get("att"), Some(&Stored::Expr(Reference::Att(Box::new((element(2), "Arn".into()))))));
        assert!(matches!(o.get("value"), Some(Stored::Expr(Reference::StackValue(_)))));
        assert_eq!(stored.to_json(), value);
    }

    #[test]
    fn unknown_or_malformed_markers_are_problems_not_null() {
        for bad in [
            json!({"cw::ref": [1]}),
            json!({"cw::ref": [1, 2], "x": 1}),
            json!({"cw::att": [1, 2]}),
            json!({"cw::unknown": [1, 2]}),
            json!({"cw::value": 3}),
        ] {
            let (_, problems) = stored(json!({"Outer": [bad.clone()]}));
            assert_eq!(problems.len(), 1, "{bad}");
            assert!(problems[0].contains("not a reference cloudwright wrote"), "{}", problems[0]);
        }
    }

    #[test]
    fn is_smaller_than_serde_json() {
        assert_eq!(std::mem::size_of::<Stored>(), 24);
        assert!(std::mem::size_of::<Stored>() < std::mem::size_of::<Json>());
    }
}
