//! CloudWatch alarms and dashboards.
//!
//! ```
//! use cloudwright_constructs::monitoring::{Alarm, AlarmProps, Comparison, Metric};
//! use cloudwright_constructs::{App, Expr, Stack, StackProps};
//!
//! let app = App::new();
//! let stack = Stack::new(&app, "S", StackProps::default())?;
//! Alarm::new(&stack, "QueueDepth", AlarmProps {
//!     metric: Metric {
//!         namespace: "AWS/SQS".into(),
//!         name: "ApproximateNumberOfMessagesVisible".into(),
//!         dimensions: vec![("QueueName".into(), Expr::str("jobs"))],
//!         statistic: "Maximum".into(),
//!         period_seconds: 60,
//!     },
//!     threshold: 1000.0,
//!     comparison: Comparison::GreaterThan,
//!     evaluation_periods: 5,
//!     description: None,
//!     actions: vec![],
//! })?;
//! assert!(app.assembly().is_ok());
//! # Ok::<(), cloudwright_constructs::Error>(())
//! ```

use cloudwright_core::{CfnResource, Construct, Expr, Node, Result};
use serde_json::{Map, Value as Json, json};

/// A CloudWatch metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// Namespace, e.g. `AWS/Lambda`.
    pub namespace: String,
    /// Metric name, e.g. `Errors`.
    pub name: String,
    /// Dimensions (name, value).
    pub dimensions: Vec<(String, Expr)>,
    /// `Sum`, `Average`, `Maximum`, ... or a percentile such as `p99`.
    pub statistic: String,
    /// Period in seconds.
    pub period_seconds: u32,
}

/// How an alarm compares the metric with its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Comparison {
    /// `>=`
    #[default]
    GreaterThanOrEqual,
    /// `>`
    GreaterThan,
    /// `<`
    LessThan,
    /// `<=`
    LessThanOrEqual,
}

impl Comparison {
    fn as_str(self) -> &'static str {
        match self {
            Comparison::GreaterThanOrEqual => "GreaterThanOrEqualToThreshold",
            Comparison::GreaterThan => "GreaterThanThreshold",
            Comparison::LessThan => "LessThanThreshold",
            Comparison::LessThanOrEqual => "LessThanOrEqualToThreshold",
        }
    }
}

/// Properties of an [`Alarm`].
#[derive(Debug, Clone)]
pub struct AlarmProps {
    /// What is watched.
    pub metric: Metric,
    /// The threshold.
    pub threshold: f64,
    /// How the metric is compared.
    pub comparison: Comparison,
    /// Periods that must breach before the alarm fires.
    pub evaluation_periods: u32,
    /// Description.
    pub description: Option<String>,
    /// ARNs notified when the alarm fires and recovers (SNS topics).
    pub actions: Vec<Expr>,
}

/// A CloudWatch alarm on one metric.
#[derive(Debug, Clone)]
pub struct Alarm {
    resource: CfnResource,
}

impl Construct for Alarm {
    fn node(&self) -> &Node {
        self.resource.node()
    }
}

impl Alarm {
    /// Defines an alarm. Missing data does not breach (an idle function is healthy).
    pub fn new(scope: &impl Construct, id: &str, props: AlarmProps) -> Result<Self> {
        let m = &props.metric;
        let dimensions = m.dimensions.iter().map(|(n, v)| {
            let mut dimension = Map::with_capacity(2);
            dimension.insert("Name".into(), Json::from(n.as_str()));
            dimension.insert("Value".into(), v.to_json());
            Json::Object(dimension)
        });
        // Built as a map, not with `json!`, which would serialize each value a second time.
        let mut map = Map::new();
        map.insert("ComparisonOperator".into(), Json::from(props.comparison.as_str()));
        map.insert("Dimensions".into(), dimensions.collect());
        map.insert("EvaluationPeriods".into(), Json::from(props.evaluation_periods));
        map.insert("MetricName".into(), Json::from(m.name.as_str()));
        map.insert("Namespace".into(), Json::from(m.namespace.as_str()));
        map.insert("Period".into(), Json::from(m.period_seconds));
        map.insert("Threshold".into(), json!(props.threshold));
        map.insert("TreatMissingData".into(), Json::from("notBreaching"));
        let statistic = if m.statistic.starts_with('p') { "ExtendedStatistic" } else { "Statistic" };
        map.insert(statistic.into(), Json::from(m.statistic.as_str()));
        if let Some(d) = &props.description {
            map.insert("AlarmDescription".into(), Json::from(d.as_str()));
        }
        if !props.actions.is_empty() {
            let actions: Json = props.actions.iter().map(Expr::to_json).collect();
            map.insert("AlarmActions".into(), actions.clone());
            map.insert("OKActions".into(), actions);
        }
        let resource = CfnResource::new(scope, id, "AWS::CloudWatch::Alarm", map)?;
        resource.node().set_fqn("cloudwright.monitoring.Alarm");
        resource.set_tag_format(cloudwright_core::TagFormat::Standard);
        if props.evaluation_periods == 0 {
            resource.node().add_error("an alarm needs at least one evaluation period");
        }
        Ok(Alarm { resource })
    }

    /// The alarm's ARN.
    pub fn arn(&self) -> Expr {
        self.resource.get_att("Arn")
    }
}

/// A dashboard whose body is JSON with deploy-time values spliced in: `body` may contain
/// the placeholders named in `values`, each replaced by its expression.
pub fn dashboard(scope: &impl Construct, id: &str, body: &Json, values: &[(&str, Expr)]) -> Result<CfnResource> {
    let resource = CfnResource::from_json(
        scope,
        id,
        "AWS::CloudWatch::Dashboard",
        json!({"DashboardBody": Expr::json_text(body, values)}),
    )?;
    resource.node().set_fqn("cloudwright.monitoring.Dashboard");
    Ok(resource)
}
