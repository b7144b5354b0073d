//! The CDK bootstrap (`cdk bootstrap`) a stack deploys with: the roles, the asset bucket
//! and the version parameter its qualifier names, and the bootstrap version a stack needs.
//! The one place these shapes are spelled: the manifest's stack and asset-manifest
//! artifacts, the asset manifests, the templates' bootstrap check and the weak references'
//! reader roles all take them from here.

use crate::env::Environment;

/// The CDK's default bootstrap qualifier (`cdk bootstrap` without `--qualifier`).
pub const DEFAULT_QUALIFIER: &str = "hnb659fds";

/// The bootstrap version `cdk deploy` needs to publish assets and deploy a stack with the
/// default stack synthesizer's roles (`requiresBootstrapStackVersion`).
pub const REQUIRED_VERSION: u32 = 6;

/// The bootstrap version the lookup role needs (`lookupRole.requiresBootstrapStackVersion`).
pub const LOOKUP_ROLE_VERSION: u32 = 8;

/// The logical id of the template parameter reading the bootstrap's version from its SSM
/// parameter ([`Bootstrap::version_parameter`]), as the CDK names it.
pub const VERSION_PARAMETER_ID: &str = "BootstrapVersion";

/// The logical id of the template rule refusing a bootstrap older than
/// [`REQUIRED_VERSION`], as the CDK names it.
pub const VERSION_RULE_ID: &str = "CheckBootstrapVersion";

/// One of the roles `cdk bootstrap` creates in an environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoleKind {
    /// `cdk-Q-deploy-role-A-R`: what `cdk deploy` assumes to deploy a stack.
    Deploy,
    /// `cdk-Q-cfn-exec-role-A-R`: what CloudFormation deploys a stack with.
    CfnExec,
    /// `cdk-Q-lookup-role-A-R`: context lookups and reading deployed templates.
    Lookup,
    /// `cdk-Q-file-publishing-role-A-R`: uploads file assets to the asset bucket.
    FilePublishing,
    /// `cdk-Q-image-publishing-role-A-R`: pushes image assets.
    ImagePublishing,
}

impl RoleKind {
    /// Every role kind.
    pub const ALL: [RoleKind; 5] =
        [RoleKind::Deploy, RoleKind::CfnExec, RoleKind::Lookup, RoleKind::FilePublishing, RoleKind::ImagePublishing];

    /// The kind as role names spell it (`deploy`, `cfn-exec`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            RoleKind::Deploy => "deploy",
            RoleKind::CfnExec => "cfn-exec",
            RoleKind::Lookup => "lookup",
            RoleKind::FilePublishing => "file-publishing",
            RoleKind::ImagePublishing => "image-publishing",
        }
    }
}

/// A bootstrap role's name taken apart ([`Bootstrap::parse_role_name`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootstrapRoleName {
    /// The bootstrap qualifier.
    pub qualifier: String,
    /// Which role.
    pub kind: RoleKind,
    /// Its account (12 digits).
    pub account: String,
    /// Its region.
    pub region: String,
}

/// The bootstrap of the environments a stack deploys to, named by its qualifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bootstrap {
    /// The qualifier (`cdk bootstrap --qualifier`), [`DEFAULT_QUALIFIER`] by default.
    pub qualifier: String,
}

impl Default for Bootstrap {
    fn default() -> Self {
        Bootstrap { qualifier: DEFAULT_QUALIFIER.to_owned() }
    }
}

/// An environment's account and region as the bootstrap's names take them: the pseudo
/// parameters (`${AWS::AccountId}`, `${AWS::Region}`) when the stack leaves them open.
fn account_region(env: &Environment) -> (&str, &str) {
    (env.account.as_deref().unwrap_or("${AWS::AccountId}"), env.region.as_deref().unwrap_or("${AWS::Region}"))
}

impl Bootstrap {
    /// The bootstrap of `qualifier`.
    pub fn new(qualifier: impl Into<String>) -> Self {
        Bootstrap { qualifier: qualifier.into() }
    }

