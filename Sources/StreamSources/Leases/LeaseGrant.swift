public import StreamModel

/// A shard this node may read now under its lease: where to start, and which holding of the lease it is (a
/// shard lost and taken again is a new grant, so nothing read under the old one is carried over).
public struct LeaseGrant: Sendable, Hashable {
    /// The shard and its parents.
    public var shard: ShardLineage
    /// The lease checkpoint when the lease was taken: resume after it; `nil` at TRIM_HORIZON.
    public var resumeAfter: String?
    /// Which holding of the lease this is (unique within a process).
    public var id: Int
}
