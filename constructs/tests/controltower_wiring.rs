//! What Control Tower needs to deploy: OUs registered with `AWSControlTowerBaseline` (naming
//! the Identity Center baseline when the landing zone manages it), one registration at a
//! time, controls after their OU's registration and one after the other, and a landing zone
//! that is imported (retained), never created.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use cloudwright_constructs::App;
use cloudwright_constructs::controltower::{
    ControlId, ControlTower, ControlTowerProps, EnabledControl, EnabledControlProps, LandingZoneProps,
};
use cloudwright_constructs::org::{Account, AccountProps, OrganizationalUnit};
use serde_json::{Value, json};

mod support;
use support::organization;

const IDENTITY_CENTER: &str = "arn:aws:controltower:us-east-1:111111111111:enabledbaseline/XALULM96QHI525UOC";

fn template(app: &App) -> Value {
    app.assembly().unwrap().template("Mgmt").unwrap()
}

fn of_type<'a>(t: &'a Value, kind: &str) -> Vec<(&'a String, &'a Value)> {
    t["Resources"].as_object().unwrap().iter().filter(|(_, r)| r["Type"] == kind).collect()
}

#[test]
fn registrations_then_controls_in_order() {
    let (app, stack, org) = organization();
    let dev = OrganizationalUnit::new(&org, "Dev", Default::default()).unwrap();
    let apps = OrganizationalUnit::new(&dev, "Apps", Default::default()).unwrap();
    let ct = ControlTower::new(
        &org,
        "ControlTower",
        ControlTowerProps { identity_center_enabled_baseline_arn: Some(IDENTITY_CENTER.into()), ..Default::default() },
    )
    .unwrap();
    let dev_registration = ct.register(&dev).unwrap();
    let apps_registration = ct.register(&apps).unwrap();
    EnabledControl::enable_all(
        &stack,
        &apps,
        &[
            ("AppsRootKeys", ControlId::restrict_root_user_access_keys()),
            ("AppsCatalog", ControlId::catalog("503uicglhjkokaajywfpt6ros")),
        ],
    )
    .unwrap();

    let t = template(&app);
    let dev_id = dev_registration.resource().logical_id();
    let apps_id = apps_registration.resource().logical_id();
    // Nested OUs get a registration named for their path below the organization.
    assert!(apps_id.starts_with("OrgControlTowerDevApps"), "{apps_id}");
    let registrations = of_type(&t, "AWS::ControlTower::EnabledBaseline");
    assert_eq!(registrations.len(), 2);
    let apps_reg = &t["Resources"][&apps_id];
    assert_eq!(apps_reg["Properties"]["BaselineVersion"], "4.0");
    assert_eq!(
        apps_reg["Properties"]["BaselineIdentifier"]["Fn::Join"][1][4], "::baseline/17BSJV3IGJ2QSGA2",
        "AWSControlTowerBaseline"
    );
    assert_eq!(
        apps_reg["Properties"]["Parameters"],
        json!([{"Key": "IdentityCenterEnabledBaselineArn", "Value": IDENTITY_CENTER}])
    );
    assert_eq!(
        apps_reg["Properties"]["TargetIdentifier"],
        json!({"Fn::GetAtt": [apps.resource().logical_id(), "Arn"]})
    );
    // One Control Tower operation at a time: the second registration waits for the first.
    assert_eq!(apps_reg["DependsOn"], json!([dev_id]));
    assert!(t["Resources"][&dev_id].get("DependsOn").is_none());

    // Controls: after the OU's registration (the OU itself through the ARN they target),
    // and one after the other.
    let first = &t["Resources"]["AppsRootKeys"];
    assert_eq!(first["DependsOn"], json!([apps_id]));
    assert_eq!(first["Properties"]["TargetIdentifier"]["Fn::GetAtt"][0], apps.resource().logical_id());
    let second = &t["Resources"]["AppsCatalog"];
    assert_eq!(second["DependsOn"], json!([apps_id, "AppsRootKeys"]));
    assert_eq!(
        second["Properties"]["ControlIdentifier"],
        json!({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":controlcatalog:::control/503uicglhjkokaajywfpt6ros"]]})
    );
    // The landing zone is Control Tower's: not declared.
    assert!(of_type(&t, "AWS::ControlTower::LandingZone").is_empty());
    assert!(of_type(&t, "AWS::Organizations::Organization").is_empty());
}

#[test]
fn baseline_version_is_a_prop_and_identity_center_is_optional() {
    let (app, _, org) = organization();
    let ou = OrganizationalUnit::new(&org, "Dev", Default::default()).unwrap();
    let ct = ControlTower::new(
        &org,
        "ControlTower",
        ControlTowerProps {
            landing_zone_version: "3.2".into(),
            baseline_version: "3.0".into(),
            identity_center: false,
            ..Default::default()
        },
    )
    .unwrap();
    let registration = ct.register(&ou).unwrap();
    let t = template(&app);
    let r = &t["Resources"][registration.resource().logical_id()];
    assert_eq!(r["Properties"]["BaselineVersion"], "3.0");
    assert!(r["Properties"].get("Parameters").is_none(), "{r}");
}

