//! A diff of two JSON values as changes at paths, and a compact one-line display of values.

use serde_json::Value as Json;

/// One step of a path into a JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    /// An object key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// A value that differs at `path`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Delta {
    pub path: Vec<Seg>,
    pub old: Option<Json>,
    pub new: Option<Json>,
}

/// The changes from `old` to `new`, deepest paths where objects and arrays of objects
/// differ; arrays of scalars (action lists, ARNs) change as a whole.
pub(crate) fn deltas(old: Option<&Json>, new: Option<&Json>) -> Vec<Delta> {
    let mut out = Vec::new();
    walk(old, new, &mut Vec::new(), &mut out);
    out
}

fn walk(old: Option<&Json>, new: Option<&Json>, path: &mut Vec<Seg>, out: &mut Vec<Delta>) {
    if old == new {
        return;
    }
    match (old, new) {
        (Some(Json::Object(a)), Some(Json::Object(b))) if !is_intrinsic(a) && !is_intrinsic(b) => {
            let keys = a.keys().chain(b.keys().filter(|k| !a.contains_key(*k)));
            for key in keys {
                path.push(Seg::Key(key.clone()));
                walk(a.get(key), b.get(key), path, out);
                path.pop();
            }
        }
        (Some(Json::Array(a)), Some(Json::Array(b)))
            if a.iter().chain(b).any(|v| v.is_object() || v.is_array()) && !a.is_empty() && !b.is_empty() =>
        {
            for i in 0..a.len().max(b.len()) {
                path.push(Seg::Index(i));
                walk(a.get(i), b.get(i), path, out);
                path.pop();
            }
        }
        _ => out.push(Delta { path: path.clone(), old: old.cloned(), new: new.cloned() }),
    }
}

fn is_intrinsic(map: &serde_json::Map<String, Json>) -> bool {
    map.len() == 1 && map.keys().next().is_some_and(|k| k == "Ref" || k.starts_with("Fn::"))
}

/// `Properties.Tags[0].Value`, with keys that are not identifiers quoted.
pub(crate) fn path_string(prefix: &str, path: &[Seg]) -> String {
    let mut out = prefix.to_owned();
    for seg in path {
        match seg {
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
            Seg::Key(k) if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Key(k) => out.push_str(&format!("[{}]", Json::String(k.clone()))),
        }
    }
    out
}

/// The longest a value is shown on one line.
const MAX: usize = 160;

/// A value on one line, intrinsic functions in short form (`Ref(X)`, `X.Arn`), cut at
/// 160 characters.
pub(crate) fn compact(value: &Json) -> String {
    let full = short(value);
    if full.chars().count() <= MAX {
        return full;
    }
    let cut: String = full.chars().take(MAX - 1).collect();
    format!("{cut}…")
}

fn short(value: &Json) -> String {
    match value {
        Json::Array(items) => format!("[{}]", items.iter().map(short).collect::<Vec<_>>().join(", ")),
        Json::Object(map) if map.len() == 1 => {
            let (k, v) = map.iter().next().map_or(("", &Json::Null), |(k, v)| (k.as_str(), v));
            match (k, v) {
                ("Ref", Json::String(name)) => format!("Ref({name})"),
                ("Fn::GetAtt", Json::Array(parts)) if parts.iter().all(Json::is_string) => {
                    parts.iter().filter_map(Json::as_str).collect::<Vec<_>>().join(".")
                }
                (k, v) if k.starts_with("Fn::") => format!("{}({})", &k[4..], inner(v)),
                _ => object(map),
            }
        }
        Json::Object(map) => object(map),
        other => other.to_string(),
    }
}

fn inner(value: &Json) -> String {
    match value {
        Json::Array(items) => items.iter().map(short).collect::<Vec<_>>().join(", "),
        other => short(other),
    }
}

fn object(map: &serde_json::Map<String, Json>) -> String {
    let fields: Vec<String> = map.iter().map(|(k, v)| format!("{k}: {}", short(v))).collect();
    format!("{{{}}}", fields.join(", "))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn paths_and_short_forms() {
        let old = json!({"A": {"B": 1, "C": [{"D": "x"}]}, "E": ["a"]});
        let new = json!({"A": {"B": 2, "C": [{"D": "y"}]}, "E": ["a", "b"], "F": {"Ref": "P"}});
        let d = deltas(Some(&old), Some(&new));
        let paths: Vec<String> = d.iter().map(|d| path_string("Properties", &d.path)).collect();
        assert_eq!(paths, ["Properties.A.B", "Properties.A.C[0].D", "Properties.E", "Properties.F"]);
        assert_eq!(compact(&json!({"Fn::GetAtt": ["Role", "Arn"]})), "Role.Arn");
        assert_eq!(compact(&json!({"Fn::Join": ["", ["a", {"Ref": "B"}]]})), "Join(\"\", [\"a\", Ref(B)])");
        assert_eq!(path_string("", &[Seg::Key("a:b".into())]), "[\"a:b\"]");
    }
}
