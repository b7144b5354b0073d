//! # cloudwright-core
//!
//! The construct tree, typed expressions, CDK-compatible logical ids and synthesis to a
//! cloud assembly. It knows nothing of any AWS service: resource types come from
//! `cloudwright-constructs`.
//!
//! | AWS CDK | cloudwright |
//! |---|---|
//! | `App`, `Stage`, `Stack` | [`App`], [`Stage`], [`Stack`] |
//! | `new Construct(scope, id)` | [`Group`] |
//! | `CfnResource`, `CfnParameter`, `CfnOutput`, ... | [`CfnResource`], [`CfnParameter`], [`CfnOutput`], ... |
//! | tokens (`Fn.join`, `resource.attrArn`) | [`Expr`], typed accessors returning `Expr` |
//! | `Aspects.of(x).add(...)`, `Tags.of(x).add(...)` | [`Node::add_aspect`], [`Tags::add`] |
//! | `node.addValidation` | [`Node::add_validation`] |
//!
//! ```
//! use cloudwright_core::{App, CfnResource, Environment, Stack, StackProps};
//!
//! let app = App::new();
//! let stack = Stack::new(&app, "Queues", StackProps {
//!     env: Environment::new("111111111111", "us-east-1"),
//!     ..Default::default()
//! })?;
//! let queue = CfnResource::new(&stack, "Jobs", "AWS::SQS::Queue", Default::default())?;
//! assert_eq!(queue.logical_id(), "Jobs");
//! let assembly = app.assembly()?;
//! assert!(assembly.file("Queues.template.json").is_some());
//! # Ok::<(), cloudwright_core::Error>(())
//! ```

mod app;
pub mod aspects;
pub mod assembly;
pub mod asset;
pub mod context;
mod element;
pub mod env;
mod error;
pub mod expr;
mod group;
pub mod limits;
mod literals;
pub mod logical_id;
mod resource;
mod sections;
mod store;
mod stored;
pub mod synth;
#[cfg(feature = "testing")]
pub mod testing;
mod tree;

pub use app::{App, AppProps, FileGenerator, Stack, StackProps, StackValues, Stage, StageProps};
pub use aspects::{Aspect, Tags};
pub use element::{RemovalPolicy, TagFormat};
pub use env::Environment;
pub use error::{Error, Result};
pub use expr::{Cond, DynamicReference, ElementRef, Expr, Pseudo, Strength, Value};
pub use group::Group;
pub use literals::fold_literals;
pub use resource::{CfnResource, ResourceType};
pub use sections::{
    CfnCondition, CfnMapping, CfnOutput, CfnParameter, CfnRule, OutputProps, ParameterProps, RuleProps,
};
pub use synth::{Assembly, StackSummary, StagedAssembly, SynthReport, Warning};
pub use tree::{Construct, LazyValue, Node, Validator};
