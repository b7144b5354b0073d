//! `Bucket`: encrypted (S3-managed keys, or a customer managed key), all public access
//! blocked, ACLs disabled (bucket owner enforced), a bucket policy denying requests
//! without TLS, optional versioning, retained when it leaves the stack.

use cloudwright_core::{Construct, Expr, Group, Node, RemovalPolicy, Result, Value};

use super::IBucket;
use crate::cfn::s3::bucket::{
    BucketEncryption as CfnBucketEncryption, ObjectOwnership, OwnershipControls, OwnershipControlsRule,
    PublicAccessBlockConfiguration, ServerSideEncryptionByDefault, ServerSideEncryptionRule, SseAlgorithm,
    VersioningConfiguration, VersioningConfigurationStatus,
};
use crate::cfn::s3::{CfnBucket, CfnBucketPolicy, CfnBucketPolicyProps, CfnBucketProps};
use crate::iam::lazy::LazyDocument;
use crate::iam::{Condition, Operator, PolicyKind, PolicyStatement, Principal};
use crate::kms::{IKey, Key};

/// How a bucket's objects are encrypted at rest.
#[derive(Clone, Default)]
pub enum BucketEncryption {
    /// Keys S3 manages (SSE-S3).
    #[default]
    S3Managed,
    /// A customer managed KMS key (SSE-KMS, with an S3 bucket key to cut KMS requests);
    /// grants on the bucket grant use of the key too.
    Kms(Key),
}

/// Properties of a [`Bucket`].
#[derive(Clone)]
pub struct BucketProps {
    /// The bucket's name; CloudFormation generates one when `None`. Bucket names are
    /// global across AWS: a fixed name stops the stack deploying twice.
    pub bucket_name: Option<String>,
    /// Encryption at rest.
    pub encryption: BucketEncryption,
    /// Keep every version of every object.
    pub versioned: bool,
    /// What happens to the bucket when it leaves the stack (`Retain` by default, as the
    /// CDK: CloudFormation cannot delete a bucket that holds objects anyway).
    pub removal_policy: RemovalPolicy,
}

impl Default for BucketProps {
    fn default() -> Self {
        BucketProps {
            bucket_name: None,
            encryption: BucketEncryption::default(),
            versioned: false,
            removal_policy: RemovalPolicy::Retain,
        }
    }
}

/// An S3 bucket.
#[derive(Clone)]
pub struct Bucket {
    group: Group,
    resource: CfnBucket,
    policy: CfnBucketPolicy,
    document: LazyDocument,
    key: Option<Key>,
}

impl Construct for Bucket {
    fn node(&self) -> &Node {
        self.group.node()
    }
}

impl IBucket for Bucket {
    fn bucket_arn(&self) -> Expr {
        self.resource.attr_arn()
    }

    fn bucket_name(&self) -> Expr {
        self.resource.reference()
    }

    fn encryption_key(&self) -> Option<&Key> {
        self.key.as_ref()
    }

    fn try_add_to_resource_policy(&self, statement: PolicyStatement) -> Result<bool> {
        self.document.add(statement);
        Ok(true)
    }
}

