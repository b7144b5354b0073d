//! AWS Control Tower: the landing zone that governs an existing organization, the OUs
//! registered with it (`AWSControlTowerBaseline`), and the controls enabled on them.
//!
//! Control Tower sets up the organization and its landing zone itself, so the app refers to
//! both: the [`Organization`] by its root id, the landing zone by nothing at all unless the
//! app says it manages it ([`ControlTowerProps::landing_zone`], then imported, never created).
//! What the app adds is governance of its own OUs: [`ControlTower::register`] enables the
//! `AWSControlTowerBaseline` on an OU, and [`EnabledControl`]s on that OU deploy after it,
//! one at a time.
//!
//! ```
//! use cloudwright_constructs::controltower::{ControlId, ControlTower, ControlTowerProps, EnabledControl};
//! use cloudwright_constructs::org::{Organization, OrganizationProps, OrganizationalUnit};
//! use cloudwright_constructs::{App, Environment, Stack, StackProps};
//!
//! let app = App::new();
//! let mgmt = Stack::new(&app, "Mgmt", StackProps { env: Environment::new("111111111111", "us-east-1"), ..Default::default() })?;
//! let org = Organization::new(&mgmt, "Org", OrganizationProps { root_id: Some("r-a1b2".into()), ..Default::default() })?;
//! let control_tower = ControlTower::new(&org, "ControlTower", ControlTowerProps {
//!     identity_center_enabled_baseline_arn: Some("arn:aws:controltower:us-east-1:111111111111:enabledbaseline/XALULM96QHI525UOC".into()),
//!     ..Default::default()
//! })?;
//! let dev = OrganizationalUnit::new(&org, "Development", Default::default())?;
//! control_tower.register(&dev)?;
//! // Enabled one after the other, after the OU's registration.
//! let controls = EnabledControl::enable_all(&mgmt, &dev, &[
//!     ("RootKeys", ControlId::restrict_root_user_access_keys()),
//!     ("Ssh", ControlId::restricted_ssh()),
//! ])?;
//! assert_eq!(controls.len(), 2);
//! let template = app.assembly()?.template("Mgmt").unwrap();
//! let registration = dev.registration().unwrap().logical_id();
//! assert_eq!(template["Resources"]["Ssh"]["DependsOn"], serde_json::json!([registration, "RootKeys"]));
//! # Ok::<(), cloudwright_constructs::Error>(())
//! ```

use std::cell::RefCell;
use std::rc::Rc;

use cloudwright_core::env::{is_account_id, is_region};
use cloudwright_core::{CfnResource, Construct, Expr, Group, Node, RemovalPolicy, Result};
use serde::Serialize;
use serde_json::Value as Json;

use crate::cfn::controltower::enabled_baseline::Parameter;
use crate::cfn::controltower::enabled_control::EnabledControlParameter;
use crate::cfn::controltower::{
    CfnEnabledBaseline, CfnEnabledBaselineProps, CfnEnabledControl, CfnEnabledControlProps, CfnLandingZone,
    CfnLandingZoneProps,
};
use crate::org::{Account, Organization, OrganizationalUnit};

/// The id of `AWSControlTowerBaseline`, the baseline that registers an OU with Control Tower.
/// <https://docs.aws.amazon.com/controltower/latest/userguide/baseline-api-examples.html>
pub const CONTROL_TOWER_BASELINE_ID: &str = "17BSJV3IGJ2QSGA2";

/// The id of `IdentityCenterBaseline`, which Control Tower enables on the landing zone when
/// it manages IAM Identity Center; OU registrations name its enabled baseline.
/// <https://docs.aws.amazon.com/controltower/latest/userguide/baseline-api-examples.html>
pub const IDENTITY_CENTER_BASELINE_ID: &str = "LN25R72TTG6IGPTQ";

/// The `AWSControlTowerBaseline` version of landing zone 3.3, the current 3.x release.
/// <https://docs.aws.amazon.com/controltower/latest/userguide/table-of-baselines.html>
pub const DEFAULT_BASELINE_VERSION: &str = "4.0";

