//! `cloudwright refactor OLD NEW`: the CloudFormation stack refactors that move deployed
//! resources to where the new side has them (another logical id, another stack) instead of
//! replacing them, one per account and region: the `CreateStackRefactor` input (stack
//! definitions with their new templates, resource mappings) and the commands that run it.
//!
//! What the API refuses is checked first, from AWS's stack refactoring guide
//! (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stack-refactoring.html>,
//! "Stack refactoring considerations"): a refactor moves resources and nothing else (no
//! resource added, removed or changed; no parameter, condition, mapping or rule changed),
//! between two to five stacks (one stack, for renames), of one account and region; it
//! cannot leave a stack empty, move a resource that reads `AWS::StackName` or `AWS::StackId`
//! to another stack, or remove an export another stack imports; a stack with a stack policy
//! is refused by the API, which the commands check before creating the refactor. Every
//! problem is reported with what to deploy before or after.

use std::collections::{BTreeMap, BTreeSet};

use cloudwright_core::assembly::Bootstrap;
use cloudwright_core::{Environment, Result};
use serde_json::{Value as Json, json};
use sha2::{Digest as _, Sha256};

use crate::diff::{Change, Mapping, Move, Side, StackTemplate, compare, find_moves, list, resources};

/// CloudFormation's most stacks in one refactor (the guide: "a maximum of 5 stacks").
pub const MAX_STACKS: usize = 5;

/// The largest `TemplateBody` the API takes (CloudFormation quotas, "Template body size in
/// a request": 51,200 bytes); a larger template goes by `TemplateURL` from the bootstrap
/// bucket.
pub const MAX_TEMPLATE_BODY: usize = 51_200;

/// One refactor: the moves of one account and region.
#[derive(Debug, Clone)]
pub struct Refactor {
    /// The account.
    pub account: String,
    /// The region.
    pub region: String,
    /// The resources it moves.
    pub moves: Vec<Move>,
    /// The `CreateStackRefactor` input (`aws cloudformation create-stack-refactor --cli-input-json`).
    pub request: Json,
    /// Templates too large for `TemplateBody`: (file name, S3 key, bytes), uploaded by the commands.
    pub uploads: Vec<(String, String, Vec<u8>)>,
    /// The asset bucket the uploads go to.
    pub bucket: String,
}

/// Something CloudFormation would refuse, and the order of deploys that works instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// What: the stack and resource or element.
    pub what: String,
    /// Why the refactor API refuses it, and what to do.
    pub why: String,
}

/// What `refactor` found.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The refactors to run, by account and region.
    pub refactors: Vec<Refactor>,
    /// Why no refactor can run as it is (nothing is written then).
    pub refused: Vec<Refusal>,
    /// The order of deploys that works instead, once per kind of refusal.
    pub advice: Vec<&'static str>,
}

/// The advice for changes mixed with moves.
pub const SPLIT: &str = "A refactor moves resources and changes nothing else (no resource added, removed or \
                         changed). Split the change in two: ship the renames and moves alone first (refactor, then \
                         deploy), then the rest in a second deploy; or deploy the rest first under the old names, \
                         then refactor.";

/// The advice for parameters, conditions, mappings and rules.
pub const SECTIONS_FIRST: &str = "A refactor cannot add or change parameters, conditions, mappings or rules: deploy \
                                  those changes first, then refactor.";

