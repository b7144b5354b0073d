//! What changed between two versions of an app's output: stacks, resources and their
//! properties (with replacement hints from the resource schemas), IAM, SCP and resource
//! policy statements and security group rules (called out as security-relevant), template
//! sections, and Proton input schemas (each change classified breaking or not, by the
//! rules of the schema lock).
//!
//! Each side is a cloud assembly directory, a directory of insta snapshots of one, or a
//! git `REV:PATH` of either, read through a [`GitReader`] the caller gives (the CLI's runs
//! `git`):
//!
//! ```no_run
//! use cloudwright_toolkit::diff::{Side, diff};
//! let old = Side::load("snapshots/multi_account", None)?;
//! let new = Side::load("cloudwright.out", None)?;
//! let changes = diff(&old, &new);
//! print!("{}", changes.to_text(false));
//! # Ok::<(), cloudwright_constructs::Error>(())
//! ```
//!
//! | module | one job |
//! |---|---|
//! | `load` | reading a side: assembly, snapshots or git ([`GitReader`]); manifests, templates, Proton schemas |
//! | `json` | a JSON value diff with paths, compact value display |
//! | `text` | the changed lines of a value holding text (buildspec, inline code, JSON text) |
//! | `digest` | what a resource is whatever its logical id or stack (references followed) |
//! | `moves` | resources that moved: by mapping file, digest or logical id; ambiguous candidates |
//! | `mapping` | the mapping file that settles moves by hand (the CDK's override file) |
//! | `stateful` | resources that hold data, and whether a change deletes it |
//! | `template` | stacks, resources, properties, replacement, template sections |
//! | `policy` | policy statements and security group rules |
//! | `proton` | Proton input schema changes |
//! | `exports` | exports removed while an old stack imports them (deploy-time failures) |
//! | `render` | text and Markdown |

mod digest;
mod exports;
mod json;
mod load;
mod mapping;
mod moves;
mod policy;
mod proton;
mod render;
mod stateful;
mod template;
mod text;

use serde::Serialize;
use serde_json::Value as Json;

pub(crate) use digest::resources;
pub use load::{GitReader, Side, StackTemplate};
pub use mapping::{Declared, Mapping};
pub use moves::{Ambiguity, Move, MoveKind, Place};
pub(crate) use moves::{Moves, body, find as find_moves, list};
pub use stateful::STATEFUL_TYPES;

/// Whether something was added, removed or modified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Only in the new side.
    Added,
    /// Only in the old side.
    Removed,
    /// In both, different.
    Modified,
    /// At another place (logical id or stack) than in the old side.
    Moved,
}

impl Change {
    /// `+`, `-` or `~`.
    pub fn sign(self) -> char {
        match self {
            Change::Added => '+',
            Change::Removed => '-',
            Change::Modified => '~',
            Change::Moved => '>',
        }
    }
}

/// Everything that differs between two sides.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    /// What the old side was read from.
    pub old: String,
    /// What the new side was read from.
    pub new: String,
    /// Stacks that differ, in the new side's order, then the removed ones.
    pub stacks: Vec<StackDiff>,
    /// Proton templates whose input schema differs, by name.
    pub proton: Vec<ProtonDiff>,
    /// Changes CloudFormation will refuse at deploy time: exports removed while a stack of
    /// the old side imports them, by export name.
    pub deploy_failures: Vec<DeployFailure>,
    /// Removed and added resources that may be moves, until a mapping file says which.
    pub ambiguous: Vec<Ambiguity>,
    /// Identical resources removed in one account or region and added in another: a delete
    /// and a create, as CloudFormation cannot move a resource across environments.
    pub across_environments: Vec<Move>,
}

/// An export the new side removes while a stack of the old side imports it: the producer's
/// update fails at deploy time.
#[derive(Debug, Clone, Serialize)]
pub struct DeployFailure {
    /// Display name of the producer stack.
    pub producer: String,
    /// Logical id of the output that declared the export (in the old side).
    pub output: String,
    /// The export name.
    pub export: String,
    /// The importers in the old side, `Stack (LogicalId)`.
    pub consumers: Vec<String>,
    /// Why it fails and what to do.
    pub reason: String,
}

