//! AWS Lambda: functions and monitored Lambda services.
//!
//! ```
//! use cloudwright_constructs::{App, Environment, Stack, StackProps};
//! use cloudwright_constructs::lambda::{Code, Function, FunctionProps, Runtime};
//!
//! let app = App::new();
//! let stack = Stack::new(&app, "Service", StackProps { env: Environment::new("200000000000", "us-east-1"), ..Default::default() })?;
//! let function = Function::new(&stack, "Handler", FunctionProps {
//!     runtime: Runtime::Python312,
//!     handler: "index.handler".into(),
//!     code: Code::Inline("def handler(event, context):\n    return 1\n".into()),
//!     memory_size: 256.into(),
//!     ..Default::default()
//! })?;
//! function.alarm_errors(1.0, &[])?;
//! assert!(app.assembly().is_ok());
//! # Ok::<(), cloudwright_constructs::Error>(())
//! ```

mod function;
mod handle;
mod runtime;
mod service;

pub use function::{Architecture, Code, Function, FunctionProps, Permission, VpcPlacement};
pub use handle::IFunction;
pub use runtime::Runtime;
pub use service::{LambdaService, LambdaServiceProps};
