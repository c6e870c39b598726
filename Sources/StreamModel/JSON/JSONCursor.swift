/// A forward-only reader over UTF-8 JSON text that validates as it reads and never allocates.
///
/// The ingest and conversion hot paths use it instead of Foundation's `JSONSerialization`, which builds an
/// object tree per record. A cursor hands out byte ranges into the caller's buffer; the caller decides what,
/// if anything, to copy. All errors are ``ShapeError`` with the byte offset; callers add the JSON path.
///
/// - Important: The buffer must outlive the cursor. Create it inside `withUnsafeBytes`.
public struct JSONCursor {
    @usableFromInline let base: UnsafePointer<UInt8>
    /// Number of bytes in the buffer.
    public let count: Int
    /// Offset of the next unread byte.
    public var offset: Int

    /// Deepest nesting accepted, so hostile input cannot exhaust the stack (DynamoDB allows 32 levels).
    public static let maxDepth = 96

    public init(_ buffer: UnsafeRawBufferPointer, offset: Int = 0) {
        // An empty buffer may have a nil base; point at a static byte instead so reads are never taken.
        self.base = buffer.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) } ?? JSONCursor.emptyBase
        self.count = buffer.count
        self.offset = offset
    }

    // Never written after creation and never read (count is 0), so sharing it is safe.
    nonisolated(unsafe) private static let emptyBase: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return UnsafePointer(p)
    }()

    /// The byte at `index` (caller guarantees `index < count`).
    @inlinable @inline(__always)
    public func byte(at index: Int) -> UInt8 { base[index] }

    /// The bytes of `range` as a buffer view (no copy).
    @inlinable
    public func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + range.lowerBound, count: range.count)
    }

    /// Whether only whitespace remains.
    public mutating func atEnd() -> Bool {
        skipWhitespace()
        return offset >= count
    }

    @inlinable @inline(__always)
    public mutating func skipWhitespace() {
        while offset < count {
            let b = base[offset]
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            offset += 1
        }
    }

    /// The next non-whitespace byte without consuming it, or `nil` at the end.
    @inlinable @inline(__always)
    public mutating func peek() -> UInt8? {
        skipWhitespace()
        return offset < count ? base[offset] : nil
    }

    /// An error at the cursor (or at `position`) saying what was expected there.
    public func fail(_ expectation: String, at position: Int? = nil) -> ShapeError {
        let at = position ?? offset
        if at >= count { return ShapeError(expectation: "\(expectation), found the end of the input (truncated?)", offset: at) }
        return ShapeError(expectation: expectation, offset: at)
    }

    // MARK: Containers

    /// Consumes `{`; returns `false` (and consumes `}`) when the object is empty.
    @inlinable
    public mutating func openObject() throws(ShapeError) -> Bool {
        guard peek() == UInt8(ascii: "{") else { throw fail("expected an object") }
        offset += 1
        if peek() == UInt8(ascii: "}") {
            offset += 1
            return false
        }
        return true
    }

    /// Consumes `[`; returns `false` (and consumes `]`) when the array is empty.
    @inlinable
    public mutating func openArray() throws(ShapeError) -> Bool {
        guard peek() == UInt8(ascii: "[") else { throw fail("expected an array") }
        offset += 1
        if peek() == UInt8(ascii: "]") {
            offset += 1
            return false
        }
        return true
    }

    /// After a member: consumes `,` and returns `true`, or consumes the closing byte and returns `false`.
    @inlinable
    public mutating func nextMember(closing: UInt8) throws(ShapeError) -> Bool {
        switch peek() {
        case UInt8(ascii: ","):
            offset += 1
            return true
        case closing:
            offset += 1
            return false
        default: throw fail(closing == UInt8(ascii: "}") ? "expected ',' or '}'" : "expected ',' or ']'")
        }
    }

    /// Reads an object key and the `:` after it; returns the key's raw content range.
    @inlinable
    public mutating func readKey() throws(ShapeError) -> Range<Int> {
        guard peek() == UInt8(ascii: "\"") else { throw fail("expected a key string") }
        let key = try readString().content
        guard peek() == UInt8(ascii: ":") else { throw fail("expected ':' after a key") }
        offset += 1
        return key
    }

    /// Whether the raw bytes in `range` equal `literal` (keys with escapes never match).
    @inlinable @inline(__always)
    public func equals(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let lit = literal.utf8Start
        var i = 0
        while i < range.count {
            if base[range.lowerBound + i] != lit[i] { return false }
            i += 1
        }
        return true
    }

    // MARK: Scalars

    /// A string token: its raw content between the quotes, escapes left as written.
    public struct StringToken: Sendable {
        /// Range of the content, quotes excluded.
        public var content: Range<Int>
        /// Whether the content holds a backslash escape.
        public var hasEscapes: Bool
        @inlinable public init(content: Range<Int>, hasEscapes: Bool) {
            self.content = content
            self.hasEscapes = hasEscapes
        }
    }

    /// Reads a string, validating escapes and UTF-8; returns the raw content range.
    @inlinable
    public mutating func readString() throws(ShapeError) -> StringToken {
        guard peek() == UInt8(ascii: "\"") else { throw fail("expected a string") }
        offset += 1
        let start = offset
        var escapes = false
        while offset < count {
            // Fast path: eight plain ASCII bytes at a time (no quote, backslash, control or non-ASCII byte).
            while offset + 8 <= count {
                let word = UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self)
                let mask = Self.attentionMask(word)
                if mask != 0 {  // jump straight to the first byte that needs a look (lowest set bit = first byte)
                    offset += mask.trailingZeroBitCount >> 3
                    break
                }
                offset += 8
            }
            guard offset < count else { break }
            let b = base[offset]
            if b == UInt8(ascii: "\"") {
                offset += 1
                return StringToken(content: start..<(offset - 1), hasEscapes: escapes)
            } else if b == UInt8(ascii: "\\") {
                escapes = true
                try readEscape()
            } else if b < 0x20 {
                throw fail("control character in a string must be escaped")
            } else if b < 0x80 {
                offset += 1
            } else {
                try readUTF8Sequence()
            }
        }
        throw fail("unterminated string")
    }

    /// High bit set in each byte of `word` that is `"`, `\\`, below 0x20 or at/above 0x80 (SWAR, no branch per
    /// byte). Borrows only run upward, so the lowest set bit marks the first such byte exactly.
    @inlinable @inline(__always)
    static func attentionMask(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func zeroByte(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        let quote = zeroByte(word ^ (ones &* 0x22))
        let backslash = zeroByte(word ^ (ones &* 0x5C))
        let control = (word &- ones &* 0x20) & ~word & highs
        return quote | backslash | control | (word & highs)
    }

    @usableFromInline
    mutating func readEscape() throws(ShapeError) {
        guard offset + 1 < count else { throw fail("unterminated escape", at: count) }
        switch base[offset + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            offset += 2
        case UInt8(ascii: "u"):
            guard offset + 6 <= count else { throw fail("truncated \\u escape", at: count) }
            for i in 2..<6 where !isHexDigit(base[offset + i]) { throw fail("invalid \\u escape") }
            offset += 6
        default:
            throw fail("invalid escape")
        }
    }

    /// Checks one multi-byte character (Unicode's table of well-formed UTF-8): the lead byte fixes the length
    /// and the range of the second byte, which rules out overlong forms, surrogates and code points above U+10FFFF.
    @usableFromInline
    mutating func readUTF8Sequence() throws(ShapeError) {
        let b = base[offset]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch b {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            low = 0xA0  // below: overlong
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            high = 0x9F  // above: UTF-16 surrogates
        case 0xF0:
            length = 4
            low = 0x90  // below: overlong
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            high = 0x8F  // above: beyond U+10FFFF
        default:
            throw fail("invalid UTF-8: byte 0x\(Self.hex(b)) cannot start a character")
        }
        guard offset + length <= count else { throw fail("truncated UTF-8 sequence", at: count) }
        let second = base[offset + 1]
        guard second >= low && second <= high else {
            throw fail(
                "invalid UTF-8: 0x\(Self.hex(b)) 0x\(Self.hex(second)) is an overlong form, a surrogate, beyond U+10FFFF or not a continuation"
            )
        }
        for i in 2..<length where base[offset + i] & 0xC0 != 0x80 { throw fail("invalid UTF-8: a character ends early") }
        offset += length
    }

    static func hex(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        return String(decoding: [digits[Int(b >> 4)], digits[Int(b & 0x0F)]], as: UTF8.self)
    }

    @inlinable @inline(__always)
    func isHexDigit(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x66)
    }

    /// The UTF-8 bytes a string's raw content stands for, escapes resolved (slow path: allocates).
    public func unescaped(_ range: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        JSONEscaping.unescape(bytes(range), into: &out)
        return out
    }

    /// Reads a JSON number; returns its text range.
    @inlinable
    public mutating func readNumber() throws(ShapeError) -> Range<Int> {
        skipWhitespace()
        let start = offset
        guard let end = NumberGrammar.scan(base, from: offset, to: count, allowPlus: false, json: true) else {
            throw fail("expected a number")
        }
        offset = end
        return start..<end
    }

    /// Reads `true` or `false`.
    @inlinable
    public mutating func readBool() throws(ShapeError) -> Bool {
        if matchLiteral("true") { return true }
        if matchLiteral("false") { return false }
        throw fail("expected true or false")
    }

    /// Reads `null`.
    @inlinable
    public mutating func readNull() throws(ShapeError) {
        guard matchLiteral("null") else { throw fail("expected null") }
    }

    @inlinable
    mutating func matchLiteral(_ literal: StaticString) -> Bool {
        skipWhitespace()
        let n = literal.utf8CodeUnitCount
        guard offset + n <= count, equals(offset..<(offset + n), literal) else { return false }
        offset += n
        return true
    }

    /// Skips one value of text already known to be valid JSON (archived records), without validating.
    public mutating func skipValidValue() {
        skipWhitespace()
        guard offset < count else { return }
        offset = Self.valueEnd(base, count: count, from: offset) ?? count
    }

    /// The end of the JSON value that starts at `start`, found by bracket matching alone (strings and escapes
    /// respected, nothing validated), or `nil` when the buffer ends inside the value (more input may complete it).
    ///
    /// The one structure scanner of the module: input splitting (``RecordSplitter``) and skipping archived values
    /// (``skipValidValue()``) both use it; ``skipValue(depth:)`` is the validating walk. A scalar ends at the next
    /// delimiter; a stray delimiter at `start` counts as a one-byte value, so callers always make progress.
    @inlinable
    public static func valueEnd(_ p: UnsafePointer<UInt8>, count n: Int, from start: Int) -> Int? {
        var i = start
        guard i < n else { return nil }
        let first = p[i]
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") || first == UInt8(ascii: "\"") {
            var depth = 0
            while i < n {
                let b = p[i]
                i += 1
                if b == UInt8(ascii: "\"") {
                    while true {  // to the closing quote
                        guard i < n else { return nil }
                        let c = p[i]
                        i += 1
                        if c == UInt8(ascii: "\\") {
                            i += 1
                        } else if c == UInt8(ascii: "\"") {
                            break
                        }
                    }
                    if depth == 0 { return i }
                } else if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") {
                    depth += 1
                } else if b == UInt8(ascii: "}") || b == UInt8(ascii: "]") {
                    depth -= 1
                    if depth <= 0 { return i }
                }
            }
            return nil
        }
        while i < n {
            let b = p[i]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 || b == UInt8(ascii: ",") || b == UInt8(ascii: "]") || b == UInt8(ascii: "}") {
                return i == start ? i + 1 : i
            }
            i += 1
        }
        return nil
    }

    /// Skips one value of any type, validating it.
    public mutating func skipValue(depth: Int = 0) throws(ShapeError) {
        guard depth < Self.maxDepth else { throw fail("nested too deeply") }
        switch peek() {
        case UInt8(ascii: "{"):
            if try openObject() {
                repeat {
                    _ = try readKey()
                    try skipValue(depth: depth + 1)
                } while try nextMember(closing: UInt8(ascii: "}"))
            }
        case UInt8(ascii: "["):
            if try openArray() {
                repeat { try skipValue(depth: depth + 1) } while try nextMember(closing: UInt8(ascii: "]"))
            }
        case UInt8(ascii: "\""): _ = try readString()
        case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try readBool()
        case UInt8(ascii: "n"): try readNull()
        case nil: throw fail("expected a value")
        default: _ = try readNumber()
        }
    }
}