/// The refactors from `old` (what is deployed) to `new`.
pub fn plan<'a>(old: &'a Side, new: &'a Side, mapping: &Mapping) -> Result<Plan> {
    let moves = find_moves(old, new, mapping)?;
    let changes = compare(old, new, &moves);
    let (old_digests, new_digests) = &moves.digests;
    let mut refused = Vec::new();
    let (mut mixed, mut sections) = (false, false);
    let mut refuse = |what: String, why: String| refused.push(Refusal { what, why });

    // Those only of one type are refused below as added and removed resources.
    for a in changes.ambiguous.iter().filter(|a| a.identical) {
        refuse(
            format!("{} {} -> {}", a.resource_type, list(&a.from), list(&a.to)),
            "alike resources removed and added: say which moved where in a mapping file (`--mapping FILE`)".into(),
        );
    }
    for m in &changes.across_environments {
        refuse(
            format!("{} {} -> {}", m.resource_type, m.from, m.to),
            "CloudFormation cannot move a resource to another account or region. Create it there, copy its data, \
             then remove it here (or keep it where it is)"
                .into(),
        );
    }
    for m in &moves.moves {
        if !m.unchanged {
            mixed = true;
            refuse(format!("{} {} -> {}", m.resource_type, m.from, m.to), "it moves and its properties change".into());
        }
        if m.from.stack_name != m.to.stack_name {
            let text = crate::diff::body(old, &m.from).map(Json::to_string).unwrap_or_default();
            if ["AWS::StackName", "AWS::StackId"].iter().any(|p| text.contains(p)) {
                refuse(
                    format!("{} {}", m.resource_type, m.from),
                    "it reads AWS::StackName or AWS::StackId, whose value differs in the stack it moves to, so it \
                     cannot be refactored; give it its value as a literal first (deploy), then refactor"
                        .into(),
                );
            }
        }
    }
    for s in &changes.stacks {
        for r in &s.resources {
            let what = format!("{} {}.{}", r.resource_type, s.display_name, r.logical_id);
            match r.change {
                Change::Moved => {}
                Change::Added => {
                    mixed = true;
                    refuse(what, "added".into());
                }
                Change::Removed => {
                    mixed = true;
                    refuse(what, "removed".into());
                }
                Change::Modified => {
                    // A reference renamed with a move is no change: compare digests.
                    let place = |side: &Side| side.stacks.iter().position(|t| t.artifact_id == s.stack);
                    let same = place(old).zip(place(new)).is_some_and(|(o, n)| {
                        old_digests.get(o, &r.logical_id).is_some()
                            && old_digests.get(o, &r.logical_id) == new_digests.get(n, &r.logical_id)
                    });
                    if !same {
                        mixed = true;
                        refuse(what, "its properties change".into());
                    }
                }
            }
        }
        for e in s.elements.iter().filter(|e| e.section != "Outputs") {
            sections = true;
            refuse(format!("{}.{} of {}", e.section, e.logical_id, s.display_name), format!("{} changes", e.section));
        }
    }
    for f in &changes.deploy_failures {
        refuse(
            format!("export {} of {}", f.export, f.producer),
            format!(
                "{} imports it: CloudFormation refuses to remove an export in use. Deploy the importers without \
                 the import first, then refactor",
                f.consumers.join(", ")
            ),
        );
    }

    // Per account and region: the stacks involved.
    let mut by_env: BTreeMap<String, Vec<&Move>> = BTreeMap::new();
    for m in &moves.moves {
        by_env.entry(old.stacks[m.from.index].environment.clone()).or_default().push(m);
    }
    let mut refactors = Vec::new();
    for (environment, env_moves) in by_env {
        let names: BTreeSet<&str> =
            env_moves.iter().flat_map(|m| [m.from.stack_name.as_str(), m.to.stack_name.as_str()]).collect();
        let stack_of = |side: &'a Side, name: &str| -> Option<&'a StackTemplate> {
            side.stacks.iter().find(|s| s.environment == environment && s.name() == name)
        };
        let Some((account, region)) = stack_of(new, env_moves[0].to.stack_name.as_str())
            .and_then(|s| s.account_region().map(|(a, r)| (a.to_owned(), r.to_owned())))
        else {
            refuse(
                format!("stack {}", env_moves[0].to.stack),
                format!(
                    "its account and region are not known ({environment:?}); a refactor runs in one account and \
                     region: give the stack an environment"
                ),
            );
            continue;
        };
        if names.len() > MAX_STACKS {
            refuse(
                format!("{account}/{region}"),
                format!(
                    "the moves involve {} stacks; a refactor takes at most {MAX_STACKS}: settle part of them with a \
                     mapping file and refactor in steps",
                    names.len()
                ),
            );
        }
        let mut definitions = Vec::new();
        let mut uploads = Vec::new();
        let mut creates = false;
        let qualifier = names
            .iter()
            .filter_map(|n| stack_of(new, n))
            .find_map(|s| {
                let parameter = s.template.pointer("/Parameters/BootstrapVersion/Default")?.as_str()?.to_owned();
                Bootstrap::qualifier_of_version_parameter(&parameter).map(str::to_owned)
            })
            .unwrap_or_else(|| cloudwright_core::assembly::DEFAULT_QUALIFIER.to_owned());
        let bucket = Bootstrap::new(qualifier).assets_bucket(&Environment::new(&account, &region));
        for name in &names {
            let Some(stack) = stack_of(new, name) else {
                refuse(
                    format!("stack {name}"),
                    "every resource moves out of it and the new side has no such stack; CloudFormation does not \
                     support empty stacks: keep one resource in it for the refactor, then delete the stack"
                        .into(),
                );
                continue;
            };
            if resources(&stack.template).next().is_none() {
                refuse(
                    format!("stack {}", stack.display_name),
                    "the refactor would leave it without resources, which CloudFormation does not support: keep a \
                     resource in it for the refactor, then delete the stack"
                        .into(),
                );
            }
            let is_new = stack_of(old, name).is_none();
            if is_new {
                creates = true;
                let parameters = stack.template.get("Parameters").and_then(Json::as_object);
                for (id, _) in parameters.into_iter().flatten().filter(|(_, p)| p.get("Default").is_none()) {
                    refuse(
                        format!("Parameters.{id} of {}", stack.display_name),
                        "the refactor creates this stack and can pass it no parameter values: give the parameter \
                         a default"
                            .into(),
                    );
                }
            }
            let body = serde_json::to_string(&stack.template).unwrap_or_default();
            let definition = if body.len() <= MAX_TEMPLATE_BODY {
                json!({"StackName": name, "TemplateBody": body})
            } else {
                let key = format!("cloudwright-refactor/{:x}.json", Sha256::digest(body.as_bytes()));
                let url = format!("https://{bucket}.s3.{region}.amazonaws.com/{key}");
                uploads.push((format!("{name}.template.json"), key, body.into_bytes()));
                json!({"StackName": name, "TemplateURL": url})
            };
            definitions.push(definition);
        }
        let mappings: Vec<Json> = env_moves
            .iter()
            .map(|m| {
                json!({
                    "Source": {"StackName": m.from.stack_name, "LogicalResourceId": m.from.logical_id},
                    "Destination": {"StackName": m.to.stack_name, "LogicalResourceId": m.to.logical_id},
                })
            })
            .collect();
        let mut request = serde_json::Map::new();
        request.insert(
            "Description".into(),
            json!(format!("cloudwright refactor: {} resource(s) moved without replacement", env_moves.len())),
        );
        if creates {
            request.insert("EnableStackCreation".into(), json!(true));
        }
        request.insert("ResourceMappings".into(), Json::Array(mappings));
        request.insert("StackDefinitions".into(), Json::Array(definitions));
        refactors.push(Refactor {
            account,
            region,
            moves: env_moves.into_iter().cloned().collect(),
            request: Json::Object(request),
            uploads,
            bucket,
        });
    }
    refused.dedup();
    let advice =
        [(sections, SECTIONS_FIRST), (mixed, SPLIT)].into_iter().filter(|(on, _)| *on).map(|(_, a)| a).collect();
    Ok(Plan { refactors, refused, advice })
}

