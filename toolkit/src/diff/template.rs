//! Stacks, resources, properties and template sections: what changed, and whether an
//! update replaces a resource (a changed type or create-only property).

use serde_json::{Map, Value as Json};

use super::json::{Delta, Seg, deltas, path_string};
use super::policy::{self, Doc};
use super::stateful::{Leaving, data_loss};
use super::{Change, ElementDiff, Move, Moves, ResourceDiff, Side, StackDiff, ValueChange, body};
use cloudwright_constructs::cfn::resource_type_info;
use cloudwright_core::assembly::Section;

/// The template sections whose elements are compared one logical id at a time, in the
/// order templates are written (resources are compared apart, property by property).
fn element_sections() -> impl Iterator<Item = &'static str> {
    Section::ELEMENTS.into_iter().filter(|s| *s != Section::Resources).map(Section::key)
}

/// The stacks that differ: matched by artifact id, else by display name.
pub(crate) fn stacks(old: &Side, new: &Side, moves: &Moves) -> Vec<StackDiff> {
    let mut used = vec![false; old.stacks.len()];
    let mut out = Vec::new();
    for (n, current) in new.stacks.iter().enumerate() {
        let found = old.stacks.iter().position(|o| o.artifact_id == current.artifact_id).or_else(|| {
            old.stacks.iter().enumerate().position(|(i, o)| !used[i] && o.display_name == current.display_name)
        });
        let previous = found.filter(|i| used.get(*i).is_some_and(|u| !*u));
        if let Some(i) = previous {
            used[i] = true;
        }
        let change = if previous.is_some() { Change::Modified } else { Change::Added };
        let pair = Pair { old, new, moves, old_index: previous, new_index: Some(n) };
        out.extend(pair.stack(&current.artifact_id, &current.display_name, change));
    }
    for (i, stack) in old.stacks.iter().enumerate() {
        if !used[i] {
            let pair = Pair { old, new, moves, old_index: Some(i), new_index: None };
            out.extend(pair.stack(&stack.artifact_id, &stack.display_name, Change::Removed));
        }
    }
    out
}

fn section(template: Option<&Json>, name: &str) -> Map<String, Json> {
    template.and_then(|t| t.get(name)).and_then(Json::as_object).cloned().unwrap_or_default()
}

/// Keys of `new` in order, then those only in `old`.
fn union<'a>(old: &'a Map<String, Json>, new: &'a Map<String, Json>) -> Vec<&'a String> {
    new.keys().chain(old.keys().filter(|k| !new.contains_key(*k))).collect()
}

/// One stack on both sides (either may be absent), with the moves of the whole diff.
struct Pair<'a> {
    old: &'a Side,
    new: &'a Side,
    moves: &'a Moves,
    old_index: Option<usize>,
    new_index: Option<usize>,
}

impl Pair<'_> {
    fn stack(&self, id: &str, display: &str, change: Change) -> Option<StackDiff> {
        let old = self.old_index.and_then(|i| self.old.stacks.get(i)).map(|s| &s.template);
        let new = self.new_index.and_then(|i| self.new.stacks.get(i)).map(|s| &s.template);
        let resources_key = Section::Resources.key();
        let (old_res, new_res) = (section(old, resources_key), section(new, resources_key));
        let resources: Vec<ResourceDiff> = union(&old_res, &new_res)
            .into_iter()
            .filter_map(|k| self.resource(k, old_res.get(k), new_res.get(k)))
            .collect();
        let mut elements = Vec::new();
        for name in element_sections() {
            let (a, b) = (section(old, name), section(new, name));
            for key in union(&a, &b) {
                let (o, n) = (a.get(key), b.get(key));
                if o == n {
                    continue;
                }
                let change = match (o, n) {
                    (None, _) => Change::Added,
                    (_, None) => Change::Removed,
                    _ => Change::Modified,
                };
                let changes = value_changes(&deltas(o, n), "", |_| (false, false));
                elements.push(ElementDiff { section: name.to_owned(), logical_id: key.clone(), change, changes });
            }
        }
        let mut template = Vec::new();
        if change == Change::Modified {
            let strip = |t: Option<&Json>| {
                let mut m = t.and_then(Json::as_object).cloned().unwrap_or_default();
                m.retain(|k, _| !Section::from_key(k).is_some_and(Section::has_elements));
                Json::Object(m)
            };
            template = value_changes(&deltas(Some(&strip(old)), Some(&strip(new))), "", |_| (false, false));
        }
        if change == Change::Modified && resources.is_empty() && elements.is_empty() && template.is_empty() {
            return None;
        }
        Some(StackDiff {
            stack: id.to_owned(),
            display_name: display.to_owned(),
            change,
            resources,
            elements,
            template,
        })
    }

    /// A resource of this stack, or `None` when it is the same, or left for another place
    /// (its move is listed where it went).
    fn resource(&self, logical_id: &str, old: Option<&Json>, new: Option<&Json>) -> Option<ResourceDiff> {
        let key = |i: Option<usize>| i.map(|i| (i, logical_id.to_owned()));
        if old.is_some() && new.is_none() && key(self.old_index).is_some_and(|k| self.moves.by_source.contains_key(&k))
        {
            return None;
        }
        let moved = key(self.new_index).filter(|_| old.is_none()).and_then(|k| self.moves.by_destination.get(&k));
        let Some(m) = moved.map(|n| &self.moves.moves[*n]) else {
            let mut diff = resource(logical_id, old, new)?;
            let leaving = match diff.change {
                Change::Removed => Some(Leaving::Deleted),
                _ if diff.replacement => Some(Leaving::Replaced),
                _ => None,
            };
            diff.data_loss = leaving.zip(old).and_then(|(l, old)| data_loss(old, l));
            return Some(diff);
        };
        let source = body(self.old, &m.from);
        // Described even when its body is the same: it still moved.
        let mut diff = describe(logical_id, source, new);
        diff.change = Change::Moved;
        if m.unchanged {
            // What differs is only the references that moved with it: nothing to show or replace.
            (diff.replacement, diff.properties, diff.security) = (false, Vec::new(), Vec::new());
        }
        let leaving = if diff.replacement { Leaving::Replaced } else { Leaving::MovedWithoutRefactor };
        diff.data_loss = source.and_then(|s| data_loss(s, leaving));
        diff.hint = Some(move_hint(m, path(self.old, &m.from), path(self.new, &m.to), diff.replacement));
        diff.moved_from = Some(m.from.clone());
        Some(diff)
    }
}

