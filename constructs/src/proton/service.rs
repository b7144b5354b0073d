//! Service templates (instance infrastructure and an optional pipeline), the contexts they
//! are built in, and the services an app declares.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::rc::Rc;
use std::sync::Arc;

use cloudwright_core::{App, CfnOutput, Construct, Environment, Error, Expr, Group, Node, Result, Stack, StackProps};
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Value as Json, json};

use crate::cfn::proton::service_template::Provisioning;
use crate::cfn::proton::{CfnServiceTemplate, CfnServiceTemplateProps};

use super::bundle::{bundle_files, infrastructure_files, render_infrastructure, schema_yaml};
use super::context::{InstanceContext, InstanceScope, PipelineContext, PipelineScope, TemplateContext};
use super::environment::{ProtonEnvironment, account_id};
use super::lock::SchemaLock;
use super::parameters::{
    self, AS_TEXT, COMPONENT_OUTPUTS, ENVIRONMENT_ACCOUNT_ID, ENVIRONMENT_NAME, ENVIRONMENT_OUTPUTS, PIPELINE_INPUTS,
    SERVICE_INSTANCE, SERVICE_INSTANCE_ENVIRONMENT_ACCOUNT_ID, SERVICE_INSTANCE_ENVIRONMENT_NAME,
    SERVICE_INSTANCE_INPUTS, SERVICE_INSTANCE_NAME, SERVICE_INSTANCE_OUTPUTS, SERVICE_INSTANCES, ServiceSource,
    fill_placeholders, flatten, lookup, member,
};
use super::schema::InputSchema;
use super::spec::service_spec;
use super::yaml::{LOOP_KEY, to_yaml};
use super::{Compatible, DeployMode, Problems, ProtonParameters, check_name, checked_input};

type InstanceBuilder = Rc<dyn Fn(&InstanceContext) -> Result<()>>;
type PipelineBuilder = Rc<dyn Fn(&PipelineContext) -> Result<()>>;

/// The pipeline inputs of a service template without a pipeline.
#[derive(Debug, Clone, Copy, Default, Serialize, JsonSchema)]
pub struct NoPipeline {}

/// Properties of a [`ServiceTemplate`].
#[derive(Debug, Clone, Default)]
pub struct ServiceTemplateProps {
    /// The template's name in Proton (and its directory).
    pub name: String,
    /// Name shown in the console.
    pub display_name: Option<String>,
    /// Description, also the templates' `Description` (Jinja source in the bundle: it may
    /// name Proton parameters, `{{ service.name }}`).
    pub description: Option<String>,
    /// The pipeline template's `Description` when it differs from `description`.
    pub pipeline_description: Option<String>,
    /// Major version: a change that removes or retypes an input needs a new one.
    pub major: u32,
    /// Minor version.
    pub minor: u32,
    /// The environment templates (name and major version) its instances can run in; at
    /// least one.
    pub compatible_environments: Vec<Compatible>,
    /// Instances may attach directly defined components
    /// (`service_instance.components.default.outputs.*`).
    pub components: bool,
    /// The published input schemas, checked for breaking changes.
    pub lock: Option<SchemaLock>,
}

