//! `Match`: the patterns a template's values are tested against (aws-cdk-lib's `Match`),
//! and the result of one test, which renders a mismatch as the CDK renders it.

use serde_json::Value as Json;

use super::capture::Capture;

/// A pattern a JSON value is tested against: a plain JSON value (converted with `into()`)
/// or one of the matchers below, nested as deeply as needed.
///
/// A plain JSON object given where a pattern is expected matches as [`Match::object_like`]
/// does, and so do the objects inside it; a plain array must match element for element.
///
/// ```
/// use cloudwright_core::testing::Match;
/// use serde_json::json;
///
/// let pattern = Match::object_like([
///     ("Runtime", Match::string_like_regexp("^python3")),
///     ("TracingConfig", json!({ "Mode": "Active" }).into()),
/// ]);
/// assert!(pattern.matches(&json!({
///     "Runtime": "python3.12",
///     "TracingConfig": { "Mode": "Active" },
///     "Handler": "index.handler",
/// })));
/// ```
#[derive(Debug, Clone)]
pub struct Match(Pattern);

#[derive(Debug, Clone)]
enum Pattern {
    /// A JSON value. `partial`: whether objects inside it match partially; `None` takes
    /// it from the enclosing matcher, as the CDK's literals do.
    Literal {
        value: Json,
        partial: Option<bool>,
    },
    Object {
        fields: Vec<(String, Match)>,
        partial: bool,
    },
    Array {
        items: Vec<Match>,
        subsequence: bool,
    },
    Regexp {
        source: String,
        regex: Result<regex::Regex, String>,
    },
    AnyValue,
    Absent,
    Not(Box<Match>),
    SerializedJson(Box<Match>),
    Capture(Capture),
    /// Bad input to a matcher (`object_like` of a string): it never matches, and says why.
    Invalid(String),
}

/// The fields of an object pattern: a JSON object, or `(key, pattern)` pairs.
#[derive(Debug, Clone)]
pub struct Fields(Result<Vec<(String, Match)>, String>);

/// The elements of an array pattern: a JSON array, or patterns.
#[derive(Debug, Clone)]
pub struct Items(Result<Vec<Match>, String>);

impl Match {
    /// The object must hold these keys, matching their patterns; other keys are allowed.
    /// Objects given as plain JSON inside it match partially too.
    ///
    /// ```
    /// use cloudwright_core::testing::Match;
    /// use serde_json::json;
    ///
    /// let pattern = Match::object_like(json!({ "A": { "B": 1 } }));
    /// assert!(pattern.matches(&json!({ "A": { "B": 1, "C": 2 }, "D": 3 })));
    /// assert!(!pattern.matches(&json!({ "A": { "B": 2 } })));
    /// ```
    pub fn object_like(fields: impl Into<Fields>) -> Match {
        Match::object(fields.into(), true, "object_like")
    }

    /// The object must hold exactly these keys, matching their patterns.
    ///
    /// ```
    /// use cloudwright_core::testing::Match;
    /// use serde_json::json;
    ///
    /// let pattern = Match::object_equals(json!({ "A": 1 }));
    /// assert!(pattern.matches(&json!({ "A": 1 })));
    /// assert!(!pattern.matches(&json!({ "A": 1, "B": 2 })));
    /// ```
    pub fn object_equals(fields: impl Into<Fields>) -> Match {
        Match::object(fields.into(), false, "object_equals")
    }

    fn object(fields: Fields, partial: bool, name: &str) -> Match {
        match fields.0 {
            Ok(fields) => Match(Pattern::Object { fields, partial }),
            Err(found) => Match(Pattern::Invalid(format!("Match::{name} needs a JSON object, not {found}"))),
        }
    }