impl Bucket {
    /// Defines a bucket and its TLS-only bucket policy.
    pub fn new(scope: &impl Construct, id: &str, props: BucketProps) -> Result<Self> {
        let group = crate::scope::group_in_stack(scope, id, "cloudwright.s3.Bucket")?;
        let key = match props.encryption {
            BucketEncryption::S3Managed => None,
            BucketEncryption::Kms(key) => Some(key),
        };
        let resource = CfnBucket::new(
            &group,
            "Resource",
            CfnBucketProps {
                bucket_encryption: Some(encryption(key.as_ref())),
                bucket_name: props.bucket_name.as_deref().map(Value::from),
                // ACLs off: the bucket owner owns every object, and access is by policy only.
                // https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
                ownership_controls: Some(OwnershipControls::new([OwnershipControlsRule {
                    object_ownership: Some(ObjectOwnership::BucketOwnerEnforced.into()),
                }])),
                // https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
                public_access_block_configuration: Some(PublicAccessBlockConfiguration {
                    block_public_acls: Some(true.into()),
                    block_public_policy: Some(true.into()),
                    ignore_public_acls: Some(true.into()),
                    restrict_public_buckets: Some(true.into()),
                }),
                versioning_configuration: props
                    .versioned
                    .then(|| VersioningConfiguration::new(VersioningConfigurationStatus::Enabled)),
                ..Default::default()
            },
        )?;
        resource.apply_removal_policy(props.removal_policy);
        let node = group.node();
        if let Some(name) = &props.bucket_name {
            if let Err(why) = check_bucket_name(name) {
                node.add_error(format!("bucket name {name:?}: {why}"));
            }
        }
        let policy = CfnBucketPolicy::new(
            &group,
            "Policy",
            CfnBucketPolicyProps::new(Value::Expr(resource.reference()), serde_json::Value::Null),
        )?;
        let arn = resource.attr_arn();
        // https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html#transit
        let tls_only = PolicyStatement::deny(&["s3:*"], [arn.clone(), Expr::concat([arn, Expr::str("/*")])])
            .with_principal(Principal::Any)
            .with_condition(Condition::new(Operator::bool(), "aws:SecureTransport", ["false"]));
        let document = LazyDocument::new([tls_only]);
        policy.set_lazy(
            CfnBucketPolicyProps::POLICY_DOCUMENT,
            document.checked(node, PolicyKind::Resource, "bucket policy"),
        );
        Ok(Bucket { group, resource, policy, document, key })
    }

    /// Adds a statement to the bucket policy (a resource policy: it names principals).
    pub fn add_to_resource_policy(&self, statement: PolicyStatement) {
        self.document.add(statement);
    }

    /// The `AWS::S3::Bucket` resource.
    pub fn resource(&self) -> &CfnBucket {
        &self.resource
    }

    /// The `AWS::S3::BucketPolicy` resource.
    pub fn policy(&self) -> &CfnBucketPolicy {
        &self.policy
    }
}

fn encryption(key: Option<&Key>) -> CfnBucketEncryption {
    let rule = match key {
        None => ServerSideEncryptionRule {
            server_side_encryption_by_default: Some(ServerSideEncryptionByDefault::new(SseAlgorithm::Aes256)),
            ..Default::default()
        },
        Some(key) => ServerSideEncryptionRule {
            // https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html
            bucket_key_enabled: Some(true.into()),
            server_side_encryption_by_default: Some(ServerSideEncryptionByDefault {
                kms_master_key_id: Some(Value::Expr(key.key_arn())),
                ..ServerSideEncryptionByDefault::new(SseAlgorithm::AwsKms)
            }),
            ..Default::default()
        },
    };
    CfnBucketEncryption::new([rule])
}

/// Checks a general purpose bucket name against S3's naming rules.
/// <https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html>
pub fn check_bucket_name(name: &str) -> std::result::Result<(), String> {
    if !(3..=63).contains(&name.len()) {
        return Err(format!("has {} characters; bucket names have 3 to 63", name.len()));
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-'))) {
        return Err(format!("{c:?} is not allowed; use lowercase letters, digits, '.' and '-'"));
    }
    let alphanumeric = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !alphanumeric(name.chars().next()) || !alphanumeric(name.chars().last()) {
        return Err("must begin and end with a letter or digit".into());
    }
    if name.contains("..") {
        return Err("must not contain two adjacent periods".into());
    }
    if name.split('.').count() == 4 && name.split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit())) {
        return Err("must not be formatted as an IP address".into());
    }
    const PREFIXES: &[&str] = &["xn--", "sthree-", "amzn-s3-demo-"];
    const SUFFIXES: &[&str] = &["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];
    if let Some(p) = PREFIXES.iter().find(|p| name.starts_with(**p)) {
        return Err(format!("must not start with {p:?}, which S3 reserves"));
    }
    if let Some(s) = SUFFIXES.iter().find(|s| name.ends_with(**s)) {
        return Err(format!("must not end with {s:?}, which S3 reserves"));
    }
    Ok(())
}
