//! CW-SCP-4/5, a stack denied by its own organization: small organization apps whose
//! SCPs deny (or may deny) what a workload stack creates, and ones that do not.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use cloudwright_constructs::cfn::proton::{CfnEnvironmentAccountConnection, CfnEnvironmentAccountConnectionProps};
use cloudwright_constructs::governance::suppress;
use cloudwright_constructs::iam::{Condition, Operator, PolicyDocument, PolicyStatement};
use cloudwright_constructs::org::{
    Account, AccountProps, Organization, OrganizationProps, OrganizationalUnit, PolicyTarget, ServiceControlPolicy,
    ServiceControlPolicyProps, library,
};
use cloudwright_constructs::{App, Environment, Stack, StackProps};
use cloudwright_toolkit::governance::{self, Finding, Severity};

const MANAGEMENT: &str = "111111111111";
const DEV: &str = "200000000000";
const PROD: &str = "200000000002";

/// The organization of the management account: Development and Production OUs with
/// one account each, referred to by id as the reference example does.
struct Org {
    app: App,
    org: Organization,
    development: OrganizationalUnit,
    production: OrganizationalUnit,
    dev_account: Account,
}

fn organization() -> Org {
    let app = App::new();
    let management =
        Stack::new(&app, "Mgmt", StackProps { env: Environment::new(MANAGEMENT, "us-east-1"), ..Default::default() })
            .unwrap();
    let org = Organization::new(
        &management,
        "Org",
        OrganizationProps { root_id: Some("r-a1b2".into()), ..Default::default() },
    )
    .unwrap();
    let development = OrganizationalUnit::new(&org, "Development", Default::default()).unwrap();
    let production = OrganizationalUnit::new(&org, "Production", Default::default()).unwrap();
    let dev_account =
        Account::new(&development, "Dev", AccountProps { account_id: Some(DEV.into()), ..Default::default() }).unwrap();
    Account::new(&production, "Prod", AccountProps { account_id: Some(PROD.into()), ..Default::default() }).unwrap();
    Org { app, org, development, production, dev_account }
}

/// A stack in `account` holding a Proton environment account connection, as Proton mode
/// deploys it in each environment account.
fn connection_stack(app: &App, id: &str, account: &str, region: &str) -> CfnEnvironmentAccountConnection {
    let stack =
        Stack::new(app, id, StackProps { env: Environment::new(account, region), ..Default::default() }).unwrap();
    CfnEnvironmentAccountConnection::new(
        &stack,
        "Connection",
        CfnEnvironmentAccountConnectionProps {
            environment_name: Some("dev".into()),
            management_account_id: Some(MANAGEMENT.into()),
            role_arn: Some(format!("arn:aws:iam::{account}:role/proton-environment").into()),
            ..Default::default()
        },
    )
    .unwrap()
}

/// The blocker as the reference example had it before issue 17: every Proton action denied,
/// the environment account connection included.
fn old_proton_blocker() -> PolicyDocument {
    PolicyDocument::new([PolicyStatement {
        sid: Some("Statement1".into()),
        ..PolicyStatement::deny(&["proton:*"], ["*"])
    }])
}

fn attach(org: &Org, id: &str, document: PolicyDocument, targets: &[&dyn PolicyTarget]) {
    ServiceControlPolicy::new(&org.org, id, ServiceControlPolicyProps { document, ..Default::default() }, targets)
        .unwrap();
}

/// The findings of CW-SCP-4 and CW-SCP-5.
fn scp_findings(app: &App) -> Vec<Finding> {
    let report = governance::check(&app.assembly().unwrap()).unwrap();
    report.findings.into_iter().filter(|f| f.rule_id == "CW-SCP-4" || f.rule_id == "CW-SCP-5").collect()
}

#[test]
fn the_old_proton_blocker_denies_the_development_connection() {
    let org = organization();
    attach(&org, "ProtonBlocker", old_proton_blocker(), &[&org.development]);
    connection_stack(&org.app, "DevBaseline", DEV, "us-east-1");
    connection_stack(&org.app, "ProdBaseline", PROD, "us-east-1");
    let findings = scp_findings(&org.app);
    // The Production OU's account is not under the blocker: one finding, in Development.
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!((f.rule_id.as_str(), f.severity), ("CW-SCP-4", Severity::Error));
    assert_eq!((f.stack.as_str(), f.path.as_str()), ("DevBaseline", "DevBaseline/Connection"));
    assert!(f.line.is_some(), "points at the template line");
    for part in [
        "SCP Mgmt/Org/ProtonBlocker",
        "statement \"Statement1\"",
        "attached to OU Mgmt/Org/Development",
        "denies proton:CreateEnvironmentAccountConnection",
        "AWS::Proton::EnvironmentAccountConnection in account 200000000000",
    ] {
        assert!(f.message.contains(part), "{part:?} missing from: {}", f.message);
    }
}

