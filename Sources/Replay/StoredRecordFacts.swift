import StreamModel

/// The two facts replay needs from an archived record: its sequence number (a byte range into the record)
/// and its event time. Found without validating the rest (archived records were validated at ingest).
struct StoredRecordFacts {
    var sequence: Range<Int>
    var timeMillis: Int64

    /// Whether records stored in `format` can be located (and so filtered by time or sequence).
    static func supports(_ format: RecordFormat) -> Bool {
        switch format {
        case .native, .lambdaDynamoDB, .kinesisRecord: true
        default: false
        }
    }

    /// The facts of `record`, or `nil` when they cannot be found (damage, or a format ``supports(_:)`` rejects).
    @inline(__always)
    static func locate(_ record: UnsafeBufferPointer<UInt8>, _ format: RecordFormat) -> StoredRecordFacts? {
        switch format {
        case .native, .lambdaDynamoDB:
            var c = JSONCursor(UnsafeRawBufferPointer(record))
            guard let f = ChangeRecordScanner.locateNative(&c) else { return nil }
            return StoredRecordFacts(sequence: f.sequence, timeMillis: f.eventTimeMillis)
        case .kinesisRecord:
            guard let f = try? KinesisRecordScanner.scan(record) else { return nil }
            return StoredRecordFacts(sequence: f.sequenceNumber, timeMillis: f.eventTimeMillis)
        default:
            return nil
        }
    }
}
