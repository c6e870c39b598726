public import StreamModel

/// Where a replay stands: the shard and sequence number of the last record delivered. Give it back as
/// ``ReplaySelection/after`` to continue with the next record (a handler's checkpoint, a GetRecords iterator).
public struct ReplayPosition: Sendable, Hashable, CustomStringConvertible {
    public var shardID: String
    public var sequenceNumber: SequenceNumber

    public init(shardID: String, sequenceNumber: SequenceNumber) {
        self.shardID = shardID
        self.sequenceNumber = sequenceNumber
    }

    public var description: String { "\(shardID)@\(sequenceNumber)" }
}
