//! Resources that hold data, and whether a change deletes that data.
//!
//! The list is cfn-lint's (AWS's linter, the version pinned in `../shared/oracles`):
//! `cfnlint/data/AdditionalSpecs/StatefulResources.json`, read by its rule I3011
//! ("stateful resources should have an explicit UpdateReplacePolicy and DeletionPolicy").
//! `cargo xtask ci` compares it with the pinned cfn-lint's file (`scripts/check-aws-data.py`).
//! What keeps the data is CloudFormation's `DeletionPolicy` (on delete) and
//! `UpdateReplacePolicy` (on replacement): `Retain`, `RetainExceptOnCreate` or `Snapshot`
//! (<https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html>).

use serde_json::Value as Json;

/// The resource types that hold data (cfn-lint 1.58.0, `StatefulResources.json`).
pub const STATEFUL_TYPES: &[&str] = &[
    "AWS::Backup::BackupVault",
    "AWS::CloudFormation::Stack",
    "AWS::Cognito::UserPool",
    "AWS::DocDB::DBCluster",
    "AWS::DocDB::DBInstance",
    "AWS::DynamoDB::GlobalTable",
    "AWS::DynamoDB::Table",
    "AWS::EC2::Volume",
    "AWS::EFS::FileSystem",
    "AWS::EMR::Cluster",
    "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::Elasticsearch::Domain",
    "AWS::FSx::FileSystem",
    "AWS::KMS::Key",
    "AWS::Kinesis::Stream",
    "AWS::Logs::LogGroup",
    "AWS::Neptune::DBCluster",
    "AWS::Neptune::DBInstance",
    "AWS::OpenSearchService::Domain",
    "AWS::Organizations::Account",
    "AWS::QLDB::Ledger",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::Redshift::Cluster",
    "AWS::S3::Bucket",
    "AWS::SDB::Domain",
    "AWS::SQS::Queue",
    "AWS::SecretsManager::Secret",
];

/// How the old resource leaves its stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Leaving {
    /// Removed from the template: `DeletionPolicy` decides.
    Deleted,
    /// Replaced by an update: `UpdateReplacePolicy` decides.
    Replaced,
    /// Moved, deployed without a refactor: CloudFormation deletes it from the old place.
    MovedWithoutRefactor,
}

/// Why leaving its stack loses the data of `resource` (the old side's body), or `None`
/// when it holds no data or a policy keeps it.
pub(crate) fn data_loss(resource: &Json, leaving: Leaving) -> Option<String> {
    let resource_type = resource.get("Type").and_then(Json::as_str)?;
    if !STATEFUL_TYPES.contains(&resource_type) {
        return None;
    }
    let attribute = match leaving {
        Leaving::Replaced => "UpdateReplacePolicy",
        Leaving::Deleted | Leaving::MovedWithoutRefactor => "DeletionPolicy",
    };
    let policy = resource.get(attribute).and_then(Json::as_str).unwrap_or("Delete");
    if matches!(policy, "Retain" | "RetainExceptOnCreate" | "Snapshot") {
        return None;
    }
    let what = match leaving {
        Leaving::Deleted => "removing it deletes them",
        Leaving::Replaced => "the replacement deletes the old resource and them",
        Leaving::MovedWithoutRefactor => {
            "a deploy without `cloudwright refactor` first deletes them at the old place and creates an empty resource"
        }
    };
    Some(format!(
        "{resource_type} holds data: {what} ({attribute}: {policy}); set {attribute}: Retain or Snapshot to keep them"
    ))
}
