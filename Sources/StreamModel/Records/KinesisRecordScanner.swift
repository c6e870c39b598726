/// Reads a Kinesis record (`{"SequenceNumber", "ApproximateArrivalTimestamp", "Data", "PartitionKey", ...}`)
/// and the Kinesis Data Streams for DynamoDB payload in its `Data`, for the archiver and for replay by range.
public enum KinesisRecordScanner {
    /// Scans one Kinesis record.
    /// - Parameter record: The record's JSON text.
    /// - Returns: Its sequence number range, the payload's eventID and event time.
    /// - Throws: ``ShapeError`` naming the field when the record or its payload lacks what is needed.
    public static func scan(_ record: UnsafeBufferPointer<UInt8>) throws(ShapeError) -> KinesisRecordFacts {
        var c = JSONCursor(UnsafeRawBufferPointer(record))
        let item = try scanItem(&c)
        let (eventID, time) = try change(in: item)
        return KinesisRecordFacts(sequenceNumber: item.sequenceNumber, eventID: eventID, eventTimeMillis: time)
    }

    /// Scans one Kinesis record at the cursor (consuming it) and decodes its `Data`; the change inside is not read yet.
    ///
    /// The archiver scans GetRecords answers with it, replay (through ``scan(_:)``) archived records.
    /// - Parameter c: A cursor at the record's `{`; on return, just past its `}`.
    /// - Returns: The record's members as ranges of the cursor's text, and `Data` decoded.
    /// - Throws: ``ShapeError`` when SequenceNumber or Data is missing or malformed.
    public static func scanItem(_ c: inout JSONCursor) throws(ShapeError) -> KinesisItem {
        var sequence: Range<Int>?
        var data: JSONCursor.StringToken?
        var arrival: Range<Int>?
        var partitionKey: Range<Int>?
        var encryption: Range<Int>?
        guard c.peek() == UInt8(ascii: "{") else { throw c.fail("expected a Kinesis record object") }
        if try c.openObject() {
            repeat {
                let key = try c.readKey()
                do throws(ShapeError) {
                    if c.equals(key, "SequenceNumber") {
                        sequence = try ChangeRecordScanner.readSequenceNumber(&c)
                    } else if c.equals(key, "Data") {
                        guard c.peek() == UInt8(ascii: "\"") else { throw c.fail("expected a base64 string") }
                        data = try c.readString()
                    } else if c.equals(key, "ApproximateArrivalTimestamp"), c.peek() != UInt8(ascii: "\""), c.peek() != UInt8(ascii: "n") {
                        arrival = try c.readNumber()
                    } else if c.equals(key, "PartitionKey"), c.peek() == UInt8(ascii: "\"") {
                        partitionKey = try c.readString().content
                    } else if c.equals(key, "EncryptionType"), c.peek() == UInt8(ascii: "\"") {
                        encryption = try c.readString().content
                    } else {
                        try c.skipValue(depth: 1)
                    }
                } catch {
                    throw error.inside(.key(c.text(key)))
                }
            } while try c.nextMember(closing: UInt8(ascii: "}"))
        }
        guard let sequence else { throw ShapeError(path: [.key("SequenceNumber")], expectation: "missing", offset: 0) }
        guard let data else { throw ShapeError(path: [.key("Data")], expectation: "missing", offset: 0) }
        let text = data.hasEscapes ? c.unescaped(data.content) : Array(c.bytes(data.content))
        guard let payload = Base64.decode(text) else {
            throw ShapeError(path: [.key("Data")], expectation: "expected base64", offset: data.content.lowerBound)
        }
        return KinesisItem(
            sequenceNumber: sequence,
            approximateArrivalTimestamp: arrival,
            partitionKey: partitionKey,
            encryptionType: encryption,
            data: payload,
            dataOffset: data.content.lowerBound
        )
    }

    /// The eventID and event time of the Kinesis Data Streams for DynamoDB change in a record's decoded `Data`.
    /// - Parameter item: A record from ``scanItem(_:)``.
    /// - Returns: The eventID (escapes resolved) and the event time in epoch milliseconds.
    /// - Throws: ``ShapeError`` with a path under `Data` when the payload is not such a change record.
    public static func change(in item: KinesisItem) throws(ShapeError) -> (eventID: [UInt8], eventTimeMillis: Int64) {
        do throws(ShapeError) {
            return try item.data.withUnsafeBufferPointer { (buffer) throws(ShapeError) in try scanPayload(buffer) }
        } catch {
            // Offsets inside the decoded payload mean nothing in the record's text: point at Data.
            throw ShapeError(
                path: [.key("Data")] + error.path,
                expectation: error.expectation + " (in the decoded payload)",
                offset: item.dataOffset
            )
        }
    }

    /// The eventID and event time of a Kinesis Data Streams for DynamoDB payload.
    static func scanPayload(_ payload: UnsafeBufferPointer<UInt8>) throws(ShapeError) -> ([UInt8], Int64) {
        var c = JSONCursor(UnsafeRawBufferPointer(payload))
        var eventID: [UInt8]?
        var time: Range<Int>?
        var micro = false
        guard c.peek() == UInt8(ascii: "{") else { throw c.fail("expected a Kinesis Data Streams for DynamoDB record object") }
        if try c.openObject() {
            repeat {
                let key = try c.readKey()
                do throws(ShapeError) {
                    if c.equals(key, "eventID") {
                        guard c.peek() == UInt8(ascii: "\"") else { throw c.fail("expected a string") }
                        let token = try c.readString()
                        eventID = token.hasEscapes ? c.unescaped(token.content) : Array(c.bytes(token.content))
                    } else if c.equals(key, "dynamodb") {
                        guard c.peek() == UInt8(ascii: "{") else { throw c.fail("expected an object") }
                        if try c.openObject() {
                            repeat {
                                let inner = try c.readKey()
                                do throws(ShapeError) {
                                    if c.equals(inner, "ApproximateCreationDateTime") {
                                        time = try c.readNumber()
                                    } else if c.equals(inner, "ApproximateCreationDateTimePrecision") {
                                        guard c.peek() == UInt8(ascii: "\"") else { throw c.fail("expected MILLISECOND or MICROSECOND") }
                                        let token = try c.readString()
                                        micro = c.equals(token.content, "MICROSECOND")
                                    } else {
                                        try c.skipValue(depth: 2)
                                    }
                                } catch {
                                    throw error.inside(.key(c.text(inner)))
                                }
                            } while try c.nextMember(closing: UInt8(ascii: "}"))
                        }
                    } else {
                        try c.skipValue(depth: 1)
                    }
                } catch {
                    throw error.inside(.key(c.text(key)))
                }
            } while try c.nextMember(closing: UInt8(ascii: "}"))
        }
        guard let eventID else { throw ShapeError(path: [.key("eventID")], expectation: "missing", offset: 0) }
        guard let time else { throw ShapeError(path: [.key("dynamodb"), .key("ApproximateCreationDateTime")], expectation: "missing", offset: 0) }
        let number = c.bytes(time)
        guard let millis = micro ? EventTime.millis(fromMicros: number) : EventTime.millis(fromMillis: number),
            EventTime.validMillis.contains(millis)
        else {
            throw ShapeError(
                path: [.key("dynamodb"), .key("ApproximateCreationDateTime")],
                expectation: EventTime.rangeExpectation + (micro ? " (epoch microseconds)" : " (epoch milliseconds)"),
                offset: time.lowerBound
            )
        }
        return (eventID, millis)
    }
}
