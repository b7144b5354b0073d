//! Benchmark apps: an organization/SCP stack and N environment stacks spread over up to
//! 50 accounts, each with M Lambda functions (role, log group with retention, X-Ray, an
//! errors alarm). `bench/cdk-peer/app.js` builds the same resources with the AWS CDK.

use cloudwright_constructs::lambda::{Code, Function, FunctionProps, Runtime};
use cloudwright_constructs::org::{
    Organization, OrganizationProps, OrganizationalUnit, OrganizationalUnitProps, ServiceControlPolicy,
    ServiceControlPolicyProps, library,
};
use cloudwright_constructs::{App, Environment, Result, Stack, StackProps};

/// Builds a benchmark app of `stacks` environment stacks with `functions` functions each.
pub fn app(stacks: usize, functions: usize) -> Result<App> {
    let app = App::new();
    let env = |account: String| StackProps { env: Environment::new(account, "us-east-1"), ..Default::default() };
    let management = Stack::new(&app, "Management", env("111111111111".into()))?;
    let org = Organization::new(
        &management,
        "Organization",
        OrganizationProps { root_id: Some("r-a1b2".into()), ..Default::default() },
    )?;
    let ou = OrganizationalUnit::new(&org, "Workloads", OrganizationalUnitProps::default())?;
    ServiceControlPolicy::new(
        &org,
        "ProtonBlocker",
        ServiceControlPolicyProps {
            name: Some("AWS-Proton-Blocker".into()),
            document: library::deny_proton_template_authoring(),
            ..Default::default()
        },
        &[&ou],
    )?;
    for s in 0..stacks {
        let stack = Stack::new(&app, &format!("Env{s}"), env(format!("{}", 200_000_000_000u64 + (s % 50) as u64)))?;
        for f in 0..functions {
            let function = Function::new(
                &stack,
                &format!("Fn{f}"),
                FunctionProps {
                    runtime: Runtime::Python312,
                    handler: "index.handler".into(),
                    code: Code::Inline("def handler(event, context):\n    return 1\n".into()),
                    memory_size: 256.into(),
                    timeout_seconds: 10.into(),
                    ..Default::default()
                },
            )?;
            function.alarm_errors(1.0, &[])?;
        }
    }
    Ok(app)
}
