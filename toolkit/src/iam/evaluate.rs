//! IAM policy evaluation over synthesized policy documents, as AWS evaluates a request:
//! an explicit `Deny` wins, then an `Allow` is needed
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>).
//! `Action`/`NotAction` match with `*`/`?` ignoring case, `Resource`/`NotResource` against
//! the resource's ARN when it is known before deployment, and conditions are decided for
//! the keys the request fixes (the stack's region and account, and values the resource's
//! own properties set, such as `iam:PermissionsBoundary`).
//!
//! One evaluator serves every rule that asks "may this principal do that": service control
//! policies over the stacks below them, and the roles that deploy stacks.
//! <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html>

use serde_json::Value as Json;

use cloudwright_constructs::iam::wildcard::{glob, glob_ignore_case};

/// Whether a statement applies to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Applies {
    /// It does not.
    No,
    /// It does, whatever happens at deploy time.
    Yes,
    /// It does when these condition keys hold, which the assembly does not fix.
    If(Vec<String>),
}

/// One call CloudFormation makes, as the evaluator sees it.
pub(crate) struct Request<'a> {
    /// The IAM action.
    pub action: &'a str,
    /// The resource's ARN, when known before deployment.
    pub arn: Option<&'a str>,
    /// The stack's account.
    pub account: &'a str,
    /// The stack's region.
    pub region: &'a str,
    /// Further condition keys (lower-case) whose values the request fixes.
    pub keys: &'a [(&'a str, String)],
}

/// What a set of statements decides for a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    /// An `Allow` applies and no `Deny` may.
    Allowed,
    /// No `Allow` applies (an implicit deny).
    NotAllowed,
    /// A `Deny` applies for sure.
    Denied,
}

