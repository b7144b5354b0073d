//! The pipeline's artifact store: a KMS key and an S3 bucket, both with deterministic
//! names, whose policies admit the deploy roles of the target accounts.

use cloudwright_core::logical_id::physical_name;
use cloudwright_core::{Construct, Expr, RemovalPolicy, Result};

use crate::cfn::kms::{CfnAlias, CfnAliasProps, CfnKey, CfnKeyProps};
use crate::cfn::s3::bucket::{
    BucketEncryption, ObjectOwnership, OwnershipControls, OwnershipControlsRule, PublicAccessBlockConfiguration,
    ServerSideEncryptionByDefault, ServerSideEncryptionRule, SseAlgorithm, VersioningConfiguration,
    VersioningConfigurationStatus,
};
use crate::cfn::s3::{CfnBucket, CfnBucketPolicy, CfnBucketPolicyProps, CfnBucketProps};
use crate::iam::{Condition, Operator, PolicyDocument, PolicyStatement, Principal, Role};

/// The names everything in the pipeline's accounts agree on, derived from its path.
#[derive(Debug, Clone)]
pub struct PipelineNames {
    /// The management account.
    pub account: String,
    /// The pipeline's region.
    pub region: String,
    /// The artifact bucket's name.
    pub bucket: String,
    /// The artifact key's alias (`alias/...`).
    pub key_alias: String,
    /// The pipeline role's name.
    pub pipeline_role: String,
    /// The deploy role's name in each target account.
    pub deploy_role: String,
    /// The CloudFormation execution role's name in each target account.
    pub execution_role: String,
    /// The role smoke tests assume in each target account.
    pub smoke_test_role: String,
    /// The permissions boundary every role of the deployed stacks carries, in each target
    /// account.
    pub permissions_boundary: String,
    /// The pipeline's path, from which the names derive.
    path: String,
}

impl PipelineNames {
    /// Names for the pipeline at `path` in `account`/`region`.
    pub fn new(path: &str, account: &str, region: &str) -> Self {
        PipelineNames {
            account: account.into(),
            region: region.into(),
            // Bucket names are global per partition: the account and region keep a second
            // organization deploying the same app from BucketAlreadyExists (CW-DEPLOY-3,
            // https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
            bucket: format!(
                "{}-{account}-{region}",
                physical_name(&format!("{path}/Artifacts"), 63 - account.len() - region.len() - 2)
            ),
            key_alias: format!("alias/{}", physical_name(&format!("{path}/ArtifactsKey"), 200)),
            pipeline_role: physical_name(&format!("{path}/PipelineRole"), 64),
            deploy_role: physical_name(&format!("{path}/DeployRole"), 64),
            execution_role: physical_name(&format!("{path}/ExecutionRole"), 64),
            smoke_test_role: physical_name(&format!("{path}/SmokeTestRole"), 64),
            permissions_boundary: physical_name(&format!("{path}/PermissionsBoundary"), 128),
            path: path.into(),
        }
    }

    /// The name of the smoke-test project's role of one environment, in the management
    /// account: the target account's smoke-test role trusts it by name.
    pub fn smoke_test_project_role(&self, environment: &str) -> String {
        physical_name(&format!("{}/SmokeTest{environment}Role", self.path), 64)
    }

    /// The ARN of a role by name in an account.
    pub fn role_arn(account: &str, name: &str) -> Expr {
        Expr::sub(format!("arn:${{AWS::Partition}}:iam::{account}:role/{name}"))
    }

    /// The deploy role in a target account.
    pub fn deploy_role_arn(&self, account: &str) -> Expr {
        Self::role_arn(account, &self.deploy_role)
    }

    /// The smoke-test role in a target account.
    pub fn smoke_test_role_arn(&self, account: &str) -> Expr {
        Self::role_arn(account, &self.smoke_test_role)
    }

    /// The execution role in a target account.
    pub fn execution_role_arn(&self, account: &str) -> Expr {
        Self::role_arn(account, &self.execution_role)
    }

    /// The pipeline role in the management account.
    pub fn pipeline_role_arn(&self) -> Expr {
        Self::role_arn(&self.account, &self.pipeline_role)
    }

    /// The artifact bucket's ARN.
    pub fn bucket_arn(&self) -> Expr {
        Expr::sub(format!("arn:${{AWS::Partition}}:s3:::{}", self.bucket))
    }

    /// Objects of the artifact bucket.
    pub fn objects_arn(&self) -> Expr {
        Expr::sub(format!("arn:${{AWS::Partition}}:s3:::{}/*", self.bucket))
    }

    /// Any key of the management account: the artifact key's policy decides which.
    pub fn keys_arn(&self) -> Expr {
        Expr::sub(format!("arn:${{AWS::Partition}}:kms:{}:{}:key/*", self.region, self.account))
    }
}

