public import StreamModel

/// What to replay: a stream, optionally narrowed by event time and by a shard's sequence range.
public struct ReplayQuery: Sendable, Equatable {
    /// Output order.
    public enum Order: String, Sendable, CaseIterable {
        /// Per shard in sequence order, parent shards before their children (what a stream consumer sees).
        case shard
        /// One global order by event time (ties keep per-shard order).
        case time
    }

    public var stream: String
    /// Event time lower bound, inclusive, epoch ms.
    public var from: Int64?
    /// Event time upper bound, exclusive, epoch ms.
    public var to: Int64?
    /// Only this shard.
    public var shard: String?
    /// Sequence range within ``shard``, both ends inclusive.
    public var fromSequence: SequenceNumber?
    public var toSequence: SequenceNumber?
    public var order: Order

    public init(
        stream: String,
        from: Int64? = nil,
        to: Int64? = nil,
        shard: String? = nil,
        fromSequence: SequenceNumber? = nil,
        toSequence: SequenceNumber? = nil,
        order: Order = .shard
    ) {
        self.stream = stream
        self.from = from
        self.to = to
        self.shard = shard
        self.fromSequence = fromSequence
        self.toSequence = toSequence
        self.order = order
    }

    var hasTimeBounds: Bool { from != nil || to != nil }
    var hasSequenceBounds: Bool { fromSequence != nil || toSequence != nil }
}

/// Counts and timings of one replay, for `--timing` and the benchmark.
public struct ReplayStatistics: Sendable, Equatable {
    /// Time spent finding blocks in the catalog.
    public var lookupNanos: UInt64 = 0
    /// Total time of the replay, output included.
    public var totalNanos: UInt64 = 0
    public var blocksRead = 0
    public var bytesDecompressed = 0
    public var records = 0
}
