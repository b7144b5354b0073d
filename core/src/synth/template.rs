//! One stack's template. [`scan`] resolves an element's references for what resolution
//! records (exports, stack dependencies, errors); [`Template`] then serializes the stack
//! straight from the tree, resolving as it writes.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value as Json, json};

use crate::element::{Body, Element, ResourceBody};
use crate::expr::marker;
use crate::tree::StackData;

use super::resolve::{Resolved, Resolver, Shared, lock};

/// The sections of a template, in the order they are written.
pub(crate) const SECTIONS: [&str; 6] = ["Parameters", "Mappings", "Conditions", "Rules", "Resources", "Outputs"];

/// Resolves the references of one element, keeping only what resolution records.
pub(crate) fn scan(r: Resolver<'_>, element: &Element) {
    let Body::Resource(res) = &element.body else {
        other_element(r, element);
        return;
    };
    res.properties.iter().chain(res.metadata.iter()).for_each(|(_, v)| r.scan(v));
    let arena = r.shared.arena;
    for d in &res.depends_on {
        match arena.stack_of(*d) {
            Some(other) if other != r.stack => {
                lock(&r.shared.stack_deps).insert((r.stack, other));
            }
            _ => {}
        }
    }
    if let Some(c) = res.condition {
        condition_name(r, c);
    }
    for policy in [res.creation_policy(), res.update_policy()].into_iter().flatten() {
        resolve_with(r, policy.clone());
    }
}

/// A stack's template, serialized from the tree.
pub(crate) struct Template<'a> {
    pub shared: &'a Shared<'a>,
    pub stack: u32,
    pub data: &'a StackData,
    /// The stack's elements, in tree order.
    pub elements: &'a [u32],
    /// Outputs exporting values to other stacks, by logical id.
    pub exports: &'a [(String, (Json, String))],
    /// The bootstrap qualifier, when the CDK's bootstrap version check is added.
    pub bootstrap_qualifier: Option<&'a str>,
}

impl Template<'_> {
    /// Entries written after the section's elements: the bootstrap check and exports.
    fn extras(&self, section: &str) -> Vec<(&'static str, Json)> {
        match (section, self.bootstrap_qualifier) {
            ("Parameters", Some(qualifier)) => vec![(
                "BootstrapVersion",
                json!({
                    "Type": "AWS::SSM::Parameter::Value<String>",
                    "Default": format!("/cdk-bootstrap/{qualifier}/version"),
                    "Description": "Version of the CDK Bootstrap resources in this environment, automatically retrieved from SSM Parameter Store. [cdk:skip]"
                }),
            )],
            ("Rules", Some(_)) => vec![(
                "CheckBootstrapVersion",
                json!({"Assertions": [{
                    "Assert": {"Fn::Not": [{"Fn::Contains": [["1", "2", "3", "4", "5"], {"Ref": "BootstrapVersion"}]}]},
                    "AssertDescription": "CDK bootstrap stack version 6 required. Please run 'cdk bootstrap' with a recent version of the CDK CLI."
                }]}),
            )],
            _ => Vec::new(),
        }
    }
}

impl Serialize for Template<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let arena = self.shared.arena;
        let mut map = s.serialize_map(None)?;
        if let Some(v) = &self.data.template_format_version {
            map.serialize_entry("AWSTemplateFormatVersion", v)?;
        }
        if let Some(d) = &self.data.description {
            let r = Resolver { shared: self.shared, stack: self.stack, element: self.stack };
            map.serialize_entry("Description", &text(r, d))?;
        }
        match self.data.transforms.as_slice() {
            [] => {}
            [one] => map.serialize_entry("Transform", one)?,
            many => map.serialize_entry("Transform", many)?,
        }
        for name in SECTIONS {
            let members: Vec<(u32, &Element)> = self
                .elements
                .iter()
                .filter_map(|i| arena.element(*i).map(|e| (*i, e)))
                .filter(|(_, e)| e.section() == name)
                .collect();
            let extras = self.extras(name);
            let exports = if name == "Outputs" { self.exports } else { &[] };
            if members.is_empty() && extras.is_empty() && exports.is_empty() {
                continue;
            }
            map.serialize_entry(name, &Section { template: self, members, extras, exports })?;
        }
        map.end()
    }
}

