//! Names the cloud assembly gives stacks and stages, as the CDK derives them from paths.

use crate::logical_id::make_unique_id;
use crate::tree::{Kind, Nodes};

/// A stack's artifact id: the unique id of its path from the app (the id itself for a
/// top-level stack), e.g. `DevQueuesC4D90994` for `Dev/Queues`.
pub(crate) fn artifact_id(arena: &Nodes, stack: u32) -> String {
    make_unique_id(&arena.path_ids(stack)).unwrap_or_default()
}

/// A stack's CloudFormation name: the explicit one, else the stage name, `-`, and the
/// unique id of the path below the stage (`Dev-Queues`).
pub(crate) fn stack_name(arena: &Nodes, stack: u32) -> String {
    if let Some(Some(name)) = arena.stack(stack).map(|s| s.stack_name.clone()) {
        return name;
    }
    let ids = arena.path_ids(stack);
    let (prefix, below) = match arena.stage_of(stack) {
        Some(stage) => (format!("{}-", stage_name(arena, stage)), arena.path_ids(stage).len()),
        None => (String::new(), 0),
    };
    format!("{prefix}{}", make_unique_id(&ids[below..]).unwrap_or_default())
}

/// A stage's name: the ids of the enclosing stages and its own, joined by `-`.
pub(crate) fn stage_name(arena: &Nodes, stage: u32) -> String {
    let mut names = Vec::new();
    let mut cur = Some(stage);
    while let Some(i) = cur {
        if matches!(arena.nodes[i as usize].kind, Kind::Stage(_)) {
            names.push(&*arena.nodes[i as usize].id);
        }
        cur = arena.nodes[i as usize].parent;
    }
    names.reverse();
    names.join("-")
}

/// The artifact id, and directory name, of a stage's nested assembly.
pub(crate) fn stage_artifact_id(arena: &Nodes, stage: u32) -> String {
    format!("assembly-{}", arena.path(stage).replace('/', "-"))
}

/// True when CloudFormation accepts `name` as a stack name.
pub(crate) fn is_valid_stack_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && name.len() <= 128
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-')
}
