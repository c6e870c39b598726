/// Validates a native DynamoDB Streams record (or a Lambda DynamoDB event record, which adds
/// `eventSourceARN`) in one pass and returns the facts the archive indexes.
///
/// Required: `eventID`, `eventName`, `dynamodb.SequenceNumber` (digits), `dynamodb.ApproximateCreationDateTime`
/// (epoch seconds), `dynamodb.Keys`. Every attribute value in Keys/NewImage/OldImage is checked. Unknown
/// fields are validated as JSON and kept (records are stored as given).
public enum ChangeRecordScanner {
    /// Scans one record starting at the cursor; on return the cursor is just past the record.
    public static func scanNative(_ c: inout JSONCursor) throws(ShapeError) -> ChangeRecordFacts {
        // Most records are valid and shaped as AWS writes them: the one-loop scan reads those several times faster;
        // the walk below finds what is wrong with the others (or reads what the fast scan does not know).
        if let facts = RecordFastPath.scanNative(&c) { return facts }
        return try walkNative(&c)
    }

    /// ``scanNative(_:)`` key by key: reads every shape the format allows, and names what is wrong.
    static func walkNative(_ c: inout JSONCursor) throws(ShapeError) -> ChangeRecordFacts {
        let recordStart = c.offset
        guard c.peek() == UInt8(ascii: "{") else { throw c.fail("expected a record object") }
        var eventID: Range<Int>?
        var eventName: EventName?
        var hasARN = false
        var dynamo: (seq: Range<Int>?, time: Int64?, keys: Bool) = (nil, nil, false)
        if try c.openObject() {
            repeat {
                let key = try c.readKey()
                do throws(ShapeError) {
                    if c.equals(key, "dynamodb") {
                        dynamo = try scanDynamoDB(&c)
                    } else if c.equals(key, "eventID") {
                        eventID = try readPlainString(&c)
                    } else if c.equals(key, "eventName") {
                        let r = try readPlainString(&c)
                        eventName = EventName.match(c.bytes(r))
                        guard eventName != nil else { throw ShapeError(expectation: "expected INSERT, MODIFY or REMOVE", offset: r.lowerBound) }
                    } else if c.equals(key, "eventSourceARN") {
                        _ = try readPlainString(&c)
                        hasARN = true
                    } else if c.equals(key, "eventVersion") || c.equals(key, "eventSource") || c.equals(key, "awsRegion") {
                        _ = try readPlainString(&c)
                    } else if c.equals(key, "userIdentity") {
                        try scanUserIdentity(&c)
                    } else {
                        try c.skipValue(depth: 1)
                    }
                } catch {
                    throw error.inside(.key(c.text(key)))
                }
            } while try c.nextMember(closing: UInt8(ascii: "}"))
        }
        guard let eventID else { throw ShapeError(expectation: "missing eventID", offset: recordStart).inside(.key("eventID")) }
        guard let eventName else { throw ShapeError(expectation: "missing eventName", offset: recordStart).inside(.key("eventName")) }
        guard let seq = dynamo.seq else {
            throw ShapeError(path: [.key("dynamodb"), .key("SequenceNumber")], expectation: "missing", offset: recordStart)
        }
        guard let time = dynamo.time else {
            throw ShapeError(
                path: [.key("dynamodb"), .key("ApproximateCreationDateTime")],
                expectation: "missing; the archive indexes records by this time",
                offset: recordStart
            )
        }
        guard dynamo.keys else { throw ShapeError(path: [.key("dynamodb"), .key("Keys")], expectation: "missing", offset: recordStart) }
        return ChangeRecordFacts(eventID: eventID, sequenceNumber: seq, eventTimeMillis: time, eventName: eventName, hasEventSourceARN: hasARN)
    }

    /// The facts of `record` when it is a valid native record on one line, shaped as AWS writes it (a bulk
    /// ingest's common case, checked in one fast pass); `nil` means "look closer": it may still be valid (other
    /// keys, line breaks), which ``scanNative(_:)`` decides.
    public static func scanSingleLine(_ record: UnsafeBufferPointer<UInt8>) -> ChangeRecordFacts? {
        RecordFastPath.scanLine(record)
    }

