//! Resolution of references: the marker form [`crate::Expr`] serializes to becomes
//! CloudFormation intrinsics. A reference into another stack of the same environment
//! becomes an export in the producer and `Fn::ImportValue` in the consumer, plus a stack
//! dependency; across environments or stages it is an error.
//!
//! Synthesis resolves twice: once to learn what resolution records (exports, stack
//! dependencies, errors) before anything is written, and once while serializing, through
//! [`Resolved`], so no resolved copy of the properties is ever built.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};

use indexmap::IndexMap;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Value as Json, json};

use crate::app::ProtonParameters;
use crate::element::Body;
use crate::env::Environment;
use crate::error::Error;
use crate::expr::{ElementRef, marker};
use crate::logical_id::{export_name, make_unique_id};
use crate::stored::{Object, ReferenceKind, Stored};
use crate::tree::Nodes;

/// An export a producer stack must declare: output logical id -> (value, export name).
pub(crate) type Exports = HashMap<u32, IndexMap<String, (Json, String)>>;

/// Every element's logical id, by node index.
#[derive(Default)]
pub(crate) struct LogicalIds(Vec<Option<Box<str>>>);

impl LogicalIds {
    pub(crate) fn with_nodes(nodes: usize) -> Self {
        LogicalIds(vec![None; nodes])
    }

    pub(crate) fn insert(&mut self, node: u32, id: String) {
        if let Some(slot) = self.0.get_mut(node as usize) {
            *slot = Some(id.into_boxed_str());
        }
    }

    /// The node's logical id (`""` for a node that is no element).
    pub(crate) fn get(&self, node: u32) -> &str {
        self.0.get(node as usize).and_then(Option::as_deref).unwrap_or_default()
    }

    pub(crate) fn is_element(&self, node: u32) -> bool {
        self.0.get(node as usize).is_some_and(Option::is_some)
    }
}

/// What every stack shares while references resolve. What resolution finds is recorded
/// through shared references, so a resolver can be handed to a serializer, on any thread.
pub(crate) struct Shared<'a> {
    pub arena: &'a Nodes,
    pub logical_ids: &'a LogicalIds,
    pub envs: &'a HashMap<u32, Environment>,
    pub stack_names: &'a HashMap<u32, String>,
    pub exports: Mutex<Exports>,
    pub stack_deps: Mutex<BTreeSet<(u32, u32)>>,
    pub errors: Mutex<Vec<Error>>,
}

/// The value behind a lock; a thread that panicked holding it changed nothing that matters
/// here (every write is one insert), so a poisoned lock is used as it is.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Resolves values on behalf of one element of one stack.
#[derive(Clone, Copy)]
pub(crate) struct Resolver<'a> {
    pub shared: &'a Shared<'a>,
    pub stack: u32,
    pub element: u32,
}

static UNSUPPORTED: ProtonParameters = ProtonParameters::Unsupported;

fn has_jinja_delimiter(s: &str) -> bool {
    s.contains("{{") || s.contains("{%") || s.contains("{#")
}

/// Escapes a literal string so Jinja renders it unchanged: every `{{`, `{%` and `{#`
/// becomes a Jinja expression printing it.
pub(crate) fn escape_jinja(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s;
    while let Some(i) = rest.find(['{']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        match tail.get(..2) {
            Some(open @ ("{{" | "{%" | "{#")) => {
                out.push_str(&format!("{{{{ '{open}' }}}}"));
                rest = &tail[2..];
            }
            _ => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

enum Target<'v> {
    Ref,
    Att(&'v str),
    Name,
}

/// A marker, read from either JSON form.
enum Marker<'v> {
    Proton(&'v str),
    Reference {
        app: u32,
        node: u32,
        target: Target<'v>,
    },
    /// A malformed marker, or one this version does not know: resolves to null.
    Unknown,
}

/// One element of a marker's argument array.
enum Part<'v> {
    Number(u64),
    Text(&'v str),
}

impl<'v> Marker<'v> {
    fn read(key: &str, text: Option<&'v str>, part: impl Fn(usize) -> Option<Part<'v>>) -> Self {
        let num = |i: usize| match part(i) {
            Some(Part::Number(n)) => u32::try_from(n).ok(),
            _ => None,
        };
        let target = match key {
            marker::PROTON => return text.map_or(Marker::Unknown, Marker::Proton),
            marker::REF => Target::Ref,
            marker::ATT => match part(2) {
                Some(Part::Text(attr)) => Target::Att(attr),
                _ => Target::Att(""),
            },
            marker::NAME => Target::Name,
            _ => return Marker::Unknown,
        };
        match (num(0), num(1)) {
            (Some(app), Some(node)) => Marker::Reference { app, node, target },
            _ => Marker::Unknown,
        }
    }

    fn from_json(key: &str, arg: &'v Json) -> Self {
        let part = |i: usize| match arg.as_array()?.get(i)? {
            Json::Number(n) => n.as_u64().map(Part::Number),
            Json::String(s) => Some(Part::Text(s)),
            _ => None,
        };
        Marker::read(key, arg.as_str(), part)
    }

    fn from_stored(key: &str, arg: &'v Stored) -> Self {
        let part = |i: usize| match arg {
            Stored::Array(items) => match items.get(i)? {
                Stored::Number(n) => n.as_u64().map(Part::Number),
                text => text.as_str().map(Part::Text),
            },
            _ => None,
        };
        let text = arg.as_str();
        Marker::read(key, text, part)
    }
}

/// What a marker resolves to; a reference within the stack serializes without allocating.
pub(crate) enum Resolution<'r> {
    Ref(&'r str),
    Att(&'r str, &'r str),
    Name(&'r str),
    Json(Json),
}

impl Resolution<'_> {
    fn into_json(self) -> Json {
        match self {
            Resolution::Ref(id) => json!({"Ref": id}),
            Resolution::Att(id, attr) => json!({"Fn::GetAtt": [id, attr]}),
            Resolution::Name(id) => Json::String(id.to_owned()),
            Resolution::Json(v) => v,
        }
    }
}

impl Serialize for Resolution<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Resolution::Ref(id) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("Ref", id)?;
                map.end()
            }
            Resolution::Att(id, attr) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("Fn::GetAtt", &[id, attr])?;
                map.end()
            }
            Resolution::Name(id) => s.serialize_str(id),
            Resolution::Json(v) => v.serialize(s),
        }
    }
}

