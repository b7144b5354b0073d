//! AWS Control Tower: controls enabled on OUs, baselines, and the landing zone.
//!
//! ```
//! use cloudwright_constructs::controltower::{ControlId, EnabledControl};
//! use cloudwright_constructs::org::{Organization, OrganizationProps, OrganizationalUnit};
//! use cloudwright_constructs::{App, Environment, Stack, StackProps};
//!
//! let app = App::new();
//! let mgmt = Stack::new(&app, "Mgmt", StackProps { env: Environment::new("111111111111", "us-east-1"), ..Default::default() })?;
//! let org = Organization::new(&mgmt, "Org", OrganizationProps { root_id: Some("r-a1b2".into()), ..Default::default() })?;
//! let dev = OrganizationalUnit::new(&org, "Development", Default::default())?;
//! // Enabled one after the other: Control Tower runs one operation per OU at a time.
//! let controls = EnabledControl::enable_all(&mgmt, &dev, &[
//!     ("RootKeys", ControlId::restrict_root_user_access_keys()),
//!     ("Ssh", ControlId::restricted_ssh()),
//! ])?;
//! assert_eq!(controls.len(), 2);
//! let template = app.assembly()?.template("Mgmt").unwrap();
//! assert_eq!(template["Resources"]["Ssh"]["DependsOn"][0], "RootKeys");
//! # Ok::<(), cloudwright_constructs::Error>(())
//! ```

use cloudwright_core::{CfnResource, Construct, Expr, Node, Result};
use serde_json::{Value as Json, json};

use crate::org::{Account, OrganizationalUnit};

/// A Control Tower control's identifier, an ARN.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlId(Expr);

impl ControlId {
    /// A control of the Control Tower library by name (`AWS-GR_...`), in the stack's region:
    /// `arn:<partition>:controltower:<region>::control/<NAME>`.
    pub fn named(name: &str) -> Self {
        ControlId(Expr::concat([
            Expr::str("arn:"),
            Expr::partition(),
            Expr::str(":controltower:"),
            Expr::region(),
            Expr::str(format!("::control/{name}")),
        ]))
    }

    /// A control of the Control Catalog by its id: `arn:<partition>:controlcatalog:::control/<ID>`.
    pub fn catalog(id: &str) -> Self {
        ControlId(Expr::concat([
            Expr::str("arn:"),
            Expr::partition(),
            Expr::str(format!(":controlcatalog:::control/{id}")),
        ]))
    }

    /// Disallow actions as the root user (strongly recommended).
    pub fn restrict_root_user() -> Self {
        ControlId::named("AWS-GR_RESTRICT_ROOT_USER")
    }
    /// Disallow creating access keys for the root user.
    pub fn restrict_root_user_access_keys() -> Self {
        ControlId::named("AWS-GR_RESTRICT_ROOT_USER_ACCESS_KEYS")
    }
    /// Detect whether MFA is enabled for the root user.
    pub fn root_account_mfa_enabled() -> Self {
        ControlId::named("AWS-GR_ROOT_ACCOUNT_MFA_ENABLED")
    }
    /// Detect whether unrestricted incoming SSH is allowed.
    pub fn restricted_ssh() -> Self {
        ControlId::named("AWS-GR_RESTRICTED_SSH")
    }
    /// Detect whether S3 buckets allow public read access.
    pub fn s3_bucket_public_read_prohibited() -> Self {
        ControlId::named("AWS-GR_S3_BUCKET_PUBLIC_READ_PROHIBITED")
    }
    /// Detect whether S3 buckets allow public write access.
    pub fn s3_bucket_public_write_prohibited() -> Self {
        ControlId::named("AWS-GR_S3_BUCKET_PUBLIC_WRITE_PROHIBITED")
    }
    /// Detect whether EBS volumes attached to EC2 instances are encrypted.
    pub fn encrypted_volumes() -> Self {
        ControlId::named("AWS-GR_ENCRYPTED_VOLUMES")
    }
}

/// Properties of an [`EnabledControl`].
#[derive(Debug, Clone)]
pub struct EnabledControlProps {
    /// Which control.
    pub control: ControlId,
    /// Control parameters (`[{Key, Value}]`), for controls that take them.
    pub parameters: Vec<(String, Json)>,
}

/// A Control Tower control enabled on an OU.
#[derive(Clone)]
pub struct EnabledControl {
    resource: CfnResource,
}

impl Construct for EnabledControl {
    fn node(&self) -> &Node {
        self.resource.node()
    }
}

impl EnabledControl {
    /// Enables a control on `ou`. The construct lives in the OU's stack.
    pub fn new(scope: &impl Construct, id: &str, ou: &OrganizationalUnit, props: EnabledControlProps) -> Result<Self> {
        let mut body = json!({"ControlIdentifier": props.control.0, "TargetIdentifier": ou.arn()});
        if !props.parameters.is_empty() {
            if let Some(map) = body.as_object_mut() {
                let params: Vec<Json> = props.parameters.iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect();
                map.insert("Parameters".into(), Json::Array(params));
            }
        }
        let resource = CfnResource::from_json(scope, id, "AWS::ControlTower::EnabledControl", body)?;
        resource.node().set_fqn("cloudwright.controltower.EnabledControl");
        resource.set_tag_format(cloudwright_core::TagFormat::Standard);
        Ok(EnabledControl { resource })
    }

