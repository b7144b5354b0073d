//! Security-relevant changes: the statements of IAM policies, SCPs and resource policies,
//! and security group rules, compared one statement or rule at a time.

use serde_json::Value as Json;

use super::json::compact;
use super::{Change, SecurityChange, SecurityKind};
use crate::iam::documents::{documents as iam_documents, statement_shaped};
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

/// The documents of a resource with these properties: its policy documents (the one table,
/// [`crate::iam::documents`]), the statement an event bus policy or permission writes as
/// properties, or its security group rules.
pub(crate) fn documents(resource_type: &str, props: &Json) -> Vec<Doc> {
    let mut docs: Vec<Doc> = iam_documents(resource_type, props)
        .into_iter()
        .filter_map(|d| {
            let items = document_statements(d.document)?;
            Some(Doc { label: d.label(compact), kind: SecurityKind::Statement, items, property: d.property() })
        })
        .collect();
    if let Some(statement) = statement_shaped(resource_type, props) {
        let label = if resource_type == "AWS::Lambda::Permission" { "Permission" } else { "Statement" };
        docs.push(Doc { label: label.into(), kind: SecurityKind::Statement, items: vec![statement], property: "" });
    }
    let get = |k: &str| props.get(k);
    match resource_type {
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
