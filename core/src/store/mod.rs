//! Where the tree's data lives, and every trick that keeps it small and fast, in one place.
//!
//! The rest of core reads nodes by index (`store[i]`), finds a child by scope and id
//! ([`NodeStore::child`]) and hands values to the [`Interner`]; none of it needs to know
//! how these are stored. Each trick stays only while the benchmark app pays for it:
//! `bench-app` (`examples/src/bench.rs`: an organization stack plus N stacks x M Lambda
//! functions, 5 resources each), release build, each figure the median of 5 to 9 runs
//! interleaved with the build without the trick, peak RSS and CPU time from getrusage
//! (measured 2026-11-28 on the 2-core CI machine; rerun the same way after changing
//! anything here, and see `bench/REPORT.md` for the app's totals).
//!
//! | trick | where | why | without it |
//! |---|---|---|---|
//! | interning object keys and construct ids | [`Interner`] | a large app uses a few hundred distinct keys (`Type`, `Properties`, `Resource`, `ServiceRole`) over a million times; each would be an allocation of its own | 200x50 (50,002 resources): peak RSS 81.7 -> 97.5 MiB (+19%), CPU +21% |
//! | scope/id table of node indexes with half of each hash | [`scope_table`] | ids are not stored a second time as keys, and growing the table rehashes from the kept half instead of reading every node's id again | 200x50: peak RSS 81.7 -> 87.5 MiB (+7%), CPU the same |
//! | strings of up to 22 bytes inline | [`InlineStr`] | most strings of a template (actions, types, short names) fit beside the tag of a 24-byte value, instead of an allocation each | 1000x20 (100,002 resources): peak RSS 145.6 -> 149.5 MiB (+2.7%); 200x50 and 10x10 the same |
//!
//! Measured and dropped: the nodes were kept in fixed-size chunks of 1,024 (so growing
//! never copied them); a plain `Vec` costs the same time and less memory (10x10: peak
//! RSS 13.6 -> 11.4 MiB, 200x50: 81.7 -> 79.5 MiB, 1000x20: 145.6 -> 146.1 MiB).
//!
//! [`crate::stored::Stored`] is the value form these serve (24 bytes, an object one boxed
//! slice of entries: `serde_json`'s ordered map costs about 500 bytes for a one-entry
//! object).

mod inline;
mod interner;
mod scope_table;

use std::ops::{Index, IndexMut};

#[cfg(test)]
pub(crate) use inline::INLINE;
pub(crate) use inline::InlineStr;
pub(crate) use interner::Interner;

use crate::tree::NodeData;
use scope_table::ScopeTable;

/// The nodes of one app, found by index or by scope and id, and the app's interned strings.
pub(crate) struct NodeStore {
    nodes: Vec<NodeData>,
    scopes: ScopeTable,
    /// Construct ids and the object keys of every stored value, each held once.
    pub interner: Interner,
}

impl NodeStore {
    /// A store holding only the root.
    pub(crate) fn new(root: NodeData) -> Self {
        let nodes = vec![root];
        NodeStore { nodes, scopes: ScopeTable::default(), interner: Interner::default() }
    }

    /// Number of nodes.
    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Adds `node` (whose parent and id must not be taken) and returns its index; `None`
    /// when the store holds as many nodes as a `u32` can index.
    pub(crate) fn push(&mut self, node: NodeData) -> Option<u32> {
        let index = u32::try_from(self.nodes.len()).ok()?;
        if let Some(parent) = node.parent {
            self.scopes.insert(parent, &node.id, index);
        }
        self.nodes.push(node);
        Some(index)
    }

    /// The child of `parent` with this id.
    pub(crate) fn child(&self, parent: u32, id: &str) -> Option<u32> {
        self.scopes.find(parent, id, |node| {
            let n = &self.nodes[node as usize];
            n.parent == Some(parent) && *n.id == *id
        })
    }
}

impl Index<usize> for NodeStore {
    type Output = NodeData;

    fn index(&self, index: usize) -> &NodeData {
        &self.nodes[index]
    }
}

impl IndexMut<usize> for NodeStore {
    fn index_mut(&mut self, index: usize) -> &mut NodeData {
        &mut self.nodes[index]
    }
}
