//! Security-relevant changes: the statements of IAM policies, SCPs and resource policies,
//! and security group rules, compared one statement or rule at a time.

use serde_json::{Map, Value as Json, json};

use super::json::compact;
use super::{Change, SecurityChange, SecurityKind};
use cloudwright_constructs::iam::policy::document_statements;

/// The statements or rules of one document of a resource.
pub(crate) struct Doc {
    /// Which document: `PolicyDocument`, `Policies[Default]`, `SecurityGroupIngress`.
    pub label: String,
    /// Statements or rules.
    pub kind: SecurityKind,
    /// The statements or rules.
    pub items: Vec<Json>,
    /// The top-level property the document is read from, shown here instead of as a
    /// property change (empty when the items are made of several properties).
    pub property: &'static str,
}

/// Properties whose change concerns access although they hold no statement: attachments,
/// targets, boundaries. `*` means every property of the type.
pub(crate) fn security_properties(resource_type: &str) -> &'static [&'static str] {
    match resource_type {
        "AWS::IAM::Role" => &["ManagedPolicyArns", "PermissionsBoundary"],
        "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => &["Roles", "Users", "Groups"],
        "AWS::Organizations::Policy" => &["TargetIds", "Type"],
        "AWS::S3::BucketPolicy" => &["Bucket"],
        "AWS::SNS::TopicPolicy" => &["Topics"],
        "AWS::SQS::QueuePolicy" => &["Queues"],
        "AWS::Lambda::Permission"
        | "AWS::Events::EventBusPolicy"
        | "AWS::EC2::SecurityGroupIngress"
        | "AWS::EC2::SecurityGroupEgress" => &["*"],
        _ => &[],
    }
}

fn statement_doc(label: &str, property: &'static str, doc: Option<&Json>) -> Option<Doc> {
    let items = document_statements(doc?)?;
    Some(Doc { label: label.to_owned(), kind: SecurityKind::Statement, items, property })
}

/// The documents of a resource with these properties.
pub(crate) fn documents(resource_type: &str, props: &Json) -> Vec<Doc> {
    let get = |k: &str| props.get(k);
    let mut docs = Vec::new();
    match resource_type {
        "AWS::IAM::Role" => {
            docs.extend(statement_doc(
                "AssumeRolePolicyDocument",
                "AssumeRolePolicyDocument",
                get("AssumeRolePolicyDocument"),
            ));
            if let Some(policies) = get("Policies").and_then(Json::as_array) {
                for policy in policies {
                    let name = match policy.get("PolicyName") {
                        Some(Json::String(s)) => s.clone(),
                        Some(other) => compact(other),
                        None => "?".to_owned(),
                    };
                    docs.extend(statement_doc(&format!("Policies[{name}]"), "Policies", policy.get("PolicyDocument")));
                }
            }
        }
        "AWS::IAM::Policy"
        | "AWS::IAM::ManagedPolicy"
        | "AWS::S3::BucketPolicy"
        | "AWS::SNS::TopicPolicy"
        | "AWS::SQS::QueuePolicy"
        | "AWS::Logs::ResourcePolicy" => {
            docs.extend(statement_doc("PolicyDocument", "PolicyDocument", get("PolicyDocument")));
        }
        "AWS::Organizations::Policy" => docs.extend(statement_doc("Content", "Content", get("Content"))),
        "AWS::KMS::Key" => docs.extend(statement_doc("KeyPolicy", "KeyPolicy", get("KeyPolicy"))),
        "AWS::Events::EventBusPolicy" => {
            let statement = match get("Statement") {
                Some(s) => s.clone(),
                None => object(&[
                    ("Sid", get("StatementId")),
                    ("Effect", Some(&json!("Allow"))),
                    ("Principal", get("Principal")),
                    ("Action", get("Action")),
                    ("Resource", get("EventBusName")),
                    ("Condition", get("Condition")),
                ]),
            };
            docs.push(Doc {
                label: "Statement".into(),
                kind: SecurityKind::Statement,
                items: vec![statement],
                property: "",
            });
        }
        "AWS::Lambda::Permission" => {
            let mut condition = Map::new();
            let mut add = |op: &str, key: &str, prop: &str| {
                if let Some(v) = get(prop) {
                    condition.insert(op.to_owned(), json!({ key: v }));
                }
            };
            add("ArnLike", "AWS:SourceArn", "SourceArn");
            add("StringEquals", "AWS:SourceAccount", "SourceAccount");
            add("StringEquals", "aws:PrincipalOrgID", "PrincipalOrgID");
            add("StringEquals", "lambda:FunctionUrlAuthType", "FunctionUrlAuthType");
            let condition = (!condition.is_empty()).then_some(Json::Object(condition));
            let statement = object(&[
                ("Effect", Some(&json!("Allow"))),
                ("Principal", get("Principal")),
                ("Action", get("Action")),
                ("Resource", get("FunctionName")),
                ("Condition", condition.as_ref()),
            ]);
            docs.push(Doc {
                label: "Permission".into(),
                kind: SecurityKind::Statement,
                items: vec![statement],
                property: "",
            });
        }
        "AWS::EC2::SecurityGroup" => {
            for (property, kind) in
                [("SecurityGroupIngress", SecurityKind::Ingress), ("SecurityGroupEgress", SecurityKind::Egress)]
            {
                if let Some(rules) = get(property).and_then(Json::as_array) {
                    docs.push(Doc { label: property.into(), kind, items: rules.clone(), property });
                }
            }
        }
        "AWS::EC2::SecurityGroupIngress" => {
            docs.push(Doc {
                label: "Rule".into(),
                kind: SecurityKind::Ingress,
                items: vec![props.clone()],
                property: "",
            });
        }
        "AWS::EC2::SecurityGroupEgress" => {
            docs.push(Doc {
                label: "Rule".into(),
                kind: SecurityKind::Egress,
                items: vec![props.clone()],
                property: "",
            });
        }
        _ => {}
    }
    docs
}

