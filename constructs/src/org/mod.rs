//! The organization of the management account: the organization root, nested
//! organizational units and member accounts, emitted as `AWS::Organizations::*` resources.
//! The construct tree mirrors the organization: an OU is a child of its parent OU.
//!
//! ```
//! use cloudwright_constructs::{App, Stack, StackProps, Environment};
//! use cloudwright_constructs::org::{Account, AccountProps, Organization, OrganizationProps, OrganizationalUnit};
//!
//! let app = App::new();
//! let mgmt = Stack::new(&app, "Management", StackProps { env: Environment::new("111111111111", "us-east-1"), ..Default::default() })?;
//! let org = Organization::new(&mgmt, "Org", OrganizationProps { root_id: Some("r-abcd".into()), ..Default::default() })?;
//! let dev = OrganizationalUnit::new(&org, "Development", Default::default())?;
//! Account::new(&dev, "Dev", AccountProps { account_id: Some("200000000000".into()), ..Default::default() })?;
//! # Ok::<(), cloudwright_constructs::Error>(())
//! ```

use std::cell::RefCell;
use std::rc::Rc;

use cloudwright_core::env::is_account_id;
use cloudwright_core::{CfnResource, Construct, Error, Expr, Group, Node, Result};
use serde_json::json;

use crate::cfn::organizations::organization::FeatureSet;
use crate::cfn::organizations::{
    CfnAccount, CfnAccountProps, CfnOrganization, CfnOrganizationProps, CfnOrganizationalUnit,
    CfnOrganizationalUnitProps,
};
use crate::controltower::Registration;

mod scp;

pub use scp::{SCP_MAX_BYTES, SCP_MAX_PER_TARGET, ServiceControlPolicy, ServiceControlPolicyProps, library};

pub use crate::governance::ACCOUNT_METADATA;

/// Manifest metadata type of an organization: `{"rootId"}`, the literal root id SCPs of
/// the root target (empty when the app creates the organization).
pub const ORGANIZATION_METADATA: &str = "cloudwright:org:organization";

/// How deep OUs may nest below the root.
pub const MAX_OU_DEPTH: usize = 5;

/// What the organization knows across its constructs, for checks that span them.
#[derive(Default)]
pub(crate) struct OrgState {
    /// (account path, email) of every account created by the app.
    emails: Vec<(String, String)>,
    /// (target path, policy path) of every SCP attachment.
    pub(crate) attachments: Vec<(String, String)>,
    full_aws_access: bool,
}

/// Something a service control policy can be attached to: the root, an OU, an account.
pub trait PolicyTarget: Construct {
    /// The target's id as Organizations knows it (`r-...`, `ou-...`, an account id).
    fn target_id(&self) -> Expr;
    /// The organization the target belongs to.
    fn organization(&self) -> &Organization;
}

/// Properties of an [`Organization`].
#[derive(Debug, Clone)]
pub struct OrganizationProps {
    /// The id of the existing organization's root (`r-xxxx`). When `None`, the app
    /// creates the organization (`AWS::Organizations::Organization`) and uses its root.
    pub root_id: Option<String>,
    /// `ALL` features (needed for SCPs) or `CONSOLIDATED_BILLING`.
    pub all_features: bool,
    /// Whether the AWS-managed `FullAWSAccess` SCP stays attached to every target (the
    /// default); it counts against the limit of five SCPs per target.
    pub full_aws_access_attached: bool,
}

impl Default for OrganizationProps {
    fn default() -> Self {
        OrganizationProps { root_id: None, all_features: true, full_aws_access_attached: true }
    }
}

/// An AWS Organization, defined in the management account's stack.
#[derive(Clone)]
pub struct Organization {
    group: Group,
    root_id: Expr,
    resource: Option<CfnOrganization>,
    pub(crate) state: Rc<RefCell<OrgState>>,
}

impl Construct for Organization {
    fn node(&self) -> &Node {
        self.group.node()
    }
}

impl Organization {
    /// Defines the organization (or refers to the existing one by its root id).
    pub fn new(scope: &impl Construct, id: &str, props: OrganizationProps) -> Result<Self> {
        let group = crate::scope::group_in_stack(scope, id, "cloudwright.org.Organization")?;
        let (root_id, resource) = match &props.root_id {
            Some(root) => (Expr::str(root.clone()), None),
            None => {
                let feature_set = if props.all_features { FeatureSet::All } else { FeatureSet::ConsolidatedBilling };
                let org = CfnOrganization::new(
                    &group,
                    "Resource",
                    CfnOrganizationProps { feature_set: Some(feature_set.into()) },
                )?;
                (org.attr_root_id(), Some(org))
            }
        };
        if let Some(root) = &props.root_id {
            if !root.starts_with("r-") || root.len() < 6 {
                group.node().add_error(format!(
                    "root id {root:?} is not an organization root id; it looks like \"r-ab12\" (see `aws organizations list-roots`)"
                ));
            }
        }
        // Read by tools that follow SCP targets up to the root (the root's SCPs name it literally).
        group.node().add_metadata(ORGANIZATION_METADATA, json!({"rootId": props.root_id.clone().unwrap_or_default()}));
        let state =
            Rc::new(RefCell::new(OrgState { full_aws_access: props.full_aws_access_attached, ..Default::default() }));
        let checked = Rc::clone(&state);
        group.node().add_validation(move |_| org_problems(&checked.borrow()));
        Ok(Organization { group, root_id, resource, state })
    }

