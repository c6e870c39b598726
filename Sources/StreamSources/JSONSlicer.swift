/// A small structural JSON scanner that finds values without decoding them.
///
/// It tracks strings (with escapes) and nesting depth, which is all it needs to return the byte
/// ranges of a top-level object's members and of an array's elements. GetRecords uses it to keep
/// each record's bytes exactly as AWS sent them.
struct JSONSlicer {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    struct Malformed: Error {
        let offset: Int
        let reason: String
    }

    /// The byte ranges of the values of the top-level object's members, by (raw, unescaped-as-is) key.
    func topLevelMembers() throws(Malformed) -> [String: Range<Int>] {
        var i = skipWhitespace(0)
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { throw Malformed(offset: i, reason: "expected an object") }
        i = skipWhitespace(i + 1)
        var members: [String: Range<Int>] = [:]
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { return members }
        while true {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw Malformed(offset: i, reason: "expected a member name") }
            let keyEnd = try endOfString(i)
            let key = String(decoding: bytes[(i + 1)..<(keyEnd - 1)], as: UTF8.self)
            i = skipWhitespace(keyEnd)
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw Malformed(offset: i, reason: "expected ':'") }
            let valueStart = skipWhitespace(i + 1)
            let valueEnd = try endOfValue(valueStart)
            members[key] = valueStart..<valueEnd
            i = skipWhitespace(valueEnd)
            guard i < bytes.count else { throw Malformed(offset: i, reason: "unterminated object") }
            if bytes[i] == UInt8(ascii: ",") {
                i = skipWhitespace(i + 1)
                continue
            }
            if bytes[i] == UInt8(ascii: "}") { return members }
            throw Malformed(offset: i, reason: "expected ',' or '}'")
        }
    }

    /// The byte ranges of the elements of the array at `range`.
    func arrayElements(in range: Range<Int>) throws(Malformed) -> [Range<Int>] {
        var i = range.lowerBound
        guard i < range.upperBound, bytes[i] == UInt8(ascii: "[") else { throw Malformed(offset: i, reason: "expected an array") }
        i = skipWhitespace(i + 1)
        var elements: [Range<Int>] = []
        if i < range.upperBound, bytes[i] == UInt8(ascii: "]") { return elements }
        while true {
            let end = try endOfValue(i)
            elements.append(i..<end)
            i = skipWhitespace(end)
            guard i < range.upperBound else { throw Malformed(offset: i, reason: "unterminated array") }
            if bytes[i] == UInt8(ascii: ",") {
                i = skipWhitespace(i + 1)
                continue
            }
            if bytes[i] == UInt8(ascii: "]") { return elements }
            throw Malformed(offset: i, reason: "expected ',' or ']'")
        }
    }

    private func skipWhitespace(_ start: Int) -> Int {
        var i = start
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return i
            }
        }
        return i
    }

    /// `start` is at the opening quote; returns the index just past the closing quote.
    private func endOfString(_ start: Int) throws(Malformed) -> Int {
        var i = start + 1
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "\\"): i += 2
            case UInt8(ascii: "\""): return i + 1
            default: i += 1
            }
        }
        throw Malformed(offset: start, reason: "unterminated string")
    }

    /// Returns the index just past the value starting at `start`.
    private func endOfValue(_ start: Int) throws(Malformed) -> Int {
        guard start < bytes.count else { throw Malformed(offset: start, reason: "expected a value") }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return try endOfString(start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var i = start
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\""):
                    i = try endOfString(i)
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default: break
                }
                i += 1
            }
            throw Malformed(offset: start, reason: "unterminated object or array")
        default:  // number, true, false, null
            var i = start
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D:
                    guard i > start else { throw Malformed(offset: start, reason: "expected a value") }
                    return i
                default: i += 1
                }
            }
            guard i > start else { throw Malformed(offset: start, reason: "expected a value") }
            return i
        }
    }
}