/// The construct path of the resource at `place`, from its manifest.
fn path<'s>(side: &'s Side, place: &super::Place) -> Option<&'s str> {
    side.stacks.get(place.index).and_then(|s| s.paths.get(&place.logical_id)).map(String::as_str)
}

/// What to do about a move: refactor before deploying, or keep the old logical id.
fn move_hint(m: &Move, old: Option<&str>, new: Option<&str>, replacement: bool) -> String {
    if replacement {
        return "it also changes a property CloudFormation can only set on creation, so it is replaced wherever \
                it is: deploy the move (`cloudwright refactor`) and the change apart, or keep the old value"
            .to_owned();
    }
    let refactor = "run `cloudwright refactor OLD NEW` and execute its plan before deploying, or a deploy deletes \
                    it at its old place and creates a new one";
    if m.from.stack_name != m.to.stack_name {
        return format!("moved to another stack: {refactor}");
    }
    let path = |p: Option<&str>| p.map(|p| p.split('/').map(str::to_owned).collect::<Vec<_>>());
    let keep = match (path(old), path(new)) {
        (Some(a), Some(b)) if a.len() == b.len() => {
            let differing: Vec<usize> = (0..a.len()).filter(|i| a[*i] != b[*i]).collect();
            match differing.as_slice() {
                [i] => Some(format!(
                    "keep its logical id with `.node().keep_former_id(\"{}\")` on the construct `{}`",
                    a[*i],
                    b[..=*i].join("/")
                )),
                _ => None,
            }
        }
        _ => None,
    };
    let keep = keep.unwrap_or_else(|| {
        format!("keep its logical id with `override_logical_id(\"{}\")` on its L1", m.from.logical_id)
    });
    format!("renamed: {refactor}; or {keep}")
}

fn value_changes(deltas: &[Delta], prefix: &str, flags: impl Fn(&Delta) -> (bool, bool)) -> Vec<ValueChange> {
    deltas
        .iter()
        .map(|d| {
            let (replaces, security) = flags(d);
            ValueChange {
                path: path_string(prefix, &d.path),
                old: d.old.clone(),
                new: d.new.clone(),
                replaces,
                security,
                lines: d.old.as_ref().zip(d.new.as_ref()).and_then(|(o, n)| super::text::lines(o, n)),
            }
        })
        .collect()
}

/// The values a create-only pointer (`/properties/A/*/B`) selects in `props`.
fn resolve<'a>(value: &'a Json, segs: &[String]) -> Vec<&'a Json> {
    let Some((first, rest)) = segs.split_first() else { return vec![value] };
    match (first.as_str(), value) {
        ("*", Json::Array(items)) => items.iter().flat_map(|v| resolve(v, rest)).collect(),
        ("*", Json::Object(map)) => map.values().flat_map(|v| resolve(v, rest)).collect(),
        (key, Json::Object(map)) => map.get(key).map(|v| resolve(v, rest)).unwrap_or_default(),
        (index, Json::Array(items)) => {
            index.parse::<usize>().ok().and_then(|i| items.get(i)).map(|v| resolve(v, rest)).unwrap_or_default()
        }
        _ => Vec::new(),
    }
}

