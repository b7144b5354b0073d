//! What CloudWatch Logs accepts as a log group's retention, for every L2 that makes one
//! (<https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html>).

/// Retention periods, in days, CloudWatch Logs accepts.
#[cfg_attr(not(feature = "full"), allow(dead_code))] // used by L2s that may be off
pub(crate) const RETENTION_DAYS: &[u32] =
    &[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
