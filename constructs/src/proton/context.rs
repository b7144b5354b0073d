//! The context a template's infrastructure is built in: one type, [`TemplateContext`], for
//! the three kinds of infrastructure (an environment's, a service instance's, a service
//! pipeline's). What they share (the stack, the template's inputs, where problems go, the
//! `service.*` parameters of both service scopes) is written once here; what only one kind
//! has is in an `impl` for its scope, beside its template (`environment.rs`, `service.rs`).

use std::cell::RefCell;
use std::rc::Rc;

use cloudwright_core::{CfnOutput, Expr, OutputProps, Result, Stack};
use indexmap::IndexMap;
use serde_json::Value as Json;

use super::parameters::{
    AS_TEXT, ENVIRONMENT_INPUTS, PIPELINE_INPUTS, SERVICE_BRANCH_NAME, SERVICE_INSTANCE_INPUTS, SERVICE_NAME,
    SERVICE_REPOSITORY_CONNECTION_ARN, SERVICE_REPOSITORY_ID,
};
use super::schema::InputSchema;
use super::{Compatible, Problems, checked_input};

/// The context a template's infrastructure is built in: its stack and accessors for the
/// Proton parameters its kind of template sees (see [`super::parameters`]), each a
/// placeholder in the bundle and, in plain mode, the value Proton would have rendered.
///
/// `S` is the kind of template ([`EnvironmentScope`], [`InstanceScope`],
/// [`PipelineScope`]); apps name the contexts by their aliases, [`EnvironmentContext`],
/// [`InstanceContext`] and [`PipelineContext`].
pub struct TemplateContext<S: Scope> {
    pub(crate) stack: Stack,
    /// The schema of the template's inputs (`S::INPUTS`).
    pub(crate) inputs: Rc<InputSchema>,
    pub(crate) problems: Problems,
    /// Plain mode: every parameter's value (the dotted form of the parameter tree,
    /// [`super::parameters::flatten`]); `None` while the bundle is built.
    pub(crate) values: Option<Rc<IndexMap<String, Json>>>,
    pub(crate) scope: S,
}

/// The context an environment template's infrastructure is built in: its stack and the
/// Proton parameters of the environment namespace (`environment.*`).
pub type EnvironmentContext = TemplateContext<EnvironmentScope>;

/// The context a service instance's infrastructure is built in: its stack and the Proton
/// parameters of the service instance namespace (`service_instance.*`, `service.*`, its
/// `environment.*`).
pub type InstanceContext = TemplateContext<InstanceScope>;

/// The context a service pipeline is built in: its stack, the pipeline's inputs
/// (`pipeline.inputs.*`), `service.*` and the service's instances.
pub type PipelineContext = TemplateContext<PipelineScope>;

mod sealed {
    pub trait Sealed {}
}

/// A kind of template infrastructure: what a [`TemplateContext`] builds.
pub trait Scope: sealed::Sealed {
    /// The namespace of the template's inputs: `environment.inputs`,
    /// `service_instance.inputs` or `pipeline.inputs`.
    const INPUTS: &'static str;
}

/// The scopes of a service template (an instance's infrastructure and the pipeline): both
/// read the `service.*` parameters.
pub trait ServiceScope: Scope {}

/// An environment template's infrastructure (`infrastructure/`).
pub struct EnvironmentScope {
    /// The outputs declared, by name, with their values.
    pub(crate) outputs: Rc<RefCell<Vec<(String, Expr)>>>,
    /// Plain mode: the environment's name; its outputs are exported as `<name>:<Output>`.
    pub(crate) plain_name: Option<String>,
}

/// A service instance's infrastructure (`instance_infrastructure/`).
pub struct InstanceScope {
    /// The environment templates the service template is compatible with.
    pub(crate) compatible: Rc<Vec<Compatible>>,
    /// Whether instances may attach a directly defined component.
    pub(crate) components: bool,
}

/// A service pipeline (`pipeline_infrastructure/`).
pub struct PipelineScope {
    /// The instances' input schema (`service_instance.inputs` in the loop).
    pub(crate) instance_inputs: Rc<InputSchema>,
    /// What only plain mode finds (instance outputs), recorded on the template.
    pub(crate) plain_problems: Problems,
    /// Plain mode: the parameters inside the loop for each instance
    /// ([`super::parameters::loop_item`], flattened); `None` while the bundle is built.
    pub(crate) instances: Option<Vec<IndexMap<String, Json>>>,
}

impl sealed::Sealed for EnvironmentScope {}
impl sealed::Sealed for InstanceScope {}
impl sealed::Sealed for PipelineScope {}

impl Scope for EnvironmentScope {
    const INPUTS: &'static str = ENVIRONMENT_INPUTS;
}
impl Scope for InstanceScope {
    const INPUTS: &'static str = SERVICE_INSTANCE_INPUTS;
}
impl Scope for PipelineScope {
    const INPUTS: &'static str = PIPELINE_INPUTS;
}
impl ServiceScope for InstanceScope {}
impl ServiceScope for PipelineScope {}

impl<S: Scope> TemplateContext<S> {
    /// The stack to add the infrastructure to.
    pub fn stack(&self) -> &Stack {
        &self.stack
    }

    /// `<inputs>.<name>` (`environment.inputs.<name>`, `service_instance.inputs.<name>`,
    /// `pipeline.inputs.<name>`): an input, checked against the input struct's schema.
    pub fn input(&self, name: &str) -> Expr {
        Expr::stack_value(checked_input(&self.inputs, S::INPUTS, name, &self.problems))
    }

    /// `<inputs>.<name>` as text: a number or boolean input where a string is expected
    /// (`"{{ environment.inputs.port }}"`); [`input`](Self::input) is the value itself.
    pub fn input_text(&self, name: &str) -> Expr {
        Expr::stack_value(checked_input(&self.inputs, S::INPUTS, name, &self.problems) + AS_TEXT)
    }

    /// Declares an output named `name` (its logical id) in the context's stack.
    pub(crate) fn declare_output(
        &self,
        name: &str,
        value: Expr,
        description: &str,
        export_name: Option<Expr>,
    ) -> Result<CfnOutput> {
        let output = CfnOutput::new(
            &self.stack,
            &format!("{name}Output"),
            OutputProps {
                value,
                description: (!description.is_empty()).then(|| description.to_owned()),
                export_name,
                condition: None,
            },
        )?;
        output.override_logical_id(name);
        Ok(output)
    }
}

impl<S: ServiceScope> TemplateContext<S> {
    /// `service.name`
    pub fn service_name(&self) -> Expr {
        Expr::stack_value(SERVICE_NAME)
    }
    /// `service.branch_name`
    pub fn branch_name(&self) -> Expr {
        Expr::stack_value(SERVICE_BRANCH_NAME)
    }
    /// `service.repository_id`
    pub fn repository_id(&self) -> Expr {
        Expr::stack_value(SERVICE_REPOSITORY_ID)
    }
    /// `service.repository_connection_arn`
    pub fn repository_connection_arn(&self) -> Expr {
        Expr::stack_value(SERVICE_REPOSITORY_CONNECTION_ARN)
    }
}
