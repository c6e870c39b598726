import StreamModel

/// The parts of a kds-shaped change record (`streamvault replay --format kds`) that DynamoDB's export layouts
/// need: event name, write time in microseconds, and the raw `Keys`, `NewImage` and `OldImage` documents.
///
/// Found with one short scan; the ranges index into the record, nothing is copied or decoded (images stay
/// byte for byte as archived, which is DynamoDB JSON already).
struct ChangeImages {
    var eventName: EventName?
    var writeMicros: Int64?
    var keys: Range<Int>?
    var newImage: Range<Int>?
    var oldImage: Range<Int>?

    /// Scans a kds record; `nil` when it is not a JSON object with a `dynamodb` object.
    static func scan(_ record: UnsafeBufferPointer<UInt8>) -> ChangeImages? {
        var c = JSONCursor(UnsafeRawBufferPointer(record))
        var found = ChangeImages()
        var sawDynamoDB = false
        guard (try? c.openObject()) == true else { return nil }
        repeat {
            guard let key = try? c.readKey() else { return nil }
            if c.equals(key, "eventName") {
                guard let token = try? c.readString() else { return nil }
                let text = c.bytes(token.content)
                found.eventName = EventName.allCases.first { text.elementsEqual($0.rawValue.utf8) }
            } else if c.equals(key, "dynamodb") {
                sawDynamoDB = true
                guard scanDynamoDB(&c, into: &found) else { return nil }
            } else {
                c.skipValidValue()
            }
        } while (try? c.nextMember(closing: UInt8(ascii: "}"))) == true
        return sawDynamoDB ? found : nil
    }

    private static func scanDynamoDB(_ c: inout JSONCursor, into found: inout ChangeImages) -> Bool {
        guard (try? c.openObject()) == true else { return false }
        var time: Range<Int>?
        var micro = false
        repeat {
            guard let key = try? c.readKey() else { return false }
            if c.equals(key, "ApproximateCreationDateTime") {
                guard let number = try? c.readNumber() else { return false }
                time = number
            } else if c.equals(key, "ApproximateCreationDateTimePrecision") {
                guard let token = try? c.readString() else { return false }
                micro = c.bytes(token.content).elementsEqual("MICROSECOND".utf8)
            } else if c.equals(key, "Keys") || c.equals(key, "NewImage") || c.equals(key, "OldImage") {
                c.skipWhitespace()
                let start = c.offset
                c.skipValidValue()
                let range = start..<c.offset
                if c.equals(key, "Keys") {
                    found.keys = range
                } else if c.equals(key, "NewImage") {
                    found.newImage = range
                } else {
                    found.oldImage = range
                }
            } else {
                c.skipValidValue()
            }
        } while (try? c.nextMember(closing: UInt8(ascii: "}"))) == true
        if let time { found.writeMicros = Self.micros(c.bytes(time), micro: micro) }
        return true
    }

    /// kds times are integral milliseconds (or microseconds with precision MICROSECOND).
    private static func micros(_ digits: UnsafeBufferPointer<UInt8>, micro: Bool) -> Int64? {
        var value: Int64 = 0
        for byte in digits {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(byte - 0x30))
            guard !o1 && !o2 else { return nil }
            value = a
        }
        return micro ? value : value.multipliedReportingOverflow(by: 1000).overflow ? nil : value * 1000
    }
}
