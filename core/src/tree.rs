//! The construct tree: an arena owned by the [`crate::App`], and light [`Node`] handles.
//!
//! A node has a scope, an id, a path, insertion-ordered children, metadata, validators
//! and aspects. Its kind (stage, stack, element, plain group) decides where it may be
//! placed. Paths never change once a node exists, which is what lets logical ids follow
//! from paths.

use std::borrow::Cow;
use std::cell::{Ref, RefCell, RefMut};
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

use serde_json::Value as Json;

use crate::aspects::Aspect;
use crate::element::Element;
use crate::env::Environment;
use crate::error::{Error, Result};
use crate::expr::ElementRef;
use crate::store::{Interner, NodeStore};
use crate::stored::Stored;

/// A validator: returns one message per problem found (empty when all is well).
pub type Validator = Rc<dyn Fn(&Node) -> Vec<String>>;

/// What a node is.
pub(crate) enum Kind {
    App,
    Stage(Box<StageData>),
    // Boxed: most nodes are groups, and a node is as large as its largest kind.
    Stack(Box<StackData>),
    Group,
    Element(Box<Element>),
}

impl Kind {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Kind::App => "App",
            Kind::Stage(_) => "Stage",
            Kind::Stack(_) => "Stack",
            Kind::Group => "construct",
            Kind::Element(e) => e.kind_name(),
        }
    }
}

/// Data of a [`crate::Stage`].
pub(crate) struct StageData {
    pub env: Environment,
}

/// Data of a [`crate::Stack`].
pub(crate) struct StackData {
    pub env: Environment,
    pub description: Option<String>,
    pub termination_protection: bool,
    pub tags: Vec<(String, String)>,
    pub stack_name: Option<String>,
    pub template_format_version: Option<String>,
    pub transforms: Vec<String>,
    pub values: Option<std::sync::Arc<dyn crate::app::StackValues>>,
    pub dependencies: Vec<u32>,
    /// Roles (by name, in the stack's account) CloudFormation deploys the stack with
    /// besides the CDK bootstrap's execution role (`Stack::add_execution_role`).
    pub execution_roles: Vec<String>,
    /// The managed policy (by name, in the stack's account) every role the stack creates
    /// carries as its permissions boundary (`Stack::set_permissions_boundary`).
    pub permissions_boundary: Option<String>,
    pub assets: Vec<crate::asset::StagedAsset>,
}

pub(crate) struct NodeData {
    pub id: Arc<str>,
    pub parent: Option<u32>,
    /// Children as a linked list, in the order added: no allocation per node that has
    /// any. [`NONE`] ends a list (the root, index 0, is nobody's child or sibling).
    first_child: u32,
    last_child: u32,
    next_sibling: u32,
    pub kind: Kind,
    /// The construct's type name, recorded in `tree.json`: a literal, nearly always; one
    /// built at run time is kept in `extra`.
    fqn: &'static str,
    /// Metadata, recorded errors and a run-time type name, which few nodes have.
    pub extra: Option<Box<NodeExtra>>,
}

/// The rarely used parts of a node.
#[derive(Default)]
pub(crate) struct NodeExtra {
    pub metadata: Vec<(String, Json)>,
    pub errors: Vec<String>,
    pub fqn: Option<String>,
    /// The id logical ids below this node are computed with ([`Node::keep_former_id`]).
    pub former_id: Option<Box<str>>,
}

/// No node, in the child links.
const NONE: u32 = 0;

impl NodeData {
    fn new(id: Arc<str>, parent: Option<u32>, kind: Kind, fqn: Cow<'static, str>) -> Self {
        let mut data = NodeData {
            id,
            parent,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
            kind,
            fqn: "",
            extra: None,
        };
        data.set_fqn(fqn);
        data
    }

    pub(crate) fn fqn(&self) -> &str {
        match self.extra.as_ref().and_then(|e| e.fqn.as_deref()) {
            Some(owned) => owned,
            None => self.fqn,
        }
    }

    fn set_fqn(&mut self, fqn: Cow<'static, str>) {
        match fqn {
            Cow::Borrowed(fqn) => {
                self.fqn = fqn;
                if let Some(extra) = &mut self.extra {
                    extra.fqn = None;
                }
            }
            Cow::Owned(fqn) => self.extra_mut().fqn = Some(fqn),
        }
    }

