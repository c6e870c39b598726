/// One shard's lease in the lease table: who reads the shard, the counter that proves the owner is alive, and
/// how far the shard is archived.
///
/// The item is keyed `leaseKey = "<stream>:<shardId>"` (the archive's stream name, so several streams can share
/// one table). Every renewal moves ``counter``; a lease whose counter has not moved for the lease timeout, as
/// observed on the observer's own clock, is expired and may be taken.
public struct Lease: Sendable, Hashable {
    /// `"<stream>:<shardId>"`.
    public var leaseKey: String
    /// The shard.
    public var shardID: String
    /// The node holding the lease (`host:pid:random`), or `nil` when nobody does.
    public var owner: String?
    /// Moved by every renewal, take and release: the fencing token of conditional writes.
    public var counter: Int64
    /// ``Lease/trimHorizon`` (nothing archived yet), a sequence number (archived through it and durable), or
    /// ``Lease/shardEnd`` (the closed shard is archived to its end: its children may start).
    public var checkpoint: String
    /// The shard's parents (one after a split, two after a Kinesis merge).
    public var parents: [String]
    /// How often the lease changed hands since its checkpoint last moved (a shard that keeps failing over).
    public var ownerSwitchesSinceCheckpoint: Int64

    /// The checkpoint of a shard nothing was archived from yet.
    public static let trimHorizon = "TRIM_HORIZON"
    /// The checkpoint of a closed shard archived to its end.
    public static let shardEnd = "SHARD_END"

    /// Creates a lease.
    /// - Parameters:
    ///   - stream: The archive's stream name.
    ///   - shardID: The shard.
    ///   - owner: The holder, if any.
    ///   - counter: The counter.
    ///   - checkpoint: The checkpoint; default ``trimHorizon``.
    ///   - parents: The shard's parents.
    ///   - ownerSwitchesSinceCheckpoint: Owner changes since the checkpoint moved.
    public init(
        stream: String,
        shardID: String,
        owner: String? = nil,
        counter: Int64 = 0,
        checkpoint: String = Lease.trimHorizon,
        parents: [String] = [],
        ownerSwitchesSinceCheckpoint: Int64 = 0
    ) {
        self.leaseKey = Self.key(stream: stream, shardID: shardID)
        self.shardID = shardID
        self.owner = owner
        self.counter = counter
        self.checkpoint = checkpoint
        self.parents = parents
        self.ownerSwitchesSinceCheckpoint = ownerSwitchesSinceCheckpoint
    }

    /// The item key of a stream's shard.
    public static func key(stream: String, shardID: String) -> String { "\(stream):\(shardID)" }

    /// The sequence number to resume after, or `nil` at TRIM_HORIZON (and at SHARD_END, where nothing is left).
    public var resumeAfter: String? {
        checkpoint == Self.trimHorizon || checkpoint == Self.shardEnd ? nil : checkpoint
    }

    /// Whether the shard is archived to its end.
    public var isFinished: Bool { checkpoint == Self.shardEnd }
}
