public import StreamModel

/// Decides which shards may be read now, so that a key's changes are archived parent before child.
///
/// A shard is **readable** when it is not drained yet and each of its parents (both, after a Kinesis merge)
/// is either drained (closed and read to the end, per the checkpoint store) or no longer listed by the stream
/// (trimmed away by retention, so nothing of it can still be read). Otherwise it **waits**. The rule itself is
/// StreamModel's ``ShardLineage``, which the catalog's replay order uses too.
///
/// Pure: give it the shard list from `DescribeStream`/`ListShards` and the drained set from the catalog.
///
/// ```swift
/// let plan = ShardPlanner.plan(shards: description.shards.map(\.lineage), drained: checkpoints.drainedShardIDs)
/// for shardID in plan.readable { /* start a reader */ }
/// ```
public enum ShardPlanner {
    /// The result of ``plan(shards:drained:)``.
    public typealias Plan = ShardLineage.Plan

    /// Plans which shards to read.
    /// - Parameters:
    ///   - shards: Every shard the stream lists, in listing order.
    ///   - drained: IDs of shards that are closed and fully read (from the checkpoint store). May name shards
    ///     the stream no longer lists.
    /// - Returns: The plan.
    public static func plan(shards: [ShardLineage], drained: Set<String>) -> Plan {
        ShardLineage.plan(shards, drained: drained)
    }
}