#[test]
fn a_managed_landing_zone_is_imported_and_retained() {
    let (app, _, org) = organization();
    let log_archive = Account::new(
        &org,
        "LogArchive",
        AccountProps { account_id: Some("111111111112".into()), ..Default::default() },
    )
    .unwrap();
    let audit =
        Account::new(&org, "Audit", AccountProps { account_id: Some("111111111113".into()), ..Default::default() })
            .unwrap();
    let ou = OrganizationalUnit::new(&org, "Dev", Default::default()).unwrap();
    let ct = ControlTower::new(
        &org,
        "ControlTower",
        ControlTowerProps {
            identity_center_enabled_baseline_arn: Some(IDENTITY_CENTER.into()),
            landing_zone: Some(LandingZoneProps {
                version: "3.3".into(),
                governed_regions: vec!["us-east-1".into(), "us-west-2".into()],
                security_ou_name: "Security".into(),
                sandbox_ou_name: None,
                log_archive_account: log_archive,
                audit_account: audit,
                logging_retention_days: 365,
                access_logging_retention_days: 3650,
                kms_key_arn: None,
                access_management: true,
            }),
            ..Default::default()
        },
    )
    .unwrap();
    ct.register(&ou).unwrap();
    let t = template(&app);
    let zones = of_type(&t, "AWS::ControlTower::LandingZone");
    assert_eq!(zones.len(), 1);
    let (id, zone) = zones[0];
    assert_eq!(id, &ct.landing_zone().unwrap().resource().logical_id());
    assert_eq!(zone["DeletionPolicy"], "Retain");
    assert_eq!(zone["UpdateReplacePolicy"], "Retain");
    assert_eq!(zone["Properties"]["Version"], "3.3");
    assert_eq!(
        zone["Properties"]["Manifest"],
        json!({
            "governedRegions": ["us-east-1", "us-west-2"],
            "organizationStructure": {"security": {"name": "Security"}},
            "centralizedLogging": {
                "accountId": "111111111112",
                "configurations": {"loggingBucket": {"retentionDays": 365}, "accessLoggingBucket": {"retentionDays": 3650}},
                "enabled": true
            },
            "securityRoles": {"accountId": "111111111113"},
            "accessManagement": {"enabled": true}
        })
    );
}

#[test]
fn control_parameters_are_typed_key_values() {
    let (app, stack, org) = organization();
    let ou = OrganizationalUnit::new(&org, "Dev", Default::default()).unwrap();
    ControlTower::new(
        &org,
        "ControlTower",
        ControlTowerProps { identity_center_enabled_baseline_arn: Some(IDENTITY_CENTER.into()), ..Default::default() },
    )
    .unwrap()
    .register(&ou)
    .unwrap();
    let control = EnabledControl::new(
        &stack,
        "Regions",
        &ou,
        EnabledControlProps {
            control: ControlId::catalog("dvuaav61i5cnfazfelmvn9m6k"),
            parameters: vec![("AllowedRegions".into(), json!(["us-east-1"]))],
        },
    )
    .unwrap();
    let t = template(&app);
    assert_eq!(
        t["Resources"][control.resource().logical_id()]["Properties"]["Parameters"],
        json!([{"Key": "AllowedRegions", "Value": ["us-east-1"]}])
    );
}

#[test]
fn control_tower_operations_never_overlap_a_registration() {
    let (app, stack, org) = organization();
    let [a, b, c] = ["A", "B", "C"].map(|id| OrganizationalUnit::new(&org, id, Default::default()).unwrap());
    let ct = ControlTower::new(
        &org,
        "ControlTower",
        ControlTowerProps { identity_center_enabled_baseline_arn: Some(IDENTITY_CENTER.into()), ..Default::default() },
    )
    .unwrap();
    let [reg_a, reg_b] = [&a, &b].map(|ou| ct.register(ou).unwrap().resource().logical_id());
    let on = |ou: &OrganizationalUnit, id: &str| {
        EnabledControl::new(
            &stack,
            id,
            ou,
            EnabledControlProps { control: ControlId::restricted_ssh(), parameters: vec![] },
        )
        .unwrap();
    };
    on(&a, "ASsh");
    on(&b, "BSsh");
    let reg_c = ct.register(&c).unwrap().resource().logical_id();
    on(&c, "CSsh");
    let t = template(&app);
    let depends = |id: &str| t["Resources"][id]["DependsOn"].clone();
    // A's control waits for its own registration and for B's, declared after it.
    assert_eq!(depends("ASsh"), json!([reg_a, reg_b]));
    assert_eq!(depends("BSsh"), json!([reg_b]));
    // C's registration waits for the last registration and the controls enabled since.
    assert_eq!(depends(&reg_c), json!([reg_b, "ASsh", "BSsh"]));
    assert_eq!(depends("CSsh"), json!([reg_c]));
}
