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
use crate::iam::Grantee;
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
pub trait IBucket: Construct {
    /// The bucket's ARN.
    fn bucket_arn(&self) -> Expr;

    /// The bucket's name.
    fn bucket_name(&self) -> Expr;

    /// The customer managed key encrypting the bucket, whose use the grants also grant.
    fn encryption_key(&self) -> Option<&Key> {
        None
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
        let resources = [self.bucket_arn(), self.arn_for_objects("*")];
        kms::grant_with_key(grantee, READ, resources, self.encryption_key(), kms::KEY_READ)
    }

    /// Writing objects (put, delete, abort uploads).
    fn grant_write(&self, grantee: &impl Grantee) -> Result<()>
    where
        Self: Sized,
    {
        let actions: Vec<&str> = DELETE.iter().chain(PUT).copied().collect();
        let resources = [self.bucket_arn(), self.arn_for_objects("*")];
        kms::grant_with_key(grantee, &actions, resources, self.encryption_key(), kms::KEY_WRITE)
    }

    /// Putting objects only.
    fn grant_put(&self, grantee: &impl Grantee) -> Result<()>
    where
        Self: Sized,
    {
        kms::grant_with_key(grantee, PUT, [self.arn_for_objects("*")], self.encryption_key(), kms::KEY_WRITE)
    }

    /// Reading and writing objects.
    fn grant_read_write(&self, grantee: &impl Grantee) -> Result<()>
    where
        Self: Sized,
    {
        let actions: Vec<&str> = READ.iter().chain(DELETE).chain(PUT).copied().collect();
        let resources = [self.bucket_arn(), self.arn_for_objects("*")];
        kms::grant_with_key(grantee, &actions, resources, self.encryption_key(), kms::KEY_READ_WRITE)
    }
}

impl IBucket for CfnBucket {
    fn bucket_arn(&self) -> Expr {
        self.attr_arn()
    }

    fn bucket_name(&self) -> Expr {
        self.reference()
    }
}