/// The landing zone version registrations assume by default.
pub const DEFAULT_LANDING_ZONE_VERSION: &str = "3.3";

/// The Control Tower operations of one landing zone declared so far, for ordering: Control
/// Tower runs one operation at a time, except control operations, which may run together
/// (up to 100). <https://docs.aws.amazon.com/controltower/latest/userguide/limits.html>
#[derive(Default)]
pub(crate) struct Operations {
    /// The last OU registration: every later operation waits for it.
    last_registration: Option<CfnResource>,
    /// Controls enabled since that registration: the next registration waits for them.
    controls_since: Vec<CfnResource>,
}

/// An OU's registration with Control Tower, as the OU keeps it.
#[derive(Clone)]
pub(crate) struct Registration {
    /// The `AWSControlTowerBaseline` enabled on the OU.
    pub(crate) resource: CfnResource,
    /// The landing zone's operations, shared by its registrations.
    operations: Rc<RefCell<Operations>>,
}

/// A Control Tower control's identifier, an ARN in one of its two forms.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlId(ControlForm);

#[derive(Debug, Clone, PartialEq)]
enum ControlForm {
    /// A legacy control by name (`AWS-GR_...`), in the stack's region.
    Named(String),
    /// A Control Catalog control by id.
    Catalog(String),
    /// A full ARN, as given.
    Arn(String),
}

/// A valid example of each control identifier form, for error messages.
const CONTROL_EXAMPLES: &str = "arn:aws:controlcatalog:::control/503uicglhjkokaajywfpt6ros, or the legacy \
                                arn:aws:controltower:us-east-1::control/AWS-GR_RESTRICT_ROOT_USER";

impl ControlId {
    /// A control of the Control Tower library by name (`AWS-GR_...`), in the stack's region:
    /// `arn:<partition>:controltower:<region>::control/<NAME>`.
    pub fn named(name: &str) -> Self {
        ControlId(ControlForm::Named(name.to_owned()))
    }

    /// A control of the Control Catalog by its id: `arn:<partition>:controlcatalog:::control/<ID>`.
    pub fn catalog(id: &str) -> Self {
        ControlId(ControlForm::Catalog(id.to_owned()))
    }

