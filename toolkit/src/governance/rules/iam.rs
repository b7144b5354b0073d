//! IAM: identity policies, trust policies and resource policies.

use serde_json::Value as Json;

use super::{
    Cel, Check, Impl, Resource, allows, cel_allows, cel_list, cel_statements, condition_keys, has_condition,
    is_public_principal, label, list, statements, strings,
};
use cloudwright_constructs::iam::wildcard::glob_ignore_case;

use crate::iam::documents::{Kind, Place, documents, statement_shaped};

/// CEL: every statement of the resource's identity policies (`PolicyDocument`, or each of
/// `Policies`) satisfies the condition given, over `s`.
macro_rules! identity_cel {
    ($($ok:tt)+) => {
        concat!(
            "(!has(props.PolicyDocument) || ", cel_statements!("props.PolicyDocument", $($ok)+), ") && ",
            "(!has(props.Policies) || ", cel_list!("props.Policies"), ".all(p, !has(p.PolicyDocument) || ",
            cel_statements!("p.PolicyDocument", $($ok)+), "))"
        )
    };
}

pub(super) const RULES: &[Impl] = &[
    Impl {
        id: "CW-IAM-1",
        check: Check::Resource(all_actions),
        guard: Some(concat!(
            "%resources[ Properties.PolicyDocument exists ].Properties.PolicyDocument.Statement[*] {\n",
            "    Effect != \"Allow\" or Action[*] != \"*\"\n",
            "  }\n",
            "  %resources[ Properties.Policies exists ].Properties.Policies[*].PolicyDocument.Statement[*] {\n",
            "    Effect != \"Allow\" or Action[*] != \"*\"\n",
            "  }"
        )),
        cel: Cel::Check(identity_cel!(concat!(
            "!(",
            cel_allows!(),
            " && has(s.Action) && ",
            cel_list!("s.Action"),
            ".exists(a, a == '*'))"
        ))),
    },
    Impl {
        id: "CW-IAM-2",
        check: Check::Resource(service_wildcards),
        guard: None,
        cel: Cel::Check(identity_cel!(concat!(
            "!(",
            cel_allows!(),
            " && has(s.Action) && ",
            cel_list!("s.Action"),
            ".exists(a, type(a) == string && a.endsWith(':*')))"
        ))),
    },
    Impl {
        id: "CW-IAM-3",
        check: Check::Resource(all_resources),
        guard: None,
        cel: Cel::Cannot("needs the list of actions that only accept Resource \"*\", kept in Rust"),
    },
    Impl {
        id: "CW-IAM-4",
        check: Check::Resource(pass_any_role),
        guard: None,
        cel: Cel::Cannot("matches IAM action patterns (`iam:Pass*`, case-insensitive wildcards) against iam:PassRole"),
    },
    Impl {
        id: "CW-IAM-5",
        check: Check::Resource(allow_with_not),
        guard: None,
        cel: Cel::Check(identity_cel!(concat!("!(", cel_allows!(), " && (has(s.NotAction) || has(s.NotResource)))"))),
    },
    Impl {
        id: "CW-IAM-6",
        check: Check::Resource(confused_deputy),
        guard: None,
        cel: Cel::Check(cel_statements!(
            "props.AssumeRolePolicyDocument",
            concat!(
                "!(",
                cel_allows!(),
                " && has(s.Principal) && type(s.Principal) == map && has(s.Principal.Service) && ",
                cel_list!("s.Principal.Service"),
                ".exists(v, !(v in ['lambda.amazonaws.com', 'edgelambda.amazonaws.com', 'ec2.amazonaws.com', 'ecs-tasks.amazonaws.com', 'cloudformation.amazonaws.com'])) && ",
                "!(has(s.Condition) && type(s.Condition) == map && s.Condition.exists(op, type(s.Condition[op]) == map && ",
                "s.Condition[op].exists(k, k.matches('(?i)^aws:(sourceaccount|sourcearn|sourceorgid|sourceorgpaths)$')))))"
            )
        )),
    },
    Impl {
        id: "CW-IAM-7",
        check: Check::Resource(public_trust),
        guard: Some(concat!(
            "%resources.Properties.AssumeRolePolicyDocument.Statement[*] {\n",
            "    Effect != \"Allow\" or Condition exists or Principal is_struct or Principal != \"*\"\n",
            "  }\n",
            "  %resources.Properties.AssumeRolePolicyDocument.Statement[ Effect == \"Allow\" Condition not exists ",
            "Principal.AWS exists ].Principal.AWS[*] {\n",
            "    this is_struct or this != \"*\"\n",
            "  }"
        )),
        cel: Cel::Check(cel_statements!(
            "props.AssumeRolePolicyDocument",
            concat!(
                "!(",
                cel_allows!(),
                " && has(s.Principal) && (s.Principal == '*' || (type(s.Principal) == map && ",
                "has(s.Principal.AWS) && ",
                cel_list!("s.Principal.AWS"),
                ".exists(p, p == '*'))) && ",
                "!(has(s.Condition) && type(s.Condition) == map && size(s.Condition) > 0))"
            )
        )),
    },
    Impl {
        id: "CW-IAM-8",
        check: Check::Resource(administrator_access),
        guard: None,
        cel: Cel::Check(concat!(
            "!has(props.ManagedPolicyArns) || ",
            cel_list!("props.ManagedPolicyArns"),
            ".all(a, !(type(a) == string && a.contains('policy/AdministratorAccess')))"
        )),
    },
    Impl {
        id: "CW-IAM-9",
        check: Check::Resource(iam_user),
        guard: Some("%resources.Type != \"AWS::IAM::User\""),
        cel: Cel::Check("false"),
    },
    Impl {
        id: "CW-IAM-10",
        check: Check::Resource(public_resource_policy),
        guard: None,
        cel: Cel::Cannot(
            "reads a different policy property per type, and Lambda permissions and event bus policies in their own shapes",
        ),
    },
];

