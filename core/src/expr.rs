//! Typed expressions: every value that is not known until deploy time.
//!
//! Where the CDK hides tokens inside strings, cloudwright keeps an [`Expr`] tree. A
//! reference to another construct is held as an [`ElementRef`] (not a logical id), so
//! logical ids can be overridden late and a reference into another stack is detected and
//! turned into an export/import at synthesis. In JSON, the references of an expression
//! are marker objects (`Reference`), turned into typed values once, where a value enters
//! the tree; synthesis (`synth/resolve.rs`) resolves them into CloudFormation intrinsics.

use serde::{Serialize, Serializer};
use serde_json::{Map, Value as Json, json};

/// A reference to an element (resource, parameter, condition, mapping) of an app's tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ElementRef {
    pub(crate) app: u32,
    pub(crate) node: u32,
    /// How a `Ref` or `Fn::GetAtt` into another stack resolves, when this reference says
    /// (`Expr::weak`, `Expr::strong`); `None` follows the app's setting
    /// (`AppProps::reference_strength`). Only references into another stack read it.
    pub(crate) strength: Option<Strength>,
}

impl ElementRef {
    /// A reference to node `node` of app `app`, following the app's reference strength.
    pub(crate) fn new(app: u32, node: u32) -> Self {
        ElementRef { app, node, strength: None }
    }
}

/// How a reference to a value of another stack is written (see `docs/references.md`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Strength {
    /// An export in the producer and `Fn::ImportValue` in the consumer: CloudFormation
    /// refuses to delete or change the export while a stack imports it. Same account and
    /// region only.
    #[default]
    Strong,
    /// A plain output in the producer and `Fn::GetStackOutput` in the consumer, read when
    /// the consumer deploys and not tracked afterwards; works across accounts and regions.
    Weak,
}

impl Strength {
    /// The word a marker writes (`"strong"`, `"weak"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Strength::Strong => "strong",
            Strength::Weak => "weak",
        }
    }

    fn parse(word: &str) -> Option<Strength> {
        match word {
            "strong" => Some(Strength::Strong),
            "weak" => Some(Strength::Weak),
            _ => None,
        }
    }
}

/// CloudFormation pseudo parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pseudo {
    /// `AWS::AccountId`
    AccountId,
    /// `AWS::NotificationARNs`
    NotificationArns,
    /// `AWS::NoValue`: removes the property it is assigned to.
    NoValue,
    /// `AWS::Partition`
    Partition,
    /// `AWS::Region`
    Region,
    /// `AWS::StackId`
    StackId,
    /// `AWS::StackName`
    StackName,
    /// `AWS::URLSuffix`
    UrlSuffix,
}

impl Pseudo {
    /// The name CloudFormation gives the parameter.
    pub fn name(self) -> &'static str {
        match self {
            Pseudo::AccountId => "AWS::AccountId",
            Pseudo::NotificationArns => "AWS::NotificationARNs",
            Pseudo::NoValue => "AWS::NoValue",
            Pseudo::Partition => "AWS::Partition",
            Pseudo::Region => "AWS::Region",
            Pseudo::StackId => "AWS::StackId",
            Pseudo::StackName => "AWS::StackName",
            Pseudo::UrlSuffix => "AWS::URLSuffix",
        }
    }
}

/// A CloudFormation dynamic reference, resolved by CloudFormation at deploy time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DynamicReference {
    /// `{{resolve:ssm:NAME[:VERSION]}}`: a plain SSM parameter.
    Ssm {
        /// Parameter name.
        name: String,
        /// Pinned version, latest when `None`.
        version: Option<u32>,
    },
    /// `{{resolve:ssm-secure:NAME[:VERSION]}}`: a SecureString SSM parameter.
    SsmSecure {
        /// Parameter name.
        name: String,
        /// Pinned version, latest when `None`.
        version: Option<u32>,
    },
    /// `{{resolve:secretsmanager:ID:SecretString:KEY:STAGE:VERSION}}`.
    SecretsManager {
        /// Secret name or ARN.
        secret_id: String,
        /// JSON key inside the secret string, the whole string when `None`.
        json_key: Option<String>,
        /// Version stage, e.g. `AWSCURRENT`.
        version_stage: Option<String>,
        /// Version id.
        version_id: Option<String>,
    },
}

