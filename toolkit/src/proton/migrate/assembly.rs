//! The cloud assembly of a migration: one nested assembly per account
//! (`assembly-<account>`, as `core` writes a stage), its stacks in order (environments, then
//! the instances that run in them, then pipelines) with manifest dependencies on the stacks
//! whose outputs they read, and the default CDK bootstrap roles so `cdk deploy` reaches every
//! account. The templates are CloudFormation JSON rendered from Proton's Jinja, so this
//! writes them as they are rather than through the construct tree.

use std::collections::{BTreeMap, BTreeSet};

use cloudwright_core::synth::weak_reference::{
    bootstrap_execution_role, reader_logical_id, reader_role, reader_role_name,
};

use cloudwright_core::synth::MANIFEST_VERSION;
use serde_json::{Map, Value as Json, json};

use super::MigratedStack;

/// The default bootstrap qualifier of the CDK (`cdk bootstrap` without `--qualifier`).
const QUALIFIER: &str = "hnb659fds";

/// The directory of an account's nested assembly.
pub fn directory(account: &str) -> String {
    format!("assembly-{account}")
}

/// Artifact ids: the stack names' letters and digits, unique within each account.
pub fn artifact_ids(stacks: &[MigratedStack]) -> Vec<String> {
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    stacks
        .iter()
        .map(|s| {
            let base: String = s.name.chars().filter(char::is_ascii_alphanumeric).collect();
            let n = seen.entry((s.account.clone(), base.clone())).or_insert(0);
            *n += 1;
            if *n == 1 { base } else { format!("{base}{n}") }
        })
        .collect()
}

/// Every file of the assembly but the report.
pub fn files(stacks: &[MigratedStack]) -> BTreeMap<String, Vec<u8>> {
    let ids = artifact_ids(stacks);
    let mut files = BTreeMap::new();
    let mut nested: BTreeMap<String, Map<String, Json>> = BTreeMap::new();
    for (i, s) in stacks.iter().enumerate() {
        let id = ids.get(i).cloned().unwrap_or_default();
        let dir = directory(&s.account);
        let file = format!("{id}.template.json");
        files.insert(format!("{dir}/{file}"), pretty(&s.template));
        // Dependencies a manifest can say: producers in the same nested assembly.
        let dependencies: Vec<Json> = s
            .reads
            .iter()
            .filter(|&&p| stacks.get(p).is_some_and(|p| p.account == s.account))
            .filter_map(|&p| ids.get(p).map(|id| json!(id)))
            .collect();
        let (a, r) = (&s.account, &s.region);
        let role = |kind: &str| format!("arn:${{AWS::Partition}}:iam::{a}:role/cdk-{QUALIFIER}-{kind}-role-{a}-{r}");
        let mut properties = json!({
            "templateFile": file,
            "stackName": s.name,
            "validateOnSynth": false,
            "assumeRoleArn": role("deploy"),
            "cloudFormationExecutionRoleArn": role("cfn-exec"),
            "requiresBootstrapStackVersion": 6,
            "bootstrapStackVersionSsmParameter": format!("/cdk-bootstrap/{QUALIFIER}/version"),
        });
        // The deployed stack's own tags (Proton's `proton:*` among them) are kept: the CDK
        // sets a stack's tags to the manifest's on each deploy.
        let tags: Map<String, Json> = s
            .deployed
            .iter()
            .flat_map(|d| &d.tags)
            .filter(|(k, _)| !k.starts_with("aws:"))
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        if let (false, Some(p)) = (tags.is_empty(), properties.as_object_mut()) {
            p.insert("tags".into(), Json::Object(tags));
        }
        let mut artifact = json!({
            "type": "aws:cloudformation:stack",
            "environment": format!("aws://{a}/{r}"),
            "properties": properties,
            "displayName": format!("{a}/{}", s.name),
        });
        if let (false, Some(obj)) = (dependencies.is_empty(), artifact.as_object_mut()) {
            obj.insert("dependencies".into(), Json::Array(dependencies));
        }
        nested.entry(dir).or_default().insert(id, artifact);
    }
    let mut top = Map::new();
    for (dir, artifacts) in nested {
        let account = dir.trim_start_matches("assembly-").to_owned();
        files.insert(
            format!("{dir}/manifest.json"),
            pretty(&json!({"version": MANIFEST_VERSION, "artifacts": artifacts})),
        );
        files.insert(
            format!("{dir}/cdk.out"),
            serde_json::to_vec(&json!({"version": MANIFEST_VERSION})).unwrap_or_default(),
        );
        top.insert(
            dir.clone(),
            json!({"type": "cdk:cloud-assembly", "properties": {"directoryName": dir, "displayName": account}}),
        );
    }
    files.insert("manifest.json".into(), pretty(&json!({"version": MANIFEST_VERSION, "artifacts": top})));
    files.insert("cdk.out".into(), serde_json::to_vec(&json!({"version": MANIFEST_VERSION})).unwrap_or_default());
    files
}

fn pretty(value: &Json) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The name of the CDK bootstrap's CloudFormation execution role that deploys a stack of
/// `account` in `region`: what a reader role trusts.
pub fn execution_role(account: &str, region: &str) -> String {
    bootstrap_execution_role(QUALIFIER, account, region)
}

/// Adds to a producer stack core's reader role for `consumer` (the role weak references
/// add, [`reader_role`]): `cloudformation:DescribeStacks` on this stack only, trusted by
/// `consumer` narrowed to `deployers` (its bootstrap execution roles, one per region it
/// reads from). The consumer's `Fn::GetStackOutput` names it (`wire`).
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getstackoutput.html>
pub fn add_reader_role(producer: &mut MigratedStack, consumer: &str, deployers: &BTreeSet<String>) {
    let name = reader_role_name(&producer.name, consumer);
    if let Some(resources) = producer.template.get_mut("Resources").and_then(Json::as_object_mut) {
        resources.insert(reader_logical_id(consumer), reader_role(&name, consumer, deployers, None));
    }
    producer.todo.push(format!(
        "Adds the role `{name}`, which account {consumer} assumes to read this stack's outputs (`Fn::GetStackOutput`): deploy this stack before the stacks of {consumer} that read it."
    ));
}
