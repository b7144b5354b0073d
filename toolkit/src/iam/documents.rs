//! Where each resource type keeps its policy documents: the one table the governance rules,
//! the deploy rules and `diff` read (CloudFormation's resource reference names the
//! properties: <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-template-resource-type-ref.html>).
//! Event bus policies and Lambda permissions hold one statement in their own shape and are
//! read by [`statement_shaped`].

use serde_json::{Map, Value as Json, json};

/// What a policy document governs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An identity policy: what its principal may do.
    Identity,
    /// A role's trust policy: who may assume it.
    Trust,
    /// A resource policy: who may use the resource.
    Resource,
    /// A service control policy: what an organization's accounts may not do.
    ServiceControl,
}

/// Where a type keeps a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A property holding the document (an object, or JSON text).
    Property(&'static str),
    /// A property holding a list of `{PolicyName, PolicyDocument}` (inline policies).
    Inline(&'static str),
    /// A property of an object property (`ResourcePolicy.PolicyDocument`).
    Nested(&'static str, &'static str),
}

/// Every type that carries policy documents, with where and of what kind.
pub const DOCUMENTS: &[(&str, Place, Kind)] = &[
    ("AWS::IAM::Role", Place::Property("AssumeRolePolicyDocument"), Kind::Trust),
    ("AWS::IAM::Role", Place::Inline("Policies"), Kind::Identity),
    ("AWS::IAM::User", Place::Inline("Policies"), Kind::Identity),
    ("AWS::IAM::Group", Place::Inline("Policies"), Kind::Identity),
    ("AWS::IAM::Policy", Place::Property("PolicyDocument"), Kind::Identity),
    ("AWS::IAM::ManagedPolicy", Place::Property("PolicyDocument"), Kind::Identity),
    ("AWS::IAM::RolePolicy", Place::Property("PolicyDocument"), Kind::Identity),
    ("AWS::IAM::UserPolicy", Place::Property("PolicyDocument"), Kind::Identity),
    ("AWS::IAM::GroupPolicy", Place::Property("PolicyDocument"), Kind::Identity),
    ("AWS::S3::BucketPolicy", Place::Property("PolicyDocument"), Kind::Resource),
    ("AWS::KMS::Key", Place::Property("KeyPolicy"), Kind::Resource),
    ("AWS::SNS::TopicPolicy", Place::Property("PolicyDocument"), Kind::Resource),
    ("AWS::SQS::QueuePolicy", Place::Property("PolicyDocument"), Kind::Resource),
    ("AWS::Logs::ResourcePolicy", Place::Property("PolicyDocument"), Kind::Resource),
    ("AWS::SecretsManager::ResourcePolicy", Place::Property("ResourcePolicy"), Kind::Resource),
    ("AWS::ECR::Repository", Place::Property("RepositoryPolicyText"), Kind::Resource),
    ("AWS::Events::EventBus", Place::Property("Policy"), Kind::Resource),
    ("AWS::DynamoDB::Table", Place::Nested("ResourcePolicy", "PolicyDocument"), Kind::Resource),
    ("AWS::Organizations::Policy", Place::Property("Content"), Kind::ServiceControl),
];

/// The types whose one statement is written as the resource's own properties.
pub const STATEMENT_SHAPED: &[&str] = &["AWS::Events::EventBusPolicy", "AWS::Lambda::Permission"];

/// One document of a resource: where it is, the inline policy's `PolicyName`, its kind,
/// and the document as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Document<'a> {
    /// Where the type keeps it.
    pub place: Place,
    /// For an inline policy, its `PolicyName` as written (a string, or an intrinsic).
    pub policy_name: Option<&'a Json>,
    /// What it governs.
    pub kind: Kind,
    /// The document (an object, or JSON text).
    pub document: &'a Json,
}

impl Document<'_> {
    /// The top-level property it is read from.
    pub fn property(&self) -> &'static str {
        match self.place {
            Place::Property(p) | Place::Inline(p) | Place::Nested(p, _) => p,
        }
    }

    /// How reports name it: `PolicyDocument`, `ResourcePolicy.PolicyDocument`,
    /// `Policies[Name]` (a name that is not a string written by `name`).
    pub fn label(&self, name: impl Fn(&Json) -> String) -> String {
        match (self.place, self.policy_name) {
            (Place::Property(p), _) => p.to_owned(),
            (Place::Nested(p, inner), _) => format!("{p}.{inner}"),
            (Place::Inline(p), Some(Json::String(s))) => format!("{p}[{s}]"),
            (Place::Inline(p), Some(other)) => format!("{p}[{}]", name(other)),
            (Place::Inline(p), None) => format!("{p}[?]"),
        }
    }
}

