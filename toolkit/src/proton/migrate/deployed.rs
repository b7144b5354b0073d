//! The stacks Proton deployed, from `aws cloudformation describe-stacks` output, each
//! identified as the Proton resource it was deployed for by its tags.
//!
//! Proton tags what it provisions with the ARN of the environment, service and service
//! instance (AWS managed `aws:proton:*` keys on its own resources, propagated as
//! `proton:*` keys to what they deploy: "AWS Proton resources and tagging",
//! <https://docs.aws.amazon.com/proton/latest/userguide/resources.html>). Either form
//! identifies a stack: `…:environment/NAME` alone is an environment's stack,
//! `…:service/SVC/service-instance/NAME` a service instance's, `…:service/SVC` without an
//! instance the service's pipeline. Stack names are not used: Proton chose them, and the
//! tags are what it recorded about each stack.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cloudwright_core::{Error, Result, limits};
use serde_json::Value as Json;

use super::ProtonResource;
use crate::proton::render::cfn_yaml_to_json;

/// One stack of a describe-stacks file.
#[derive(Debug, Clone)]
pub struct DeployedStack {
    /// `StackName`.
    pub name: String,
    /// The account of its `StackId`.
    pub account: String,
    /// The region of its `StackId`.
    pub region: String,
    /// Its tags, by key.
    pub tags: BTreeMap<String, String>,
    /// The Proton resource its tags name, if any.
    pub resource: Option<ProtonResource>,
    /// Its outputs' current values, by name.
    pub outputs: BTreeMap<String, String>,
}

/// The tag keys that identify a Proton stack: the propagated customer managed key first,
/// then the AWS managed one.
const TAGS: [(&str, &str); 3] = [
    ("proton:service-instance", "aws:proton:service-instance"),
    ("proton:service", "aws:proton:service"),
    ("proton:environment", "aws:proton:environment"),
];

