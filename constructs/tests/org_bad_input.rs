//! Bad input to the organization and IAM constructs: a clear error naming the construct
//! path, and nothing written.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use cloudwright_constructs::iam::{PolicyDocument, PolicyStatement, Principal, Role, RoleProps};
use cloudwright_constructs::org::{
    Account, AccountProps, Organization, OrganizationProps, OrganizationalUnit, ServiceControlPolicy,
    ServiceControlPolicyProps,
};
use cloudwright_constructs::{Construct, Error};

mod support;
use support::{organization, problems};

fn scp(org: &Organization, id: &str, document: PolicyDocument, target: &OrganizationalUnit) -> ServiceControlPolicy {
    ServiceControlPolicy::new(org, id, ServiceControlPolicyProps { document, ..Default::default() }, &[target]).unwrap()
}

#[test]
fn scp_over_the_size_limit_names_size_and_statement() {
    let (app, _, org) = organization();
    let ou = OrganizationalUnit::new(&org, "Dev", Default::default()).unwrap();
    let statements = (0..60).map(|i| PolicyStatement {
        sid: Some(format!("Deny{i}")),
        ..PolicyStatement::deny(
            &["ec2:RunInstances", "ec2:StartInstances"],
            [format!("arn:aws:ec2:*:*:instance/i-{i:016}")],
        )
    });
    scp(&org, "Huge", PolicyDocument::new(statements), &ou);
    let problems = problems(&app);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let p = &problems[0];
    assert!(p.starts_with("Mgmt/Org/Huge: the policy is "), "{p}");
    // Sizes checked against Python's json.dumps(separators=(",", ":")) of the same document.
    assert!(
        p.contains(
            "is 8488 bytes of minified JSON, over the 5120 AWS allows; statement 36 (Deny36) takes it over the limit"
        ),
        "{p}"
    );
}

#[test]
fn sixth_scp_on_a_target() {
    let (app, _, org) = organization();
    let ou = OrganizationalUnit::new(&org, "Dev", Default::default()).unwrap();
    for i in 0..5 {
        scp(&org, &format!("P{i}"), PolicyDocument::new([PolicyStatement::deny(&[&format!("s{i}:*")], ["*"])]), &ou);
    }
    let problems = problems(&app);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].starts_with("Mgmt/Org: Mgmt/Org/Dev has 6 service control policies attached (Mgmt/Org/P0, Mgmt/Org/P1, Mgmt/Org/P2, Mgmt/Org/P3, Mgmt/Org/P4 plus FullAWSAccess); AWS allows 5 per target"),
        "{}",
        problems[0]
    );
}

#[test]
fn ou_nesting_too_deep() {
    let (_, _, org) = organization();
    let mut ou = OrganizationalUnit::new(&org, "L1", Default::default()).unwrap();
    for level in 2..=5 {
        ou = OrganizationalUnit::new(&ou, &format!("L{level}"), Default::default()).unwrap();
    }
    let err = OrganizationalUnit::new(&ou, "L6", Default::default()).err().unwrap();
    assert_eq!(
        err.to_string(),
        "Mgmt/Org/L1/L2/L3/L4/L5/L6: OUs nest at most 5 levels below the root; this one would be level 6: attach it to a higher OU"
    );
}

#[test]
fn duplicate_account_email() {
    let (app, _, org) = organization();
    let ou = OrganizationalUnit::new(&org, "Dev", Default::default()).unwrap();
    let props = |email: &str| AccountProps { email: Some(email.into()), ..Default::default() };
    Account::new(&ou, "A", props("team@example.com")).unwrap();
    Account::new(&ou, "B", props("Team@Example.com")).unwrap();
    let problems = problems(&app);
    assert_eq!(
        problems,
        [
            "Mgmt/Org: accounts Mgmt/Org/Dev/A and Mgmt/Org/Dev/B both use the email \"Team@Example.com\"; every AWS account needs its own email address"
        ]
    );
}

#[test]
fn malformed_account_id() {
    let (_, _, org) = organization();
    let ou = OrganizationalUnit::new(&org, "Dev", Default::default()).unwrap();
    let err = Account::new(&ou, "Dev", AccountProps { account_id: Some("20000000000".into()), ..Default::default() })
        .err()
        .unwrap();
    assert!(matches!(err, Error::InvalidAccount { .. }));
    assert!(err.to_string().starts_with("Mgmt/Org/Dev/Dev: account id \"20000000000\" is not 12 digits"), "{err}");
}

#[test]
fn action_without_service_prefix_principal_in_scp_and_empty_statements() {
    let (app, _, org) = organization();
    let ou = OrganizationalUnit::new(&org, "Dev", Default::default()).unwrap();
    scp(&org, "NoPrefix", PolicyDocument::new([PolicyStatement::deny(&["LeaveOrganization"], ["*"])]), &ou);
    let with_principal = PolicyStatement::deny(&["s3:*"], ["*"]).with_principal(Principal::Any);
    scp(&org, "WithPrincipal", PolicyDocument::new([with_principal]), &ou);
    scp(&org, "Empty", PolicyDocument::default(), &ou);
    let problems = problems(&app);
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(
        problems.iter().any(
            |p| p.starts_with("Mgmt/Org/NoPrefix: statement 0: action \"LeaveOrganization\" has no service prefix")
        )
    );
    assert!(problems.iter().any(|p| p.starts_with("Mgmt/Org/WithPrincipal: statement 0: has a Principal or NotPrincipal, which service control policies do not support")));
    assert!(problems.iter().any(|p| p == "Mgmt/Org/Empty: the policy has no statements; add at least one statement"));
}

