//! Service control policies: typed documents, attached to the root, OUs or accounts,
//! checked against the limits AWS enforces; and a library of common policies.

use cloudwright_core::{Construct, Node, Result, Value};

use super::{Organization, PolicyTarget};
use crate::cfn::organizations::policy::Type;
use crate::cfn::organizations::{CfnPolicy, CfnPolicyProps};
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
    resource: CfnPolicy,
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
        let resource = CfnPolicy::new(
            org,
            id,
            CfnPolicyProps {
                description: props.description.as_deref().map(Into::into),
                target_ids: Some(targets.iter().map(|t| Value::from(t.target_id())).collect()),
                ..CfnPolicyProps::new(
                    document.to_json(),
                    props.name.as_deref().unwrap_or(id),
                    Type::ServiceControlPolicy,
                )
            },
        )?;
        resource.node().set_fqn("cloudwright.org.ServiceControlPolicy");
        resource.node().add_validation(move |_| scp_problems(&document));
        let policy = ServiceControlPolicy { resource, org: org.clone() };
        for target in targets {
            policy.record_attachment(*target);
        }
        Ok(policy)
    }

    /// Attaches the policy to another target.
    pub fn attach(&self, target: &dyn PolicyTarget) {
        // The ids as the tree holds them (references included), each kept as it is.
        let mut ids: Vec<Value<String>> = match self.resource.property(CfnPolicyProps::TARGET_IDS.name()) {
            Some(serde_json::Value::Array(ids)) => ids.into_iter().map(|id| Value::Expr(id.into())).collect(),
            _ => Vec::new(),
        };
        ids.push(target.target_id().into());
        self.resource.set(CfnPolicyProps::TARGET_IDS, ids);
        self.record_attachment(target);
    }

    /// Counts the attachment towards the target's limit of SCPs.
    fn record_attachment(&self, target: &dyn PolicyTarget) {
        self.org.state.borrow_mut().attachments.push((target.node().path(), self.node().path()));
    }

    /// The policy's id (`p-...`).
    pub fn policy_id(&self) -> cloudwright_core::Expr {
        self.resource.attr_id()
    }

    /// The `AWS::Organizations::Policy` it wraps.
    pub fn resource(&self) -> &CfnPolicy {
        &self.resource
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

    /// The Proton actions that author templates: environment and service templates, their
    /// versions (the deprecated major/minor version actions included, by the trailing
    /// wildcard) and template sync configurations (the seed's denied
    /// `proton:GetTemplateSyncConfig` is one). No pattern reaches environments, services,
    /// their instances or the `*EnvironmentAccountConnection*` actions.
    /// Actions: <https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsproton.html>,
    /// <https://docs.aws.amazon.com/proton/latest/APIReference/API_Operations.html>.
    pub const PROTON_TEMPLATE_AUTHORING_ACTIONS: &[&str] = &[
        "proton:CreateEnvironmentTemplate*",
        "proton:UpdateEnvironmentTemplate*",
        "proton:DeleteEnvironmentTemplate*",
        "proton:CreateServiceTemplate*",
        "proton:UpdateServiceTemplate*",
        "proton:DeleteServiceTemplate*",
        "proton:*TemplateSyncConfig",
    ];

    /// The seed's `AWS-Proton-Blocker`, scoped to what it is for: the account may not author
    /// Proton templates (only the management account does), while the environment account
    /// connection and the environments and services Proton deploys into it keep working.
    /// Denying `proton:*` would deny the connection Proton mode needs in that account.
    pub fn deny_proton_template_authoring() -> PolicyDocument {
        PolicyDocument::new([PolicyStatement {
            sid: Some("DenyProtonTemplateAuthoring".into()),
            ..PolicyStatement::deny(PROTON_TEMPLATE_AUTHORING_ACTIONS, ["*"])
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

    use super::library::{PROTON_TEMPLATE_AUTHORING_ACTIONS, deny_proton_template_authoring};
    use super::{SCP_MAX_BYTES, scp_problems};

    /// Every action of the `proton` prefix, as the Service Authorization Reference lists them
    /// (<https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsproton.html>).
    const PROTON_ACTIONS: &[&str] = &[
        "AcceptEnvironmentAccountConnection",
        "CancelComponentDeployment",
        "CancelEnvironmentDeployment",
        "CancelServiceInstanceDeployment",
        "CancelServicePipelineDeployment",
        "CreateComponent",
        "CreateEnvironment",
        "CreateEnvironmentAccountConnection",
        "CreateEnvironmentTemplate",
        "CreateEnvironmentTemplateMajorVersion",
        "CreateEnvironmentTemplateMinorVersion",
        "CreateEnvironmentTemplateVersion",
        "CreateRepository",
        "CreateService",
        "CreateServiceInstance",
        "CreateServiceSyncConfig",
        "CreateServiceTemplate",
        "CreateServiceTemplateMajorVersion",
        "CreateServiceTemplateMinorVersion",
        "CreateServiceTemplateVersion",
        "CreateTemplateSyncConfig",
        "DeleteAccountRoles",
        "DeleteComponent",
        "DeleteDeployment",
        "DeleteEnvironment",
        "DeleteEnvironmentAccountConnection",
        "DeleteEnvironmentTemplate",
        "DeleteEnvironmentTemplateMajorVersion",
        "DeleteEnvironmentTemplateMinorVersion",
        "DeleteEnvironmentTemplateVersion",
        "DeleteRepository",
        "DeleteService",
        "DeleteServiceSyncConfig",
        "DeleteServiceTemplate",
        "DeleteServiceTemplateMajorVersion",
        "DeleteServiceTemplateMinorVersion",
        "DeleteServiceTemplateVersion",
        "DeleteTemplateSyncConfig",
        "GetAccountRoles",
        "GetAccountSettings",
        "GetComponent",
        "GetDeployment",
        "GetEnvironment",
        "GetEnvironmentAccountConnection",
        "GetEnvironmentTemplate",
        "GetEnvironmentTemplateMajorVersion",
        "GetEnvironmentTemplateMinorVersion",
        "GetEnvironmentTemplateVersion",
        "GetRepository",
        "GetRepositorySyncStatus",
        "GetResourceTemplateVersionStatusCounts",
        "GetResourcesSummary",
        "GetService",
        "GetServiceInstance",
        "GetServiceInstanceSyncStatus",
        "GetServiceSyncBlockerSummary",
        "GetServiceSyncConfig",
        "GetServiceTemplate",
        "GetServiceTemplateMajorVersion",
        "GetServiceTemplateMinorVersion",
        "GetServiceTemplateVersion",
        "GetTemplateSyncConfig",
        "GetTemplateSyncStatus",
        "ListComponentOutputs",
        "ListComponentProvisionedResources",
        "ListComponents",
        "ListDeployments",
        "ListEnvironmentAccountConnections",
        "ListEnvironmentOutputs",
        "ListEnvironmentProvisionedResources",
        "ListEnvironmentTemplateMajorVersions",
        "ListEnvironmentTemplateMinorVersions",
        "ListEnvironmentTemplateVersions",
        "ListEnvironmentTemplates",
        "ListEnvironments",
        "ListRepositories",
        "ListRepositorySyncDefinitions",
        "ListServiceInstanceOutputs",
        "ListServiceInstanceProvisionedResources",
        "ListServiceInstances",
        "ListServicePipelineOutputs",
        "ListServicePipelineProvisionedResources",
        "ListServiceTemplateMajorVersions",
        "ListServiceTemplateMinorVersions",
        "ListServiceTemplateVersions",
        "ListServiceTemplates",
        "ListServices",
        "ListTagsForResource",
        "NotifyResourceDeploymentStatusChange",
        "RejectEnvironmentAccountConnection",
        "TagResource",
        "UntagResource",
        "UpdateAccountRoles",
        "UpdateAccountSettings",
        "UpdateComponent",
        "UpdateEnvironment",
        "UpdateEnvironmentAccountConnection",
        "UpdateEnvironmentTemplate",
        "UpdateEnvironmentTemplateMajorVersion",
        "UpdateEnvironmentTemplateMinorVersion",
        "UpdateEnvironmentTemplateVersion",
        "UpdateService",
        "UpdateServiceInstance",
        "UpdateServicePipeline",
        "UpdateServiceSyncBlocker",
        "UpdateServiceSyncConfig",
        "UpdateServiceTemplate",
        "UpdateServiceTemplateMajorVersion",
        "UpdateServiceTemplateMinorVersion",
        "UpdateServiceTemplateVersion",
        "UpdateTemplateSyncConfig",
    ];

    fn denied(action: &str) -> bool {
        let action = format!("proton:{action}");
        PROTON_TEMPLATE_AUTHORING_ACTIONS.iter().any(|p| crate::iam::wildcard::glob_ignore_case(p, &action))
    }

    #[test]
    fn proton_blocker_denies_template_authoring_only() {
        let authoring = |a: &str| {
            (a.contains("EnvironmentTemplate") || a.contains("ServiceTemplate") || a.contains("TemplateSyncConfig"))
                && ["Create", "Update", "Delete"].iter().any(|verb| a.starts_with(verb))
        };
        for action in PROTON_ACTIONS {
            let expected = authoring(action) || *action == "GetTemplateSyncConfig";
            assert_eq!(denied(action), expected, "proton:{action}");
        }
        // The seed blog's error: the console reads the template's sync configuration first.
        assert!(denied("GetTemplateSyncConfig"));
        // What Proton mode needs in the environment account.
        for action in PROTON_ACTIONS.iter().filter(|a| a.contains("EnvironmentAccountConnection")) {
            assert!(!denied(action), "proton:{action}");
        }
        for action in ["CreateEnvironment", "UpdateServiceInstance", "NotifyResourceDeploymentStatusChange"] {
            assert!(!denied(action), "proton:{action}");
        }
    }

    #[test]
    fn proton_blocker_is_a_valid_scp_well_under_the_limit() {
        let document = deny_proton_template_authoring();
        assert_eq!(scp_problems(&document), Vec::<String>::new());
        let size = document.to_minified_string().len();
        assert!(size < SCP_MAX_BYTES / 10, "{size}");
        assert!(!document.to_minified_string().contains("\"proton:*\""));
    }
}