impl DynamicReference {
    /// The `{{resolve:...}}` string CloudFormation reads.
    pub fn render(&self) -> String {
        match self {
            DynamicReference::Ssm { name, version } => with_version("ssm", name, *version),
            DynamicReference::SsmSecure { name, version } => with_version("ssm-secure", name, *version),
            DynamicReference::SecretsManager { secret_id, json_key, version_stage, version_id } => format!(
                "{{{{resolve:secretsmanager:{secret_id}:SecretString:{}:{}:{}}}}}",
                json_key.as_deref().unwrap_or(""),
                version_stage.as_deref().unwrap_or(""),
                version_id.as_deref().unwrap_or("")
            ),
        }
    }
}

fn with_version(service: &str, name: &str, version: Option<u32>) -> String {
    match version {
        Some(v) => format!("{{{{resolve:{service}:{name}:{v}}}}}"),
        None => format!("{{{{resolve:{service}:{name}}}}}"),
    }
}

/// A value known only at deploy time, or a literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A literal JSON value.
    Literal(Json),
    /// `Ref` to a resource or parameter.
    Ref(ElementRef),
    /// `Ref` to a pseudo parameter.
    Pseudo(Pseudo),
    /// `Fn::GetAtt` of a resource attribute.
    GetAtt(ElementRef, String),
    /// `Fn::Sub` with a template string and named variables.
    Sub(String, Vec<(String, Expr)>),
    /// `Fn::Join` with a delimiter.
    Join(String, Vec<Expr>),
    /// `Fn::Select` of an index from a list.
    Select(u32, Box<Expr>),
    /// `Fn::Split` of a string by a delimiter.
    Split(String, Box<Expr>),
    /// `Fn::If` on a condition of the stack.
    If(ElementRef, Box<Expr>, Box<Expr>),
    /// `Fn::ImportValue` of an export name.
    ImportValue(Box<Expr>),
    /// `Fn::GetAZs` of a region (empty string: the stack's region).
    GetAzs(Box<Expr>),
    /// `Fn::Base64`
    Base64(Box<Expr>),
    /// `Fn::Cidr` of an IP block, a count and the bits per subnet.
    Cidr(Box<Expr>, u32, u32),
    /// `Fn::FindInMap` on a mapping of the stack.
    FindInMap(ElementRef, Box<Expr>, Box<Expr>),
    /// `Fn::ToJsonString`
    ToJsonString(Box<Expr>),
    /// `Fn::Length`
    Length(Box<Expr>),
    /// A list whose items may be expressions.
    List(Vec<Expr>),
    /// An object whose values may be expressions.
    Object(Vec<(String, Expr)>),
    /// A boolean condition function (`Fn::Equals`, `Fn::And`, ...).
    Condition(Box<Cond>),
    /// `Fn::RefAll` of a parameter type (rules only).
    RefAll(String),
    /// `Fn::ValueOf` of a parameter attribute (rules only).
    ValueOf(ElementRef, String),
    /// `Fn::ValueOfAll` of a parameter type and attribute (rules only).
    ValueOfAll(String, String),
    /// A `{{resolve:...}}` dynamic reference.
    Dynamic(DynamicReference),
    /// A value each stack resolves in its own way, by name (through
    /// [`crate::StackValues`]): e.g. a template parameter, a placeholder in one rendering
    /// and a value in another.
    StackValue(String),
    /// The logical id of an element of the same stack, as a string (the CDK's
    /// `stack.getLogicalId(element)`): known only once the whole tree is, and following
    /// any override.
    LogicalId(ElementRef),
}

