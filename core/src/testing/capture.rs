//! `Capture`: a pattern that matches any value and keeps it, to read back or to use in a
//! later assertion (aws-cdk-lib's `Capture`).

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::{Map, Value as Json};

use super::matcher::Match;
use crate::error::{Error, Result};

/// Matches any non-null value (or, made with [`Capture::with_pattern`], any value
/// `pattern` matches) and records it. Every resource an assertion finds matching records
/// its value, in template order; the accessors read the current one and
/// [`Capture::next`] moves on. Clones share what was captured.
///
/// ```
/// use cloudwright_core::testing::{Capture, Match, Template};
/// use serde_json::json;
///
/// let template = Template::from_json(json!({ "Resources": {
///     "Fn": { "Type": "AWS::Lambda::Function", "Properties": { "Role": { "Fn::GetAtt": ["Role", "Arn"] } } },
///     "Role": { "Type": "AWS::IAM::Role", "Properties": {} },
/// }}));
/// let role = Capture::new();
/// template.has_resource_properties("AWS::Lambda::Function", Match::object_like([("Role", Match::from(&role))]));
/// let logical_id = role.as_object()?["Fn::GetAtt"][0].clone();
/// // The captured id used in a second assertion: that resource is a role.
/// assert!(template.find_resources("AWS::IAM::Role", json!({})).contains_key(logical_id.as_str().unwrap_or("")));
/// # Ok::<(), cloudwright_core::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Capture(Rc<RefCell<State>>);

#[derive(Debug, Default)]
struct State {
    pattern: Option<Match>,
    values: Vec<Json>,
    index: usize,
}

impl Capture {
    /// A capture of any non-null value.
    pub fn new() -> Capture {
        Capture::default()
    }

    /// A capture of the values `pattern` matches (a value it does not match fails the
    /// match, as any pattern would).
    ///
    /// ```
    /// use cloudwright_core::testing::{Capture, Match};
    /// use serde_json::json;
    ///
    /// let runtime = Capture::with_pattern(Match::string_like_regexp("^python"));
    /// assert!(!Match::from(&runtime).matches(&json!("nodejs20.x")));
    /// ```
    pub fn with_pattern(pattern: impl Into<Match>) -> Capture {
        Capture(Rc::new(RefCell::new(State { pattern: Some(pattern.into()), ..State::default() })))
    }

    pub(crate) fn pattern(&self) -> Option<Match> {
        self.0.borrow().pattern.clone()
    }

    pub(crate) fn push(&self, value: Json) {
        self.0.borrow_mut().values.push(value);
    }

    /// Moves to the next captured value; `false` (staying put) when there is none.
    ///
    /// ```
    /// use cloudwright_core::testing::{Capture, Match, Template};
    /// use serde_json::json;
    ///
    /// let template = Template::from_json(json!({ "Resources": {
    ///     "A": { "Type": "AWS::SQS::Queue", "Properties": { "QueueName": "a" } },
    ///     "B": { "Type": "AWS::SQS::Queue", "Properties": { "QueueName": "b" } },
    /// }}));
    /// let name = Capture::new();
    /// template.all_resources_properties("AWS::SQS::Queue", Match::object_like([("QueueName", Match::from(&name))]));
    /// assert_eq!(name.as_string()?, "a");
    /// assert!(name.next());
    /// assert_eq!(name.as_string()?, "b");
    /// assert!(!name.next());
    /// # Ok::<(), cloudwright_core::Error>(())
    /// ```
    pub fn next(&self) -> bool {
        let mut state = self.0.borrow_mut();
        if state.index + 1 < state.values.len() {
            state.index += 1;
            true
        } else {
            false
        }
    }

    /// Every value captured so far, in the order they were found.
    ///
    /// ```
    /// use cloudwright_core::testing::Capture;
    ///
    /// assert!(Capture::new().values().is_empty());
    /// ```
    pub fn values(&self) -> Vec<Json> {
        self.0.borrow().values.clone()
    }

    /// The current captured value, whatever its type.
    ///
    /// ```
    /// use cloudwright_core::testing::{Capture, Match};
    /// use serde_json::json;
    ///
    /// let capture = Capture::new();
    /// assert!(capture.as_json().is_err(), "nothing captured yet");
    /// # Ok::<(), cloudwright_core::Error>(())
    /// ```
    pub fn as_json(&self) -> Result<Json> {
        let state = self.0.borrow();
        state.values.get(state.index).cloned().ok_or_else(|| Error::Assertion {
            message: "no value captured: the capture was in no assertion that matched".into(),
        })
    }

