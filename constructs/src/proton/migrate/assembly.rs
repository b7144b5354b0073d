//! The cloud assembly of a migration: one nested assembly per account
//! (`assembly-<account>`, as `core` writes a stage), its stacks in order (environments, then
//! the instances that run in them, then pipelines) with manifest dependencies on the stacks
//! whose outputs they read, and the default CDK bootstrap roles so `cdk deploy` reaches every
//! account. The templates are CloudFormation JSON rendered from Proton's Jinja, so this
//! writes them as they are rather than through the construct tree.

use std::collections::BTreeMap;

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

/// The name of the role in a producer stack that `consumer`'s deployments assume to read
/// its outputs (at most 64 characters, IAM's limit).
fn reader_role_name(producer_stack: &str, consumer: &str) -> String {
    let stem: String = producer_stack.chars().take(44).collect();
    format!("{stem}-reader-{consumer}")
}

/// `RoleArn` of `Fn::GetStackOutput` for a producer read from `consumer` (both in the
/// consumer's partition: the function does not cross partitions).
pub fn reader_role_arn(producer: &super::wire::Target, consumer: &str) -> Json {
    let name = reader_role_name(&producer.stack, consumer);
    json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:iam::{}:role/{name}", producer.account)})
}

/// Adds to a producer stack the role `consumer`'s CloudFormation execution role assumes to
/// read its outputs: `cloudformation:DescribeStacks` on this stack only, trusted by the
/// consumer account's CDK execution role (Decision 4).
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getstackoutput.html>
pub fn add_reader_role(producer: &mut MigratedStack, consumer: &str) {
    let name = reader_role_name(&producer.name, consumer);
    let exec_role = json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:iam::{consumer}:role/cdk-{QUALIFIER}-cfn-exec-role-{consumer}-*")});
    let role = json!({
        "Type": "AWS::IAM::Role",
        "Properties": {
            "RoleName": name,
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow",
                "Principal": {"AWS": {"Fn::Sub": format!("arn:${{AWS::Partition}}:iam::{consumer}:root")}},
                "Action": "sts:AssumeRole",
                "Condition": {"ArnLike": {"aws:PrincipalArn": exec_role}},
            }]},
            "Policies": [{"PolicyName": "ReadStackOutputs", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow",
                "Action": "cloudformation:DescribeStacks",
                "Resource": {"Ref": "AWS::StackId"},
            }]}}],
        },
    });
    if let Some(resources) = producer.template.get_mut("Resources").and_then(Json::as_object_mut) {
        resources.insert(format!("CloudwrightOutputReader{consumer}"), role);
    }
    producer.todo.push(format!(
        "Adds the role `{name}`, which account {consumer} assumes to read this stack's outputs (`Fn::GetStackOutput`): deploy this stack before the stacks of {consumer} that read it."
    ));
}