    /// The array must hold elements matching these patterns, in this order, with any
    /// elements between them. Plain JSON elements must match exactly: wrap an element in
    /// [`Match::object_like`] to match it partially.
    ///
    /// ```
    /// use cloudwright_core::testing::Match;
    /// use serde_json::json;
    ///
    /// let pattern = Match::array_with(json!(["s3:GetObject", "s3:PutObject"]));
    /// assert!(pattern.matches(&json!(["s3:GetObject", "s3:ListBucket", "s3:PutObject"])));
    /// assert!(!pattern.matches(&json!(["s3:PutObject", "s3:GetObject"])));
    /// ```
    pub fn array_with(items: impl Into<Items>) -> Match {
        Match::array(items.into(), true, "array_with")
    }

    /// The array must hold exactly these elements, in this order.
    ///
    /// ```
    /// use cloudwright_core::testing::Match;
    /// use serde_json::json;
    ///
    /// let pattern = Match::array_equals([Match::string_like_regexp("^arn:"), Match::any_value()]);
    /// assert!(pattern.matches(&json!(["arn:aws:s3:::b", 1])));
    /// assert!(!pattern.matches(&json!(["arn:aws:s3:::b"])));
    /// ```
    pub fn array_equals(items: impl Into<Items>) -> Match {
        Match::array(items.into(), false, "array_equals")
    }

    fn array(items: Items, subsequence: bool, name: &str) -> Match {
        match items.0 {
            Ok(items) => Match(Pattern::Array { items, subsequence }),
            Err(found) => Match(Pattern::Invalid(format!("Match::{name} needs a JSON array, not {found}"))),
        }
    }

    /// The value must equal this JSON value exactly, objects inside it included.
    ///
    /// ```
    /// use cloudwright_core::testing::Match;
    /// use serde_json::json;
    ///
    /// assert!(Match::exact(json!({ "A": 1 })).matches(&json!({ "A": 1 })));
    /// assert!(!Match::exact(json!({ "A": 1 })).matches(&json!({ "A": 1, "B": 2 })));
    /// ```
    pub fn exact(value: impl Into<Json>) -> Match {
        Match(Pattern::Literal { value: value.into(), partial: Some(false) })
    }

    /// The value must be a string this regular expression finds a match in (anywhere, `^`
    /// and `$` matching at line ends, as the CDK's `stringLikeRegexp`). An invalid
    /// expression matches nothing, and the failure says why.
    ///
    /// ```
    /// use cloudwright_core::testing::Match;
    /// use serde_json::json;
    ///
    /// assert!(Match::string_like_regexp("^python3\\.1[0-9]$").matches(&json!("python3.12")));
    /// assert!(!Match::string_like_regexp("^python").matches(&json!("nodejs20.x")));
    /// ```
    pub fn string_like_regexp(pattern: &str) -> Match {
        let regex = regex::RegexBuilder::new(pattern).multi_line(true).build().map_err(|e| e.to_string());
        Match(Pattern::Regexp { source: pattern.to_owned(), regex })
    }

    /// Any value but `null` or an absent key.
    ///
    /// ```
    /// use cloudwright_core::testing::Match;
    /// use serde_json::json;
    ///
    /// assert!(Match::any_value().matches(&json!({ "Ref": "Bucket" })));
    /// assert!(!Match::any_value().matches(&json!(null)));
    /// ```
    pub fn any_value() -> Match {
        Match(Pattern::AnyValue)
    }

    /// The key must be absent (as a field's pattern in an object pattern).
    ///
    /// ```
    /// use cloudwright_core::testing::Match;
    /// use serde_json::json;
    ///
    /// let pattern = Match::object_like([("BucketName", Match::absent())]);
    /// assert!(pattern.matches(&json!({ "VersioningConfiguration": {} })));
    /// assert!(!pattern.matches(&json!({ "BucketName": "logs" })));
    /// ```
    pub fn absent() -> Match {
        Match(Pattern::Absent)
    }

