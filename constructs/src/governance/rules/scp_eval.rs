//! Whether a service control policy statement denies an action on a resource, as AWS
//! evaluates it: `Action`/`NotAction` with `*` and `?` wildcards (case-insensitive),
//! `Resource`/`NotResource` against the resource's ARN, and the condition keys whose
//! values the app fixes (the stack's region and account).
//! <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html>
//! <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html>

use serde_json::Value as Json;

use super::{has_condition, strings};
use crate::iam::wildcard::{glob, glob_ignore_case};

/// What a statement does to one action on one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The statement does not deny it.
    Allowed,
    /// The statement denies it whatever happens at deploy time.
    Denied,
    /// The statement denies it when these condition keys hold, which the app does not fix.
    DeniedIf(Vec<String>),
}

/// The deployment a statement is evaluated for.
pub(crate) struct Request<'a> {
    /// The IAM action CloudFormation calls.
    pub action: &'a str,
    /// The resource's ARN, when known before deployment.
    pub arn: Option<&'a str>,
    /// The stack's account.
    pub account: &'a str,
    /// The stack's region.
    pub region: &'a str,
}

/// Whether `statement` denies `request`.
pub(crate) fn evaluate(statement: &Json, request: &Request) -> Verdict {
    if statement.get("Effect").and_then(Json::as_str) != Some("Deny") || !action_matches(statement, request.action) {
        return Verdict::Allowed;
    }
    if !resource_matches(statement, request.arn) {
        return Verdict::Allowed;
    }
    if !has_condition(statement) {
        return Verdict::Denied;
    }
    let mut undecided = Vec::new();
    for (operator, key, values) in conditions(statement) {
        match decide(operator, key, &values, request) {
            // Condition blocks AND together: one that is false lifts the deny.
            Some(false) => return Verdict::Allowed,
            Some(true) => {}
            None => undecided.push(key.to_owned()),
        }
    }
    if undecided.is_empty() { Verdict::Denied } else { Verdict::DeniedIf(undecided) }
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

/// Whether the statement's resources cover the resource. A statement that names
/// resources other than `*` is shown to deny only when the resource's ARN is known
/// (a literal name): generated names cannot be matched before deployment.
fn resource_matches(statement: &Json, arn: Option<&str>) -> bool {
    let patterns = |key: &str| strings(statement.get(key));
    if let Some(resources) = statement.get("Resource") {
        let resources = strings(Some(resources));
        resources.contains(&"*") || arn.is_some_and(|arn| resources.iter().any(|p| glob(p, arn)))
    } else if statement.get("NotResource").is_some() {
        arn.is_some_and(|arn| !patterns("NotResource").iter().any(|p| glob(p, arn)))
    } else {
        // SCPs require a resource element; AWS reads a missing one as every resource.
        true
    }
}

/// Every (operator, key, values) of a statement's `Condition`.
fn conditions(statement: &Json) -> Vec<(&str, &str, Vec<&str>)> {
    let Some(blocks) = statement.get("Condition").and_then(Json::as_object) else { return Vec::new() };
    let mut out = Vec::new();
    for (operator, tests) in blocks {
        for (key, values) in tests.as_object().into_iter().flatten() {
            out.push((operator.as_str(), key.as_str(), strings(Some(values))));
        }
    }
    out
}

/// The value of a condition test when the app fixes its key; `None` when only the
/// request at deploy time can tell (principal, tags, source IP, ...).
fn decide(operator: &str, key: &str, values: &[&str], request: &Request) -> Option<bool> {
    let actual = match key.to_ascii_lowercase().as_str() {
        // CloudFormation calls the service in the stack's region.
        "aws:requestedregion" => request.region,
        // The deploying principal and the resource both live in the stack's account.
        "aws:principalaccount" | "aws:resourceaccount" => request.account,
        _ => return None,
    };
    // The key is always present here, so `...IfExists` reads as the plain operator.
    let operator = operator.strip_suffix("IfExists").unwrap_or(operator);
    let (negated, matches): (bool, fn(&str, &str) -> bool) = match operator {
        "StringEquals" => (false, |p, v| p == v),
        "StringNotEquals" => (true, |p, v| p == v),
        "StringEqualsIgnoreCase" => (false, |p, v| p.eq_ignore_ascii_case(v)),
        "StringNotEqualsIgnoreCase" => (true, |p, v| p.eq_ignore_ascii_case(v)),
        "StringLike" => (false, glob),
        "StringNotLike" => (true, glob),
        _ => return None,
    };
    let any = values.iter().any(|p| matches(p, actual));
    Some(any != negated)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn request(action: &str) -> Request<'_> {
        Request { action, arn: None, account: "200000000000", region: "us-east-1" }
    }

    #[test]
    fn actions_match_case_insensitively_and_not_action_inverts() {
        let deny = json!({"Effect": "Deny", "Action": "PROTON:*", "Resource": "*"});
        assert_eq!(evaluate(&deny, &request("proton:CreateEnvironmentAccountConnection")), Verdict::Denied);
        let not = json!({"Effect": "Deny", "NotAction": ["iam:*"], "Resource": "*"});
        assert_eq!(evaluate(&not, &request("iam:CreateRole")), Verdict::Allowed);
        assert_eq!(evaluate(&not, &request("lambda:CreateFunction")), Verdict::Denied);
        let allow = json!({"Effect": "Allow", "Action": "*", "Resource": "*"});
        assert_eq!(evaluate(&allow, &request("lambda:CreateFunction")), Verdict::Allowed);
    }

    #[test]
    fn named_resources_need_a_known_arn() {
        let deny =
            json!({"Effect": "Deny", "Action": "iam:CreateRole", "Resource": "arn:aws:iam::*:role/aws-controltower-*"});
        assert_eq!(evaluate(&deny, &request("iam:CreateRole")), Verdict::Allowed);
        let ct = Request { arn: Some("arn:aws:iam::2:role/aws-controltower-Admin"), ..request("iam:CreateRole") };
        assert_eq!(evaluate(&deny, &ct), Verdict::Denied);
        let mine = Request { arn: Some("arn:aws:iam::2:role/mine"), ..request("iam:CreateRole") };
        assert_eq!(evaluate(&deny, &mine), Verdict::Allowed);
    }

    #[test]
    fn conditions_on_the_region_are_decided_and_others_are_not() {
        let outside = json!({"Effect": "Deny", "NotAction": "iam:*", "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "us-west-2"]},
                          "ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::*:role/AWSControlTowerExecution"}}});
        assert_eq!(evaluate(&outside, &request("lambda:CreateFunction")), Verdict::Allowed);
        let elsewhere = Request { region: "eu-west-1", ..request("lambda:CreateFunction") };
        assert_eq!(evaluate(&outside, &elsewhere), Verdict::DeniedIf(vec!["aws:PrincipalARN".into()]));
        let only_region = json!({"Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"StringNotEqualsIfExists": {"aws:RequestedRegion": "us-east-1"}}});
        assert_eq!(evaluate(&only_region, &elsewhere), Verdict::Denied);
    }
}
