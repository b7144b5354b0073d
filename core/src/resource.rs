//! `CfnResource`: a CloudFormation resource of any type, the base of every L1 and L2.

use std::rc::Rc;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::element::{Body, Element, RemovalPolicy, ResourceBody, TagFormat};
use crate::error::{Error, Result};
use crate::expr::{ElementRef, Expr};
use crate::sections::CfnCondition;
use crate::stored::{Object, Stored};
use crate::tree::{Construct, Kind, LazyValue, Node};

/// A resource type whose CloudFormation type name comes with the Rust type: every generated
/// L1 implements it, so code generic over types (the `testing` assertions'
/// `has_resource_properties_of::<CfnFunction>`) needs no string.
pub trait ResourceType {
    /// The CloudFormation type name, e.g. `AWS::Lambda::Function`.
    const TYPE_NAME: &'static str;
}

/// A CloudFormation resource: type, properties and resource attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct CfnResource {
    node: Node,
}

impl Construct for CfnResource {
    fn node(&self) -> &Node {
        &self.node
    }
}

impl CfnResource {
    /// Adds a resource of `resource_type` (e.g. `AWS::SQS::Queue`) with JSON properties.
    pub fn new(scope: &impl Construct, id: &str, resource_type: &str, properties: Map<String, Json>) -> Result<Self> {
        let body = ResourceBody {
            resource_type: resource_type.into(),
            properties: Object::default(),
            depends_on: Box::default(),
            condition: None,
            deletion_policy: None,
            update_replace_policy: None,
            policies: None,
            metadata: Object::default(),
            tag_format: TagFormat::NotTaggable,
        };
        let kind = Kind::Element(Box::new(Element::new(Body::Resource(body))));
        let node = Node::add_child(scope.node(), id, kind, "cloudwright.CfnResource")?;
        let resource = CfnResource { node };
        if let Stored::Object(properties) = resource.node.store("the properties", Json::Object(properties)) {
            resource.with_body_mut(|r| r.properties = properties);
        }
        Ok(resource)
    }

    /// Adds a resource whose properties are a serializable struct (a typed L1's props).
    pub fn from_props(scope: &impl Construct, id: &str, resource_type: &str, props: &impl Serialize) -> Result<Self> {
        match serde_json::to_value(props) {
            Ok(value) => CfnResource::from_json(scope, id, resource_type, value),
            Err(source) => Err(Error::Serialize {
                path: join_path(scope.node(), id),
                what: format!("the properties of {resource_type}"),
                source,
            }),
        }
    }

    /// Adds a resource whose properties are a JSON object (e.g. from `serde_json::json!`).
    pub fn from_json(scope: &impl Construct, id: &str, resource_type: &str, properties: Json) -> Result<Self> {
        match properties {
            Json::Object(map) => CfnResource::new(scope, id, resource_type, map),
            Json::Null => CfnResource::new(scope, id, resource_type, Map::new()),
            other => Err(Error::Validation {
                path: join_path(scope.node(), id),
                message: format!("properties of {resource_type} must be a JSON object, not {other}"),
            }),
        }
    }

    /// The resource behind a node, when the node is one.
    pub fn from_node(node: &Node) -> Option<CfnResource> {
        let is_resource = node.tree().element(node.index).is_some_and(|e| matches!(e.body, Body::Resource(_)));
        is_resource.then(|| CfnResource { node: node.clone() })
    }

    fn with_body<R>(&self, f: impl FnOnce(&ResourceBody) -> R) -> Option<R> {
        let arena = self.node.borrow();
        match arena.tree.element(self.node.index).map(|e| &e.body) {
            Some(Body::Resource(r)) => Some(f(r)),
            _ => None,
        }
    }

    /// A property (or metadata entry) and its value in the form the tree stores them.
    fn stored(&self, what: &str, key: &str, value: Json) -> (Arc<str>, Stored) {
        let value = self.node.store(format_args!("the {what} `{key}`"), value);
        (self.node.borrow_mut().interner().intern(key), value)
    }

    fn with_body_mut(&self, f: impl FnOnce(&mut ResourceBody)) {
        let mut arena = self.node.borrow_mut();
        if let Some(Element { body: Body::Resource(r), .. }) = arena.tree.element_mut(self.node.index) {
            f(r);
        }
    }

    /// The reference other values use to point at this resource.
    pub fn element(&self) -> ElementRef {
        self.node.element_ref()
    }

    /// The CloudFormation type, e.g. `AWS::S3::Bucket`.
    pub fn resource_type(&self) -> String {
        self.with_body(|r| r.resource_type.to_string()).unwrap_or_default()
    }

