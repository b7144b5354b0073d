//! The infrastructure of {{name}}: an organization with a Development, Test and
//! Production OU, guardrails, and the same Lambda service in each account, checked by
//! governance rule packs: production stricter than development.

use cloudwright_constructs::lambda::{Code, FunctionProps, LambdaService, LambdaServiceProps, Runtime};
use cloudwright_constructs::org::{
    Account, AccountProps, Organization, OrganizationProps, OrganizationalUnit, ServiceControlPolicy,
    ServiceControlPolicyProps, library,
};
use cloudwright_constructs::cfn::sns::{CfnTopic, CfnTopicProps};
use cloudwright_constructs::governance::RulePack;
use cloudwright_constructs::{App, Environment, Result, Stack, StackProps};

/// The management account and the workload accounts (OU, name, id): replace with yours.
const MANAGEMENT: &str = "111111111111";
const WORKLOADS: [(&str, &str, &str); 3] =
    [("Development", "Dev", "200000000000"), ("Test", "Test", "200000000001"), ("Production", "Prod", "200000000002")];

/// Adds the app's stacks to `app`.
pub fn build(app: &App) -> Result<()> {
    let env = |account: &str| StackProps { env: Environment::new(account, "us-east-1"), ..Default::default() };
    let management = Stack::new(app, "Management", env(MANAGEMENT))?;
    let org = Organization::new(&management, "Organization", OrganizationProps { root_id: Some("r-a1b2".into()), ..Default::default() })?;
    for (i, (ou_name, name, account)) in WORKLOADS.into_iter().enumerate() {
        let ou = OrganizationalUnit::new(&org, ou_name, Default::default())?;
        Account::new(&ou, name, AccountProps { account_id: Some(account.into()), ..Default::default() })?;
        if i == 0 {
            let props = ServiceControlPolicyProps { document: library::deny_proton_template_authoring(), ..Default::default() };
            ServiceControlPolicy::new(&org, "ProtonBlocker", props, &[&ou])?;
        }
        let props = StackProps { termination_protection: name == "Prod", ..env(account) };
        let service = Stack::new(app, &format!("{name}Service"), props)?;
        match name {
            "Prod" => RulePack::production().apply_to(&service),
            "Dev" => RulePack::development().apply_to(&service),
            _ => RulePack::standard().apply_to(&service),
        }
        // The service's alarms notify this topic: subscribe the team to it.
        let alerts = CfnTopic::new(&service, "Alerts", CfnTopicProps::default())?;
        LambdaService::new(
            &service,
            "Hello",
            LambdaServiceProps {
                function: FunctionProps {
                    runtime: Runtime::Python312,
                    handler: "index.handler".into(),
                    code: Code::Inline("def handler(event, context):\n    return {'statusCode': 200}\n".into()),
                    ..Default::default()
                },
                alarm_topics: vec![alerts.reference()],
                ..Default::default()
            },
        )?;
    }
    Ok(())
}
