#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The governance rules at runtime: the exported Nirmata and kyverno-json policies, run
//! by a real CEL evaluator (the `cel` crate, cel-rust, pinned), find what the engine finds.
//!
//! Nirmata's scanner sees each resource as Cloud Control describes it: `{TypeName,
//! ResourceDescription: {Identifier, Properties}}`. Each template resource is turned into
//! that shape with the tags CloudFormation adds to what it creates
//! (`aws:cloudformation:stack-name`, `aws:cloudformation:logical-id`, in the type's tag form;
//! none for types that take no tags). Intrinsic functions stay as their JSON objects: an
//! unresolved value is not the literal a rule asks for, as the engine reads it.

use std::collections::{BTreeSet, HashMap};

use cel::{Context, Program, Value};
use cloudwright_constructs::cfn::resource_type_info;
use cloudwright_constructs::{Assembly, TagFormat};
use cloudwright_examples::{governance_bad, multi_account};
use cloudwright_toolkit::governance::{self, PolicyScope, kyverno_json_files, nirmata_files};
use serde_json::{Value as Json, json};

/// (rule id, template file, logical id) of a violation.
type Violation = (String, String, String);

fn apps() -> Vec<(&'static str, Assembly)> {
    vec![
        ("bad", governance_bad::app().unwrap().assembly().unwrap()),
        ("reference", multi_account::app().unwrap().assembly().unwrap()),
    ]
}

/// The exported policies, parsed, with their rule ids.
fn policies(files: Vec<(String, String)>) -> Vec<(String, Json)> {
    files
        .into_iter()
        .filter(|(name, _)| name.ends_with(".yaml"))
        .map(|(_, text)| {
            let policy: Json = serde_yaml::from_str(&text).unwrap();
            let id = policy["metadata"]["annotations"]["cloudwright.dev/rule-id"].as_str().unwrap().to_owned();
            (id, policy)
        })
        .collect()
}

/// CEL programs, each compiled once (parsing is most of an evaluation's cost).
#[derive(Default)]
struct Cel(HashMap<String, Program>);

impl Cel {
    /// Evaluates an expression in a context.
    fn value(&mut self, expression: &str, context: &Context) -> Value {
        let program = self
            .0
            .entry(expression.to_owned())
            .or_insert_with(|| Program::compile(expression).unwrap_or_else(|e| panic!("{expression}: {e}")));
        program.execute(context).unwrap_or_else(|e| panic!("{expression}: {e}"))
    }

    /// Evaluates an expression that must give a boolean.
    fn eval(&mut self, expression: &str, context: &Context) -> bool {
        match self.value(expression, context) {
            Value::Bool(b) => b,
            other => panic!("{expression} gave {other:?}"),
        }
    }
}

/// A context with these variables.
fn context(bindings: &[(&str, &Json)]) -> Context<'static, 'static> {
    let mut context = Context::default();
    for (name, value) in bindings {
        context.add_variable(*name, (*value).clone()).unwrap();
    }
    context
}

/// A template resource as Cloud Control describes it once deployed.
fn cloud_control(stack_name: &str, logical_id: &str, resource: &Json) -> Json {
    let kind = resource["Type"].as_str().unwrap();
    let mut properties = resource.get("Properties").cloned().unwrap_or_else(|| json!({}));
    let system = [("aws:cloudformation:stack-name", stack_name), ("aws:cloudformation:logical-id", logical_id)];
    match resource_type_info(kind).map(|i| i.tag_format) {
        Some(TagFormat::Standard) => {
            let tags = properties.as_object_mut().unwrap().entry("Tags").or_insert_with(|| json!([]));
            for (key, value) in system {
                tags.as_array_mut().unwrap().push(json!({"Key": key, "Value": value}));
            }
        }
        Some(TagFormat::Map) => {
            let tags = properties.as_object_mut().unwrap().entry("Tags").or_insert_with(|| json!({}));
            for (key, value) in system {
                tags[key] = json!(value);
            }
        }
        _ => {}
    }
    json!({"TypeName": kind, "ResourceDescription": {"Identifier": logical_id, "Properties": properties}})
}