    /// The value must not match `pattern` (plain JSON in it matches exactly).
    ///
    /// ```
    /// use cloudwright_core::testing::Match;
    /// use serde_json::json;
    ///
    /// let pattern = Match::not(json!({ "Effect": "Allow", "Action": "*" }));
    /// assert!(pattern.matches(&json!({ "Effect": "Allow", "Action": "s3:GetObject" })));
    /// assert!(!pattern.matches(&json!({ "Effect": "Allow", "Action": "*" })));
    /// ```
    pub fn not(pattern: impl Into<Match>) -> Match {
        Match(Pattern::Not(Box::new(pattern.into())))
    }

    /// The value must be a string of JSON whose parsed value matches `pattern` (a
    /// dashboard body, a state machine definition; plain JSON in it matches exactly).
    ///
    /// ```
    /// use cloudwright_core::testing::Match;
    /// use serde_json::json;
    ///
    /// let pattern = Match::serialized_json(Match::object_like(json!({ "widgets": [] })));
    /// assert!(pattern.matches(&json!(r#"{"widgets":[],"start":"-PT3H"}"#)));
    /// assert!(!pattern.matches(&json!("not json")));
    /// ```
    pub fn serialized_json(pattern: impl Into<Match>) -> Match {
        Match(Pattern::SerializedJson(Box::new(pattern.into())))
    }

    /// Whether `actual` matches (captures record nothing: use the template's assertions
    /// for those).
    ///
    /// ```
    /// use cloudwright_core::testing::Match;
    /// use serde_json::json;
    ///
    /// assert!(Match::from("a").matches(&json!("a")));
    /// ```
    pub fn matches(&self, actual: &Json) -> bool {
        !self.test(Some(actual)).failed()
    }

    /// Why `actual` does not match, rendered as the template's assertions render it: the
    /// value with `!!` before each mismatch, then one line per JSON path that differs.
    /// `None` when it matches.
    ///
    /// ```
    /// use cloudwright_core::testing::Match;
    /// use serde_json::json;
    ///
    /// let why = Match::object_like(json!({ "Mode": "Active" })).mismatch(&json!({ "Mode": "PassThrough" }));
    /// assert!(why.unwrap().contains("/Mode: Expected \"Active\" but received \"PassThrough\""));
    /// ```
    pub fn mismatch(&self, actual: &Json) -> Option<String> {
        let result = self.test(Some(actual));
        result.failed().then(|| format!("{}\n{}", result.render(), result.paths().join("\n")))
    }

    /// Tests a value where the pattern stands on its own (a template section's entry):
    /// plain JSON objects match partially there, as the CDK's.
    pub(crate) fn test(&self, actual: Option<&Json>) -> MatchResult {
        self.test_in(actual, true, "object_like")
    }

    pub(crate) fn is_absent(&self) -> bool {
        matches!(self.0, Pattern::Absent)
    }

    /// `partial`: how plain JSON objects without a say of their own match here; `name`:
    /// the matcher such a literal is part of, for messages.
    fn test_in(&self, actual: Option<&Json>, partial: bool, name: &'static str) -> MatchResult {
        match &self.0 {
            Pattern::Literal { value, partial: own } => {
                let partial = own.unwrap_or(partial);
                let name = if own.is_some() { "exact" } else { name };
                literal(value, actual, partial, name)
            }
            Pattern::Object { fields, partial } => {
                let name = if *partial { "object_like" } else { "object_equals" };
                let fields = fields.iter().map(|(k, m)| (k.as_str(), Elem::Match(m)));
                object(fields, actual, *partial, name)
            }
            Pattern::Array { items, subsequence } => {
                let items = items.iter().map(Elem::Match).collect();
                if *subsequence { subsequence_of(items, actual) } else { array(items, actual, false, "array_equals") }
            }
            Pattern::Regexp { source, regex } => regexp(source, regex, actual),
            Pattern::AnyValue => {
                let mut result = MatchResult::new(actual);
                if matches!(actual, None | Some(Json::Null)) {
                    result.fail("any_value", "Expected a value but found none");
                }
                result
            }
            Pattern::Absent => {
                let mut result = MatchResult::new(actual);
                if let Some(found) = actual {
                    result.fail("absent", format!("Received {found}, but key should be absent"));
                }
                result
            }
            Pattern::Not(pattern) => {
                let mut result = MatchResult::new(actual);
                if !pattern.test_in(actual, false, "not").failed() {
                    result.fail("not", format!("Found unexpected match: {}", pretty(actual)));
                }
                result
            }
            Pattern::SerializedJson(pattern) => serialized_json(pattern, actual),
            Pattern::Capture(capture) => {
                let mut result = MatchResult::new(actual);
                let Some(value) = actual.filter(|v| !v.is_null()) else {
                    result.fail("capture", "Can only capture non-nullish values");
                    return result;
                };
                if let Some(pattern) = capture.pattern() {
                    let inner = pattern.test_in(actual, partial, name);
                    if inner.failed() {
                        return inner;
                    }
                }
                result.captures.push((capture.clone(), value.clone()));
                result
            }
            Pattern::Invalid(message) => {
                let mut result = MatchResult::new(actual);
                result.fail("invalid", message.clone());
                result
            }
        }
    }
}