    /// `Ref` of this resource (its physical id, or what the type documents for `Ref`).
    pub fn reference(&self) -> Expr {
        Expr::Ref(self.element())
    }

    /// `Fn::GetAtt` of one of this resource's attributes.
    pub fn get_att(&self, attribute: &str) -> Expr {
        Expr::GetAtt(self.element(), attribute.to_owned())
    }

    /// The properties as they stand (references still unresolved).
    pub fn properties(&self) -> Map<String, Json> {
        self.with_body(|r| r.properties.to_map()).unwrap_or_default()
    }

    /// One property, if set.
    pub fn property(&self, name: &str) -> Option<Json> {
        self.with_body(|r| r.properties.get(name).map(Stored::to_json)).flatten()
    }

    /// Sets (or replaces) one property, a lazy one included.
    pub fn set_property(&self, name: &str, value: impl Into<Json>) {
        let (key, value) = self.stored("property", name, value.into());
        self.with_body_mut(|r| r.properties.insert(key, value));
        let mut arena = self.node.borrow_mut();
        if let Some(lazy) = arena.hooks.lazy_properties.get_mut(&self.node.index) {
            lazy.retain(|(n, _)| &**n != name);
        }
    }

    /// Sets a property whose value is produced at synthesis, after aspects ran, like the
    /// CDK's `Lazy.any`: for a value that keeps changing while the app is built (a policy
    /// that gains statements), rendered once instead of on every change. Until then the
    /// property holds `null`, in its place among the others; a later `set_property` of the
    /// same name replaces the producer.
    pub fn set_lazy_property(&self, name: &str, produce: impl Fn() -> Json + 'static) {
        self.set_lazy(name, Rc::new(move || Ok(produce())));
    }

    /// Sets (or replaces) one property to a typed value, serialized as
    /// [`CfnResource::from_props`] serializes props: what the generated L1s' typed `set`
    /// calls. A value that does not serialize is an error of the resource, reported at
    /// synthesis.
    pub fn set_serialized_property<T: Serialize + 'static>(&self, name: &str, value: T) {
        match serialized(value) {
            Ok(value) => self.set_property(name, value),
            Err(e) => self.node.add_error(format!("the property `{name}` does not serialize: {e}")),
        }
    }

    /// [`CfnResource::set_lazy_property`] of a typed value, serialized once produced (a
    /// value that does not serialize is an error of the resource): what the generated
    /// L1s' typed `set_lazy` calls.
    pub fn set_lazy_serialized_property<T: Serialize + 'static>(&self, name: &str, produce: impl Fn() -> T + 'static) {
        self.set_lazy(name, Rc::new(move || serialized(produce()).map_err(|e| e.to_string())));
    }

    fn set_lazy(&self, name: &str, produce: LazyValue) {
        let (key, null) = self.stored("property", name, Json::Null);
        self.with_body_mut(|r| {
            if r.properties.get(name).is_none() {
                r.properties.insert(key, null);
            }
        });
        let mut arena = self.node.borrow_mut();
        let lazy = arena.hooks.lazy_properties.entry(self.node.index).or_default();
        match lazy.iter_mut().find(|(n, _)| &**n == name) {
            Some(slot) => slot.1 = produce,
            None => {
                // Nearly always the only one: room for exactly one more.
                lazy.reserve_exact(1);
                lazy.push((name.into(), produce));
            }
        }
    }

    /// Sets a property at a dotted path (`A.B.C`), creating objects on the way: the
    /// escape hatch for a property a construct does not expose, like the CDK's
    /// `addPropertyOverride`.
    pub fn add_property_override(&self, path: &str, value: impl Into<Json>) {
        fn set_at(object: &mut Object, path: &[Arc<str>], value: Stored) {
            match path {
                [] => {}
                [last] => object.insert(Arc::clone(last), value),
                [first, rest @ ..] => {
                    if !matches!(object.get(first), Some(Stored::Object(_))) {
                        object.insert(Arc::clone(first), Stored::Object(Object::default()));
                    }
                    if let Some(Stored::Object(next)) = object.get_mut(first) {
                        set_at(next, rest, value);
                    }
                }
            }
        }
        let value = self.node.store(format_args!("the property override `{path}`"), value.into());
        let parts: Vec<Arc<str>> = {
            let mut arena = self.node.borrow_mut();
            path.split('.').map(|p| arena.interner().intern(p)).collect()
        };
        self.with_body_mut(|r| set_at(&mut r.properties, &parts, value));
    }

    /// Deploys this resource after `other` (`DependsOn` in one stack, a stack dependency across stacks).
    pub fn add_depends_on(&self, other: &CfnResource) {
        let target = other.node.index;
        self.with_body_mut(|r| {
            if !r.depends_on.contains(&target) {
                let mut depends_on = std::mem::take(&mut r.depends_on).into_vec();
                depends_on.push(target);
                r.depends_on = depends_on.into_boxed_slice();
            }
        });
    }

    /// Creates the resource only when `condition` holds.
    pub fn set_condition(&self, condition: &CfnCondition) {
        let index = condition.node().index;
        self.with_body_mut(|r| r.condition = Some(index));
    }

    /// Sets both `DeletionPolicy` and `UpdateReplacePolicy`, as the CDK's `applyRemovalPolicy` does.
    pub fn apply_removal_policy(&self, policy: RemovalPolicy) {
        self.with_body_mut(|r| {
            r.deletion_policy = Some(policy);
            r.update_replace_policy = Some(policy);
        });
    }

    /// Sets `DeletionPolicy` only.
    pub fn set_deletion_policy(&self, policy: RemovalPolicy) {
        self.with_body_mut(|r| r.deletion_policy = Some(policy));
    }

    /// Sets `UpdateReplacePolicy` only.
    pub fn set_update_replace_policy(&self, policy: RemovalPolicy) {
        self.with_body_mut(|r| r.update_replace_policy = Some(policy));
    }

    /// Sets the `UpdatePolicy` attribute.
    pub fn set_update_policy(&self, policy: impl Into<Json>) {
        let policy = self.node.store("the UpdatePolicy", policy.into());
        self.with_body_mut(|r| r.policies_mut().update = Some(policy));
    }

    /// Sets the `CreationPolicy` attribute.
    pub fn set_creation_policy(&self, policy: impl Into<Json>) {
        let policy = self.node.store("the CreationPolicy", policy.into());
        self.with_body_mut(|r| r.policies_mut().creation = Some(policy));
    }

    /// Adds an entry to the resource's template `Metadata`.
    pub fn add_cfn_metadata(&self, key: &str, value: impl Into<Json>) {
        let (key, value) = self.stored("metadata entry", key, value.into());
        self.with_body_mut(|r| r.metadata.insert(key, value));
    }

    /// An entry of the resource's template `Metadata`.
    pub fn cfn_metadata(&self, key: &str) -> Option<Json> {
        self.with_body(|r| r.metadata.get(key).map(Stored::to_json)).flatten()
    }

    /// Declares how this resource type takes tags, so tag aspects reach it.
    pub fn set_tag_format(&self, format: TagFormat) {
        self.with_body_mut(|r| r.tag_format = format);
    }

    /// How this resource type takes tags.
    pub fn tag_format(&self) -> TagFormat {
        self.with_body(|r| r.tag_format).unwrap_or_default()
    }

    /// Replaces the logical id computed from the path.
    pub fn override_logical_id(&self, logical_id: &str) {
        crate::sections::override_logical_id(&self.node, logical_id);
    }

    /// The logical id this resource will have in its template.
    pub fn logical_id(&self) -> String {
        crate::sections::logical_id(&self.node)
    }
}

