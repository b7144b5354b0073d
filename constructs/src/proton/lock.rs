//! The lock file of published input schemas (`proton-schemas.lock.json`, committed next
//! to the app): a schema change that removes or retypes an input, or adds a required input
//! without a default, fails synthesis unless the template's major version changes.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use cloudwright_core::{App, Error, Node, Result};
use serde_json::{Map, Value as Json, json};

use super::schema::InputSchema;

/// The published input schemas of an app's templates, by template name.
///
/// The app reads it at start; synthesis writes the lock for the current schemas to
/// `proton/proton-schemas.lock.json` in the output, to be copied over the committed file
/// when a new version is published.
#[derive(Debug, Clone)]
pub struct SchemaLock {
    source: String,
    published: Rc<Map<String, Json>>,
    current: Rc<RefCell<Map<String, Json>>>,
}

impl SchemaLock {
    /// Reads the lock file at `path` (relative to the working directory); a missing file is
    /// an empty lock. Registers the output of the updated lock with `app`.
    pub fn load(app: &App, path: impl AsRef<Path>) -> Result<SchemaLock> {
        let path: PathBuf = path.as_ref().to_path_buf();
        let text = cloudwright_core::limits::read_text_if_exists(&path, cloudwright_core::limits::INPUT_BYTES)?
            .unwrap_or_else(|| "{}".to_owned());
        SchemaLock::parse(app, &path.display().to_string(), &text)
    }

    /// A lock from its JSON text (e.g. `include_str!("../proton-schemas.lock.json")`);
    /// `source` names it in messages.
    pub fn parse(app: &App, source: &str, text: &str) -> Result<SchemaLock> {
        let published: Map<String, Json> = serde_json::from_str(text).map_err(|e| Error::Input {
            path: cloudwright_core::limits::at_line(source, e.line(), e.column()),
            message: format!("the Proton schema lock is not valid JSON: {e}"),
        })?;
        let lock = SchemaLock {
            source: source.to_owned(),
            published: Rc::new(published),
            current: Rc::new(RefCell::new(Map::new())),
        };
        let current = lock.current.clone();
        app.add_file_generator(move || {
            let mut sorted: Vec<(String, Json)> = current.borrow().clone().into_iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            let map: Map<String, Json> = sorted.into_iter().collect();
            let mut text = serde_json::to_string_pretty(&Json::Object(map)).unwrap_or_default();
            text.push('\n');
            Ok(vec![("proton/proton-schemas.lock.json".to_owned(), text.into_bytes())])
        });
        Ok(lock)
    }

    /// Records the template's current schemas and reports breaking changes against the
    /// published ones on `node`.
    pub(crate) fn check(&self, node: &Node, name: &str, major: u32, minor: u32, inputs: &[(&str, &InputSchema)]) {
        let mut entry = Map::new();
        entry.insert("major".into(), json!(major));
        entry.insert("minor".into(), json!(minor));
        for (key, schema) in inputs {
            entry.insert((*key).to_owned(), schema.schema.clone());
        }
        self.current.borrow_mut().insert(name.to_owned(), Json::Object(entry));
        let Some(published) = self.published.get(name) else { return };
        let published_major = published.get("major").and_then(Json::as_u64).unwrap_or(0);
        if u64::from(major) != published_major {
            if u64::from(major) < published_major {
                node.add_error(format!(
                    "template {name:?} is at major version {major}, below the published {published_major} in {}",
                    self.source
                ));
            }
            return;
        }
        for (key, schema) in inputs {
            let Some(old) = published.get(*key) else { continue };
            for change in breaking_changes(old, &schema.schema, "") {
                node.add_error(format!(
                    "template {name:?} v{major}: {change} since the schema published in {}; that breaks \
                     existing specs, so publish it as major version {} (and update the lock from \
                     cloudwright.out/proton/proton-schemas.lock.json)",
                    self.source,
                    major + 1
                ));
            }
        }
    }
}

/// One change of an input schema between two versions of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputChange {
    /// The input, dotted for nested objects: `network.cidr`.
    pub input: String,
    /// What happened to it: `was removed`, `changed type from "string" to "integer"`.
    pub what: String,
    /// Whether existing specs may stop working (the lock's rules).
    pub breaking: bool,
}

/// The breaking changes from `old` to `new`, as the lock reports them.
pub(crate) fn breaking_changes(old: &Json, new: &Json, at: &str) -> Vec<String> {
    input_changes(old, new, at)
        .into_iter()
        .filter(|c| c.breaking)
        .map(|c| format!("input `{}` {}", c.input, c.what))
        .collect()
}

