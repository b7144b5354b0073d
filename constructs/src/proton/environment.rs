//! Environment templates, the context their infrastructure is built with, and the
//! environments an app declares.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::rc::Rc;
use std::sync::Arc;

use cloudwright_core::{App, CfnOutput, Construct, Environment, Error, Expr, Group, Node, Result, Stack, StackProps};
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::cfn::proton::{CfnEnvironmentTemplate, CfnEnvironmentTemplateProps};

use super::bundle::{bundle_files, infrastructure_files, render_infrastructure, schema_yaml};
use super::connection::CONNECTION_METADATA;
use super::context::{EnvironmentContext, EnvironmentScope, TemplateContext};
use super::lock::SchemaLock;
use super::parameters::{
    self, ENVIRONMENT_ACCOUNT_ID, ENVIRONMENT_INPUTS, ENVIRONMENT_NAME, fill_placeholders, flatten, lookup,
};
use super::schema::InputSchema;
use super::spec::environment_spec;
use super::{Compatible, DeployMode, Problems, ProtonParameters, check_name};

/// Builds an environment template's infrastructure.
type EnvBuilder = Rc<dyn Fn(&EnvironmentContext) -> Result<()>>;

/// Properties of an [`EnvironmentTemplate`].
#[derive(Debug, Clone, Default)]
pub struct EnvironmentTemplateProps {
    /// The template's name in Proton (and its directory), e.g. `multi-svc-env`.
    pub name: String,
    /// Name shown in the console.
    pub display_name: Option<String>,
    /// Description, also the template's `Description`.
    pub description: Option<String>,
    /// Major version: a change that removes or retypes an input needs a new one.
    pub major: u32,
    /// Minor version.
    pub minor: u32,
    /// The published input schemas, checked for breaking changes.
    pub lock: Option<SchemaLock>,
}

impl TemplateContext<EnvironmentScope> {
    /// `environment.name`
    pub fn name(&self) -> Expr {
        Expr::stack_value(ENVIRONMENT_NAME)
    }

    /// `environment.account_id`
    pub fn account_id(&self) -> Expr {
        Expr::stack_value(ENVIRONMENT_ACCOUNT_ID)
    }

    /// Declares an output, `environment.outputs.<name>` for service templates.
    ///
    /// In plain mode a service instance reads it as a reference to `value` in this stack
    /// (an export and `Fn::ImportValue`, or `Fn::GetStackOutput`, as the app's references
    /// are written), so `value` must be something another stack can refer to: a condition,
    /// mapping or logical id of this stack in it is an error there. In plain mode the output
    /// is also exported as `<environment>:<name>`: instance stacks deployed before imported
    /// that name, and CloudFormation refuses to delete an export in use.
    pub fn output(&self, name: &str, value: impl Into<Expr>, description: &str) -> Result<CfnOutput> {
        let value = value.into();
        let export_name = self.scope.plain_name.as_ref().map(|env| Expr::str(export_name(env, name)));
        let output = self.declare_output(name, value.clone(), description, export_name)?;
        self.scope.outputs.borrow_mut().push((name.to_owned(), value));
        Ok(output)
    }

    /// The declared outputs as another stack reads them in plain mode: each value's JSON
    /// form, references to this stack's elements kept (core resolves them where they are
    /// used), this stack's Proton parameters replaced by their values.
    fn outputs_read_elsewhere(&self) -> Map<String, Json> {
        let values = self.values.as_deref();
        let mut outputs = Map::new();
        for (name, value) in self.scope.outputs.borrow().iter() {
            let mut json = value.to_json();
            if let Some(values) = values {
                fill_stack_values(&mut json, values);
            }
            outputs.insert(name.clone(), json);
        }
        outputs
    }
}

/// Replaces each Proton parameter in `json` (an `Expr`'s JSON form) by its value.
fn fill_stack_values(json: &mut Json, values: &IndexMap<String, Json>) {
    let parameter = match &*json {
        Json::Object(map) if map.len() == 1 => map.values().next().and_then(Json::as_str).map(str::to_owned),
        _ => None,
    };
    if let Some(name) = parameter.filter(|name| Expr::stack_value(name.as_str()).to_json() == *json) {
        if let Some(value) = lookup(values, &name) {
            *json = value;
        }
        return;
    }
    match json {
        Json::Object(map) => map.values_mut().for_each(|v| fill_stack_values(v, values)),
        Json::Array(items) => items.iter_mut().for_each(|v| fill_stack_values(v, values)),
        _ => {}
    }
}

/// The export name of an environment output in plain mode.
pub(crate) fn export_name(environment: &str, output: &str) -> String {
    format!("{environment}:{output}")
}

pub(crate) struct EnvData {
    pub props: EnvironmentTemplateProps,
    pub schema: Rc<InputSchema>,
    pub build: EnvBuilder,
    pub outputs: Vec<String>,
    /// The bundle's files; `None` when it has problems, recorded on the template's node.
    pub files: Option<Vec<(String, Vec<u8>)>>,
    /// (environment name, spec inputs) of every environment declared.
    pub environments: RefCell<Vec<(String, Json)>>,
}

