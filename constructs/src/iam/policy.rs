//! Typed IAM policy documents, shared by IAM identity policies, trust policies,
//! resource policies and service control policies.
//!
//! Statements render as the CDK renders them: keys in alphabetical order, single-item
//! lists collapsed to a scalar, `Version: 2012-10-17`. Values may be [`Expr`]s (an ARN
//! from another resource).

use serde_json::{Map, Value as Json, json};

use cloudwright_core::Expr;

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Effect {
    /// Grants the actions.
    #[default]
    Allow,
    /// Denies the actions, whatever else allows them.
    Deny,
}

impl Effect {
    fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// Who a resource or trust policy statement applies to.
#[derive(Debug, Clone, PartialEq)]
pub enum Principal {
    /// An AWS service, e.g. `lambda.amazonaws.com`.
    Service(String),
    /// An account id, account root ARN, role or user ARN.
    Aws(Expr),
    /// A federated identity provider.
    Federated(String),
    /// Everyone (`"*"`).
    Any,
}

impl Principal {
    /// An AWS service principal.
    pub fn service(name: impl Into<String>) -> Self {
        Principal::Service(name.into())
    }
    /// The root of an account (`arn:aws:iam::ACCOUNT:root`), i.e. the account's IAM policies decide.
    pub fn account(account_id: &str) -> Self {
        Principal::Aws(Expr::concat([
            Expr::str("arn:"),
            Expr::partition(),
            Expr::str(format!(":iam::{account_id}:root")),
        ]))
    }
    /// A role, user or other ARN.
    pub fn arn(arn: impl Into<Expr>) -> Self {
        Principal::Aws(arn.into())
    }

    fn key(&self) -> &'static str {
        match self {
            Principal::Service(_) => "Service",
            Principal::Aws(_) => "AWS",
            Principal::Federated(_) => "Federated",
            Principal::Any => "*",
        }
    }

    fn value(&self) -> Json {
        match self {
            Principal::Service(s) | Principal::Federated(s) => Json::from(s.as_str()),
            Principal::Aws(e) => e.to_json(),
            Principal::Any => Json::from("*"),
        }
    }
}

/// A condition operator, e.g. `StringEquals`, with its set and `IfExists` modifiers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Operator {
    name: String,
}

macro_rules! operators {
    ($($fn_name:ident => $op:literal),* $(,)?) => {
        impl Operator {
            $(
                #[doc = concat!("`", $op, "`")]
                pub fn $fn_name() -> Operator {
                    Operator { name: $op.to_owned() }
                }
            )*
            /// Every base operator IAM documents.
            pub const BASE: &'static [&'static str] = &[$($op),*];
        }
    };
}

operators! {
    string_equals => "StringEquals",
    string_not_equals => "StringNotEquals",
    string_equals_ignore_case => "StringEqualsIgnoreCase",
    string_not_equals_ignore_case => "StringNotEqualsIgnoreCase",
    string_like => "StringLike",
    string_not_like => "StringNotLike",
    numeric_equals => "NumericEquals",
    numeric_not_equals => "NumericNotEquals",
    numeric_less_than => "NumericLessThan",
    numeric_less_than_equals => "NumericLessThanEquals",
    numeric_greater_than => "NumericGreaterThan",
    numeric_greater_than_equals => "NumericGreaterThanEquals",
    date_equals => "DateEquals",
    date_not_equals => "DateNotEquals",
    date_less_than => "DateLessThan",
    date_less_than_equals => "DateLessThanEquals",
    date_greater_than => "DateGreaterThan",
    date_greater_than_equals => "DateGreaterThanEquals",
    bool => "Bool",
    binary_equals => "BinaryEquals",
    ip_address => "IpAddress",
    not_ip_address => "NotIpAddress",
    arn_equals => "ArnEquals",
    arn_like => "ArnLike",
    arn_not_equals => "ArnNotEquals",
    arn_not_like => "ArnNotLike",
    null => "Null",
}

impl Operator {
    /// `...IfExists`: the condition holds when the key is absent.
    pub fn if_exists(self) -> Operator {
        Operator { name: format!("{}IfExists", self.name) }
    }
    /// `ForAllValues:...` for multivalued keys.
    pub fn for_all_values(self) -> Operator {
        Operator { name: format!("ForAllValues:{}", self.name) }
    }
    /// `ForAnyValue:...` for multivalued keys.
    pub fn for_any_value(self) -> Operator {
        Operator { name: format!("ForAnyValue:{}", self.name) }
    }
    /// The operator as IAM spells it.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// One condition: operator, key, and the values any of which satisfies it.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The operator.
    pub operator: Operator,
    /// The condition key, e.g. `aws:SourceAccount`.
    pub key: String,
    /// The values.
    pub values: Vec<Expr>,
}