impl DeployFailure {
    /// Whether this failure concerns `element` (an `Outputs` entry) of the producer `stack`.
    pub(crate) fn is_of(&self, stack: &StackDiff, element: &ElementDiff) -> bool {
        stack.display_name == self.producer && element.section == "Outputs" && element.logical_id == self.output
    }
}

impl Diff {
    /// True when nothing differs.
    pub fn is_empty(&self) -> bool {
        self.stacks.is_empty() && self.proton.is_empty()
    }

    /// The number of security-relevant changes (statements, rules, attachments).
    pub fn security_changes(&self) -> usize {
        self.stacks.iter().map(StackDiff::security_changes).sum()
    }

    /// The resources whose data a deploy of the new side deletes.
    pub fn data_losses(&self) -> usize {
        self.stacks.iter().flat_map(|s| &s.resources).filter(|r| r.data_loss.is_some()).count()
    }

    /// The diff as plain text, ANSI-coloured when `color`.
    pub fn to_text(&self, color: bool) -> String {
        render::text(self, color)
    }

    /// The diff as Markdown for a pull request comment: a summary table, then one section
    /// per stack.
    pub fn to_markdown(&self) -> String {
        render::markdown(self)
    }
}

/// The changes of one stack, matched by artifact id (or display name).
#[derive(Debug, Clone, Serialize)]
pub struct StackDiff {
    /// Artifact id of the stack.
    pub stack: String,
    /// Display name (path) of the stack.
    pub display_name: String,
    /// Added, removed or modified.
    pub change: Change,
    /// Resources that differ, by logical id.
    pub resources: Vec<ResourceDiff>,
    /// Parameters, Outputs, Conditions, Mappings and Rules that differ.
    pub elements: Vec<ElementDiff>,
    /// Other top-level template keys that differ (Description, Transform, Metadata...).
    pub template: Vec<ValueChange>,
}

impl StackDiff {
    /// The number of security-relevant changes in this stack.
    pub fn security_changes(&self) -> usize {
        self.resources.iter().map(ResourceDiff::security_changes).sum()
    }

    /// The number of resources added, modified, removed, replaced and moved.
    pub fn counts(&self) -> [usize; 5] {
        let n = |c| self.resources.iter().filter(|r| r.change == c).count();
        [
            n(Change::Added),
            n(Change::Modified),
            n(Change::Removed),
            self.resources.iter().filter(|r| r.replacement).count(),
            n(Change::Moved),
        ]
    }
}

/// The changes of one resource.
#[derive(Debug, Clone, Serialize)]
pub struct ResourceDiff {
    /// The logical id.
    pub logical_id: String,
    /// Added, removed or modified.
    pub change: Change,
    /// The resource type (the new one when it changed).
    #[serde(rename = "type")]
    pub resource_type: String,
    /// The old type, when the type changed (which replaces the resource).
    pub old_type: Option<String>,
    /// Whether the update replaces the resource (a new physical resource, the old one deleted).
    pub replacement: bool,
    /// Where it was, when it moved (`change` is `moved`).
    pub moved_from: Option<Place>,
    /// Why the deploy deletes the data it holds, when it does.
    pub data_loss: Option<String>,
    /// What to do about it (a move: refactor or keep the old id).
    pub hint: Option<String>,
    /// Property and attribute changes (policy documents and rules are in `security`).
    pub properties: Vec<ValueChange>,
    /// Statement and rule changes.
    pub security: Vec<SecurityChange>,
}

impl ResourceDiff {
    /// The number of security-relevant changes of this resource.
    pub fn security_changes(&self) -> usize {
        self.security.len() + self.properties.iter().filter(|p| p.security).count()
    }
}