    pub(crate) fn has_children(&self) -> bool {
        self.first_child != NONE
    }

    pub(crate) fn metadata(&self) -> &[(String, Json)] {
        self.extra.as_ref().map_or(&[], |e| e.metadata.as_slice())
    }

    pub(crate) fn errors(&self) -> &[String] {
        self.extra.as_ref().map_or(&[], |e| e.errors.as_slice())
    }

    fn extra_mut(&mut self) -> &mut NodeExtra {
        self.extra.get_or_insert_with(Box::default)
    }

    /// The id logical ids are computed with: the former id kept, else the id.
    pub(crate) fn logical_id_component(&self) -> &str {
        self.extra.as_ref().and_then(|e| e.former_id.as_deref()).unwrap_or(&self.id)
    }
}

/// What nodes run before synthesis; kept apart from the nodes so they can be read from
/// several threads while files are written. A large app has a validator and a lazy
/// property per role, so these are kept small: validators in a flat list in the order
/// added, lazy properties by node in a table hashed cheaply.
#[derive(Default)]
pub(crate) struct Hooks {
    pub validators: Vec<(u32, Validator)>,
    /// By node: each node's aspects are looked up as the node is visited.
    pub aspects: HashMap<u32, Vec<Rc<dyn Aspect>>>,
    /// Properties produced at synthesis ([`crate::CfnResource::set_lazy_property`]), by
    /// node and name.
    pub lazy_properties: hashbrown::HashMap<u32, Vec<(Box<str>, LazyValue)>>,
}

/// A value produced at synthesis, or why it could not be (a typed value that does not
/// serialize).
pub type LazyValue = Rc<dyn Fn() -> Result<Json, String>>;

/// Settings that apply to the whole app.
#[derive(Clone)]
pub(crate) struct Settings {
    pub bootstrap_qualifier: String,
    pub bootstrap_rule: bool,
    pub context: indexmap::IndexMap<String, String>,
    pub reference_strength: crate::expr::Strength,
    pub generators: Vec<crate::app::FileGenerator>,
    /// The export lock synthesis reads and updates, if any.
    pub exports_lock: Option<std::path::PathBuf>,
}

/// The tree's nodes: plain data, shareable across threads.
pub(crate) struct Nodes {
    pub app_id: u32,
    /// The nodes by index (and by scope and id), and the app's interned strings.
    pub nodes: NodeStore,
}

/// The tree of one app: its nodes, their hooks and the app's settings.
pub(crate) struct Arena {
    pub tree: Nodes,
    pub hooks: Hooks,
    pub settings: Settings,
}

impl Arena {
    pub(crate) fn new(app_id: u32, settings: Settings) -> Self {
        let root = NodeData::new("App".into(), None, Kind::App, Cow::Borrowed("cloudwright.App"));
        Arena { tree: Nodes { app_id, nodes: NodeStore::new(root) }, hooks: Hooks::default(), settings }
    }

    /// The interner every value of the tree enters through.
    pub(crate) fn interner(&mut self) -> &mut Interner {
        &mut self.tree.nodes.interner
    }
}

impl Nodes {
    /// The child of `parent` with this id.
    pub(crate) fn child(&self, parent: u32, id: &str) -> Option<u32> {
        self.nodes.child(parent, id)
    }

    /// The path of a node: the ids from below the root, joined by `/` (the root's is "").
    pub(crate) fn path(&self, index: u32) -> String {
        let ids = self.path_ids(index);
        ids.join("/")
    }

    /// The ids from below the root down to the node.
    pub(crate) fn path_ids(&self, index: u32) -> Vec<&str> {
        let mut ids = Vec::new();
        let mut cur = Some(index);
        while let Some(i) = cur {
            let n = &self.nodes[i as usize];
            if n.parent.is_some() {
                ids.push(&*n.id);
            }
            cur = n.parent;
        }
        ids.reverse();
        ids
    }

    /// The nearest ancestor (or the node itself) that matches.
    pub(crate) fn ancestor(&self, index: u32, pred: impl Fn(&Kind) -> bool) -> Option<u32> {
        let mut cur = Some(index);
        while let Some(i) = cur {
            let n = &self.nodes[i as usize];
            if pred(&n.kind) {
                return Some(i);
            }
            cur = n.parent;
        }
        None
    }

