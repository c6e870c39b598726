/// Counts and timings of one replay, for `--timing`, progress, and the benchmark.
public struct ReplayStatistics: Sendable, Equatable {
    /// Time spent finding blocks in the catalog.
    public var lookupNanos: UInt64 = 0
    /// Time of the replay so far, delivery included.
    public var totalNanos: UInt64 = 0
    /// Blocks read and checked.
    public var blocksRead = 0
    /// Blocks in the selection's range left unread because their key filter rules the wanted item out.
    public var blocksSkipped = 0
    /// Their size, decompressed.
    public var bytesDecompressed = 0
    /// Records inside the selection (time, sequence range, shard) taken out of blocks.
    public var recordsRead = 0
    /// Records the filter stage dropped.
    public var recordsFiltered = 0
    /// Records handed to the sink.
    public var recordsDelivered = 0
    /// The damage the replay stopped at, if any.
    public var damage: ReplayDamage?

    /// All zero.
    public init() {}
}