/// Every input change from `old` to `new` (object schemas), each classified: removing or
/// retyping an input, or making one required without a default, breaks existing specs;
/// adding an optional input or changing a default, pattern or description does not.
pub fn input_changes(old: &Json, new: &Json, at: &str) -> Vec<InputChange> {
    let mut out = Vec::new();
    let props = |s: &Json| s.get("properties").and_then(Json::as_object).cloned().unwrap_or_default();
    let (old_props, new_props) = (props(old), props(new));
    let name_of = |field: &str| if at.is_empty() { field.to_owned() } else { format!("{at}.{field}") };
    let change = |input: String, what: String, breaking: bool| InputChange { input, what, breaking };
    let required = |s: &Json| -> Vec<String> {
        s.get("required")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
            .map(str::to_owned)
            .collect()
    };
    let (old_required, new_required) = (required(old), required(new));
    let has_default = |field: &str| new_props.get(field).and_then(|s| s.get("default")).is_some();
    for (field, old_schema) in &old_props {
        let name = name_of(field);
        match new_props.get(field) {
            None => out.push(change(name, "was removed".into(), true)),
            Some(new_schema) => {
                let (t0, t1) = (old_schema.get("type"), new_schema.get("type"));
                if t0 != t1 {
                    let what = format!(
                        "changed type from {} to {}",
                        t0.map_or("any".into(), Json::to_string),
                        t1.map_or("any".into(), Json::to_string)
                    );
                    out.push(change(name, what, true));
                } else {
                    let nested = input_changes(old_schema, new_schema, &name);
                    let (strip0, strip1) = (without_nested(old_schema), without_nested(new_schema));
                    if strip0 != strip1 {
                        let keys = changed_keys(&strip0, &strip1);
                        out.push(change(name, format!("changed its {}", keys.join(", ")), false));
                    }
                    out.extend(nested);
                }
            }
        }
    }
    for field in new_props.keys().filter(|f| !old_props.contains_key(*f)) {
        if !new_required.contains(field) || has_default(field) {
            out.push(change(name_of(field), "was added".into(), false));
        }
    }
    for field in &new_required {
        if !old_required.contains(field) {
            if !has_default(field) {
                out.push(change(name_of(field), "became required without a default".into(), true));
            } else if old_props.contains_key(field) {
                out.push(change(name_of(field), "became required (it has a default)".into(), false));
            }
        }
    }
    for field in &old_required {
        if !new_required.contains(field) && new_props.contains_key(field) {
            out.push(change(name_of(field), "became optional".into(), false));
        }
    }
    out
}

/// A property schema without what `input_changes` compares on its own.
fn without_nested(schema: &Json) -> Map<String, Json> {
    let mut map = schema.as_object().cloned().unwrap_or_default();
    for key in ["properties", "required", "type"] {
        map.remove(key);
    }
    map
}

fn changed_keys(old: &Map<String, Json>, new: &Map<String, Json>) -> Vec<String> {
    let mut keys: Vec<String> = old.keys().chain(new.keys()).filter(|k| old.get(*k) != new.get(*k)).cloned().collect();
    keys.sort();
    keys.dedup();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removed_retyped_and_new_required_inputs_break() {
        let old = json!({"properties": {"a": {"type": "string"}, "b": {"type": "integer"}, "c": {"type": "string"}}});
        let new = json!({"properties": {"a": {"type": "string"}, "b": {"type": "string"}, "d": {"type": "string"}},
            "required": ["d"]});
        let changes = breaking_changes(&old, &new, "");
        assert_eq!(changes.len(), 3, "{changes:?}");
        assert!(changes[0].contains("`b` changed type"));
        assert!(changes[1].contains("`c` was removed"));
        assert!(changes[2].contains("`d` became required"));
    }

    #[test]
    fn optional_additions_and_new_defaults_do_not_break() {
        let old = json!({"properties": {"a": {"type": "string", "default": "x"}}, "required": ["a"]});
        let new = json!({"properties": {"a": {"type": "string", "default": "y"}, "b": {"type": "string"}}});
        let changes = input_changes(&old, &new, "");
        let text: Vec<String> = changes.iter().map(|c| format!("{} {} {}", c.input, c.what, c.breaking)).collect();
        assert_eq!(text, ["a changed its default false", "b was added false", "a became optional false"]);
    }
}