impl TemplateContext<InstanceScope> {
    /// `service_instance.name`
    pub fn name(&self) -> Expr {
        Expr::stack_value(SERVICE_INSTANCE_NAME)
    }
    /// `environment.name`
    pub fn environment_name(&self) -> Expr {
        Expr::stack_value(ENVIRONMENT_NAME)
    }
    /// `environment.account_id`
    pub fn environment_account_id(&self) -> Expr {
        Expr::stack_value(ENVIRONMENT_ACCOUNT_ID)
    }
    /// `service_instance.environment.account_id`
    pub fn instance_account_id(&self) -> Expr {
        Expr::stack_value(SERVICE_INSTANCE_ENVIRONMENT_ACCOUNT_ID)
    }
    /// `service_instance.environment.name`
    pub fn instance_environment_name(&self) -> Expr {
        Expr::stack_value(SERVICE_INSTANCE_ENVIRONMENT_NAME)
    }
    /// `environment.outputs.<name>`: every compatible environment template must declare it.
    ///
    /// In plain mode it is a reference to the value of the environment stack's output
    /// (`EnvironmentContext::output`), which synthesis writes as any reference to another
    /// stack: an export and `Fn::ImportValue`, or `Fn::GetStackOutput` when the app's
    /// references are weak (`AppProps::reference_strength`), with the environment's stack
    /// deployed first.
    pub fn environment_output(&self, name: &str) -> Expr {
        for c in self.scope.compatible.iter() {
            if !c.outputs.iter().any(|o| o == name) {
                self.problems.push(format!(
                    "`{}`: the compatible environment template {:?} (v{}) declares no \
                     output {name:?} (its outputs: {}); declare it there or use another output",
                    member(ENVIRONMENT_OUTPUTS, name),
                    c.name,
                    c.major,
                    if c.outputs.is_empty() { "none".to_owned() } else { c.outputs.join(", ") }
                ));
            }
        }
        let parameter = member(ENVIRONMENT_OUTPUTS, name);
        match self.values.as_ref().and_then(|values| values.get(&parameter)) {
            // Plain mode: the reference, for core to resolve where it is used.
            Some(reference) => Expr::Literal(reference.clone()),
            None => Expr::stack_value(parameter),
        }
    }
    /// `service_instance.components.default.outputs.<name>`: needs
    /// [`ServiceTemplateProps::components`].
    pub fn component_output(&self, name: &str) -> Expr {
        let parameter = member(COMPONENT_OUTPUTS, name);
        if !self.scope.components {
            self.problems.push(format!(
                "`{parameter}`: the template does not support components; set ServiceTemplateProps::components"
            ));
        }
        Expr::stack_value(parameter)
    }
    /// Declares an output of the service instance.
    pub fn output(&self, name: &str, value: impl Into<Expr>, description: &str) -> Result<CfnOutput> {
        self.declare_output(name, value.into(), description, None)
    }
}

/// One service instance inside [`TemplateContext::for_each_instance`] (a [`PipelineContext`]).
pub struct PipelineInstance<'a> {
    ctx: &'a PipelineContext,
    values: Option<&'a IndexMap<String, Json>>,
}

impl PipelineInstance<'_> {
    fn param(&self, name: String) -> Expr {
        match self.values {
            None => Expr::stack_value(name),
            Some(v) => lookup(v, &name).map_or_else(|| Expr::str(""), Expr::Literal),
        }
    }
    fn checked_input(&self, name: &str) -> String {
        let scope = &self.ctx.scope;
        checked_input(&scope.instance_inputs, SERVICE_INSTANCE_INPUTS, name, &self.ctx.problems)
    }
    /// `service_instance.name`
    pub fn name(&self) -> Expr {
        self.param(SERVICE_INSTANCE_NAME.into())
    }
    /// `service_instance.environment.account_id`
    pub fn account_id(&self) -> Expr {
        self.param(SERVICE_INSTANCE_ENVIRONMENT_ACCOUNT_ID.into())
    }
    /// `service_instance.environment.name`
    pub fn environment_name(&self) -> Expr {
        self.param(SERVICE_INSTANCE_ENVIRONMENT_NAME.into())
    }
    /// `service_instance.inputs.<name>`, checked against the instance input schema.
    pub fn input(&self, name: &str) -> Expr {
        self.param(self.checked_input(name))
    }
    /// `service_instance.inputs.<name>` as text (see [`TemplateContext::input_text`]).
    pub fn input_text(&self, name: &str) -> Expr {
        self.param(self.checked_input(name) + AS_TEXT)
    }
    /// `service_instance.outputs.<name>`: an output of the instance's stack. Only a bundle
    /// can use it (Proton, or `cloudwright proton migrate`, which wires it as a stack
    /// reference); in plain mode it is a problem of the service, as the instance's outputs
    /// are not known when its pipeline is built.
    pub fn output(&self, name: &str) -> Expr {
        let parameter = member(SERVICE_INSTANCE_OUTPUTS, name);
        if self.values.is_some() {
            self.ctx.scope.plain_problems.push(format!(
                "`{parameter}`: an instance's outputs are only known once it is deployed, so plain mode cannot \
                 build this pipeline; deploy the bundle with `cloudwright proton migrate`, which reads them as \
                 stack references"
            ));
        }
        self.param(parameter)
    }
}

