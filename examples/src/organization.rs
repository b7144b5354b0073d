//! The seed design's organization, as the management account deploys it.
//!
//! The management account (111111111111) holds the organization: Development, Test and
//! Production OUs with one workload account each. Guardrails come in three layers:
//!
//! 1. Service control policies. Development may not use AWS Proton at all (the seed
//!    blog's `AWS-Proton-Blocker`), so only the management account authors templates;
//!    every OU is held to two regions; no account may leave the organization or touch
//!    the roles and trails Control Tower manages.
//! 2. Control Tower controls on each workload OU (root user, SSH, public buckets).
//! 3. A stack set that gives every workload account the same audit role, including
//!    accounts that join the OUs later.

use cloudwright_constructs::controltower::{ControlId, EnabledControl, LandingZone, LandingZoneProps};
use cloudwright_constructs::iam::{self, Principal, Role, RoleProps};
use cloudwright_constructs::org::{
    Account, AccountProps, Organization, OrganizationProps, OrganizationalUnit, OrganizationalUnitProps, PolicyTarget,
    ServiceControlPolicy, ServiceControlPolicyProps, library,
};
use cloudwright_constructs::stackset::{StackSet, StackSetProps};
use cloudwright_constructs::{App, CfnResource, Construct, Environment, Expr, Result, Stack, StackProps};
use serde_json::json;

/// The management account.
pub const MANAGEMENT_ACCOUNT: &str = "111111111111";
/// The workload OUs with their account's construct id and account id.
pub const WORKLOAD_ACCOUNTS: [(&str, &str, &str); 3] =
    [("Development", "Dev", "200000000000"), ("Test", "Test", "200000000001"), ("Production", "Prod", "200000000002")];
/// The regions the organization may use.
pub const ALLOWED_REGIONS: [&str; 2] = ["us-east-1", "us-west-2"];

/// Builds the management stack of the organization into `app`.
pub fn management_stack(app: &App) -> Result<Stack> {
    let stack = Stack::new(
        app,
        "Management",
        StackProps {
            env: Environment::new(MANAGEMENT_ACCOUNT, "us-east-1"),
            description: Some("Organization, guardrails and baselines of the management account".into()),
            termination_protection: true,
            ..Default::default()
        },
    )?;
    // The organization already exists (Control Tower created it): refer to its root.
    let org = Organization::new(
        &stack,
        "Organization",
        OrganizationProps { root_id: Some("r-a1b2".into()), ..Default::default() },
    )?;

    // Control Tower's landing zone: the log archive and audit accounts live in the
    // Security OU Control Tower manages itself.
    let log_archive = Account::new(
        &org,
        "LogArchive",
        AccountProps { account_id: Some("111111111112".into()), ..Default::default() },
    )?;
    let audit =
        Account::new(&org, "Audit", AccountProps { account_id: Some("111111111113".into()), ..Default::default() })?;
    LandingZone::new(
        &stack,
        "LandingZone",
        LandingZoneProps {
            version: "3.3".into(),
            governed_regions: ALLOWED_REGIONS.iter().map(|r| (*r).to_owned()).collect(),
            security_ou_name: "Security".into(),
            sandbox_ou_name: None,
            log_archive_account: log_archive,
            audit_account: audit,
            logging_retention_days: 365,
            access_logging_retention_days: 3650,
            kms_key_arn: None,
            access_management: true,
        },
    )?;

    let mut ous = Vec::new();
    for (name, account, account_id) in WORKLOAD_ACCOUNTS {
        let ou = OrganizationalUnit::new(&org, name, OrganizationalUnitProps::default())?;
        Account::new(&ou, account, AccountProps { account_id: Some(account_id.into()), ..Default::default() })?;
        ous.push(ou);
    }
    let [development, test, production] = [&ous[0], &ous[1], &ous[2]];
    let workload: [&dyn PolicyTarget; 3] = [development, test, production];

    ServiceControlPolicy::new(
        &org,
        "ProtonBlocker",
        ServiceControlPolicyProps {
            name: Some("AWS-Proton-Blocker".into()),
            description: Some("Only the management account authors and deploys Proton templates".into()),
            document: library::deny_proton(),
        },
        &[development],
    )?;
    ServiceControlPolicy::new(
        &org,
        "RegionRestriction",
        ServiceControlPolicyProps {
            description: Some("Workloads run in the two approved regions".into()),
            document: library::restrict_regions(&ALLOWED_REGIONS),
            ..Default::default()
        },
        &workload,
    )?;
    ServiceControlPolicy::new(
        &org,
        "StayInOrganization",
        ServiceControlPolicyProps { document: library::deny_leaving_organization(), ..Default::default() },
        &[&org],
    )?;
    ServiceControlPolicy::new(
        &org,
        "ProtectControlTower",
        ServiceControlPolicyProps { document: library::protect_control_tower(), ..Default::default() },
        &[&org],
    )?;

    for ou in &ous {
        let prefix = ou.node().id();
        EnabledControl::enable_all(
            &stack,
            ou,
            &[
                (&format!("{prefix}RootAccessKeys"), ControlId::restrict_root_user_access_keys()),
                (&format!("{prefix}RestrictedSsh"), ControlId::restricted_ssh()),
                (&format!("{prefix}PublicRead"), ControlId::s3_bucket_public_read_prohibited()),
            ],
        )?;
    }

    // Every workload account gets a read-only role the platform team assumes from here.
    StackSet::new(
        &stack,
        "AuditBaseline",
        StackSetProps {
            stack_set_name: Some("platform-audit-baseline".into()),
            description: Some("Read-only audit role in every workload account".into()),
            target_ous: ous.iter().map(OrganizationalUnit::ou_id).collect(),
            regions: vec!["us-east-1".into()],
            ..Default::default()
        },
        |template| {
            Role::new(
                template,
                "PlatformAudit",
                RoleProps {
                    role_name: Some("platform-audit".into()),
                    description: Some("Read-only access for the platform team".into()),
                    assumed_by: vec![Principal::account(MANAGEMENT_ACCOUNT)],
                    managed_policy_arns: vec![Expr::sub("arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess")],
                    ..Default::default()
                },
            )?;
            Ok(())
        },
    )?;

    // Guardrail findings go to one topic; the platform's automation role may publish to it.
    let alerts = CfnResource::from_props(
        &stack,
        "GuardrailAlerts",
        "AWS::SNS::Topic",
        &json!({"TopicName": "guardrail-alerts"}),
    )?;
    let automation = Role::new(
        &stack,
        "GuardrailAutomation",
        RoleProps {
            assumed_by: vec![Principal::service("lambda.amazonaws.com")],
            description: Some("Reports guardrail findings".into()),
            ..Default::default()
        },
    )?;
    iam::grant_publish(&alerts, &automation)?;
    Ok(stack)
}

/// Builds the organization example app.
pub fn app() -> Result<App> {
    let app = App::new();
    management_stack(&app)?;
    Ok(app)
}