fn object(fields: &[(&str, Option<&Json>)]) -> Json {
    Json::Object(fields.iter().filter_map(|(k, v)| Some(((*k).to_owned(), (*v)?.clone()))).collect())
}

/// The statement and rule changes between two versions of a resource (either may be absent).
pub(crate) fn changes(old: &[Doc], new: &[Doc]) -> Vec<SecurityChange> {
    let mut labels: Vec<(&str, SecurityKind)> = new.iter().map(|d| (d.label.as_str(), d.kind)).collect();
    for d in old {
        if !labels.iter().any(|(l, k)| *l == d.label && *k == d.kind) {
            labels.push((&d.label, d.kind));
        }
    }
    let mut out = Vec::new();
    for (label, kind) in labels {
        let items = |docs: &[Doc]| -> Vec<Json> {
            docs.iter().filter(|d| d.label == label && d.kind == kind).flat_map(|d| d.items.clone()).collect()
        };
        for (change, old, new) in match_items(&items(old), &items(new), kind) {
            out.push(SecurityChange { document: label.to_owned(), kind, change, old, new });
        }
    }
    out
}

type Matched = (Change, Option<Json>, Option<Json>);

/// Pairs old and new items: equal ones drop out; statements with the same `Sid`, or the
/// same effect and actions, resources or principals, are changes of one statement.
fn match_items(old: &[Json], new: &[Json], kind: SecurityKind) -> Vec<Matched> {
    let mut old_left: Vec<Option<&Json>> = old.iter().map(Some).collect();
    let mut pair: Vec<Option<usize>> = vec![None; new.len()];
    let mut same = vec![false; new.len()];
    for (j, n) in new.iter().enumerate() {
        if let Some(i) = old_left.iter().position(|o| *o == Some(n)) {
            old_left[i] = None;
            same[j] = true;
        }
    }
    let rules: [fn(&Json, &Json) -> bool; 2] = [
        |a, b| a.get("Sid").is_some() && a.get("Sid") == b.get("Sid"),
        |a, b| {
            a.get("Effect") == b.get("Effect")
                && ["Action", "NotAction", "Resource", "Principal"]
                    .iter()
                    .any(|k| a.get(*k).is_some() && a.get(*k) == b.get(*k))
        },
    ];
    if kind == SecurityKind::Statement {
        for rule in rules {
            for (j, n) in new.iter().enumerate() {
                if same[j] || pair[j].is_some() {
                    continue;
                }
                if let Some(i) = old_left.iter().position(|o| o.is_some_and(|o| rule(o, n))) {
                    old_left[i] = None;
                    pair[j] = Some(i);
                }
            }
        }
    }
    let mut out = Vec::new();
    for (j, n) in new.iter().enumerate() {
        match pair[j] {
            _ if same[j] => {}
            Some(i) => out.push((Change::Modified, old.get(i).cloned(), Some(n.clone()))),
            None => out.push((Change::Added, None, Some(n.clone()))),
        }
    }
    for (i, o) in old_left.iter().enumerate() {
        if o.is_some() {
            out.push((Change::Removed, old.get(i).cloned(), None));
        }
    }
    out
}

