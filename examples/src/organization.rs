//! The seed design's organization, as the management account deploys it.
//!
//! The management account (111111111111) holds the organization: Development, Test and
//! Production OUs with one workload account each. Guardrails come in three layers:
//!
//! 1. Service control policies. Development may not author AWS Proton templates (the seed
//!    blog's `AWS-Proton-Blocker`), so only the management account does, while Proton may
//!    still deploy there through the environment account connection; every OU is held to
//!    two regions; no account may leave the organization or touch the roles and trails
//!    Control Tower manages.
//! 2. Control Tower: the organization and its landing zone are Control Tower's (referred to,
//!    not declared); each workload OU is registered with it (`AWSControlTowerBaseline`),
//!    then gets its controls (root user, SSH, public buckets), one after the other.
//! 3. A stack set that gives every workload account the same audit role, including
//!    accounts that join the OUs later.

use cloudwright_constructs::cfn::sns::{CfnTopic, CfnTopicProps};
use cloudwright_constructs::controltower::{ControlId, ControlTower, ControlTowerProps, EnabledControl};
use cloudwright_constructs::iam::{Condition, Operator, Principal, Role, RoleProps};
use cloudwright_constructs::org::{
    Account, AccountProps, Organization, OrganizationProps, OrganizationalUnit, OrganizationalUnitProps, PolicyTarget,
    ServiceControlPolicy, ServiceControlPolicyProps, library,
};
use cloudwright_constructs::sns::ITopic;
use cloudwright_constructs::stackset::{StackSet, StackSetProps};
use cloudwright_constructs::{App, Construct, Environment, Expr, Result, Stack, StackProps};

/// Context key of the organization's root id (`aws organizations list-roots`).
pub const ROOT_ID_CONTEXT: &str = "organizationRootId";
/// Context key of the ARN of the landing zone's `IdentityCenterBaseline` enabled baseline,
/// which OU registrations name (`aws controltower list-enabled-baselines`).
pub const IDENTITY_CENTER_BASELINE_CONTEXT: &str = "identityCenterEnabledBaselineArn";
/// The sample id AWS's Control Tower documentation uses: the default synth and the
/// snapshots use it, named in a warning, until the context gives the live one.
const SAMPLE_BASELINE_ID: &str = "XALULM96QHI525UOC";

/// Who is who in the organization: the reference layout by default; tests vary it.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The management account.
    pub management_account: String,
    /// Each workload OU with its account's construct id and account id.
    pub workloads: Vec<(String, String, String)>,
    /// The regions the organization may use; the first is where everything runs.
    pub regions: Vec<String>,
}

impl Default for Layout {
    fn default() -> Self {
        let w = |ou: &str, name: &str, id: &str| (ou.to_owned(), name.to_owned(), id.to_owned());
        Layout {
            management_account: "111111111111".into(),
            workloads: vec![
                w("Development", "Dev", "200000000000"),
                w("Test", "Test", "200000000001"),
                w("Production", "Prod", "200000000002"),
            ],
            regions: vec!["us-east-1".into(), "us-west-2".into()],
        }
    }
}

impl Layout {
    /// The layout with each account id taken from the app's context when set
    /// (`managementAccountId`, `devAccountId`, ...): the ids here are samples that exist in
    /// no organization, declared as such ([`App::context_or_sample`]).
    pub fn with_context(&self, app: &App) -> Layout {
        let key = |name: &str| {
            let mut chars = name.chars();
            let first = chars.next().map(|c| c.to_ascii_lowercase().to_string()).unwrap_or_default();
            format!("{first}{}AccountId", chars.as_str())
        };
        Layout {
            management_account: app.context_or_sample(&key("Management"), &self.management_account),
            workloads: self
                .workloads
                .iter()
                .map(|(ou, name, id)| (ou.clone(), name.clone(), app.context_or_sample(&key(name), id)))
                .collect(),
            regions: self.regions.clone(),
        }
    }

    /// The home region.
    pub fn region(&self) -> &str {
        self.regions.first().map_or("us-east-1", String::as_str)
    }
}