#[test]
fn role_allowing_everything_needs_an_opt_in() {
    let (app, stack, _) = organization();
    let admin = |id: &str, allow_admin: bool| {
        let role = Role::new(
            &stack,
            id,
            RoleProps {
                assumed_by: vec![Principal::service("codebuild.amazonaws.com")],
                allow_admin,
                ..Default::default()
            },
        )
        .unwrap();
        role.add_to_policy(PolicyStatement::allow(&["*"], ["*"])).unwrap();
    };
    admin("Admin", false);
    admin("OptedIn", true);
    let problems = problems(&app);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].starts_with(
            "Mgmt/Admin: default policy: statement 0: allows every action (\"*\") on every resource (\"*\")"
        ),
        "{}",
        problems[0]
    );
}

#[test]
fn managed_policies_are_checked_and_attached() {
    use cloudwright_constructs::iam::{ManagedPolicy, ManagedPolicyProps};
    let (app, stack, _) = organization();
    let role = Role::new(
        &stack,
        "Worker",
        RoleProps { assumed_by: vec![Principal::service("ec2.amazonaws.com")], ..Default::default() },
    )
    .unwrap();
    let read = ManagedPolicy::new(
        &stack,
        "ReadConfig",
        ManagedPolicyProps {
            document: PolicyDocument::new([PolicyStatement::allow(
                &["ssm:GetParameter"],
                ["arn:aws:ssm:us-east-1:111111111111:parameter/app/*"],
            )]),
            ..Default::default()
        },
        &[&role],
    )
    .unwrap();
    assert_eq!(read.arn().to_json()["cw::ref"].as_array().map(Vec::len), Some(2));
    ManagedPolicy::new(
        &stack,
        "Everything",
        ManagedPolicyProps {
            document: PolicyDocument::new([PolicyStatement::allow(&["*"], ["*"])]),
            ..Default::default()
        },
        &[],
    )
    .unwrap();
    let problems = problems(&app);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(problems[0].starts_with("Mgmt/Everything: statement 0: allows every action"), "{}", problems[0]);
}

#[test]
fn failing_account_leaves_no_node_behind() {
    let (app, _, org) = organization();
    let ou = OrganizationalUnit::new(&org, "Dev", Default::default()).unwrap();
    // A malformed id, and a new account without an email: both refused before anything is added.
    let bad_id =
        AccountProps { account_id: Some("2000".into()), email: Some("dev@example.com".into()), ..Default::default() };
    assert!(matches!(Account::new(&ou, "BadId", bad_id), Err(Error::InvalidAccount { .. })));
    let err = Account::new(&ou, "NoEmail", AccountProps::default()).err().unwrap();
    assert!(err.to_string().starts_with("Mgmt/Org/Dev/NoEmail: a new account needs an email"), "{err}");
    assert!(ou.node().find_child("BadId").is_none() && ou.node().find_child("NoEmail").is_none());
    // A duplicate id fails too, and the first account stays the only one.
    Account::new(&ou, "Dev", AccountProps { account_id: Some("200000000000".into()), ..Default::default() }).unwrap();
    assert!(
        Account::new(&ou, "Dev", AccountProps { account_id: Some("200000000001".into()), ..Default::default() })
            .is_err()
    );
    assert_eq!(ou.node().children().len(), 1);
    // Nothing the failed calls did reaches the organization's checks (the refused email is not counted).
    Account::new(&ou, "Other", AccountProps { email: Some("dev@example.com".into()), ..Default::default() }).unwrap();
    assert!(app.assembly().is_ok());
}

#[test]
fn failing_ou_organization_and_scp_leave_no_node_behind() {
    let (app, stack, org) = organization();
    let mut ou = OrganizationalUnit::new(&org, "L1", Default::default()).unwrap();
    for level in 2..=5 {
        ou = OrganizationalUnit::new(&ou, &format!("L{level}"), Default::default()).unwrap();
    }
    assert!(OrganizationalUnit::new(&ou, "L6", Default::default()).is_err());
    assert!(ou.node().children().is_empty(), "no L6 under L5");
    assert!(OrganizationalUnit::new(&org, "L1", Default::default()).is_err());
    assert!(Organization::new(&stack, "Org", OrganizationProps::default()).is_err());
    let document = || PolicyDocument::new([PolicyStatement::deny(&["s3:*"], ["*"])]);
    scp(&org, "Policy", document(), &ou);
    let before = org.node().children().len();
    assert!(
        ServiceControlPolicy::new(
            &org,
            "Policy",
            ServiceControlPolicyProps { document: document(), ..Default::default() },
            &[&ou]
        )
        .is_err()
    );
    assert_eq!(org.node().children().len(), before);
    assert_eq!(stack.node().children().len(), 1, "only the organization");
    assert!(app.assembly().is_ok());
}

#[test]
fn failing_stack_set_leaves_no_node_behind() {
    use cloudwright_constructs::cfn::sns::{CfnTopic, CfnTopicProps};
    use cloudwright_constructs::stackset::{StackSet, StackSetProps};
    let (_, stack, _) = organization();
    let props = || StackSetProps {
        target_ous: vec![cloudwright_constructs::Expr::str("ou-ab12-34cd56ef")],
        regions: vec!["us-east-1".into()],
        ..Default::default()
    };
    // The template's own build fails: nothing is added to the management stack.
    let err = StackSet::new(&stack, "Baseline", props(), |template| {
        CfnTopic::new(template, "Alerts", CfnTopicProps::default())?;
        CfnTopic::new(template, "Alerts", CfnTopicProps::default())?;
        Ok(())
    })
    .err()
    .unwrap();
    assert!(
        err.to_string()
            .starts_with("Mgmt/Baseline: in the stack set template: Template/Alerts: duplicate construct id"),
        "{err}"
    );
    assert!(stack.node().find_child("Baseline").is_none());
}
