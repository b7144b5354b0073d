//! What a resource *is*, whatever its logical id or stack: a digest of its type and
//! properties in which every reference to another resource of the app (`Ref`,
//! `Fn::GetAtt`, `${X}` in `Fn::Sub`, an `Fn::ImportValue` or `Fn::GetStackOutput` of an
//! output of the side) stands for that resource's own digest. Two resources with the same
//! digest are the same resource moved, as the AWS CDK's `cdk refactor` decides
//! (aws-cdk `toolkit-lib/lib/api/refactoring/digest.ts`). `DependsOn` and `Metadata`
//! (the construct path) do not count: they change with a move and deploy nothing.
//!
//! Digests are computed in dependency order without recursion, so a long chain of
//! references cannot overflow the stack; a resource in a reference cycle (which
//! CloudFormation refuses anyway) is digested with its cycle's ids as written.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value as Json};
use sha2::{Digest as _, Sha256};

use super::Side;

/// A resource of a side: (index of its stack in `Side::stacks`, logical id).
pub(crate) type Key = (usize, String);

/// The digest of every resource of a side.
#[derive(Debug, Clone, Default)]
pub(crate) struct Digests(HashMap<Key, String>);

impl Digests {
    /// The digests of `side`'s resources.
    pub(crate) fn of(side: &Side) -> Digests {
        let index = Index::new(side);
        let mut edges: BTreeMap<Key, Vec<Key>> = BTreeMap::new();
        for (s, stack) in side.stacks.iter().enumerate() {
            for (id, resource) in resources(&stack.template) {
                let mut to = Vec::new();
                index.references(s, resource.get("Properties").unwrap_or(&Json::Null), &mut to);
                edges.insert((s, id.clone()), to);
            }
        }
        let mut digests = Digests(HashMap::new());
        for key in order(&edges) {
            let (s, id) = &key;
            let resource = side.stacks[*s].template["Resources"].get(id).unwrap_or(&Json::Null);
            let properties = resource.get("Properties").map(|p| index.canonical(*s, p, &digests));
            let body = serde_json::json!({"Type": resource.get("Type"), "Properties": properties});
            digests.0.insert(key, format!("{:x}", Sha256::digest(body.to_string().as_bytes())));
        }
        digests
    }

    /// The digest of a resource.
    pub(crate) fn get(&self, stack: usize, id: &str) -> Option<&str> {
        self.0.get(&(stack, id.to_owned())).map(String::as_str)
    }
}

/// The resources of a template, by logical id.
pub(crate) fn resources(template: &Json) -> impl Iterator<Item = (&String, &Json)> {
    template.get("Resources").and_then(Json::as_object).into_iter().flatten()
}

/// Keys with what they reference first (Kahn's algorithm); those left in cycles last, in
/// key order.
fn order(edges: &BTreeMap<Key, Vec<Key>>) -> Vec<Key> {
    let mut pending: BTreeMap<&Key, usize> =
        edges.iter().map(|(k, to)| (k, to.iter().filter(|t| edges.contains_key(*t)).count())).collect();
    let mut users: HashMap<&Key, Vec<&Key>> = HashMap::new();
    for (k, to) in edges {
        for t in to.iter().filter(|t| edges.contains_key(*t)) {
            users.entry(t).or_default().push(k);
        }
    }
    let mut ready: Vec<&Key> = pending.iter().filter(|(_, n)| **n == 0).map(|(k, _)| *k).collect();
    ready.reverse();
    let mut out = Vec::with_capacity(edges.len());
    while let Some(k) = ready.pop() {
        out.push(k.clone());
        for u in users.get(k).into_iter().flatten() {
            if let Some(n) = pending.get_mut(u) {
                *n -= 1;
                if *n == 0 {
                    ready.push(u);
                }
            }
        }
        pending.remove(k);
    }
    let left: Vec<Key> = pending.into_iter().filter(|(_, n)| *n > 0).map(|(k, _)| k.clone()).collect();
    out.extend(left);
    out
}

