//! The template sections other than resources: parameters, outputs, conditions,
//! mappings and rules. Each is a construct in the tree with a logical id of its own.

use indexmap::IndexMap;
use serde_json::{Map, Value as Json, json};

use crate::element::{Body, Element, OutputBody, RuleBody};
use crate::error::Result;
use crate::expr::{Cond, ElementRef, Expr};
use crate::logical_id::{HIDDEN_ID, unique_id};
use crate::stored::Stored;
use crate::tree::{Construct, Kind, Node, Nodes};

/// Adds an element whose values are stored once its node exists (a value that cannot be
/// stored is a problem of that node): `empty` is the body without them, `body` the body
/// with them.
fn add(
    scope: &impl Construct,
    id: &str,
    empty: Body,
    fqn: &'static str,
    body: impl FnOnce(&Node) -> Body,
) -> Result<Node> {
    let node = Node::add_child(scope.node(), id, Kind::Element(Box::new(Element::new(empty))), fqn)?;
    let body = body(&node);
    if let Some(element) = node.tree_mut().element_mut(node.index) {
        element.body = body;
    }
    Ok(node)
}

impl Nodes {
    /// The logical id of an element: its override, else the CDK's unique id of its path
    /// below the stack.
    pub(crate) fn logical_id(&self, index: u32) -> String {
        if let Some(id) = self.element(index).and_then(|e| e.logical_id_override.as_deref()) {
            return id.to_owned();
        }
        // The ids below the stack (or the root) down to the element, gathered upwards.
        let mut ids: Vec<&str> = Vec::with_capacity(8);
        let mut at = &self.nodes[index as usize];
        while let (Some(parent), false) = (at.parent, matches!(at.kind, Kind::Stack(_))) {
            if &*at.id != HIDDEN_ID {
                ids.push(at.logical_id_component());
            }
            at = &self.nodes[parent as usize];
        }
        ids.reverse();
        unique_id(&ids).unwrap_or_default()
    }
}

pub(crate) fn logical_id(node: &Node) -> String {
    node.tree().logical_id(node.index)
}

pub(crate) fn override_logical_id(node: &Node, logical_id: &str) {
    if let Some(e) = node.tree_mut().element_mut(node.index) {
        e.logical_id_override = Some(logical_id.into());
    }
}

macro_rules! element_handle {
    ($name:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            node: Node,
        }

        impl Construct for $name {
            fn node(&self) -> &Node {
                &self.node
            }
        }

        impl $name {
            /// The logical id this element will have in its template.
            pub fn logical_id(&self) -> String {
                logical_id(&self.node)
            }

            /// Replaces the logical id computed from the path.
            pub fn override_logical_id(&self, logical_id: &str) {
                override_logical_id(&self.node, logical_id);
            }

            /// The reference other values use to point at this element.
            pub fn element(&self) -> ElementRef {
                self.node.element_ref()
            }
        }
    };
}

element_handle!(CfnParameter, "A template parameter, given a value when the stack is deployed.");
element_handle!(CfnOutput, "A template output, optionally exported for other stacks.");
element_handle!(CfnCondition, "A named condition, used by `Fn::If` and resource `Condition`s.");
element_handle!(CfnMapping, "A two-level lookup table read with `Fn::FindInMap`.");
element_handle!(CfnRule, "A template rule: assertions on parameter values checked before deployment.");

/// Properties of a [`CfnParameter`].
#[derive(Debug, Clone, Default)]
pub struct ParameterProps {
    /// The parameter type; `String` when `None`.
    pub parameter_type: Option<String>,
    /// Default value.
    pub default: Option<Json>,
    /// Description shown to whoever deploys.
    pub description: Option<String>,
    /// Values allowed.
    pub allowed_values: Vec<String>,
    /// Regular expression a string value must match.
    pub allowed_pattern: Option<String>,
    /// Message shown when a constraint fails.
    pub constraint_description: Option<String>,
    /// Minimum string length.
    pub min_length: Option<u32>,
    /// Maximum string length.
    pub max_length: Option<u32>,
    /// Minimum number.
    pub min_value: Option<f64>,
    /// Maximum number.
    pub max_value: Option<f64>,
    /// Hide the value in the console and API.
    pub no_echo: bool,
}

impl CfnParameter {
    /// Adds a parameter to the stack.
    pub fn new(scope: &impl Construct, id: &str, props: ParameterProps) -> Result<Self> {
        let mut m = Map::new();
        m.insert("Type".into(), json!(props.parameter_type.as_deref().unwrap_or("String")));
        let mut put = |k: &str, v: Option<Json>| {
            if let Some(v) = v {
                m.insert(k.into(), v);
            }
        };
        put("Default", props.default);
        put("AllowedValues", (!props.allowed_values.is_empty()).then(|| json!(props.allowed_values)));
        put("AllowedPattern", props.allowed_pattern.map(Json::from));
        put("ConstraintDescription", props.constraint_description.map(Json::from));
        put("Description", props.description.map(Json::from));
        put("MaxLength", props.max_length.map(Json::from));
        put("MaxValue", props.max_value.map(Json::from));
        put("MinLength", props.min_length.map(Json::from));
        put("MinValue", props.min_value.map(Json::from));
        put("NoEcho", props.no_echo.then_some(Json::Bool(true)));
        let node = add(scope, id, Body::Parameter(Box::default()), "cloudwright.CfnParameter", |node| {
            match node.store("the parameter", Json::Object(m)) {
                Stored::Object(o) => Body::Parameter(Box::new(o)),
                _ => Body::Parameter(Box::default()),
            }
        })?;
        Ok(CfnParameter { node })
    }