    /// The current captured value as a string.
    ///
    /// ```
    /// use cloudwright_core::testing::{Capture, Match, Template};
    /// use serde_json::json;
    ///
    /// let template = Template::from_json(json!({ "Resources": {
    ///     "Fn": { "Type": "AWS::Lambda::Function", "Properties": { "Runtime": "python3.12" } },
    /// }}));
    /// let runtime = Capture::new();
    /// template.has_resource_properties("AWS::Lambda::Function", Match::object_like([("Runtime", Match::from(&runtime))]));
    /// assert_eq!(runtime.as_string()?, "python3.12");
    /// assert!(runtime.as_number().is_err());
    /// # Ok::<(), cloudwright_core::Error>(())
    /// ```
    pub fn as_string(&self) -> Result<String> {
        match self.as_json()? {
            Json::String(s) => Ok(s),
            other => Err(wrong_type("a string", &other)),
        }
    }

    /// The current captured value as a number.
    ///
    /// ```
    /// use cloudwright_core::testing::{Capture, Match, Template};
    /// use serde_json::json;
    ///
    /// let template = Template::from_json(json!({ "Resources": {
    ///     "Q": { "Type": "AWS::SQS::Queue", "Properties": { "VisibilityTimeout": 30 } },
    /// }}));
    /// let timeout = Capture::new();
    /// template.has_resource_properties("AWS::SQS::Queue", Match::object_like([("VisibilityTimeout", Match::from(&timeout))]));
    /// assert_eq!(timeout.as_number()?, 30.0);
    /// # Ok::<(), cloudwright_core::Error>(())
    /// ```
    pub fn as_number(&self) -> Result<f64> {
        match self.as_json()? {
            Json::Number(n) if n.as_f64().is_some() => Ok(n.as_f64().unwrap_or_default()),
            other => Err(wrong_type("a number", &other)),
        }
    }

    /// The current captured value as a boolean.
    ///
    /// ```
    /// use cloudwright_core::testing::{Capture, Match, Template};
    /// use serde_json::json;
    ///
    /// let template = Template::from_json(json!({ "Resources": {
    ///     "K": { "Type": "AWS::KMS::Key", "Properties": { "EnableKeyRotation": true } },
    /// }}));
    /// let rotation = Capture::new();
    /// template.has_resource_properties("AWS::KMS::Key", Match::object_like([("EnableKeyRotation", Match::from(&rotation))]));
    /// assert!(rotation.as_bool()?);
    /// # Ok::<(), cloudwright_core::Error>(())
    /// ```
    pub fn as_bool(&self) -> Result<bool> {
        match self.as_json()? {
            Json::Bool(b) => Ok(b),
            other => Err(wrong_type("a boolean", &other)),
        }
    }

    /// The current captured value as an array.
    ///
    /// ```
    /// use cloudwright_core::testing::{Capture, Match, Template};
    /// use serde_json::json;
    ///
    /// let template = Template::from_json(json!({ "Resources": {
    ///     "Fn": { "Type": "AWS::Lambda::Function", "Properties": { "Architectures": ["arm64"] } },
    /// }}));
    /// let arch = Capture::new();
    /// template.has_resource_properties("AWS::Lambda::Function", Match::object_like([("Architectures", Match::from(&arch))]));
    /// assert_eq!(arch.as_array()?, vec![json!("arm64")]);
    /// # Ok::<(), cloudwright_core::Error>(())
    /// ```
    pub fn as_array(&self) -> Result<Vec<Json>> {
        match self.as_json()? {
            Json::Array(items) => Ok(items),
            other => Err(wrong_type("an array", &other)),
        }
    }

    /// The current captured value as an object.
    ///
    /// ```
    /// use cloudwright_core::testing::{Capture, Match, Template};
    /// use serde_json::json;
    ///
    /// let template = Template::from_json(json!({ "Resources": {
    ///     "Fn": { "Type": "AWS::Lambda::Function", "Properties": { "TracingConfig": { "Mode": "Active" } } },
    /// }}));
    /// let tracing = Capture::new();
    /// template.has_resource_properties("AWS::Lambda::Function", Match::object_like([("TracingConfig", Match::from(&tracing))]));
    /// assert_eq!(tracing.as_object()?["Mode"], "Active");
    /// # Ok::<(), cloudwright_core::Error>(())
    /// ```
    pub fn as_object(&self) -> Result<Map<String, Json>> {
        match self.as_json()? {
            Json::Object(map) => Ok(map),
            other => Err(wrong_type("an object", &other)),
        }
    }
}

fn wrong_type(expected: &str, found: &Json) -> Error {
    Error::Assertion { message: format!("the captured value is expected to be {expected}, but it is {found}") }
}