/// Reads describe-stacks files (`{"Stacks": [...]}`); a file that is not that JSON is an
/// error naming it. Deleted stacks are left out.
pub fn read(files: &[PathBuf]) -> Result<Vec<DeployedStack>> {
    let mut out = Vec::new();
    for file in files {
        let not_it = |why: String| Error::Input {
            path: file.display().to_string(),
            message: format!(
                "is not the output of `aws cloudformation describe-stacks --output json` ({why}); export it with that command"
            ),
        };
        let text = limits::read_text(file, limits::INPUT_BYTES)?;
        let doc: Json = serde_json::from_str(&text).map_err(|e| not_it(format!("not JSON: {e}")))?;
        let stacks = doc.get("Stacks").and_then(Json::as_array).ok_or_else(|| not_it("no `Stacks` list".into()))?;
        for (i, s) in stacks.iter().enumerate() {
            let field = |k: &str| s.get(k).and_then(Json::as_str);
            let (Some(name), Some(id)) = (field("StackName"), field("StackId")) else {
                return Err(not_it(format!("Stacks[{i}] has no StackName or StackId")));
            };
            // The name becomes a file name (`--deployed-templates DIR/NAME.json`): one that
            // CloudFormation could not have given (`../x`) must not lead elsewhere.
            if !is_stack_name(name) {
                return Err(not_it(format!(
                    "Stacks[{i}].StackName {name:?} is no CloudFormation stack name (a letter, then letters, digits \
                     and hyphens, at most 128)"
                )));
            }
            if field("StackStatus") == Some("DELETE_COMPLETE") {
                continue;
            }
            // arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/GUID
            let parts: Vec<&str> = id.split(':').collect();
            let (Some(region), Some(account)) = (parts.get(3), parts.get(4)) else {
                return Err(not_it(format!("Stacks[{i}].StackId {id:?} is not a stack ARN")));
            };
            let tags: BTreeMap<String, String> = s
                .get("Tags")
                .and_then(Json::as_array)
                .map(|t| {
                    t.iter()
                        .filter_map(|t| {
                            Some((t.get("Key")?.as_str()?.to_owned(), t.get("Value")?.as_str()?.to_owned()))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let outputs = s
                .get("Outputs")
                .and_then(Json::as_array)
                .map(|o| {
                    o.iter()
                        .filter_map(|o| {
                            Some((o.get("OutputKey")?.as_str()?.to_owned(), o.get("OutputValue")?.as_str()?.to_owned()))
                        })
                        .collect()
                })
                .unwrap_or_default();
            out.push(DeployedStack {
                outputs,
                name: name.to_owned(),
                account: (*account).to_owned(),
                region: (*region).to_owned(),
                resource: identify(&tags),
                tags,
            });
        }
    }
    Ok(out)
}

/// The Proton resource a stack's tags name.
pub fn identify(tags: &BTreeMap<String, String>) -> Option<ProtonResource> {
    let tag = |i: usize| TAGS.get(i).and_then(|(a, b)| tags.get(*a).or_else(|| tags.get(*b)));
    // The resource part of a Proton ARN: arn:aws:proton:REGION:ACCOUNT:RESOURCE
    let resource = |arn: &String| arn.splitn(6, ':').nth(5).map(str::to_owned);
    if let Some(r) = tag(0).and_then(resource) {
        let mut parts = r.split('/');
        if let (Some("service"), Some(svc), Some("service-instance"), Some(inst)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        {
            return Some(ProtonResource::Instance { service: svc.to_owned(), instance: inst.to_owned() });
        }
    }
    if let Some(r) = tag(1).and_then(resource) {
        if let Some(svc) = r.strip_prefix("service/").filter(|s| !s.contains('/')) {
            return Some(ProtonResource::Pipeline(svc.to_owned()));
        }
    }
    let r = tag(2).and_then(resource)?;
    r.strip_prefix("environment/").filter(|s| !s.contains('/')).map(|e| ProtonResource::Environment(e.to_owned()))
}

/// A name CloudFormation gives a stack: a letter, then letters, digits and hyphens, at most 128.
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html>
fn is_stack_name(name: &str) -> bool {
    name.len() <= 128
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The template of a deployed stack from `--deployed-templates DIR`: `NAME.json` (the output
/// of `aws cloudformation get-template --stack-name NAME`, or the template itself) or
/// `NAME.yaml`. `None` when the directory has neither.
pub fn template(dir: &Path, stack: &str) -> Result<Option<Json>> {
    if !is_stack_name(stack) {
        return Ok(None);
    }
    for ext in ["json", "yaml", "yml"] {
        let path = dir.join(format!("{stack}.{ext}"));
        if !path.is_file() {
            continue;
        }
        let text = limits::read_text(&path, limits::INPUT_BYTES)?;
        let name = path.display().to_string();
        let doc = cfn_yaml_to_json(&text, &name)?;
        // get-template wraps the template: TemplateBody is the template (JSON) or its text (YAML).
        return Ok(Some(match doc.get("TemplateBody") {
            Some(Json::String(body)) => cfn_yaml_to_json(body, &name)?,
            Some(body) => body.clone(),
            None => doc,
        }));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn the_most_specific_proton_tag_names_the_stack() {
        let env = "arn:aws:proton:us-east-1:111111111111:environment/beta";
        let svc = "arn:aws:proton:us-east-1:111111111111:service/crud";
        let inst = "arn:aws:proton:us-east-1:111111111111:service/crud/service-instance/front-end";
        assert_eq!(identify(&tags(&[("proton:environment", env)])), Some(ProtonResource::Environment("beta".into())));
        assert_eq!(
            identify(&tags(&[("aws:proton:environment", env), ("aws:proton:service", svc)])),
            Some(ProtonResource::Pipeline("crud".into()))
        );
        assert_eq!(
            identify(&tags(&[("proton:environment", env), ("proton:service", svc), ("proton:service-instance", inst)])),
            Some(ProtonResource::Instance { service: "crud".into(), instance: "front-end".into() })
        );
        assert_eq!(identify(&tags(&[("team", "platform")])), None);
        assert_eq!(identify(&tags(&[("proton:environment", "not-an-arn")])), None);
    }

    #[test]
    fn a_stack_name_cloudformation_could_not_give_leads_nowhere() {
        let dir = std::env::temp_dir().join(format!("cw-deployed-name-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("templates")).unwrap();
        std::fs::write(dir.join("secret.json"), "{\"Resources\": {}}").unwrap();
        let file = dir.join("describe.json");
        let stack = |name: &str| {
            format!(
                r#"{{"Stacks": [{{"StackName": "{name}", "StackId": "arn:aws:cloudformation:us-east-1:111111111111:stack/x/1"}}]}}"#
            )
        };
        for name in ["../secret", "/tmp/secret", "a/b", "", "1abc"] {
            std::fs::write(&file, stack(name)).unwrap();
            let e = read(std::slice::from_ref(&file)).unwrap_err().to_string();
            assert!(e.contains("describe.json") && e.contains("is no CloudFormation stack name"), "{name}: {e}");
            // Asked directly, the templates directory is not left.
            assert!(template(&dir.join("templates"), name).unwrap().is_none(), "{name}");
        }
        std::fs::write(&file, stack("AWSProton-env-1")).unwrap();
        assert_eq!(read(std::slice::from_ref(&file)).unwrap().len(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
