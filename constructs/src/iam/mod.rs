//! IAM: typed policy documents, roles and grants.

mod managed_policy;
pub mod policy;
mod role;

pub use managed_policy::{ManagedPolicy, ManagedPolicyProps};
pub use policy::{Condition, Effect, Operator, PolicyDocument, PolicyKind, PolicyStatement, Principal, check_action};
pub use role::{
    Grantee, Role, RoleProps, grant, grant_invoke, grant_publish, grant_put_events, grant_read, grant_send_messages,
};
