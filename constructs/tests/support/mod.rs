//! Helpers shared by the integration tests (each test file has `mod support;`).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)] // each file uses some; tests fail loudly

use std::sync::atomic::{AtomicUsize, Ordering};

use cloudwright_constructs::{App, Environment, Stack, StackProps};
use serde_json::Value;

/// The management account every organization test deploys from.
pub const MANAGEMENT: &str = "111111111111";

/// An app with one stack, `Mgmt`, in the management account in us-east-1.
pub fn management_stack() -> (App, Stack) {
    let app = App::new();
    let stack =
        Stack::new(&app, "Mgmt", StackProps { env: Environment::new(MANAGEMENT, "us-east-1"), ..Default::default() })
            .unwrap();
    (app, stack)
}

/// The management stack with the organization `Org` (an existing one, root `r-a1b2`) in it.
#[cfg(all(feature = "organizations", feature = "controltower", feature = "iam"))]
pub fn organization() -> (App, Stack, cloudwright_constructs::org::Organization) {
    use cloudwright_constructs::org::{Organization, OrganizationProps};
    let (app, stack) = management_stack();
    let org =
        Organization::new(&stack, "Org", OrganizationProps { root_id: Some("r-a1b2".into()), ..Default::default() })
            .unwrap();
    (app, stack, org)
}

/// Every problem synthesis reports for `app`, which must fail to synthesize and write
/// nothing.
pub fn problems(app: &App) -> Vec<String> {
    static RUN: AtomicUsize = AtomicUsize::new(0);
    let n = RUN.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("cw-test-{}-{n}", std::process::id()));
    let err = app.synth(&dir).expect_err("synthesis should fail");
    assert!(!dir.exists(), "nothing may be written when synthesis fails");
    err.problems().iter().map(ToString::to_string).collect()
}

/// The resources of `template` of type `kind`, with their logical ids, in template order.
pub fn resources_of_type<'t>(template: &'t Value, kind: &str) -> Vec<(&'t String, &'t Value)> {
    template["Resources"].as_object().into_iter().flatten().filter(|(_, r)| r["Type"] == kind).collect()
}

/// The one resource of `template` of type `kind`.
pub fn one_of_type<'t>(template: &'t Value, kind: &str) -> &'t Value {
    match resources_of_type(template, kind).as_slice() {
        [(_, one)] => one,
        other => panic!("{} resources of type {kind}: {template:#}", other.len()),
    }
}
