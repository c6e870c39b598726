/// Decides when a shard's lease checkpoint may move: only once the records it covers are durable, so a node that
/// takes the shard over resumes after records that cannot be lost.
///
/// The archiver calls ``committed(shardID:checkpoint:advance:)`` after each local commit; an implementation calls
/// `advance` once the records through `checkpoint` are durable. ``LocalCommitDurability`` (durable = fsynced and
/// in the local catalog) advances at once; an object-store tier advances once the segment is in the bucket.
public protocol CheckpointDurability: Sendable {
    /// Records of `shardID` through `checkpoint` (a sequence number, or ``Lease/shardEnd`` once a closed shard is
    /// archived to its end) were committed locally.
    /// - Parameters:
    ///   - shardID: The shard.
    ///   - checkpoint: The sequence number of the last committed record, or ``Lease/shardEnd``.
    ///   - advance: Moves the lease checkpoint (throws ``LeaseLost`` when the lease is no longer held).
    func committed(shardID: String, checkpoint: String, advance: @escaping @Sendable (String) async throws -> Void) async throws

    /// Reading has stopped and everything is committed; the leases are released next. Makes what is committed
    /// durable (`seal` seals the open segment) and moves the checkpoints it can, within a bounded wait.
    func settle(seal: @Sendable () async throws -> Void) async

    /// Where a shard taken under a lease starts: after `checkpoint` (the lease's; `nil` at TRIM_HORIZON), or later if
    /// the records after it are already durable (the previous owner stored them but could not move the checkpoint).
    func resumePoint(shardID: String, after checkpoint: String?) async -> String?

    /// This node lost the lease of `shardID` while alive (stolen, or not renewed in time): make what it committed of
    /// the shard durable soon (`seal` seals the open segment), so the next owner can start after it.
    func leaseLost(shardID: String, seal: @Sendable () async throws -> Void) async
}

extension CheckpointDurability {
    /// Nothing to wait for: checkpoints moved at each commit.
    public func settle(seal: @Sendable () async throws -> Void) async {}
    /// The lease checkpoint covers everything durable.
    public func resumePoint(shardID: String, after checkpoint: String?) async -> String? { checkpoint }
    /// Nothing to do: what was committed is durable.
    public func leaseLost(shardID: String, seal: @Sendable () async throws -> Void) async {}
}

/// Records are durable once committed locally (fsync + catalog transaction): the lease checkpoint moves at once.
public struct LocalCommitDurability: CheckpointDurability {
    /// Creates it.
    public init() {}

    public func committed(shardID: String, checkpoint: String, advance: @escaping @Sendable (String) async throws -> Void) async throws {
        try await advance(checkpoint)
    }
}
