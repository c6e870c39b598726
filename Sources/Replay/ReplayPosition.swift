public import StreamModel

/// Where a replay stands: the shard and sequence number of the last record delivered. Give it back as
/// ``ReplaySelection/after`` to continue with the next record (a handler's checkpoint, a GetRecords iterator).
public struct ReplayPosition: Sendable, Hashable, CustomStringConvertible {
    /// The source's shard id.
    public var shardID: String
    /// The last delivered record's sequence number.
    public var sequenceNumber: SequenceNumber

    /// A position: after record `sequenceNumber` of shard `shardID`.
    public init(shardID: String, sequenceNumber: SequenceNumber) {
        self.shardID = shardID
        self.sequenceNumber = sequenceNumber
    }

    public var description: String { "\(shardID)@\(sequenceNumber)" }
}
