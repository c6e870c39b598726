import StreamModel

/// What a Kinesis GetRecords item holds, read in one pass over its JSON: ranges relative to the item's first
/// byte, the base64-decoded `Data`, and the Kinesis Data Streams for DynamoDB change inside it when there is one.
struct KinesisRecordFields: Sendable {
    var sequenceNumber: Range<Int>
    var approximateArrivalTimestamp: Range<Int>?
    /// String content (escapes possible).
    var partitionKey: Range<Int>
    var encryptionType: Range<Int>?
    /// `Data`, decoded.
    var data: [UInt8]
    /// The eventID and event time of the change record in `Data`, or why `Data` holds none.
    var change: Result<(eventID: [UInt8], eventTimeMillis: Int64), ShapeError>

    /// Scans one item at the cursor, consuming it.
    /// - Throws: `ShapeError` when SequenceNumber, PartitionKey or Data is missing or malformed, or Data is not base64.
    static func scan(_ c: inout JSONCursor) throws(ShapeError) -> KinesisRecordFields {
        var sequence: Range<Int>?
        var arrival: Range<Int>?
        var partitionKey: Range<Int>?
        var encryption: Range<Int>?
        var data: JSONCursor.StringToken?
        guard c.peek() == UInt8(ascii: "{") else { throw c.fail("expected a Kinesis record object") }
        if try c.openObject() {
            repeat {
                let key = try c.readKey()
                do throws(ShapeError) {
                    if c.equals(key, "SequenceNumber") {
                        sequence = try ChangeRecordScanner.readSequenceNumber(&c)
                    } else if c.equals(key, "ApproximateArrivalTimestamp") {
                        arrival = try c.readNumber()
                    } else if c.equals(key, "PartitionKey") {
                        partitionKey = try string(&c)
                    } else if c.equals(key, "EncryptionType") {
                        encryption = try string(&c)
                    } else if c.equals(key, "Data") {
                        guard c.peek() == UInt8(ascii: "\"") else { throw c.fail("expected a base64 string") }
                        data = try c.readString()
                    } else {
                        try c.skipValue(depth: 1)
                    }
                } catch {
                    throw error.inside(.key(c.text(key)))
                }
            } while try c.nextMember(closing: UInt8(ascii: "}"))
        }
        guard let sequence else { throw ShapeError(path: [.key("SequenceNumber")], expectation: "missing", offset: c.offset) }
        guard let partitionKey else { throw ShapeError(path: [.key("PartitionKey")], expectation: "missing", offset: c.offset) }
        guard let data else { throw ShapeError(path: [.key("Data")], expectation: "missing", offset: c.offset) }
        let text = data.hasEscapes ? c.unescaped(data.content) : Array(c.bytes(data.content))
        guard let payload = Base64.decode(text) else {
            throw ShapeError(path: [.key("Data")], expectation: "expected base64", offset: data.content.lowerBound)
        }
        let change: Result<(eventID: [UInt8], eventTimeMillis: Int64), ShapeError>
        do throws(ShapeError) {
            let (eventID, time) = try payload.withUnsafeBufferPointer { (buffer) throws(ShapeError) in
                try KinesisRecordScanner.scanPayload(buffer)
            }
            change = .success((eventID, time))
        } catch {
            // Offsets inside the decoded payload mean nothing in the record's text: point at Data.
            change = .failure(
                ShapeError(
                    path: [.key("Data")] + error.path,
                    expectation: error.expectation + " (in the decoded payload)",
                    offset: data.content.lowerBound
                )
            )
        }
        return KinesisRecordFields(
            sequenceNumber: sequence,
            approximateArrivalTimestamp: arrival,
            partitionKey: partitionKey,
            encryptionType: encryption,
            data: payload,
            change: change
        )
    }

    private static func string(_ c: inout JSONCursor) throws(ShapeError) -> Range<Int> {
        guard c.peek() == UInt8(ascii: "\"") else { throw c.fail("expected a string") }
        return try c.readString().content
    }
}
