//! Rendering one stack's elements into a CloudFormation template (JSON object).

use serde_json::{Map, Value as Json, json};

use crate::element::{Body, Element};
use crate::expr::marker;
use crate::tree::StackData;

use super::resolve::Resolver;

/// The sections of a template, in the order they are written.
pub(crate) const SECTIONS: [&str; 6] = ["Parameters", "Mappings", "Conditions", "Rules", "Resources", "Outputs"];

/// The template of one stack, built section by section.
pub(crate) struct TemplateBuilder {
    sections: Vec<(&'static str, Map<String, Json>)>,
    pub resource_count: usize,
}

impl TemplateBuilder {
    pub(crate) fn new() -> Self {
        TemplateBuilder { sections: SECTIONS.iter().map(|s| (*s, Map::new())).collect(), resource_count: 0 }
    }

    fn section(&mut self, name: &str) -> &mut Map<String, Json> {
        let i = SECTIONS.iter().position(|s| *s == name).unwrap_or(0);
        &mut self.sections[i].1
    }

    /// Adds one element, resolving its references.
    pub(crate) fn add(&mut self, r: &mut Resolver<'_, '_>, logical_id: &str, element: &Element) {
        let arena = r.shared.arena;
        let rendered = match &element.body {
            Body::Resource(res) => {
                self.resource_count += 1;
                let mut out = Map::new();
                out.insert("Type".into(), json!(res.resource_type));
                if !res.properties.is_empty() {
                    out.insert("Properties".into(), resolve_with(r, Json::Object(res.properties.clone())));
                }
                let same_stack: Vec<Json> = res
                    .depends_on
                    .iter()
                    .filter_map(|d| {
                        if arena.stack_of(*d) == Some(r.stack) {
                            Some(Json::String(r.shared.logical_ids.get(d).cloned().unwrap_or_default()))
                        } else {
                            arena.stack_of(*d).map(|other| r.shared.stack_deps.insert((r.stack, other)));
                            None
                        }
                    })
                    .collect();
                if !same_stack.is_empty() {
                    out.insert("DependsOn".into(), Json::Array(same_stack));
                }
                if let Some(c) = res.condition {
                    out.insert("Condition".into(), condition_name(r, c));
                }
                if let Some(p) = &res.creation_policy {
                    let p = resolve_with(r, p.clone());
                    out.insert("CreationPolicy".into(), p);
                }
                if let Some(p) = &res.update_policy {
                    let p = resolve_with(r, p.clone());
                    out.insert("UpdatePolicy".into(), p);
                }
                if let Some(p) = res.update_replace_policy {
                    out.insert("UpdateReplacePolicy".into(), json!(p.as_str()));
                }
                if let Some(p) = res.deletion_policy {
                    out.insert("DeletionPolicy".into(), json!(p.as_str()));
                }
                if !res.metadata.is_empty() {
                    out.insert("Metadata".into(), Json::Object(res.metadata.clone()));
                }
                Json::Object(out)
            }
            Body::Parameter(p) => resolve_with(r, Json::Object(p.clone())),
            Body::Output(o) => {
                let mut out = Map::new();
                if let Some(d) = &o.description {
                    out.insert("Description".into(), json!(d));
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
            Body::Mapping(m) => json!(m),
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
                            a.insert("AssertDescription".into(), json!(d));
                        }
                        Json::Object(a)
                    })
                    .collect();
                out.insert("Assertions".into(), Json::Array(assertions));
                Json::Object(out)
            }
        };
        self.section(element.section()).insert(logical_id.to_owned(), rendered);
    }

    /// Adds an output that exports a value for another stack.
    pub(crate) fn add_export(&mut self, logical_id: &str, value: &Json, name: &str) {
        self.section("Outputs").insert(logical_id.to_owned(), json!({"Value": value, "Export": {"Name": name}}));
    }

    /// Adds the CDK bootstrap version parameter and rule.
    pub(crate) fn add_bootstrap_check(&mut self, qualifier: &str) {
        self.section("Parameters").insert(
            "BootstrapVersion".into(),
            json!({
                "Type": "AWS::SSM::Parameter::Value<String>",
                "Default": format!("/cdk-bootstrap/{qualifier}/version"),
                "Description": "Version of the CDK Bootstrap resources in this environment, automatically retrieved from SSM Parameter Store. [cdk:skip]"
            }),
        );
        self.section("Rules").insert(
            "CheckBootstrapVersion".into(),
            json!({"Assertions": [{
                "Assert": {"Fn::Not": [{"Fn::Contains": [["1", "2", "3", "4", "5"], {"Ref": "BootstrapVersion"}]}]},
                "AssertDescription": "CDK bootstrap stack version 6 required. Please run 'cdk bootstrap' with a recent version of the CDK CLI."
            }]}),
        );
    }

    /// The finished template.
    pub(crate) fn finish(self, stack: &StackData) -> Json {
        let mut t = Map::new();
        if let Some(v) = &stack.template_format_version {
            t.insert("AWSTemplateFormatVersion".into(), json!(v));
        }
        if let Some(d) = &stack.description {
            t.insert("Description".into(), json!(d));
        }
        match stack.transforms.as_slice() {
            [] => {}
            [one] => {
                t.insert("Transform".into(), json!(one));
            }
            many => {
                t.insert("Transform".into(), json!(many));
            }
        }
        for (name, section) in self.sections {
            if !section.is_empty() {
                t.insert(name.into(), Json::Object(section));
            }
        }
        Json::Object(t)
    }
}

fn resolve_with(r: &mut Resolver<'_, '_>, mut v: Json) -> Json {
    r.resolve(&mut v);
    v
}

fn condition_name(r: &mut Resolver<'_, '_>, condition: u32) -> Json {
    let app = r.shared.arena.app_id;
    resolve_with(r, json!({ marker::NAME: [app, condition] }))
}
