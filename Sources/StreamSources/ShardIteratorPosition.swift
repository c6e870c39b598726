public import Foundation

/// Where a shard iterator starts, for DynamoDB Streams and Kinesis `GetShardIterator`.
public enum ShardIteratorPosition: Sendable, Hashable {
    /// The oldest record still in the shard.
    case trimHorizon
    /// Just after the newest record: only records written from now on.
    case latest
    /// At the record with this sequence number (inclusive).
    case atSequenceNumber(String)
    /// Just after the record with this sequence number: resume from a checkpoint.
    case afterSequenceNumber(String)
    /// At the first record written at or after this time. Kinesis only.
    case atTimestamp(Date)

    /// The `ShardIteratorType` value.
    public var iteratorType: String {
        switch self {
        case .trimHorizon: "TRIM_HORIZON"
        case .latest: "LATEST"
        case .atSequenceNumber: "AT_SEQUENCE_NUMBER"
        case .afterSequenceNumber: "AFTER_SEQUENCE_NUMBER"
        case .atTimestamp: "AT_TIMESTAMP"
        }
    }

    var sequenceNumber: String? {
        switch self {
        case .atSequenceNumber(let value), .afterSequenceNumber(let value): value
        default: nil
        }
    }

    var timestamp: Double? {
        if case .atTimestamp(let date) = self { return date.timeIntervalSince1970 }
        return nil
    }
}
