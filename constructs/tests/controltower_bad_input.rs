//! Bad input to the Control Tower constructs: a clear error naming the construct path (and
//! the OU's, where one is involved), a valid example where a shape is wrong, nothing written,
//! and no half-built node left by a constructor that fails.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use cloudwright_constructs::controltower::{
    ControlId, ControlTower, ControlTowerProps, EnabledBaseline, EnabledBaselineProps, EnabledControl,
    EnabledControlProps,
};
use cloudwright_constructs::org::{Organization, OrganizationProps, OrganizationalUnit};
use cloudwright_constructs::{App, Construct, Environment, Stack, StackProps};

mod support;
use support::{organization, problems};

const IDENTITY_CENTER: &str = "arn:aws:controltower:us-east-1:111111111111:enabledbaseline/XALULM96QHI525UOC";

fn control_tower(org: &Organization, props: ControlTowerProps) -> ControlTower {
    ControlTower::new(org, "ControlTower", props).unwrap()
}

fn with_identity_center() -> ControlTowerProps {
    ControlTowerProps { identity_center_enabled_baseline_arn: Some(IDENTITY_CENTER.into()), ..Default::default() }
}

fn control(control: ControlId) -> EnabledControlProps {
    EnabledControlProps { control, parameters: Vec::new() }
}

#[test]
fn control_on_an_unregistered_ou_names_both_paths() {
    let (app, stack, org) = organization();
    let registered = OrganizationalUnit::new(&org, "Registered", Default::default()).unwrap();
    let unregistered = OrganizationalUnit::new(&org, "Sandbox", Default::default()).unwrap();
    control_tower(&org, with_identity_center()).register(&registered).unwrap();
    EnabledControl::new(&stack, "SandboxSsh", &unregistered, control(ControlId::restricted_ssh())).unwrap();
    EnabledControl::new(&stack, "RegisteredSsh", &registered, control(ControlId::restricted_ssh())).unwrap();
    let problems = problems(&app);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].starts_with(
            "Mgmt/SandboxSsh: enables a control on Mgmt/Org/Sandbox, which is not registered with Control Tower"
        ),
        "{}",
        problems[0]
    );
    assert!(problems[0].contains("ControlTower::register(&ou)"), "{}", problems[0]);
}

#[test]
fn controls_enabled_before_the_registration_are_reported() {
    let (app, stack, org) = organization();
    let ou = OrganizationalUnit::new(&org, "Dev", Default::default()).unwrap();
    let controls = EnabledControl::enable_all(
        &stack,
        &ou,
        &[("RootKeys", ControlId::restrict_root_user_access_keys()), ("Ssh", ControlId::restricted_ssh())],
    )
    .unwrap();
    assert_eq!(controls.len(), 2);
    control_tower(&org, with_identity_center()).register(&ou).unwrap();
    let problems = problems(&app);
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems.iter().all(|p| p.contains("enables a control on Mgmt/Org/Dev, which is not registered")));
}

#[test]
fn malformed_control_identifiers_show_a_valid_example() {
    let (app, stack, org) = organization();
    let ou = OrganizationalUnit::new(&org, "Dev", Default::default()).unwrap();
    control_tower(&org, with_identity_center()).register(&ou).unwrap();
    let bad = [
        ("Lowercase", ControlId::named("aws-gr_restricted_ssh")),
        ("NotGr", ControlId::named("RESTRICTED_SSH")),
        ("CatalogUpper", ControlId::catalog("503UICG")),
        ("BadRegion", ControlId::arn("arn:aws:controltower:moon-1::control/AWS-GR_RESTRICTED_SSH")),
        ("NotAnArn", ControlId::arn("AWS-GR_RESTRICTED_SSH")),
    ];
    for (id, control_id) in bad {
        EnabledControl::new(&stack, id, &ou, control(control_id)).unwrap();
    }
    // The good forms pass.
    EnabledControl::new(&stack, "Catalog", &ou, control(ControlId::catalog("503uicglhjkokaajywfpt6ros"))).unwrap();
    EnabledControl::new(
        &stack,
        "Legacy",
        &ou,
        control(ControlId::arn("arn:aws:controltower:us-east-1::control/AWS-GR_RESTRICTED_SSH")),
    )
    .unwrap();
    let problems = problems(&app);
    assert_eq!(problems.len(), 5, "{problems:#?}");
    for (p, (id, given)) in problems.iter().zip([
        ("Lowercase", "aws-gr_restricted_ssh"),
        ("NotGr", "RESTRICTED_SSH"),
        ("CatalogUpper", "503UICG"),
        ("BadRegion", "arn:aws:controltower:moon-1::control/AWS-GR_RESTRICTED_SSH"),
        ("NotAnArn", "AWS-GR_RESTRICTED_SSH"),
    ]) {
        assert!(
            p.starts_with(&format!(
                "Mgmt/{id}: control identifier {given:?} is not a Control Tower control; use \
                 arn:aws:controlcatalog:::control/503uicglhjkokaajywfpt6ros, or the legacy \
                 arn:aws:controltower:us-east-1::control/AWS-GR_RESTRICT_ROOT_USER"
            )),
            "{p}"
        );
    }
}

