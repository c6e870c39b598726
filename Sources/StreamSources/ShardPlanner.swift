/// A shard's parents, the only thing ``ShardPlanner`` needs to know about it.
public struct ShardLineage: Sendable, Hashable {
    /// The shard ID.
    public var shardID: String
    /// The parent (split) or first parent (merge), if any.
    public var parentShardID: String?
    /// The second parent of a Kinesis merge, if any.
    public var adjacentParentShardID: String?

    /// Creates a lineage entry.
    /// - Parameters:
    ///   - shardID: The shard ID.
    ///   - parentShardID: The parent, if any.
    ///   - adjacentParentShardID: The second parent of a merge, if any.
    public init(shardID: String, parentShardID: String? = nil, adjacentParentShardID: String? = nil) {
        self.shardID = shardID
        self.parentShardID = parentShardID
        self.adjacentParentShardID = adjacentParentShardID
    }

    /// The parents that are set.
    public var parents: [String] { [parentShardID, adjacentParentShardID].compactMap { $0 } }
}

/// Decides which shards may be read now, so that a key's changes are archived parent before child.
///
/// A shard is **readable** when it is not drained yet and each of its parents is either drained
/// (closed and read to the end, per the checkpoint store) or no longer listed by the stream (trimmed
/// away by retention, so nothing of it can still be read). Otherwise it **waits**.
///
/// Pure: give it the shard list from `DescribeStream`/`ListShards` and the drained set from the catalog.
///
/// ```swift
/// let plan = ShardPlanner.plan(shards: description.shards.map(\.lineage), drained: checkpoints.drainedShardIDs)
/// for shardID in plan.readable { /* start a reader */ }
/// ```
public enum ShardPlanner {
    /// The result of ``plan(shards:drained:)``.
    public struct Plan: Sendable, Hashable {
        /// Shards to read now, in the order they were listed.
        public var readable: [String]
        /// Shards whose parent(s) must be drained first, with the blocking parents.
        public var waiting: [String: [String]]
        /// Listed shards already drained (nothing to do).
        public var drained: [String]
    }

    /// Plans which shards to read.
    /// - Parameters:
    ///   - shards: Every shard the stream lists, in listing order.
    ///   - drained: IDs of shards that are closed and fully read (from the checkpoint store). May name shards
    ///     the stream no longer lists.
    /// - Returns: The plan.
    public static func plan(shards: [ShardLineage], drained: Set<String>) -> Plan {
        let listed = Set(shards.map(\.shardID))
        var plan = Plan(readable: [], waiting: [:], drained: [])
        for shard in shards {
            if drained.contains(shard.shardID) {
                plan.drained.append(shard.shardID)
                continue
            }
            let blocking = shard.parents.filter { $0 != shard.shardID && listed.contains($0) && !drained.contains($0) }
            if blocking.isEmpty {
                plan.readable.append(shard.shardID)
            } else {
                plan.waiting[shard.shardID] = blocking
            }
        }
        return plan
    }
}