/// A Proton environment template with inputs `I`.
pub struct EnvironmentTemplate<I> {
    group: Group,
    data: Rc<EnvData>,
    _inputs: PhantomData<fn() -> I>,
}

impl<I> Clone for EnvironmentTemplate<I> {
    fn clone(&self) -> Self {
        EnvironmentTemplate { group: self.group.clone(), data: self.data.clone(), _inputs: PhantomData }
    }
}

impl<I> Construct for EnvironmentTemplate<I> {
    fn node(&self) -> &Node {
        self.group.node()
    }
}

impl<I: Serialize + JsonSchema> EnvironmentTemplate<I> {
    /// Defines a template whose infrastructure `build` adds to the context's stack. The
    /// bundle is rendered now; problems (unknown inputs, ...) fail synthesis.
    pub fn new(
        scope: &impl Construct,
        id: &str,
        props: EnvironmentTemplateProps,
        build: impl Fn(&EnvironmentContext) -> Result<()> + 'static,
    ) -> Result<Self> {
        let group = Group::with_fqn(scope, id, "cloudwright.proton.EnvironmentTemplate")?;
        let node = group.node().clone();
        if let Some(problem) = check_name("environment template", &props.name) {
            node.add_error(problem);
        }
        let schema = Rc::new(InputSchema::of::<I>());
        let build: EnvBuilder = Rc::new(build);
        let problems = Problems::on(&node);
        let outputs = Rc::new(RefCell::new(Vec::new()));
        let rendered = render_infrastructure(&node, "environment", props.description.clone(), |stack| {
            let ctx = EnvironmentContext {
                stack: stack.clone(),
                inputs: schema.clone(),
                problems: problems.clone(),
                values: None,
                scope: EnvironmentScope { outputs: outputs.clone(), plain_name: None },
            };
            build(&ctx)
        });
        let files = rendered.and_then(|template| {
            let mut files = BTreeMap::new();
            files.insert(
                "schema/schema.yaml".to_owned(),
                schema_yaml(&[("environment_input_type", &schema)]).into_bytes(),
            );
            infrastructure_files("infrastructure", &template, &[(ENVIRONMENT_INPUTS, &schema)], &mut files);
            bundle_files(&node, &props.name, props.major, props.minor, files)
        });
        if let Some(lock) = &props.lock {
            lock.check(&node, &props.name, props.major, props.minor, &[("environment_input_type", &schema)]);
        }
        let outputs = outputs.borrow().iter().map(|(name, _)| name.clone()).collect();
        let data = Rc::new(EnvData { props, schema, build, outputs, files, environments: RefCell::new(Vec::new()) });
        let generator_data = data.clone();
        App::of(&group).add_file_generator(move || {
            let data = &generator_data;
            // Without files the template has recorded its problems, which fail synthesis.
            let mut files = data.files.clone().unwrap_or_default();
            for (env, inputs) in data.environments.borrow().iter() {
                files
                    .push((format!("proton/specs/environment-{env}.yaml"), environment_spec(&data.props.name, inputs)));
            }
            Ok(files)
        });
        Ok(EnvironmentTemplate { group, data, _inputs: PhantomData })
    }

    /// The template's name.
    pub fn name(&self) -> &str {
        &self.data.props.name
    }

    /// The template's major version.
    pub fn major(&self) -> u32 {
        self.data.props.major
    }

    /// The outputs the template declares.
    pub fn outputs(&self) -> &[String] {
        &self.data.outputs
    }

    /// This template as a compatible environment of a service template.
    pub fn compatible(&self) -> Compatible {
        Compatible {
            name: self.data.props.name.clone(),
            major: self.data.props.major,
            outputs: self.data.outputs.clone(),
        }
    }

    /// The input schema.
    pub fn schema(&self) -> &InputSchema {
        &self.data.schema
    }

    /// `AWS::Proton::EnvironmentTemplate` in `stack` (the management account's), in Proton
    /// mode only; `None` in plain mode, where Proton resources are not emitted.
    pub fn register(&self, stack: &Stack, id: &str) -> Result<Option<CfnEnvironmentTemplate>> {
        if DeployMode::of(&App::of(stack))? != DeployMode::Proton {
            return Ok(None);
        }
        let p = &self.data.props;
        CfnEnvironmentTemplate::new(
            stack,
            id,
            CfnEnvironmentTemplateProps {
                name: Some(p.name.as_str().into()),
                display_name: p.display_name.as_deref().map(Into::into),
                description: p.description.as_deref().map(Into::into),
                ..Default::default()
            },
        )
        .map(Some)
    }

