//! One stack's template, serialized straight from the tree with its references resolved
//! as it is written: into nothing while checking, into the template file when writing
//! (see `resolve.rs`).

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Value as Json, json};

use crate::assembly::{Bootstrap, REQUIRED_VERSION, Section, VERSION_PARAMETER_ID, VERSION_RULE_ID};
use crate::element::{Body, Element, OutputBody, ResourceBody, RuleBody};
use crate::expr::{ElementRef, Reference};
use crate::stored::Stored;
use crate::tree::StackData;

use super::resolve::{Export, Pass, Resolved, Resolver, Shared};
use super::weak::{self, Published};

/// What a stack publishes for other stacks, beside its own elements.
#[derive(Clone, Copy)]
pub(crate) struct CrossStack<'a> {
    /// Outputs exporting values to other stacks, by logical id.
    pub exports: &'a [(String, Export)],
    /// The export names kept only for the export lock.
    pub kept: &'a [String],
    /// Outputs and reader roles that weak references read.
    pub published: Option<&'a Published>,
}

impl CrossStack<'_> {
    /// Nothing published: the checking pass, which finds what is.
    pub const NONE: CrossStack<'static> = CrossStack { exports: &[], kept: &[], published: None };
}

/// A stack's template, serialized from the tree.
pub(crate) struct Template<'a> {
    pub shared: &'a Shared<'a>,
    pub pass: Pass<'a>,
    pub stack: u32,
    pub data: &'a StackData,
    /// The stack's elements, in tree order.
    pub elements: &'a [u32],
    /// Outputs exporting values to other stacks, by logical id.
    pub exports: &'a [(String, Export)],
    /// The export names kept only for the export lock, listed in the template's `Metadata`.
    pub kept: &'a [String],
    /// Outputs and reader roles that weak references read.
    pub published: Option<&'a Published>,
    /// The bootstrap qualifier, when the CDK's bootstrap version check is added.
    pub bootstrap_qualifier: Option<&'a str>,
}

impl Template<'_> {
    fn resolver(&self, element: u32) -> Resolver<'_> {
        Resolver::new(self.shared, self.pass, self.stack, element)
    }

    /// Entries written after the section's elements: the bootstrap check, the reader roles
    /// and plain outputs of weak references (exports follow).
    fn extras(&self, section: Section) -> Vec<(String, Json)> {
        match (section, self.bootstrap_qualifier, self.published) {
            (Section::Resources, _, Some(published)) => {
                let path = self.shared.arena.path(self.stack);
                let boundary = self.shared.arena.stack(self.stack).and_then(|s| s.permissions_boundary.as_deref());
                published
                    .readers
                    .iter()
                    .map(|(account, deployers)| {
                        let name = weak::reader_role_name(&path, account);
                        let role = weak::reader_role(&name, account, deployers, boundary);
                        (weak::reader_logical_id(account), role)
                    })
                    .collect()
            }
            (Section::Outputs, _, Some(published)) => {
                published.outputs.iter().map(|(id, value)| (id.clone(), json!({"Value": value}))).collect()
            }
            (Section::Parameters, Some(qualifier), _) => vec![(
                VERSION_PARAMETER_ID.into(),
                json!({
                    "Type": "AWS::SSM::Parameter::Value<String>",
                    "Default": Bootstrap::new(qualifier).version_parameter(),
                    "Description": "Version of the CDK Bootstrap resources in this environment, automatically retrieved from SSM Parameter Store. [cdk:skip]"
                }),
            )],
            (Section::Rules, Some(_), _) => {
                let too_old: Vec<String> = (1..REQUIRED_VERSION).map(|v| v.to_string()).collect();
                vec![(
                    VERSION_RULE_ID.into(),
                    json!({"Assertions": [{
                        "Assert": {"Fn::Not": [{"Fn::Contains": [too_old, {"Ref": VERSION_PARAMETER_ID}]}]},
                        "AssertDescription": format!("CDK bootstrap stack version {REQUIRED_VERSION} required. Please run 'cdk bootstrap' with a recent version of the CDK CLI.")
                    }]}),
                )]
            }
            _ => Vec::new(),
        }
    }
}

impl Serialize for Template<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let arena = self.shared.arena;
        let mut map = s.serialize_map(None)?;
        for section in Section::ALL {
            let key = section.key();
            match section {
                Section::FormatVersion => {
                    if let Some(v) = &self.data.template_format_version {
                        map.serialize_entry(key, v)?;
                    }
                }
                Section::Description => {
                    if let Some(d) = &self.data.description {
                        map.serialize_entry(key, &Resolved { value: d.as_str(), resolver: self.resolver(self.stack) })?;
                    }
                }
                Section::Metadata => {
                    if !self.kept.is_empty() {
                        map.serialize_entry(key, &json!({super::exports_lock::KEPT_EXPORTS_METADATA: self.kept}))?;
                    }
                }
                Section::Transform => match self.data.transforms.as_slice() {
                    [] => {}
                    [one] => map.serialize_entry(key, one)?,
                    many => map.serialize_entry(key, many)?,
                },
                Section::Parameters
                | Section::Mappings
                | Section::Conditions
                | Section::Rules
                | Section::Resources
                | Section::Outputs => {
                    let members: Vec<(u32, &Element)> = self
                        .elements
                        .iter()
                        .filter_map(|i| arena.element(*i).map(|e| (*i, e)))
                        .filter(|(_, e)| e.section() == section)
                        .collect();
                    let extras = self.extras(section);
                    let exports = if section == Section::Outputs { self.exports } else { &[] };
                    if members.is_empty() && extras.is_empty() && exports.is_empty() {
                        continue;
                    }
                    map.serialize_entry(key, &Elements { template: self, members, extras, exports })?;
                }
            }
        }
        map.end()
    }
}