/// Where the side's names lead: resources by stack, exports and outputs to their values.
struct Index<'a> {
    side: &'a Side,
    /// Export name -> (stack, the output's value).
    exports: HashMap<&'a str, (usize, &'a Json)>,
    /// (stack name, output id) -> (stack, the output's value).
    outputs: HashMap<(&'a str, &'a str), (usize, &'a Json)>,
}

impl<'a> Index<'a> {
    fn new(side: &'a Side) -> Self {
        let mut exports = HashMap::new();
        let mut outputs = HashMap::new();
        for (s, stack) in side.stacks.iter().enumerate() {
            for (id, output) in stack.template.get("Outputs").and_then(Json::as_object).into_iter().flatten() {
                let Some(value) = output.get("Value") else { continue };
                outputs.insert((stack.name(), id.as_str()), (s, value));
                if let Some(name) = output.get("Export").and_then(|e| e.get("Name")).and_then(Json::as_str) {
                    exports.insert(name, (s, value));
                }
            }
        }
        Index { side, exports, outputs }
    }

    fn is_resource(&self, stack: usize, id: &str) -> bool {
        self.side.stacks[stack].template.get("Resources").and_then(|r| r.get(id)).is_some()
    }

    /// The output an `Fn::ImportValue` or `Fn::GetStackOutput` names, when the side has it.
    fn output(&self, function: &str, argument: &Json) -> Option<(usize, &'a Json)> {
        match function {
            "Fn::ImportValue" => self.exports.get(argument.as_str()?).copied(),
            "Fn::GetStackOutput" => {
                let stack = argument.get("StackName")?.as_str()?;
                let output = argument.get("OutputName")?.as_str()?;
                self.outputs.get(&(stack, output)).copied()
            }
            _ => None,
        }
    }

    /// The resources `value` (of stack `stack`) references, through outputs too.
    fn references(&self, stack: usize, value: &Json, out: &mut Vec<Key>) {
        match value {
            Json::Array(items) => items.iter().for_each(|v| self.references(stack, v, out)),
            Json::Object(map) if map.len() == 1 => {
                let (k, v) = map.iter().next().map_or(("", &Json::Null), |(k, v)| (k.as_str(), v));
                if let Some(target) = self.target(stack, k, v) {
                    out.push((stack, target.to_owned()));
                } else if let Some((s, value)) = self.output(k, v) {
                    // Only the resources an output names directly: outputs importing other
                    // outputs could lead round in a circle.
                    let mut inner = Vec::new();
                    self.direct(s, value, &mut inner);
                    out.extend(inner);
                } else if k == "Fn::Sub" {
                    let (text, vars) = sub_parts(v);
                    for name in sub_names(text) {
                        let id = name.split('.').next().unwrap_or(name);
                        if !vars.is_some_and(|m| m.contains_key(id)) && self.is_resource(stack, id) {
                            out.push((stack, id.to_owned()));
                        }
                    }
                    self.references(stack, v, out);
                } else {
                    self.references(stack, v, out);
                }
            }
            Json::Object(map) => map.values().for_each(|v| self.references(stack, v, out)),
            _ => {}
        }
    }

    /// The resources `value` names with `Ref` and `Fn::GetAtt`, not following outputs.
    fn direct(&self, stack: usize, value: &Json, out: &mut Vec<Key>) {
        match value {
            Json::Array(items) => items.iter().for_each(|v| self.direct(stack, v, out)),
            Json::Object(map) => {
                for (k, v) in map {
                    match self.target(stack, k, v) {
                        Some(id) => out.push((stack, id.to_owned())),
                        None => self.direct(stack, v, out),
                    }
                }
            }
            _ => {}
        }
    }