impl Condition {
    /// A condition with one or more values.
    pub fn new(operator: Operator, key: impl Into<String>, values: impl IntoIterator<Item = impl Into<Expr>>) -> Self {
        Condition { operator, key: key.into(), values: values.into_iter().map(Into::into).collect() }
    }
}

/// One statement of a policy. Build it with struct-literal syntax and `..Default::default()`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PolicyStatement {
    /// Statement id (alphanumeric).
    pub sid: Option<String>,
    /// Allow or deny.
    pub effect: Effect,
    /// Actions (`service:Action`, wildcards allowed).
    pub actions: Vec<String>,
    /// Every action except these.
    pub not_actions: Vec<String>,
    /// Resources (ARNs or `*`).
    pub resources: Vec<Expr>,
    /// Every resource except these.
    pub not_resources: Vec<Expr>,
    /// Principals (resource and trust policies only).
    pub principals: Vec<Principal>,
    /// Everyone except these principals.
    pub not_principals: Vec<Principal>,
    /// Conditions, all of which must hold.
    pub conditions: Vec<Condition>,
}

impl PolicyStatement {
    /// `Allow` of `actions` on `resources`.
    pub fn allow(actions: &[&str], resources: impl IntoIterator<Item = impl Into<Expr>>) -> Self {
        PolicyStatement {
            effect: Effect::Allow,
            actions: actions.iter().map(|a| (*a).to_owned()).collect(),
            resources: resources.into_iter().map(Into::into).collect(),
            ..Default::default()
        }
    }

    /// `Deny` of `actions` on `resources`.
    pub fn deny(actions: &[&str], resources: impl IntoIterator<Item = impl Into<Expr>>) -> Self {
        PolicyStatement { effect: Effect::Deny, ..PolicyStatement::allow(actions, resources) }
    }

    /// Adds a condition.
    pub fn with_condition(mut self, condition: Condition) -> Self {
        self.conditions.push(condition);
        self
    }

    /// Adds a principal.
    pub fn with_principal(mut self, principal: Principal) -> Self {
        self.principals.push(principal);
        self
    }

    /// The statement as IAM JSON (expressions in their unresolved form).
    pub fn to_json(&self) -> Json {
        let mut m = Map::new();
        let strings = |v: &[String]| collapse(v.iter().map(|s| Json::from(s.as_str())).collect());
        let exprs = |v: &[Expr]| collapse(v.iter().map(Expr::to_json).collect());
        if !self.actions.is_empty() {
            m.insert("Action".into(), strings(&self.actions));
        }
        if !self.conditions.is_empty() {
            m.insert("Condition".into(), conditions_json(&self.conditions));
        }
        m.insert("Effect".into(), Json::from(self.effect.as_str()));
        if !self.not_actions.is_empty() {
            m.insert("NotAction".into(), strings(&self.not_actions));
        }
        if !self.not_principals.is_empty() {
            m.insert("NotPrincipal".into(), principals_json(&self.not_principals));
        }
        if !self.not_resources.is_empty() {
            m.insert("NotResource".into(), exprs(&self.not_resources));
        }
        if !self.principals.is_empty() {
            m.insert("Principal".into(), principals_json(&self.principals));
        }
        if !self.resources.is_empty() {
            m.insert("Resource".into(), exprs(&self.resources));
        }
        if let Some(sid) = &self.sid {
            m.insert("Sid".into(), Json::from(sid.as_str()));
        }
        Json::Object(m)
    }

    /// Everything but the actions, to find statements that can share one action list.
    fn same_except_actions(&self, other: &PolicyStatement) -> bool {
        self.sid.is_none()
            && other.sid.is_none()
            && self.effect == other.effect
            && self.not_actions.is_empty()
            && other.not_actions.is_empty()
            && self.resources == other.resources
            && self.not_resources == other.not_resources
            && self.principals == other.principals
            && self.not_principals == other.not_principals
            && self.conditions == other.conditions
    }