/// The marker a stored value is, if it is one (a reference, or a one-entry object keyed
/// `cw::...`).
fn stored_marker(value: &Stored) -> Option<Marker<'_>> {
    if let Stored::Reference(kind, r) = value {
        return Some(reference_marker(*kind, *r));
    }
    let (key, arg) = value.single_entry()?;
    key.starts_with("cw::").then(|| Marker::from_stored(key, arg))
}

/// The marker a [`Stored::Reference`] stands for.
fn reference_marker(kind: ReferenceKind, r: ElementRef) -> Marker<'static> {
    let target = match kind {
        ReferenceKind::Ref => Target::Ref,
        ReferenceKind::Name => Target::Name,
    };
    Marker::Reference { app: r.app, node: r.node, target }
}

impl<'a> Resolver<'a> {
    fn path(&self) -> String {
        self.shared.arena.path(self.element)
    }

    fn error(&self, error: Error) -> Resolution<'static> {
        lock(&self.shared.errors).push(error);
        Resolution::Json(Json::Null)
    }

    /// Whether strings are escaped for Jinja (a Proton template's infrastructure).
    fn jinja(&self) -> bool {
        matches!(self.proton_mode(), ProtonParameters::Jinja)
    }

    fn proton_mode(&self) -> &'a ProtonParameters {
        let arena: &'a Nodes = self.shared.arena;
        arena.stack(self.stack).map_or(&UNSUPPORTED, |s| &s.proton_parameters)
    }

    /// Replaces every marker inside `value`, in place.
    pub(crate) fn resolve(&self, value: &mut Json) {
        match value {
            Json::String(s) if self.jinja() && has_jinja_delimiter(s) => {
                *s = escape_jinja(s);
            }
            Json::Object(map) if map.len() == 1 => {
                let Some((key, arg)) = map.iter().next() else { return };
                if key.starts_with("cw::") {
                    let resolved = self.resolve_marker(Marker::from_json(key, arg)).into_json();
                    *value = resolved;
                } else {
                    map.values_mut().for_each(|v| self.resolve(v));
                }
            }
            Json::Object(map) => map.values_mut().for_each(|v| self.resolve(v)),
            Json::Array(items) => items.iter_mut().for_each(|v| self.resolve(v)),
            _ => {}
        }
    }

    /// Resolves every marker inside `value` for what resolution records (exports, stack
    /// dependencies, errors), building nothing.
    pub(crate) fn scan(&self, value: &Stored) {
        match value {
            Stored::Object(o) => match stored_marker(value) {
                Some(m) => {
                    self.resolve_marker(m);
                }
                None => o.iter().for_each(|(_, v)| self.scan(v)),
            },
            Stored::Reference(kind, r) => {
                self.resolve_marker(reference_marker(*kind, *r));
            }
            Stored::Array(items) => items.iter().for_each(|v| self.scan(v)),
            _ => {}
        }
    }

    fn resolve_marker<'v>(&self, marker: Marker<'v>) -> Resolution<'v>
    where
        'a: 'v,
    {
        match marker {
            Marker::Proton(parameter) => match self.proton_mode() {
                ProtonParameters::Jinja => Resolution::Json(Json::String(format!("{{{{ {parameter} }}}}"))),
                ProtonParameters::Values(values) => match values.get(parameter) {
                    Some(v) => Resolution::Json(v.clone()),
                    None => self.error(Error::Validation {
                        path: self.path(),
                        message: format!(
                            "uses the Proton parameter `{parameter}`, which has no value for this stack; \
                             give it one in the spec (or the environment's outputs)"
                        ),
                    }),
                },
                ProtonParameters::Unsupported => self
                    .error(Error::ProtonParameterOutsideProton { path: self.path(), parameter: parameter.to_owned() }),
            },
            Marker::Reference { app, node, target } => self.reference(app, node, target),
            Marker::Unknown => Resolution::Json(Json::Null),
        }
    }

    fn reference<'v>(&self, app: u32, node: u32, target: Target<'v>) -> Resolution<'v>
    where
        'a: 'v,
    {
        let arena = self.shared.arena;
        if app != arena.app_id || node as usize >= arena.nodes.len() {
            return self.error(Error::ForeignReference { consumer: self.path() });
        }
        let kind_ok = matches!(
            (&target, arena.element(node).map(|e| &e.body)),
            (Target::Ref, Some(Body::Resource(_) | Body::Parameter(_)))
                | (Target::Att(_), Some(Body::Resource(_)))
                | (Target::Name, Some(_))
        );
        if !kind_ok {
            return self.error(Error::Validation {
                path: self.path(),
                message: format!("refers to {}, which cannot be referenced this way", arena.path(node)),
            });
        }
        let logical_id = self.shared.logical_ids.get(node);
        let resolved = match target {
            Target::Ref => Resolution::Ref(logical_id),
            Target::Att(attr) => Resolution::Att(logical_id, attr),
            Target::Name => Resolution::Name(logical_id),
        };
        let Some(producer) = arena.stack_of(node) else { return resolved };
        if producer == self.stack {
            return resolved;
        }
        if matches!(resolved, Resolution::Name(_)) {
            return self.error(Error::Validation {
                path: self.path(),
                message: format!(
                    "uses the logical id of {}, an element of another stack; conditions, mappings \
                     and logical ids only apply within their own stack, so define one in this stack",
                    arena.path(node)
                ),
            });
        }
        self.import(producer, node, resolved.into_json())
    }

    fn import(&self, producer: u32, node: u32, resolved: Json) -> Resolution<'static> {
        let arena = self.shared.arena;
        if arena.stage_of(producer) != arena.stage_of(self.stack) {
            return self.error(Error::CrossStageReference { consumer: self.path(), producer: arena.path(node) });
        }
        let (consumer_env, producer_env) = (&self.shared.envs[&self.stack], &self.shared.envs[&producer]);
        if consumer_env != producer_env {
            return self.error(Error::CrossEnvironmentReference {
                consumer: self.path(),
                producer: arena.path(node),
                consumer_env: consumer_env.to_string(),
                producer_env: producer_env.to_string(),
            });
        }
        let output_id = format!("Output{resolved}");
        let logical_id = make_unique_id(&["Exports", output_id.as_str()]).unwrap_or_default();
        let name = export_name(&self.shared.stack_names[&producer], &output_id);
        lock(&self.shared.exports).entry(producer).or_default().insert(logical_id, (resolved, name.clone()));
        lock(&self.shared.stack_deps).insert((self.stack, producer));
        Resolution::Json(json!({"Fn::ImportValue": name}))
    }
}