impl From<Json> for Match {
    fn from(value: Json) -> Match {
        Match(Pattern::Literal { value, partial: None })
    }
}

impl From<&str> for Match {
    fn from(value: &str) -> Match {
        Match::from(Json::from(value))
    }
}

impl From<String> for Match {
    fn from(value: String) -> Match {
        Match::from(Json::from(value))
    }
}

impl From<i64> for Match {
    fn from(value: i64) -> Match {
        Match::from(Json::from(value))
    }
}

impl From<f64> for Match {
    fn from(value: f64) -> Match {
        Match::from(Json::from(value))
    }
}

impl From<bool> for Match {
    fn from(value: bool) -> Match {
        Match::from(Json::from(value))
    }
}

impl From<Capture> for Match {
    fn from(capture: Capture) -> Match {
        Match(Pattern::Capture(capture))
    }
}

impl From<&Capture> for Match {
    fn from(capture: &Capture) -> Match {
        Match(Pattern::Capture(capture.clone()))
    }
}

impl From<Json> for Fields {
    fn from(value: Json) -> Fields {
        Fields(match value {
            Json::Object(map) => Ok(map.into_iter().map(|(k, v)| (k, Match::from(v))).collect()),
            other => Err(type_name(Some(&other)).to_owned()),
        })
    }
}

// The patterns are `Match` itself, not `impl Into<Match>`: then `"x".into()` in a list
// of fields infers its type.
impl<K: Into<String>, const N: usize> From<[(K, Match); N]> for Fields {
    fn from(fields: [(K, Match); N]) -> Fields {
        Fields(Ok(fields.into_iter().map(|(k, m)| (k.into(), m)).collect()))
    }
}

impl<K: Into<String>> From<Vec<(K, Match)>> for Fields {
    fn from(fields: Vec<(K, Match)>) -> Fields {
        Fields(Ok(fields.into_iter().map(|(k, m)| (k.into(), m)).collect()))
    }
}

impl From<Json> for Items {
    fn from(value: Json) -> Items {
        Items(match value {
            Json::Array(items) => Ok(items.into_iter().map(Match::from).collect()),
            other => Err(type_name(Some(&other)).to_owned()),
        })
    }
}

impl<const N: usize> From<[Match; N]> for Items {
    fn from(items: [Match; N]) -> Items {
        Items(Ok(items.into()))
    }
}

impl From<Vec<Match>> for Items {
    fn from(items: Vec<Match>) -> Items {
        Items(Ok(items))
    }
}

