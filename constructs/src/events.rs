//! Amazon EventBridge: the [`IEventBus`] kind with its grants.
//!
//! ```
//! use cloudwright_constructs::cfn::events::{CfnEventBus, CfnEventBusProps};
//! use cloudwright_constructs::events::IEventBus;
//! use cloudwright_constructs::iam::{Principal, Role, RoleProps};
//! use cloudwright_constructs::{App, Stack, StackProps};
//!
//! let app = App::new();
//! let stack = Stack::new(&app, "S", StackProps::default())?;
//! let bus = CfnEventBus::new(&stack, "Findings", CfnEventBusProps::new("findings"))?;
//! let role = Role::new(&stack, "Reporter", RoleProps { assumed_by: vec![Principal::service("lambda.amazonaws.com")], ..Default::default() })?;
//! bus.grant_put_events(&role)?;
//! # Ok::<(), cloudwright_constructs::Error>(())
//! ```

use cloudwright_core::logical_id::physical_name;
use cloudwright_core::{Construct, Expr, Result, Value};

use crate::cfn::events::{CfnEventBus, CfnEventBusPolicy, CfnEventBusPolicyProps};
use crate::iam::{self, CrossAccount, Grantee};

/// An EventBridge event bus (the CDK's `events.IEventBus`).
pub trait IEventBus: Construct {
    /// The bus's ARN.
    fn event_bus_arn(&self) -> Expr;

    /// The bus's name.
    fn event_bus_name(&self) -> Expr;

    /// Putting events on the bus (the CDK's `grantPutEventsTo`). A grantee in another
    /// account must also be let in by the bus's policy: an `AWS::Events::EventBusPolicy`
    /// statement (beside the bus; a bus's policy statements are separate resources, so
    /// this adds one whichever handle the bus is) naming the grantee's account, narrowed
    /// to its role.
    /// <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html>
    fn grant_put_events(&self, grantee: &impl Grantee) -> Result<()>
    where
        Self: Sized,
    {
        iam::grant(grantee, &["events:PutEvents"], [self.event_bus_arn()])?;
        let Some(other) = CrossAccount::between(self, grantee) else {
            return Ok(());
        };
        let id = format!("PutEventsFrom-{}", other.role_name());
        if self.node().find_child(&id).is_none() {
            let statement = other.statement(&["events:PutEvents"], [self.event_bus_arn()]);
            // Statement ids are unique per bus, of letters, digits, `-` and `_`, at most 64:
            // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutPermission.html
            let statement_id = physical_name(&format!("{}/PutEvents", other.role_path()), 64);
            CfnEventBusPolicy::new(
                self.node(),
                &id,
                CfnEventBusPolicyProps {
                    event_bus_name: Some(Value::Expr(self.event_bus_name())),
                    statement: Some(statement.to_json()),
                    ..CfnEventBusPolicyProps::new(statement_id)
                },
            )?;
        }
        Ok(())
    }
}

impl IEventBus for CfnEventBus {
    fn event_bus_arn(&self) -> Expr {
        self.attr_arn()
    }

    fn event_bus_name(&self) -> Expr {
        self.reference()
    }
}