/// The create-only properties of a type as path segments below `Properties`.
fn create_only(resource_type: &str) -> Vec<Vec<String>> {
    let Some(info) = resource_type_info(resource_type) else { return Vec::new() };
    info.create_only_properties
        .iter()
        .filter_map(|p| p.strip_prefix("/properties/"))
        .map(|p| p.split('/').map(|s| s.replace("~1", "/").replace("~0", "~")).collect())
        .collect()
}

/// Whether a change at `path` (below `Properties`) overlaps the pointer `segs`.
fn overlaps(path: &[Seg], segs: &[String]) -> bool {
    path.iter().zip(segs).all(|(p, s)| match p {
        Seg::Key(k) => s == "*" || s == k,
        Seg::Index(i) => s == "*" || *s == i.to_string(),
    })
}

fn resource(logical_id: &str, old: Option<&Json>, new: Option<&Json>) -> Option<ResourceDiff> {
    (old != new).then(|| describe(logical_id, old, new))
}

/// What differs between the old and new body of a resource (either may be absent).
fn describe(logical_id: &str, old: Option<&Json>, new: Option<&Json>) -> ResourceDiff {
    let type_of = |r: Option<&Json>| r.and_then(|r| r.get("Type")).and_then(Json::as_str).map(str::to_owned);
    let (old_type, new_type) = (type_of(old), type_of(new));
    let props = |r: Option<&Json>| r.map(|r| r.get("Properties").cloned().unwrap_or_else(|| Json::Object(Map::new())));
    let (old_props, new_props) = (props(old), props(new));
    let (old_props, new_props) = (old_props.as_ref(), new_props.as_ref());
    let docs = |t: &Option<String>, p: Option<&Json>| -> Vec<Doc> {
        match (t, p) {
            (Some(t), Some(p)) => policy::documents(t, p),
            _ => Vec::new(),
        }
    };
    let (old_docs, new_docs) = (docs(&old_type, old_props), docs(&new_type, new_props));
    let security = policy::changes(&old_docs, &new_docs);
    let consumed: Vec<&str> = old_docs.iter().chain(&new_docs).map(|d| d.property).filter(|p| !p.is_empty()).collect();
    let resource_type = new_type.clone().or_else(|| old_type.clone()).unwrap_or_default();
    let security_props = policy::security_properties(&resource_type);
    let is_security = |d: &Delta| match d.path.first() {
        Some(Seg::Key(k)) => security_props.contains(&"*") || security_props.contains(&k.as_str()),
        _ => false,
    };
    let shown = |d: &&Delta| !matches!(d.path.first(), Some(Seg::Key(k)) if consumed.contains(&k.as_str()));
    let change = match (old, new) {
        (None, _) => Change::Added,
        (_, None) => Change::Removed,
        _ => Change::Modified,
    };
    let type_changed = change == Change::Modified && old_type != new_type;
    let prop_deltas = deltas(old_props, new_props);
    let mut replacement = type_changed;
    let properties = if change == Change::Modified {
        let pointers = if type_changed { Vec::new() } else { create_only(&resource_type) };
        let replacing: Vec<&Vec<String>> = pointers
            .iter()
            .filter(|segs| {
                let values = |p: Option<&Json>| -> Vec<Json> {
                    p.map(|p| resolve(p, segs).into_iter().cloned().collect()).unwrap_or_default()
                };
                values(old_props) != values(new_props)
            })
            .collect();
        replacement |= !replacing.is_empty();
        let shown_deltas: Vec<Delta> = prop_deltas.iter().filter(shown).cloned().collect();
        let mut properties = value_changes(&shown_deltas, "Properties", |d| {
            (replacing.iter().any(|segs| overlaps(&d.path, segs)), is_security(d))
        });
        let strip = |r: Option<&Json>| {
            let mut m = r.and_then(Json::as_object).cloned().unwrap_or_default();
            m.remove("Type");
            m.remove("Properties");
            Json::Object(m)
        };
        properties.extend(value_changes(&deltas(Some(&strip(old)), Some(&strip(new))), "", |_| (false, false)));
        if properties.is_empty() && security.is_empty() {
            // Only the form of a document changed (statement order, a string become an
            // object): show it as property paths rather than as nothing.
            properties = value_changes(&prop_deltas, "Properties", |d| (false, is_security(d)));
        }
        properties
    } else {
        // An added or removed resource: only what grants access is listed, beside its statements.
        let shown_deltas: Vec<Delta> = prop_deltas.iter().filter(shown).filter(|d| is_security(d)).cloned().collect();
        value_changes(&shown_deltas, "Properties", |_| (false, true))
    };
    ResourceDiff {
        logical_id: logical_id.to_owned(),
        change,
        resource_type,
        old_type: if type_changed { old_type } else { None },
        replacement,
        moved_from: None,
        data_loss: None,
        hint: None,
        properties,
        security,
    }
}

/// `resolve` for the unit tests.
#[cfg(test)]
pub(crate) fn resolve_for_test(value: &Json, segs: &[String]) -> Vec<Json> {
    resolve(value, segs).into_iter().cloned().collect()
}