impl TemplateContext<PipelineScope> {
    /// List items, one per service instance: a Jinja `{% for service_instance in
    /// service_instances %}` loop in the bundle, the items themselves in plain mode. Extend
    /// a list property with the result.
    pub fn for_each_instance(&self, item: impl Fn(&PipelineInstance) -> Expr) -> Vec<Expr> {
        match &self.scope.instances {
            None => {
                let body = item(&PipelineInstance { ctx: self, values: None });
                vec![Expr::Object(vec![(
                    LOOP_KEY.to_owned(),
                    Expr::Object(vec![
                        ("var".into(), Expr::str(SERVICE_INSTANCE)),
                        ("in".into(), Expr::str(SERVICE_INSTANCES)),
                        ("item".into(), body),
                    ]),
                )])]
            }
            Some(all) => all.iter().map(|v| item(&PipelineInstance { ctx: self, values: Some(v) })).collect(),
        }
    }
}

struct ServiceData {
    props: ServiceTemplateProps,
    instance_schema: Rc<InputSchema>,
    pipeline_schema: Option<Rc<InputSchema>>,
    instance: InstanceBuilder,
    pipeline: Option<PipelineBuilder>,
    /// The bundle's files; `None` when it has problems, recorded on the template's node.
    files: Option<Vec<(String, Vec<u8>)>>,
    /// Spec files of the services declared: (service name, bytes).
    specs: RefCell<Vec<(String, Vec<u8>)>>,
}

/// A Proton service template with instance inputs `I` and pipeline inputs `P`.
pub struct ServiceTemplate<I, P = NoPipeline> {
    group: Group,
    data: Rc<ServiceData>,
    _inputs: PhantomData<fn() -> (I, P)>,
}

impl<I, P> Clone for ServiceTemplate<I, P> {
    fn clone(&self) -> Self {
        ServiceTemplate { group: self.group.clone(), data: self.data.clone(), _inputs: PhantomData }
    }
}

impl<I, P> Construct for ServiceTemplate<I, P> {
    fn node(&self) -> &Node {
        self.group.node()
    }
}

impl<I: Serialize + JsonSchema> ServiceTemplate<I, NoPipeline> {
    /// A service template without a pipeline; `instance` builds each instance's
    /// infrastructure.
    pub fn new(
        scope: &impl Construct,
        id: &str,
        props: ServiceTemplateProps,
        instance: impl Fn(&InstanceContext) -> Result<()> + 'static,
    ) -> Result<Self> {
        Self::build(scope, id, props, Rc::new(instance), None)
    }
}

impl<I: Serialize + JsonSchema, P: Serialize + JsonSchema> ServiceTemplate<I, P> {
    /// A service template with a pipeline (`pipeline_infrastructure`), built by `pipeline`.
    pub fn with_pipeline(
        scope: &impl Construct,
        id: &str,
        props: ServiceTemplateProps,
        instance: impl Fn(&InstanceContext) -> Result<()> + 'static,
        pipeline: impl Fn(&PipelineContext) -> Result<()> + 'static,
    ) -> Result<Self> {
        Self::build(scope, id, props, Rc::new(instance), Some(Rc::new(pipeline)))
    }

