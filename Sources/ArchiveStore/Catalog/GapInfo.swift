public import StreamModel

/// A known hole in the archive: records the source no longer had when the archiver asked.
public struct GapInfo: Sendable, Equatable {
    public var id: Int64
    public var streamID: Int64
    public var shardID: String
    public var afterSequence: SequenceNumber?
    public var detectedAt: Int64
    public var reason: String
}
