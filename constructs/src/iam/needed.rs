//! What CloudFormation's handlers call, with the deploying principal's permissions, to
//! create, update and delete a resource: each type's `handlers.*.permissions` in its
//! resource provider schema (`cfn::RESOURCE_TYPES`, generated from the vendored schemas,
//! every type), less the permissions only some property values need
//! (<https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-schema.html#schema-properties-handlers>).
//!
//! A schema lists every call a handler may make: `kms:CreateGrant` for a function
//! encrypted with a customer key, `iam:PutGroupPolicy` for a policy attached to groups.
//! Demanding them all of a deployer would defeat least privilege, so a permission is
//! demanded only when the resource sets what needs it (the table `CONDITIONAL` and the rules in
//! `demanded`).

use serde_json::Value as Json;

use crate::cfn::resource_type_info;

/// Which handlers a principal must be allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handlers {
    /// Create only (what a first deployment calls).
    Create,
    /// Create, update and delete (what a deployer that keeps a stack current calls).
    All,
}

/// Permissions a type's handlers list that only some properties need: (type, action
/// pattern, the top-level properties any of which demands it). Read from the schemas'
/// property docs and handler lists.
const CONDITIONAL: &[(&str, &str, &[&str])] = &[
    ("AWS::IAM::Policy", "iam:*GroupPolicy", &["Groups"]),
    ("AWS::IAM::Policy", "iam:*UserPolicy", &["Users"]),
    ("AWS::IAM::Policy", "iam:*RolePolicy", &["Roles"]),
    ("AWS::IAM::ManagedPolicy", "iam:*GroupPolicy", &["Groups"]),
    ("AWS::IAM::ManagedPolicy", "iam:*UserPolicy", &["Users"]),
    ("AWS::IAM::ManagedPolicy", "iam:*RolePolicy", &["Roles"]),
    ("AWS::IAM::Role", "iam:*RolePermissionsBoundary", &["PermissionsBoundary"]),
    ("AWS::IAM::Role", "iam:PutRolePolicy", &["Policies"]),
    ("AWS::IAM::Role", "iam:AttachRolePolicy", &["ManagedPolicyArns"]),
    ("AWS::EC2::EIP", "ec2:AcceptAddressTransfer", &["TransferAddress"]),
    ("AWS::EC2::EIP", "ec2:*associateAddress", &["InstanceId", "NetworkInterfaceId"]),
    ("AWS::Lambda::Function", "ec2:*", &["VpcConfig"]),
    ("AWS::Lambda::Function", "s3:*", &["Code"]),
    ("AWS::Lambda::Function", "elasticfilesystem:*", &["FileSystemConfigs"]),
    ("AWS::Lambda::Function", "s3files:*", &["FileSystemConfigs"]),
    ("AWS::Lambda::Function", "lambda:*FunctionConcurrency", &["ReservedConcurrentExecutions"]),
    ("AWS::Lambda::Function", "lambda:*CodeSigningConfig", &["CodeSigningConfigArn"]),
    ("AWS::Lambda::Function", "lambda:GetLayerVersion", &["Layers"]),
    ("AWS::Lambda::Function", "lambda:PutRuntimeManagementConfig", &["RuntimeManagementConfig"]),
    ("AWS::Lambda::Function", "lambda:*FunctionRecursionConfig", &["RecursiveLoop"]),
    ("AWS::Lambda::Function", "lambda:*FunctionScalingConfig", &["FunctionScalingConfig"]),
    ("AWS::Lambda::Function", "lambda:PassCapacityProvider", &["CapacityProviderConfig"]),
    ("AWS::Lambda::Function", "lambda:AssociateRuntimeAlias", &["RuntimeAlias"]),
    ("AWS::Lambda::Alias", "lambda:*ProvisionedConcurrencyConfig", &["ProvisionedConcurrencyConfig"]),
    ("AWS::Lambda::Alias", "codedeploy:*", &["RoutingConfig"]),
    ("AWS::Lambda::Version", "lambda:*ProvisionedConcurrencyConfig", &["ProvisionedConcurrencyConfig"]),
    ("AWS::Lambda::Version", "lambda:PutRuntimeManagementConfig", &["RuntimePolicy"]),
    ("AWS::Lambda::Version", "lambda:PutFunctionScalingConfig", &["FunctionScalingConfig"]),
    ("AWS::Logs::LogGroup", "logs:*DataProtectionPolicy", &["DataProtectionPolicy"]),
    ("AWS::Logs::LogGroup", "logs:*IndexPolic*", &["FieldIndexPolicies"]),
    ("AWS::Logs::LogGroup", "logs:*ResourcePolic*", &["ResourcePolicyDocument"]),
    ("AWS::Logs::LogGroup", "logs:*LogDelivery", &["DataProtectionPolicy"]),
    ("AWS::Logs::LogGroup", "firehose:*", &["DataProtectionPolicy"]),
    ("AWS::Logs::LogGroup", "logs:PutBearerTokenAuthentication", &["BearerTokenAuthenticationEnabled"]),
    ("AWS::Logs::LogGroup", "logs:PutLogGroupDeletionProtection", &["DeletionProtectionEnabled"]),
    ("AWS::SNS::Topic", "sns:*DataProtectionPolicy", &["DataProtectionPolicy"]),
    ("AWS::SNS::Topic", "sns:Subscribe", &["Subscription"]),
    ("AWS::SNS::Topic", "sns:Unsubscribe", &["Subscription"]),
    ("AWS::SNS::Topic", "iam:*", &["DeliveryStatusLogging"]),
    ("AWS::ECS::Cluster", "ecs:PutAccountSetting*", &["ClusterSettings"]),
    ("AWS::ECS::Cluster", "ecs:PutClusterCapacityProviders", &["CapacityProviders"]),
    ("AWS::ECS::Cluster", "iam:CreateServiceLinkedRole", &[]),
    ("AWS::EC2::VPC", "ec2:CreateVpcEncryptionControl", &["VpcEncryptionControl"]),
    ("AWS::EC2::FlowLog", "s3:*", &["LogDestination"]),
    ("AWS::EC2::FlowLog", "autoscaling:*", &[]),
    ("AWS::EC2::FlowLog", "iam:CreateServiceLinkedRole", &[]),
    ("AWS::EC2::VPCGatewayAttachment", "ec2:*VpnGateway*", &["VpnGatewayId"]),
];

