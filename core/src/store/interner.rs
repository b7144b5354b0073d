//! The app's interner, through which every value enters the tree.

use std::sync::Arc;

use serde_json::{Map, Value as Json};

use crate::expr::Reference;
use crate::stored::{Object, Stored};

/// An app's repeated strings (object keys, construct ids), each held once.
#[derive(Default)]
pub(crate) struct Interner(hashbrown::HashSet<Arc<str>>);

impl Interner {
    /// The shared copy of `key`.
    pub(crate) fn intern(&mut self, key: &str) -> Arc<str> {
        if let Some(known) = self.0.get(key) {
            return Arc::clone(known);
        }
        let new: Arc<str> = Arc::from(key);
        self.0.insert(Arc::clone(&new));
        new
    }

    /// `value` in its stored form: the one place where the marker objects of
    /// [`crate::Expr`] references become typed. A `cw::` key that is no marker this
    /// version wrote adds a message to `problems` (and is stored as `null`).
    pub(crate) fn value(&mut self, value: Json, problems: &mut Vec<String>) -> Stored {
        match value {
            Json::Null => Stored::Null,
            Json::Bool(b) => Stored::Bool(b),
            Json::Number(n) => Stored::Number(n),
            Json::String(s) => Stored::string(s),
            Json::Array(items) => Stored::Array(items.into_iter().map(|v| self.value(v, problems)).collect()),
            Json::Object(map) => match Reference::from_marker(&map) {
                None => Stored::Object(self.object(map, problems)),
                Some(Ok(reference)) => Stored::Expr(reference),
                Some(Err(problem)) => {
                    problems.push(problem);
                    Stored::Null
                }
            },
        }
    }

    /// `map` in its stored form (see [`Interner::value`]).
    pub(crate) fn object(&mut self, map: Map<String, Json>, problems: &mut Vec<String>) -> Object {
        Object(map.into_iter().map(|(k, v)| (self.intern(&k), self.value(v, problems))).collect())
    }
}
