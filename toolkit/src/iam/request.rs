//! What IAM sees of the request that creates a resource: the resource's ARN and the
//! condition keys its properties fix, so a policy can be evaluated against it.

use serde_json::Value as Json;

/// Condition keys whose values the resource's own properties fix for the calls that
/// create it (lower-case key, value; an empty value: absent).
pub fn condition_keys(kind: &str, props: &Json, account: &str, region: &str) -> Vec<(&'static str, String)> {
    match kind {
        // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html#awsidentityandaccessmanagementiam-policy-keys
        "AWS::IAM::Role" | "AWS::IAM::User" => match props.get("PermissionsBoundary") {
            None | Some(Json::Null) => vec![("iam:permissionsboundary", String::new())],
            Some(value) => super::evaluate::resolve(value, account, region)
                .map(|v| vec![("iam:permissionsboundary", v)])
                .unwrap_or_default(),
        },
        _ => Vec::new(),
    }
}

/// ARN shapes of types whose name a literal property gives, for statements that name
/// resources (`{Property}` from the properties; partition, region and account from the stack).
const ARNS: &[(&str, &str)] = &[
    ("AWS::IAM::Role", "arn:{partition}:iam::{account}:role/{RoleName}"),
    ("AWS::IAM::User", "arn:{partition}:iam::{account}:user/{UserName}"),
    ("AWS::Lambda::Function", "arn:{partition}:lambda:{region}:{account}:function:{FunctionName}"),
    ("AWS::Logs::LogGroup", "arn:{partition}:logs:{region}:{account}:log-group:{LogGroupName}"),
    ("AWS::S3::Bucket", "arn:{partition}:s3:::{BucketName}"),
    ("AWS::SNS::Topic", "arn:{partition}:sns:{region}:{account}:{TopicName}"),
    ("AWS::SQS::Queue", "arn:{partition}:sqs:{region}:{account}:{QueueName}"),
];

/// The resource's ARN, when its shape is known and every property it needs is a literal
/// string; `None` when CloudFormation generates the name or it is a deploy-time value.
pub fn arn(kind: &str, properties: &Json, account: &str, region: &str) -> Option<String> {
    let pattern = ARNS.iter().find(|(t, _)| *t == kind)?.1;
    let mut out = String::new();
    let mut rest = pattern;
    while let Some((before, after)) = rest.split_once('{') {
        let (key, tail) = after.split_once('}')?;
        out.push_str(before);
        // The partition is not in the assembly; `aws` is where the organizations we model live.
        let value = match key {
            "partition" => "aws",
            "region" => region,
            "account" => account,
            property => properties.get(property)?.as_str()?,
        };
        out.push_str(value);
        rest = tail;
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    #[test]
    fn arns_come_from_literal_names_only() {
        let named = json!({"RoleName": "deployer"});
        assert_eq!(arn("AWS::IAM::Role", &named, "1", "r").as_deref(), Some("arn:aws:iam::1:role/deployer"));
        assert_eq!(arn("AWS::IAM::Role", &json!({}), "1", "r"), None);
        assert_eq!(arn("AWS::IAM::Role", &json!({"RoleName": {"Ref": "P"}}), "1", "r"), None);
        assert_eq!(arn("AWS::EC2::VPC", &json!({}), "1", "r"), None);
    }

    #[test]
    fn a_role_without_a_boundary_fixes_the_key_as_absent() {
        assert_eq!(
            condition_keys("AWS::IAM::Role", &json!({}), "1", "r"),
            [("iam:permissionsboundary", String::new())]
        );
        let sub = json!({"PermissionsBoundary": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/b"}});
        assert_eq!(condition_keys("AWS::IAM::Role", &sub, "1", "r")[0].1, "arn:aws:iam::1:policy/b");
    }
}
