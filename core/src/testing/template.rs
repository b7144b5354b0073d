//! `Template`: assertions on one stack's synthesized template (aws-cdk-lib's
//! `Template`), failing with the closest candidates and the paths that differ.

use serde_json::{Map, Value as Json};

use super::fail;
use super::matcher::{Match, MatchResult};
use crate::app::{App, Stack};
use crate::error::{Error, Result};
use crate::resource::ResourceType;
use crate::tree::Construct;

/// How many of the closest candidates a failure shows (the CDK's three).
const CLOSEST: usize = 3;

/// The synthesized template of one stack, to assert on. Every assertion panics with
/// what it looked for and the closest candidates when it does not hold: that is how a
/// test fails.
///
/// ```
/// use cloudwright_core::testing::{Match, Template};
/// use cloudwright_core::{App, CfnResource, Stack, StackProps};
/// use serde_json::json;
///
/// let app = App::new();
/// let stack = Stack::new(&app, "Api", StackProps::default())?;
/// let props = json!({ "Runtime": "python3.12", "TracingConfig": { "Mode": "Active" } });
/// CfnResource::new(&stack, "Handler", "AWS::Lambda::Function", props.as_object().cloned().unwrap_or_default())?;
///
/// let template = Template::from_stack(&stack);
/// template.has_resource_properties("AWS::Lambda::Function", json!({ "TracingConfig": { "Mode": "Active" } }));
/// template.resource_count_is("AWS::Lambda::Function", 1);
/// # Ok::<(), cloudwright_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Template {
    json: Json,
}

/// Entries of a section tested against a pattern.
struct Section<'t> {
    matches: Map<String, Json>,
    analyzed: Vec<&'t str>,
    /// The failed candidates, closest first.
    closest: Vec<(&'t str, MatchResult)>,
}

impl Template {
    /// Synthesizes the stack's app in memory and reads the stack's template; panics with
    /// the synthesis problems when the app does not synthesize.
    ///
    /// ```
    /// use cloudwright_core::testing::Template;
    /// use cloudwright_core::{App, CfnResource, Stack, StackProps};
    ///
    /// let app = App::new();
    /// let stack = Stack::new(&app, "Queues", StackProps::default())?;
    /// CfnResource::new(&stack, "Jobs", "AWS::SQS::Queue", Default::default())?;
    /// Template::from_stack(&stack).resource_count_is("AWS::SQS::Queue", 1);
    /// # Ok::<(), cloudwright_core::Error>(())
    /// ```
    #[track_caller]
    pub fn from_stack(stack: &Stack) -> Template {
        match Template::try_from_stack(stack) {
            Ok(template) => template,
            Err(e) => fail(e.to_string()),
        }
    }

    /// Like [`Template::from_stack`], but returns the synthesis problems as an error
    /// ([`Error::Assertion`] naming the stack, then every problem).
    ///
    /// ```
    /// use cloudwright_core::testing::Template;
    /// use cloudwright_core::{App, Stack, StackProps};
    ///
    /// let app = App::new();
    /// let stack = Stack::new(&app, "Empty", StackProps::default())?;
    /// let error = Template::try_from_stack(&stack).unwrap_err();
    /// assert!(error.to_string().contains("the stack has no resources"));
    /// # Ok::<(), cloudwright_core::Error>(())
    /// ```
    pub fn try_from_stack(stack: &Stack) -> Result<Template> {
        let path = stack.node().path();
        let assembly = App::of(stack).assembly().map_err(|e| Error::Assertion {
            message: format!("cannot assert on the template of stack {path}: its app does not synthesize.\n{e}"),
        })?;
        let json = assembly
            .template(&path)
            .ok_or_else(|| Error::Assertion { message: format!("the assembly holds no template of stack {path}") })?;
        Ok(Template { json })
    }

    /// A template given as JSON (one read from a file, or written by another tool).
    ///
    /// ```
    /// use cloudwright_core::testing::Template;
    /// use serde_json::json;
    ///
    /// let template = Template::from_json(json!({ "Resources": { "Q": { "Type": "AWS::SQS::Queue" } } }));
    /// template.resource_count_is("AWS::SQS::Queue", 1);
    /// ```
    pub fn from_json(json: Json) -> Template {
        Template { json }
    }