impl Refactor {
    /// The directory of this refactor in the output: `ACCOUNT-REGION`.
    pub fn directory(&self) -> String {
        format!("{}-{}", self.account, self.region)
    }

    /// The shell commands that run it, from its directory: check the account and that no
    /// stack has a stack policy, upload large templates, create the refactor, show its
    /// actions, ask, execute, wait.
    pub fn commands(&self) -> String {
        let (account, region) = (&self.account, &self.region);
        let stacks: Vec<&str> = self.request["StackDefinitions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d["StackName"].as_str())
            .collect();
        let existing: Vec<&str> =
            stacks.iter().copied().filter(|s| self.moves.iter().any(|m| m.from.stack_name == *s)).collect();
        let mut out = format!(
            "#!/usr/bin/env bash\n\
             # Written by `cloudwright refactor`: moves {n} resource(s) in account {account}, region {region},\n\
             # without replacing them. Run it with credentials of that account, before deploying the new version.\n\
             set -euo pipefail\n\
             cd \"$(dirname \"$0\")\"\n\
             region={region}\n\
             if [ \"$(aws sts get-caller-identity --query Account --output text)\" != {account} ]; then\n  \
               echo \"run this with credentials of account {account}\" >&2; exit 1\nfi\n\
             # CloudFormation refuses to refactor a stack that has a stack policy.\n\
             for stack in {existing}; do\n  \
               policy=$(aws cloudformation get-stack-policy --region \"$region\" --stack-name \"$stack\" --query StackPolicyBody --output text)\n  \
               if [ \"$policy\" != None ]; then echo \"$stack has a stack policy: remove it (set-stack-policy) first\" >&2; exit 1; fi\n\
             done\n",
            n = self.moves.len(),
            existing = existing.join(" "),
        );
        for (file, key, _) in &self.uploads {
            out.push_str(&format!(
                "# Larger than the {MAX_TEMPLATE_BODY} bytes a request body takes: uploaded to the bootstrap bucket.\n\
                 aws s3 cp --region \"$region\" {file} s3://{bucket}/{key}\n",
                bucket = self.bucket
            ));
        }
        out.push_str(
            "id=$(aws cloudformation create-stack-refactor --region \"$region\" \
             --cli-input-json file://create-stack-refactor.json --query StackRefactorId --output text)\n\
             aws cloudformation wait stack-refactor-create-complete --region \"$region\" --stack-refactor-id \"$id\"\n\
             aws cloudformation list-stack-refactor-actions --region \"$region\" --stack-refactor-id \"$id\"\n\
             read -r -p \"Execute stack refactor $id? [y/N] \" answer\n\
             if [ \"$answer\" != y ]; then echo \"not executed: $id\"; exit 0; fi\n\
             aws cloudformation execute-stack-refactor --region \"$region\" --stack-refactor-id \"$id\"\n\
             aws cloudformation wait stack-refactor-execute-complete --region \"$region\" --stack-refactor-id \"$id\"\n\
             echo \"refactored; now deploy the new version (cdk deploy): nothing is replaced\"\n",
        );
        out
    }

    /// The files of this refactor, relative to the output directory.
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        let dir = self.directory();
        let mut request = serde_json::to_vec_pretty(&self.request).unwrap_or_default();
        request.push(b'\n');
        let mut files = vec![
            (format!("{dir}/create-stack-refactor.json"), request),
            (format!("{dir}/refactor.sh"), self.commands().into_bytes()),
        ];
        files.extend(self.uploads.iter().map(|(file, _, bytes)| (format!("{dir}/{file}"), bytes.clone())));
        files
    }
}

