//! AWS KMS: the [`IKey`] kind with its grants, and [`Key`], a customer managed key with
//! rotation on and the CDK's default key policy.
//!
//! ```
//! use cloudwright_constructs::iam::{Principal, Role, RoleProps};
//! use cloudwright_constructs::kms::{IKey, Key, KeyProps};
//! use cloudwright_constructs::{App, Stack, StackProps};
//!
//! let app = App::new();
//! let stack = Stack::new(&app, "S", StackProps::default())?;
//! let key = Key::new(&stack, "DataKey", KeyProps { alias: Some("alias/app/data".into()), ..Default::default() })?;
//! let role = Role::new(&stack, "Reader", RoleProps { assumed_by: vec![Principal::service("lambda.amazonaws.com")], ..Default::default() })?;
//! key.grant_decrypt(&role)?;
//! let template = app.assembly()?.template("S").unwrap();
//! assert_eq!(template["Resources"]["DataKey17AFBB84"]["Properties"]["EnableKeyRotation"], true);
//! # Ok::<(), cloudwright_constructs::Error>(())
//! ```

mod key;

pub use key::{Key, KeyProps, check_alias_name};

use cloudwright_core::{Construct, Expr, Result};

use crate::cfn::kms::CfnKey;
use crate::iam::{self, Grantee, PolicyStatement};

/// The actions that decrypt (the CDK's `grantDecrypt`).
const DECRYPT: &[&str] = &["kms:Decrypt"];
/// The actions that encrypt (the CDK's `grantEncrypt`).
const ENCRYPT: &[&str] = &["kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"];
/// Both (the CDK's `grantEncryptDecrypt`).
const ENCRYPT_DECRYPT: &[&str] = &["kms:Decrypt", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"];

/// A KMS key (the CDK's `kms.IKey`): its ARN and id, and grants to use it.
///
/// Grants add to the grantee's own policy, which suffices in the key's account because
/// the key policy lets that account's IAM policies decide (the CDK's default key policy).
/// A grantee in another account must also be let in by the key policy, so there the
/// grant adds a statement to it naming the grantee's account, narrowed to its role.
/// <https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html>
pub trait IKey: Construct {
    /// The key's ARN.
    fn key_arn(&self) -> Expr;

    /// The key's id.
    fn key_id(&self) -> Expr;

    /// Adds `statement` to the key policy; false when this handle keeps no key policy to
    /// add to (the L1, whose `KeyPolicy` is yours), so that a grant to another account is
    /// reported instead of denied at run time.
    fn try_add_to_resource_policy(&self, _statement: PolicyStatement) -> Result<bool> {
        Ok(false)
    }

    /// Grants `actions` on the key; across accounts, the key policy lets the grantee's
    /// role in too.
    fn grant(&self, grantee: &impl Grantee, actions: &[&str]) -> Result<()>
    where
        Self: Sized,
    {
        // A key policy's `Resource` is the key itself, written `*`.
        // https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
        iam::grant_with_resource_policy(
            self.node(),
            grantee,
            actions,
            vec![self.key_arn()],
            Some(vec![Expr::str("*")]),
            |statement| self.try_add_to_resource_policy(statement),
            ("key policy", NO_KEY_POLICY),
        )
    }

    /// Decrypting with the key.
    fn grant_decrypt(&self, grantee: &impl Grantee) -> Result<()>
    where
        Self: Sized,
    {
        self.grant(grantee, DECRYPT)
    }

    /// Encrypting with the key.
    fn grant_encrypt(&self, grantee: &impl Grantee) -> Result<()>
    where
        Self: Sized,
    {
        self.grant(grantee, ENCRYPT)
    }

    /// Encrypting and decrypting with the key.
    fn grant_encrypt_decrypt(&self, grantee: &impl Grantee) -> Result<()>
    where
        Self: Sized,
    {
        self.grant(grantee, ENCRYPT_DECRYPT)
    }
}

/// What to do about a grant across accounts on a key whose policy cloudwright does not keep.
const NO_KEY_POLICY: &str = "use kms::Key, or grant with iam::grant and add \
     iam::CrossAccount::between(&key, &grantee)'s statement (resource \"*\") to the CfnKey's KeyPolicy";

impl IKey for CfnKey {
    fn key_arn(&self) -> Expr {
        self.attr_arn()
    }

    fn key_id(&self) -> Expr {
        self.reference()
    }
}

/// Grants `key_actions` on `key`, the customer managed key encrypting a resource the
/// grantee is granted (the CDK's grants on encrypted resources); across accounts its key
/// policy lets the grantee's role in too.
pub(crate) fn grant_key(grantee: &impl Grantee, key: Option<&Key>, key_actions: &[&str]) -> Result<()> {
    match key {
        Some(key) => key.grant(grantee, key_actions),
        None => Ok(()),
    }
}

/// The key actions of an object read (the CDK's `KEY_READ_ACTIONS`).
pub(crate) const KEY_READ: &[&str] = &["kms:Decrypt", "kms:DescribeKey"];
/// The key actions of an object write; `kms:Decrypt` is needed by multipart uploads
/// (<https://repost.aws/knowledge-center/s3-multipart-kms-decrypt>).
pub(crate) const KEY_WRITE: &[&str] = &["kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Decrypt"];
/// The key actions of both.
pub(crate) const KEY_READ_WRITE: &[&str] =
    &["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"];
/// [`ENCRYPT_DECRYPT`], for the resource modules.
pub(crate) const KEY_ENCRYPT_DECRYPT: &[&str] = ENCRYPT_DECRYPT;
/// [`DECRYPT`], for the resource modules.
pub(crate) const KEY_DECRYPT: &[&str] = DECRYPT;