/// A pattern element: a matcher, or plain JSON inside a literal (not copied into matchers).
#[derive(Clone, Copy)]
enum Elem<'p> {
    Match(&'p Match),
    Literal(&'p Json),
}

impl Elem<'_> {
    fn test(self, actual: Option<&Json>, partial: bool, name: &'static str) -> MatchResult {
        match self {
            Elem::Match(m) => m.test_in(actual, partial, name),
            Elem::Literal(value) => literal(value, actual, partial, name),
        }
    }

    fn kind(self) -> Option<&'static str> {
        match self {
            Elem::Match(Match(Pattern::Absent)) => Some("absent"),
            Elem::Match(Match(Pattern::AnyValue)) => Some("any_value"),
            _ => None,
        }
    }
}

fn literal(value: &Json, actual: Option<&Json>, partial: bool, name: &'static str) -> MatchResult {
    match value {
        Json::Object(map) => object(map.iter().map(|(k, v)| (k.as_str(), Elem::Literal(v))), actual, partial, name),
        Json::Array(items) => array(items.iter().map(Elem::Literal).collect(), actual, partial, name),
        scalar => {
            let mut result = MatchResult::new(actual);
            let found_type = type_name(actual);
            if type_name(Some(scalar)) != found_type {
                result.fail(name, format!("Expected type {} but received {found_type}", type_name(Some(scalar))));
            } else if actual.is_some_and(|a| !same_scalar(scalar, a)) {
                result.fail(name, format!("Expected {scalar} but received {}", pretty(actual)));
            }
            result
        }
    }
}