    fn build(
        scope: &impl Construct,
        id: &str,
        props: ServiceTemplateProps,
        instance: InstanceBuilder,
        pipeline: Option<PipelineBuilder>,
    ) -> Result<Self> {
        let group = Group::with_fqn(scope, id, "cloudwright.proton.ServiceTemplate")?;
        let node = group.node().clone();
        if let Some(problem) = check_name("service template", &props.name) {
            node.add_error(problem);
        }
        if props.compatible_environments.is_empty() {
            node.add_error(format!(
                "service template {:?} has no compatible environment template; add one to \
                 ServiceTemplateProps::compatible_environments (EnvironmentTemplate::compatible())",
                props.name
            ));
        }
        let instance_schema = Rc::new(InputSchema::of::<I>());
        let pipeline_schema = pipeline.as_ref().map(|_| Rc::new(InputSchema::of::<P>()));
        let compatible = Rc::new(props.compatible_environments.clone());
        let problems = Problems::on(&node);
        let mut files = BTreeMap::new();
        let mut failed = false;
        let rendered = render_infrastructure(&node, "service instance", props.description.clone(), |stack| {
            instance(&InstanceContext {
                stack: stack.clone(),
                inputs: instance_schema.clone(),
                problems: problems.clone(),
                values: None,
                scope: InstanceScope { compatible: compatible.clone(), components: props.components },
            })
        });
        match rendered {
            Some(t) => infrastructure_files(
                "instance_infrastructure",
                &t,
                &[(SERVICE_INSTANCE_INPUTS, &instance_schema)],
                &mut files,
            ),
            None => failed = true,
        }
        let mut schemas: Vec<(&str, &InputSchema)> = vec![("service_input_type", &instance_schema)];
        if let (Some(build), Some(schema)) = (&pipeline, &pipeline_schema) {
            let description = props.pipeline_description.clone().or_else(|| props.description.clone());
            let rendered = render_infrastructure(&node, "pipeline", description, |stack| {
                build(&PipelineContext {
                    stack: stack.clone(),
                    inputs: schema.clone(),
                    problems: problems.clone(),
                    values: None,
                    scope: PipelineScope {
                        instance_inputs: instance_schema.clone(),
                        plain_problems: Problems::default(),
                        instances: None,
                    },
                })
            });
            match rendered {
                Some(t) => infrastructure_files(
                    "pipeline_infrastructure",
                    &t,
                    &[(PIPELINE_INPUTS, schema), (SERVICE_INSTANCE_INPUTS, &instance_schema)],
                    &mut files,
                ),
                None => failed = true,
            }
            schemas.push(("pipeline_input_type", schema));
        }
        files.insert("schema/schema.yaml".to_owned(), schema_yaml(&schemas).into_bytes());
        if let Some(lock) = &props.lock {
            lock.check(&node, &props.name, props.major, props.minor, &schemas);
        }
        let files = if failed {
            None
        } else {
            bundle_files(&node, &props.name, props.major, props.minor, files).map(|mut f| {
                f.push((format!("proton/{}/.template-registration.yaml", props.name), registration(&props)));
                f
            })
        };
        let data = Rc::new(ServiceData {
            props,
            instance_schema,
            pipeline_schema,
            instance,
            pipeline,
            files,
            specs: RefCell::new(Vec::new()),
        });
        let generator_data = data.clone();
        App::of(&group).add_file_generator(move || {
            let data = &generator_data;
            // Without files the template has recorded its problems, which fail synthesis.
            let mut files = data.files.clone().unwrap_or_default();
            for (service, bytes) in data.specs.borrow().iter() {
                files.push((format!("proton/specs/service-{service}.yaml"), bytes.clone()));
            }
            Ok(files)
        });
        Ok(ServiceTemplate { group, data, _inputs: PhantomData })
    }

    /// The template's name.
    pub fn name(&self) -> &str {
        &self.data.props.name
    }

    /// `AWS::Proton::ServiceTemplate` in `stack` (the management account's), in Proton mode
    /// only; `None` in plain mode, where Proton resources are not emitted. A template without
    /// a pipeline says so (`PipelineProvisioning: CUSTOMER_MANAGED`): Proton then provisions
    /// no service pipeline for its services.
    pub fn register(&self, stack: &Stack, id: &str) -> Result<Option<CfnServiceTemplate>> {
        if DeployMode::of(&App::of(stack))? != DeployMode::Proton {
            return Ok(None);
        }
        let p = &self.data.props;
        CfnServiceTemplate::new(
            stack,
            id,
            CfnServiceTemplateProps {
                name: Some(p.name.as_str().into()),
                display_name: p.display_name.as_deref().map(Into::into),
                description: p.description.as_deref().map(Into::into),
                pipeline_provisioning: self.data.pipeline.is_none().then_some(Provisioning::CustomerManaged.into()),
                ..Default::default()
            },
        )
        .map(Some)
    }