struct Elements<'a> {
    template: &'a Template<'a>,
    members: Vec<(u32, &'a Element)>,
    extras: Vec<(String, Json)>,
    exports: &'a [(String, Export)],
}

impl Serialize for Elements<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let t = self.template;
        let mut map = s.serialize_map(None)?;
        for (index, element) in &self.members {
            map.serialize_entry(
                t.shared.logical_ids.get(*index),
                &ElementView { r: t.resolver(*index), body: &element.body },
            )?;
        }
        for (logical_id, value) in &self.extras {
            map.serialize_entry(logical_id, value)?;
        }
        for (logical_id, Export { value, name }) in self.exports {
            map.serialize_entry(logical_id, &json!({"Value": value, "Export": {"Name": name}}))?;
        }
        map.end()
    }
}

/// An element, its values resolved as they are written.
struct ElementView<'a> {
    r: Resolver<'a>,
    body: &'a Body,
}

impl Serialize for ElementView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.r;
        match self.body {
            Body::Resource(res) => resource(r, res, s),
            Body::Parameter(p) => Resolved { value: &**p, resolver: r }.serialize(s),
            Body::Condition(value) | Body::Mapping(value) => Resolved { value: &**value, resolver: r }.serialize(s),
            Body::Output(o) => output(r, o, s),
            Body::Rule(rule) => self::rule(r, rule, s),
        }
    }
}

/// A resource: type, properties and attributes.
fn resource<S: Serializer>(r: Resolver<'_>, res: &ResourceBody, s: S) -> Result<S::Ok, S::Error> {
    let arena = r.shared.arena;
    let mut map = s.serialize_map(None)?;
    map.serialize_entry("Type", &res.resource_type)?;
    if !res.properties.is_empty() {
        map.serialize_entry("Properties", &Resolved { value: &res.properties, resolver: r })?;
    }
    for d in &res.depends_on {
        r.depends_on(*d);
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
        map.serialize_entry("Condition", &name(r, c))?;
    }
    if let Some(p) = res.creation_policy() {
        map.serialize_entry("CreationPolicy", &Resolved { value: p, resolver: r })?;
    }
    if let Some(p) = res.update_policy() {
        map.serialize_entry("UpdatePolicy", &Resolved { value: p, resolver: r })?;
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

fn output<S: Serializer>(r: Resolver<'_>, o: &OutputBody, s: S) -> Result<S::Ok, S::Error> {
    struct Export<'a>(Resolved<'a, 'a, Stored>);
    impl Serialize for Export<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut map = s.serialize_map(Some(1))?;
            map.serialize_entry("Name", &self.0)?;
            map.end()
        }
    }
    let mut map = s.serialize_map(None)?;
    if let Some(d) = &o.description {
        map.serialize_entry("Description", &Resolved { value: d.as_str(), resolver: r })?;
    }
    map.serialize_entry("Value", &Resolved { value: &o.value, resolver: r })?;
    if let Some(name) = &o.export_name {
        map.serialize_entry("Export", &Export(Resolved { value: name, resolver: r }))?;
    }
    if let Some(c) = o.condition {
        map.serialize_entry("Condition", &name(r, c))?;
    }
    map.end()
}

fn rule<S: Serializer>(r: Resolver<'_>, rule: &RuleBody, s: S) -> Result<S::Ok, S::Error> {
    struct Assertions<'a>(Resolver<'a>, &'a [(Stored, Option<String>)]);
    impl Serialize for Assertions<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let r = self.0;
            let mut seq = s.serialize_seq(Some(self.1.len()))?;
            for (assert, description) in self.1 {
                seq.serialize_element(&Assertion { r, assert, description: description.as_deref() })?;
            }
            seq.end()
        }
    }
    struct Assertion<'a> {
        r: Resolver<'a>,
        assert: &'a Stored,
        description: Option<&'a str>,
    }
    impl Serialize for Assertion<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut map = s.serialize_map(None)?;
            map.serialize_entry("Assert", &Resolved { value: self.assert, resolver: self.r })?;
            if let Some(d) = self.description {
                map.serialize_entry("AssertDescription", &Resolved { value: d, resolver: self.r })?;
            }
            map.end()
        }
    }
    let mut map = s.serialize_map(None)?;
    if let Some(c) = &rule.rule_condition {
        map.serialize_entry("RuleCondition", &Resolved { value: c, resolver: r })?;
    }
    map.serialize_entry("Assertions", &Assertions(r, &rule.assertions))?;
    map.end()
}

/// The logical id of an element of the stack (a resource's or output's condition),
/// resolved as any reference to it is.
fn name(r: Resolver<'_>, element: u32) -> impl Serialize + '_ {
    struct Name<'a>(Resolver<'a>, Reference);
    impl Serialize for Name<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            Resolved { value: &self.1, resolver: self.0 }.serialize(s)
        }
    }
    Name(r, Reference::LogicalId(ElementRef::new(r.shared.arena.app_id, element)))
}
