//! Resources that left one place (a logical id in a stack) and appear at another: matched
//! first from a mapping file, then by digest (the same type and properties once the
//! references that moved with them are followed, `digest.rs`), then by the same logical id
//! and type in another stack of the same environment (a construct moved to a sibling stack
//! keeps its id; its properties may have changed). Only moves within one account and
//! region are moves: CloudFormation cannot move a resource to another account or region
//! (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stack-refactoring.html>),
//! so a match across environments is reported apart, as a delete and a create.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use cloudwright_core::Result;
use serde::Serialize;
use serde_json::Value as Json;

use super::digest::{Digests, resources};
use super::load::input;
use super::mapping::Mapping;
use super::{Side, StackTemplate};

/// A resource's place in one side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    /// The stack's display name (its path).
    pub stack: String,
    /// The CloudFormation stack name.
    pub stack_name: String,
    /// The logical id.
    pub logical_id: String,
    /// The stack's index in its side.
    #[serde(skip)]
    pub(crate) index: usize,
}

impl Place {
    fn of(index: usize, stack: &StackTemplate, logical_id: &str) -> Place {
        Place {
            stack: stack.display_name.clone(),
            stack_name: stack.name().to_owned(),
            logical_id: logical_id.to_owned(),
            index,
        }
    }
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.stack, self.logical_id)
    }
}

/// Places as `Stack.Id, Stack.Id`, for messages.
pub(crate) fn list(places: &[Place]) -> String {
    places.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// How a move was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MoveKind {
    /// The same type and properties (references followed).
    Identical,
    /// The same logical id and type in another stack; its properties may differ.
    SameId,
    /// Declared in the mapping file.
    Declared,
}

/// A resource that moved.
#[derive(Debug, Clone, Serialize)]
pub struct Move {
    /// Where it was (old side).
    pub from: Place,
    /// Where it is (new side).
    pub to: Place,
    /// The resource type.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// How it was recognised.
    pub kind: MoveKind,
    /// Whether its properties are the same once references are followed.
    pub unchanged: bool,
}

/// Removed and added resources that could each be the others moved: none is taken for a move
/// until a mapping file says which is which.
#[derive(Debug, Clone, Serialize)]
pub struct Ambiguity {
    /// The resource type.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// Whether they are alike (the same digest); otherwise only of one type in one stack,
    /// which deploys as a replacement unless it is declared a move (with its changes).
    pub identical: bool,
    /// The candidates of the old side.
    pub from: Vec<Place>,
    /// The candidates of the new side.
    pub to: Vec<Place>,
}

/// The moves between two sides.
#[derive(Debug, Clone, Default)]
pub(crate) struct Moves {
    pub moves: Vec<Move>,
    pub ambiguous: Vec<Ambiguity>,
    /// Identical resources in another account or region: not moves.
    pub across: Vec<Move>,
    /// Move index by old place (stack index, logical id).
    pub by_source: HashMap<(usize, String), usize>,
    /// Move index by new place.
    pub by_destination: HashMap<(usize, String), usize>,
    /// The digests of the old and the new side's resources.
    pub digests: (Digests, Digests),
}

/// A resource of a side by (environment, stack name, logical id).
type Located<'a> = (&'a str, &'a str, &'a str);

/// Candidates of the old and the new side.
type Candidates = (Vec<Place>, Vec<Place>);

fn places(side: &Side) -> HashSet<Located<'_>> {
    side.stacks
        .iter()
        .flat_map(|s| resources(&s.template).map(move |(id, _)| (s.environment.as_str(), s.name(), id.as_str())))
        .collect()
}

/// The resources of `side` that `other` does not have at the same place.
fn only_in(side: &Side, other: &HashSet<Located<'_>>) -> Vec<Place> {
    let mut out = Vec::new();
    for (i, s) in side.stacks.iter().enumerate() {
        for (id, _) in resources(&s.template) {
            if !other.contains(&(s.environment.as_str(), s.name(), id.as_str())) {
                out.push(Place::of(i, s, id));
            }
        }
    }
    out
}

fn type_of<'a>(side: &'a Side, place: &Place) -> &'a str {
    side.stacks[place.index].template["Resources"][&place.logical_id]["Type"].as_str().unwrap_or_default()
}

