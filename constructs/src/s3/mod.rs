//! Amazon S3: the [`IBucket`] kind with its grants, and [`Bucket`], a bucket with the
//! secure defaults of the AWS CDK and then some (encrypted, public access blocked, ACLs
//! off, TLS only, retained).
//!
//! ```
//! use cloudwright_constructs::iam::{Principal, Role, RoleProps};
//! use cloudwright_constructs::s3::{Bucket, BucketProps, IBucket};
//! use cloudwright_constructs::{App, Stack, StackProps};
//!
//! let app = App::new();
//! let stack = Stack::new(&app, "S", StackProps::default())?;
//! let bucket = Bucket::new(&stack, "Reports", BucketProps { versioned: true, ..Default::default() })?;
//! let role = Role::new(&stack, "Reader", RoleProps { assumed_by: vec![Principal::service("lambda.amazonaws.com")], ..Default::default() })?;
//! bucket.grant_read(&role)?;
//! let template = app.assembly()?.template("S").unwrap();
//! assert_eq!(template["Resources"]["ReportsPolicyA5364387"]["Type"], "AWS::S3::BucketPolicy");
//! # Ok::<(), cloudwright_constructs::Error>(())
//! ```

mod bucket;

pub use bucket::{Bucket, BucketEncryption, BucketProps, check_bucket_name};

use cloudwright_core::{Construct, Expr, Result};

use crate::cfn::s3::CfnBucket;
use crate::iam::{self, Grantee, PolicyStatement};
use crate::kms::{self, Key};

/// Reading objects and listing them. Named actions, not the CDK's `BUCKET_READ_ACTIONS`
/// wildcards (`s3:GetObject*`, `s3:GetBucket*`, `s3:List*`), which also grant bucket
/// configuration, ACLs and access-grant actions on resource types a bucket grant never
/// means (<https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html>).
const READ: &[&str] = &["s3:GetObject", "s3:GetObjectVersion", "s3:GetBucketLocation", "s3:ListBucket"];
/// Writing objects (the CDK's `BUCKET_PUT_ACTIONS`).
const PUT: &[&str] = &[
    "s3:PutObject",
    "s3:PutObjectLegalHold",
    "s3:PutObjectRetention",
    "s3:PutObjectTagging",
    "s3:PutObjectVersionTagging",
    "s3:Abort*",
];
/// Deleting objects (the CDK's `BUCKET_DELETE_ACTIONS`).
const DELETE: &[&str] = &["s3:DeleteObject*"];

/// An S3 bucket (the CDK's `s3.IBucket`): its ARN and name, and grants on it.
///
/// A grant writes the grantee's own policy and, when the grantee is in another account,
/// the bucket policy too (naming its account, narrowed to its role), as both must allow a
/// request across accounts; likewise the key policy of a customer managed key encrypting
/// the bucket.
/// <https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-walkthroughs-managing-access-example2.html>
pub trait IBucket: Construct {
    /// The bucket's ARN.
    fn bucket_arn(&self) -> Expr;

    /// The bucket's name.
    fn bucket_name(&self) -> Expr;

    /// The customer managed key encrypting the bucket, whose use the grants also grant.
    fn encryption_key(&self) -> Option<&Key> {
        None
    }

    /// Adds `statement` to the bucket policy; false when this handle keeps no bucket
    /// policy to add to (the L1), so that a grant to another account is reported instead
    /// of denied at run time.
    fn try_add_to_resource_policy(&self, _statement: PolicyStatement) -> Result<bool> {
        Ok(false)
    }

    /// The ARN of the objects whose keys match `pattern` (`"*"`: every object).
    fn arn_for_objects(&self, pattern: &str) -> Expr {
        Expr::concat([self.bucket_arn(), Expr::str(format!("/{pattern}"))])
    }

    /// Reading the bucket's objects and listing them.
    fn grant_read(&self, grantee: &impl Grantee) -> Result<()>
    where
        Self: Sized,
    {
        let resources = vec![self.bucket_arn(), self.arn_for_objects("*")];
        grant(self, grantee, READ, resources, kms::KEY_READ)
    }

    /// Writing objects (put, delete, abort uploads).
    fn grant_write(&self, grantee: &impl Grantee) -> Result<()>
    where
        Self: Sized,
    {
        let actions: Vec<&str> = DELETE.iter().chain(PUT).copied().collect();
        let resources = vec![self.bucket_arn(), self.arn_for_objects("*")];
        grant(self, grantee, &actions, resources, kms::KEY_WRITE)
    }

    /// Putting objects only.
    fn grant_put(&self, grantee: &impl Grantee) -> Result<()>
    where
        Self: Sized,
    {
        grant(self, grantee, PUT, vec![self.arn_for_objects("*")], kms::KEY_WRITE)
    }

    /// Reading and writing objects.
    fn grant_read_write(&self, grantee: &impl Grantee) -> Result<()>
    where
        Self: Sized,
    {
        let actions: Vec<&str> = READ.iter().chain(DELETE).chain(PUT).copied().collect();
        let resources = vec![self.bucket_arn(), self.arn_for_objects("*")];
        grant(self, grantee, &actions, resources, kms::KEY_READ_WRITE)
    }
}

/// What to do about a grant across accounts on a bucket whose policy cloudwright does not keep.
const NO_BUCKET_POLICY: &str = "use s3::Bucket, or grant with iam::grant and add \
     iam::CrossAccount::between(&bucket, &grantee)'s statement to your own CfnBucketPolicy";

/// `actions` on `resources` of `bucket` (bucket policy too across accounts), and
/// `key_actions` on its customer managed key.
fn grant(
    bucket: &impl IBucket,
    grantee: &impl Grantee,
    actions: &[&str],
    resources: Vec<Expr>,
    key_actions: &[&str],
) -> Result<()> {
    iam::grant_with_resource_policy(
        bucket.node(),
        grantee,
        actions,
        resources,
        None,
        |statement| bucket.try_add_to_resource_policy(statement),
        ("bucket policy", NO_BUCKET_POLICY),
    )?;
    kms::grant_key(grantee, bucket.encryption_key(), key_actions)
}

impl IBucket for CfnBucket {
    fn bucket_arn(&self) -> Expr {
        self.attr_arn()
    }

    fn bucket_name(&self) -> Expr {
        self.reference()
    }
}