/// Lets a role of the management account read and write artifacts.
pub(crate) fn grant_artifacts(role: &Role, names: &PipelineNames, key: &Expr) -> Result<()> {
    role.add_to_policy(PolicyStatement::allow(
        &[
            "s3:GetObject",
            "s3:GetObjectVersion",
            "s3:GetBucketLocation",
            "s3:ListBucket",
            "s3:PutObject",
            "s3:AbortMultipartUpload",
        ],
        [names.bucket_arn(), names.objects_arn()],
    ))?;
    role.add_to_policy(PolicyStatement::allow(
        &["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
        [key.clone()],
    ))
}

/// The key and bucket, created in the management stack.
pub(crate) struct ArtifactStore {
    pub key: CfnKey,
    pub bucket: CfnBucket,
}

pub(crate) fn artifact_store(
    scope: &impl Construct,
    names: &PipelineNames,
    targets: &[String],
) -> Result<ArtifactStore> {
    // The target accounts' deploy roles are created by their baseline stacks, which deploy
    // after this one (they read its outputs): IAM, S3 and KMS refuse a policy naming a role
    // that does not exist yet ("Invalid principal in policy", CW-DEPLOY-1), so the policies
    // name each account's root, narrowed to its deploy role by `aws:PrincipalArn`
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
    let target_roots: Vec<Principal> = targets.iter().map(|a| Principal::account(a)).collect();
    let deploy_roles =
        Condition::new(Operator::arn_equals(), "aws:PrincipalArn", targets.iter().map(|a| names.deploy_role_arn(a)));
    let mut key_policy = PolicyDocument::new([PolicyStatement {
        sid: Some("KeyAdministration".into()),
        ..PolicyStatement::allow(&["kms:*"], ["*"])
    }
    .with_principal(Principal::account(&names.account))]);
    if !target_roots.is_empty() {
        key_policy.add_statement(
            PolicyStatement {
                sid: Some("TargetAccountsDecrypt".into()),
                principals: target_roots.clone(),
                ..PolicyStatement::allow(&["kms:Decrypt", "kms:DescribeKey"], ["*"])
            }
            .with_condition(deploy_roles.clone()),
        );
    }
    let key = CfnKey::new(
        scope,
        "ArtifactsKey",
        CfnKeyProps {
            description: Some(format!("Encrypts the artifacts of {}", names.bucket).into()),
            enable_key_rotation: Some(true.into()),
            key_policy: Some(key_policy.to_json()),
            ..Default::default()
        },
    )?;
    key.apply_removal_policy(RemovalPolicy::Retain);
    CfnAlias::new(scope, "ArtifactsKeyAlias", CfnAliasProps::new(&names.key_alias, key.attr_arn()))?;

    let bucket = CfnBucket::new(
        scope,
        "ArtifactsBucket",
        CfnBucketProps {
            bucket_name: Some((&names.bucket).into()),
            bucket_encryption: Some(BucketEncryption {
                server_side_encryption_configuration: vec![ServerSideEncryptionRule {
                    server_side_encryption_by_default: Some(ServerSideEncryptionByDefault {
                        kms_master_key_id: Some(key.attr_arn().into()),
                        ..ServerSideEncryptionByDefault::new(SseAlgorithm::AwsKms)
                    }),
                    bucket_key_enabled: Some(true.into()),
                    ..Default::default()
                }],
            }),
            public_access_block_configuration: Some(PublicAccessBlockConfiguration {
                block_public_acls: Some(true.into()),
                block_public_policy: Some(true.into()),
                ignore_public_acls: Some(true.into()),
                restrict_public_buckets: Some(true.into()),
            }),
            versioning_configuration: Some(VersioningConfiguration::new(VersioningConfigurationStatus::Enabled)),
            ownership_controls: Some(OwnershipControls {
                rules: vec![OwnershipControlsRule {
                    object_ownership: Some(ObjectOwnership::BucketOwnerEnforced.into()),
                }],
            }),
            ..Default::default()
        },
    )?;
    bucket.apply_removal_policy(RemovalPolicy::Retain);

    let mut bucket_policy = PolicyDocument::new([PolicyStatement {
        sid: Some("DenyInsecureTransport".into()),
        principals: vec![Principal::Any],
        ..PolicyStatement::deny(&["s3:*"], [names.bucket_arn(), names.objects_arn()])
    }
    .with_condition(Condition::new(Operator::bool(), "aws:SecureTransport", ["false"]))]);
    if !targets.is_empty() {
        bucket_policy.add_statement(
            PolicyStatement {
                sid: Some("TargetAccountsRead".into()),
                principals: target_roots,
                ..PolicyStatement::allow(
                    &["s3:GetObject", "s3:GetObjectVersion", "s3:GetBucketLocation", "s3:ListBucket"],
                    [names.bucket_arn(), names.objects_arn()],
                )
            }
            .with_condition(deploy_roles),
        );
    }
    CfnBucketPolicy::new(
        scope,
        "ArtifactsBucketPolicy",
        CfnBucketPolicyProps::new(bucket.reference(), bucket_policy.to_json()),
    )?;
    Ok(ArtifactStore { key, bucket })
}