/// Whether a handler permission is demanded of a resource with these properties.
fn demanded(kind: &str, action: &str, props: &Json) -> bool {
    let (service, name) = action.split_once(':').unwrap_or(("", action));
    // Not IAM actions (`s3:REST.PUT.OBJECT` in the LogGroup schema): nothing to allow.
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'*') {
        return false;
    }
    let has = |key: &str| props.get(key).is_some_and(|v| !v.is_null());
    for (t, pattern, properties) in CONDITIONAL {
        if *t == kind && super::wildcard::glob_ignore_case(pattern, action) {
            return properties.iter().any(|p| has(p));
        }
    }
    let own_service = kind.split("::").nth(1).is_some_and(|s| s.eq_ignore_ascii_case(service));
    // Tag calls: only for a resource given tags.
    let tagging = ["Tag", "Untag", "CreateTags", "DeleteTags", "AddTags", "RemoveTags"];
    if tagging.iter().any(|t| name.starts_with(t)) {
        return has("Tags") || has("tags");
    }
    // KMS calls of other services' handlers: only for a resource given a key.
    if service == "kms" && !own_service {
        return mentions_key(props);
    }
    // Passing a role: only for a resource given one.
    if action.eq_ignore_ascii_case("iam:PassRole") {
        return mentions(props, &|k| k.contains("Role"));
    }
    true
}

/// Whether any property (at any depth) names a KMS key.
fn mentions_key(props: &Json) -> bool {
    mentions(props, &|k| {
        let k = k.to_ascii_lowercase();
        k.contains("kms") || k.ends_with("keyarn") || k.ends_with("keyid") || k == "encryptionkey"
    })
}

