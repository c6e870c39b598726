/// A legal hold: retention deletes no segment of the stream with a record in `[from, to]`.
public struct HoldInfo: Sendable, Equatable {
    /// The number of the audit entry that added the hold.
    public var id: Int64
    public var stream: String
    /// Epoch milliseconds, inclusive.
    public var from: Int64
    /// Epoch milliseconds, inclusive.
    public var to: Int64
    public var reason: String
    public var createdAt: Int64

    public init(id: Int64, stream: String, from: Int64, to: Int64, reason: String, createdAt: Int64) {
        self.id = id
        self.stream = stream
        self.from = from
        self.to = to
        self.reason = reason
        self.createdAt = createdAt
    }

    /// Whether a segment whose records span `[minTime, maxTime]` holds a record the hold covers (could, by its range).
    public func overlaps(minTime: Int64, maxTime: Int64) -> Bool {
        minTime <= to && maxTime >= from
    }
}