/// `value` as props are serialized; a JSON value (an untyped property's) as it is, where
/// serializing would copy it.
fn serialized<T: Serialize + 'static>(value: T) -> serde_json::Result<Json> {
    let mut value = Some(value);
    if let Some(json) = (&mut value as &mut dyn std::any::Any).downcast_mut::<Option<Json>>() {
        return Ok(json.take().unwrap_or_default());
    }
    serde_json::to_value(value)
}

pub(crate) fn join_path(scope: &Node, id: &str) -> String {
    let p = scope.path();
    if p.is_empty() { id.to_owned() } else { format!("{p}/{id}") }
}

/// Produces every lazy property of the app (see [`CfnResource::set_lazy_property`]); no
/// borrow of the tree is held while a producer runs, so producers may read the tree.
pub(crate) fn produce_lazy_properties(root: &Node) {
    let mut lazy: Vec<(u32, Box<str>, LazyValue)> = root
        .borrow()
        .hooks
        .lazy_properties
        .iter()
        .flat_map(|(node, lazy)| lazy.iter().map(|(name, produce)| (*node, name.clone(), Rc::clone(produce))))
        .collect();
    // In the order the resources were created, so a producer reading another's property
    // always sees the same.
    lazy.sort_by_key(|(index, _, _)| *index);
    for (index, name, produce) in lazy {
        let resource = CfnResource { node: root.at(index) };
        match produce() {
            Ok(value) => {
                let (key, value) = resource.stored("lazy property", &name, value);
                resource.with_body_mut(|r| r.properties.insert(key, value));
            }
            Err(e) => resource.node.add_error(format!("the lazy property `{name}` does not serialize: {e}")),
        }
    }
}
