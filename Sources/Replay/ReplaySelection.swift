public import StreamModel

/// What to replay: a stream, optionally narrowed by event time, by shard and by a shard's sequence range,
/// in one of two orders, optionally resuming after a ``ReplayPosition``.
///
/// The first stage of ``ReplayPipeline``. Check it with ``validate()`` (the pipeline does).
public struct ReplaySelection: Sendable, Equatable {
    /// Output order.
    public enum Order: String, Sendable, CaseIterable {
        /// Per shard in sequence order, parent shards before their children (what a stream consumer sees).
        case shard
        /// One global order by event time (ties keep per-shard order).
        case time
    }

    /// The archive's stream name.
    public var stream: String
    /// Event time lower bound, inclusive, epoch ms.
    public var from: Int64?
    /// Event time upper bound, exclusive, epoch ms.
    public var to: Int64?
    /// Only this shard.
    public var shard: String?
    /// Sequence range within ``shard``, both ends inclusive.
    public var fromSequence: SequenceNumber?
    /// Upper end of the sequence range, inclusive.
    public var toSequence: SequenceNumber?
    /// Output order (default ``Order/shard``).
    public var order: Order
    /// Resume: skip everything up to and including this record (``Order/shard`` only). Shards before the
    /// position's shard in lineage order count as done.
    public var after: ReplayPosition?

    /// Creates a selection; every narrowing is optional.
    /// - Parameters:
    ///   - stream: the archive's stream name.
    ///   - from: earliest event time, inclusive, epoch ms.
    ///   - to: latest event time, exclusive, epoch ms.
    ///   - shard: only this shard (needed for sequence bounds).
    ///   - fromSequence: lowest sequence number, inclusive.
    ///   - toSequence: highest sequence number, inclusive.
    ///   - order: ``Order/shard`` (default) or ``Order/time``.
    ///   - after: resume after this position (from ``ReplayPipeline/position``).
    public init(
        stream: String,
        from: Int64? = nil,
        to: Int64? = nil,
        shard: String? = nil,
        fromSequence: SequenceNumber? = nil,
        toSequence: SequenceNumber? = nil,
        order: Order = .shard,
        after: ReplayPosition? = nil
    ) {
        self.stream = stream
        self.from = from
        self.to = to
        self.shard = shard
        self.fromSequence = fromSequence
        self.toSequence = toSequence
        self.order = order
        self.after = after
    }

    /// The event times a selection may name, epoch ms: 1970-01-01T00:00:00Z through 9999-12-31T23:59:59.999Z.
    /// (No stream record is older than 2012; the bound keeps every time arithmetic far from overflow.)
    public static let supportedTimes: ClosedRange<Int64> = 0...253_402_300_799_999

    /// Checks the selection before any work: times inside ``supportedTimes``, `from` not after `to`,
    /// `fromSequence` not above `toSequence`, sequence bounds only with a shard, resuming only in shard order.
    /// - Throws: ``ReplayError`` with code ``ReplayError/Code/invalidSelection`` naming the field.
    public func validate() throws(ReplayError) {
        for (name, value) in [("from", from), ("to", to)] {
            if let value, !Self.supportedTimes.contains(value) {
                throw ReplayError(
                    code: .invalidSelection,
                    message: "Selection field '\(name)' is \(value) ms, outside the supported times "
                        + "(\(Self.supportedTimes.lowerBound) ... \(Self.supportedTimes.upperBound) ms since 1970)."
                )
            }
        }
        if let from, let to, from > to {
            throw ReplayError(code: .invalidSelection, message: "Selection field 'from' (\(from) ms) is after 'to' (\(to) ms): pass from <= to.")
        }
        if let low = fromSequence, let high = toSequence, low > high {
            throw ReplayError(
                code: .invalidSelection,
                message: "Selection field 'fromSequence' (\(low)) is above 'toSequence' (\(high)): pass fromSequence <= toSequence."
            )
        }
        if hasSequenceBounds && shard == nil {
            throw ReplayError(code: .invalidSelection, message: "Sequence bounds compare within one shard: set 'shard' too.")
        }
        if after != nil && order != .shard {
            throw ReplayError(code: .invalidSelection, message: "Resuming after a position works in shard order only: set 'order' to shard.")
        }
    }

    var hasTimeBounds: Bool { from != nil || to != nil }
    var hasSequenceBounds: Bool { fromSequence != nil || toSequence != nil }
}