/// The documents a resource of `resource_type` holds in `props`, in table order.
pub fn documents<'a>(resource_type: &str, props: &'a Json) -> Vec<Document<'a>> {
    let mut out = Vec::new();
    for &(_, place, kind) in DOCUMENTS.iter().filter(|(t, _, _)| *t == resource_type) {
        let document = |policy_name, document| Document { place, policy_name, kind, document };
        match place {
            Place::Property(p) => out.extend(props.get(p).filter(|d| !d.is_null()).map(|d| document(None, d))),
            Place::Nested(p, inner) => {
                let found = props.get(p).and_then(|o| o.get(inner)).filter(|d| !d.is_null());
                out.extend(found.map(|d| document(None, d)));
            }
            Place::Inline(p) => {
                for policy in props.get(p).and_then(Json::as_array).into_iter().flatten() {
                    out.extend(policy.get("PolicyDocument").map(|d| document(policy.get("PolicyName"), d)));
                }
            }
        }
    }
    out
}

/// The types holding documents of this kind, each once, in table order.
pub fn types_of(kind: Kind) -> Vec<&'static str> {
    let mut out: Vec<&str> = Vec::new();
    for (t, _, k) in DOCUMENTS {
        if *k == kind && !out.contains(t) {
            out.push(t);
        }
    }
    out
}

/// The statement an event bus policy or a Lambda permission writes as its properties, as
/// a policy statement (`None` for other types).
pub fn statement_shaped(resource_type: &str, props: &Json) -> Option<Json> {
    let get = |k: &str| props.get(k);
    match resource_type {
        "AWS::Events::EventBusPolicy" => Some(match get("Statement") {
            Some(s) => s.clone(),
            None => object(&[
                ("Sid", get("StatementId")),
                ("Effect", Some(&json!("Allow"))),
                ("Principal", get("Principal")),
                ("Action", get("Action")),
                ("Resource", get("EventBusName")),
                ("Condition", get("Condition")),
            ]),
        }),
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
            Some(object(&[
                ("Effect", Some(&json!("Allow"))),
                ("Principal", get("Principal")),
                ("Action", get("Action")),
                ("Resource", get("FunctionName")),
                ("Condition", condition.as_ref()),
            ]))
        }
        _ => None,
    }
}

fn object(fields: &[(&str, Option<&Json>)]) -> Json {
    Json::Object(fields.iter().filter_map(|(k, v)| Some(((*k).to_owned(), (*v)?.clone()))).collect())
}

#[cfg(test)]
mod tests {
    use cloudwright_constructs::governance::catalog::{IDENTITY, INLINE};
    use serde_json::json;

    use super::*;

    #[test]
    fn the_rule_catalog_looks_at_the_types_that_hold_identity_policies() {
        let identity = types_of(Kind::Identity);
        assert_eq!(identity, IDENTITY);
        let inline: Vec<&str> =
            DOCUMENTS.iter().filter(|(_, p, _)| matches!(p, Place::Inline(_))).map(|(t, _, _)| *t).collect();
        assert_eq!(inline, INLINE);
    }

    #[test]
    fn documents_are_read_where_each_type_keeps_them() {
        let role = json!({"AssumeRolePolicyDocument": {"Statement": []}, "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": []}}]});
        let labels: Vec<String> =
            documents("AWS::IAM::Role", &role).into_iter().map(|d| d.label(|n| n.to_string())).collect();
        assert_eq!(labels, ["AssumeRolePolicyDocument", "Policies[p]"]);
        let table = json!({"ResourcePolicy": {"PolicyDocument": {"Statement": []}}});
        assert_eq!(documents("AWS::DynamoDB::Table", &table)[0].kind, Kind::Resource);
        assert!(documents("AWS::SQS::Queue", &json!({"QueueName": "q"})).is_empty());
        let permission = json!({"Principal": "s3.amazonaws.com", "Action": "lambda:InvokeFunction", "FunctionName": "f", "SourceAccount": "1"});
        let statement = statement_shaped("AWS::Lambda::Permission", &permission).unwrap_or_default();
        assert_eq!(statement["Condition"]["StringEquals"]["AWS:SourceAccount"], "1");
    }
}