struct Section<'a> {
    template: &'a Template<'a>,
    members: Vec<(u32, &'a Element)>,
    extras: Vec<(&'static str, Json)>,
    exports: &'a [(String, (Json, String))],
}

impl Serialize for Section<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let t = self.template;
        let mut map = s.serialize_map(None)?;
        for (index, element) in &self.members {
            let r = Resolver { shared: t.shared, stack: t.stack, element: *index };
            let logical_id = t.shared.logical_ids.get(*index);
            match &element.body {
                Body::Resource(res) => map.serialize_entry(logical_id, &ResourceView { r, res })?,
                _ => map.serialize_entry(logical_id, &other_element(r, element))?,
            }
        }
        for (logical_id, value) in &self.extras {
            map.serialize_entry(logical_id, value)?;
        }
        for (logical_id, (value, name)) in self.exports {
            map.serialize_entry(logical_id, &json!({"Value": value, "Export": {"Name": name}}))?;
        }
        map.end()
    }
}

/// A resource, its properties resolved as they are written.
struct ResourceView<'a> {
    r: Resolver<'a>,
    res: &'a ResourceBody,
}

impl Serialize for ResourceView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (r, res) = (self.r, self.res);
        let arena = r.shared.arena;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("Type", &res.resource_type)?;
        if !res.properties.is_empty() {
            map.serialize_entry("Properties", &Resolved { value: &res.properties, resolver: r })?;
        }
        let same_stack: Vec<&str> = res
            .depends_on
            .iter()
            .filter(|d| arena.stack_of(**d) == Some(r.stack))
            .map(|d| r.shared.logical_ids.get(*d))
            .collect();
        if !same_stack.is_empty() {
            map.serialize_entry("DependsOn", &same_stack)?;
        }
        if let Some(c) = res.condition {
            map.serialize_entry("Condition", &condition_name(r, c))?;
        }
        if let Some(p) = res.creation_policy() {
            map.serialize_entry("CreationPolicy", &resolve_with(r, p.clone()))?;
        }
        if let Some(p) = res.update_policy() {
            map.serialize_entry("UpdatePolicy", &resolve_with(r, p.clone()))?;
        }
        if let Some(p) = res.update_replace_policy {
            map.serialize_entry("UpdateReplacePolicy", p.as_str())?;
        }
        if let Some(p) = res.deletion_policy {
            map.serialize_entry("DeletionPolicy", p.as_str())?;
        }
        if !res.metadata.is_empty() {
            map.serialize_entry("Metadata", &Resolved { value: &res.metadata, resolver: r })?;
        }
        map.end()
    }
}

/// Any element but a resource, rendered and resolved (they are few and small).
fn other_element(r: Resolver<'_>, element: &Element) -> Json {
    match &element.body {
        Body::Resource(_) => Json::Null,
        Body::Parameter(p) => resolve_with(r, Json::Object((**p).clone())),
        Body::Output(o) => {
            let mut out = Map::new();
            if let Some(d) = &o.description {
                out.insert("Description".into(), text(r, d));
            }
            out.insert("Value".into(), resolve_with(r, o.value.to_json()));
            if let Some(name) = &o.export_name {
                out.insert("Export".into(), json!({"Name": resolve_with(r, name.to_json())}));
            }
            if let Some(c) = o.condition {
                out.insert("Condition".into(), condition_name(r, c));
            }
            Json::Object(out)
        }
        Body::Condition(c) => resolve_with(r, c.to_json()),
        Body::Mapping(m) => resolve_with(r, json!(m)),
        Body::Rule(rule) => {
            let mut out = Map::new();
            if let Some(c) = &rule.rule_condition {
                out.insert("RuleCondition".into(), resolve_with(r, c.to_json()));
            }
            let assertions: Vec<Json> = rule
                .assertions
                .iter()
                .map(|(c, d)| {
                    let mut a = Map::new();
                    a.insert("Assert".into(), resolve_with(r, c.to_json()));
                    if let Some(d) = d {
                        a.insert("AssertDescription".into(), text(r, d));
                    }
                    Json::Object(a)
                })
                .collect();
            out.insert("Assertions".into(), Json::Array(assertions));
            Json::Object(out)
        }
    }
}

/// A literal string of the template: escaped when the template is a Proton (Jinja) one,
/// as every literal string of its resources is.
fn text(r: Resolver<'_>, s: &str) -> Json {
    resolve_with(r, Json::from(s))
}

fn resolve_with(r: Resolver<'_>, mut v: Json) -> Json {
    r.resolve(&mut v);
    v
}

fn condition_name(r: Resolver<'_>, condition: u32) -> Json {
    let app = r.shared.arena.app_id;
    resolve_with(r, json!({ marker::NAME: [app, condition] }))
}
