//! `Key`: a symmetric customer managed key, rotated yearly, whose key policy lets the
//! account's IAM policies decide (the CDK's default), with an optional alias.

use cloudwright_core::{Construct, Expr, Group, Node, RemovalPolicy, Result, Value};

use super::IKey;
use crate::cfn::kms::{CfnAlias, CfnAliasProps, CfnKey, CfnKeyProps};
use crate::iam::lazy::LazyDocument;
use crate::iam::{PolicyKind, PolicyStatement, Principal};

/// Properties of a [`Key`].
#[derive(Debug, Clone)]
pub struct KeyProps {
    /// Description.
    pub description: Option<String>,
    /// Automatic yearly rotation of the key material (on by default).
    pub enable_key_rotation: bool,
    /// An alias (`alias/...`) to create for the key.
    pub alias: Option<String>,
    /// What happens to the key when it leaves the stack (`Retain` by default, as the CDK:
    /// data encrypted under a deleted key is lost).
    pub removal_policy: RemovalPolicy,
    /// Days (7 to 30) between scheduling the key's deletion and its deletion; AWS's default is 30.
    pub pending_window_days: Option<u32>,
}

impl Default for KeyProps {
    fn default() -> Self {
        KeyProps {
            description: None,
            enable_key_rotation: true,
            alias: None,
            removal_policy: RemovalPolicy::Retain,
            pending_window_days: None,
        }
    }
}

/// A customer managed KMS key.
#[derive(Clone)]
pub struct Key {
    group: Group,
    resource: CfnKey,
    alias: Option<CfnAlias>,
    policy: LazyDocument,
}

impl Construct for Key {
    fn node(&self) -> &Node {
        self.group.node()
    }
}

/// A key is its resource: two handles are equal when they are the same key.
impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.resource == other.resource
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Key").field(&self.group.node().path()).finish()
    }
}

impl IKey for Key {
    fn key_arn(&self) -> Expr {
        self.resource.attr_arn()
    }

    fn key_id(&self) -> Expr {
        self.resource.reference()
    }

    fn try_add_to_resource_policy(&self, statement: PolicyStatement) -> Result<bool> {
        self.policy.add(statement);
        Ok(true)
    }
}

impl Key {
    /// Defines a key.
    pub fn new(scope: &impl Construct, id: &str, props: KeyProps) -> Result<Self> {
        let group = crate::scope::group_in_stack(scope, id, "cloudwright.kms.Key")?;
        let resource = CfnKey::new(
            &group,
            "Resource",
            CfnKeyProps {
                description: props.description.map(Value::Literal),
                enable_key_rotation: Some(Value::Literal(props.enable_key_rotation)),
                pending_window_in_days: props.pending_window_days.map(|d| Value::Literal(i64::from(d))),
                ..Default::default()
            },
        )?;
        resource.apply_removal_policy(props.removal_policy);
        let node = group.node();
        // The CDK's default key policy: the account's root, so that IAM policies in the
        // account can grant use of the key (without it only the key policy could).
        // https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam
        let root = Expr::concat([
            Expr::str("arn:"),
            Expr::partition(),
            Expr::str(":iam::"),
            Expr::account_id(),
            Expr::str(":root"),
        ]);
        let policy =
            LazyDocument::new([PolicyStatement::allow(&["kms:*"], ["*"]).with_principal(Principal::arn(root))]);
        resource.set_lazy(CfnKeyProps::KEY_POLICY, policy.checked(node, PolicyKind::Resource, "key policy"));
        if let Some(days) = props.pending_window_days {
            // https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html
            if !(7..=30).contains(&days) {
                node.add_error(format!(
                    "pending window of {days} days is outside 7..=30 (ScheduleKeyDeletion's PendingWindowInDays); choose a value in that range"
                ));
            }
        }
        let alias = match &props.alias {
            Some(name) => {
                if let Err(why) = check_alias_name(name) {
                    node.add_error(format!("alias {name:?}: {why}"));
                }
                let alias = Group::with_fqn(&group, "Alias", "cloudwright.kms.Alias")?;
                let props = CfnAliasProps::new(name.as_str(), Value::Expr(resource.attr_arn()));
                Some(CfnAlias::new(&alias, "Resource", props)?)
            }
            None => None,
        };
        Ok(Key { group, resource, alias, policy })
    }

    /// Adds a statement to the key policy (a resource policy: it names principals).
    pub fn add_to_resource_policy(&self, statement: PolicyStatement) {
        self.policy.add(statement);
    }

    /// The `AWS::KMS::Key` resource.
    pub fn resource(&self) -> &CfnKey {
        &self.resource
    }

    /// The `AWS::KMS::Alias` resource, when the key has an alias.
    pub fn alias(&self) -> Option<&CfnAlias> {
        self.alias.as_ref()
    }
}

/// Checks an alias name: `alias/` then letters, digits, `/`, `_` and `-`, at most 256
/// characters, not in the `alias/aws/` namespace AWS keeps for its managed keys.
/// <https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html#API_CreateAlias_RequestSyntax>
pub fn check_alias_name(name: &str) -> std::result::Result<(), String> {
    let Some(rest) = name.strip_prefix("alias/") else {
        return Err("an alias name starts with \"alias/\", e.g. \"alias/app/data\"".into());
    };
    if name.starts_with("alias/aws/") {
        return Err("\"alias/aws/\" is reserved for AWS managed keys; choose another prefix".into());
    }
    if rest.is_empty() || name.len() > 256 {
        return Err("an alias name has 1 to 250 characters after \"alias/\"".into());
    }
    if let Some(c) = rest.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-'))) {
        return Err(format!("{c:?} is not allowed; use letters, digits, '/', '_' and '-'"));
    }
    Ok(())
}