    pub(crate) fn stack_of(&self, index: u32) -> Option<u32> {
        self.ancestor(index, |k| matches!(k, Kind::Stack(_)))
    }

    /// The nearest stage above a node (not the node itself), `None` for the app.
    pub(crate) fn stage_of(&self, index: u32) -> Option<u32> {
        let parent = self.nodes[index as usize].parent?;
        self.ancestor(parent, |k| matches!(k, Kind::Stage(_)))
    }

    pub(crate) fn stack(&self, index: u32) -> Option<&StackData> {
        match &self.nodes[index as usize].kind {
            Kind::Stack(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn element(&self, index: u32) -> Option<&Element> {
        match &self.nodes[index as usize].kind {
            Kind::Element(e) => Some(e),
            _ => None,
        }
    }

    pub(crate) fn element_mut(&mut self, index: u32) -> Option<&mut Element> {
        match &mut self.nodes[index as usize].kind {
            Kind::Element(e) => Some(e),
            _ => None,
        }
    }

    /// Every node in depth-first, insertion order.
    pub(crate) fn preorder(&self) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.nodes.len());
        self.preorder_into(0, &mut out);
        out
    }

    /// Every node below `index` (itself included), depth first.
    pub(crate) fn preorder_from(&self, index: u32) -> Vec<u32> {
        let mut out = Vec::new();
        self.preorder_into(index, &mut out);
        out
    }

    /// Walks the subtree along the child links: down to the first child, else on to the
    /// next sibling of the nearest node that has one, never above `index`.
    fn preorder_into(&self, index: u32, out: &mut Vec<u32>) {
        let mut at = index;
        loop {
            out.push(at);
            let node = &self.nodes[at as usize];
            if node.first_child != NONE {
                at = node.first_child;
                continue;
            }
            loop {
                if at == index {
                    return;
                }
                let node = &self.nodes[at as usize];
                if node.next_sibling != NONE {
                    at = node.next_sibling;
                    break;
                }
                match node.parent {
                    Some(parent) => at = parent,
                    None => return,
                }
            }
        }
    }

    /// The children of a node, in the order they were added.
    pub(crate) fn children(&self, index: u32) -> impl Iterator<Item = u32> + '_ {
        let first = self.nodes[index as usize].first_child;
        std::iter::successors((first != NONE).then_some(first), |&c| {
            let next = self.nodes[c as usize].next_sibling;
            (next != NONE).then_some(next)
        })
    }

    /// Checks that `id` can name a new child of `parent` (of kind `new_kind`, for messages):
    /// non-empty, no `/`, not taken. The one check of an id, made before anything is added.
    pub(crate) fn check_id(&self, parent: u32, id: &str, new_kind: &str) -> Result<()> {
        // Paths are only needed for messages, so they are built only when something is wrong.
        let parent_path = || self.path(parent);
        if id.is_empty() {
            return Err(Error::InvalidId {
                path: display_path(&parent_path()),
                id: id.into(),
                reason: "ids must not be empty; give the construct a name".into(),
            });
        }
        if id.contains('/') {
            return Err(Error::InvalidId {
                path: display_path(&parent_path()),
                id: id.into(),
                reason: "ids must not contain '/', which separates path components; use '-' or '_' instead".into(),
            });
        }
        if let Some(existing) = self.child(parent, id) {
            let p = parent_path();
            return Err(Error::DuplicateId {
                path: if p.is_empty() { id.to_owned() } else { format!("{p}/{id}") },
                existing_kind: self.nodes[existing as usize].kind.name().into(),
                new_kind: new_kind.into(),
            });
        }
        Ok(())
    }