/// Whether `statements` (one principal's identity policies) allow `request`. Allows whose
/// applicability depends on keys only deployment fixes count as allowing, and denies that
/// do as not denying: a rule built on this reports only what it can show.
pub(crate) fn decide<'s>(statements: impl IntoIterator<Item = &'s Json>, request: &Request) -> Decision {
    let mut allowed = false;
    for statement in statements {
        match (effect(statement), applies(statement, request)) {
            (Some(Effect::Deny), Applies::Yes) => return Decision::Denied,
            (Some(Effect::Allow), Applies::Yes | Applies::If(_)) => allowed = true,
            _ => {}
        }
    }
    if allowed { Decision::Allowed } else { Decision::NotAllowed }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Effect {
    Allow,
    Deny,
}

fn effect(statement: &Json) -> Option<Effect> {
    match statement.get("Effect").and_then(Json::as_str) {
        Some("Allow") => Some(Effect::Allow),
        Some("Deny") => Some(Effect::Deny),
        _ => None,
    }
}

/// Whether a `Deny` statement denies `request` (an `Allow` never does).
pub(crate) fn denies(statement: &Json, request: &Request) -> Applies {
    if effect(statement) != Some(Effect::Deny) { Applies::No } else { applies(statement, request) }
}

/// Whether `statement` (either effect) applies to `request`.
pub(crate) fn applies(statement: &Json, request: &Request) -> Applies {
    let allow = effect(statement) == Some(Effect::Allow);
    if !action_matches(statement, request.action) || !resource_matches(statement, request, allow) {
        return Applies::No;
    }
    let mut undecided = Vec::new();
    for (operator, key, values) in conditions(statement, request) {
        match decide_condition(operator, key, &values, request) {
            // Condition blocks AND together: one that is false and the statement is out.
            Some(false) => return Applies::No,
            Some(true) => {}
            None => undecided.push(key.to_owned()),
        }
    }
    if undecided.is_empty() { Applies::Yes } else { Applies::If(undecided) }
}

/// The literal strings of a string-or-list value (policy elements are either).
pub(crate) fn strings(value: Option<&Json>) -> Vec<&str> {
    match value {
        Some(Json::Array(items)) => items.iter().filter_map(Json::as_str).collect(),
        Some(Json::String(s)) => vec![s.as_str()],
        _ => Vec::new(),
    }
}

/// Whether the statement's `Action` (or `NotAction`) covers the action.
fn action_matches(statement: &Json, action: &str) -> bool {
    let any = |key: &str| strings(statement.get(key)).iter().any(|p| glob_ignore_case(p, action));
    if statement.get("Action").is_some() {
        any("Action")
    } else if statement.get("NotAction").is_some() {
        !any("NotAction")
    } else {
        false
    }
}

/// A policy value (an ARN or ARN pattern, a principal, a condition value) as deployed,
/// when the stack's environment is all it needs: a literal, a pseudo parameter, or an
/// `Fn::Sub`/`Fn::Join` of those; `None` for anything only deployment knows. The one
/// reader of such values for the rules that evaluate policies.
pub(crate) fn resolve(value: &Json, account: &str, region: &str) -> Option<String> {
    let pseudo = |name: &str| match name {
        "AWS::Partition" => Some("aws".to_owned()),
        "AWS::Region" => Some(region.to_owned()),
        "AWS::AccountId" => Some(account.to_owned()),
        "AWS::URLSuffix" => Some("amazonaws.com".to_owned()),
        _ => None,
    };
    match value {
        Json::String(s) => Some(s.clone()),
        Json::Object(map) if map.len() == 1 => {
            if let Some(name) = map.get("Ref").and_then(Json::as_str) {
                return pseudo(name);
            }
            if let Some(text) = map.get("Fn::Sub").and_then(Json::as_str) {
                let mut out = String::new();
                let mut rest = text;
                while let Some((before, after)) = rest.split_once("${") {
                    let (name, tail) = after.split_once('}')?;
                    out.push_str(before);
                    out.push_str(&pseudo(name)?);
                    rest = tail;
                }
                out.push_str(rest);
                return Some(out);
            }
            let join = map.get("Fn::Join")?.as_array()?;
            let (separator, parts) = (join.first()?.as_str()?, join.get(1)?.as_array()?);
            let parts: Option<Vec<String>> = parts.iter().map(|p| resolve(p, account, region)).collect();
            Some(parts?.join(separator))
        }
        _ => None,
    }
}

/// A `Resource` entry or condition value as the request's environment deploys it.
fn pattern(value: &Json, request: &Request) -> Option<String> {
    resolve(value, request.account, request.region)
}

/// Whether the statement's resources cover the resource. With the ARN unknown (a
/// generated name) a `Deny` naming resources other than `*` is not shown to apply, while
/// an `Allow` naming resources of the action's service is taken to: neither can be
/// decided before deployment, and rules report only what they can show.
fn resource_matches(statement: &Json, request: &Request, allow: bool) -> bool {
    let entries = |key: &str| -> Vec<Option<String>> {
        match statement.get(key) {
            Some(Json::Array(items)) => items.iter().map(|v| pattern(v, request)).collect(),
            Some(value) => vec![pattern(value, request)],
            None => Vec::new(),
        }
    };
    let service = request.action.split(':').next().unwrap_or_default();
    let may_match = |p: &Option<String>| match (p, request.arn) {
        (Some(p), _) if p == "*" => true,
        (Some(p), Some(arn)) => glob(p, arn),
        // A deploy-time pattern, or an unknown ARN: only an Allow is given the benefit.
        (Some(p), None) => allow && p.split(':').nth(2).is_none_or(|s| glob_ignore_case(s, service)),
        (None, _) => allow,
    };
    if statement.get("Resource").is_some() {
        entries("Resource").iter().any(may_match)
    } else if statement.get("NotResource").is_some() {
        let excluded = |p: &Option<String>| match (p, request.arn) {
            (Some(p), Some(arn)) => glob(p, arn),
            (Some(p), None) => p == "*",
            (None, _) => false,
        };
        (request.arn.is_some() || allow) && !entries("NotResource").iter().any(excluded)
    } else {
        // SCPs need a resource element; AWS reads a missing one as every resource.
        true
    }
}

/// Every (operator, key, values) of a statement's `Condition`, the values as deployed
/// where the request's environment fixes them (deploy-time values are left out).
fn conditions<'s>(statement: &'s Json, request: &Request) -> Vec<(&'s str, &'s str, Vec<String>)> {
    let Some(blocks) = statement.get("Condition").and_then(Json::as_object) else { return Vec::new() };
    let mut out = Vec::new();
    for (operator, tests) in blocks {
        for (key, values) in tests.as_object().into_iter().flatten() {
            let values = match values {
                Json::Array(items) => items.iter().filter_map(|v| pattern(v, request)).collect(),
                value => pattern(value, request).into_iter().collect(),
            };
            out.push((operator.as_str(), key.as_str(), values));
        }
    }
    out
}

