//! # cloudwright-constructs
//!
//! Typed AWS constructs. Re-exports all of [`cloudwright_core`], so an app depends on
//! this one crate.
//!
//! | AWS CDK | cloudwright |
//! |---|---|
//! | `App`, `Stage`, `Stack`, `new Construct(scope, id)` | [`App`], [`Stage`], [`Stack`], [`Group`] |
//! | tokens: `bucket.attrArn`, `Fn.join`, `Fn.sub`, `Aws.REGION` | typed [`Expr`]: `bucket.attr_arn()`, [`Expr::join`], [`Expr::sub`], [`Expr::region`] |
//! | L1 `CfnBucket`, `CfnBucketProps` | [`cfn::s3::CfnBucket`], [`cfn::s3::CfnBucketProps`] (one cargo feature per service) |
//! | `iam.Role`, `PolicyStatement` | [`iam::Role`], [`iam::PolicyStatement`] |
//! | `topic.grantPublish(role)`, `bucket.grantRead(fn)`, `queue.grantSendMessages(role)` | [`sns::ITopic::grant_publish`], [`s3::IBucket::grant_read`], [`sqs::IQueue::grant_send_messages`] (on the L2s and the L1s) |
//! | `s3.Bucket`, `sqs.Queue`, `sns.Topic`, `kms.Key` | [`s3::Bucket`], [`sqs::Queue`], [`sns::Topic`], [`kms::Key`] |
//! | `lambda.Function`, `fn.metricErrors().createAlarm(..)` | [`lambda::Function`], `function.alarm_errors(..)` |
//! | `pipelines.CodePipeline` across accounts | [`pipeline::DeliveryPipeline`] |
//! | `Aspects.of(x).add(..)`, `Tags.of(x).add(k, v)` | [`Node::add_aspect`], [`Tags::add`] |
//! | `node.addValidation(..)` | [`Node::add_validation`] |
//! | `cdk synth` | [`App::synth`] / `cloudwright synth` |
//!
//! The AWS Organizations side ([`org`], [`controltower`], [`stackset`]) and typed AWS
//! Proton templates ([`proton`]) have no CDK counterpart.
//!
//! ```
//! use cloudwright_constructs::cfn::sqs::{CfnQueue, CfnQueueProps};
//! use cloudwright_constructs::{App, Stack, StackProps};
//!
//! let app = App::new();
//! let stack = Stack::new(&app, "Queues", StackProps::default())?;
//! let queue = CfnQueue::new(&stack, "Jobs", CfnQueueProps { visibility_timeout: Some(120.into()), ..Default::default() })?;
//! let arn = queue.attr_arn(); // an Expr: `Fn::GetAtt` once synthesized
//! # let _ = arn;
//! assert!(app.assembly()?.template("Queues").is_some());
//! # Ok::<(), cloudwright_constructs::Error>(())
//! ```

pub use cloudwright_core::*;

/// Typed L1 resources generated from the CloudFormation resource provider schemas, one
/// module and cargo feature per service: `cfn::s3::{CfnBucket, CfnBucketProps}`.
/// Regenerate with `cargo xtask codegen`; never edit by hand (nor format: rustfmt skips it).
#[rustfmt::skip]
pub mod cfn;

// L2 modules exist when the services they build on are on (one cargo feature per service,
// `default` has every service they use); policy documents, diffs, governance and the Proton
// tooling need none.
pub mod iam;

#[cfg(all(feature = "organizations", feature = "controltower", feature = "iam"))]
pub mod controltower;
pub mod deploy;
#[cfg(all(feature = "dynamodb", feature = "iam"))]
pub mod dynamodb;
#[cfg(all(feature = "ec2", feature = "iam", feature = "lambda", feature = "logs", feature = "cloudwatch"))]
pub mod ec2;
#[cfg(all(feature = "events", feature = "iam"))]
pub mod events;
pub mod governance;
#[cfg(all(feature = "kms", feature = "iam"))]
#[cfg_attr(not(feature = "full"), allow(dead_code))]
pub mod kms;
#[cfg(all(feature = "lambda", feature = "iam", feature = "logs", feature = "cloudwatch"))]
#[cfg_attr(not(feature = "full"), allow(unused_imports))]
pub mod lambda;
mod log_retention;
#[cfg(feature = "cloudwatch")]
pub mod monitoring;
#[cfg(all(feature = "organizations", feature = "controltower", feature = "iam"))]
pub mod org;
#[cfg(all(
    feature = "codebuild",
    feature = "codepipeline",
    feature = "kms",
    feature = "s3",
    feature = "sqs",
    feature = "iam",
    feature = "logs"
))]
pub mod pipeline;
// Helpers of the L2s go unused when some L2s are off; with every service on (`full`, as CI's
// clippy runs) dead code is still reported.
#[cfg_attr(not(feature = "full"), allow(dead_code))]
pub mod proton;
#[cfg(all(feature = "s3", feature = "kms", feature = "iam"))]
pub mod s3;
#[cfg_attr(not(feature = "full"), allow(dead_code))]
mod scope;
#[cfg(all(
    feature = "sns",
    feature = "kms",
    feature = "iam",
    feature = "sqs",
    feature = "lambda",
    feature = "logs",
    feature = "cloudwatch"
))]
pub mod sns;
#[cfg(all(feature = "sqs", feature = "kms", feature = "iam"))]
pub mod sqs;
#[cfg(all(feature = "cloudformation", feature = "sns"))]
pub mod stackset;