/// Numbers compare by value (`1` and `1.0` are one number in a template).
fn same_scalar(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn object<'p>(
    fields: impl Iterator<Item = (&'p str, Elem<'p>)>,
    actual: Option<&Json>,
    partial: bool,
    name: &'static str,
) -> MatchResult {
    let mut result = MatchResult::new(actual);
    let Some(Json::Object(found)) = actual else {
        result.fail(name, format!("Expected type object but received {}", type_name(actual)));
        return result;
    };
    let fields: Vec<(&str, Elem<'_>)> = fields.collect();
    if !partial {
        for key in found.keys().filter(|k| !fields.iter().any(|(f, _)| f == k)) {
            result.fail_at(name, key, format!("Unexpected key {key}"), 1);
        }
    }
    for (key, elem) in fields {
        let value = found.get(key);
        if value.is_none() && elem.kind() != Some("absent") {
            result.fail_at(name, key, format!("Missing key '{key}'"), 1);
            continue;
        }
        let inner = elem.test(value, partial, name);
        result.compose(key, inner);
    }
    result
}

/// Element for element, as many as the pattern has.
fn array(items: Vec<Elem<'_>>, actual: Option<&Json>, partial: bool, name: &'static str) -> MatchResult {
    let mut result = MatchResult::new(actual);
    let Some(Json::Array(found)) = actual else {
        result.fail(name, format!("Expected type array but received {}", type_name(actual)));
        return result;
    };
    for (i, (elem, value)) in items.iter().zip(found).enumerate() {
        let inner = elem.test(Some(value), partial, name);
        result.compose(&i.to_string(), inner);
    }
    let (want, got) = (items.len(), found.len());
    if want > got {
        result.fail_at(
            name,
            &got.to_string(),
            format!("Not enough elements in array (expecting {want}, got {got})"),
            1,
        );
    } else if got > want {
        result.fail_at(name, &want.to_string(), format!("Too many elements in array (expecting {want}, got {got})"), 1);
    }
    result
}

/// The CDK's `arrayWith`: each pattern element matched by a later array element than the
/// one before; on failure, where the earlier ones matched and the closest candidate for the
/// first that did not.
fn subsequence_of(items: Vec<Elem<'_>>, actual: Option<&Json>) -> MatchResult {
    const NAME: &str = "array_with";
    let mut result = MatchResult::new(actual);
    let Some(Json::Array(found)) = actual else {
        result.fail(NAME, format!("Expected type array but received {}", type_name(actual)));
        return result;
    };
    if let Some(kind) = items.iter().find_map(|e| e.kind()) {
        result.fail(
            NAME,
            format!("Match::{kind}() cannot be nested within Match::array_with (it says nothing of an element)"),
        );
        return result;
    }
    let (mut pattern, mut at) = (0, 0);
    let mut matched_at = Vec::new();
    let mut tried: Vec<(usize, MatchResult)> = Vec::new();
    while pattern < items.len() && at < found.len() {
        let inner = items[pattern].test(Some(&found[at]), false, NAME);
        if inner.failed() {
            tried.push((at, inner));
        } else {
            result.compose(&at.to_string(), inner);
            matched_at.push(at);
            tried.clear();
            pattern += 1;
        }
        at += 1;
    }
    if pattern == items.len() {
        return result;
    }
    for (i, index) in matched_at.iter().enumerate() {
        let mut here = MatchResult::new(Some(&found[*index]));
        here.fail_with_cost(NAME, format!("array_with pattern {i} matched here"), 0);
        result.compose(&index.to_string(), here);
    }
    // The closest candidate: least cost, then first.
    tried.sort_by_key(|(i, r)| (r.cost, *i));
    match tried.into_iter().next() {
        Some((index, inner)) => {
            let key = index.to_string();
            result.fail_at(
                NAME,
                &key,
                format!("Could not match array_with pattern {pattern}. This is the closest match"),
                0,
            );
            result.compose(&key, inner);
        }
        None => result.fail_at(
            NAME,
            &found.len().to_string(),
            format!("Could not match array_with pattern {pattern}. No more elements to try"),
            1,
        ),
    }
    result
}

fn regexp(source: &str, regex: &Result<regex::Regex, String>, actual: Option<&Json>) -> MatchResult {
    const NAME: &str = "string_like_regexp";
    let mut result = MatchResult::new(actual);
    match (regex, actual) {
        (Err(e), _) => result.fail(NAME, format!("Invalid regular expression '{source}': {e}")),
        (Ok(regex), Some(Json::String(s))) => {
            if !regex.is_match(s) {
                result.fail(NAME, format!("String '{s}' did not match pattern '{source}'"));
            }
        }
        (Ok(_), other) => result.fail(NAME, format!("Expected a string, but got {}", type_name(other))),
    }
    result
}

fn serialized_json(pattern: &Match, actual: Option<&Json>) -> MatchResult {
    const NAME: &str = "serialized_json";
    let Some(Json::String(text)) = actual else {
        let mut result = MatchResult::new(actual);
        result.fail(NAME, format!("Expected JSON as a string but found {}", type_name(actual)));
        return result;
    };
    let parsed: Json = match serde_json::from_str(text) {
        Ok(parsed) => parsed,
        Err(e) => {
            let mut result = MatchResult::new(actual);
            result.fail(NAME, format!("Invalid JSON string ({e}): {text}"));
            return result;
        }
    };
    let mut inner = pattern.test_in(Some(&parsed), false, NAME);
    if inner.failed() {
        inner.fail(NAME, "Encoded JSON value does not match");
    }
    inner
}

/// The type of a value as the messages name it (`no value` for an absent key).
fn type_name(value: Option<&Json>) -> &'static str {
    match value {
        None => "no value",
        Some(Json::Null) => "null",
        Some(Json::Bool(_)) => "boolean",
        Some(Json::Number(_)) => "number",
        Some(Json::String(_)) => "string",
        Some(Json::Array(_)) => "array",
        Some(Json::Object(_)) => "object",
    }
}

fn pretty(value: Option<&Json>) -> String {
    match value {
        None => "no value".into(),
        Some(v) => serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string()),
    }
}

/// One failure, at a path relative to the result it is recorded in.
#[derive(Debug, Clone)]
struct Failure {
    matcher: &'static str,
    message: String,
}

