//! `LambdaService`: a function with its alarms, dashboard and log retention as one unit,
//! for a plain per-account stack or a Proton service template's instance infrastructure.

use cloudwright_core::{Construct, Expr, Group, Node, Result, Value};

use super::{Function, FunctionProps};
use crate::cfn::cloudwatch::CfnDashboard;
use crate::monitoring::{Alarm, MetricWidget, dashboard};

/// Properties of a [`LambdaService`].
#[derive(Debug, Clone)]
pub struct LambdaServiceProps {
    /// The function.
    pub function: FunctionProps,
    /// Topics notified by the alarms.
    pub alarm_topics: Vec<Expr>,
    /// Errors in five minutes that fire the errors alarm.
    pub error_threshold: f64,
    /// Throttles in five minutes that fire the throttles alarm.
    pub throttle_threshold: f64,
    /// p99 duration in ms that fires the latency alarm; a fraction of the timeout when `None`.
    pub duration_p99_ms: Option<f64>,
    /// Adds a CloudWatch dashboard of the function's metrics.
    pub dashboard: bool,
}

impl Default for LambdaServiceProps {
    fn default() -> Self {
        LambdaServiceProps {
            function: FunctionProps::default(),
            alarm_topics: Vec::new(),
            error_threshold: 1.0,
            throttle_threshold: 1.0,
            duration_p99_ms: None,
            dashboard: true,
        }
    }
}

/// A monitored Lambda service.
#[derive(Clone)]
pub struct LambdaService {
    group: Group,
    /// The function.
    pub function: Function,
    /// Errors, throttles and p99 duration alarms.
    pub alarms: Vec<Alarm>,
    /// The dashboard, when asked for.
    pub dashboard: Option<CfnDashboard>,
}

impl Construct for LambdaService {
    fn node(&self) -> &Node {
        self.group.node()
    }
}

impl LambdaService {
    /// Defines the service.
    pub fn new(scope: &impl Construct, id: &str, props: LambdaServiceProps) -> Result<Self> {
        let group = crate::scope::group_in_stack(scope, id, "cloudwright.lambda.LambdaService")?;
        // Alarm at 80% of the timeout unless told otherwise.
        let timeout = match props.function.timeout_seconds {
            Value::Literal(seconds) => Some(f64::from(seconds)),
            Value::Expr(_) => None,
        };
        let p99 = props.duration_p99_ms.or(timeout.map(|t| t * 800.0));
        if p99.is_none() {
            group.node().add_error(
                "the timeout is a deploy-time value, so the latency alarm's threshold cannot be derived from it: \
                 set duration_p99_ms",
            );
        }
        let function = Function::new(&group, "Function", props.function)?;
        let alarms = vec![
            function.alarm_errors(props.error_threshold, &props.alarm_topics)?,
            function.alarm_throttles(props.throttle_threshold, &props.alarm_topics)?,
            function.alarm_duration_p99(p99.unwrap_or(0.0), &props.alarm_topics)?,
        ];
        let dashboard = if props.dashboard {
            let widget = |title: &str, metric: &str, stat: &str| MetricWidget {
                title: title.into(),
                metric: function.metric(metric, stat),
                width: 12,
                height: 6,
            };
            let widgets = [
                widget("Invocations", "Invocations", "Sum"),
                widget("Errors", "Errors", "Sum"),
                widget("Duration p99", "Duration", "p99"),
                widget("Throttles", "Throttles", "Sum"),
            ];
            Some(dashboard(&group, "Dashboard", &widgets)?)
        } else {
            None
        };
        Ok(LambdaService { group, function, alarms, dashboard })
    }
}
