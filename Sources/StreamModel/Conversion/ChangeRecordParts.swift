/// Raw bytes of one JSON value or string content inside a record being converted.
typealias ByteSlice = UnsafeBufferPointer<UInt8>

/// One change record taken apart into byte views of its fields, whatever shape it came in.
///
/// Parsers fill it from native, lambda-dynamodb, kds, kinesis-record and lambda-kinesis text; writers emit any
/// shape from it. String fields hold raw JSON string content (escapes as written), so copying them keeps
/// every character; `keys`/`newImage`/`oldImage` hold validated attribute-value JSON, copied verbatim.
/// The views point into the caller's buffers and are valid only during one ``RecordConverter`` call.
struct ChangeRecordParts {
    var eventID: ByteSlice?
    var eventName: ByteSlice?
    var eventVersion: ByteSlice?
    var eventSource: ByteSlice?
    var awsRegion: ByteSlice?
    var eventSourceARN: ByteSlice?
    var tableName: ByteSlice?
    var recordFormat: ByteSlice?
    /// `ApproximateCreationDateTime` number text, in ``timeUnitScale`` decimal places of a second.
    var time: ByteSlice?
    /// 0 for seconds (native), 3 for milliseconds, 6 for microseconds (kds).
    var timeUnitScale = 0
    /// kds `ApproximateCreationDateTimePrecision`, when given.
    var precision: TimePrecision?
    var keys: ByteSlice?
    var newImage: ByteSlice?
    var oldImage: ByteSlice?
    var sequenceNumber: ByteSlice?
    var sizeBytes: ByteSlice?
    var streamViewType: ByteSlice?
    /// Whether `userIdentity` was given as an object (`null` and absent both mean no identity).
    var hasIdentity = false
    var principalID: ByteSlice?
    var identityType: ByteSlice?
    var kinesis = KinesisParts()

    /// Fields of a Kinesis record or Lambda Kinesis event record around the kds payload.
    struct KinesisParts {
        var sequenceNumber: ByteSlice?
        /// Epoch seconds number text.
        var arrival: ByteSlice?
        var partitionKey: ByteSlice?
        var encryptionType: ByteSlice?
        var schemaVersion: ByteSlice?
        var eventID: ByteSlice?
        var eventVersion: ByteSlice?
        var invokeIdentityARN: ByteSlice?
        var awsRegion: ByteSlice?
        var eventSourceARN: ByteSlice?
    }
}

extension JSONCursor {
    /// A string value's raw content as a view.
    @inline(__always)
    mutating func stringSlice() throws(ShapeError) -> ByteSlice {
        guard peek() == UInt8(ascii: "\"") else { throw fail("expected a string") }
        return bytes(try readString().content)
    }

    /// The text of the JSON value at the cursor (validated by skipping it).
    @inline(__always)
    mutating func valueSlice() throws(ShapeError) -> ByteSlice {
        skipWhitespace()
        let start = offset
        try skipValue(depth: 1)
        return bytes(start..<offset)
    }

    /// A validated attribute map's text.
    @inline(__always)
    mutating func attributeMapSlice() throws(ShapeError) -> ByteSlice {
        skipWhitespace()
        let start = offset
        guard peek() == UInt8(ascii: "{") else { throw fail("expected a map of attribute values") }
        try AttributeValueValidator.validateMap(&self)
        return bytes(start..<offset)
    }

    /// A JSON number's text.
    @inline(__always)
    mutating func numberSlice() throws(ShapeError) -> ByteSlice {
        guard let p = peek(), p == UInt8(ascii: "-") || (p >= 0x30 && p <= 0x39) else { throw fail("expected a number") }
        return bytes(try readNumber())
    }

    /// `null` if present (returns `true`), else leaves the cursor alone.
    @inline(__always)
    mutating func skipNull() throws(ShapeError) -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        try readNull()
        return true
    }
}

@inline(__always)
func bytesEqual(_ a: ByteSlice, _ literal: StaticString) -> Bool {
    guard a.count == literal.utf8CodeUnitCount else { return false }
    let lit = literal.utf8Start
    for i in 0..<a.count where a[i] != lit[i] { return false }
    return true
}

extension ChangeRecordParts {
    /// Whether the record is a TTL delete: a REMOVE by `userIdentity` Type `Service`, PrincipalId `dynamodb.amazonaws.com`.
    var isTTLDelete: Bool {
        guard let eventName, let identityType, let principalID else { return false }
        return eventName.elementsEqual("REMOVE".utf8) && identityType.elementsEqual("Service".utf8)
            && principalID.elementsEqual("dynamodb.amazonaws.com".utf8)
    }
}