/// A value as a reader wants it: strings bare, lists of strings comma-separated.
fn plain(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        Json::Array(items) if items.iter().all(Json::is_string) => {
            items.iter().filter_map(Json::as_str).collect::<Vec<_>>().join(", ")
        }
        other => compact(other),
    }
}

/// One line for a statement (`Allow s3:GetObject on Bucket.Arn for {Service: ...}`) or a
/// rule (`tcp 443 from 0.0.0.0/0`).
pub(crate) fn describe(kind: SecurityKind, item: &Json) -> String {
    let field = |k: &str| item.get(k).map(plain);
    match kind {
        SecurityKind::Statement => {
            let mut out = field("Effect").unwrap_or_else(|| "?".into());
            if let Some(a) = field("Action") {
                out.push_str(&format!(" {a}"));
            }
            if let Some(a) = field("NotAction") {
                out.push_str(&format!(" NOT {a}"));
            }
            if let Some(r) = field("Resource") {
                out.push_str(&format!(" on {r}"));
            }
            if let Some(r) = field("NotResource") {
                out.push_str(&format!(" on NOT {r}"));
            }
            if let Some(p) = item.get("Principal") {
                out.push_str(&format!(" for {}", principal(p)));
            }
            if let Some(p) = item.get("NotPrincipal") {
                out.push_str(&format!(" for NOT {}", principal(p)));
            }
            if let Some(c) = item.get("Condition") {
                out.push_str(&format!(" when {}", compact(c)));
            }
            if let Some(s) = field("Sid") {
                out.push_str(&format!(" (Sid {s})"));
            }
            out
        }
        SecurityKind::Ingress | SecurityKind::Egress => {
            let protocol = match field("IpProtocol").as_deref() {
                Some("-1") => "all traffic".to_owned(),
                Some(p) => p.to_owned(),
                None => "?".to_owned(),
            };
            let ports = match (field("FromPort"), field("ToPort")) {
                (Some(a), Some(b)) if a == b && a != "-1" => format!(" {a}"),
                (Some(a), Some(b)) if a != "-1" => format!(" {a}-{b}"),
                _ => String::new(),
            };
            let peers = [
                "CidrIp",
                "CidrIpv6",
                "SourceSecurityGroupId",
                "SourceSecurityGroupName",
                "SourcePrefixListId",
                "DestinationSecurityGroupId",
                "DestinationPrefixListId",
            ];
            let peer = peers.iter().find_map(|k| field(k)).unwrap_or_else(|| "?".into());
            let dir = if kind == SecurityKind::Ingress { "from" } else { "to" };
            let desc = field("Description").map(|d| format!(" ({d})")).unwrap_or_default();
            format!("{protocol}{ports} {dir} {peer}{desc}")
        }
    }
}

fn principal(p: &Json) -> String {
    match p {
        Json::Object(map) => map.iter().map(|(k, v)| format!("{k}: {}", plain(v))).collect::<Vec<_>>().join("; "),
        other => plain(other),
    }
}
