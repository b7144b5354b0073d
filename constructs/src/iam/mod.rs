//! IAM: typed policy documents, roles and grants.
//!
//! ```
//! use cloudwright_constructs::iam::{self, Condition, Operator, PolicyStatement, Principal, Role, RoleProps};
//! use cloudwright_constructs::{App, CfnResource, Stack, StackProps};
//!
//! let app = App::new();
//! let stack = Stack::new(&app, "S", StackProps::default())?;
//! let topic = CfnResource::new(&stack, "Alerts", "AWS::SNS::Topic", Default::default())?;
//! let role = Role::new(&stack, "Reporter", RoleProps {
//!     assumed_by: vec![Principal::service("lambda.amazonaws.com")],
//!     trust_conditions: vec![Condition::new(Operator::string_equals(), "aws:SourceAccount", ["111111111111"])],
//!     ..Default::default()
//! })?;
//! iam::grant_publish(&topic, &role)?;
//! role.add_to_policy(PolicyStatement::allow(&["ssm:GetParameter"], ["arn:aws:ssm:us-east-1:111111111111:parameter/app/*"]))?;
//! let template = app.assembly()?.template("S").unwrap();
//! let policy = &template["Resources"]["ReporterDefaultPolicyAB2553BC"]["Properties"]["PolicyDocument"];
//! assert_eq!(policy["Statement"][0]["Action"], "sns:Publish");
//! # Ok::<(), cloudwright_constructs::Error>(())
//! ```

mod managed_policy;
pub mod policy;
mod role;

pub use managed_policy::{ManagedPolicy, ManagedPolicyProps};
pub use policy::{Condition, Effect, Operator, PolicyDocument, PolicyKind, PolicyStatement, Principal, check_action};
pub use role::{Grantee, Role, RoleProps, grant, grant_publish, grant_put_events, grant_read, grant_send_messages};