/// Whether any object key at any depth satisfies `test`, with a non-null value.
fn mentions(value: &Json, test: &dyn Fn(&str) -> bool) -> bool {
    match value {
        Json::Object(map) => map.iter().any(|(k, v)| (!v.is_null() && test(k)) || mentions(v, test)),
        Json::Array(items) => items.iter().any(|v| mentions(v, test)),
        _ => false,
    }
}

/// The IAM actions CloudFormation calls with the deploying principal's credentials for a
/// resource of `kind` with `props`, once each; none for types without a schema (custom
/// resources, modules: their provider decides).
pub fn actions(kind: &str, props: &Json, handlers: Handlers) -> Vec<&'static str> {
    let Some(info) = resource_type_info(kind) else { return Vec::new() };
    let p = &info.handler_permissions;
    let lists: &[&'static str] = match handlers {
        Handlers::Create => &[p.create],
        Handlers::All => &[p.create, p.update, p.delete],
    };
    let mut out: Vec<&'static str> = Vec::new();
    for action in lists.iter().flat_map(|l| l.split_ascii_whitespace()) {
        if !out.iter().any(|a| a.eq_ignore_ascii_case(action)) && demanded(kind, action, props) {
            out.push(action);
        }
    }
    out
}

/// What a role that keeps these resources current must be allowed: what [`actions`]
/// demands of each over its create, update and delete handlers, with tag calls included
/// whether or not the resource has tags yet (aspects such as `Tags` add them at
/// synthesis), once each, sorted.
#[cfg_attr(not(feature = "full"), allow(dead_code))] // used by the pipeline, which may be off
pub fn deployer_actions<'a>(resources: impl IntoIterator<Item = (&'a str, &'a Json)>) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for (kind, props) in resources {
        let mut props = props.clone();
        if let Json::Object(map) = &mut props {
            map.entry("Tags").or_insert_with(|| Json::Array(Vec::new()));
        }
        out.extend(actions(kind, &props, Handlers::All));
    }
    out.sort_by_key(|a| a.to_ascii_lowercase());
    out.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    #[test]
    fn every_type_lists_handler_permissions_from_its_schema() {
        let with_create = crate::cfn::RESOURCE_TYPES.iter().filter(|t| t.handler_permissions.create().next().is_some());
        assert!(with_create.count() > 1500);
        let eip = actions("AWS::EC2::EIP", &json!({"Domain": "vpc"}), Handlers::All);
        for needed in ["ec2:AllocateAddress", "ec2:ReleaseAddress", "ec2:DescribeAddresses"] {
            assert!(eip.contains(&needed), "{eip:?}");
        }
        assert!(!eip.contains(&"ec2:AcceptAddressTransfer"));
        assert!(actions("Custom::Thing", &json!({}), Handlers::All).is_empty());
    }

    #[test]
    fn permissions_for_properties_not_set_are_not_demanded() {
        let policy = actions("AWS::IAM::Policy", &json!({"Roles": [{"Ref": "R"}]}), Handlers::All);
        assert!(policy.contains(&"iam:PutRolePolicy") && !policy.contains(&"iam:PutGroupPolicy"), "{policy:?}");
        let plain = actions("AWS::Lambda::Function", &json!({"Role": "r", "Code": {"ZipFile": "x"}}), Handlers::Create);
        assert!(plain.contains(&"iam:PassRole") && !plain.contains(&"kms:CreateGrant"), "{plain:?}");
        assert!(!plain.contains(&"lambda:TagResource") && !plain.contains(&"ec2:DescribeVpcs"));
        let keyed = actions("AWS::Lambda::Function", &json!({"KmsKeyArn": "k", "Tags": []}), Handlers::Create);
        assert!(keyed.contains(&"kms:CreateGrant") && keyed.contains(&"lambda:TagResource"));
        let log_group = actions("AWS::Logs::LogGroup", &json!({}), Handlers::Create);
        assert!(!log_group.iter().any(|a| a.contains('.')), "{log_group:?}");
    }
}
