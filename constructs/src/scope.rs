//! Checks an L2 makes before it adds its first node, so that a constructor that fails
//! leaves no half-built construct behind.

use cloudwright_core::{Construct, Error, Group, Result};

/// Adds the group of an L2 whose resources need a stack. The core refuses a resource
/// outside a stack but not a group, so an L2 under the App or a Stage would otherwise be
/// refused at its first resource, after its group was added.
pub(crate) fn group_in_stack(scope: &impl Construct, id: &str, fqn: &'static str) -> Result<Group> {
    check_in_stack(scope, id)?;
    Group::with_fqn(scope, id, fqn)
}

/// Checks, without adding anything, that a construct holding CloudFormation resources can
/// be added as `id` under `scope`: for constructors that add nodes elsewhere first.
pub(crate) fn check_can_add(scope: &impl Construct, id: &str) -> Result<()> {
    scope.node().check_child_id(id)?;
    check_in_stack(scope, id)
}

fn check_in_stack(scope: &impl Construct, id: &str) -> Result<()> {
    if scope.node().stack().is_some() {
        return Ok(());
    }
    let parent = scope.node().path();
    Err(Error::InvalidScope {
        path: if parent.is_empty() { id.to_owned() } else { format!("{parent}/{id}") },
        message: "this construct holds CloudFormation resources, so it must be defined inside a Stack; add it to a \
                  Stack or a construct within one"
            .into(),
    })
}