    /// Adds a child after checking its id and that the scope may hold it.
    pub(crate) fn add(&mut self, parent: u32, id: &str, kind: Kind, fqn: Cow<'static, str>) -> Result<u32> {
        self.check_id(parent, id, kind.name())?;
        let path = || {
            let p = self.path(parent);
            if p.is_empty() { id.to_owned() } else { format!("{p}/{id}") }
        };
        let in_stack = self.stack_of(parent).is_some();
        let misplaced = match &kind {
            Kind::Stage(_) if in_stack => {
                Some("a Stage cannot be defined inside a Stack; add it to the App or another Stage")
            }
            Kind::Stack(_) if in_stack => {
                Some("a Stack cannot be defined inside another Stack; add it to the App or a Stage")
            }
            Kind::Element(_) if !in_stack => Some(
                "CloudFormation elements must be defined inside a Stack; add it to a Stack or a construct within one",
            ),
            Kind::App => Some("an App cannot be a child"),
            _ => None,
        };
        if let Some(message) = misplaced {
            return Err(Error::InvalidScope { path: path(), message: message.to_owned() });
        }
        let shared_id = self.nodes.interner.intern(id);
        let Some(index) = self.nodes.push(NodeData::new(shared_id, Some(parent), kind, fqn)) else {
            return Err(Error::InvalidScope {
                path: display_path(&self.path(parent)),
                message: "the tree has more than 4 billion constructs".into(),
            });
        };
        match self.nodes[parent as usize].last_child {
            NONE => self.nodes[parent as usize].first_child = index,
            last => self.nodes[last as usize].next_sibling = index,
        }
        self.nodes[parent as usize].last_child = index;
        Ok(index)
    }
}

/// Paths in messages: the root shows as `App`.
pub(crate) fn display_path(path: &str) -> String {
    if path.is_empty() { "App".into() } else { path.into() }
}

/// A handle to one construct of the tree: cheap to clone, shares the app's arena.
#[derive(Clone)]
pub struct Node {
    pub(crate) arena: Rc<RefCell<Arena>>,
    pub(crate) index: u32,
}

impl fmt::Debug for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Node({})", display_path(&self.path()))
    }
}

impl PartialEq for Node {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.arena, &other.arena) && self.index == other.index
    }
}

/// Anything that lives in the construct tree.
pub trait Construct {
    /// The construct's node in the tree.
    fn node(&self) -> &Node;
}

impl Construct for Node {
    fn node(&self) -> &Node {
        self
    }
}