    /// Everything but the resources, to find statements that can share one resource list.
    fn same_except_resources(&self, other: &PolicyStatement) -> bool {
        self.sid.is_none()
            && other.sid.is_none()
            && self.effect == other.effect
            && self.actions == other.actions
            && self.not_actions == other.not_actions
            && self.not_resources.is_empty()
            && other.not_resources.is_empty()
            && self.principals == other.principals
            && self.not_principals == other.not_principals
            && self.conditions == other.conditions
    }
}

/// The statements of a synthesized policy document (an object, or a JSON string as SCP
/// `Content` may be); `None` when it has no statement list or object.
pub fn document_statements(document: &Json) -> Option<Vec<Json>> {
    let parsed;
    let document = match document {
        Json::String(text) => {
            parsed = serde_json::from_str::<Json>(text).ok()?;
            &parsed
        }
        other => other,
    };
    match document.get("Statement")? {
        Json::Array(items) => Some(items.clone()),
        statement @ Json::Object(_) => Some(vec![statement.clone()]),
        _ => None,
    }
}

fn collapse(mut items: Vec<Json>) -> Json {
    if items.len() == 1 { items.remove(0) } else { Json::Array(items) }
}

fn principals_json(principals: &[Principal]) -> Json {
    if principals.iter().any(|p| matches!(p, Principal::Any)) {
        return json!("*");
    }
    let mut by_key: Map<String, Json> = Map::new();
    let mut keys: Vec<&str> = principals.iter().map(Principal::key).collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        let values: Vec<Json> = principals.iter().filter(|p| p.key() == key).map(Principal::value).collect();
        by_key.insert(key.into(), collapse(values));
    }
    Json::Object(by_key)
}

fn conditions_json(conditions: &[Condition]) -> Json {
    let mut out: Map<String, Json> = Map::new();
    for c in conditions {
        let entry = out.entry(c.operator.name.clone()).or_insert_with(|| Json::Object(Map::new()));
        if let Json::Object(keys) = entry {
            keys.insert(c.key.clone(), collapse(c.values.iter().map(Expr::to_json).collect()));
        }
    }
    Json::Object(out)
}

/// What a policy document is for; each kind allows different elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    /// Attached to a role, user or group: no `Principal`, needs `Resource`.
    Identity,
    /// A role's trust policy: needs `Principal`, no `Resource`.
    Trust,
    /// Attached to a resource (bucket, key, topic): needs `Principal`.
    Resource,
    /// A service control policy: no `Principal`.
    ServiceControl,
}

/// The IAM policy language version every document declares.
const POLICY_VERSION: &str = "2012-10-17";

/// A policy document: a list of statements.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PolicyDocument {
    /// The statements, in order.
    pub statements: Vec<PolicyStatement>,
}

impl PolicyDocument {
    /// A document of these statements.
    pub fn new(statements: impl IntoIterator<Item = PolicyStatement>) -> Self {
        PolicyDocument { statements: statements.into_iter().collect() }
    }

    /// Appends a statement.
    pub fn add_statement(&mut self, statement: PolicyStatement) {
        // Most documents hold one to three statements; a statement is large, and default
        // growth would reserve room for four.
        if self.statements.len() < 4 {
            self.statements.reserve_exact(1);
        }
        self.statements.push(statement);
    }

    /// True when there are no statements.
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// Merges statements that differ only in their actions, then those that differ only in
    /// their resources, as the CDK's `minimizePolicies` does. Order is kept; duplicate
    /// actions and resources are dropped.
    pub fn minimized(&self) -> PolicyDocument {
        let mut merged: Vec<PolicyStatement> = Vec::new();
        for s in &self.statements {
            if let Some(into) = merged.iter_mut().find(|m| m.same_except_actions(s)) {
                for a in &s.actions {
                    if !into.actions.contains(a) {
                        into.actions.push(a.clone());
                    }
                }
            } else {
                merged.push(s.clone());
            }
        }
        let mut out: Vec<PolicyStatement> = Vec::new();
        for s in merged {
            if let Some(into) = out.iter_mut().find(|m| m.same_except_resources(&s)) {
                for r in s.resources {
                    if !into.resources.contains(&r) {
                        into.resources.push(r);
                    }
                }
            } else {
                out.push(s);
            }
        }
        PolicyDocument { statements: out }
    }