/// Every identity policy statement of a resource, with its policy's name for messages.
fn identity_statements(r: &Resource) -> Vec<(String, usize, Json)> {
    let mut out = Vec::new();
    for doc in documents(r.kind(), r.props()).into_iter().filter(|d| d.kind == Kind::Identity) {
        let name = match doc.place {
            Place::Inline(_) => {
                format!("inline policy {:?}", doc.policy_name.and_then(Json::as_str).unwrap_or("inline"))
            }
            _ => "policy".to_owned(),
        };
        for (i, s) in statements(Some(doc.document)).into_iter().enumerate() {
            out.push((name.clone(), i, s));
        }
    }
    out
}

/// Messages for each allowing statement whose `key` values match `bad`.
fn allowing(r: &Resource, key: &str, bad: impl Fn(&str) -> bool, what: &str) -> Vec<String> {
    identity_statements(r)
        .into_iter()
        .filter(|(_, _, s)| allows(s))
        .filter_map(|(policy, i, s)| {
            let hits: Vec<&str> = strings(s.get(key)).into_iter().filter(|v| bad(v)).collect();
            (!hits.is_empty()).then(|| format!("{policy}, {}: {what} {}", label(&s, i), hits.join(", ")))
        })
        .collect()
}

fn all_actions(r: &Resource) -> Vec<String> {
    allowing(r, "Action", |a| a == "*", "allows Action")
}

fn service_wildcards(r: &Resource) -> Vec<String> {
    allowing(r, "Action", |a| a.ends_with(":*"), "allows every action of")
}

/// Actions that only accept `Resource: "*"`, so a wildcard there is not a finding.
fn needs_star(action: &str) -> bool {
    const ONLY_STAR: &[&str] = &[
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
        "xray:GetSamplingStatisticSummaries",
        "cloudwatch:PutMetricData",
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
        "sts:GetCallerIdentity",
        "logs:DescribeLogGroups",
    ];
    let verb = action.split_once(':').map_or(action, |(_, v)| v);
    ONLY_STAR.contains(&action) || verb.starts_with("Describe") || verb.starts_with("List")
}

fn all_resources(r: &Resource) -> Vec<String> {
    identity_statements(r)
        .into_iter()
        .filter(|(_, _, s)| allows(s) && strings(s.get("Resource")).contains(&"*"))
        .filter_map(|(policy, i, s)| {
            let actions: Vec<&str> = strings(s.get("Action")).into_iter().filter(|a| !needs_star(a)).collect();
            (!actions.is_empty())
                .then(|| format!("{policy}, {}: {} on Resource \"*\"", label(&s, i), actions.join(", ")))
        })
        .collect()
}

fn pass_any_role(r: &Resource) -> Vec<String> {
    identity_statements(r)
        .into_iter()
        .filter(|(_, _, s)| {
            allows(s)
                && strings(s.get("Action")).iter().any(|a| glob_ignore_case(a, "iam:passrole"))
                && strings(s.get("Resource")).contains(&"*")
                && !condition_keys(s).iter().any(|k| k == "iam:passedtoservice")
        })
        .map(|(policy, i, s)| format!("{policy}, {}: allows iam:PassRole on Resource \"*\"", label(&s, i)))
        .collect()
}