/// Whether a resource type takes tags, so a runtime exclusion can find it.
fn taggable(kind: &str) -> bool {
    resource_type_info(kind).is_some_and(|i| i.tag_format != TagFormat::NotTaggable)
}

/// What Nirmata's cloud controller would report: each policy over each resource.
fn nirmata_violations(policies: &[(String, Json)], assembly: &Assembly) -> BTreeSet<Violation> {
    let request = json!({"operation": "CREATE"});
    let mut cel = Cel::default();
    let mut out = BTreeSet::new();
    for stack in assembly.stacks() {
        let template: Json = serde_json::from_slice(assembly.file(&stack.template_file).unwrap()).unwrap();
        for (id, resource) in template["Resources"].as_object().unwrap() {
            let object = cloud_control(&stack.stack_name, id, resource);
            let outer = context(&[("object", &object), ("request", &request)]);
            for (rule, policy) in policies {
                let spec = &policy["spec"];
                let matched = spec["matchConditions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|c| cel.eval(c["expression"].as_str().unwrap(), &outer));
                if !matched {
                    continue;
                }
                let mut variables = serde_json::Map::new();
                for variable in spec["variables"].as_array().unwrap() {
                    let value = cel.value(variable["expression"].as_str().unwrap(), &outer);
                    variables.insert(variable["name"].as_str().unwrap().to_owned(), value.json().unwrap());
                }
                let mut inner = outer.new_inner_scope();
                inner.add_variable("variables", Json::Object(variables)).unwrap();
                for validation in spec["validations"].as_array().unwrap() {
                    if !cel.eval(validation["expression"].as_str().unwrap(), &inner) {
                        out.insert((rule.clone(), stack.template_file.clone(), id.clone()));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn nirmata_policies_find_what_the_engine_finds() {
    for (app, assembly) in apps() {
        let report = governance::check(&assembly).unwrap();
        let scope = PolicyScope::of_assembly(&assembly).unwrap();
        let policies = policies(nirmata_files(&scope).unwrap());
        assert!(policies.len() >= 25, "most resource rules are exported: {}", policies.len());
        let exported: BTreeSet<&str> = policies.iter().map(|(id, _)| id.as_str()).collect();
        let kinds: std::collections::HashMap<(String, String), String> = assembly
            .stacks()
            .iter()
            .flat_map(|s| {
                let template: Json = serde_json::from_slice(assembly.file(&s.template_file).unwrap()).unwrap();
                let resources = template["Resources"].as_object().unwrap().clone();
                resources.into_iter().map(move |(id, r)| {
                    ((s.template_file.clone(), id), r["Type"].as_str().unwrap_or_default().to_owned())
                })
            })
            .collect();
        // Suppressions reach the runtime through CloudFormation's tags: resources that take
        // none are reported there too.
        let expected: BTreeSet<Violation> = report
            .findings
            .iter()
            .filter(|f| exported.contains(f.rule_id.as_str()))
            .filter(|f| {
                let id = f.logical_id.clone().unwrap();
                f.suppressed.is_none() || !taggable(&kinds[&(f.file.clone(), id)])
            })
            .map(|f| (f.rule_id.clone(), f.file.clone(), f.logical_id.clone().unwrap()))
            .collect();
        let found = nirmata_violations(&policies, &assembly);
        assert!(!expected.is_empty(), "{app}: the apps break some exported rules (or suppress them)");
        assert_eq!(found, expected, "{app}: CEL violations (left) vs the engine's findings (right)");
        if app == "bad" {
            let tripped: BTreeSet<&str> = found.iter().map(|(rule, _, _)| rule.as_str()).collect();
            let silent: Vec<&&str> = exported.difference(&tripped).collect();
            assert!(silent.is_empty(), "exported rules the bad app does not trip: {silent:?}");
        }
    }
}

#[test]
fn kyverno_json_policies_find_what_the_engine_finds() {
    for (app, assembly) in apps() {
        let report = governance::check(&assembly).unwrap();
        let policies = policies(kyverno_json_files(&PolicyScope::default()).unwrap());
        let exported: BTreeSet<&str> = policies.iter().map(|(id, _)| id.as_str()).collect();
        let mut expected = BTreeSet::new();
        let mut found = BTreeSet::new();
        let mut cel = Cel::default();
        // kyverno-json has no rule packs: leave out the development stacks, which turn rules off.
        for stack in assembly.stacks().iter().filter(|s| !s.display_name.to_lowercase().contains("dev")) {
            let template: Json = serde_json::from_slice(assembly.file(&stack.template_file).unwrap()).unwrap();
            expected.extend(
                report
                    .active()
                    .filter(|f| exported.contains(f.rule_id.as_str()) && f.file == stack.template_file)
                    .map(|f| (f.rule_id.clone(), f.file.clone(), f.logical_id.clone().unwrap())),
            );
            for (rule, policy) in &policies {
                let check = &policy["spec"]["rules"][0]["assert"]["all"][0];
                assert_eq!(check["compiler"], "cel");
                let (key, expected_value) = check["check"]["~.Resources"].as_object().unwrap().iter().next().unwrap();
                assert_eq!(expected_value, &json!(true));
                // A projection key is the expression in parentheses.
                let expression = key.strip_prefix('(').and_then(|k| k.strip_suffix(')')).unwrap();
                for (id, resource) in template["Resources"].as_object().unwrap() {
                    if !cel.eval(expression, &context(&[("object", resource)])) {
                        found.insert((rule.clone(), stack.template_file.clone(), id.clone()));
                    }
                }
            }
        }
        assert!(app != "bad" || !expected.is_empty());
        assert_eq!(found, expected, "{app}: CEL violations (left) vs the engine's findings (right)");
    }
}

/// Every exported policy is valid under its format's published schema: kyverno-json's
/// policy JSON schema and the `validatingpolicies.nirmata.io` CRD (both vendored).
#[test]
fn exported_policies_match_their_published_schemas() {
    let scope = PolicyScope::of_assembly(&multi_account::app().unwrap().assembly().unwrap()).unwrap();
    for (schema, files) in [
        (include_str!("fixtures/kyverno-json-validatingpolicy-v1alpha1.schema.json"), kyverno_json_files(&scope)),
        (include_str!("fixtures/nirmata-validatingpolicy-v1alpha1.schema.json"), nirmata_files(&scope)),
    ] {
        let schema: Json = serde_json::from_str(schema).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        for (id, policy) in policies(files.unwrap()) {
            let errors: Vec<String> =
                validator.iter_errors(&policy).map(|e| format!("{e} at {}", e.instance_path())).collect();
            assert!(errors.is_empty(), "{id}: {errors:#?}");
            let name = policy["metadata"]["name"].as_str().unwrap();
            assert!(name.len() <= 63 && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
        }
    }
}

#[test]
fn rules_that_cannot_be_exported_are_listed_with_why() {
    for files in [nirmata_files(&PolicyScope::default()).unwrap(), kyverno_json_files(&PolicyScope::default()).unwrap()]
    {
        let readme = &files.iter().find(|(name, _)| name == "README.md").unwrap().1;
        let exported: BTreeSet<String> =
            files.iter().filter_map(|(name, _)| name.strip_suffix(".yaml")).map(str::to_owned).collect();
        for rule in governance::rule_list() {
            let listed = readme.contains(&format!("- `{}`: {}: ", rule.id, rule.title));
            assert_ne!(
                listed,
                exported.contains(&rule.id.to_ascii_lowercase()),
                "{} is exported or listed, once",
                rule.id
            );
        }
        assert!(
            readme.contains("- `CW-S3-3`: S3 bucket accepts requests without TLS: needs the bucket policies"),
            "{readme}"
        );
    }
}

/// The scanner role of each workload account may read every resource type an exported
/// policy checks: Cloud Control's read and list handlers call the services with the
/// caller's credentials, and the types' resource provider schemas list what they call.
#[test]
fn the_scanner_role_reads_every_type_the_policies_check() {
    let policies = policies(nirmata_files(&PolicyScope::default()).unwrap());
    let schemas =
        cloudwright_cfn_model::vendored::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../cfn/schemas"))
            .unwrap();
    let mut needed = BTreeSet::new();
    for (_, policy) in &policies {
        let condition = policy["spec"]["matchConditions"][1]["expression"].as_str().unwrap();
        let types = condition.trim_start_matches("object.TypeName in [").trim_end_matches(']');
        for kind in types.split(", ").map(|t| t.trim_matches('\'')) {
            let schema = &schemas[kind];
            for handler in ["read", "list"] {
                for action in schema["handlers"][handler]["permissions"].as_array().into_iter().flatten() {
                    needed.insert(action.as_str().unwrap().to_owned());
                }
            }
        }
    }
    // Data access the scanner does without: Lambda's environment variables stay encrypted.
    needed.remove("kms:Decrypt");
    // Organizations answers only in the management account (or a delegated administrator):
    // the scanner of a workload account has no organization policy to read.
    // https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
    needed.retain(|a| !a.starts_with("organizations:"));
    let granted: BTreeSet<String> =
        multi_account::POLICY_SCANNER_ACTIONS.iter().map(|a| a.to_ascii_lowercase()).collect();
    let missing: Vec<&String> = needed.iter().filter(|a| !granted.contains(&a.to_ascii_lowercase())).collect();
    assert!(missing.is_empty(), "the scanner role lacks {missing:?}");
    for action in multi_account::POLICY_SCANNER_ACTIONS {
        let verb = action.split_once(':').unwrap().1;
        assert!(["Get", "List", "Describe"].iter().any(|p| verb.starts_with(p)), "{action} is not read-only");
    }

    // Deployed in every workload account, trusted by the controller's role only.
    let assembly = multi_account::app().unwrap().assembly().unwrap();
    let layout = multi_account::Layout::default();
    for (_, name, _) in &layout.workloads {
        let template: Json =
            serde_json::from_slice(assembly.file(&format!("{name}Baseline.template.json")).unwrap()).unwrap();
        let role = &template["Resources"]["PolicyScannerRoleDD1D0493"];
        assert_eq!(role["Properties"]["RoleName"], multi_account::POLICY_SCANNER_ROLE, "{name}");
        let trust = &role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0];
        assert_eq!(
            trust["Condition"]["ArnEquals"]["aws:PrincipalArn"]["Fn::Sub"],
            format!(
                "arn:${{AWS::Partition}}:iam::{}:role/{}",
                layout.management_account,
                multi_account::POLICY_CONTROLLER_ROLE
            )
        );
    }
    assert!(
        assembly.file("policies/nirmata/cw-lambda-1.yaml").is_some(),
        "synth writes the policies beside the assembly"
    );
}

#[test]
fn a_suppression_without_a_reason_stops_synth_before_any_policy_is_written() {
    let app = cloudwright_constructs::App::new();
    let stack = cloudwright_constructs::Stack::new(&app, "S", Default::default()).unwrap();
    let topic = cloudwright_constructs::CfnResource::from_json(&stack, "Topic", "AWS::SNS::Topic", json!({})).unwrap();
    cloudwright_constructs::governance::suppress(&topic, "CW-SNS-1", " ");
    governance::write_policies(&app);
    let error = app.assembly().unwrap_err().to_string();
    assert!(error.contains("S/Topic: suppression of CW-SNS-1 has no reason"), "{error}");
}
