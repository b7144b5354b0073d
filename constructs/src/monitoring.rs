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

use cloudwright_core::{Construct, Expr, Node, Result, Value};
use serde::Serialize;

use crate::cfn::cloudwatch::alarm::{ComparisonOperator, Dimension, Statistic, TreatMissingData};
use crate::cfn::cloudwatch::{CfnAlarm, CfnAlarmProps, CfnDashboard, CfnDashboardProps};

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
    fn operator(self) -> ComparisonOperator {
        match self {
            Comparison::GreaterThanOrEqual => ComparisonOperator::GreaterThanOrEqualToThreshold,
            Comparison::GreaterThan => ComparisonOperator::GreaterThanThreshold,
            Comparison::LessThan => ComparisonOperator::LessThanThreshold,
            Comparison::LessThanOrEqual => ComparisonOperator::LessThanOrEqualToThreshold,
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
    resource: CfnAlarm,
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
        let dimensions = m.dimensions.iter().map(|(n, v)| Dimension::new(n, v.clone())).collect();
        // Percentiles (`p99`) go in ExtendedStatistic, the five plain statistics in Statistic:
        // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudwatch-alarm.html
        let (statistic, extended_statistic) = match plain_statistic(&m.statistic) {
            Some(s) => (Some(s.into()), None),
            None => (None, Some(Value::from(&m.statistic))),
        };
        let actions: Vec<Value<String>> = props.actions.iter().cloned().map(Value::from).collect();
        let actions = (!actions.is_empty()).then_some(actions);
        let resource = CfnAlarm::new(
            scope,
            id,
            CfnAlarmProps {
                alarm_actions: actions.clone(),
                alarm_description: props.description.as_ref().map(Value::from),
                comparison_operator: Some(props.comparison.operator().into()),
                dimensions: Some(dimensions),
                evaluation_periods: Some(i64::from(props.evaluation_periods).into()),
                extended_statistic,
                metric_name: Some(Value::from(&m.name)),
                namespace: Some(Value::from(&m.namespace)),
                ok_actions: actions,
                period: Some(i64::from(m.period_seconds).into()),
                statistic,
                threshold: Some(props.threshold.into()),
                treat_missing_data: Some(TreatMissingData::NotBreaching.into()),
                ..Default::default()
            },
        )?;
        resource.node().set_fqn("cloudwright.monitoring.Alarm");
        if props.evaluation_periods == 0 {
            resource
                .node()
                .add_error("an alarm needs at least one evaluation period; set evaluation_periods to 1 or more");
        }
        Ok(Alarm { resource })
    }

    /// The alarm's ARN.
    pub fn arn(&self) -> Expr {
        self.resource.attr_arn()
    }

    /// The `AWS::CloudWatch::Alarm` resource.
    pub fn resource(&self) -> &CfnAlarm {
        &self.resource
    }
}

/// The typed statistic for `Sum`, `Average`, ...; `None` for a percentile or anything else.
fn plain_statistic(name: &str) -> Option<Statistic> {
    match name {
        "Average" => Some(Statistic::Average),
        "Maximum" => Some(Statistic::Maximum),
        "Minimum" => Some(Statistic::Minimum),
        "SampleCount" => Some(Statistic::SampleCount),
        "Sum" => Some(Statistic::Sum),
        _ => None,
    }
}

/// A graph of one metric on a dashboard.
#[derive(Debug, Clone)]
pub struct MetricWidget {
    /// The graph's title.
    pub title: String,
    /// The metric, drawn with its own statistic and period.
    pub metric: Metric,
    /// Width in grid columns (the dashboard is 24 wide).
    pub width: u32,
    /// Height in grid rows.
    pub height: u32,
}

/// A widget as the dashboard body structure writes it:
/// <https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html>
#[derive(Serialize)]
struct WidgetBody {
    #[serde(rename = "type")]
    kind: &'static str,
    width: u32,
    height: u32,
    properties: WidgetProperties,
}

#[derive(Serialize)]
struct WidgetProperties {
    title: String,
    region: String,
    stat: String,
    period: u32,
    /// `[namespace, name, dimension name, dimension value, ...]` per metric.
    metrics: Vec<Vec<String>>,
}

#[derive(Serialize)]
struct DashboardBody {
    widgets: Vec<WidgetBody>,
}

/// A dashboard of metric graphs, in the stack's region. The body is JSON text, so the
/// deploy-time parts (dimension values, the region) are spliced in by placeholder.
pub fn dashboard(scope: &impl Construct, id: &str, widgets: &[MetricWidget]) -> Result<CfnDashboard> {
    const REGION: &str = "__REGION__";
    let mut values: Vec<(String, Expr)> = vec![(REGION.into(), Expr::region())];
    let mut placeholder = |value: &Expr| match values.iter().find(|(_, v)| v == value) {
        Some((name, _)) => name.clone(),
        None => {
            let name = format!("__VALUE{}__", values.len());
            values.push((name.clone(), value.clone()));
            name
        }
    };
    let widgets = widgets
        .iter()
        .map(|w| {
            let m = &w.metric;
            let mut line = vec![m.namespace.clone(), m.name.clone()];
            for (name, value) in &m.dimensions {
                line.push(name.clone());
                line.push(value.as_literal_str().map_or_else(|| placeholder(value), str::to_owned));
            }
            WidgetBody {
                kind: "metric",
                width: w.width,
                height: w.height,
                properties: WidgetProperties {
                    title: w.title.clone(),
                    region: REGION.into(),
                    stat: m.statistic.clone(),
                    period: m.period_seconds,
                    metrics: vec![line],
                },
            }
        })
        .collect();
    let body = match serde_json::to_value(DashboardBody { widgets }) {
        Ok(body) => body,
        Err(source) => {
            return Err(cloudwright_core::Error::Serialize {
                path: format!("{}/{id}", scope.node().path()),
                what: "the dashboard body".into(),
                source,
            });
        }
    };
    let values: Vec<(&str, Expr)> = values.iter().map(|(n, v)| (n.as_str(), v.clone())).collect();
    let resource = CfnDashboard::new(
        scope,
        id,
        CfnDashboardProps { dashboard_body: Expr::json_text(&body, &values).into(), dashboard_name: None, tags: None },
    )?;
    resource.node().set_fqn("cloudwright.monitoring.Dashboard");
    Ok(resource)
}