    /// The document as IAM JSON (expressions in their unresolved form).
    pub fn to_json(&self) -> Json {
        // Built directly: `json!` would serialize the statements a second time.
        let mut m = Map::with_capacity(2);
        m.insert("Statement".into(), self.statements_json());
        m.insert("Version".into(), Json::from(POLICY_VERSION));
        Json::Object(m)
    }

    /// The document as minified JSON with `Version` first, the form AWS stores and counts.
    pub fn to_minified_string(&self) -> String {
        let mut m = Map::with_capacity(2);
        m.insert("Version".into(), Json::from(POLICY_VERSION));
        m.insert("Statement".into(), self.statements_json());
        Json::Object(m).to_string()
    }

    fn statements_json(&self) -> Json {
        Json::Array(self.statements.iter().map(PolicyStatement::to_json).collect())
    }

    /// Every problem with the document for its kind; `allow_admin` permits `Allow *` on `*`.
    pub fn validate(&self, kind: PolicyKind, allow_admin: bool) -> Vec<String> {
        let mut problems = Vec::new();
        if self.statements.is_empty() {
            problems.push("the policy has no statements; add at least one statement".to_owned());
        }
        let mut sids: Vec<&str> = Vec::new();
        for (i, s) in self.statements.iter().enumerate() {
            let mut say = |m: String| {
                problems.push(match &s.sid {
                    Some(sid) => format!("statement {i} ({sid}): {m}"),
                    None => format!("statement {i}: {m}"),
                })
            };
            if let Some(sid) = &s.sid {
                if sid.is_empty() || !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
                    say(format!("Sid {sid:?} must be alphanumeric (A-Z, a-z, 0-9)"));
                }
                if sids.contains(&sid.as_str()) {
                    say(format!("Sid {sid:?} is used by another statement; Sids must be unique"));
                }
                sids.push(sid);
            }
            match (s.actions.is_empty(), s.not_actions.is_empty()) {
                (true, true) => say("has neither Action nor NotAction; list the actions it covers".into()),
                (false, false) => say("has both Action and NotAction; use one of them".into()),
                _ => {}
            }
            for a in s.actions.iter().chain(&s.not_actions) {
                if let Err(why) = check_action(a) {
                    say(why);
                }
            }
            if !s.resources.is_empty() && !s.not_resources.is_empty() {
                say("has both Resource and NotResource; use one of them".into());
            }
            let has_principal = !s.principals.is_empty() || !s.not_principals.is_empty();
            let has_resource = !s.resources.is_empty() || !s.not_resources.is_empty();
            match kind {
                PolicyKind::Identity => {
                    if has_principal {
                        say("has a Principal, which identity policies must not have; the principal is whoever the policy is attached to".into());
                    }
                    if !has_resource {
                        say("has no Resource; name the resources, or \"*\"".into());
                    }
                }
                PolicyKind::Trust => {
                    if s.principals.is_empty() {
                        say("has no Principal; a trust policy says who may assume the role".into());
                    }
                    if has_resource {
                        say("has a Resource, which trust policies must not have".into());
                    }
                }
                PolicyKind::Resource => {
                    if !has_principal {
                        say("has no Principal; a resource policy says whom it applies to".into());
                    }
                }
                PolicyKind::ServiceControl => {
                    if has_principal {
                        say("has a Principal or NotPrincipal, which service control policies do not support; SCPs apply to every principal of the accounts they are attached to".into());
                    }
                }
            }
            let star = |v: &[Expr]| v.iter().any(|r| r.as_literal_str() == Some("*"));
            let all_actions = s.actions.iter().any(|a| a == "*");
            if kind != PolicyKind::ServiceControl
                && s.effect == Effect::Allow
                && all_actions
                && star(&s.resources)
                && !allow_admin
            {
                say("allows every action (\"*\") on every resource (\"*\"): full administrator access; grant the actions the role needs, or opt in explicitly (allow_admin)".into());
            }
        }
        problems
    }
}