    /// The root's id.
    pub fn root_id(&self) -> Expr {
        self.root_id.clone()
    }

    /// Whether the app refers to an existing organization (by its root id) rather than creating one.
    pub fn is_existing(&self) -> bool {
        self.resource.is_none()
    }

    /// The `AWS::Organizations::Organization` the app creates; `None` for an existing organization.
    pub fn resource(&self) -> Option<&CfnOrganization> {
        self.resource.as_ref()
    }
}

impl PolicyTarget for Organization {
    fn target_id(&self) -> Expr {
        self.root_id.clone()
    }
    fn organization(&self) -> &Organization {
        self
    }
}

/// Checks that span the organization: unique emails, SCPs per target.
fn org_problems(state: &OrgState) -> Vec<String> {
    let mut problems = Vec::new();
    for (i, (path, email)) in state.emails.iter().enumerate() {
        if let Some((other, _)) = state.emails[..i].iter().find(|(_, e)| e.eq_ignore_ascii_case(email)) {
            problems.push(format!(
                "accounts {other} and {path} both use the email {email:?}; every AWS account needs its own email address"
            ));
        }
    }
    let mut targets: Vec<&str> = state.attachments.iter().map(|(t, _)| t.as_str()).collect();
    targets.dedup();
    targets.sort_unstable();
    targets.dedup();
    for target in targets {
        let policies: Vec<&str> =
            state.attachments.iter().filter(|(t, _)| t == target).map(|(_, p)| p.as_str()).collect();
        let total = policies.len() + usize::from(state.full_aws_access);
        if total > SCP_MAX_PER_TARGET {
            let full = if state.full_aws_access { " plus FullAWSAccess" } else { "" };
            problems.push(format!(
                "{target} has {total} service control policies attached ({}{full}); AWS allows {SCP_MAX_PER_TARGET} per target: merge policies, or detach FullAWSAccess (OrganizationProps::full_aws_access_attached = false) when an allow-list SCP replaces it",
                policies.join(", ")
            ));
        }
    }
    problems
}

/// Properties of an [`OrganizationalUnit`].
#[derive(Debug, Clone, Default)]
pub struct OrganizationalUnitProps {
    /// The OU's name; the construct id when `None`.
    pub name: Option<String>,
}

/// An organizational unit, nested below the root or another OU.
#[derive(Clone)]
pub struct OrganizationalUnit {
    resource: CfnOrganizationalUnit,
    org: Organization,
    depth: usize,
    /// The OU's Control Tower registration, once registered; shared by clones.
    registration: Rc<RefCell<Option<Registration>>>,
}

impl Construct for OrganizationalUnit {
    fn node(&self) -> &Node {
        self.resource.node()
    }
}

/// The root or an OU: where OUs and accounts go.
pub trait OuParent: PolicyTarget {
    /// OU depth: 0 for the root.
    fn depth(&self) -> usize;
}

impl OuParent for Organization {
    fn depth(&self) -> usize {
        0
    }
}

impl OuParent for OrganizationalUnit {
    fn depth(&self) -> usize {
        self.depth
    }
}

impl OrganizationalUnit {
    /// Adds an OU below `parent` (the organization or another OU).
    pub fn new(parent: &impl OuParent, id: &str, props: OrganizationalUnitProps) -> Result<Self> {
        let depth = parent.depth() + 1;
        if depth > MAX_OU_DEPTH {
            return Err(Error::InvalidScope {
                path: format!("{}/{id}", parent.node().path()),
                message: format!(
                    "OUs nest at most {MAX_OU_DEPTH} levels below the root; this one would be level {depth}: attach it to a higher OU"
                ),
            });
        }
        let name = props.name.unwrap_or_else(|| id.to_owned());
        let resource = CfnOrganizationalUnit::new(
            parent.node(),
            id,
            CfnOrganizationalUnitProps { name: name.into(), parent_id: parent.target_id().into(), tags: None },
        )?;
        resource.node().set_fqn("cloudwright.org.OrganizationalUnit");
        Ok(OrganizationalUnit {
            resource,
            org: parent.organization().clone(),
            depth,
            registration: Rc::new(RefCell::new(None)),
        })
    }

    /// The OU's id (`ou-...`).
    pub fn ou_id(&self) -> Expr {
        self.resource.attr_id()
    }

    /// The OU's ARN, which Control Tower controls target.
    pub fn arn(&self) -> Expr {
        self.resource.attr_arn()
    }

    /// The `AWS::Organizations::OrganizationalUnit` it wraps.
    pub fn resource(&self) -> &CfnOrganizationalUnit {
        &self.resource
    }

    /// The resource that registers the OU with Control Tower, if it is registered.
    pub fn registration(&self) -> Option<CfnResource> {
        self.registration.borrow().as_ref().map(|r| r.resource.clone())
    }

