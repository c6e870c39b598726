import StreamModel

/// What a Kinesis GetRecords item holds, read in one pass over its JSON (``KinesisRecordScanner/scanItem(_:)``:
/// ranges relative to the item's first byte, `Data` decoded), and the Kinesis Data Streams for DynamoDB change
/// inside `Data` when there is one.
struct KinesisRecordFields: Sendable {
    var item: KinesisItem
    /// The eventID and event time of the change record in `Data`, or why `Data` holds none.
    var change: Result<(eventID: [UInt8], eventTimeMillis: Int64), ShapeError>

    /// Scans one item at the cursor, consuming it.
    /// - Throws: `ShapeError` when SequenceNumber, PartitionKey or Data is missing or malformed, or Data is not base64.
    static func scan(_ c: inout JSONCursor) throws(ShapeError) -> KinesisRecordFields {
        let item = try KinesisRecordScanner.scanItem(&c)
        guard item.partitionKey != nil else { throw ShapeError(path: [.key("PartitionKey")], expectation: "missing", offset: 0) }
        // A stream may carry other payloads: the client keeps them, only the archiver refuses them.
        let change: Result<(eventID: [UInt8], eventTimeMillis: Int64), ShapeError>
        do throws(ShapeError) { change = .success(try KinesisRecordScanner.change(in: item)) } catch { change = .failure(error) }
        return KinesisRecordFields(item: item, change: change)
    }
}
