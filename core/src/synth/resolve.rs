//! Resolution of references: the marker form [`crate::Expr`] serializes to becomes
//! CloudFormation intrinsics. A reference into another stack of the same environment
//! becomes an export in the producer and `Fn::ImportValue` in the consumer, plus a stack
//! dependency; across environments or stages it is an error.

use std::collections::{BTreeSet, HashMap};

use indexmap::IndexMap;
use serde_json::{Value as Json, json};

use crate::app::ProtonParameters;
use crate::element::Body;
use crate::env::Environment;
use crate::error::Error;
use crate::expr::marker;
use crate::logical_id::{export_name, make_unique_id};
use crate::tree::Arena;

/// An export a producer stack must declare: output logical id -> (value, export name).
pub(crate) type Exports = HashMap<u32, IndexMap<String, (Json, String)>>;

/// What every stack shares while references resolve.
pub(crate) struct Shared<'a> {
    pub arena: &'a Arena,
    pub logical_ids: &'a HashMap<u32, String>,
    pub envs: &'a HashMap<u32, Environment>,
    pub stack_names: &'a HashMap<u32, String>,
    pub exports: Exports,
    pub stack_deps: BTreeSet<(u32, u32)>,
    pub errors: Vec<Error>,
}

/// Resolves values on behalf of one element of one stack.
pub(crate) struct Resolver<'s, 'a> {
    pub shared: &'s mut Shared<'a>,
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

enum Target {
    Ref,
    Att(String),
    Name,
}

impl<'a> Resolver<'_, 'a> {
    fn path(&self) -> String {
        self.shared.arena.path(self.element)
    }

    fn proton_mode(&self) -> &'a ProtonParameters {
        let arena: &'a Arena = self.shared.arena;
        arena.stack(self.stack).map_or(&UNSUPPORTED, |s| &s.proton_parameters)
    }

    /// Replaces every marker inside `value`, in place.
    pub(crate) fn resolve(&mut self, value: &mut Json) {
        match value {
            Json::String(s) if matches!(self.proton_mode(), ProtonParameters::Jinja) && has_jinja_delimiter(s) => {
                *s = escape_jinja(s);
            }
            Json::Object(map) if map.len() == 1 => {
                let Some((key, arg)) = map.iter().next() else { return };
                if key.starts_with("cw::") {
                    let (key, arg) = (key.clone(), arg.clone());
                    *value = self.resolve_marker(&key, &arg);
                } else {
                    map.values_mut().for_each(|v| self.resolve(v));
                }
            }
            Json::Object(map) => map.values_mut().for_each(|v| self.resolve(v)),
            Json::Array(items) => items.iter_mut().for_each(|v| self.resolve(v)),
            _ => {}
        }
    }

    fn resolve_marker(&mut self, key: &str, arg: &Json) -> Json {
        let parts = arg.as_array();
        let num = |i: usize| parts.and_then(|p| p.get(i)).and_then(Json::as_u64).and_then(|n| u32::try_from(n).ok());
        match key {
            marker::PROTON => {
                let parameter = arg.as_str().unwrap_or_default().to_owned();
                match self.proton_mode() {
                    ProtonParameters::Jinja => Json::String(format!("{{{{ {parameter} }}}}")),
                    ProtonParameters::Values(values) => match values.get(&parameter) {
                        Some(v) => v.clone(),
                        None => {
                            self.shared.errors.push(Error::Validation {
                                path: self.path(),
                                message: format!(
                                    "uses the Proton parameter `{parameter}`, which has no value for this stack; \
                                     give it one in the spec (or the environment's outputs)"
                                ),
                            });
                            Json::Null
                        }
                    },
                    ProtonParameters::Unsupported => {
                        self.shared.errors.push(Error::ProtonParameterOutsideProton { path: self.path(), parameter });
                        Json::Null
                    }
                }
            }
            marker::REF | marker::ATT | marker::NAME => {
                let (Some(app), Some(node)) = (num(0), num(1)) else { return Json::Null };
                let target = match key {
                    marker::REF => Target::Ref,
                    marker::ATT => {
                        Target::Att(parts.and_then(|p| p.get(2)).and_then(Json::as_str).unwrap_or_default().to_owned())
                    }
                    _ => Target::Name,
                };
                self.reference(app, node, target)
            }
            _ => Json::Null,
        }
    }

    fn reference(&mut self, app: u32, node: u32, target: Target) -> Json {
        let arena = self.shared.arena;
        if app != arena.app_id || node as usize >= arena.nodes.len() {
            self.shared.errors.push(Error::ForeignReference { consumer: self.path() });
            return Json::Null;
        }
        let producer_path = arena.path(node);
        let kind_ok = matches!(
            (&target, arena.element(node).map(|e| &e.body)),
            (Target::Ref, Some(Body::Resource(_) | Body::Parameter(_)))
                | (Target::Att(_), Some(Body::Resource(_)))
                | (Target::Name, Some(Body::Condition(_) | Body::Mapping(_) | Body::Parameter(_)))
        );
        if !kind_ok {
            self.shared.errors.push(Error::Validation {
                path: self.path(),
                message: format!("refers to {producer_path}, which cannot be referenced this way"),
            });
            return Json::Null;
        }
        let logical_id = self.shared.logical_ids.get(&node).cloned().unwrap_or_default();
        let resolved = match &target {
            Target::Ref => json!({"Ref": logical_id}),
            Target::Att(attr) => json!({"Fn::GetAtt": [logical_id, attr]}),
            Target::Name => Json::String(logical_id),
        };
        let Some(producer) = arena.stack_of(node) else { return resolved };
        if producer == self.stack {
            return resolved;
        }
        if matches!(target, Target::Name) {
            self.shared.errors.push(Error::Validation {
                path: self.path(),
                message: format!(
                    "uses the condition or mapping {producer_path} of another stack; conditions and \
                     mappings only apply within their own stack, so define one in this stack"
                ),
            });
            return Json::Null;
        }
        self.import(producer, &producer_path, resolved)
    }

    fn import(&mut self, producer: u32, producer_path: &str, resolved: Json) -> Json {
        let arena = self.shared.arena;
        if arena.stage_of(producer) != arena.stage_of(self.stack) {
            self.shared
                .errors
                .push(Error::CrossStageReference { consumer: self.path(), producer: producer_path.to_owned() });
            return Json::Null;
        }
        let (consumer_env, producer_env) = (&self.shared.envs[&self.stack], &self.shared.envs[&producer]);
        if consumer_env != producer_env {
            self.shared.errors.push(Error::CrossEnvironmentReference {
                consumer: self.path(),
                producer: producer_path.to_owned(),
                consumer_env: consumer_env.to_string(),
                producer_env: producer_env.to_string(),
            });
            return Json::Null;
        }
        let output_id = format!("Output{resolved}");
        let logical_id = make_unique_id(&["Exports", output_id.as_str()]).unwrap_or_default();
        let name = export_name(&self.shared.stack_names[&producer], &output_id);
        self.shared.exports.entry(producer).or_default().insert(logical_id, (resolved, name.clone()));
        self.shared.stack_deps.insert((self.stack, producer));
        json!({"Fn::ImportValue": name})
    }
}