    /// Declares a service: its spec file always; in plain mode also one stack per instance
    /// (beside its environment's stack) and the pipeline's stack (at `scope/id`).
    pub fn deploy(&self, scope: &impl Construct, id: &str, props: ServiceProps<I, P>) -> Result<ProtonService> {
        let mode = DeployMode::of(&App::of(scope))?;
        let node = self.group.node().clone();
        let path = format!("{}/{id}", scope.node().path());
        let to_json = |what: &str, v: &dyn erased::Ser| {
            v.to_json().map_err(|source| Error::Serialize { path: path.clone(), what: what.to_owned(), source })
        };
        if let Some(problem) = check_name("service", &props.name) {
            node.add_error(problem);
        }
        let pipeline_inputs = match &props.pipeline {
            Some(p) => Some(to_json("the pipeline's inputs", p)?),
            None => None,
        };
        match (&pipeline_inputs, &self.data.pipeline_schema) {
            (Some(inputs), Some(schema)) => {
                for problem in schema.validate(inputs) {
                    node.add_error(format!("the spec of service {:?}, pipeline: {problem}", props.name));
                }
            }
            (None, Some(_)) => node.add_error(format!(
                "service {:?}: the template has a pipeline, so ServiceProps::pipeline needs its inputs",
                props.name
            )),
            (Some(_), None) => node.add_error(format!(
                "service {:?}: the template has no pipeline; leave ServiceProps::pipeline empty",
                props.name
            )),
            (None, None) => {}
        }
        let source = ServiceSource {
            branch: props.branch_name.clone(),
            repository_id: props.repository_id.clone(),
            connection_arn: props.repository_connection_arn.clone(),
        };
        let service = parameters::service(&props.name, &source);
        let mut spec_instances = Vec::new();
        let (mut loop_items, mut service_instances) = (Vec::new(), Vec::new());
        let mut stacks = Vec::new();
        for instance in &props.instances {
            let inputs = to_json("the instance's inputs", &instance.inputs)?;
            let env = &instance.environment;
            let compatible = self
                .data
                .props
                .compatible_environments
                .iter()
                .any(|c| c.name == env.template.name && c.major == env.template.major);
            if !compatible {
                node.add_error(format!(
                    "service {:?}, instance {:?}: environment {:?} uses template {:?} v{}, which is not a \
                     compatible environment of {:?}; add it to ServiceTemplateProps::compatible_environments",
                    props.name, instance.name, env.name, env.template.name, env.template.major, self.data.props.name
                ));
            }
            if let Some(problem) = check_name("service instance", &instance.name) {
                node.add_error(problem);
            }
            for problem in self.data.instance_schema.validate(&inputs) {
                node.add_error(format!(
                    "the spec of service {:?}, instance {:?}: {problem}",
                    props.name, instance.name
                ));
            }
            spec_instances.push((instance.name.clone(), env.name.clone(), inputs.clone()));
            // The environment's outputs are references to its stack's values (plain mode).
            let environment = parameters::instance_environment(&env.name, account_id(&env.env), env.outputs.clone());
            let component = instance.component_outputs.iter().map(|(k, v)| (k.clone(), Json::from(v.as_str())));
            let service_instance = parameters::service_instance(
                &instance.name,
                self.data.instance_schema.with_defaults(inputs),
                &environment,
                component.collect(),
            );
            loop_items.push(flatten(&parameters::loop_item(&service_instance)));
            service_instances.push(service_instance.clone());
            if mode == DeployMode::Plain {
                let values = flatten(&parameters::instance(&service, &service_instance));
                let stack = Stack::new(
                    &env.scope,
                    &format!("{}-{}", props.name, instance.name),
                    StackProps {
                        env: env.env.clone(),
                        description: self.data.props.description.as_deref().map(|d| fill_placeholders(d, &values)),
                        stack_name: Some(format!("{}-{}", props.name, instance.name)),
                        values: Some(Arc::new(ProtonParameters::Values(values.clone()))),
                        ..Default::default()
                    },
                )?;
                stack.node().set_fqn("cloudwright.proton.ServiceInstance");
                if let Some(env_stack) = &env.stack {
                    stack.add_dependency(env_stack);
                }
                (self.data.instance)(&InstanceContext {
                    stack: stack.clone(),
                    inputs: self.data.instance_schema.clone(),
                    problems: Problems::default(),
                    values: Some(Rc::new(values)),
                    scope: InstanceScope {
                        compatible: Rc::new(self.data.props.compatible_environments.clone()),
                        components: self.data.props.components,
                    },
                })?;
                stacks.push(stack);
            }
        }
        let mut pipeline_stack = None;
        if let (DeployMode::Plain, Some(build), Some(schema), Some(inputs)) =
            (mode, &self.data.pipeline, &self.data.pipeline_schema, &pipeline_inputs)
        {
            // The instances without their outputs, unknown in plain mode (`PipelineInstance::output`).
            let tree = parameters::pipeline(&service, schema.with_defaults(inputs.clone()), service_instances);
            let values = flatten(&tree);
            let stack = Stack::new(
                scope,
                id,
                StackProps {
                    env: props.pipeline_env.clone(),
                    description: (self.data.props.pipeline_description.as_ref())
                        .or(self.data.props.description.as_ref())
                        .map(|d| fill_placeholders(d, &values)),
                    stack_name: Some(format!("{}-pipeline", props.name)),
                    values: Some(Arc::new(ProtonParameters::Values(values.clone()))),
                    ..Default::default()
                },
            )?;
            stack.node().set_fqn("cloudwright.proton.ServicePipeline");
            build(&PipelineContext {
                stack: stack.clone(),
                inputs: schema.clone(),
                problems: Problems::default(),
                values: Some(Rc::new(values)),
                scope: PipelineScope {
                    instance_inputs: self.data.instance_schema.clone(),
                    plain_problems: Problems::on(&node),
                    instances: Some(loop_items),
                },
            })?;
            pipeline_stack = Some(stack);
        }
        let spec = service_spec(&self.data.props.name, pipeline_inputs.as_ref(), &spec_instances);
        self.data.specs.borrow_mut().push((props.name.clone(), spec));
        Ok(ProtonService { name: props.name, instance_stacks: stacks, pipeline_stack })
    }
}