/// Builds the management stack of the organization into `app`.
pub fn management_stack(app: &App, layout: &Layout) -> Result<Stack> {
    let stack = Stack::new(
        app,
        "Management",
        StackProps {
            env: Environment::new(&layout.management_account, layout.region()),
            description: Some("Organization, guardrails and baselines of the management account".into()),
            termination_protection: true,
            ..Default::default()
        },
    )?;
    // The organization already exists (Control Tower set it up): refer to its root.
    let org = Organization::new(
        &stack,
        "Organization",
        OrganizationProps { root_id: Some(app.context_or_sample(ROOT_ID_CONTEXT, "r-a1b2")), ..Default::default() },
    )?;

    // The landing zone's shared accounts, in the Security OU Control Tower manages.
    for (name, key, sample) in
        [("LogArchive", "logArchiveAccountId", "111111111112"), ("Audit", "auditAccountId", "111111111113")]
    {
        let account_id = app.context_or_sample(key, sample);
        Account::new(&org, name, AccountProps { account_id: Some(account_id), ..Default::default() })?;
    }

    let mut ous = Vec::new();
    for (name, account, account_id) in &layout.workloads {
        let ou = OrganizationalUnit::new(&org, name, OrganizationalUnitProps::default())?;
        Account::new(&ou, account, AccountProps { account_id: Some(account_id.clone()), ..Default::default() })?;
        ous.push(ou);
    }

    // The landing zone is Control Tower's too (not declared here); the workload OUs are
    // registered with it, one after the other, before any control is enabled on them.
    let control_tower = ControlTower::new(
        &org,
        "ControlTower",
        ControlTowerProps {
            identity_center_enabled_baseline_arn: Some(app.context_or_sample(
                IDENTITY_CENTER_BASELINE_CONTEXT,
                &format!(
                    "arn:aws:controltower:{}:{}:enabledbaseline/{SAMPLE_BASELINE_ID}",
                    layout.region(),
                    layout.management_account
                ),
            )),
            ..Default::default()
        },
    )?;
    for ou in &ous {
        control_tower.register(ou)?;
    }
    let workload: Vec<&dyn PolicyTarget> = ous.iter().map(|ou| ou as &dyn PolicyTarget).collect();
    // The first workload OU is Development: no Proton template authoring there.
    let development: Vec<&dyn PolicyTarget> = workload.iter().take(1).copied().collect();

    ServiceControlPolicy::new(
        &org,
        "ProtonBlocker",
        ServiceControlPolicyProps {
            name: Some("AWS-Proton-Blocker".into()),
            description: Some("Only the management account authors Proton templates".into()),
            document: library::deny_proton_template_authoring(),
        },
        &development,
    )?;
    ServiceControlPolicy::new(
        &org,
        "RegionRestriction",
        ServiceControlPolicyProps {
            description: Some("Workloads run in the two approved regions".into()),
            document: library::restrict_regions(&layout.regions.iter().map(String::as_str).collect::<Vec<_>>()),
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
            regions: vec![layout.region().to_owned()],
            ..Default::default()
        },
        |template| {
            Role::new(
                template,
                "PlatformAudit",
                RoleProps {
                    role_name: Some("platform-audit".into()),
                    description: Some("Read-only access for the platform team".into()),
                    assumed_by: vec![Principal::account(&layout.management_account)],
                    // Only the platform team's Identity Center permission set in the
                    // management account, not every principal there that may assume roles.
                    trust_conditions: vec![Condition::new(
                        Operator::arn_like(),
                        "aws:PrincipalArn",
                        [Expr::sub(format!(
                            "arn:${{AWS::Partition}}:iam::{}:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_PlatformAudit_*",
                            layout.management_account
                        ))],
                    )],
                    managed_policy_arns: vec![Expr::sub("arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess")],
                    ..Default::default()
                },
            )?;
            Ok(())
        },
    )?;

    // Guardrail findings go to one topic; the platform's automation role may publish to it.
    let alerts_props = CfnTopicProps {
        topic_name: Some("guardrail-alerts".into()),
        // Encrypted at rest with SNS's AWS managed key: the publisher is a role of this
        // account, whose identity policy the key policy honours.
        kms_master_key_id: Some("alias/aws/sns".into()),
        ..Default::default()
    };
    let alerts = CfnTopic::new(&stack, "GuardrailAlerts", alerts_props)?;
    let automation = Role::new(
        &stack,
        "GuardrailAutomation",
        RoleProps {
            assumed_by: vec![Principal::service("lambda.amazonaws.com")],
            description: Some("Reports guardrail findings".into()),
            ..Default::default()
        },
    )?;
    alerts.grant_publish(&automation)?;
    Ok(stack)
}

/// Builds the organization example app.
pub fn app() -> Result<App> {
    let app = App::new();
    management_stack(&app, &Layout::default().with_context(&app))?;
    Ok(app)
}