    /// A control by its full ARN, in either form.
    pub fn arn(arn: &str) -> Self {
        ControlId(ControlForm::Arn(arn.to_owned()))
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

    /// The identifier as the template writes it.
    pub fn to_expr(&self) -> Expr {
        match &self.0 {
            ControlForm::Named(name) => regional_arn("control", name),
            ControlForm::Catalog(id) => Expr::concat([
                Expr::str("arn:"),
                Expr::partition(),
                Expr::str(format!(":controlcatalog:::control/{id}")),
            ]),
            ControlForm::Arn(arn) => Expr::str(arn.clone()),
        }
    }

    /// What is wrong with the identifier's shape, if anything.
    /// Forms: <https://docs.aws.amazon.com/controltower/latest/controlreference/control-identifiers.html>
    fn problem(&self) -> Option<String> {
        let valid = match &self.0 {
            ControlForm::Named(name) => is_legacy_control_name(name),
            ControlForm::Catalog(id) => is_catalog_id(id),
            ControlForm::Arn(arn) => is_control_arn(arn),
        };
        (!valid).then(|| {
            let given = match &self.0 {
                ControlForm::Named(s) | ControlForm::Catalog(s) | ControlForm::Arn(s) => s,
            };
            format!("control identifier {given:?} is not a Control Tower control; use {CONTROL_EXAMPLES}")
        })
    }
}

/// `arn:<partition>:controltower:<region>::<kind>/<id>`, in the stack's partition and region.
fn regional_arn(kind: &str, id: &str) -> Expr {
    Expr::concat([
        Expr::str("arn:"),
        Expr::partition(),
        Expr::str(":controltower:"),
        Expr::region(),
        Expr::str(format!("::{kind}/{id}")),
    ])
}

/// `AWS-GR_` and upper-case words.
fn is_legacy_control_name(name: &str) -> bool {
    name.strip_prefix("AWS-GR_").is_some_and(|rest| {
        !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    })
}

/// A Control Catalog id: lower-case letters and digits.
fn is_catalog_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// `aws`, `aws-cn`, `aws-us-gov`, ...
fn is_partition(partition: &str) -> bool {
    partition == "aws"
        || partition
            .strip_prefix("aws-")
            .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
}

/// An upper-case id of letters and digits (`17BSJV3IGJ2QSGA2`).
fn is_resource_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The parts of `arn:<partition>:<service>:<region>:<account>:<resource>`.
fn arn_parts(arn: &str) -> Option<[&str; 5]> {
    let mut parts = arn.splitn(6, ':');
    if parts.next() != Some("arn") {
        return None;
    }
    let mut next = || parts.next();
    let out = [next()?, next()?, next()?, next()?, next()?];
    is_partition(out[0]).then_some(out)
}

/// `arn:aws:controlcatalog:::control/<id>` or `arn:aws:controltower:<region>::control/AWS-GR_...`.
fn is_control_arn(arn: &str) -> bool {
    match arn_parts(arn) {
        Some([_, "controlcatalog", "", "", resource]) => resource.strip_prefix("control/").is_some_and(is_catalog_id),
        Some([_, "controltower", region, "", resource]) => {
            is_region(region) && resource.strip_prefix("control/").is_some_and(is_legacy_control_name)
        }
        _ => false,
    }
}

/// `arn:aws:controltower:<region>::baseline/<ID>`.
fn is_baseline_arn(arn: &str) -> bool {
    matches!(arn_parts(arn), Some([_, "controltower", region, "", resource])
        if is_region(region) && resource.strip_prefix("baseline/").is_some_and(is_resource_id))
}

/// `arn:aws:controltower:<region>:<account>:enabledbaseline/<ID>`.
fn is_enabled_baseline_arn(arn: &str) -> bool {
    matches!(arn_parts(arn), Some([_, "controltower", region, account, resource])
        if is_region(region) && is_account_id(account)
            && resource.strip_prefix("enabledbaseline/").is_some_and(is_resource_id))
}

/// `<major>.<minor>`, as baseline and landing zone versions are written.
fn is_version(version: &str) -> bool {
    version.split_once('.').is_some_and(|(major, minor)| {
        [major, minor].iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// The major part of a `<major>.<minor>` version.
fn major(version: &str) -> Option<u32> {
    version.split_once('.').and_then(|(major, _)| major.parse().ok())
}

/// `Parameters` of a control or baseline: `(key, value)` pairs.
pub type Parameters = Vec<(String, Json)>;

/// Properties of an [`EnabledControl`].
#[derive(Debug, Clone)]
pub struct EnabledControlProps {
    /// Which control.
    pub control: ControlId,
    /// Control parameters, for controls that take them.
    pub parameters: Parameters,
}

/// A Control Tower control enabled on an OU.
#[derive(Clone)]
pub struct EnabledControl {
    resource: CfnEnabledControl,
}

impl Construct for EnabledControl {
    fn node(&self) -> &Node {
        self.resource.node()
    }
}

impl EnabledControl {
    /// Enables a control on `ou`, after the OU's registration with Control Tower, which
    /// rejects controls on unregistered OUs: an OU not registered yet
    /// ([`ControlTower::register`]) is an error at synthesis, as is a malformed identifier.
    pub fn new(scope: &impl Construct, id: &str, ou: &OrganizationalUnit, props: EnabledControlProps) -> Result<Self> {
        let parameters = (!props.parameters.is_empty()).then(|| {
            props.parameters.into_iter().map(|(key, value)| EnabledControlParameter::new(key, value)).collect()
        });
        let resource = CfnEnabledControl::new(
            scope,
            id,
            CfnEnabledControlProps { parameters, ..CfnEnabledControlProps::new(props.control.to_expr(), ou.arn()) },
        )?;
        let node = resource.node();
        node.set_fqn("cloudwright.controltower.EnabledControl");
        if let Some(problem) = props.control.problem() {
            node.add_error(problem);
        }
        // The OU itself comes first through the `Fn::GetAtt` of its ARN; its registration, and
        // any registration declared since (another OU's), are waited for explicitly.
        match ou.control_tower() {
            Some(registration) => {
                resource.add_depends_on(&registration.resource);
                let mut operations = registration.operations.borrow_mut();
                if let Some(last) = &operations.last_registration {
                    resource.add_depends_on(last);
                }
                operations.controls_since.push((*resource).clone());
            }
            None => node.add_error(format!(
                "enables a control on {}, which is not registered with Control Tower, and Control Tower rejects \
                 controls on unregistered OUs: register the OU first (ControlTower::register(&ou)), then enable \
                 its controls",
                ou.node().path()
            )),
        }
        Ok(EnabledControl { resource })
    }

    /// Enables several controls on `ou`, one after the other: Control Tower runs one
    /// control operation per OU at a time, so each waits for the one before. The ids are
    /// checked first, so a failing call adds none of the controls.
    pub fn enable_all(
        scope: &impl Construct,
        ou: &OrganizationalUnit,
        controls: &[(&str, ControlId)],
    ) -> Result<Vec<Self>> {
        let scope_path = scope.node().path();
        for (i, (id, _)) in controls.iter().enumerate() {
            let path = format!("{scope_path}/{id}");
            if id.is_empty() || id.contains('/') {
                return Err(cloudwright_core::Error::InvalidId {
                    path: scope_path,
                    id: (*id).to_owned(),
                    reason: "control ids must be non-empty and without '/'".into(),
                });
            }
            if scope.node().find_child(id).is_some() || controls[..i].iter().any(|(other, _)| other == id) {
                return Err(cloudwright_core::Error::DuplicateId {
                    path,
                    existing_kind: "construct".into(),
                    new_kind: "EnabledControl".into(),
                });
            }
        }
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

    /// The `AWS::ControlTower::EnabledControl` it wraps.
    pub fn resource(&self) -> &CfnEnabledControl {
        &self.resource
    }
}

/// A Control Tower baseline's identifier, an ARN.
#[derive(Debug, Clone, PartialEq)]
pub struct BaselineId(BaselineForm);

#[derive(Debug, Clone, PartialEq)]
enum BaselineForm {
    /// A baseline by id, in the stack's region.
    Id(String),
    /// A full ARN, as given.
    Arn(String),
}

impl BaselineId {
    /// A baseline by its id, in the stack's region: `arn:<partition>:controltower:<region>::baseline/<ID>`.
    pub fn id(id: &str) -> Self {
        BaselineId(BaselineForm::Id(id.to_owned()))
    }

    /// A baseline by its full ARN.
    pub fn arn(arn: &str) -> Self {
        BaselineId(BaselineForm::Arn(arn.to_owned()))
    }

    /// `AWSControlTowerBaseline`: registers an OU with Control Tower.
    pub fn control_tower() -> Self {
        BaselineId::id(CONTROL_TOWER_BASELINE_ID)
    }

    /// The identifier as the template writes it.
    pub fn to_expr(&self) -> Expr {
        match &self.0 {
            BaselineForm::Id(id) => regional_arn("baseline", id),
            BaselineForm::Arn(arn) => Expr::str(arn.clone()),
        }
    }

    /// What is wrong with the identifier's shape, if anything.
    fn problem(&self) -> Option<String> {
        let (valid, given) = match &self.0 {
            BaselineForm::Id(id) => (is_resource_id(id), id),
            BaselineForm::Arn(arn) => (is_baseline_arn(arn), arn),
        };
        (!valid).then(|| {
            format!(
                "baseline identifier {given:?} is not a Control Tower baseline; use its ARN, e.g. \
                 arn:aws:controltower:us-east-1::baseline/{CONTROL_TOWER_BASELINE_ID} (AWSControlTowerBaseline)"
            )
        })
    }
}

/// Properties of an [`EnabledBaseline`].
#[derive(Debug, Clone)]
pub struct EnabledBaselineProps {
    /// Which baseline.
    pub baseline: BaselineId,
    /// The baseline version (`<major>.<minor>`), compatible with the landing zone's version.
    pub baseline_version: String,
    /// Baseline parameters.
    pub parameters: Parameters,
}

impl Default for EnabledBaselineProps {
    fn default() -> Self {
        EnabledBaselineProps {
            baseline: BaselineId::control_tower(),
            baseline_version: DEFAULT_BASELINE_VERSION.into(),
            parameters: Vec::new(),
        }
    }
}

/// A Control Tower baseline enabled on an OU.
#[derive(Clone)]
pub struct EnabledBaseline {
    resource: CfnEnabledBaseline,
}

impl Construct for EnabledBaseline {
    fn node(&self) -> &Node {
        self.resource.node()
    }
}

impl EnabledBaseline {
    /// Enables a baseline on `ou`; a malformed identifier or version is an error at synthesis.
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-controltower-enabledbaseline.html>
    pub fn new(scope: &impl Construct, id: &str, ou: &OrganizationalUnit, props: EnabledBaselineProps) -> Result<Self> {
        let parameters = (!props.parameters.is_empty()).then(|| {
            props
                .parameters
                .into_iter()
                .map(|(key, value)| Parameter { key: Some(key.into()), value: Some(value) })
                .collect()
        });
        let resource = CfnEnabledBaseline::new(
            scope,
            id,
            CfnEnabledBaselineProps {
                parameters,
                ..CfnEnabledBaselineProps::new(props.baseline.to_expr(), props.baseline_version.as_str(), ou.arn())
            },
        )?;
        let node = resource.node();
        node.set_fqn("cloudwright.controltower.EnabledBaseline");
        if let Some(problem) = props.baseline.problem() {
            node.add_error(problem);
        }
        if !is_version(&props.baseline_version) {
            node.add_error(format!(
                "baseline version {:?} is not a version; it looks like \"{DEFAULT_BASELINE_VERSION}\" (see \
                 https://docs.aws.amazon.com/controltower/latest/userguide/table-of-baselines.html)",
                props.baseline_version
            ));
        }
        Ok(EnabledBaseline { resource })
    }

    /// The enabled baseline's ARN.
    pub fn arn(&self) -> Expr {
        self.resource.attr_enabled_baseline_identifier()
    }

    /// The `AWS::ControlTower::EnabledBaseline` it wraps.
    pub fn resource(&self) -> &CfnEnabledBaseline {
        &self.resource
    }
}

/// Properties of a [`ControlTower`].
#[derive(Clone)]
pub struct ControlTowerProps {
    /// The landing zone's version (`aws controltower get-landing-zone`); with `landing_zone`
    /// set, that one's version is used instead.
    pub landing_zone_version: String,
    /// The `AWSControlTowerBaseline` version OUs are registered with; it must be compatible
    /// with the landing zone version (4.0 for landing zone 3.3).
    /// <https://docs.aws.amazon.com/controltower/latest/userguide/table-of-baselines.html>
    pub baseline_version: String,
    /// Whether the landing zone manages access with IAM Identity Center (its manifest's
    /// `accessManagement.enabled`, on by default); with `landing_zone` set, that one's setting
    /// is used instead.
    pub identity_center: bool,
    /// The ARN of the landing zone's `IdentityCenterBaseline` enabled baseline
    /// (`arn:aws:controltower:<region>:<account>:enabledbaseline/<ID>`), which registrations
    /// with baseline 3.0 or later name when the landing zone manages IAM Identity Center. Find
    /// it with `aws controltower list-enabled-baselines --filter
    /// baselineIdentifiers=arn:aws:controltower:<region>::baseline/LN25R72TTG6IGPTQ`.
    pub identity_center_enabled_baseline_arn: Option<String>,
    /// The landing zone, when the app manages it: imported into the stack, never created
    /// (see [`LandingZone`]). `None` (the default) leaves it to Control Tower.
    pub landing_zone: Option<LandingZoneProps>,
}

impl Default for ControlTowerProps {
    fn default() -> Self {
        ControlTowerProps {
            landing_zone_version: DEFAULT_LANDING_ZONE_VERSION.into(),
            baseline_version: DEFAULT_BASELINE_VERSION.into(),
            identity_center: true,
            identity_center_enabled_baseline_arn: None,
            landing_zone: None,
        }
    }
}

/// The Control Tower landing zone governing an existing organization, and the OUs the app
/// registers with it. It lives in the organization's (management account's) stack, which
/// must deploy in the landing zone's home region.
#[derive(Clone)]
pub struct ControlTower {
    group: Group,
    landing_zone: Option<LandingZone>,
    baseline_version: String,
    identity_center_arn: Option<String>,
    /// The operations declared so far, which the next registration waits for.
    operations: Rc<RefCell<Operations>>,
}

impl Construct for ControlTower {
    fn node(&self) -> &Node {
        self.group.node()
    }
}

impl ControlTower {
    /// Refers to the landing zone of `org`, which must be an existing organization (Control
    /// Tower creates the organization it governs).
    pub fn new(org: &Organization, id: &str, props: ControlTowerProps) -> Result<Self> {
        let group = Group::with_fqn(org, id, "cloudwright.controltower.ControlTower")?;
        let node = group.node();
        if !org.is_existing() {
            node.add_error(format!(
                "{} creates a new organization, but Control Tower governs the organization it set up: refer to \
                 that one by its root id (OrganizationProps::root_id, see `aws organizations list-roots`)",
                org.node().path()
            ));
        }
        let (landing_zone_version, identity_center) = match &props.landing_zone {
            Some(lz) => (lz.version.clone(), lz.access_management),
            None => (props.landing_zone_version.clone(), props.identity_center),
        };
        if !is_version(&landing_zone_version) {
            node.add_error(format!(
                "landing zone version {landing_zone_version:?} is not a version; it looks like \
                 \"{DEFAULT_LANDING_ZONE_VERSION}\" (see `aws controltower get-landing-zone`)"
            ));
        }
        // Baselines from 3.0 (landing zone 3.0 on) name the Identity Center baseline when the
        // landing zone manages IAM Identity Center.
        // https://docs.aws.amazon.com/controltower/latest/userguide/baseline-api-examples.html
        let needs_identity_center = identity_center && major(&props.baseline_version).is_some_and(|m| m >= 3);
        let identity_center_arn = props.identity_center_enabled_baseline_arn.clone().filter(|_| identity_center);
        match &identity_center_arn {
            None if needs_identity_center => node.add_error(format!(
                "the landing zone manages IAM Identity Center, so registering OUs with AWSControlTowerBaseline {} \
                 needs the ARN of its IdentityCenterBaseline enabled baseline: set \
                 ControlTowerProps::identity_center_enabled_baseline_arn (find it with `aws controltower \
                 list-enabled-baselines --filter \
                 baselineIdentifiers=arn:aws:controltower:<region>::baseline/{IDENTITY_CENTER_BASELINE_ID}`), or \
                 identity_center = false if the landing zone does not manage IAM Identity Center",
                props.baseline_version
            )),
            Some(arn) if !is_enabled_baseline_arn(arn) => node.add_error(format!(
                "identity center enabled baseline {arn:?} is not an enabled baseline ARN; it looks like \
                 arn:aws:controltower:us-east-1:111111111111:enabledbaseline/XALULM96QHI525UOC"
            )),
            _ => {}
        }
        let landing_zone = props.landing_zone.map(|lz| LandingZone::new(&group, "LandingZone", lz)).transpose()?;
        let (stack, region) = node.stack().map(|s| (s.node().path(), s.environment().region)).unwrap_or_default();
        let step = crate::deploy::landing_zone(&stack, region.as_deref(), landing_zone.is_some());
        crate::deploy::manual_step(landing_zone.as_ref().map_or(node, |lz| lz.node()), step);
        Ok(ControlTower {
            group,
            landing_zone,
            baseline_version: props.baseline_version,
            identity_center_arn,
            operations: Rc::new(RefCell::new(Operations::default())),
        })
    }

    /// Registers `ou` with Control Tower: enables `AWSControlTowerBaseline` on it, so its
    /// accounts are enrolled and controls may be enabled on it. A registration waits for
    /// every Control Tower operation declared before it (the last registration, the controls
    /// enabled since), and controls enabled later wait for it: Control Tower runs one
    /// operation at a time, control operations excepted
    /// (<https://docs.aws.amazon.com/controltower/latest/userguide/limits.html>).
    pub fn register(&self, ou: &OrganizationalUnit) -> Result<EnabledBaseline> {
        let parameters = self
            .identity_center_arn
            .iter()
            .map(|arn| ("IdentityCenterEnabledBaselineArn".to_owned(), Json::String(arn.clone())))
            .collect();
        // Named for the OU's path below the organization, unique where nested OU names repeat.
        let ou_path = ou.node().path();
        let org_path = self.group.node().scope().map(|org| org.path()).unwrap_or_default();
        let id = ou_path.strip_prefix(&format!("{org_path}/")).unwrap_or(&ou_path).replace('/', "-");
        let registration = EnabledBaseline::new(
            &self.group,
            &id,
            ou,
            EnabledBaselineProps {
                baseline: BaselineId::control_tower(),
                baseline_version: self.baseline_version.clone(),
                parameters,
            },
        )?;
        let resource: &CfnResource = registration.resource();
        {
            let mut operations = self.operations.borrow_mut();
            for earlier in operations.last_registration.iter().chain(&operations.controls_since) {
                resource.add_depends_on(earlier);
            }
            operations.controls_since.clear();
            operations.last_registration = Some(resource.clone());
        }
        ou.set_registration(Registration { resource: resource.clone(), operations: Rc::clone(&self.operations) });
        Ok(registration)
    }

    /// The landing zone, when the app manages it.
    pub fn landing_zone(&self) -> Option<&LandingZone> {
        self.landing_zone.as_ref()
    }
}

/// Properties of a [`LandingZone`], its manifest as Control Tower holds it.
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

/// The landing zone manifest (landing zone 3.x).
/// <https://docs.aws.amazon.com/controltower/latest/userguide/landing-zone-schemas.html>
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Manifest {
    governed_regions: Vec<String>,
    organization_structure: OrganizationStructure,
    centralized_logging: CentralizedLogging,
    security_roles: AccountRef,
    access_management: Enabled,
}

#[derive(Serialize)]
struct OrganizationStructure {
    security: Named,
    #[serde(skip_serializing_if = "Option::is_none")]
    sandbox: Option<Named>,
}

#[derive(Serialize)]
struct Named {
    name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CentralizedLogging {
    account_id: Expr,
    configurations: LoggingConfigurations,
    enabled: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LoggingConfigurations {
    logging_bucket: Retention,
    access_logging_bucket: Retention,
    #[serde(skip_serializing_if = "Option::is_none")]
    kms_key_arn: Option<Expr>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Retention {
    retention_days: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AccountRef {
    account_id: Expr,
}

#[derive(Serialize)]
struct Enabled {
    enabled: bool,
}

/// The Control Tower landing zone, for an app that manages it. Control Tower set the
/// landing zone up, so it is *imported* into the stack, never created (a second landing
/// zone cannot exist, and creating one would fail): the resource keeps `DeletionPolicy` and
/// `UpdateReplacePolicy` `Retain`, so removing it from the app never decommissions the
/// landing zone.
///
/// To import it once, before the first deploy that contains it:
///
/// 1. find its identifier: `aws controltower list-landing-zones` (the last part of the ARN,
///    `arn:aws:controltower:<region>:<account>:landingzone/<ID>`);
/// 2. make the manifest here match the deployed one (`aws controltower get-landing-zone
///    --landing-zone-identifier <ARN>`), so the import changes nothing;
/// 3. run `cdk import --app cloudwright.out <stack>` and give `LandingZoneIdentifier` when asked
///    (or `--resource-mapping` with `{"<logical id>": {"LandingZoneIdentifier": "<ID>"}}`), or a
///    CloudFormation `IMPORT` change set naming the same identifier
///    (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import-existing-stack.html>).
///
/// After that, updates to the manifest or version deploy as landing zone updates.
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-controltower-landingzone.html>
#[derive(Clone)]
pub struct LandingZone {
    resource: CfnLandingZone,
}

impl Construct for LandingZone {
    fn node(&self) -> &Node {
        self.resource.node()
    }
}

impl LandingZone {
    /// Declares the landing zone with its manifest, to be imported (see the type's docs).
    /// Apps use it through [`ControlTowerProps::landing_zone`].
    pub fn new(scope: &impl Construct, id: &str, props: LandingZoneProps) -> Result<Self> {
        let manifest = Manifest {
            governed_regions: props.governed_regions.clone(),
            organization_structure: OrganizationStructure {
                security: Named { name: props.security_ou_name },
                sandbox: props.sandbox_ou_name.map(|name| Named { name }),
            },
            centralized_logging: CentralizedLogging {
                account_id: props.log_archive_account.account_id(),
                configurations: LoggingConfigurations {
                    logging_bucket: Retention { retention_days: props.logging_retention_days },
                    access_logging_bucket: Retention { retention_days: props.access_logging_retention_days },
                    kms_key_arn: props.kms_key_arn,
                },
                enabled: true,
            },
            security_roles: AccountRef { account_id: props.audit_account.account_id() },
            access_management: Enabled { enabled: props.access_management },
        };
        let manifest = serde_json::to_value(&manifest).map_err(|e| cloudwright_core::Error::Validation {
            path: format!("{}/{id}", scope.node().path()),
            message: format!("the landing zone manifest does not serialize: {e}"),
        })?;
        let resource = CfnLandingZone::new(scope, id, CfnLandingZoneProps::new(manifest, props.version.as_str()))?;
        resource.set_deletion_policy(RemovalPolicy::Retain);
        resource.set_update_replace_policy(RemovalPolicy::Retain);
        let node = resource.node();
        node.set_fqn("cloudwright.controltower.LandingZone");
        if !is_version(&props.version) {
            node.add_error(format!(
                "landing zone version {:?} is not a version; it looks like \"{DEFAULT_LANDING_ZONE_VERSION}\"",
                props.version
            ));
        }
        for region in &props.governed_regions {
            if !is_region(region) {
                node.add_error(format!("governed region {region:?} is not an AWS region"));
            }
        }
        Ok(LandingZone { resource })
    }

    /// The `AWS::ControlTower::LandingZone` it wraps.
    pub fn resource(&self) -> &CfnLandingZone {
        &self.resource
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

    use super::*;

    #[test]
    fn identifier_shapes() {
        assert!(is_control_arn("arn:aws:controlcatalog:::control/503uicglhjkokaajywfpt6ros"));
        assert!(is_control_arn("arn:aws:controltower:us-east-1::control/AWS-GR_RESTRICTED_SSH"));
        assert!(is_control_arn("arn:aws-us-gov:controltower:us-gov-west-1::control/AWS-GR_RESTRICTED_SSH"));
        assert!(!is_control_arn("arn:aws:controltower:us-east-1::control/restricted-ssh"));
        assert!(!is_control_arn("arn:aws:controltower:moon-1::control/AWS-GR_RESTRICTED_SSH"));
        assert!(!is_control_arn("AWS-GR_RESTRICTED_SSH"));
        assert!(!is_control_arn("arn:aws:controlcatalog:us-east-1::control/abc"));
        assert!(is_baseline_arn("arn:aws:controltower:us-east-1::baseline/17BSJV3IGJ2QSGA2"));
        assert!(!is_baseline_arn("arn:aws:controltower:us-east-1::baseline:17BSJV3IGJ2QSGA2"));
        assert!(is_enabled_baseline_arn(
            "arn:aws:controltower:us-east-1:111111111111:enabledbaseline/XALULM96QHI525UOC"
        ));
        assert!(!is_enabled_baseline_arn("arn:aws:controltower:us-east-1::enabledbaseline/XALULM96QHI525UOC"));
        for (version, ok) in
            [("4.0", true), ("10.12", true), ("4", false), ("4.0.1", false), ("v4.0", false), (".0", false)]
        {
            assert_eq!(is_version(version), ok, "{version}");
        }
    }
}
