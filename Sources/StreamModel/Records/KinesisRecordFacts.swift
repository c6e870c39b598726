/// What the archive needs to know about a Kinesis GetRecords item that carries a Kinesis Data Streams
/// for DynamoDB payload in its base64 `Data`.
public struct KinesisRecordFacts: Sendable {
    /// `SequenceNumber`'s digits, as a range of the record's text.
    public var sequenceNumber: Range<Int>
    /// The payload's `eventID` (escapes resolved). Kinesis may deliver a change twice: this is what recognises it.
    public var eventID: [UInt8]
    /// The payload's `dynamodb.ApproximateCreationDateTime` in epoch milliseconds (the payload gives
    /// milliseconds, or microseconds when `ApproximateCreationDateTimePrecision` is `MICROSECOND`).
    public var eventTimeMillis: Int64

    public init(sequenceNumber: Range<Int>, eventID: [UInt8], eventTimeMillis: Int64) {
        self.sequenceNumber = sequenceNumber
        self.eventID = eventID
        self.eventTimeMillis = eventTimeMillis
    }
}
