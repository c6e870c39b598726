/// A shard's place in its stream's lineage: its ID and its parents.
///
/// A DynamoDB Streams or Kinesis shard has one parent after a split and two after a Kinesis merge
/// (`ParentShardId` and `AdjacentParentShardId`). A key's changes are in the parent(s) before they are in the
/// child, so everything that reads or replays shards in order (the archiver, replay, the server) asks this
/// type what comes first: ``unfinishedParents(known:finished:)`` is the one rule, ``order(_:lineage:)`` and
/// ``plan(_:drained:)`` apply it.
///
/// ```swift
/// let ordered = ShardLineage.order(shards, lineage: \.lineage)            // parents before children
/// let plan = ShardLineage.plan(listed, drained: drainedIDs)                 // what may be read now
/// ```
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

    /// The parents that must come first: those among `known` shards that are not `finished` yet.
    ///
    /// A parent that is not known (trimmed away by retention, or never archived) cannot hold anything still to
    /// read, so it never blocks. A shard is never its own parent.
    /// - Parameters:
    ///   - known: The shards that exist (listed by the stream, or in the archive).
    ///   - finished: The shards already done (drained, or already placed in an order).
    /// - Returns: The blocking parents, parent before adjacent parent.
    public func unfinishedParents(known: Set<String>, finished: Set<String>) -> [String] {
        parents.filter { $0 != shardID && known.contains($0) && !finished.contains($0) }
    }

    /// Orders shards so that every shard comes after its parents.
    ///
    /// It takes passes over the given order, placing each shard whose parents are placed, so shards that do not
    /// depend on each other keep their relative order. Parents that are not in `shards` are ignored. A cycle
    /// (which AWS cannot produce) keeps the shards it involves in their given order, at the end.
    /// - Parameters:
    ///   - shards: The shards, in a stable order (creation order, listing order).
    ///   - lineage: Each shard's lineage.
    /// - Returns: The same shards, parents first.
    public static func order<Shard>(_ shards: [Shard], lineage: (Shard) -> ShardLineage) -> [Shard] {
        let lineages = shards.map(lineage)
        let known = Set(lineages.map(\.shardID))
        var placed = Set<String>()
        var ordered: [Shard] = []
        ordered.reserveCapacity(shards.count)
        var pending = Array(shards.indices)
        while !pending.isEmpty {
            let before = pending.count
            pending.removeAll { index in
                guard lineages[index].unfinishedParents(known: known, finished: placed).isEmpty else { return false }
                ordered.append(shards[index])
                placed.insert(lineages[index].shardID)
                return true
            }
            if pending.count == before {
                ordered += pending.map { shards[$0] }
                break
            }
        }
        return ordered
    }

    /// Orders lineage entries parents first (see ``order(_:lineage:)``).
    /// - Parameter shards: The shards, in a stable order.
    /// - Returns: The same shards, parents first.
    public static func order(_ shards: [ShardLineage]) -> [ShardLineage] {
        order(shards) { $0 }
    }

    /// Which shards of a stream may be read now: ``Plan``.
    /// - Parameters:
    ///   - shards: Every shard the stream lists, in listing order.
    ///   - drained: IDs of shards that are closed and fully read. May name shards the stream no longer lists.
    /// - Returns: The plan.
    public static func plan(_ shards: [ShardLineage], drained: Set<String>) -> Plan {
        let listed = Set(shards.map(\.shardID))
        var plan = Plan(readable: [], waiting: [:], drained: [])
        for shard in shards {
            if drained.contains(shard.shardID) {
                plan.drained.append(shard.shardID)
                continue
            }
            let blocking = shard.unfinishedParents(known: listed, finished: drained)
            if blocking.isEmpty {
                plan.readable.append(shard.shardID)
            } else {
                plan.waiting[shard.shardID] = blocking
            }
        }
        return plan
    }

    /// The result of ``plan(_:drained:)``.
    public struct Plan: Sendable, Hashable {
        /// Shards to read now, in the order they were listed: not drained, and each parent drained or no longer listed.
        public var readable: [String]
        /// Shards whose parent(s) must be drained first, with the blocking parents.
        public var waiting: [String: [String]]
        /// Listed shards already drained (nothing to do).
        public var drained: [String]

        /// Creates a plan.
        /// - Parameters:
        ///   - readable: Shards to read now.
        ///   - waiting: Shards waiting, with their blocking parents.
        ///   - drained: Listed shards already drained.
        public init(readable: [String], waiting: [String: [String]], drained: [String]) {
            self.readable = readable
            self.waiting = waiting
            self.drained = drained
        }
    }
}
