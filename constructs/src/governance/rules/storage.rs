//! S3, KMS, CloudWatch Logs, SNS and SQS: encryption, exposure and retention.

use serde_json::Value as Json;

use super::{
    Cel, Check, Resource, Rule, cel_true, condition_keys, info, is_false, is_true, referenced_id, require, statements,
};
use crate::governance::model::Severity::{Error, Info, Warning};

const BUCKET: &[&str] = &["AWS::S3::Bucket"];

pub(super) const RULES: &[Rule] = &[
    Rule {
        info: info(
            "CW-S3-1",
            Warning,
            "S3 bucket without declared default encryption",
            "Set BucketEncryption (SSE-KMS with a customer-managed key for sensitive data)",
            "An explicit encryption configuration documents the key and survives account-level default changes.",
        ),
        check: Check::Resource(BUCKET, bucket_unencrypted),
        guard: Some("%resources.Properties.BucketEncryption.ServerSideEncryptionConfiguration !empty"),
        cel: Cel::Check(concat!(
            "has(props.BucketEncryption) && has(props.BucketEncryption.ServerSideEncryptionConfiguration) && ",
            "type(props.BucketEncryption.ServerSideEncryptionConfiguration) == list && size(props.BucketEncryption.ServerSideEncryptionConfiguration) > 0"
        )),
    },
    Rule {
        info: info(
            "CW-S3-2",
            Error,
            "S3 bucket without a full public access block",
            "Set all four PublicAccessBlockConfiguration flags to true",
            "Without it, one ACL or policy change makes objects public.",
        ),
        check: Check::Resource(BUCKET, bucket_not_blocked),
        guard: Some(concat!(
            "%resources.Properties.PublicAccessBlockConfiguration {\n",
            "    BlockPublicAcls == true\n",
            "    BlockPublicPolicy == true\n",
            "    IgnorePublicAcls == true\n",
            "    RestrictPublicBuckets == true\n",
            "  }"
        )),
        cel: Cel::Check(concat!(
            "has(props.PublicAccessBlockConfiguration) && ",
            cel_true!("props.PublicAccessBlockConfiguration.BlockPublicAcls"),
            " && ",
            cel_true!("props.PublicAccessBlockConfiguration.BlockPublicPolicy"),
            " && ",
            cel_true!("props.PublicAccessBlockConfiguration.IgnorePublicAcls"),
            " && ",
            cel_true!("props.PublicAccessBlockConfiguration.RestrictPublicBuckets")
        )),
    },
    Rule {
        info: info(
            "CW-S3-3",
            Error,
            "S3 bucket accepts requests without TLS",
            "Add a bucket policy statement denying s3:* when aws:SecureTransport is false",
            "Only a policy can refuse plain-HTTP requests to a bucket.",
        ),
        check: Check::Resource(BUCKET, bucket_without_tls_policy),
        guard: None,
        cel: Cel::Cannot("needs the bucket policies of the stack (other resources)"),
    },
    Rule {
        info: info(
            "CW-S3-4",
            Warning,
            "S3 bucket without versioning",
            "Set VersioningConfiguration.Status to Enabled",
            "Versioning lets you recover objects overwritten or deleted by mistake or by an attacker.",
        ),
        check: Check::Resource(BUCKET, bucket_unversioned),
        guard: Some("%resources.Properties.VersioningConfiguration.Status == \"Enabled\""),
        cel: Cel::Check(
            "has(props.VersioningConfiguration) && has(props.VersioningConfiguration.Status) && props.VersioningConfiguration.Status == 'Enabled'",
        ),
    },
    Rule {
        info: info(
            "CW-KMS-1",
            Error,
            "KMS key without automatic rotation",
            "Set EnableKeyRotation to true",
            "Rotation limits how much data one key version protects.",
        ),
        check: Check::Resource(&["AWS::KMS::Key"], key_not_rotated),
        guard: Some(concat!(
            "%resources[ Properties.KeySpec not exists or Properties.KeySpec == \"SYMMETRIC_DEFAULT\" ] {\n",
            "    Properties.EnableKeyRotation == true\n",
            "  }"
        )),
        cel: Cel::Check(concat!(
            "(has(props.KeySpec) && props.KeySpec != 'SYMMETRIC_DEFAULT') || ",
            cel_true!("props.EnableKeyRotation")
        )),
    },
    Rule {
        info: info(
            "CW-LOGS-1",
            Warning,
            "Log group without retention",
            "Set RetentionInDays (e.g. 30 in development, 365 in production)",
            "Logs kept forever cost money and keep personal data longer than needed.",
        ),
        check: Check::Resource(&["AWS::Logs::LogGroup"], log_group_forever),
        guard: Some("%resources.Properties.RetentionInDays exists"),
        cel: Cel::Check("has(props.RetentionInDays)"),
    },
    Rule {
        info: info(
            "CW-LOGS-2",
            Info,
            "Log group not encrypted with a customer-managed key",
            "Set KmsKeyId to a key whose policy allows the CloudWatch Logs service principal",
            "A customer-managed key controls who can read the logs, even with logs:GetLogEvents.",
        ),
        check: Check::Resource(&["AWS::Logs::LogGroup"], log_group_unencrypted),
        guard: Some("%resources.Properties.KmsKeyId exists"),
        cel: Cel::Check("has(props.KmsKeyId)"),
    },
    Rule {
        info: info(
            "CW-SNS-1",
            Info,
            "SNS topic not encrypted with KMS",
            "Set KmsMasterKeyId (a customer-managed key that lets the publishers use it)",
            "Messages at rest in the topic are readable to anyone with access to the service's storage otherwise.",
        ),
        check: Check::Resource(&["AWS::SNS::Topic"], topic_unencrypted),
        guard: Some("%resources.Properties.KmsMasterKeyId exists"),
        cel: Cel::Check("has(props.KmsMasterKeyId)"),
    },
    Rule {
        info: info(
            "CW-SQS-1",
            Warning,
            "SQS queue with server-side encryption turned off",
            "Remove SqsManagedSseEnabled: false, or set KmsMasterKeyId",
            "Queues are encrypted by default; turning it off stores messages in plain text.",
        ),
        check: Check::Resource(&["AWS::SQS::Queue"], queue_unencrypted),
        guard: None,
        cel: Cel::Check(
            "!has(props.SqsManagedSseEnabled) || !(props.SqsManagedSseEnabled == false || props.SqsManagedSseEnabled == 'false') || has(props.KmsMasterKeyId)",
        ),
    },
];

