//! Aspects: visitors applied to a subtree before synthesis (tagging, rule packs).

use serde_json::{Map, Value as Json, json};

use crate::element::TagFormat;
use crate::resource::CfnResource;
use crate::tree::{Construct, Node};

/// A visitor applied to every construct below the one it was added to.
pub trait Aspect {
    /// Called once per construct, parents before children.
    fn visit(&self, node: &Node);
}

/// Applies every aspect, depth first: each node is visited by the aspects of all its
/// ancestors and its own, in the order they were added. Aspects added while aspects run
/// reach the nodes not yet visited.
pub(crate) fn apply(root: &Node) {
    let mut stack = vec![(root.index, Vec::new())];
    while let Some((index, mut inherited)) = stack.pop() {
        let node = root.at(index);
        let (own, children) = {
            let arena = node.borrow();
            let own = arena.hooks.aspects.get(&index).cloned().unwrap_or_default();
            (own, arena.tree.children(index).collect::<Vec<_>>())
        };
        inherited.extend(own);
        for aspect in &inherited {
            aspect.visit(&node);
        }
        for child in children.into_iter().rev() {
            stack.push((child, inherited.clone()));
        }
    }
}

/// Tags every taggable resource below a construct, like the CDK's `Tags.of(scope).add`.
/// Tags set explicitly on a resource win over tags from the aspect.
#[derive(Debug, Clone)]
pub struct Tags {
    key: String,
    value: String,
}

impl Tags {
    /// Tags everything below `scope` with `key` = `value`.
    pub fn add(scope: &impl Construct, key: &str, value: &str) {
        scope.node().add_aspect(Tags { key: key.to_owned(), value: value.to_owned() });
    }
}

impl Aspect for Tags {
    fn visit(&self, node: &Node) {
        if crate::Stack::from_node(node).is_some() {
            return;
        }
        let Some(resource) = CfnResource::from_node(node) else { return };
        match resource.tag_format() {
            TagFormat::NotTaggable => {}
            TagFormat::Standard => {
                let mut tags = match resource.property("Tags") {
                    Some(Json::Array(tags)) => tags,
                    _ => Vec::new(),
                };
                if !tags.iter().any(|t| t.get("Key").and_then(Json::as_str) == Some(self.key.as_str())) {
                    tags.push(json!({"Key": self.key, "Value": self.value}));
                }
                resource.set_property("Tags", Json::Array(tags));
            }
            TagFormat::Map => {
                let mut tags = match resource.property("Tags") {
                    Some(Json::Object(tags)) => tags,
                    _ => Map::new(),
                };
                tags.entry(self.key.clone()).or_insert_with(|| Json::String(self.value.clone()));
                resource.set_property("Tags", Json::Object(tags));
            }
        }
    }
}
