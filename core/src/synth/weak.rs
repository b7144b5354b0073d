//! Weak references: what a reference read with `Fn::GetStackOutput` adds to the two
//! stacks. The producer gets a plain output (no export) and, for each other account that
//! reads it, a reader role; the consumer gets `Fn::GetStackOutput` naming the producer's
//! stack, output, region and (across accounts) that role.
//!
//! CloudFormation's page on the function:
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getstackoutput.html>.
//! It says `RoleArn` is "an IAM role with `cloudformation:DescribeStacks` permissions on
//! the referenced stack. The role must be assumable by the execution role of the stack
//! being created or updated" and that cross-partition references are not supported. The
//! consumer deploys with the CDK bootstrap's CloudFormation execution role of its account
//! and region (`cdk-<qualifier>-cfn-exec-role-<account>-<region>`, as the stack's
//! manifest entry says), so that role is the reader role's only trusted principal.
//!
//! This is CloudFormation's own reference mechanism, as exports are, so core writes the
//! role itself (as JSON, like the bootstrap version check) rather than through an IAM
//! construct it does not have.

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;
use serde_json::{Value as Json, json};

use crate::logical_id::{make_unique_id, physical_name};

/// What weak references add to one producer stack.
#[derive(Default)]
pub(crate) struct Published {
    /// Plain outputs read by `Fn::GetStackOutput`, by logical id: the value each holds.
    pub outputs: IndexMap<String, Json>,
    /// Reader roles, by the account they let read this stack: the names of the roles that
    /// deploy that account's consuming stacks (the bootstrap's execution role of each of
    /// their regions, and those `Stack::add_execution_role` declares).
    pub readers: BTreeMap<String, BTreeSet<String>>,
}

/// What weak references add to every producer stack, by stack node.
pub(crate) type PublishedByStack = std::collections::HashMap<u32, Published>;

/// The logical id of the output a weak reference to `resolved` reads: the CDK's
/// (`Publish/Output<intrinsic as JSON>` under the producer stack), so an app ported from
/// the CDK keeps its outputs.
pub(crate) fn output_id(resolved: &Json) -> String {
    make_unique_id(&["Publish", format!("Output{resolved}").as_str()]).unwrap_or_default()
}

/// The logical id of the reader role for `account` in a producer stack.
pub fn reader_logical_id(account: &str) -> String {
    make_unique_id(&["Publish", "GetStackOutputRole", account]).unwrap_or_default()
}

/// What the name of every reader role starts with, so that a role deploying stacks may be
/// allowed to assume them (`arn:${AWS::Partition}:iam::*:role/cw-output-reader-*`).
pub const READER_ROLE_PREFIX: &str = "cw-output-reader-";

/// The reader role's name: deterministic, since the consumer names it in another account
/// where no deploy-time value reaches, and within IAM's 64 characters
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html>).
pub fn reader_role_name(producer_path: &str, account: &str) -> String {
    let rest = physical_name(&format!("{producer_path}/{account}"), 64 - READER_ROLE_PREFIX.len());
    format!("{READER_ROLE_PREFIX}{rest}")
}

/// Where a weak reference reads from.
pub struct Source<'a> {
    /// The producer's CloudFormation stack name.
    pub stack_name: &'a str,
    /// The output's logical id.
    pub output: &'a str,
    /// The producer's region, when known.
    pub region: Option<&'a str>,
    /// Across accounts: the producer's account and its reader role's name.
    pub reader: Option<(&'a str, &'a str)>,
}

impl Source<'_> {
    /// The consumer's `Fn::GetStackOutput`. `Region` is written whenever the producer's
    /// region is known, as the CDK writes it: the default (the consumer's region) would
    /// be right only while both stay in one region.
    pub fn get_stack_output(&self) -> Json {
        let mut args = serde_json::Map::new();
        args.insert("StackName".into(), json!(self.stack_name));
        args.insert("OutputName".into(), json!(self.output));
        if let Some(region) = self.region {
            args.insert("Region".into(), json!(region));
        }
        if let Some((account, role)) = self.reader {
            args.insert(
                "RoleArn".into(),
                json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:iam::{account}:role/{role}")}),
            );
        }
        json!({"Fn::GetStackOutput": args})
    }
}

/// The reader role: only the roles `deployers` of `account` may assume it, and it may only
/// `cloudformation:DescribeStacks` this stack (`AWS::StackId` is the stack's ARN).
///
/// The trusted principal is the account, narrowed to those roles by `aws:PrincipalArn`,
/// rather than the roles themselves: IAM refuses a role principal that does not exist yet
/// and stops matching it once it is recreated
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles>),
/// and this stack deploys before the consumer's account may have them (its first
/// deployment, a pipeline's roles in a baseline deployed later).
///
/// `boundary` names the managed policy of the producer's account the role carries as
/// permissions boundary ([`crate::Stack::set_permissions_boundary`]).
pub fn reader_role(name: &str, account: &str, deployers: &BTreeSet<String>, boundary: Option<&str>) -> Json {
    let arns: Vec<Json> = deployers
        .iter()
        .map(|role| json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:iam::{account}:role/{role}")}))
        .collect();
    let mut role = json!({
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Statement": [{
                    "Action": "sts:AssumeRole",
                    "Condition": {"ArnEquals": {"aws:PrincipalArn": arns}},
                    "Effect": "Allow",
                    "Principal": {"AWS": {"Fn::Sub": format!("arn:${{AWS::Partition}}:iam::{account}:root")}}
                }],
                "Version": "2012-10-17"
            },
            "Description": format!("Lets CloudFormation in account {account} read this stack's outputs (Fn::GetStackOutput)"),
            "Policies": [{
                "PolicyDocument": {
                    "Statement": [{"Action": "cloudformation:DescribeStacks", "Effect": "Allow", "Resource": {"Ref": "AWS::StackId"}}],
                    "Version": "2012-10-17"
                },
                "PolicyName": "DescribeThisStack"
            }],
            "RoleName": name
        }
    });
    if let (Some(boundary), Some(props)) = (boundary, role["Properties"].as_object_mut()) {
        let arn = format!("arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:policy/{boundary}");
        props.insert("PermissionsBoundary".into(), json!({ "Fn::Sub": arn }));
    }
    role
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_names_fit_iam() {
        let long = "A".repeat(200);
        let name = reader_role_name(&long, "111111111111");
        assert!(name.len() <= 64, "{name}");
        assert_eq!(name, reader_role_name(&long, "111111111111"));
        assert_ne!(name, reader_role_name(&long, "222222222222"));
        assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'), "{name}");
        assert!(name.starts_with(READER_ROLE_PREFIX), "{name}");
    }

    #[test]
    fn output_ids_follow_the_cdk() {
        let id = output_id(&json!({"Fn::GetAtt": ["Bucket83908E77", "Arn"]}));
        assert!(id.starts_with("PublishOutputFnGetAttBucket83908E77Arn"), "{id}");
    }
}