#[test]
fn a_blocker_of_template_authoring_spares_the_connection() {
    let org = organization();
    let authoring = library::deny_proton_template_authoring();
    attach(&org, "ProtonBlocker", authoring, &[&org.development]);
    connection_stack(&org.app, "DevBaseline", DEV, "us-east-1");
    assert_eq!(scp_findings(&org.app), []);
}

#[test]
fn a_conditional_deny_is_a_warning() {
    let org = organization();
    let tagged = PolicyDocument::new([PolicyStatement::deny(&["proton:*"], ["*"]).with_condition(Condition::new(
        Operator::string_not_equals(),
        "aws:PrincipalTag/team",
        ["platform"],
    ))]);
    attach(&org, "ProtonForPlatformOnly", tagged, &[&org.development]);
    connection_stack(&org.app, "DevBaseline", DEV, "us-east-1");
    let findings = scp_findings(&org.app);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!((findings[0].rule_id.as_str(), findings[0].severity), ("CW-SCP-5", Severity::Warning));
    assert!(findings[0].message.contains("statement 1"), "{}", findings[0].message);
    assert!(
        findings[0].message.contains("when its condition on aws:PrincipalTag/team holds"),
        "{}",
        findings[0].message
    );
}

#[test]
fn a_deny_on_another_ou_does_not_fire() {
    let org = organization();
    attach(&org, "ProtonBlocker", old_proton_blocker(), &[&org.production]);
    connection_stack(&org.app, "DevBaseline", DEV, "us-east-1");
    assert_eq!(scp_findings(&org.app), []);
}

#[test]
fn the_root_and_the_account_itself_count_and_the_management_account_is_exempt() {
    let org = organization();
    attach(&org, "NoProtonAnywhere", old_proton_blocker(), &[&org.org]);
    attach(&org, "NoProtonInDev", old_proton_blocker(), &[&org.dev_account]);
    connection_stack(&org.app, "DevBaseline", DEV, "us-east-1");
    connection_stack(&org.app, "ProdBaseline", PROD, "us-east-1");
    // SCPs never apply to the management account.
    connection_stack(&org.app, "MgmtConnection", MANAGEMENT, "us-east-1");
    let findings = scp_findings(&org.app);
    let seen: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| (f.stack.as_str(), if f.message.contains("attached to the root") { "root" } else { "account" }))
        .collect();
    assert_eq!(seen, [("DevBaseline", "root"), ("DevBaseline", "account"), ("ProdBaseline", "root")], "{findings:#?}");
}

#[test]
fn region_conditions_are_decided_from_the_stack() {
    let org = organization();
    attach(&org, "Regions", library::restrict_regions(&["us-east-1", "us-west-2"]), &[&org.development]);
    connection_stack(&org.app, "DevHome", DEV, "us-east-1");
    connection_stack(&org.app, "DevAbroad", DEV, "eu-west-1");
    let findings = scp_findings(&org.app);
    // At home the deny cannot hold; abroad it holds unless the deploying role is Control
    // Tower's, which only deployment tells.
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!((findings[0].stack.as_str(), findings[0].rule_id.as_str()), ("DevAbroad", "CW-SCP-5"));
    assert!(findings[0].message.contains("aws:PrincipalARN"), "{}", findings[0].message);
}

#[test]
fn the_finding_can_be_suppressed_with_a_reason() {
    let org = organization();
    attach(&org, "ProtonBlocker", old_proton_blocker(), &[&org.development]);
    let connection = connection_stack(&org.app, "DevBaseline", DEV, "us-east-1");
    suppress(&connection, "CW-SCP-4", "the blocker is lifted for this account before the stack deploys");
    let findings = scp_findings(&org.app);
    assert_eq!(findings.len(), 1);
    assert_eq!(
        findings[0].suppressed.as_deref(),
        Some("the blocker is lifted for this account before the stack deploys")
    );
}
