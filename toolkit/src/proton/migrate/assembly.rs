//! The cloud assembly of a migration: one nested assembly per account
//! (`assembly-<account>`, as `core` writes a stage), its stacks in order (environments, then
//! the instances that run in them, then pipelines) with manifest dependencies on the stacks
//! whose outputs they read, and the default CDK bootstrap roles so `cdk deploy` reaches every
//! account. The templates are CloudFormation JSON rendered from Proton's Jinja, so this
//! writes them as they are rather than through the construct tree.

use std::collections::{BTreeMap, BTreeSet};

use cloudwright_core::Environment;
use cloudwright_core::assembly::{Artifact, ArtifactIds, Bootstrap, Manifest, RoleKind, StackArtifactProps, cdk_out};
use cloudwright_core::synth::weak_reference::{reader_logical_id, reader_role, reader_role_name};
use serde_json::Value as Json;

use super::MigratedStack;

/// The directory of an account's nested assembly.
pub fn directory(account: &str) -> String {
    format!("assembly-{account}")
}

/// Artifact ids: the stack names' letters and digits, unique within each account.
pub fn artifact_ids(stacks: &[MigratedStack]) -> Vec<String> {
    let mut by_account: BTreeMap<&str, ArtifactIds> = BTreeMap::new();
    stacks.iter().map(|s| by_account.entry(s.account.as_str()).or_default().id_for(&s.name)).collect()
}

/// Every file of the assembly but the report. The stacks deploy with the default CDK
/// bootstrap (`cdk bootstrap` without `--qualifier`) of their accounts and regions.
pub fn files(stacks: &[MigratedStack]) -> BTreeMap<String, Vec<u8>> {
    let ids = artifact_ids(stacks);
    let mut files = BTreeMap::new();
    let mut nested: BTreeMap<String, Manifest> = BTreeMap::new();
    for (i, s) in stacks.iter().enumerate() {
        let id = ids.get(i).cloned().unwrap_or_default();
        let dir = directory(&s.account);
        let file = format!("{id}.template.json");
        files.insert(format!("{dir}/{file}"), pretty(&s.template));
        // Dependencies a manifest can say: producers in the same nested assembly.
        let dependencies: Vec<String> = s
            .reads
            .iter()
            .filter(|&&p| stacks.get(p).is_some_and(|p| p.account == s.account))
            .filter_map(|&p| ids.get(p).cloned())
            .collect();
        // The deployed stack's own tags (Proton's `proton:*` among them) are kept: the CDK
        // sets a stack's tags to the manifest's on each deploy.
        let tags = s
            .deployed
            .iter()
            .flat_map(|d| &d.tags)
            .filter(|(k, _)| !k.starts_with("aws:"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let artifact = Artifact::new_stack(StackArtifactProps {
            artifact_id: id.clone(),
            stack_name: s.name.clone(),
            display_name: format!("{}/{}", s.account, s.name),
            environment: Environment::new(s.account.as_str(), s.region.as_str()),
            template_file: file,
            dependencies,
            tags,
            ..Default::default()
        });
        nested.entry(dir).or_default().artifacts.insert(id, artifact);
    }
    let mut top: Manifest = Manifest::default();
    for (dir, manifest) in nested {
        let account = dir.trim_start_matches("assembly-");
        top.artifacts.insert(dir.clone(), Artifact::nested_assembly(&dir, account));
        files.insert(format!("{dir}/manifest.json"), manifest.to_vec());
        files.insert(format!("{dir}/cdk.out"), cdk_out());
    }
    files.insert("manifest.json".into(), top.to_vec());
    files.insert("cdk.out".into(), cdk_out());
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
    Bootstrap::default().role_name(RoleKind::CfnExec, account, region)
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