#[test]
fn malformed_baseline_version_and_identifier() {
    let (app, stack, org) = organization();
    let ou = OrganizationalUnit::new(&org, "Dev", Default::default()).unwrap();
    let ct = control_tower(&org, ControlTowerProps { baseline_version: "four".into(), ..with_identity_center() });
    ct.register(&ou).unwrap();
    let other = OrganizationalUnit::new(&org, "Other", Default::default()).unwrap();
    EnabledBaseline::new(
        &stack,
        "Custom",
        &other,
        EnabledBaselineProps {
            baseline: cloudwright_constructs::controltower::BaselineId::arn(
                "arn:aws:controltower:us-east-1::baseline:17BSJV3IGJ2QSGA2",
            ),
            baseline_version: "4.0.1".into(),
            parameters: Vec::new(),
        },
    )
    .unwrap();
    let problems = problems(&app);
    assert_eq!(
        problems,
        [
            "Mgmt/Org/ControlTower/Dev: baseline version \"four\" is not a version; it looks like \"4.0\" (see https://docs.aws.amazon.com/controltower/latest/userguide/table-of-baselines.html)",
            "Mgmt/Custom: baseline identifier \"arn:aws:controltower:us-east-1::baseline:17BSJV3IGJ2QSGA2\" is not a Control Tower baseline; use its ARN, e.g. arn:aws:controltower:us-east-1::baseline/17BSJV3IGJ2QSGA2 (AWSControlTowerBaseline)",
            "Mgmt/Custom: baseline version \"4.0.1\" is not a version; it looks like \"4.0\" (see https://docs.aws.amazon.com/controltower/latest/userguide/table-of-baselines.html)",
        ]
    );
}

#[test]
fn identity_center_baseline_required_from_baseline_3() {
    let (app, _, org) = organization();
    let ou = OrganizationalUnit::new(&org, "Dev", Default::default()).unwrap();
    control_tower(&org, ControlTowerProps::default()).register(&ou).unwrap();
    let found = problems(&app);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with(
            "Mgmt/Org/ControlTower: the landing zone manages IAM Identity Center, so registering OUs with AWSControlTowerBaseline 4.0 needs the ARN of its IdentityCenterBaseline enabled baseline"
        ),
        "{}",
        found[0]
    );
    assert!(found[0].contains("baselineIdentifiers=arn:aws:controltower:<region>::baseline/LN25R72TTG6IGPTQ"));

    // A malformed ARN is named with an example.
    let (app, _, org) = organization();
    OrganizationalUnit::new(&org, "Dev", Default::default()).unwrap();
    control_tower(
        &org,
        ControlTowerProps {
            identity_center_enabled_baseline_arn: Some("XALULM96QHI525UOC".into()),
            ..Default::default()
        },
    );
    let problems = problems(&app);
    assert_eq!(
        problems,
        [
            "Mgmt/Org/ControlTower: identity center enabled baseline \"XALULM96QHI525UOC\" is not an enabled baseline ARN; it looks like arn:aws:controltower:us-east-1:111111111111:enabledbaseline/XALULM96QHI525UOC"
        ]
    );
}

#[test]
fn control_tower_on_an_organization_the_app_creates() {
    let app = App::new();
    let stack = Stack::new(
        &app,
        "Mgmt",
        StackProps { env: Environment::new("111111111111", "us-east-1"), ..Default::default() },
    )
    .unwrap();
    let org = Organization::new(&stack, "Org", OrganizationProps::default()).unwrap();
    control_tower(&org, with_identity_center());
    let problems = problems(&app);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].starts_with(
            "Mgmt/Org/ControlTower: Mgmt/Org creates a new organization, but Control Tower governs the organization it set up: refer to that one by its root id"
        ),
        "{}",
        problems[0]
    );
}

#[test]
fn failing_constructors_leave_no_node_behind() {
    let (app, stack, org) = organization();
    let ou = OrganizationalUnit::new(&org, "Dev", Default::default()).unwrap();
    let ct = control_tower(&org, with_identity_center());
    ct.register(&ou).unwrap();
    let children = |c: &dyn Construct| c.node().children().len();
    let (in_ct, in_stack, in_org) = (children(&ct), children(&stack), children(&org));

    // Registering an OU twice, a second Control Tower, duplicate control ids: all fail.
    assert!(ct.register(&ou).is_err());
    assert!(ControlTower::new(&org, "ControlTower", with_identity_center()).is_err());
    EnabledControl::new(&stack, "Ssh", &ou, control(ControlId::restricted_ssh())).unwrap();
    let in_stack = in_stack + 1;
    assert!(EnabledControl::new(&stack, "Ssh", &ou, control(ControlId::restricted_ssh())).is_err());
    assert!(
        EnabledControl::enable_all(
            &stack,
            &ou,
            &[("Fresh", ControlId::restricted_ssh()), ("Ssh", ControlId::restricted_ssh())]
        )
        .is_err()
    );
    assert!(
        EnabledControl::enable_all(
            &stack,
            &ou,
            &[("Twice", ControlId::restricted_ssh()), ("Twice", ControlId::restricted_ssh())]
        )
        .is_err()
    );
    assert!(EnabledBaseline::new(&stack, "Ssh", &ou, EnabledBaselineProps::default()).is_err(), "duplicate id");
    assert_eq!((children(&ct), children(&stack), children(&org)), (in_ct, in_stack, in_org));
    // What was built still synthesizes.
    assert!(app.assembly().is_ok());
}
