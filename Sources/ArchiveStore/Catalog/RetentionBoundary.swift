public import StreamModel

/// Where retention has trimmed a shard: records at or below ``trimmedThrough`` were deleted.
public struct RetentionBoundary: Sendable, Equatable {
    /// The highest sequence number retention deleted.
    public var trimmedThrough: SequenceNumber
    /// The oldest record still archived, if any.
    public var firstRetained: SequenceNumber?
}
