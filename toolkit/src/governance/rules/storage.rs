//! S3, KMS, CloudWatch Logs, SNS and SQS: encryption, exposure and retention.

use serde_json::Value as Json;

use super::{
    Cel, Check, Impl, Resource, cel_true, condition_keys, is_false, is_true, referenced_id, require, statements,
};

pub(super) const RULES: &[Impl] = &[
    Impl {
        id: "CW-S3-1",
        check: Check::Resource(bucket_unencrypted),
        guard: Some("%resources.Properties.BucketEncryption.ServerSideEncryptionConfiguration !empty"),
        cel: Cel::Check(concat!(
            "has(props.BucketEncryption) && has(props.BucketEncryption.ServerSideEncryptionConfiguration) && ",
            "type(props.BucketEncryption.ServerSideEncryptionConfiguration) == list && size(props.BucketEncryption.ServerSideEncryptionConfiguration) > 0"
        )),
    },
    Impl {
        id: "CW-S3-2",
        check: Check::Resource(bucket_not_blocked),
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
    Impl {
        id: "CW-S3-3",
        check: Check::Resource(bucket_without_tls_policy),
        guard: None,
        cel: Cel::Cannot("needs the bucket policies of the stack (other resources)"),
    },
    Impl {
        id: "CW-S3-4",
        check: Check::Resource(bucket_unversioned),
        guard: Some("%resources.Properties.VersioningConfiguration.Status == \"Enabled\""),
        cel: Cel::Check(
            "has(props.VersioningConfiguration) && has(props.VersioningConfiguration.Status) && props.VersioningConfiguration.Status == 'Enabled'",
        ),
    },
    Impl {
        id: "CW-KMS-1",
        check: Check::Resource(key_not_rotated),
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
    Impl {
        id: "CW-LOGS-1",
        check: Check::Resource(log_group_forever),
        guard: Some("%resources.Properties.RetentionInDays exists"),
        cel: Cel::Check("has(props.RetentionInDays)"),
    },
    Impl {
        id: "CW-LOGS-2",
        check: Check::Resource(log_group_unencrypted),
        guard: Some("%resources.Properties.KmsKeyId exists"),
        cel: Cel::Check("has(props.KmsKeyId)"),
    },
    Impl {
        id: "CW-SNS-1",
        check: Check::Resource(topic_unencrypted),
        guard: Some("%resources.Properties.KmsMasterKeyId exists"),
        cel: Cel::Check("has(props.KmsMasterKeyId)"),
    },
    Impl {
        id: "CW-SQS-1",
        check: Check::Resource(queue_unencrypted),
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