/// One changed value at a JSON path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueChange {
    /// Where, e.g. `Properties.Tags[0].Value`.
    pub path: String,
    /// The old value (absent when added).
    pub old: Option<Json>,
    /// The new value (absent when removed).
    pub new: Option<Json>,
    /// Whether this change replaces the resource (a create-only property).
    pub replaces: bool,
    /// Whether this change concerns access (policy attachments, principals, targets).
    pub security: bool,
    /// For a value holding text of several lines: the changed lines, a unified diff.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<String>,
}

impl ValueChange {
    /// Added, removed or modified.
    pub fn change(&self) -> Change {
        match (&self.old, &self.new) {
            (None, _) => Change::Added,
            (_, None) => Change::Removed,
            _ => Change::Modified,
        }
    }
}

/// A template element of a section other than Resources.
#[derive(Debug, Clone, Serialize)]
pub struct ElementDiff {
    /// `Parameters`, `Outputs`, `Conditions`, `Mappings` or `Rules`.
    pub section: String,
    /// The element's logical id.
    pub logical_id: String,
    /// Added, removed or modified.
    pub change: Change,
    /// What changed in it.
    pub changes: Vec<ValueChange>,
}

/// What a security-relevant change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SecurityKind {
    /// A statement of a policy document.
    Statement,
    /// A security group ingress rule.
    Ingress,
    /// A security group egress rule.
    Egress,
}

/// A policy statement or security group rule added, removed or changed.
#[derive(Debug, Clone, Serialize)]
pub struct SecurityChange {
    /// Which document: `AssumeRolePolicyDocument`, `Policies[Default]`, `Content`, `SecurityGroupIngress`.
    pub document: String,
    /// A statement or a rule.
    pub kind: SecurityKind,
    /// Added, removed or modified.
    pub change: Change,
    /// The old statement or rule.
    pub old: Option<Json>,
    /// The new statement or rule.
    pub new: Option<Json>,
}

/// The input schema changes of one Proton template.
#[derive(Debug, Clone, Serialize)]
pub struct ProtonDiff {
    /// The template name.
    pub template: String,
    /// The old major version (absent when the template is new).
    pub old_major: Option<u32>,
    /// The new major version (absent when the template was removed).
    pub new_major: Option<u32>,
    /// Input changes, in schema order.
    pub changes: Vec<InputChange>,
}

impl ProtonDiff {
    /// Whether the major version changed (which is where breaking changes belong).
    pub fn major_changed(&self) -> bool {
        self.old_major.is_some() && self.new_major.is_some() && self.old_major != self.new_major
    }
}

/// One change of a Proton input.
#[derive(Debug, Clone, Serialize)]
pub struct InputChange {
    /// `environment`, `service` or `pipeline` inputs.
    pub input_type: String,
    /// The input, dotted when nested.
    pub input: String,
    /// What happened to it.
    pub what: String,
    /// Whether existing specs may stop working.
    pub breaking: bool,
}

/// Compares two sides.
pub fn diff(old: &Side, new: &Side) -> Diff {
    let moves = find_moves(old, new, &Mapping::default()).unwrap_or_default();
    compare(old, new, &moves)
}

/// Compares two sides, with the moves a mapping file declares; an entry that does not fit
/// the sides is an error naming its line.
pub fn diff_with(old: &Side, new: &Side, mapping: &Mapping) -> cloudwright_core::Result<Diff> {
    Ok(compare(old, new, &find_moves(old, new, mapping)?))
}

/// Compares two sides with the moves found between them.
pub(crate) fn compare(old: &Side, new: &Side, moves: &Moves) -> Diff {
    Diff {
        old: old.label.clone(),
        new: new.label.clone(),
        stacks: template::stacks(old, new, moves),
        proton: proton::templates(&old.proton, &new.proton),
        deploy_failures: exports::failures(old, new),
        ambiguous: moves.ambiguous.clone(),
        across_environments: moves.across.clone(),
    }
}

#[cfg(test)]
mod tests;