/// Finds the moves from `old` to `new`; a mapping entry that names no such resource, or a
/// move CloudFormation cannot make, is an error naming its line.
pub(crate) fn find<'a>(old: &'a Side, new: &'a Side, mapping: &Mapping) -> Result<Moves> {
    let (removed, added) = (only_in(old, &places(new)), only_in(new, &places(old)));
    let digests = (Digests::of(old), Digests::of(new));
    let (old_digests, new_digests) = (&digests.0, &digests.1);
    let same = |from: &Place, to: &Place| {
        old_digests.get(from.index, &from.logical_id).is_some()
            && old_digests.get(from.index, &from.logical_id) == new_digests.get(to.index, &to.logical_id)
    };
    let env = |side: &'a Side, p: &Place| -> &'a str { side.stacks[p.index].environment.as_str() };
    let mut out = Moves::default();
    let push = |out: &mut Moves, from: Place, to: Place, kind: MoveKind, unchanged: bool| {
        let n = out.moves.len();
        out.by_source.insert((from.index, from.logical_id.clone()), n);
        out.by_destination.insert((to.index, to.logical_id.clone()), n);
        let resource_type = type_of(new, &to).to_owned();
        out.moves.push(Move { from, to, resource_type, kind, unchanged });
    };

    // 1. What the mapping file declares.
    let mut problems = Vec::new();
    for declared in &mapping.moves {
        let find_place = |side: &Side, (stack, id): &(String, String)| {
            side.stacks
                .iter()
                .enumerate()
                .find(|(_, s)| s.environment == declared.environment && s.name() == stack)
                .filter(|(_, s)| s.template.get("Resources").and_then(|r| r.get(id)).is_some())
                .map(|(i, s)| Place::of(i, s, id))
        };
        let (from, to) = match (find_place(old, &declared.from), find_place(new, &declared.to)) {
            (Some(from), Some(to)) => (from, to),
            (from, _) => {
                let (side, (stack, id)) = if from.is_none() { ("old", &declared.from) } else { ("new", &declared.to) };
                problems.push(format!(
                    "{}: the {side} side has no resource {stack}.{id} in {} (STACK is the CloudFormation stack name)",
                    declared.at, declared.environment
                ));
                continue;
            }
        };
        if !removed.contains(&from) {
            problems
                .push(format!("{}: {from} is still in the new side at the same place; it did not move", declared.at));
            continue;
        }
        if !added.contains(&to) {
            problems.push(format!("{}: {to} was already in the old side; nothing moved there", declared.at));
            continue;
        }
        let (from_type, to_type) = (type_of(old, &from), type_of(new, &to));
        if from_type != to_type {
            problems.push(format!(
                "{}: {from} is a {from_type} and {to} a {to_type}; a move keeps the resource type",
                declared.at
            ));
            continue;
        }
        let unchanged = same(&from, &to);
        push(&mut out, from, to, MoveKind::Declared, unchanged);
    }
    if !problems.is_empty() {
        return Err(input(
            mapping.moves.first().map(|m| m.at.clone()).unwrap_or_default(),
            format!("the mapping does not fit the two sides:\n  {}", problems.join("\n  ")),
        ));
    }

    // 2. The same digest, within one environment (across environments: reported apart).
    let mut groups: BTreeMap<(String, String), Candidates> = BTreeMap::new();
    for p in removed.iter().filter(|p| !out.by_source.contains_key(&(p.index, p.logical_id.clone()))) {
        if let Some(d) = old_digests.get(p.index, &p.logical_id) {
            groups.entry((env(old, p).to_owned(), d.to_owned())).or_default().0.push(p.clone());
        }
    }
    for p in added.iter().filter(|p| !out.by_destination.contains_key(&(p.index, p.logical_id.clone()))) {
        if let Some(d) = new_digests.get(p.index, &p.logical_id) {
            groups.entry((env(new, p).to_owned(), d.to_owned())).or_default().1.push(p.clone());
        }
    }
    for (_, (mut from, mut to)) in groups {
        // The same logical id on both sides settles a pair (a move to a sibling stack).
        let mut i = 0;
        while i < from.len() {
            if let Some(j) = to.iter().position(|t| t.logical_id == from[i].logical_id) {
                let (f, t) = (from.remove(i), to.remove(j));
                push(&mut out, f, t, MoveKind::Identical, true);
            } else {
                i += 1;
            }
        }
        match (from.len(), to.len()) {
            (1, 1) => push(&mut out, from.remove(0), to.remove(0), MoveKind::Identical, true),
            (0, _) | (_, 0) => {}
            _ => {
                let resource_type = type_of(old, &from[0]).to_owned();
                out.ambiguous.push(Ambiguity { resource_type, identical: true, from, to });
            }
        }
    }
    let in_ambiguity: HashSet<(bool, usize, String)> = out
        .ambiguous
        .iter()
        .flat_map(|a| {
            a.from
                .iter()
                .map(|p| (false, p.index, p.logical_id.clone()))
                .chain(a.to.iter().map(|p| (true, p.index, p.logical_id.clone())))
        })
        .collect();
    let free = |places: &[Place], taken: &HashMap<(usize, String), usize>, new_side: bool| -> Vec<Place> {
        let open = |p: &&Place| {
            let key = (p.index, p.logical_id.clone());
            !taken.contains_key(&key) && !in_ambiguity.contains(&(new_side, key.0, key.1))
        };
        places.iter().filter(open).cloned().collect()
    };
    let (free_from, free_to) = (free(&removed, &out.by_source, false), free(&added, &out.by_destination, true));

    // 3. The same logical id and type in another stack of the same environment (the first
    // candidate in the new side's order), looked up rather than searched: both lists may
    // hold every resource of an app.
    let mut by_id: HashMap<(&str, &str, &str), VecDeque<usize>> = HashMap::new();
    for (j, t) in free_to.iter().enumerate() {
        by_id.entry((env(new, t), t.logical_id.as_str(), type_of(new, t))).or_default().push_back(j);
    }
    let mut used_to: HashSet<usize> = HashSet::new();
    let mut left_from = Vec::new();
    for f in &free_from {
        let key = (env(old, f), f.logical_id.as_str(), type_of(old, f));
        match by_id.get_mut(&key).and_then(VecDeque::pop_front) {
            Some(j) => {
                used_to.insert(j);
                let unchanged = same(f, &free_to[j]);
                push(&mut out, f.clone(), free_to[j].clone(), MoveKind::SameId, unchanged);
            }
            None => left_from.push(f.clone()),
        }
    }
    let left_to: Vec<&Place> =
        free_to.iter().enumerate().filter(|(j, _)| !used_to.contains(j)).map(|(_, t)| t).collect();

    // 4. Identical resources in another account or region: not a move CloudFormation can make.
    let mut by_digest: HashMap<&str, Vec<&Place>> = HashMap::new();
    for t in &left_to {
        if let Some(d) = new_digests.get(t.index, &t.logical_id) {
            by_digest.entry(d).or_default().push(t);
        }
    }
    let mut across_from = HashSet::new();
    for f in &left_from {
        let matches = old_digests.get(f.index, &f.logical_id).and_then(|d| by_digest.get(d));
        if let Some([t]) = matches.map(Vec::as_slice) {
            across_from.insert((f.index, f.logical_id.clone()));
            out.across.push(Move {
                from: f.clone(),
                to: (*t).clone(),
                resource_type: type_of(old, f).to_owned(),
                kind: MoveKind::Identical,
                unchanged: true,
            });
        }
    }

    // 5. What is left of one type in one stack, removed and added: a replacement, unless it
    // is the same resource renamed with changes, which only the user can say.
    // (environment, stack name, type).
    let mut same_stack: BTreeMap<Located<'_>, Candidates> = BTreeMap::new();
    for f in left_from.iter().filter(|f| !across_from.contains(&(f.index, f.logical_id.clone()))) {
        let s = &old.stacks[f.index];
        same_stack.entry((s.environment.as_str(), s.name(), type_of(old, f))).or_default().0.push(f.clone());
    }
    for t in &left_to {
        let s = &new.stacks[t.index];
        if let Some(entry) = same_stack.get_mut(&(s.environment.as_str(), s.name(), type_of(new, t))) {
            entry.1.push((*t).clone());
        }
    }
    for ((_, _, resource_type), (from, to)) in same_stack {
        if !to.is_empty() {
            out.ambiguous.push(Ambiguity { resource_type: resource_type.to_owned(), identical: false, from, to });
        }
    }
    out.digests = digests;
    Ok(out)
}

/// The resource body at a place of a side.
pub(crate) fn body<'a>(side: &'a Side, place: &Place) -> Option<&'a Json> {
    side.stacks.get(place.index)?.template.get("Resources")?.get(&place.logical_id)
}