/// A condition function, for the `Conditions` section, `Fn::If` and rule assertions.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// `Fn::Equals`
    Equals(Expr, Expr),
    /// `Fn::And` (2 to 10 conditions)
    And(Vec<Cond>),
    /// `Fn::Or` (2 to 10 conditions)
    Or(Vec<Cond>),
    /// `Fn::Not`
    Not(Box<Cond>),
    /// `{"Condition": NAME}`: another condition of the stack.
    Condition(ElementRef),
    /// `Fn::Contains` (rules only)
    Contains(Expr, Expr),
    /// `Fn::EachMemberEquals` (rules only)
    EachMemberEquals(Expr, Expr),
    /// `Fn::EachMemberIn` (rules only)
    EachMemberIn(Expr, Expr),
}

/// What JSON cannot say of an [`Expr`]: a reference to an element of the tree, or a stack
/// value. Everything else an `Expr` says is CloudFormation JSON already, so this is
/// what the tree stores typed ([`crate::stored::Stored::Expr`]) and what synthesis resolves.
///
/// Constructs give values to the tree as `serde_json` values (typed L1 props are plain
/// serde structs), where a reference appears as a one-entry marker object
/// (`{"cw::ref": [app, node]}`); [`Reference::from_marker`] turns it back into this type
/// once, where the value enters the tree, and [`Reference::to_marker`] is the other way.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Reference {
    /// `Ref` of a resource or parameter ([`Expr::Ref`]).
    Ref(ElementRef),
    /// The logical id of an element as a string ([`Expr::LogicalId`], and the names in
    /// `Fn::If`, `Fn::FindInMap`, `Fn::ValueOf` and `Condition`).
    LogicalId(ElementRef),
    /// `Fn::GetAtt` of a resource attribute ([`Expr::GetAtt`]); boxed, with the stack
    /// value, so a stored value stays 24 bytes.
    Att(Box<(ElementRef, Box<str>)>),
    /// A stack value ([`Expr::StackValue`]).
    #[allow(clippy::box_collection, reason = "a thin pointer: a stored value stays 24 bytes")]
    StackValue(Box<String>),
}

/// The keys of the marker objects that stand for a [`Reference`] in JSON.
mod marker {
    pub const REF: &str = "cw::ref";
    pub const ATT: &str = "cw::att";
    pub const NAME: &str = "cw::name";
    pub const VALUE: &str = "cw::value";
    /// What every marker key starts with.
    pub const PREFIX: &str = "cw::";
}

/// Whether `value` holds an [`Expr`] in its JSON form (an object with a `cw::` marker key),
/// at any depth: a value constructors hand over before it enters the tree, where markers
/// become references.
pub fn holds_marker(value: &Json) -> bool {
    match value {
        Json::Object(map) => map.iter().any(|(k, v)| k.starts_with(marker::PREFIX) || holds_marker(v)),
        Json::Array(items) => items.iter().any(holds_marker),
        _ => false,
    }
}

impl Reference {
    /// The marker object standing for this reference in JSON.
    pub(crate) fn to_marker(&self) -> Json {
        match self {
            Reference::Ref(r) => ref_marker(*r),
            Reference::LogicalId(r) => name_marker(*r),
            Reference::Att(att) => att_marker(att.0, &att.1),
            Reference::StackValue(name) => value_marker(name),
        }
    }

    /// The reference a JSON object stands for: `None` when it holds no `cw::` key (it is
    /// plain JSON), an error saying what is wrong when it holds one that is not a marker
    /// this version wrote (an unknown key, a malformed argument, other keys beside it).
    pub(crate) fn from_marker(map: &Map<String, Json>) -> Option<Result<Reference, String>> {
        let (key, arg) = map.iter().find(|(k, _)| k.starts_with(marker::PREFIX))?;
        let number = |v: Option<&Json>| v.and_then(Json::as_u64).and_then(|n| u32::try_from(n).ok());
        let items = arg.as_array().map_or(&[][..], Vec::as_slice);
        let element = match items {
            [app, node, ..] => number(Some(app)).zip(number(Some(node))).map(|(app, node)| ElementRef::new(app, node)),
            _ => None,
        };
        // `Ref` and `Fn::GetAtt` markers may end with the reference's strength.
        let with_strength = |r: ElementRef, at: usize| match items.get(at) {
            None => Some(r),
            Some(word) => word.as_str().and_then(Strength::parse).map(|s| ElementRef { strength: Some(s), ..r }),
        };
        let reference = match (key.as_str(), element, items.len(), map.len()) {
            (_, _, _, 2..) => None,
            (marker::REF, Some(r), 2 | 3, _) => with_strength(r, 2).map(Reference::Ref),
            (marker::NAME, Some(r), 2, _) => Some(Reference::LogicalId(r)),
            (marker::ATT, Some(r), 3 | 4, _) => with_strength(r, 3).and_then(|r| {
                items.get(2).and_then(Json::as_str).map(|attr| Reference::Att(Box::new((r, attr.into()))))
            }),
            (marker::VALUE, _, _, _) => arg.as_str().map(|name| Reference::StackValue(Box::new(name.to_owned()))),
            _ => None,
        };
        Some(reference.ok_or_else(|| {
            format!(
                "holds `{}`, which is not a reference cloudwright wrote: `{}` keys are how an `Expr` \
                 appears in JSON and are not valid CloudFormation; build the value from an `Expr` \
                 (e.g. `resource.reference()`) or rename the key",
                Json::Object(map.clone()),
                marker::PREFIX
            )
        }))
    }
}

