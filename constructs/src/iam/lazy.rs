//! A policy document that grows while the app is built (grants, subscriptions) and is
//! rendered once, at synthesis, into a property of its resource.

use std::cell::RefCell;
use std::rc::Rc;

use cloudwright_core::{CfnResource, Node};
use serde_json::Value as Json;

use super::{PolicyDocument, PolicyKind, PolicyStatement};

/// Shared by the owning construct and the closures the tree keeps: those hold the document
/// only, as a construct handle there would keep the whole tree alive.
#[derive(Clone, Default)]
pub(crate) struct LazyDocument(Rc<RefCell<PolicyDocument>>);

impl LazyDocument {
    /// A document starting with `statements`.
    pub(crate) fn new(statements: impl IntoIterator<Item = PolicyStatement>) -> Self {
        LazyDocument(Rc::new(RefCell::new(PolicyDocument::new(statements))))
    }

    /// Renders the document into `property` of `resource` at synthesis (minimized, however
    /// many statements were added), and checks it as `kind` before anything is written,
    /// reporting problems on `owner` after `label`.
    pub(crate) fn bind(
        &self,
        resource: &CfnResource,
        property: &str,
        owner: &Node,
        kind: PolicyKind,
        label: &'static str,
    ) {
        self.bind_with(resource, property, owner, kind, false, label);
    }

    /// [`LazyDocument::bind`], with `allow_admin` permitting `Allow *` on `*`.
    pub(crate) fn bind_with(
        &self,
        resource: &CfnResource,
        property: &str,
        owner: &Node,
        kind: PolicyKind,
        allow_admin: bool,
        label: &'static str,
    ) {
        self.bind_as(resource, property, owner, kind, allow_admin, label, |document| document);
    }

    /// [`LazyDocument::bind_with`], the property holding `wrap` of the document (a table's
    /// `ResourcePolicy` is `{"PolicyDocument": ...}`).
    #[allow(clippy::too_many_arguments)] // bind_with's, and the wrapper
    pub(crate) fn bind_as(
        &self,
        resource: &CfnResource,
        property: &str,
        owner: &Node,
        kind: PolicyKind,
        allow_admin: bool,
        label: &'static str,
        wrap: impl Fn(Json) -> Json + 'static,
    ) {
        let rendered = Rc::clone(&self.0);
        resource.set_lazy_property(property, move || wrap(rendered.borrow().minimized().to_json()));
        let checked = Rc::clone(&self.0);
        owner.add_validation(move |_| {
            let problems = checked.borrow().validate(kind, allow_admin);
            problems.into_iter().map(|p| format!("{label}: {p}")).collect()
        });
    }

    /// Appends a statement.
    pub(crate) fn add(&self, statement: PolicyStatement) {
        self.0.borrow_mut().add_statement(statement);
    }
}