fn bucket_unencrypted(r: &Resource) -> Vec<String> {
    let rules = r.prop(&["BucketEncryption", "ServerSideEncryptionConfiguration"]).and_then(Json::as_array);
    if rules.is_some_and(|r| !r.is_empty()) { vec![] } else { vec!["no BucketEncryption".into()] }
}

fn bucket_not_blocked(r: &Resource) -> Vec<String> {
    const FLAGS: [&str; 4] = ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"];
    let Some(block) = r.prop(&["PublicAccessBlockConfiguration"]) else {
        return vec!["no PublicAccessBlockConfiguration".into()];
    };
    let off: Vec<&str> = FLAGS.into_iter().filter(|f| !is_true(block.get(f))).collect();
    if off.is_empty() {
        vec![]
    } else {
        vec![format!("PublicAccessBlockConfiguration does not set {}", off.join(", "))]
    }
}

/// Whether a statement denies requests made without TLS.
fn denies_plain_http(statement: &Json) -> bool {
    statement.get("Effect").and_then(Json::as_str) == Some("Deny")
        && condition_keys(statement).iter().any(|k| k == "aws:securetransport")
}

fn bucket_without_tls_policy(r: &Resource) -> Vec<String> {
    let enforced = r.stack.resources().any(|(_, other)| {
        other.get("Type").and_then(Json::as_str) == Some("AWS::S3::BucketPolicy")
            && other.pointer("/Properties/Bucket").and_then(referenced_id) == Some(r.id)
            && statements(other.pointer("/Properties/PolicyDocument")).iter().any(denies_plain_http)
    });
    if enforced { vec![] } else { vec!["no bucket policy denies aws:SecureTransport = false".into()] }
}

fn bucket_unversioned(r: &Resource) -> Vec<String> {
    match r.prop(&["VersioningConfiguration", "Status"]).and_then(Json::as_str) {
        Some("Enabled") => vec![],
        Some(status) => vec![format!("VersioningConfiguration.Status is {status}")],
        None => vec!["no VersioningConfiguration".into()],
    }
}

fn key_not_rotated(r: &Resource) -> Vec<String> {
    let symmetric = r.prop(&["KeySpec"]).and_then(Json::as_str).is_none_or(|s| s == "SYMMETRIC_DEFAULT");
    if symmetric && !is_true(r.prop(&["EnableKeyRotation"])) {
        vec!["EnableKeyRotation is not true".into()]
    } else {
        vec![]
    }
}

fn log_group_forever(r: &Resource) -> Vec<String> {
    require(r, &["RetentionInDays"], "no RetentionInDays: logs are kept forever")
}

fn log_group_unencrypted(r: &Resource) -> Vec<String> {
    require(r, &["KmsKeyId"], "no KmsKeyId")
}

fn topic_unencrypted(r: &Resource) -> Vec<String> {
    require(r, &["KmsMasterKeyId"], "no KmsMasterKeyId")
}

fn queue_unencrypted(r: &Resource) -> Vec<String> {
    if is_false(r.prop(&["SqsManagedSseEnabled"])) && r.prop(&["KmsMasterKeyId"]).is_none() {
        vec!["SqsManagedSseEnabled is false and no KmsMasterKeyId".into()]
    } else {
        vec![]
    }
}