    /// Finds the sequence number and event time of a native record already validated (an archived one)
    /// without checking the rest: several times faster than ``scanNative(_:)``. Returns `nil` if either is missing.
    public static func locateNative(_ c: inout JSONCursor) -> (sequence: Range<Int>, eventTimeMillis: Int64)? {
        guard (try? c.openObject()) == true else { return nil }
        repeat {
            guard let key = try? c.readKey() else { return nil }
            guard c.equals(key, "dynamodb") else {
                c.skipValidValue()
                continue
            }
            guard (try? c.openObject()) == true else { return nil }
            var seq: Range<Int>?
            var time: Int64?
            repeat {
                guard let inner = try? c.readKey() else { return nil }
                if c.equals(inner, "SequenceNumber"), let token = try? c.readString() {
                    seq = token.content
                } else if c.equals(inner, "ApproximateCreationDateTime"), let r = try? c.readNumber() {
                    time = EventTime.millis(fromSeconds: c.bytes(r))
                } else {
                    c.skipValidValue()
                }
                if let seq, let time { return (seq, time) }
            } while (try? c.nextMember(closing: UInt8(ascii: "}"))) == true
            return nil
        } while (try? c.nextMember(closing: UInt8(ascii: "}"))) == true
        return nil
    }

    private static func scanDynamoDB(_ c: inout JSONCursor) throws(ShapeError) -> (seq: Range<Int>?, time: Int64?, keys: Bool) {
        var seq: Range<Int>?
        var time: Int64?
        var keys = false
        guard c.peek() == UInt8(ascii: "{") else { throw c.fail("expected an object") }
        guard try c.openObject() else { return (nil, nil, false) }
        repeat {
            let key = try c.readKey()
            do throws(ShapeError) {
                if c.equals(key, "NewImage") || c.equals(key, "OldImage") {
                    try AttributeValueValidator.validateMap(&c)
                } else if c.equals(key, "Keys") {
                    try AttributeValueValidator.validateMap(&c)
                    keys = true
                } else if c.equals(key, "SequenceNumber") {
                    seq = try readSequenceNumber(&c)
                } else if c.equals(key, "ApproximateCreationDateTime") {
                    guard let p = c.peek(), p == UInt8(ascii: "-") || (p >= 0x30 && p <= 0x39) else {
                        throw c.fail("expected epoch seconds as a number")
                    }
                    let r = try c.readNumber()
                    guard let ms = EventTime.millis(fromSeconds: c.bytes(r)), EventTime.validMillis.contains(ms) else {
                        throw ShapeError(expectation: EventTime.rangeExpectation + " (epoch seconds 0 to 253402300799)", offset: r.lowerBound)
                    }
                    time = ms
                } else if c.equals(key, "SizeBytes") {
                    _ = try c.readNumber()
                } else if c.equals(key, "StreamViewType") {
                    let r = try readPlainString(&c)
                    guard c.equals(r, "NEW_AND_OLD_IMAGES") || c.equals(r, "NEW_IMAGE") || c.equals(r, "OLD_IMAGE") || c.equals(r, "KEYS_ONLY") else {
                        throw ShapeError(expectation: "expected KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES", offset: r.lowerBound)
                    }
                } else {
                    try c.skipValue(depth: 2)
                }
            } catch {
                throw error.inside(.key(c.text(key)))
            }
        } while try c.nextMember(closing: UInt8(ascii: "}"))
        return (seq, time, keys)
    }

    private static func scanUserIdentity(_ c: inout JSONCursor) throws(ShapeError) {
        guard c.peek() == UInt8(ascii: "{") else { throw c.fail("expected an object with PrincipalId and Type") }
        try c.skipValue(depth: 1)
    }

    /// A string value; returns its content range.
    static func readPlainString(_ c: inout JSONCursor) throws(ShapeError) -> Range<Int> {
        guard c.peek() == UInt8(ascii: "\"") else { throw c.fail("expected a string") }
        return try c.readString().content
    }

    /// A sequence number: a string of 1-64 significant decimal digits.
    public static func readSequenceNumber(_ c: inout JSONCursor) throws(ShapeError) -> Range<Int> {
        guard c.peek() == UInt8(ascii: "\"") else { throw c.fail("expected a string of decimal digits") }
        let token = try c.readString()
        let r = token.content
        var significant = 0
        for b in c.bytes(r) {
            guard b >= 0x30 && b <= 0x39 else { throw ShapeError(expectation: "expected a string of decimal digits", offset: r.lowerBound) }
            if significant > 0 || b != 0x30 { significant += 1 }
        }
        guard !r.isEmpty else { throw ShapeError(expectation: "expected a string of decimal digits, found an empty string", offset: r.lowerBound) }
        guard significant <= SequenceNumber.paddedWidth else {
            throw ShapeError(expectation: "sequence number longer than \(SequenceNumber.paddedWidth) digits", offset: r.lowerBound)
        }
        return r
    }
}