    /// `Ref` of the parameter: its value.
    pub fn value(&self) -> Expr {
        Expr::Ref(self.element())
    }
}

/// Properties of a [`CfnOutput`].
#[derive(Debug, Clone)]
pub struct OutputProps {
    /// The value.
    pub value: Expr,
    /// Description.
    pub description: Option<String>,
    /// Export the value under this name for `Fn::ImportValue` in other stacks.
    pub export_name: Option<Expr>,
    /// Output only when this condition holds.
    pub condition: Option<CfnCondition>,
}

impl Default for OutputProps {
    fn default() -> Self {
        OutputProps { value: Expr::str(""), description: None, export_name: None, condition: None }
    }
}

impl CfnOutput {
    /// Adds an output to the stack.
    pub fn new(scope: &impl Construct, id: &str, props: OutputProps) -> Result<Self> {
        let OutputProps { value, description, export_name, condition } = props;
        let empty = OutputBody { value: Stored::Null, description: None, export_name: None, condition: None };
        let node = add(scope, id, Body::Output(Box::new(empty)), "cloudwright.CfnOutput", |node| {
            Body::Output(Box::new(OutputBody {
                value: node.store("the output's value", value.to_json()),
                description,
                export_name: export_name.map(|name| node.store("the output's export name", name.to_json())),
                condition: condition.map(|c| c.node.index),
            }))
        })?;
        Ok(CfnOutput { node })
    }

    /// `Fn::ImportValue` of this output's export name, for use in another stack.
    pub fn import_value(&self) -> Option<Expr> {
        let arena = self.node.borrow();
        match arena.tree.element(self.node.index).map(|e| &e.body) {
            // Back in the form constructs use: the name enters the tree again wherever the
            // import is used.
            Some(Body::Output(o)) => o.export_name.as_ref().map(|n| Expr::import_value(n.to_json())),
            _ => None,
        }
    }
}

impl CfnCondition {
    /// Adds a named condition to the stack.
    pub fn new(scope: &impl Construct, id: &str, expression: Cond) -> Result<Self> {
        let node = add(scope, id, Body::Condition(Box::new(Stored::Null)), "cloudwright.CfnCondition", |node| {
            Body::Condition(Box::new(node.store("the condition", expression.to_json())))
        })?;
        Ok(CfnCondition { node })
    }

    /// `Fn::If`: `when_true` if the condition holds, else `when_false`.
    pub fn if_then(&self, when_true: impl Into<Expr>, when_false: impl Into<Expr>) -> Expr {
        Expr::If(self.element(), Box::new(when_true.into()), Box::new(when_false.into()))
    }

    /// `{"Condition": NAME}`, to combine conditions.
    pub fn as_cond(&self) -> Cond {
        Cond::Condition(self.element())
    }
}

impl CfnMapping {
    /// Adds a mapping: top-level key -> second-level key -> value.
    pub fn new(scope: &impl Construct, id: &str, mapping: IndexMap<String, IndexMap<String, Json>>) -> Result<Self> {
        let node = add(scope, id, Body::Mapping(Box::new(Stored::Null)), "cloudwright.CfnMapping", |node| {
            Body::Mapping(Box::new(node.store("the mapping", json!(mapping))))
        })?;
        Ok(CfnMapping { node })
    }

    /// `Fn::FindInMap` of this mapping.
    pub fn find_in_map(&self, top_level_key: impl Into<Expr>, second_level_key: impl Into<Expr>) -> Expr {
        Expr::FindInMap(self.element(), Box::new(top_level_key.into()), Box::new(second_level_key.into()))
    }
}

/// Properties of a [`CfnRule`].
#[derive(Debug, Clone, Default)]
pub struct RuleProps {
    /// The rule applies only when this holds.
    pub rule_condition: Option<Cond>,
    /// Assertions, each with an optional description shown when it fails.
    pub assertions: Vec<(Cond, Option<String>)>,
}

impl CfnRule {
    /// Adds a rule to the stack.
    pub fn new(scope: &impl Construct, id: &str, props: RuleProps) -> Result<Self> {
        let empty = RuleBody { rule_condition: None, assertions: Vec::new() };
        let node = add(scope, id, Body::Rule(Box::new(empty)), "cloudwright.CfnRule", |node| {
            let rule_condition = props.rule_condition.map(|c| node.store("the rule's condition", c.to_json()));
            let assertions = props
                .assertions
                .into_iter()
                .map(|(c, description)| (node.store("the rule's assertion", c.to_json()), description))
                .collect();
            Body::Rule(Box::new(RuleBody { rule_condition, assertions }))
        })?;
        Ok(CfnRule { node })
    }
}
