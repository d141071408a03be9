/// The names of the metrics the live collector records itself (swift-metrics labels), in one place.
///
/// Defined here, below every module, so that the Collector (which records them) and Monitoring (which exports
/// them and sets their histogram buckets, see its `MetricNames`) share the strings without depending on each other.
public enum CollectorMetricNames {
    /// Timer (a Prometheus histogram in seconds): time from receiving a trade's frame to the commit of its transaction.
    public static let receiveToCommit = "pairbook_receive_to_commit_seconds"
}
