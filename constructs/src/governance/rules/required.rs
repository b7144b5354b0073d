//! What CloudFormation calls to create a resource: the IAM actions of each type, from the
//! table in `required_actions.json` (data, reviewed like data), and the resource's ARN
//! when its literal properties name it.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::Value as Json;

/// The table, as `required_actions.json` holds it.
#[derive(Deserialize, Default)]
struct Table {
    /// IAM service prefixes that are not the type's service segment lower-cased.
    #[serde(default)]
    service_prefixes: HashMap<String, String>,
    /// Resource type to the actions its create handler calls.
    #[serde(default)]
    actions: HashMap<String, Vec<String>>,
    /// Resource type to an ARN pattern: `{Property}` from the resource's literal
    /// properties, `{partition}`, `{region}`, `{account}` from its stack.
    #[serde(default)]
    arns: HashMap<String, String>,
}

// The file is part of the crate: a malformed table fails the unit test below, not users.
static TABLE: LazyLock<Table> =
    LazyLock::new(|| serde_json::from_str(include_str!("required_actions.json")).unwrap_or_default());

/// The actions CloudFormation needs to create a resource of `kind`. Types the table
/// does not list fall back to `<service>:Create<Type>` (`AWS::Foo::Bar` ->
/// `foo:CreateBar`), the action most create handlers call; add the type to the table
/// when that guess is wrong.
pub(crate) fn actions(kind: &str) -> Vec<String> {
    if let Some(listed) = TABLE.actions.get(kind) {
        return listed.clone();
    }
    let mut parts = kind.split("::");
    let (Some("AWS"), Some(service), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
        // Custom resources and modules: CloudFormation calls what their provider decides.
        return Vec::new();
    };
    let prefix =
        TABLE.service_prefixes.get(&format!("AWS::{service}")).cloned().unwrap_or_else(|| service.to_ascii_lowercase());
    vec![format!("{prefix}:Create{name}")]
}

/// The resource's ARN, when the table knows its shape and every property it needs is a
/// literal string; `None` when CloudFormation generates the name or it is a deploy-time value.
pub(crate) fn arn(kind: &str, properties: &Json, account: &str, region: &str) -> Option<String> {
    let pattern = TABLE.arns.get(kind)?;
    let mut out = String::new();
    let mut rest = pattern.as_str();
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
    fn the_table_parses_and_every_action_has_a_service() {
        let table: Table = serde_json::from_str(include_str!("required_actions.json")).unwrap();
        assert!(table.actions.len() >= 50);
        for (kind, actions) in &table.actions {
            assert!(kind.starts_with("AWS::") && !actions.is_empty(), "{kind}");
            assert!(actions.iter().all(|a| a.split_once(':').is_some_and(|(s, n)| !s.is_empty() && !n.is_empty())));
        }
    }

    #[test]
    fn listed_types_use_the_table_and_others_fall_back() {
        assert_eq!(actions("AWS::Lambda::Function"), ["lambda:CreateFunction", "iam:PassRole"]);
        assert_eq!(actions("AWS::Batch::ComputeEnvironment"), ["batch:CreateComputeEnvironment"]);
        assert_eq!(actions("AWS::ElasticLoadBalancingV2::LoadBalancer"), ["elasticloadbalancing:CreateLoadBalancer"]);
        assert!(actions("Custom::Thing").is_empty());
    }

    #[test]
    fn arns_come_from_literal_names_only() {
        let named = json!({"RoleName": "deployer"});
        assert_eq!(arn("AWS::IAM::Role", &named, "1", "r").as_deref(), Some("arn:aws:iam::1:role/deployer"));
        assert_eq!(arn("AWS::IAM::Role", &json!({}), "1", "r"), None);
        assert_eq!(arn("AWS::IAM::Role", &json!({"RoleName": {"Ref": "P"}}), "1", "r"), None);
        assert_eq!(arn("AWS::EC2::VPC", &json!({}), "1", "r"), None);
    }
}
