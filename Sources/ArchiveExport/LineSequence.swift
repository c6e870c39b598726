import StreamModel

/// Finds the source sequence number in an exported line, whatever its shape: `dynamodb.SequenceNumber`
/// (native, lambda-dynamodb, plain), `SequenceNumber` (kinesis-record) or `kinesis.sequenceNumber`
/// (lambda-kinesis). kds and DynamoDB's incremental lines carry none.
enum LineSequence {
    /// Whether lines of `format` (a manifest's `format`) carry a sequence number.
    static func carried(by format: String) -> Bool {
        switch format {
        case "native", "lambda-dynamodb", "plain", "kinesis-record", "lambda-kinesis": true
        default: false
        }
    }

    /// The digits' range in `line`, or `nil`.
    static func find(_ line: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        var c = JSONCursor(UnsafeRawBufferPointer(line))
        guard (try? c.openObject()) == true else { return nil }
        repeat {
            guard let key = try? c.readKey() else { return nil }
            if c.equals(key, "SequenceNumber") {
                return (try? c.readString())?.content
            } else if c.equals(key, "dynamodb") || c.equals(key, "kinesis") {
                if let found = inner(&c) { return found }
            } else {
                c.skipValidValue()
            }
        } while (try? c.nextMember(closing: UInt8(ascii: "}"))) == true
        return nil
    }

    private static func inner(_ c: inout JSONCursor) -> Range<Int>? {
        guard (try? c.openObject()) == true else { return nil }
        repeat {
            guard let key = try? c.readKey() else { return nil }
            if c.equals(key, "SequenceNumber") || c.equals(key, "sequenceNumber") {
                return (try? c.readString())?.content
            }
            c.skipValidValue()
        } while (try? c.nextMember(closing: UInt8(ascii: "}"))) == true
        return nil
    }
}