/// The value of a condition test when the request fixes its key; `None` when only the
/// request at deploy time can tell (principal, tags, source IP, ...).
fn decide_condition(operator: &str, key: &str, values: &[String], request: &Request) -> Option<bool> {
    let key = key.to_ascii_lowercase();
    let actual = match key.as_str() {
        // CloudFormation calls the service in the stack's region.
        "aws:requestedregion" => request.region.to_owned(),
        // The deploying principal and the resource both live in the stack's account.
        "aws:principalaccount" | "aws:resourceaccount" => request.account.to_owned(),
        other => request.keys.iter().find(|(k, _)| *k == other)?.1.clone(),
    };
    let if_exists = operator.ends_with("IfExists");
    let operator = operator.strip_suffix("IfExists").unwrap_or(operator);
    let (negated, matches): (bool, fn(&str, &str) -> bool) = match operator {
        "StringEquals" | "ArnEquals" => (false, |p, v| p == v),
        "StringNotEquals" | "ArnNotEquals" => (true, |p, v| p == v),
        "StringEqualsIgnoreCase" => (false, |p, v| p.eq_ignore_ascii_case(v)),
        "StringNotEqualsIgnoreCase" => (true, |p, v| p.eq_ignore_ascii_case(v)),
        "StringLike" | "ArnLike" => (false, glob),
        "StringNotLike" | "ArnNotLike" => (true, glob),
        "Null" => {
            return Some(
                values.iter().any(|v| v.eq_ignore_ascii_case(if actual.is_empty() { "true" } else { "false" })),
            );
        }
        _ => return None,
    };
    // A key the request fixes as absent (empty) passes an `...IfExists` test.
    if actual.is_empty() {
        return Some(if_exists || negated);
    }
    let any = values.iter().any(|p| matches(p, &actual));
    Some(any != negated)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn request(action: &str) -> Request<'_> {
        Request { action, arn: None, account: "200000000000", region: "us-east-1", keys: &[] }
    }

    #[test]
    fn actions_match_case_insensitively_and_not_action_inverts() {
        let deny = json!({"Effect": "Deny", "Action": "PROTON:*", "Resource": "*"});
        assert_eq!(denies(&deny, &request("proton:CreateEnvironmentAccountConnection")), Applies::Yes);
        let not = json!({"Effect": "Deny", "NotAction": ["iam:*"], "Resource": "*"});
        assert_eq!(denies(&not, &request("iam:CreateRole")), Applies::No);
        assert_eq!(denies(&not, &request("lambda:CreateFunction")), Applies::Yes);
        let allow = json!({"Effect": "Allow", "Action": "*", "Resource": "*"});
        assert_eq!(denies(&allow, &request("lambda:CreateFunction")), Applies::No);
    }

    #[test]
    fn named_resources_need_a_known_arn_to_deny() {
        let deny =
            json!({"Effect": "Deny", "Action": "iam:CreateRole", "Resource": "arn:aws:iam::*:role/aws-controltower-*"});
        assert_eq!(denies(&deny, &request("iam:CreateRole")), Applies::No);
        let ct = Request { arn: Some("arn:aws:iam::2:role/aws-controltower-Admin"), ..request("iam:CreateRole") };
        assert_eq!(denies(&deny, &ct), Applies::Yes);
        let mine = Request { arn: Some("arn:aws:iam::2:role/mine"), ..request("iam:CreateRole") };
        assert_eq!(denies(&deny, &mine), Applies::No);
    }

    #[test]
    fn conditions_on_the_region_are_decided_and_others_are_not() {
        let outside = json!({"Effect": "Deny", "NotAction": "iam:*", "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "us-west-2"]},
                          "ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::*:role/AWSControlTowerExecution"}}});
        assert_eq!(denies(&outside, &request("lambda:CreateFunction")), Applies::No);
        let elsewhere = Request { region: "eu-west-1", ..request("lambda:CreateFunction") };
        assert_eq!(denies(&outside, &elsewhere), Applies::If(vec!["aws:PrincipalARN".into()]));
        let only_region = json!({"Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"StringNotEqualsIfExists": {"aws:RequestedRegion": "us-east-1"}}});
        assert_eq!(denies(&only_region, &elsewhere), Applies::Yes);
    }

    #[test]
    fn identity_policies_allow_deny_wins_and_sub_patterns_resolve() {
        let role_arns = json!({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/app-*"});
        let policy = [
            json!({"Effect": "Allow", "Action": ["ec2:*Vpc*", "iam:CreateRole"], "Resource": "*"}),
            json!({"Effect": "Allow", "Action": "iam:PutRolePolicy", "Resource": role_arns}),
            json!({"Effect": "Deny", "Action": "ec2:DeleteVpc", "Resource": "*"}),
        ];
        assert_eq!(decide(&policy, &request("ec2:CreateVpc")), Decision::Allowed);
        assert_eq!(decide(&policy, &request("ec2:DeleteVpc")), Decision::Denied);
        assert_eq!(decide(&policy, &request("ec2:AllocateAddress")), Decision::NotAllowed);
        let app = Request { arn: Some("arn:aws:iam::200000000000:role/app-x"), ..request("iam:PutRolePolicy") };
        assert_eq!(decide(&policy, &app), Decision::Allowed);
        let other = Request { arn: Some("arn:aws:iam::200000000000:role/admin"), ..request("iam:PutRolePolicy") };
        assert_eq!(decide(&policy, &other), Decision::NotAllowed);
        // A generated name: the Allow of the service's resources is given the benefit.
        assert_eq!(decide(&policy, &request("iam:PutRolePolicy")), Decision::Allowed);
    }

    #[test]
    fn keys_the_resource_fixes_decide_conditions() {
        let boundary = "arn:aws:iam::200000000000:policy/boundary";
        let policy = [json!({"Effect": "Allow", "Action": "iam:CreateRole", "Resource": "*",
            "Condition": {"StringEquals": {"iam:PermissionsBoundary": boundary}}})];
        let with = [("iam:permissionsboundary", boundary.to_owned())];
        assert_eq!(decide(&policy, &Request { keys: &with, ..request("iam:CreateRole") }), Decision::Allowed);
        let without = [("iam:permissionsboundary", String::new())];
        assert_eq!(decide(&policy, &Request { keys: &without, ..request("iam:CreateRole") }), Decision::NotAllowed);
    }
}
