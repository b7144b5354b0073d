//! Service control policies: typed documents, attached to the root, OUs or accounts,
//! checked against the limits AWS enforces; and a library of common policies.

use cloudwright_core::{CfnResource, Construct, Node, Result};
use serde_json::json;

use super::{Organization, PolicyTarget};
use crate::iam::{PolicyDocument, PolicyKind};

/// The largest SCP document AWS accepts, in bytes of the stored (minified) JSON.
pub const SCP_MAX_BYTES: usize = 5120;
/// How many SCPs may be attached to one target, `FullAWSAccess` included.
pub const SCP_MAX_PER_TARGET: usize = 5;

/// Properties of a [`ServiceControlPolicy`].
#[derive(Debug, Clone, Default)]
pub struct ServiceControlPolicyProps {
    /// The policy's name; the construct id when `None`.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// The policy.
    pub document: PolicyDocument,
}

/// A service control policy of an organization.
#[derive(Clone)]
pub struct ServiceControlPolicy {
    resource: CfnResource,
    org: Organization,
}

impl Construct for ServiceControlPolicy {
    fn node(&self) -> &Node {
        self.resource.node()
    }
}

impl ServiceControlPolicy {
    /// Defines a policy in the organization and attaches it to `targets`.
    pub fn new(
        org: &Organization,
        id: &str,
        props: ServiceControlPolicyProps,
        targets: &[&dyn PolicyTarget],
    ) -> Result<Self> {
        let document = props.document.minimized();
        let mut body = json!({
            "Name": props.name.clone().unwrap_or_else(|| id.to_owned()),
            "Type": "SERVICE_CONTROL_POLICY",
            "Content": document.to_json(),
            "TargetIds": [],
        });
        if let (Some(d), Some(map)) = (&props.description, body.as_object_mut()) {
            map.insert("Description".into(), json!(d));
        }
        let resource = CfnResource::from_json(org, id, "AWS::Organizations::Policy", body)?;
        resource.node().set_fqn("cloudwright.org.ServiceControlPolicy");
        resource.set_tag_format(cloudwright_core::TagFormat::Standard);
        resource.node().add_validation(move |_| scp_problems(&document));
        let policy = ServiceControlPolicy { resource, org: org.clone() };
        for target in targets {
            policy.attach(*target);
        }
        Ok(policy)
    }

    /// Attaches the policy to another target.
    pub fn attach(&self, target: &dyn PolicyTarget) {
        let mut ids = match self.resource.property("TargetIds") {
            Some(serde_json::Value::Array(ids)) => ids,
            _ => Vec::new(),
        };
        ids.push(target.target_id().to_json());
        self.resource.set_property("TargetIds", ids);
        self.org.state.borrow_mut().attachments.push((target.node().path(), self.node().path()));
    }

    /// The policy's id (`p-...`).
    pub fn policy_id(&self) -> cloudwright_core::Expr {
        self.resource.get_att("Id")
    }
}

/// Grammar and size checks; the size message names the statement that crossed the limit.
fn scp_problems(document: &PolicyDocument) -> Vec<String> {
    let mut problems = document.validate(PolicyKind::ServiceControl, false);
    let size = document.to_minified_string().len();
    if size > SCP_MAX_BYTES {
        let mut prefix = PolicyDocument::default();
        let mut culprit = 0;
        for (i, s) in document.statements.iter().enumerate() {
            prefix.add_statement(s.clone());
            if prefix.to_minified_string().len() > SCP_MAX_BYTES {
                culprit = i;
                break;
            }
        }
        let sid =
            document.statements.get(culprit).and_then(|s| s.sid.clone()).map(|s| format!(" ({s})")).unwrap_or_default();
        problems.push(format!(
            "the policy is {size} bytes of minified JSON, over the {SCP_MAX_BYTES} AWS allows; statement {culprit}{sid} takes it over the limit: split the policy or shorten its action lists with wildcards"
        ));
    }
    problems
}

/// Common service control policies, as documents ready for [`ServiceControlPolicyProps`].
pub mod library {
    use cloudwright_core::Expr;

    use crate::iam::{Condition, Operator, PolicyDocument, PolicyStatement};

    /// The seed's `AWS-Proton-Blocker`: no Proton at all (so only the management account
    /// authors templates).
    pub fn deny_proton() -> PolicyDocument {
        PolicyDocument::new([PolicyStatement {
            sid: Some("Statement1".into()),
            ..PolicyStatement::deny(&["proton:*"], ["*"])
        }])
    }

    /// Denies leaving the organization.
    pub fn deny_leaving_organization() -> PolicyDocument {
        PolicyDocument::new([PolicyStatement {
            sid: Some("DenyLeavingOrganization".into()),
            ..PolicyStatement::deny(&["organizations:LeaveOrganization"], ["*"])
        }])
    }

