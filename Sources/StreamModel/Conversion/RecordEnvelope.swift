/// Per-record facts from outside the record: what an archive or a Kinesis envelope knows.
///
/// Used only where the source record lacks the field. A replay engine that stored the Kinesis
/// sequence number beside a kds payload passes it here when replaying as kinesis-record.
public struct RecordEnvelope: Sendable, Equatable {
    /// Sequence number (native `SequenceNumber`, Kinesis `SequenceNumber`).
    public var sequenceNumber: String?
    /// Kinesis `ApproximateArrivalTimestamp` in epoch milliseconds; default: the event time.
    public var arrivalTimeMillis: Int64?
    /// Kinesis `PartitionKey`; default: ``PartitionKey`` of table and keys.
    public var partitionKey: String?

    public init(sequenceNumber: String? = nil, arrivalTimeMillis: Int64? = nil, partitionKey: String? = nil) {
        self.sequenceNumber = sequenceNumber
        self.arrivalTimeMillis = arrivalTimeMillis
        self.partitionKey = partitionKey
    }
}