    /// Declares an environment of this template: its spec file always; in plain mode also
    /// its stack (at `scope/id`), what Proton would have deployed for it.
    pub fn deploy(&self, scope: &impl Construct, id: &str, props: EnvironmentProps<I>) -> Result<ProtonEnvironment> {
        let mode = DeployMode::of(&App::of(scope))?;
        let inputs = serde_json::to_value(&props.inputs).map_err(|source| Error::Serialize {
            path: format!("{}/{id}", scope.node().path()),
            what: "the environment's inputs".into(),
            source,
        })?;
        self.data.environments.borrow_mut().push((props.name.clone(), inputs.clone()));
        let (stack, outputs) = if mode == DeployMode::Plain {
            let tree = parameters::environment(
                &props.name,
                account_id(&props.env),
                self.data.schema.with_defaults(inputs.clone()),
                Map::new(),
            );
            let values = flatten(&tree);
            let stack = Stack::new(
                scope,
                id,
                StackProps {
                    env: props.env.clone(),
                    description: self.data.props.description.as_deref().map(|d| fill_placeholders(d, &values)),
                    stack_name: Some(props.stack_name.clone().unwrap_or_else(|| props.name.clone())),
                    values: Some(Arc::new(ProtonParameters::Values(values.clone()))),
                    ..Default::default()
                },
            )?;
            stack.node().set_fqn("cloudwright.proton.Environment");
            let ctx = EnvironmentContext {
                stack: stack.clone(),
                inputs: self.data.schema.clone(),
                // Problems of the template itself are reported on the template.
                problems: Problems::default(),
                values: Some(Rc::new(values)),
                scope: EnvironmentScope {
                    outputs: Rc::new(RefCell::new(Vec::new())),
                    plain_name: Some(props.name.clone()),
                },
            };
            (self.data.build)(&ctx)?;
            (Some(stack), ctx.outputs_read_elsewhere())
        } else {
            (None, Map::new())
        };
        let node = self.group.node().clone();
        if let Some(problem) = check_name("environment", &props.name) {
            node.add_error(problem);
        }
        if mode == DeployMode::Proton {
            require_connection(&node, scope.node(), id, &props);
        }
        for problem in self.data.schema.validate(&inputs) {
            node.add_error(format!("the spec of environment {:?}: {problem}", props.name));
        }
        Ok(ProtonEnvironment {
            name: props.name,
            template: self.compatible(),
            env: props.env,
            stack,
            outputs,
            scope: scope.node().clone(),
        })
    }
}

/// In Proton mode an environment in another account is reached through an environment
/// account connection in that account: without one Proton cannot deploy it, so synthesis
/// stops, naming the environment. (In plain mode the stacks deploy with `cdk deploy` or the
/// pipeline's own roles: no connection is involved.)
fn require_connection<I>(template: &Node, scope: &Node, id: &str, props: &EnvironmentProps<I>) {
    let Some(account) = props.env.account.clone() else { return };
    let name = props.name.clone();
    let path = if scope.path().is_empty() { id.to_owned() } else { format!("{}/{id}", scope.path()) };
    template.add_validation(move |node| {
        let root = App::of(node);
        let connected = root.node().descendants().into_iter().any(|n| {
            let serves = n
                .metadata()
                .iter()
                .any(|(kind, value)| kind == CONNECTION_METADATA && value.as_str() == Some(name.as_str()));
            serves && n.stack().and_then(|s| s.environment().account).as_deref() == Some(account.as_str())
        });
        if connected {
            Vec::new()
        } else {
            vec![format!(
                "environment {name:?} ({path}) in account {account} has no environment account connection there; \
                 add an EnvironmentAccountConnection for {name:?} to a stack of account {account}"
            )]
        }
    });
}

/// Properties of an environment ([`EnvironmentTemplate::deploy`]).
#[derive(Debug, Clone)]
pub struct EnvironmentProps<I> {
    /// The environment's name in Proton, e.g. `multi-svc-dev`.
    pub name: String,
    /// The spec's inputs.
    pub inputs: I,
    /// The account and region it deploys to.
    pub env: Environment,
    /// The stack name in plain mode; the environment's name when `None`.
    pub stack_name: Option<String>,
}

/// An environment declared by the app.
#[derive(Debug, Clone)]
pub struct ProtonEnvironment {
    pub(crate) name: String,
    pub(crate) template: Compatible,
    pub(crate) env: Environment,
    pub(crate) stack: Option<Stack>,
    /// Plain mode: its outputs as its service instances read them, references to values of
    /// its stack (`EnvironmentContext::output`); empty in Proton mode.
    pub(crate) outputs: Map<String, Json>,
    pub(crate) scope: Node,
}

/// What Proton renders `environment.account_id` as: the environment's account, or where it
/// is left to deployment, the account of the stack it is read in (`AWS::AccountId`): the
/// environment's stack and its service instances' stacks deploy to the same account.
pub(crate) fn account_id(env: &Environment) -> Json {
    env.account.as_ref().map_or_else(|| Expr::account_id().to_json(), |a| Json::from(a.as_str()))
}

impl ProtonEnvironment {
    /// The environment's name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The template it is an environment of.
    pub fn template(&self) -> &Compatible {
        &self.template
    }
    /// Its stack, in plain mode.
    pub fn stack(&self) -> Option<&Stack> {
        self.stack.as_ref()
    }
    /// Where it deploys.
    pub fn environment(&self) -> &Environment {
        &self.env
    }
}
