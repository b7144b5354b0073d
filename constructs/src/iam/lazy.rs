//! A policy document that grows while the app is built (grants, subscriptions) and is
//! rendered once, at synthesis, into a property of its resource.

use std::cell::RefCell;
use std::rc::Rc;

use cloudwright_core::Node;
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

    /// The document as rendered at synthesis (minimized, however many statements were
    /// added), for a typed lazy setter of its property
    /// (`policy.set_lazy(CfnBucketPolicyProps::POLICY_DOCUMENT, document.checked(..))`); the
    /// document is checked as `kind` before anything is written, problems reported on
    /// `owner` after `label`.
    pub(crate) fn checked(&self, owner: &Node, kind: PolicyKind, label: &'static str) -> impl Fn() -> Json + 'static {
        self.checked_with(owner, kind, false, label)
    }

    /// [`LazyDocument::checked`], with `allow_admin` permitting `Allow *` on `*`.
    pub(crate) fn checked_with(
        &self,
        owner: &Node,
        kind: PolicyKind,
        allow_admin: bool,
        label: &'static str,
    ) -> impl Fn() -> Json + 'static {
        let checked = Rc::clone(&self.0);
        owner.add_validation(move |_| {
            let problems = checked.borrow().validate(kind, allow_admin);
            problems.into_iter().map(|p| format!("{label}: {p}")).collect()
        });
        let rendered = Rc::clone(&self.0);
        move || rendered.borrow().minimized().to_json()
    }

    /// Appends a statement.
    pub(crate) fn add(&self, statement: PolicyStatement) {
        self.0.borrow_mut().add_statement(statement);
    }
}