    /// The name of a role in `account` and `region`: `cdk-Q-<kind>-role-A-R`.
    pub fn role_name(&self, kind: RoleKind, account: &str, region: &str) -> String {
        format!("cdk-{}-{}-role-{account}-{region}", self.qualifier, kind.as_str())
    }

    /// The ARN of a role in `env`, as the manifest and asset manifests write it (an
    /// `${AWS::Partition}` placeholder, and the account's and region's where `env` leaves
    /// them open).
    pub fn role_arn(&self, kind: RoleKind, env: &Environment) -> String {
        let (account, region) = account_region(env);
        format!("arn:${{AWS::Partition}}:iam::{account}:role/{}", self.role_name(kind, account, region))
    }

    /// The asset bucket of `env`: `cdk-Q-assets-A-R`.
    pub fn assets_bucket(&self, env: &Environment) -> String {
        let (account, region) = account_region(env);
        format!("cdk-{}-assets-{account}-{region}", self.qualifier)
    }

    /// The SSM parameter holding the bootstrap's version: `/cdk-bootstrap/Q/version`.
    pub fn version_parameter(&self) -> String {
        format!("/cdk-bootstrap/{}/version", self.qualifier)
    }

    /// The qualifier a version parameter names (`/cdk-bootstrap/Q/version`).
    pub fn qualifier_of_version_parameter(parameter: &str) -> Option<&str> {
        parameter.strip_prefix("/cdk-bootstrap/")?.strip_suffix("/version").filter(|q| !q.is_empty())
    }

    /// A bootstrap role's name (`cdk-Q-<kind>-role-A-R`, or an ARN ending in one) taken
    /// apart; `None` for any other name, or one whose account is not 12 digits.
    pub fn parse_role_name(name: &str) -> Option<BootstrapRoleName> {
        let name = name.rsplit('/').next()?;
        let (qualifier, rest) = name.strip_prefix("cdk-")?.split_once('-')?;
        let (kind, rest) =
            RoleKind::ALL.iter().find_map(|k| Some((*k, rest.strip_prefix(k.as_str())?.strip_prefix("-role-")?)))?;
        let (account, region) = rest.split_once('-')?;
        crate::env::is_account_id(account).then(|| BootstrapRoleName {
            qualifier: qualifier.to_owned(),
            kind,
            account: account.to_owned(),
            region: region.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_a_known_and_an_open_environment() {
        let b = Bootstrap::default();
        let env = Environment::new("111111111111", "eu-west-1");
        assert_eq!(
            b.role_arn(RoleKind::Deploy, &env),
            "arn:${AWS::Partition}:iam::111111111111:role/cdk-hnb659fds-deploy-role-111111111111-eu-west-1"
        );
        assert_eq!(
            b.role_arn(RoleKind::CfnExec, &Environment::agnostic()),
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-cfn-exec-role-${AWS::AccountId}-${AWS::Region}"
        );
        assert_eq!(b.assets_bucket(&env), "cdk-hnb659fds-assets-111111111111-eu-west-1");
        assert_eq!(b.version_parameter(), "/cdk-bootstrap/hnb659fds/version");
        assert_eq!(Bootstrap::qualifier_of_version_parameter("/cdk-bootstrap/q1/version"), Some("q1"));
        assert_eq!(Bootstrap::qualifier_of_version_parameter("/cdk-bootstrap//version"), None);
    }

    #[test]
    fn role_names_are_parsed_and_other_names_are_not() {
        let role = Bootstrap::parse_role_name("cdk-hnb659fds-file-publishing-role-111111111111-eu-west-1").unwrap();
        assert_eq!(
            (role.qualifier.as_str(), role.kind, role.account.as_str(), role.region.as_str()),
            ("hnb659fds", RoleKind::FilePublishing, "111111111111", "eu-west-1")
        );
        let arn = "arn:${AWS::Partition}:iam::111111111111:role/cdk-q-cfn-exec-role-111111111111-us-east-1";
        assert_eq!(Bootstrap::parse_role_name(arn).map(|r| r.kind), Some(RoleKind::CfnExec));
        assert_eq!(Bootstrap::parse_role_name("cdk-q-deploy-role-1234-eu-west-1"), None);
        assert_eq!(Bootstrap::parse_role_name("my-role"), None);
    }
}