impl Plan {
    /// Every file of the plan: per refactor its request, commands and large templates, and a
    /// `README.md` with the moves.
    pub fn files(&self) -> BTreeMap<String, Vec<u8>> {
        let mut files: BTreeMap<String, Vec<u8>> = self.refactors.iter().flat_map(Refactor::files).collect();
        files.insert("README.md".into(), self.summary().into_bytes());
        files
    }

    /// What the plan moves, per account and region, as Markdown.
    pub fn summary(&self) -> String {
        let mut out = String::from("# Stack refactors\n\nRun each `refactor.sh` before deploying the new version.\n");
        for r in &self.refactors {
            out.push_str(&format!("\n## {} {}\n\n", r.account, r.region));
            for m in &r.moves {
                out.push_str(&format!("- {} `{}` -> `{}`\n", m.resource_type, m.from, m.to));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::diff::StackTemplate;

    const ENV: &str = "aws://111111111111/us-east-1";

    fn side(stacks: &[(&str, Json)]) -> Side {
        let stacks = stacks
            .iter()
            .map(|(name, template)| StackTemplate {
                artifact_id: (*name).into(),
                display_name: (*name).into(),
                environment: ENV.into(),
                template: template.clone(),
                ..Default::default()
            })
            .collect();
        Side { label: "s".into(), stacks, proton: BTreeMap::new() }
    }

    fn reasons(old: &Side, new: &Side) -> Vec<String> {
        plan(old, new, &Mapping::default()).unwrap().refused.iter().map(|r| format!("{}: {}", r.what, r.why)).collect()
    }

    #[test]
    fn a_stack_left_empty_an_export_in_use_and_the_stack_name_are_refused() {
        let queue =
            json!({"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Sub": "${AWS::StackName}-jobs"}}});
        let old = side(&[
            (
                "A",
                json!({"Resources": {"Jobs": queue}, "Outputs": {"O": {"Value": {"Ref": "Jobs"}, "Export": {"Name": "A:Jobs"}}}}),
            ),
            ("B", json!({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}})),
            (
                "C",
                json!({"Resources": {"F": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::ImportValue": "A:Jobs"}}}}}),
            ),
        ]);
        let new = side(&[
            ("A", json!({"Resources": {}})),
            ("B", json!({"Resources": {"T": {"Type": "AWS::SNS::Topic"}, "Jobs": queue}})),
            (
                "C",
                json!({"Resources": {"F": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::ImportValue": "A:Jobs"}}}}}),
            ),
        ]);
        let why = reasons(&old, &new);
        assert!(why.iter().any(|w| w.starts_with("AWS::SQS::Queue A.Jobs: it reads AWS::StackName")), "{why:#?}");
        assert!(
            why.iter().any(|w| w.starts_with("stack A: the refactor would leave it without resources")),
            "{why:#?}"
        );
        assert!(why.iter().any(|w| w.starts_with("export A:Jobs of A: C (F) imports it")), "{why:#?}");
    }

    #[test]
    fn more_than_five_stacks_and_large_templates() {
        let topic = |n: usize| json!({"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": format!("t{n}")}});
        let names = ["A", "B", "C", "D", "E", "F"];
        let keep = json!({"Type": "AWS::SNS::Topic"});
        let old = side(&names.map(|n| {
            (n, json!({"Resources": {"Keep": keep, format!("M{n}"): topic(n.len() + n.as_bytes()[0] as usize)}}))
        }));
        // Each topic moves to the next stack.
        let new = side(&names.map(|n| {
            let from = names[(names.iter().position(|x| *x == n).unwrap() + 5) % 6];
            (n, json!({"Resources": {"Keep": keep, format!("M{from}"): topic(from.len() + from.as_bytes()[0] as usize)}}))
        }));
        let why = reasons(&old, &new);
        assert_eq!(
            why,
            [
                "111111111111/us-east-1: the moves involve 6 stacks; a refactor takes at most 5: settle part of them with a mapping file and refactor in steps"
            ]
        );

        let big = json!({"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "x".repeat(MAX_TEMPLATE_BODY)}});
        let old =
            side(&[("A", json!({"Resources": {"Big": big, "K": keep}})), ("B", json!({"Resources": {"K": keep}}))]);
        let new =
            side(&[("A", json!({"Resources": {"K": keep}})), ("B", json!({"Resources": {"Big": big, "K": keep}}))]);
        let plan = plan(&old, &new, &Mapping::default()).unwrap();
        assert!(plan.refused.is_empty(), "{:?}", plan.refused);
        let r = &plan.refactors[0];
        let url = r.request["StackDefinitions"][1]["TemplateURL"].as_str().unwrap();
        assert!(
            url.starts_with(
                "https://cdk-hnb659fds-assets-111111111111-us-east-1.s3.us-east-1.amazonaws.com/cloudwright-refactor/"
            ),
            "{url}"
        );
        assert!(r.commands().contains("aws s3 cp --region \"$region\" B.template.json s3://cdk-hnb659fds-assets-111111111111-us-east-1/cloudwright-refactor/"));
        assert!(r.request["StackDefinitions"][0]["TemplateBody"].is_string());
    }
}