    /// The resource of `stack` a `Ref` or `Fn::GetAtt` names.
    fn target<'v>(&self, stack: usize, function: &str, argument: &'v Json) -> Option<&'v str> {
        let id = match (function, argument) {
            ("Ref", Json::String(id)) => id.as_str(),
            ("Fn::GetAtt", Json::Array(parts)) => parts.first()?.as_str()?,
            ("Fn::GetAtt", Json::String(dotted)) => dotted.split('.').next()?,
            _ => return None,
        };
        self.is_resource(stack, id).then_some(id)
    }

    /// `value` with every reference to a resource replaced by that resource's digest.
    fn canonical(&self, stack: usize, value: &Json, digests: &Digests) -> Json {
        self.canonical_within(stack, value, digests, true)
    }

    /// `canonical`, following outputs only when `follow` (once: an output's value is not
    /// followed further, so outputs importing each other cannot loop).
    fn canonical_within(&self, stack: usize, value: &Json, digests: &Digests, follow: bool) -> Json {
        let digest_of = |s: usize, id: &str| -> String {
            digests.get(s, id).map_or_else(|| format!("cycle:{id}"), |d| format!("digest:{d}"))
        };
        match value {
            Json::Array(items) => {
                Json::Array(items.iter().map(|v| self.canonical_within(stack, v, digests, follow)).collect())
            }
            Json::Object(map) if map.len() == 1 => {
                let (k, v) = map.iter().next().map_or(("", &Json::Null), |(k, v)| (k.as_str(), v));
                if let Some(id) = self.target(stack, k, v) {
                    let attribute = match v {
                        Json::Array(parts) => parts.get(1).cloned().unwrap_or(Json::Null),
                        Json::String(dotted) => {
                            dotted.split_once('.').map_or(Json::Null, |(_, a)| Json::String(a.to_owned()))
                        }
                        _ => Json::Null,
                    };
                    return single(k, serde_json::json!([digest_of(stack, id), attribute]));
                }
                if let Some((s, output)) = self.output(k, v).filter(|_| follow) {
                    // A value imported from the stack it moved out of, or referenced directly
                    // now that both are in one stack: the same value.
                    return self.canonical_within(s, output, digests, false);
                }
                if k == "Fn::Sub" {
                    let (text, vars) = sub_parts(v);
                    let mut rewritten = text.to_owned();
                    for name in sub_names(text) {
                        let id = name.split('.').next().unwrap_or(name);
                        if !vars.is_some_and(|m| m.contains_key(id)) && self.is_resource(stack, id) {
                            let attr = name.strip_prefix(id).unwrap_or("");
                            rewritten = rewritten
                                .replace(&format!("${{{name}}}"), &format!("${{{}{attr}}}", digest_of(stack, id)));
                        }
                    }
                    let vars = vars.map(|m| {
                        Json::Object(
                            m.iter()
                                .map(|(k, v)| (k.clone(), self.canonical_within(stack, v, digests, follow)))
                                .collect(),
                        )
                    });
                    let body = match vars {
                        Some(vars) => serde_json::json!([rewritten, vars]),
                        None => Json::String(rewritten),
                    };
                    return single(k, body);
                }
                single(k, self.canonical_within(stack, v, digests, follow))
            }
            Json::Object(map) => Json::Object(
                map.iter().map(|(k, v)| (k.clone(), self.canonical_within(stack, v, digests, follow))).collect(),
            ),
            other => other.clone(),
        }
    }
}

fn single(key: &str, value: Json) -> Json {
    let mut map = Map::new();
    map.insert(key.to_owned(), value);
    Json::Object(map)
}

/// The template string and variables of an `Fn::Sub`.
fn sub_parts(argument: &Json) -> (&str, Option<&Map<String, Json>>) {
    match argument {
        Json::String(text) => (text, None),
        Json::Array(parts) => {
            (parts.first().and_then(Json::as_str).unwrap_or(""), parts.get(1).and_then(Json::as_object))
        }
        _ => ("", None),
    }
}

/// The names in `${...}` of an `Fn::Sub` string (`${!Literal}` is no name).
pub(crate) fn sub_names(text: &str) -> impl Iterator<Item = &str> {
    text.split("${")
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .filter(|name| !name.starts_with('!') && !name.is_empty())
}