fn name_marker(r: ElementRef) -> Json {
    call(marker::NAME, element(r))
}

fn ref_marker(r: ElementRef) -> Json {
    match r.strength {
        None => call(marker::REF, element(r)),
        Some(s) => call(marker::REF, json!([r.app, r.node, s.as_str()])),
    }
}

fn att_marker(r: ElementRef, attr: &str) -> Json {
    match r.strength {
        None => call(marker::ATT, json!([r.app, r.node, attr])),
        Some(s) => call(marker::ATT, json!([r.app, r.node, attr, s.as_str()])),
    }
}

fn value_marker(name: &str) -> Json {
    call(marker::VALUE, Json::String(name.to_owned()))
}

fn element(r: ElementRef) -> Json {
    json!([r.app, r.node])
}

fn call(name: &str, args: Json) -> Json {
    let mut m = Map::with_capacity(1);
    m.insert(name.to_owned(), args);
    Json::Object(m)
}

impl Expr {
    /// The unresolved JSON form, with markers where references stand.
    pub fn to_json(&self) -> Json {
        match self {
            Expr::Literal(v) => v.clone(),
            Expr::Ref(r) => ref_marker(*r),
            Expr::Pseudo(p) => call("Ref", Json::String(p.name().to_owned())),
            Expr::GetAtt(r, attr) => att_marker(*r, attr),
            Expr::Sub(template, vars) if vars.is_empty() => call("Fn::Sub", Json::String(template.clone())),
            Expr::Sub(template, vars) => {
                let vars: Map<String, Json> = vars.iter().map(|(k, v)| (k.clone(), v.to_json())).collect();
                call("Fn::Sub", json!([template, vars]))
            }
            Expr::Join(sep, parts) => call("Fn::Join", json!([sep, list(parts)])),
            Expr::Select(i, from) => call("Fn::Select", json!([i, from.to_json()])),
            Expr::Split(sep, s) => call("Fn::Split", json!([sep, s.to_json()])),
            Expr::If(c, a, b) => call("Fn::If", json!([name_marker(*c), a.to_json(), b.to_json()])),
            Expr::ImportValue(name) => call("Fn::ImportValue", name.to_json()),
            Expr::GetAzs(region) => call("Fn::GetAZs", region.to_json()),
            Expr::Base64(v) => call("Fn::Base64", v.to_json()),
            Expr::Cidr(block, count, bits) => call("Fn::Cidr", json!([block.to_json(), count, bits])),
            Expr::FindInMap(m, k1, k2) => call("Fn::FindInMap", json!([name_marker(*m), k1.to_json(), k2.to_json()])),
            Expr::ToJsonString(v) => call("Fn::ToJsonString", v.to_json()),
            Expr::Length(v) => call("Fn::Length", v.to_json()),
            Expr::List(items) => list(items),
            Expr::Object(fields) => Json::Object(fields.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
            Expr::Condition(c) => c.to_json(),
            Expr::RefAll(t) => call("Fn::RefAll", Json::String(t.clone())),
            Expr::ValueOf(p, attr) => call("Fn::ValueOf", json!([name_marker(*p), attr])),
            Expr::ValueOfAll(t, attr) => call("Fn::ValueOfAll", json!([t, attr])),
            Expr::Dynamic(d) => Json::String(d.render()),
            Expr::StackValue(name) => value_marker(name),
            Expr::LogicalId(r) => name_marker(*r),
        }
    }

    /// A literal string.
    pub fn str(s: impl Into<String>) -> Expr {
        Expr::Literal(Json::String(s.into()))
    }
    /// `AWS::AccountId`
    pub fn account_id() -> Expr {
        Expr::Pseudo(Pseudo::AccountId)
    }
    /// `AWS::Region`
    pub fn region() -> Expr {
        Expr::Pseudo(Pseudo::Region)
    }
    /// `AWS::Partition`
    pub fn partition() -> Expr {
        Expr::Pseudo(Pseudo::Partition)
    }
    /// `AWS::StackName`
    pub fn stack_name() -> Expr {
        Expr::Pseudo(Pseudo::StackName)
    }
    /// `AWS::URLSuffix`
    pub fn url_suffix() -> Expr {
        Expr::Pseudo(Pseudo::UrlSuffix)
    }
    /// `AWS::NoValue`
    pub fn no_value() -> Expr {
        Expr::Pseudo(Pseudo::NoValue)
    }
    /// `Fn::Sub` without variables: `${AWS::Region}` and `${LogicalId}` resolve in CloudFormation.
    pub fn sub(template: impl Into<String>) -> Expr {
        Expr::Sub(template.into(), Vec::new())
    }
    /// `Fn::Sub` with named variables, which may be expressions.
    pub fn sub_with(template: impl Into<String>, vars: impl IntoIterator<Item = (impl Into<String>, Expr)>) -> Expr {
        Expr::Sub(template.into(), vars.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
    /// `Fn::Join`
    pub fn join(delimiter: impl Into<String>, parts: impl IntoIterator<Item = Expr>) -> Expr {
        Expr::Join(delimiter.into(), parts.into_iter().collect())
    }
    /// Concatenation: a literal string when every part is one, else `Fn::Join` with `""`
    /// and adjacent literals merged.
    pub fn concat(parts: impl IntoIterator<Item = Expr>) -> Expr {
        let mut merged: Vec<Expr> = Vec::new();
        for part in parts {
            match (merged.last_mut(), part) {
                (Some(Expr::Literal(Json::String(acc))), Expr::Literal(Json::String(s))) => acc.push_str(&s),
                (_, part) => merged.push(part),
            }
        }
        match merged.as_slice() {
            [] => Expr::str(""),
            [Expr::Literal(Json::String(_))] => merged.remove(0),
            _ => Expr::Join(String::new(), merged),
        }
    }
    /// `Fn::Select`
    pub fn select(index: u32, list: Expr) -> Expr {
        Expr::Select(index, Box::new(list))
    }
    /// `Fn::Split`
    pub fn split(delimiter: impl Into<String>, source: Expr) -> Expr {
        Expr::Split(delimiter.into(), Box::new(source))
    }
    /// `Fn::ImportValue`
    pub fn import_value(name: impl Into<Expr>) -> Expr {
        Expr::ImportValue(Box::new(name.into()))
    }
    /// `Fn::GetAZs` of the stack's region.
    pub fn azs() -> Expr {
        Expr::GetAzs(Box::new(Expr::str("")))
    }
    /// `Fn::Base64`
    pub fn base64(value: impl Into<Expr>) -> Expr {
        Expr::Base64(Box::new(value.into()))
    }
    /// `Fn::Cidr`
    pub fn cidr(block: impl Into<Expr>, count: u32, cidr_bits: u32) -> Expr {
        Expr::Cidr(Box::new(block.into()), count, cidr_bits)
    }
    /// `Fn::ToJsonString`
    pub fn to_json_string(value: impl Into<Expr>) -> Expr {
        Expr::ToJsonString(Box::new(value.into()))
    }
    /// `{{resolve:ssm:NAME}}`
    pub fn ssm_parameter(name: impl Into<String>) -> Expr {
        Expr::Dynamic(DynamicReference::Ssm { name: name.into(), version: None })
    }
    /// `{{resolve:secretsmanager:ID:SecretString:KEY::}}`
    pub fn secret_value(secret_id: impl Into<String>, json_key: Option<&str>) -> Expr {
        Expr::Dynamic(DynamicReference::SecretsManager {
            secret_id: secret_id.into(),
            json_key: json_key.map(str::to_owned),
            version_stage: None,
            version_id: None,
        })
    }
    /// A value the stack resolves by name ([`Expr::StackValue`]).
    pub fn stack_value(name: impl Into<String>) -> Expr {
        Expr::StackValue(name.into())
    }
    /// JSON text with deploy-time values spliced in (for properties that take a JSON
    /// string, such as dashboards and resource policies): `body` may contain the
    /// placeholder strings named in `values`, each replaced by its expression.
    pub fn json_text(body: &Json, values: &[(&str, Expr)]) -> Expr {
        let mut parts = vec![Expr::str(body.to_string())];
        for (placeholder, value) in values {
            let mut next = Vec::new();
            for part in parts {
                match part.as_literal_str() {
                    Some(s) if s.contains(placeholder) => {
                        let mut pieces = s.split(placeholder).peekable();
                        while let Some(piece) = pieces.next() {
                            next.push(Expr::str(piece));
                            if pieces.peek().is_some() {
                                next.push(value.clone());
                            }
                        }
                    }
                    _ => next.push(part),
                }
            }
            parts = next;
        }
        Expr::concat(parts)
    }

    /// This expression with every `Ref` and `Fn::GetAtt` in it weak: read from another
    /// stack with `Fn::GetStackOutput` (a plain output, no export), whatever the app's
    /// setting; a reference within one stack is unchanged (see `docs/references.md`).
    pub fn weak(self) -> Expr {
        self.with_strength(Strength::Weak)
    }

    /// This expression with every `Ref` and `Fn::GetAtt` in it strong: an export and
    /// `Fn::ImportValue`, whatever the app's setting. Exports do not cross accounts or
    /// regions, so a strong reference there is an error at synthesis.
    pub fn strong(self) -> Expr {
        self.with_strength(Strength::Strong)
    }

    /// Sets the strength of every reference to an element's value in the expression.
    pub fn with_strength(mut self, strength: Strength) -> Expr {
        self.set_strength(strength);
        self
    }

    fn set_strength(&mut self, strength: Strength) {
        let each = |items: &mut [Expr]| items.iter_mut().for_each(|e| e.set_strength(strength));
        match self {
            Expr::Ref(r) | Expr::GetAtt(r, _) => r.strength = Some(strength),
            Expr::Sub(_, vars) | Expr::Object(vars) => vars.iter_mut().for_each(|(_, e)| e.set_strength(strength)),
            Expr::Join(_, items) | Expr::List(items) => each(items),
            Expr::Select(_, e)
            | Expr::Split(_, e)
            | Expr::ImportValue(e)
            | Expr::GetAzs(e)
            | Expr::Base64(e)
            | Expr::Cidr(e, _, _)
            | Expr::ToJsonString(e)
            | Expr::Length(e) => e.set_strength(strength),
            Expr::If(_, a, b) | Expr::FindInMap(_, a, b) => {
                a.set_strength(strength);
                b.set_strength(strength);
            }
            Expr::Condition(c) => c.set_strength(strength),
            Expr::Literal(_)
            | Expr::Pseudo(_)
            | Expr::RefAll(_)
            | Expr::ValueOf(..)
            | Expr::ValueOfAll(..)
            | Expr::Dynamic(_)
            | Expr::StackValue(_)
            | Expr::LogicalId(_) => {}
        }
    }

    /// True when this is a literal value with no deploy-time part.
    pub fn is_literal(&self) -> bool {
        matches!(self, Expr::Literal(_))
    }
    /// The literal string, when this is one.
    pub fn as_literal_str(&self) -> Option<&str> {
        match self {
            Expr::Literal(Json::String(s)) => Some(s),
            _ => None,
        }
    }
}

fn list(items: &[Expr]) -> Json {
    Json::Array(items.iter().map(Expr::to_json).collect())
}

impl Cond {
    /// The unresolved JSON form.
    pub fn to_json(&self) -> Json {
        let conds = |cs: &[Cond]| Json::Array(cs.iter().map(Cond::to_json).collect());
        match self {
            Cond::Equals(a, b) => call("Fn::Equals", json!([a.to_json(), b.to_json()])),
            Cond::And(cs) => call("Fn::And", conds(cs)),
            Cond::Or(cs) => call("Fn::Or", conds(cs)),
            Cond::Not(c) => call("Fn::Not", json!([c.to_json()])),
            Cond::Condition(r) => call("Condition", name_marker(*r)),
            Cond::Contains(a, b) => call("Fn::Contains", json!([a.to_json(), b.to_json()])),
            Cond::EachMemberEquals(a, b) => call("Fn::EachMemberEquals", json!([a.to_json(), b.to_json()])),
            Cond::EachMemberIn(a, b) => call("Fn::EachMemberIn", json!([a.to_json(), b.to_json()])),
        }
    }
    fn set_strength(&mut self, strength: Strength) {
        match self {
            Cond::Equals(a, b) | Cond::Contains(a, b) | Cond::EachMemberEquals(a, b) | Cond::EachMemberIn(a, b) => {
                a.set_strength(strength);
                b.set_strength(strength);
            }
            Cond::And(cs) | Cond::Or(cs) => cs.iter_mut().for_each(|c| c.set_strength(strength)),
            Cond::Not(c) => c.set_strength(strength),
            Cond::Condition(_) => {}
        }
    }
    /// `Fn::Equals`
    pub fn equals(a: impl Into<Expr>, b: impl Into<Expr>) -> Cond {
        Cond::Equals(a.into(), b.into())
    }
}

impl std::ops::Not for Cond {
    type Output = Cond;
    /// `Fn::Not`
    fn not(self) -> Cond {
        Cond::Not(Box::new(self))
    }
}

impl Serialize for Expr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl Serialize for Cond {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl From<Expr> for Json {
    fn from(e: Expr) -> Self {
        e.to_json()
    }
}

impl From<&str> for Expr {
    fn from(s: &str) -> Self {
        Expr::str(s)
    }
}
impl From<String> for Expr {
    fn from(s: String) -> Self {
        Expr::str(s)
    }
}
impl From<bool> for Expr {
    fn from(b: bool) -> Self {
        Expr::Literal(Json::Bool(b))
    }
}
impl From<i64> for Expr {
    fn from(n: i64) -> Self {
        Expr::Literal(Json::from(n))
    }
}
impl From<f64> for Expr {
    fn from(n: f64) -> Self {
        Expr::Literal(Json::from(n))
    }
}
impl From<Json> for Expr {
    fn from(v: Json) -> Self {
        Expr::Literal(v)
    }
}
impl From<Cond> for Expr {
    fn from(c: Cond) -> Self {
        Expr::Condition(Box::new(c))
    }
}
impl<T: Into<Expr>> From<Vec<T>> for Expr {
    fn from(items: Vec<T>) -> Self {
        Expr::List(items.into_iter().map(Into::into).collect())
    }
}

/// A property value of type `T` that may instead be an expression (a typed token).
#[derive(Debug, Clone, PartialEq)]
pub enum Value<T> {
    /// A value known at synthesis.
    Literal(T),
    /// A value known at deploy time.
    Expr(Expr),
}

impl<T: Serialize> Serialize for Value<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Literal(v) => v.serialize(s),
            Value::Expr(e) => e.serialize(s),
        }
    }
}

impl<T> From<Expr> for Value<T> {
    fn from(e: Expr) -> Self {
        Value::Expr(e)
    }
}

impl From<&str> for Value<String> {
    fn from(s: &str) -> Self {
        Value::Literal(s.to_owned())
    }
}

impl From<&String> for Value<String> {
    fn from(s: &String) -> Self {
        Value::Literal(s.clone())
    }
}

macro_rules! literal_values {
    ($($t:ty),*) => {$(
        impl From<$t> for Value<$t> {
            fn from(v: $t) -> Self {
                Value::Literal(v)
            }
        }
    )*};
}
literal_values!(String, bool, i64, u32, f64, Json);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_found_at_any_depth() {
        let reference = ElementRef::new(1, 2);
        assert!(holds_marker(&json!({"A": [1, {"B": ref_marker(reference)}]})));
        assert!(holds_marker(&value_marker("environment.name")));
        assert!(!holds_marker(&json!({"Ref": "X", "List": ["cw", {"cw:": 1}]})));
    }