impl Node {
    pub(crate) fn borrow(&self) -> Ref<'_, Arena> {
        self.arena.borrow()
    }

    pub(crate) fn borrow_mut(&self) -> RefMut<'_, Arena> {
        self.arena.borrow_mut()
    }

    /// The app's nodes, for reading.
    pub(crate) fn tree(&self) -> Ref<'_, Nodes> {
        Ref::map(self.arena.borrow(), |a| &a.tree)
    }

    /// The app's nodes, for changing.
    pub(crate) fn tree_mut(&self) -> RefMut<'_, Nodes> {
        RefMut::map(self.arena.borrow_mut(), |a| &mut a.tree)
    }

    pub(crate) fn with_data<R>(&self, f: impl FnOnce(&NodeData) -> R) -> R {
        f(&self.tree().nodes[self.index as usize])
    }

    pub(crate) fn with_data_mut<R>(&self, f: impl FnOnce(&mut NodeData) -> R) -> R {
        f(&mut self.tree_mut().nodes[self.index as usize])
    }

    /// Adds a child of the given kind under `scope`.
    pub(crate) fn add_child(scope: &Node, id: &str, kind: Kind, fqn: impl Into<Cow<'static, str>>) -> Result<Node> {
        let index = scope.tree_mut().add(scope.index, id, kind, fqn.into())?;
        Ok(Node { arena: Rc::clone(&scope.arena), index })
    }

    pub(crate) fn at(&self, index: u32) -> Node {
        Node { arena: Rc::clone(&self.arena), index }
    }

    /// `value` in the form the tree stores it; a `cw::` key that is no reference
    /// cloudwright wrote is recorded as a problem of this node, `what` naming where the
    /// value was going (e.g. "the property `Name`").
    pub(crate) fn store(&self, what: impl fmt::Display, value: Json) -> Stored {
        let mut problems = Vec::new();
        let stored = self.borrow_mut().interner().value(value, &mut problems);
        for problem in problems {
            self.add_error(format!("{what} {problem}"));
        }
        stored
    }

    pub(crate) fn element_ref(&self) -> ElementRef {
        ElementRef::new(self.tree().app_id, self.index)
    }

    /// The construct's id within its scope.
    pub fn id(&self) -> String {
        self.with_data(|d| d.id.to_string())
    }

    /// The path from the app: ids joined by `/` (`""` for the app itself).
    pub fn path(&self) -> String {
        self.tree().path(self.index)
    }

    /// The scope this construct was added to (`None` for the app).
    pub fn scope(&self) -> Option<Node> {
        self.with_data(|d| d.parent).map(|p| self.at(p))
    }

    /// The children, in the order they were added.
    pub fn children(&self) -> Vec<Node> {
        let children: Vec<u32> = self.tree().children(self.index).collect();
        children.into_iter().map(|c| self.at(c)).collect()
    }

    /// Checks, without adding anything, that a construct could be added here as `id` (the
    /// checks every constructor's first node goes through): for a constructor that must
    /// add nodes elsewhere before its own, so that it fails before changing the tree.
    pub fn check_child_id(&self, id: &str) -> Result<()> {
        self.tree().check_id(self.index, id, "construct")
    }

    /// The child with this id, if any.
    pub fn find_child(&self, id: &str) -> Option<Node> {
        let index = self.tree().child(self.index, id);
        index.map(|i| self.at(i))
    }

    /// The construct's type name as `tree.json` records it (`cloudwright.Stack`, ...).
    pub fn fqn(&self) -> String {
        self.with_data(|d| d.fqn().to_owned())
    }

    /// Records the construct's type name (L2 constructs call this on their own node).
    pub fn set_fqn(&self, fqn: impl Into<Cow<'static, str>>) {
        let fqn = fqn.into();
        self.with_data_mut(|d| d.set_fqn(fqn));
    }

    /// The stack this construct belongs to, if any.
    pub fn stack(&self) -> Option<crate::Stack> {
        let stack = self.tree().stack_of(self.index);
        stack.map(|s| crate::Stack { node: self.at(s) })
    }

    /// Adds a metadata entry, written to the cloud assembly manifest under this path.
    pub fn add_metadata(&self, kind: &str, data: impl Into<Json>) {
        let data = data.into();
        self.with_data_mut(|d| d.extra_mut().metadata.push((kind.to_owned(), data)));
    }

    /// Sets the metadata entry of this kind, replacing any earlier one.
    pub fn set_metadata(&self, kind: &str, data: impl Into<Json>) {
        let data = data.into();
        self.with_data_mut(|d| {
            let metadata = &mut d.extra_mut().metadata;
            metadata.retain(|(k, _)| k != kind);
            metadata.push((kind.to_owned(), data));
        });
    }

    /// The metadata entries added to this construct, in order.
    pub fn metadata(&self) -> Vec<(String, Json)> {
        self.with_data(|d| d.metadata().to_vec())
    }

    /// Keeps the logical ids of everything below this construct as they were when its id
    /// was `former_id`: a construct renamed after deploying (`Archive` to `ArchiveV2`) keeps
    /// its resources instead of CloudFormation replacing them (a new logical id is a new
    /// resource). The path, and so `tree.json` and metadata, show the new id. The other way
    /// to keep the resources is `cloudwright refactor` (docs/refactoring.md).
    pub fn keep_former_id(&self, former_id: &str) {
        if former_id.is_empty() || former_id.contains('/') {
            // A sibling still holding the id is caught at synthesis: its logical ids collide.
            self.add_error(format!(
                "keep_former_id({former_id:?}): a construct id is not empty and has no '/'; give the id the \
                 construct had"
            ));
            return;
        }
        let former: Box<str> = former_id.into();
        self.with_data_mut(|d| d.extra_mut().former_id = Some(former));
    }

    /// Records a problem found while building; synthesis reports it, with this
    /// construct's path, and writes nothing. A message already recorded here is not repeated.
    pub fn add_error(&self, message: impl Into<String>) {
        let message = message.into();
        self.with_data_mut(|d| {
            let errors = &mut d.extra_mut().errors;
            if !errors.contains(&message) {
                errors.push(message);
            }
        });
    }

    /// Adds a validator, run before synthesis writes anything.
    pub fn add_validation(&self, validator: impl Fn(&Node) -> Vec<String> + 'static) {
        let validator: Validator = Rc::new(validator);
        self.borrow_mut().hooks.validators.push((self.index, validator));
    }

    /// Adds an aspect, applied to this construct and everything below it before synthesis.
    pub fn add_aspect(&self, aspect: impl Aspect + 'static) {
        let aspect: Rc<dyn Aspect> = Rc::new(aspect);
        self.borrow_mut().hooks.aspects.entry(self.index).or_default().push(aspect);
    }

    /// Every construct below this one (itself included), depth first.
    pub fn descendants(&self) -> Vec<Node> {
        let order = self.tree().preorder_from(self.index);
        order.into_iter().map(|i| self.at(i)).collect()
    }
}
