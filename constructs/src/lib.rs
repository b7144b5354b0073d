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

pub mod iam;

pub mod org;

pub mod controltower;
pub mod diff;
#[cfg(feature = "dynamodb")]
pub mod dynamodb;
#[cfg(all(feature = "ec2", feature = "logs", feature = "iam"))]
pub mod ec2;
pub mod governance;
pub mod lambda;
pub mod monitoring;
pub mod pipeline;
pub mod proton;
mod scope;
pub mod stackset;

pub mod events;
pub mod kms;
pub mod s3;
pub mod sns;
pub mod sqs;