    /// The OU's Control Tower registration, with the landing zone's operations.
    pub(crate) fn control_tower(&self) -> Option<Registration> {
        self.registration.borrow().clone()
    }

    /// Records the OU's Control Tower registration (`controltower::ControlTower::register`).
    pub(crate) fn set_registration(&self, registration: Registration) {
        *self.registration.borrow_mut() = Some(registration);
    }
}

impl PolicyTarget for OrganizationalUnit {
    fn target_id(&self) -> Expr {
        self.ou_id()
    }
    fn organization(&self) -> &Organization {
        &self.org
    }
}

/// Properties of an [`Account`].
#[derive(Debug, Clone, Default)]
pub struct AccountProps {
    /// An existing account's 12-digit id; when `None` the app creates the account.
    pub account_id: Option<String>,
    /// The account name (new accounts); the construct id when `None`.
    pub account_name: Option<String>,
    /// The root user's email (required for new accounts; unique across the organization).
    pub email: Option<String>,
    /// The role Organizations creates for the management account to assume (new accounts).
    pub role_name: Option<String>,
}

/// A member account in an OU: imported by id, or created.
#[derive(Clone)]
pub struct Account {
    group: Group,
    account_id: Expr,
    literal_id: Option<String>,
    resource: Option<CfnAccount>,
    org: Organization,
}

impl Construct for Account {
    fn node(&self) -> &Node {
        self.group.node()
    }
}

impl Account {
    /// Adds an account to `ou` (or to the root). Props that cannot make an account are
    /// checked before anything is added, so a failing call leaves no node behind.
    pub fn new(ou: &impl OuParent, id: &str, props: AccountProps) -> Result<Self> {
        let path = format!("{}/{id}", ou.node().path());
        match (&props.account_id, &props.email) {
            (Some(existing), _) if !is_account_id(existing) => {
                return Err(Error::InvalidAccount { path, account: existing.clone() });
            }
            (None, None) => {
                return Err(Error::Validation {
                    path,
                    message: "a new account needs an email for its root user; set AccountProps::email, or \
                              AccountProps::account_id to refer to an existing account"
                        .into(),
                });
            }
            _ => {}
        }
        let group = Group::with_fqn(ou, id, "cloudwright.org.Account")?;
        let org = ou.organization().clone();
        if let Some(email) = &props.email {
            let valid = email.split_once('@').is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.'));
            if !valid {
                group.node().add_error(format!("email {email:?} is not an email address"));
            }
            org.state.borrow_mut().emails.push((group.node().path(), email.clone()));
        }
        let name = props.account_name.clone().unwrap_or_else(|| id.to_owned());
        let (account_id, resource) = match (&props.account_id, &props.email) {
            (Some(existing), _) => (Expr::str(existing.clone()), None),
            (None, email) => {
                let resource = CfnAccount::new(
                    &group,
                    "Resource",
                    CfnAccountProps {
                        parent_ids: Some(vec![ou.target_id().into()]),
                        role_name: props.role_name.as_deref().map(Into::into),
                        ..CfnAccountProps::new(name.as_str(), email.as_deref().unwrap_or_default())
                    },
                )?;
                (resource.attr_account_id(), Some(resource))
            }
        };
        // Recorded for tools that read the assembly (`cloudwright graph`, the SCP rules).
        group.node().add_metadata(
            ACCOUNT_METADATA,
            json!({
                "name": name,
                "accountId": props.account_id.clone().unwrap_or_default(),
                "parent": format!("/{}", ou.node().path()),
            }),
        );
        // An existing account declared under an OU of the app: CloudFormation moves only the
        // accounts it creates, so someone moves this one once the OU exists.
        if let (Some(existing), true) = (&props.account_id, ou.depth() > 0) {
            let ou_path = ou.node().path();
            crate::deploy::manual_step(
                group.node(),
                crate::deploy::ManualStep::new(format!(
                    "Move account {existing} into the OU {ou_path} once the stack created it, then re-apply the OU's \
                     Control Tower baseline to it (ResetEnabledBaseline): until then the OU's guardrails govern no account"
                ))
                .command(format!(
                    "aws organizations move-account --account-id {existing} --source-parent-id <current parent> \
                     --destination-parent-id <the id of OU {ou_path}>"
                ))
                .docs("https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_move.html")
                .after_deploy(),
            );
        }
        Ok(Account { group, account_id, literal_id: props.account_id, resource, org })
    }

    /// The account id.
    pub fn account_id(&self) -> Expr {
        self.account_id.clone()
    }

    /// The 12-digit id, when the account was imported by id.
    pub fn literal_account_id(&self) -> Option<&str> {
        self.literal_id.as_deref()
    }

    /// The `AWS::Organizations::Account` the app creates; `None` for an existing account.
    pub fn resource(&self) -> Option<&CfnAccount> {
        self.resource.as_ref()
    }
}

impl PolicyTarget for Account {
    fn target_id(&self) -> Expr {
        self.account_id.clone()
    }
    fn organization(&self) -> &Organization {
        &self.org
    }
}