    /// Enables several controls on `ou`, one after the other: Control Tower runs one
    /// control operation per OU at a time, so each waits for the one before.
    pub fn enable_all(
        scope: &impl Construct,
        ou: &OrganizationalUnit,
        controls: &[(&str, ControlId)],
    ) -> Result<Vec<Self>> {
        let mut enabled: Vec<EnabledControl> = Vec::new();
        for (id, control) in controls {
            let next = EnabledControl::new(
                scope,
                id,
                ou,
                EnabledControlProps { control: control.clone(), parameters: Vec::new() },
            )?;
            if let Some(previous) = enabled.last() {
                next.resource.add_depends_on(&previous.resource);
            }
            enabled.push(next);
        }
        Ok(enabled)
    }
}

/// Properties of an [`EnabledBaseline`].
#[derive(Debug, Clone, Default)]
pub struct EnabledBaselineProps {
    /// The baseline's ARN (`arn:aws:controltower:<region>::baseline/<ID>`).
    pub baseline_identifier: String,
    /// The baseline version, e.g. `4.0`.
    pub baseline_version: String,
    /// Baseline parameters.
    pub parameters: Vec<(String, Json)>,
}

/// A Control Tower baseline enabled on an OU.
#[derive(Clone)]
pub struct EnabledBaseline {
    resource: CfnResource,
}

impl Construct for EnabledBaseline {
    fn node(&self) -> &Node {
        self.resource.node()
    }
}

impl EnabledBaseline {
    /// Enables a baseline on `ou`.
    pub fn new(scope: &impl Construct, id: &str, ou: &OrganizationalUnit, props: EnabledBaselineProps) -> Result<Self> {
        let params: Vec<Json> = props.parameters.iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect();
        let mut body = json!({
            "BaselineIdentifier": props.baseline_identifier,
            "BaselineVersion": props.baseline_version,
            "TargetIdentifier": ou.arn(),
        });
        if let (false, Some(map)) = (params.is_empty(), body.as_object_mut()) {
            map.insert("Parameters".into(), Json::Array(params));
        }
        let resource = CfnResource::from_json(scope, id, "AWS::ControlTower::EnabledBaseline", body)?;
        resource.node().set_fqn("cloudwright.controltower.EnabledBaseline");
        Ok(EnabledBaseline { resource })
    }
}

/// Properties of a [`LandingZone`].
#[derive(Clone)]
pub struct LandingZoneProps {
    /// Landing zone version, e.g. `3.3`.
    pub version: String,
    /// Regions Control Tower governs.
    pub governed_regions: Vec<String>,
    /// Name of the foundational OU holding the log archive and audit accounts.
    pub security_ou_name: String,
    /// Name of the additional OU Control Tower creates, if any.
    pub sandbox_ou_name: Option<String>,
    /// The log archive account.
    pub log_archive_account: Account,
    /// The audit (security tooling) account.
    pub audit_account: Account,
    /// Days the logging bucket keeps logs.
    pub logging_retention_days: u32,
    /// Days the access-logging bucket keeps logs.
    pub access_logging_retention_days: u32,
    /// KMS key for the logs, if any.
    pub kms_key_arn: Option<Expr>,
    /// Whether Control Tower sets up IAM Identity Center.
    pub access_management: bool,
}

/// The Control Tower landing zone of the management account.
#[derive(Clone)]
pub struct LandingZone {
    resource: CfnResource,
}

impl Construct for LandingZone {
    fn node(&self) -> &Node {
        self.resource.node()
    }
}

impl LandingZone {
    /// Defines the landing zone with its manifest.
    pub fn new(scope: &impl Construct, id: &str, props: LandingZoneProps) -> Result<Self> {
        let mut structure = json!({"security": {"name": props.security_ou_name}});
        if let (Some(sandbox), Some(map)) = (&props.sandbox_ou_name, structure.as_object_mut()) {
            map.insert("sandbox".into(), json!({"name": sandbox}));
        }
        let mut configurations = json!({
            "loggingBucket": {"retentionDays": props.logging_retention_days},
            "accessLoggingBucket": {"retentionDays": props.access_logging_retention_days},
        });
        if let (Some(key), Some(map)) = (&props.kms_key_arn, configurations.as_object_mut()) {
            map.insert("kmsKeyArn".into(), key.to_json());
        }
        let manifest = json!({
            "governedRegions": props.governed_regions,
            "organizationStructure": structure,
            "centralizedLogging": {
                "accountId": props.log_archive_account.account_id(),
                "configurations": configurations,
                "enabled": true,
            },
            "securityRoles": {"accountId": props.audit_account.account_id()},
            "accessManagement": {"enabled": props.access_management},
        });
        let resource = CfnResource::from_json(
            scope,
            id,
            "AWS::ControlTower::LandingZone",
            json!({"Manifest": manifest, "Version": props.version}),
        )?;
        resource.node().set_fqn("cloudwright.controltower.LandingZone");
        resource.set_tag_format(cloudwright_core::TagFormat::Standard);
        for region in &props.governed_regions {
            if !cloudwright_core::env::is_region(region) {
                resource.node().add_error(format!("governed region {region:?} is not an AWS region"));
            }
        }
        Ok(LandingZone { resource })
    }
}
