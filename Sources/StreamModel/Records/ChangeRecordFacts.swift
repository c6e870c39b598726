/// What the archive needs to know about one change record, as byte ranges into the record's text.
public struct ChangeRecordFacts: Sendable {
    /// `eventID`'s raw string content.
    public var eventID: Range<Int>
    /// `dynamodb.SequenceNumber`'s digits.
    public var sequenceNumber: Range<Int>
    /// `dynamodb.ApproximateCreationDateTime` in milliseconds since the epoch.
    public var eventTimeMillis: Int64
    /// `eventName`: INSERT, MODIFY or REMOVE.
    public var eventName: EventName
    /// Whether the record carries `eventSourceARN` (the Lambda event shape).
    public var hasEventSourceARN: Bool

    public init(eventID: Range<Int>, sequenceNumber: Range<Int>, eventTimeMillis: Int64, eventName: EventName, hasEventSourceARN: Bool) {
        self.eventID = eventID
        self.sequenceNumber = sequenceNumber
        self.eventTimeMillis = eventTimeMillis
        self.eventName = eventName
        self.hasEventSourceARN = hasEventSourceARN
    }
}