/// Checks the `service:Action` shape of an action (wildcards `*` and `?` allowed).
pub fn check_action(action: &str) -> Result<(), String> {
    if action == "*" {
        return Ok(());
    }
    let Some((service, name)) = action.split_once(':') else {
        return Err(format!(
            "action {action:?} has no service prefix; write it as service:Action, e.g. \"s3:GetObject\""
        ));
    };
    if service.is_empty() || !service.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        return Err(format!(
            "action {action:?}: the service prefix {service:?} must be lower-case letters, digits and '-'"
        ));
    }
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '*' || c == '?') {
        return Err(format!(
            "action {action:?}: the action name {name:?} must be letters and digits, with * or ? as wildcards"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_the_cdk() {
        let doc = PolicyDocument::new([PolicyStatement::allow(&["sts:AssumeRole"], Vec::<Expr>::new())
            .with_principal(Principal::service("proton.amazonaws.com"))
            .with_condition(Condition::new(Operator::string_equals(), "aws:SourceAccount", ["111111111111"]))]);
        // The trust policy of the CDK reference (../shared/reference/cdk-multi-account/Env0).
        assert_eq!(
            doc.to_json(),
            json!({"Statement": [{
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": "111111111111"}},
                "Effect": "Allow",
                "Principal": {"Service": "proton.amazonaws.com"}
            }], "Version": "2012-10-17"})
        );
        assert!(doc.validate(PolicyKind::Trust, false).is_empty());
    }

    #[test]
    fn minimizing_merges_actions_then_resources() {
        let doc = PolicyDocument::new([
            PolicyStatement::allow(&["xray:PutTraceSegments"], ["*"]),
            PolicyStatement::allow(&["xray:PutTelemetryRecords", "xray:PutTraceSegments"], ["*"]),
            PolicyStatement::allow(&["s3:GetObject"], ["arn:aws:s3:::a/*"]),
            PolicyStatement::allow(&["s3:GetObject"], ["arn:aws:s3:::b/*"]),
            PolicyStatement::deny(&["s3:DeleteObject"], ["*"]),
        ])
        .minimized();
        assert_eq!(doc.statements.len(), 3);
        assert_eq!(doc.statements[0].actions, ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]);
        assert_eq!(doc.statements[1].resources, [Expr::str("arn:aws:s3:::a/*"), Expr::str("arn:aws:s3:::b/*")]);
        assert_eq!(doc.statements[2].effect, Effect::Deny);
    }

    #[test]
    fn operators_and_principals() {
        assert_eq!(Operator::string_like().for_any_value().if_exists().name(), "ForAnyValue:StringLikeIfExists");
        let s = PolicyStatement::allow(&["sts:AssumeRole"], Vec::<Expr>::new())
            .with_principal(Principal::service("b.amazonaws.com"))
            .with_principal(Principal::service("a.amazonaws.com"))
            .with_principal(Principal::arn("arn:aws:iam::111111111111:role/x"));
        assert_eq!(
            s.to_json()["Principal"],
            json!({"AWS": "arn:aws:iam::111111111111:role/x", "Service": ["b.amazonaws.com", "a.amazonaws.com"]})
        );
    }

    #[test]
    fn validation_names_each_problem() {
        let doc = PolicyDocument::new([
            PolicyStatement { sid: Some("Bad-Sid".into()), ..PolicyStatement::allow(&["GetObject"], ["*"]) },
            PolicyStatement::allow(&["*"], ["*"]),
            PolicyStatement { principals: vec![Principal::Any], ..PolicyStatement::deny(&["s3:*"], ["*"]) },
        ]);
        let problems = doc.validate(PolicyKind::Identity, false);
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert_eq!(problems[0], "statement 0 (Bad-Sid): Sid \"Bad-Sid\" must be alphanumeric (A-Z, a-z, 0-9)");
        assert!(problems[1].starts_with("statement 0 (Bad-Sid): action \"GetObject\" has no service prefix"));
        assert!(problems[2].starts_with("statement 1: allows every action (\"*\") on every resource"));
        assert!(problems[3].starts_with("statement 2: has a Principal"));
        assert!(doc.statements[1..2].iter().all(|_| {
            PolicyDocument::new([PolicyStatement::allow(&["*"], ["*"])]).validate(PolicyKind::Identity, true).is_empty()
        }));
        assert_eq!(PolicyDocument::default().validate(PolicyKind::ServiceControl, false).len(), 1);
    }

    #[test]
    fn action_grammar() {
        assert!(check_action("s3:GetObject").is_ok());
        assert!(check_action("ec2:Describe*").is_ok());
        assert!(check_action("proton:*").is_ok());
        assert!(check_action("*").is_ok());
        assert!(check_action("S3:GetObject").is_err());
        assert!(check_action("s3:").is_err());
        assert!(check_action("s3:Get Object").is_err());
    }
}