/// What testing one value found: failures here (by the key they concern, `""` for the
/// value itself), failed results of its parts, captures to keep if everything matched.
#[derive(Debug, Clone)]
pub(crate) struct MatchResult {
    target: Option<Json>,
    here: Vec<(String, Vec<Failure>)>,
    inner: Vec<(String, MatchResult)>,
    captures: Vec<(Capture, Json)>,
    failures: usize,
    /// How far from a match: the candidate with the least cost is the closest.
    pub(crate) cost: usize,
}

impl MatchResult {
    fn new(target: Option<&Json>) -> MatchResult {
        MatchResult {
            target: target.cloned(),
            here: Vec::new(),
            inner: Vec::new(),
            captures: Vec::new(),
            failures: 0,
            cost: 0,
        }
    }

    pub(crate) fn failed(&self) -> bool {
        self.failures > 0
    }

    fn fail(&mut self, matcher: &'static str, message: impl Into<String>) {
        self.fail_at(matcher, "", message.into(), 1);
    }

    fn fail_with_cost(&mut self, matcher: &'static str, message: String, cost: usize) {
        self.fail_at(matcher, "", message, cost);
    }

    fn fail_at(&mut self, matcher: &'static str, key: &str, message: String, cost: usize) {
        let failure = Failure { matcher, message };
        match self.here.iter_mut().find(|(k, _)| k == key) {
            Some((_, list)) => list.push(failure),
            None => self.here.push((key.to_owned(), vec![failure])),
        }
        self.failures += 1;
        self.cost += cost;
    }

    fn compose(&mut self, key: &str, inner: MatchResult) {
        self.captures.extend(inner.captures.iter().cloned());
        if inner.failed() {
            self.failures += inner.failures;
            self.cost += inner.cost;
            self.inner.push((key.to_owned(), inner));
        }
    }

    /// Hands the captured values to their captures, if everything matched.
    pub(crate) fn finish(&self) {
        if !self.failed() {
            for (capture, value) in &self.captures {
                capture.push(value.clone());
            }
        }
    }

    fn failures_at(&self, key: &str) -> &[Failure] {
        self.here.iter().find(|(k, _)| k == key).map_or(&[], |(_, list)| list.as_slice())
    }

    /// One line per failure: its JSON path, message and matcher.
    pub(crate) fn paths(&self) -> Vec<String> {
        let mut lines = Vec::new();
        self.collect_paths("", &mut lines);
        lines
    }

    fn collect_paths(&self, prefix: &str, lines: &mut Vec<String>) {
        for (key, failures) in &self.here {
            let path = if key.is_empty() { prefix.to_owned() } else { format!("{prefix}/{key}") };
            let at = if path.is_empty() { "/" } else { path.as_str() };
            for f in failures {
                lines.push(format!("  at {at}: {} (using {} matcher)", f.message, f.matcher));
            }
        }
        for (key, inner) in &self.inner {
            inner.collect_paths(&format!("{prefix}/{key}"), lines);
        }
    }

    /// The tested value with a `!! message` line before each place that did not match,
    /// keys sorted and untested parts abridged (aws-cdk-lib's `renderMismatch`).
    pub(crate) fn render(&self) -> String {
        if !self.failed() {
            return "<match>".into();
        }
        let mut out = Render::default();
        out.failures(self.failures_at(""));
        out.result(self);
        markers_to_front(out.text.trim_end())
    }
}

#[derive(Default)]
struct Render {
    text: String,
    depth: usize,
}

impl Render {
    fn emit(&mut self, s: &str) {
        let indent = format!("\n{}", "  ".repeat(self.depth));
        self.text.push_str(&s.replace('\n', &indent));
    }

    fn failures(&mut self, failures: &[Failure]) {
        for f in failures {
            self.emit(&format!("!! {}\n", f.message));
        }
    }