fn allow_with_not(r: &Resource) -> Vec<String> {
    identity_statements(r)
        .into_iter()
        .filter(|(_, _, s)| allows(s) && (s.get("NotAction").is_some() || s.get("NotResource").is_some()))
        .map(|(policy, i, s)| format!("{policy}, {}: Allow with NotAction/NotResource", label(&s, i)))
        .collect()
}

/// Services that assume a role as the workload itself, where AWS does not support or
/// need a source condition, and CloudFormation, whose service-role guide documents none
/// for the role it deploys with (a condition on a key it does not send would deny every
/// deployment; `iam:PassRole` decides who may use the role):
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html>
const NO_SOURCE_CONDITION: &[&str] = &[
    "lambda.amazonaws.com",
    "edgelambda.amazonaws.com",
    "ec2.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "cloudformation.amazonaws.com",
];

fn confused_deputy(r: &Resource) -> Vec<String> {
    const SOURCE_KEYS: &[&str] = &["aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths"];
    statements(r.prop(&["AssumeRolePolicyDocument"]))
        .iter()
        .enumerate()
        .filter(|(_, s)| allows(s))
        .filter_map(|(i, s)| {
            let services: Vec<&str> = strings(s.get("Principal").and_then(|p| p.get("Service")))
                .into_iter()
                .filter(|svc| !NO_SOURCE_CONDITION.contains(svc))
                .collect();
            let guarded = condition_keys(s).iter().any(|k| SOURCE_KEYS.contains(&k.as_str()));
            (!services.is_empty() && !guarded).then(|| {
                format!("trust {}: {} without aws:SourceAccount/aws:SourceArn", label(s, i), services.join(", "))
            })
        })
        .collect()
}

fn public_trust(r: &Resource) -> Vec<String> {
    statements(r.prop(&["AssumeRolePolicyDocument"]))
        .iter()
        .enumerate()
        .filter(|(_, s)| allows(s) && is_public_principal(s.get("Principal")) && !has_condition(s))
        .map(|(i, s)| format!("trust {}: Principal \"*\" with no condition", label(s, i)))
        .collect()
}

fn administrator_access(r: &Resource) -> Vec<String> {
    let text = |v: &Json| serde_json::to_string(v).unwrap_or_default();
    list(r.prop(&["ManagedPolicyArns"]))
        .into_iter()
        .filter(|arn| text(arn).contains("policy/AdministratorAccess"))
        .map(|arn| format!("ManagedPolicyArns includes {}", text(arn)))
        .collect()
}

fn iam_user(_: &Resource) -> Vec<String> {
    vec!["an AWS::IAM::User is declared".into()]
}

fn public_resource_policy(r: &Resource) -> Vec<String> {
    let kind = r.kind();
    if kind == "AWS::Lambda::Permission" {
        let open = r.prop(&["Principal"]).and_then(Json::as_str) == Some("*")
            && ["SourceAccount", "SourceArn", "PrincipalOrgID"].iter().all(|k| r.prop(&[k]).is_none());
        return if open {
            vec!["Principal \"*\" with no SourceAccount, SourceArn or PrincipalOrgID".into()]
        } else {
            vec![]
        };
    }
    // A resource policy, or the one statement an event bus policy writes as its properties.
    let statements: Vec<Json> = match statement_shaped(kind, r.props()) {
        Some(statement) => vec![statement],
        None => documents(kind, r.props())
            .into_iter()
            .filter(|d| d.kind == Kind::Resource)
            .flat_map(|d| statements(Some(d.document)))
            .collect(),
    };
    statements
        .iter()
        .enumerate()
        .filter(|(_, s)| allows(s) && is_public_principal(s.get("Principal")) && !has_condition(s))
        .map(|(i, s)| format!("{}: allows Principal \"*\" with no condition", label(s, i)))
        .collect()
}

#[cfg(test)]
mod tests {
    use cloudwright_constructs::iam::wildcard::glob_ignore_case;

    #[test]
    fn action_patterns_match_like_iam() {
        for pattern in ["iam:PassRole", "iam:*", "*", "IAM:passrole", "iam:*Role*", "iam:Pass?ole"] {
            assert!(glob_ignore_case(pattern, "iam:passrole"), "{pattern}");
        }
        for pattern in ["iam:PassRoles", "iam:Get*", "s3:*", "iam:?assRol"] {
            assert!(!glob_ignore_case(pattern, "iam:passrole"), "{pattern}");
        }
    }
}
