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

use cloudwright_core::{Construct, Expr, Result};

use crate::cfn::events::CfnEventBus;
use crate::iam::{self, Grantee};

/// An EventBridge event bus (the CDK's `events.IEventBus`).
pub trait IEventBus: Construct {
    /// The bus's ARN.
    fn event_bus_arn(&self) -> Expr;

    /// The bus's name.
    fn event_bus_name(&self) -> Expr;

    /// Putting events on the bus (the CDK's `grantPutEventsTo`).
    fn grant_put_events(&self, grantee: &impl Grantee) -> Result<()>
    where
        Self: Sized,
    {
        iam::grant(grantee, &["events:PutEvents"], [self.event_bus_arn()])
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
