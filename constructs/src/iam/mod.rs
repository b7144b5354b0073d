//! IAM: typed policy documents, roles and grants.
//!
//! Grants live on the resource kinds they are about (`topic.grant_publish(&role)`,
//! `bucket.grant_read(&role)`, see [`crate::sns::ITopic`], [`crate::s3::IBucket`]);
//! [`grant`] covers anything else.
//!
//! ```
//! use cloudwright_constructs::cfn::sns::{CfnTopic, CfnTopicProps};
//! use cloudwright_constructs::iam::{Condition, Operator, PolicyStatement, Principal, Role, RoleProps};
//! use cloudwright_constructs::sns::ITopic;
//! use cloudwright_constructs::{App, Stack, StackProps};
//!
//! let app = App::new();
//! let stack = Stack::new(&app, "S", StackProps::default())?;
//! let topic = CfnTopic::new(&stack, "Alerts", CfnTopicProps::default())?;
//! let role = Role::new(&stack, "Reporter", RoleProps {
//!     assumed_by: vec![Principal::service("lambda.amazonaws.com")],
//!     trust_conditions: vec![Condition::new(Operator::string_equals(), "aws:SourceAccount", ["111111111111"])],
//!     ..Default::default()
//! })?;
//! topic.grant_publish(&role)?;
//! role.add_to_policy(PolicyStatement::allow(&["ssm:GetParameter"], ["arn:aws:ssm:us-east-1:111111111111:parameter/app/*"]))?;
//! let template = app.assembly()?.template("S").unwrap();
//! let policy = &template["Resources"]["ReporterDefaultPolicyAB2553BC"]["Properties"]["PolicyDocument"];
//! assert_eq!(policy["Statement"][0]["Action"], "sns:Publish");
//! # Ok::<(), cloudwright_constructs::Error>(())
//! ```

#[cfg(feature = "iam")]
pub(crate) mod boundary;
#[cfg(feature = "iam")]
mod cross_account;
#[cfg_attr(not(feature = "full"), allow(dead_code))] // used by L2s that may be off
pub(crate) mod lazy;
#[cfg(feature = "iam")]
mod managed_policy;
pub mod needed;
pub mod policy;
#[cfg(feature = "iam")]
mod role;
pub mod wildcard;

#[cfg(feature = "iam")]
pub use boundary::PermissionsBoundary;
#[cfg(feature = "iam")]
pub use cross_account::CrossAccount;
#[cfg(feature = "iam")]
#[cfg_attr(not(feature = "full"), allow(unused_imports))] // used by L2s that may be off
pub(crate) use cross_account::grant_with_resource_policy;
#[cfg(feature = "iam")]
pub use managed_policy::{ManagedPolicy, ManagedPolicyProps};
pub use policy::{Condition, Effect, Operator, PolicyDocument, PolicyKind, PolicyStatement, Principal, check_action};
#[cfg(feature = "iam")]
pub use role::{Grantee, Role, RoleProps, grant};
