//! `Group`: a plain construct that only holds children (the CDK's `new Construct(scope, id)`).

use crate::error::Result;
use crate::tree::{Construct, Kind, Node};

/// A construct with no behaviour of its own: it groups children under one path segment.
/// L2 constructs are built on one.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    node: Node,
}

impl Construct for Group {
    fn node(&self) -> &Node {
        &self.node
    }
}

impl Group {
    /// Adds a group under `scope`.
    pub fn new(scope: &impl Construct, id: &str) -> Result<Self> {
        Ok(Group { node: Node::add_child(scope.node(), id, Kind::Group, "cloudwright.Construct")? })
    }

    /// Adds a group recording `fqn` as its construct type in `tree.json`.
    pub fn with_fqn(scope: &impl Construct, id: &str, fqn: impl Into<std::borrow::Cow<'static, str>>) -> Result<Self> {
        Ok(Group { node: Node::add_child(scope.node(), id, Kind::Group, fqn)? })
    }
}