/// A stored value serialized with its references resolved, without building a copy.
pub(crate) struct Resolved<'v, 'a, T: ?Sized> {
    pub value: &'v T,
    pub resolver: Resolver<'a>,
}

impl Serialize for Resolved<'_, '_, Stored> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.resolver;
        match self.value {
            Stored::Short(_) | Stored::String(_) if r.jinja() => {
                let text = self.value.as_str().unwrap_or_default();
                if has_jinja_delimiter(text) { s.serialize_str(&escape_jinja(text)) } else { s.serialize_str(text) }
            }
            Stored::Reference(kind, element) => r.resolve_marker(reference_marker(*kind, *element)).serialize(s),
            Stored::Object(o) => match stored_marker(self.value) {
                Some(m) => r.resolve_marker(m).serialize(s),
                None => Resolved { value: o, resolver: r }.serialize(s),
            },
            Stored::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items.iter() {
                    seq.serialize_element(&Resolved { value: item, resolver: r })?;
                }
                seq.end()
            }
            plain => plain.serialize(s),
        }
    }
}

impl Serialize for Resolved<'_, '_, Object> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.value.len()))?;
        for (k, v) in self.value.iter() {
            map.serialize_entry(k, &Resolved { value: v, resolver: self.resolver })?;
        }
        map.end()
    }
}