    #[test]
    fn intrinsics_render_as_cloudformation() {
        assert_eq!(Expr::account_id().to_json(), json!({"Ref": "AWS::AccountId"}));
        assert_eq!(
            Expr::join(",", [Expr::str("a"), Expr::region()]).to_json(),
            json!({"Fn::Join": [",", ["a", {"Ref": "AWS::Region"}]]})
        );
        assert_eq!(Expr::select(1, Expr::azs()).to_json(), json!({"Fn::Select": [1, {"Fn::GetAZs": ""}]}));
        assert_eq!(Expr::cidr("10.0.0.0/16", 4, 8).to_json(), json!({"Fn::Cidr": ["10.0.0.0/16", 4, 8]}));
        assert_eq!(Expr::sub("${AWS::Region}").to_json(), json!({"Fn::Sub": "${AWS::Region}"}));
        assert_eq!(
            Expr::sub_with("${A}-x", [("A", Expr::stack_name())]).to_json(),
            json!({"Fn::Sub": ["${A}-x", {"A": {"Ref": "AWS::StackName"}}]})
        );
        assert_eq!(
            Expr::split(",", Expr::import_value("E")).to_json(),
            json!({"Fn::Split": [",", {"Fn::ImportValue": "E"}]})
        );
        assert_eq!(Expr::base64("x").to_json(), json!({"Fn::Base64": "x"}));
        assert_eq!(
            Expr::from(!Cond::equals(Expr::region(), "us-east-1")).to_json(),
            json!({"Fn::Not": [{"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}]})
        );
    }

    #[test]
    fn dynamic_references() {
        assert_eq!(Expr::ssm_parameter("/a/b").to_json(), json!("{{resolve:ssm:/a/b}}"));
        let pinned = DynamicReference::SsmSecure { name: "p".into(), version: Some(3) };
        assert_eq!(pinned.render(), "{{resolve:ssm-secure:p:3}}");
        assert_eq!(
            Expr::secret_value("MySecret", Some("password")).to_json(),
            json!("{{resolve:secretsmanager:MySecret:SecretString:password::}}")
        );
    }

    #[test]
    fn concat_merges_literals() {
        assert_eq!(Expr::concat([Expr::str("a"), Expr::str("b")]), Expr::str("ab"));
        assert_eq!(
            Expr::concat([Expr::str("arn:"), Expr::partition(), Expr::str(":s3:::"), Expr::str("x")]).to_json(),
            json!({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::x"]]})
        );
    }

    #[test]
    fn json_text_splices_expressions() {
        let body = json!({"widgets": [{"fn": "__FN__", "again": "__FN__"}]});
        let text = Expr::json_text(&body, &[("__FN__", Expr::stack_name())]);
        assert_eq!(
            text.to_json(),
            json!({"Fn::Join": ["", [
                "{\"widgets\":[{\"fn\":\"", {"Ref": "AWS::StackName"}, "\",\"again\":\"", {"Ref": "AWS::StackName"}, "\"}]}"
            ]]})
        );
        assert_eq!(Expr::json_text(&json!({"a": 1}), &[]), Expr::str("{\"a\":1}"));
    }

    #[test]
    fn values_serialize_as_literal_or_expression() {
        let lit: Value<i64> = 512.into();
        let tok: Value<i64> = Expr::import_value("Mem").into();
        assert_eq!(serde_json::to_value(&lit).ok(), Some(json!(512)));
        assert_eq!(serde_json::to_value(&tok).ok(), Some(json!({"Fn::ImportValue": "Mem"})));
    }
}