    fn result(&mut self, r: &MatchResult) {
        let mut remaining: Vec<&str> = r.here.iter().map(|(k, _)| k.as_str()).filter(|k| !k.is_empty()).collect();
        match &r.target {
            Some(Json::Array(items)) => {
                self.depth += 1;
                self.emit("[\n");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.emit(",\n");
                    }
                    let key = i.to_string();
                    self.printed(r, &key, &mut remaining);
                    self.part(r, &key, item);
                }
                self.remaining(r, &remaining);
                self.depth -= 1;
                self.emit("\n]");
            }
            Some(Json::Object(map)) => {
                self.depth += 1;
                self.emit("{\n");
                let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();
                keys.extend(remaining.iter().copied().filter(|k| !map.contains_key(*k)));
                keys.sort_unstable();
                keys.dedup();
                for (i, key) in keys.iter().enumerate() {
                    if i > 0 {
                        self.emit(",\n");
                    }
                    self.printed(r, key, &mut remaining);
                    match map.get(*key) {
                        Some(value) => {
                            let inner = r.inner.iter().find(|(k, _)| k == key);
                            if let Some((_, inner)) = inner {
                                self.failures(inner.failures_at(""));
                            }
                            self.emit(&format!("{}: ", Json::from(*key)));
                            match inner {
                                Some((_, inner)) => self.compared(inner, value),
                                None => self.emit(&abridged(value)),
                            }
                        }
                        // A key the pattern wanted and the object lacks.
                        None => self.emit(&format!("{}: <missing>", Json::from(*key))),
                    }
                }
                self.remaining(r, &remaining);
                self.depth -= 1;
                self.emit("\n}");
            }
            other => {
                self.remaining(r, &remaining);
                self.emit(&other.as_ref().map_or_else(|| "<absent>".to_owned(), Json::to_string));
            }
        }
    }

    /// The failures recorded at `key`, before its line.
    fn printed<'r>(&mut self, r: &'r MatchResult, key: &str, remaining: &mut Vec<&'r str>) {
        self.failures(r.failures_at(key));
        remaining.retain(|k| *k != key);
    }

    fn part(&mut self, r: &MatchResult, key: &str, value: &Json) {
        match r.inner.iter().find(|(k, _)| k == key) {
            Some((_, inner)) => {
                self.failures(inner.failures_at(""));
                self.compared(inner, value);
            }
            None => self.emit(&abridged(value)),
        }
    }

    /// An inner result tested a transformation of the value (parsed JSON): show both.
    fn compared(&mut self, inner: &MatchResult, value: &Json) {
        if inner.target.as_ref() != Some(value) {
            self.emit(&abridged(value));
            self.emit(" <*> ");
        }
        self.result(inner);
    }

    fn remaining(&mut self, r: &MatchResult, keys: &[&str]) {
        if !keys.is_empty() {
            self.emit("\n");
        }
        for key in keys {
            self.failures(r.failures_at(key));
        }
    }
}

/// A value shown in one line: scalars whole, small containers opened one level.
fn abridged(value: &Json) -> String {
    match value {
        Json::Array(items) => match items.as_slice() {
            [] => "[]".into(),
            [one] => format!("[ {} ]", abridged(one)),
            [a, b]
                if !a.is_object()
                    && !a.is_array()
                    && !b.is_object()
                    && !b.is_array()
                    && !a.is_null()
                    && !b.is_null() =>
            {
                format!("[ {a}, {b} ]")
            }
            _ => "[ ... ]".into(),
        },
        Json::Object(map) => match map.len() {
            0 => "{}".into(),
            1 => map.iter().map(|(k, v)| format!("{{ {}: {} }}", Json::from(k.as_str()), abridged(v))).collect(),
            _ => "{ ... }".into(),
        },
        scalar => scalar.to_string(),
    }
}

/// `!!` markers start their line, the indentation after them, so they stand out.
fn markers_to_front(text: &str) -> String {
    text.lines()
        .map(|line| {
            let trimmed = line.trim_start();
            let spaces = line.len() - trimmed.len();
            match trimmed.strip_prefix("!!") {
                Some(rest) if spaces > 0 => format!("!!{}{rest}", " ".repeat(spaces.saturating_sub(2))),
                _ => line.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