    /// The whole template.
    ///
    /// ```
    /// use cloudwright_core::testing::Template;
    /// use serde_json::json;
    ///
    /// let template = Template::from_json(json!({ "Resources": {} }));
    /// assert_eq!(template.to_json()["Resources"], json!({}));
    /// ```
    pub fn to_json(&self) -> &Json {
        &self.json
    }

    fn section(&self, name: &str) -> Option<&Map<String, Json>> {
        self.json.get(name).and_then(Json::as_object)
    }

    /// The resources of `type_name` with `Properties: {}` added where absent, so that a
    /// properties pattern such as `Match::not(..)` can match them (the CDK's amendment);
    /// not for `Match::absent()`, which must see them absent.
    fn resources(&self, type_name: &str, with_properties: bool) -> Vec<(&str, Json)> {
        let resources = self.section("Resources").into_iter().flatten();
        resources
            .filter(|(_, r)| r.get("Type").and_then(Json::as_str) == Some(type_name))
            .map(|(id, r)| {
                let mut r = r.clone();
                if let (true, Json::Object(map)) = (with_properties, &mut r) {
                    map.entry("Properties").or_insert_with(|| Json::Object(Map::new()));
                }
                (id.as_str(), r)
            })
            .collect()
    }

    /// Tests `entries` against `pattern`; captures of matching entries are kept.
    fn test<'t>(entries: &'t [(&'t str, Json)], pattern: &Match) -> Section<'t> {
        let mut section = Section { matches: Map::new(), analyzed: Vec::new(), closest: Vec::new() };
        for (id, entry) in entries {
            section.analyzed.push(id);
            let result = pattern.test(Some(entry));
            result.finish();
            if result.failed() {
                section.closest.push((id, result));
            } else {
                section.matches.insert((*id).to_owned(), entry.clone());
            }
        }
        // Least cost first, the logical id breaking ties: deterministic.
        section.closest.sort_by(|(a, ra), (b, rb)| (ra.cost, a).cmp(&(rb.cost, b)));
        section.closest.truncate(CLOSEST);
        section
    }

    fn properties_pattern(pattern: Match) -> (Match, bool) {
        let absent = pattern.is_absent();
        (Match::object_like([("Properties", pattern)]), !absent)
    }

    /// Asserts that a resource of `type_name` matches `pattern`, which sees the whole
    /// resource (`Type`, `Properties`, `DependsOn`, `DeletionPolicy`, ...).
    ///
    /// ```
    /// use cloudwright_core::testing::Template;
    /// use serde_json::json;
    ///
    /// let template = Template::from_json(json!({ "Resources": {
    ///     "Logs": { "Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain" },
    /// }}));
    /// template.has_resource("AWS::S3::Bucket", json!({ "DeletionPolicy": "Retain" }));
    /// ```
    #[track_caller]
    pub fn has_resource(&self, type_name: &str, pattern: impl Into<Match>) {
        self.assert_has(type_name, self.resources(type_name, false), &pattern.into());
    }

    /// Asserts that a resource of `type_name` has properties matching `pattern` (plain
    /// JSON objects match partially, as [`Match::object_like`]).
    ///
    /// ```
    /// use cloudwright_core::testing::{Match, Template};
    /// use serde_json::json;
    ///
    /// let template = Template::from_json(json!({ "Resources": {
    ///     "Fn": { "Type": "AWS::Lambda::Function", "Properties": { "Runtime": "python3.12", "MemorySize": 256 } },
    /// }}));
    /// template.has_resource_properties("AWS::Lambda::Function", json!({ "Runtime": "python3.12" }));
    /// template.has_resource_properties("AWS::Lambda::Function", Match::object_like([("Timeout", Match::absent())]));
    /// ```
    #[track_caller]
    pub fn has_resource_properties(&self, type_name: &str, pattern: impl Into<Match>) {
        let (pattern, amend) = Template::properties_pattern(pattern.into());
        self.assert_has(type_name, self.resources(type_name, amend), &pattern);
    }

    /// [`Template::has_resource_properties`] with the type named by its L1
    /// (`has_resource_properties_of::<CfnFunction>(..)`).
    ///
    /// ```
    /// use cloudwright_core::ResourceType;
    /// use cloudwright_core::testing::Template;
    /// use serde_json::json;
    ///
    /// // What every generated L1 (`cfn::lambda::CfnFunction`, ...) implements.
    /// struct CfnFunction;
    /// impl ResourceType for CfnFunction {
    ///     const TYPE_NAME: &'static str = "AWS::Lambda::Function";
    /// }
    ///
    /// let template = Template::from_json(json!({ "Resources": {
    ///     "Fn": { "Type": "AWS::Lambda::Function", "Properties": { "Runtime": "python3.12" } },
    /// }}));
    /// template.has_resource_properties_of::<CfnFunction>(json!({ "Runtime": "python3.12" }));
    /// ```
    #[track_caller]
    pub fn has_resource_properties_of<T: ResourceType>(&self, pattern: impl Into<Match>) {
        self.has_resource_properties(T::TYPE_NAME, pattern);
    }

    /// [`Template::has_resource`] with the type named by its L1.
    ///
    /// ```
    /// use cloudwright_core::ResourceType;
    /// use cloudwright_core::testing::Template;
    /// use serde_json::json;
    ///
    /// struct CfnBucket;
    /// impl ResourceType for CfnBucket {
    ///     const TYPE_NAME: &'static str = "AWS::S3::Bucket";
    /// }
    ///
    /// let template = Template::from_json(json!({ "Resources": {
    ///     "Logs": { "Type": "AWS::S3::Bucket", "UpdateReplacePolicy": "Retain" },
    /// }}));
    /// template.has_resource_of::<CfnBucket>(json!({ "UpdateReplacePolicy": "Retain" }));
    /// ```
    #[track_caller]
    pub fn has_resource_of<T: ResourceType>(&self, pattern: impl Into<Match>) {
        self.has_resource(T::TYPE_NAME, pattern);
    }

    #[track_caller]
    fn assert_has(&self, type_name: &str, entries: Vec<(&str, Json)>, pattern: &Match) {
        let section = Template::test(&entries, pattern);
        if section.matches.is_empty() {
            fail(section_failure(&format!("resources with type {type_name}"), &section));
        }
    }

    /// Asserts that the template holds exactly `count` resources of `type_name`.
    ///
    /// ```
    /// use cloudwright_core::testing::Template;
    /// use serde_json::json;
    ///
    /// let template = Template::from_json(json!({ "Resources": {
    ///     "A": { "Type": "AWS::SQS::Queue" }, "B": { "Type": "AWS::SQS::Queue" },
    /// }}));
    /// template.resource_count_is("AWS::SQS::Queue", 2);
    /// template.resource_count_is("AWS::SNS::Topic", 0);
    /// ```
    #[track_caller]
    pub fn resource_count_is(&self, type_name: &str, count: usize) {
        let found = self.resources(type_name, false);
        if found.len() != count {
            let ids: Vec<&str> = found.iter().map(|(id, _)| *id).collect();
            fail(format!(
                "Expected {count} resources of type {type_name} but found {}{}",
                found.len(),
                if ids.is_empty() { String::new() } else { format!(": {}", ids.join(", ")) }
            ));
        }
    }

    /// [`Template::resource_count_is`] with the type named by its L1.
    ///
    /// ```
    /// use cloudwright_core::ResourceType;
    /// use cloudwright_core::testing::Template;
    /// use serde_json::json;
    ///
    /// struct CfnQueue;
    /// impl ResourceType for CfnQueue {
    ///     const TYPE_NAME: &'static str = "AWS::SQS::Queue";
    /// }
    ///
    /// Template::from_json(json!({ "Resources": {} })).resource_count_is_of::<CfnQueue>(0);
    /// ```
    #[track_caller]
    pub fn resource_count_is_of<T: ResourceType>(&self, count: usize) {
        self.resource_count_is(T::TYPE_NAME, count);
    }

    /// Asserts that exactly `count` resources of `type_name` have properties matching
    /// `pattern`.
    ///
    /// ```
    /// use cloudwright_core::testing::{Match, Template};
    /// use serde_json::json;
    ///
    /// let template = Template::from_json(json!({ "Resources": {
    ///     "Jobs": { "Type": "AWS::SQS::Queue", "Properties": { "RedrivePolicy": { "maxReceiveCount": 3 } } },
    ///     "JobsDlq": { "Type": "AWS::SQS::Queue", "Properties": {} },
    /// }}));
    /// template.resource_properties_count_is("AWS::SQS::Queue", json!({ "RedrivePolicy": {} }), 1);
    /// template.resource_properties_count_is("AWS::SQS::Queue", Match::object_like([("RedrivePolicy", Match::absent())]), 1);
    /// ```
    #[track_caller]
    pub fn resource_properties_count_is(&self, type_name: &str, pattern: impl Into<Match>, count: usize) {
        let (pattern, amend) = Template::properties_pattern(pattern.into());
        let entries = self.resources(type_name, amend);
        let section = Template::test(&entries, &pattern);
        if section.matches.len() != count {
            let matching: Vec<&str> = section.matches.keys().map(String::as_str).collect();
            fail(format!(
                "Expected {count} resources of type {type_name} with matching properties but found {} ({})",
                matching.len(),
                if matching.is_empty() { "none".to_owned() } else { matching.join(", ") }
            ));
        }
    }

    /// The resources of `type_name` that match `pattern` (the whole resource), by logical id.
    ///
    /// ```
    /// use cloudwright_core::testing::Template;
    /// use serde_json::json;
    ///
    /// let template = Template::from_json(json!({ "Resources": {
    ///     "Jobs": { "Type": "AWS::SQS::Queue", "Properties": { "FifoQueue": true } },
    ///     "Mail": { "Type": "AWS::SQS::Queue", "Properties": {} },
    /// }}));
    /// let fifo = template.find_resources("AWS::SQS::Queue", json!({ "Properties": { "FifoQueue": true } }));
    /// assert_eq!(fifo.keys().collect::<Vec<_>>(), ["Jobs"]);
    /// ```
    pub fn find_resources(&self, type_name: &str, pattern: impl Into<Match>) -> Map<String, Json> {
        let entries = self.resources(type_name, false);
        Template::test(&entries, &pattern.into()).matches
    }

    /// [`Template::find_resources`] with the type named by its L1.
    ///
    /// ```
    /// use cloudwright_core::ResourceType;
    /// use cloudwright_core::testing::Template;
    /// use serde_json::json;
    ///
    /// struct CfnQueue;
    /// impl ResourceType for CfnQueue {
    ///     const TYPE_NAME: &'static str = "AWS::SQS::Queue";
    /// }
    ///
    /// let template = Template::from_json(json!({ "Resources": { "Q": { "Type": "AWS::SQS::Queue" } } }));
    /// assert_eq!(template.find_resources_of::<CfnQueue>(json!({})).len(), 1);
    /// ```
    pub fn find_resources_of<T: ResourceType>(&self, pattern: impl Into<Match>) -> Map<String, Json> {
        self.find_resources(T::TYPE_NAME, pattern)
    }

    /// Asserts that every resource of `type_name` (at least one) matches `pattern` (the
    /// whole resource).
    ///
    /// ```
    /// use cloudwright_core::testing::Template;
    /// use serde_json::json;
    ///
    /// let template = Template::from_json(json!({ "Resources": {
    ///     "A": { "Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain" },
    ///     "B": { "Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain" },
    /// }}));
    /// template.all_resources("AWS::S3::Bucket", json!({ "DeletionPolicy": "Retain" }));
    /// ```
    #[track_caller]
    pub fn all_resources(&self, type_name: &str, pattern: impl Into<Match>) {
        self.assert_all(type_name, self.resources(type_name, false), &pattern.into());
    }

    /// Asserts that every resource of `type_name` (at least one) has properties matching
    /// `pattern`: "no bucket is public".
    ///
    /// ```
    /// use cloudwright_core::testing::Template;
    /// use serde_json::json;
    ///
    /// let template = Template::from_json(json!({ "Resources": {
    ///     "A": { "Type": "AWS::S3::Bucket", "Properties": { "PublicAccessBlockConfiguration": { "BlockPublicAcls": true } } },
    /// }}));
    /// template.all_resources_properties("AWS::S3::Bucket", json!({ "PublicAccessBlockConfiguration": { "BlockPublicAcls": true } }));
    /// ```
    #[track_caller]
    pub fn all_resources_properties(&self, type_name: &str, pattern: impl Into<Match>) {
        let (pattern, amend) = Template::properties_pattern(pattern.into());
        self.assert_all(type_name, self.resources(type_name, amend), &pattern);
    }

    /// [`Template::all_resources_properties`] with the type named by its L1.
    ///
    /// ```
    /// use cloudwright_core::ResourceType;
    /// use cloudwright_core::testing::Template;
    /// use serde_json::json;
    ///
    /// struct CfnFunction;
    /// impl ResourceType for CfnFunction {
    ///     const TYPE_NAME: &'static str = "AWS::Lambda::Function";
    /// }
    ///
    /// let template = Template::from_json(json!({ "Resources": {
    ///     "Fn": { "Type": "AWS::Lambda::Function", "Properties": { "TracingConfig": { "Mode": "Active" } } },
    /// }}));
    /// template.all_resources_properties_of::<CfnFunction>(json!({ "TracingConfig": { "Mode": "Active" } }));
    /// ```
    #[track_caller]
    pub fn all_resources_properties_of<T: ResourceType>(&self, pattern: impl Into<Match>) {
        self.all_resources_properties(T::TYPE_NAME, pattern);
    }

    #[track_caller]
    fn assert_all(&self, type_name: &str, entries: Vec<(&str, Json)>, pattern: &Match) {
        let section = Template::test(&entries, pattern);
        let (matched, analyzed) = (section.matches.len(), section.analyzed.len());
        if analyzed == 0 || matched < analyzed {
            let head = match (analyzed, matched) {
                (0, _) => format!("Template has no resources with type {type_name}."),
                (n, 0) => format!("Template has {n} resource(s) with type {type_name}, but none match as expected."),
                (n, m) => {
                    format!("Template has {n} resource(s) with type {type_name}, but only {m} match as expected.")
                }
            };
            fail(format!("{head}\n{}", failures(&section.closest)));
        }
    }

    /// Asserts that an output matches `pattern` (`Value`, `Export`, `Description`,
    /// `Condition`); `logical_id` `"*"` for any output.
    ///
    /// ```
    /// use cloudwright_core::testing::Template;
    /// use serde_json::json;
    ///
    /// let template = Template::from_json(json!({ "Outputs": {
    ///     "QueueUrl": { "Value": { "Ref": "Q" }, "Export": { "Name": "Jobs:QueueUrl" } },
    /// }}));
    /// template.has_output("QueueUrl", json!({ "Export": { "Name": "Jobs:QueueUrl" } }));
    /// template.has_output("*", json!({ "Value": { "Ref": "Q" } }));
    /// ```
    #[track_caller]
    pub fn has_output(&self, logical_id: &str, pattern: impl Into<Match>) {
        self.assert_section("Outputs", "outputs", logical_id, &pattern.into());
    }

    /// The outputs matching `pattern`, by logical id (`"*"` for any).
    ///
    /// ```
    /// use cloudwright_core::testing::Template;
    /// use serde_json::json;
    ///
    /// let template = Template::from_json(json!({ "Outputs": {
    ///     "A": { "Value": "a", "Export": { "Name": "x" } }, "B": { "Value": "b" },
    /// }}));
    /// assert_eq!(template.find_outputs("*", json!({ "Export": {} })).len(), 1);
    /// ```
    pub fn find_outputs(&self, logical_id: &str, pattern: impl Into<Match>) -> Map<String, Json> {
        let entries = self.entries("Outputs", logical_id);
        Template::test(&entries, &pattern.into()).matches
    }

    /// Asserts that a parameter matches `pattern` (`Type`, `Default`, ...); `logical_id`
    /// `"*"` for any.
    ///
    /// ```
    /// use cloudwright_core::testing::Template;
    /// use serde_json::json;
    ///
    /// let template = Template::from_json(json!({ "Parameters": {
    ///     "Stage": { "Type": "String", "AllowedValues": ["dev", "prod"] },
    /// }}));
    /// template.has_parameter("Stage", json!({ "Type": "String" }));
    /// ```
    #[track_caller]
    pub fn has_parameter(&self, logical_id: &str, pattern: impl Into<Match>) {
        self.assert_section("Parameters", "parameters", logical_id, &pattern.into());
    }

    /// Asserts that a mapping matches `pattern`; `logical_id` `"*"` for any.
    ///
    /// ```
    /// use cloudwright_core::testing::Template;
    /// use serde_json::json;
    ///
    /// let template = Template::from_json(json!({ "Mappings": {
    ///     "Sizes": { "dev": { "Memory": 128 }, "prod": { "Memory": 1024 } },
    /// }}));
    /// template.has_mapping("Sizes", json!({ "prod": { "Memory": 1024 } }));
    /// ```
    #[track_caller]
    pub fn has_mapping(&self, logical_id: &str, pattern: impl Into<Match>) {
        self.assert_section("Mappings", "mappings", logical_id, &pattern.into());
    }

    /// Asserts that a condition matches `pattern`; `logical_id` `"*"` for any.
    ///
    /// ```
    /// use cloudwright_core::testing::Template;
    /// use serde_json::json;
    ///
    /// let template = Template::from_json(json!({ "Conditions": {
    ///     "IsProd": { "Fn::Equals": [{ "Ref": "Stage" }, "prod"] },
    /// }}));
    /// template.has_condition("IsProd", json!({ "Fn::Equals": [{ "Ref": "Stage" }, "prod"] }));
    /// ```
    #[track_caller]
    pub fn has_condition(&self, logical_id: &str, pattern: impl Into<Match>) {
        self.assert_section("Conditions", "conditions", logical_id, &pattern.into());
    }

    fn entries(&self, section: &str, logical_id: &str) -> Vec<(&str, Json)> {
        let entries = self.section(section).into_iter().flatten();
        entries
            .filter(|(id, _)| logical_id == "*" || *id == logical_id)
            .map(|(id, v)| (id.as_str(), v.clone()))
            .collect()
    }

    #[track_caller]
    fn assert_section(&self, key: &str, what: &str, logical_id: &str, pattern: &Match) {
        let entries = self.entries(key, logical_id);
        let section = Template::test(&entries, pattern);
        if section.matches.is_empty() {
            let qualifier = if logical_id == "*" { what.to_owned() } else { format!("{what} named {logical_id}") };
            fail(section_failure(&qualifier, &section));
        }
    }

    /// Asserts that the whole template matches `pattern` (plain JSON objects partially).
    ///
    /// ```
    /// use cloudwright_core::testing::{Match, Template};
    /// use serde_json::json;
    ///
    /// let template = Template::from_json(json!({
    ///     "Description": "Jobs",
    ///     "Resources": { "Q": { "Type": "AWS::SQS::Queue" } },
    /// }));
    /// template.template_matches(json!({ "Resources": { "Q": { "Type": "AWS::SQS::Queue" } } }));
    /// template.template_matches(Match::object_like([("Outputs", Match::absent())]));
    /// ```
    #[track_caller]
    pub fn template_matches(&self, pattern: impl Into<Match>) {
        let result = pattern.into().test(Some(&self.json));
        result.finish();
        if result.failed() {
            fail(format!(
                "Template did not match as expected. The following mismatches were found:\n{}\n{}",
                result.paths().join("\n"),
                result.render()
            ));
        }
    }
}

/// The CDK's failure: how many entries were looked at, then the closest candidates with
/// the value marked where it differs, then the paths that differ in each.
fn section_failure(qualifier: &str, section: &Section<'_>) -> String {
    let n = section.analyzed.len();
    let head = if n == 0 {
        format!("Template has 0 {qualifier}.")
    } else {
        format!("Template has {n} {qualifier}, but none match as expected.")
    };
    format!("{head}\n{}", failures(&section.closest))
}

fn failures(closest: &[(&str, MatchResult)]) -> String {
    if closest.is_empty() {
        return "No matches found".into();
    }
    let mut out = format!("The {} closest matches:", closest.len());
    for (id, result) in closest {
        out.push_str(&format!("\n{id} :: {}", result.render()));
    }
    for (id, result) in closest {
        out.push_str(&format!("\nWhere {id} differs:\n{}", result.paths().join("\n")));
    }
    out
}