/// `.template-registration.yaml` beside `v<major>/`: compatible environments and
/// supported component sources, as template sync reads them.
fn registration(props: &ServiceTemplateProps) -> Vec<u8> {
    let mut body = serde_json::Map::new();
    let envs: Vec<Json> =
        props.compatible_environments.iter().map(|c| json!(format!("{}:{}", c.name, c.major))).collect();
    body.insert("compatible_environments".into(), Json::Array(envs));
    if props.components {
        body.insert("supported_component_sources".into(), json!(["DIRECTLY_DEFINED"]));
    }
    to_yaml(&Json::Object(body)).into_bytes()
}

/// Serialization through a trait object, so one closure serializes `I` and `P`.
mod erased {
    use serde::Serialize;
    use serde_json::Value as Json;

    pub(super) trait Ser {
        fn to_json(&self) -> serde_json::Result<Json>;
    }
    impl<T: Serialize> Ser for T {
        fn to_json(&self) -> serde_json::Result<Json> {
            serde_json::to_value(self)
        }
    }
}

/// Properties of a service ([`ServiceTemplate::deploy`]).
#[derive(Debug, Clone)]
pub struct ServiceProps<I, P = NoPipeline> {
    /// The service's name in Proton.
    pub name: String,
    /// `service.repository_id`, e.g. `my-org/my-repo`.
    pub repository_id: String,
    /// `service.repository_connection_arn` (a CodeStar connection).
    pub repository_connection_arn: String,
    /// `service.branch_name`.
    pub branch_name: String,
    /// The pipeline's inputs, when the template has a pipeline.
    pub pipeline: Option<P>,
    /// Where the pipeline deploys in plain mode (the management account).
    pub pipeline_env: Environment,
    /// The instances, one per environment.
    pub instances: Vec<ServiceInstanceProps<I>>,
}

/// One service instance.
#[derive(Debug, Clone)]
pub struct ServiceInstanceProps<I> {
    /// The instance's name.
    pub name: String,
    /// The environment it runs in.
    pub environment: ProtonEnvironment,
    /// Its inputs.
    pub inputs: I,
    /// Outputs of its directly defined component, in plain mode.
    pub component_outputs: Vec<(String, String)>,
}

/// A service declared by the app.
#[derive(Debug, Clone)]
pub struct ProtonService {
    name: String,
    instance_stacks: Vec<Stack>,
    pipeline_stack: Option<Stack>,
}

impl ProtonService {
    /// The service's name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The instances' stacks, in plain mode.
    pub fn instance_stacks(&self) -> &[Stack] {
        &self.instance_stacks
    }
    /// The pipeline's stack, in plain mode.
    pub fn pipeline_stack(&self) -> Option<&Stack> {
        self.pipeline_stack.as_ref()
    }
}