    /// Global services whose calls land in us-east-1 whatever region is used; exempt
    /// from region restrictions (the list AWS documents for the region-deny example).
    pub const GLOBAL_SERVICE_ACTIONS: &[&str] = &[
        "a4b:*",
        "acm:*",
        "aws-marketplace-management:*",
        "aws-marketplace:*",
        "aws-portal:*",
        "budgets:*",
        "ce:*",
        "chime:*",
        "cloudfront:*",
        "config:*",
        "cur:*",
        "directconnect:*",
        "ec2:DescribeRegions",
        "ec2:DescribeTransitGateways",
        "ec2:DescribeVpnGateways",
        "fms:*",
        "globalaccelerator:*",
        "health:*",
        "iam:*",
        "importexport:*",
        "kms:*",
        "mobileanalytics:*",
        "networkmanager:*",
        "organizations:*",
        "pricing:*",
        "route53:*",
        "route53domains:*",
        "route53-recovery-cluster:*",
        "route53-recovery-control-config:*",
        "route53-recovery-readiness:*",
        "s3:GetAccountPublic*",
        "s3:ListAllMyBuckets",
        "s3:ListMultiRegionAccessPoints",
        "s3:PutAccountPublic*",
        "shield:*",
        "sts:*",
        "support:*",
        "trustedadvisor:*",
        "waf-regional:*",
        "waf:*",
        "wafv2:*",
        "wellarchitected:*",
    ];

    /// Denies every action outside `regions`, except global services and the Control
    /// Tower execution role.
    pub fn restrict_regions(regions: &[&str]) -> PolicyDocument {
        PolicyDocument::new([PolicyStatement {
            sid: Some("DenyOutsideAllowedRegions".into()),
            effect: crate::iam::Effect::Deny,
            not_actions: GLOBAL_SERVICE_ACTIONS.iter().map(|a| (*a).to_owned()).collect(),
            resources: vec![Expr::str("*")],
            conditions: vec![
                Condition::new(Operator::string_not_equals(), "aws:RequestedRegion", regions.iter().copied()),
                Condition::new(
                    Operator::arn_not_like(),
                    "aws:PrincipalARN",
                    ["arn:aws:iam::*:role/AWSControlTowerExecution"],
                ),
            ],
            ..Default::default()
        }])
    }

    /// Protects the roles and resources Control Tower manages from everyone but Control Tower.
    pub fn protect_control_tower() -> PolicyDocument {
        let not_control_tower = Condition::new(
            Operator::arn_not_like(),
            "aws:PrincipalARN",
            ["arn:aws:iam::*:role/AWSControlTowerExecution"],
        );
        PolicyDocument::new([
            PolicyStatement {
                sid: Some("ProtectControlTowerRoles".into()),
                ..PolicyStatement::deny(
                    &[
                        "iam:AttachRolePolicy",
                        "iam:CreateRole",
                        "iam:DeleteRole",
                        "iam:DeleteRolePermissionsBoundary",
                        "iam:DeleteRolePolicy",
                        "iam:DetachRolePolicy",
                        "iam:PutRolePermissionsBoundary",
                        "iam:PutRolePolicy",
                        "iam:UpdateAssumeRolePolicy",
                        "iam:UpdateRole",
                        "iam:UpdateRoleDescription",
                    ],
                    ["arn:aws:iam::*:role/aws-controltower-*", "arn:aws:iam::*:role/*AWSControlTower*"],
                )
            }
            .with_condition(not_control_tower.clone()),
            PolicyStatement {
                sid: Some("ProtectControlTowerResources".into()),
                ..PolicyStatement::deny(
                    &[
                        "cloudtrail:DeleteTrail",
                        "cloudtrail:StopLogging",
                        "cloudtrail:UpdateTrail",
                        "config:Delete*",
                        "config:Stop*",
                        "logs:DeleteLogGroup",
                        "sns:DeleteTopic",
                        "lambda:DeleteFunction",
                    ],
                    [
                        "arn:aws:cloudtrail:*:*:trail/aws-controltower-*",
                        "arn:aws:config:*:*:config-rule/aws-controltower-*",
                        "arn:aws:logs:*:*:log-group:*aws-controltower*",
                        "arn:aws:sns:*:*:aws-controltower-*",
                        "arn:aws:lambda:*:*:function:aws-controltower-*",
                    ],
                )
            }
            .with_condition(not_control_tower),
        ])
    }

    /// Denies everything to the root user of member accounts.
    pub fn deny_root_user() -> PolicyDocument {
        PolicyDocument::new([PolicyStatement {
            sid: Some("DenyRootUser".into()),
            ..PolicyStatement::deny(&["*"], ["*"])
        }
        .with_condition(Condition::new(Operator::arn_like(), "aws:PrincipalArn", ["arn:aws:iam::*:root"]))])
    }
}
