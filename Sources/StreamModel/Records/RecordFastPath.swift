/// The common case of ``ChangeRecordScanner/scanNative(_:)`` and ``AttributeValueValidator/validateMap(_:depth:)``
/// as one loop, several times faster.
///
/// The recursive scanners pass their cursor through a call per string and per value, so the offset lives in memory
/// and every byte step waits on a store; here the offset stays in a register and nothing is called per value. This
/// path only says "valid" or "not sure": whatever it does not accept (any error, a key AWS does not write, escapes
/// inside N or B values, nesting deeper than it tracks) goes to the recursive scanners, which find the error and
/// its path. So it accepts a subset of what they accept, never more, with the same facts: tests hold them side by side.
enum RecordFastPath {
    /// Open containers tracked (a bit each: map or list); deeper input is left to the recursive validator.
    static let maxContainers = 64

    private enum Step { case key, value, endOfValue }

    /// Whether the attribute map at the cursor is valid; if it is, the cursor is moved past it, else left alone.
    static func validMap(_ c: inout JSONCursor) -> Bool {
        var s = Scan(cursor: c)
        guard s.map() else { return false }
        c.offset = s.i
        return true
    }

    /// The facts of the native record at the cursor if it is valid and has only the keys AWS writes (then the cursor
    /// is moved past it), else `nil` (the cursor is left alone).
    static func scanNative(_ c: inout JSONCursor) -> ChangeRecordFacts? {
        var s = Scan(cursor: c)
        guard let facts = s.nativeRecord() else { return nil }
        c.offset = s.i
        return facts
    }

    /// The facts of `record` if it is one valid native record with only the keys AWS writes, blanks around it
    /// allowed, and no line break anywhere; else `nil`.
    static func scanLine(_ record: UnsafeBufferPointer<UInt8>) -> ChangeRecordFacts? {
        var s = Scan(cursor: JSONCursor(UnsafeRawBufferPointer(record)))
        guard let facts = s.nativeRecord() else { return nil }
        s.skipBlanks()
        guard s.i == s.n, !s.sawLineBreak else { return nil }
        return facts
    }

    /// The loop's state: a local value whose methods are all inlined, so `i` stays in a register.
    private struct Scan {
        let cursor: JSONCursor
        let p: UnsafePointer<UInt8>
        let n: Int
        var i: Int
        /// Bit k is set when the k-th open container is a map (clear: a list); `open` containers.
        var maps: UInt64 = 0
        var open = 0
        var escaped = false
        /// Whether a line break was skipped as a blank (strings cannot hold one: it would be a control character).
        var sawLineBreak = false

        init(cursor: JSONCursor) {
            self.cursor = cursor
            self.p = cursor.base
            self.n = cursor.count
            self.i = cursor.offset
        }

        enum Element { case string, number, base64 }

        // MARK: Records

        /// A native record with only the keys AWS writes: what ``ChangeRecordScanner/scanNative(_:)`` checks, same facts.
        mutating func nativeRecord() -> ChangeRecordFacts? {
            skipBlanks()
            guard at(UInt8(ascii: "{")) else { return nil }
            i += 1
            var eventID: Range<Int>?
            var eventName: EventName?
            var hasARN = false
            var dynamodb: (sequence: Range<Int>?, time: Int64?, keys: Bool) = (nil, nil, false)
            repeat {
                guard let key = key() else { return nil }
                if cursor.equals(key, "dynamodb") {
                    guard let found = dynamoDB() else { return nil }
                    dynamodb = found
                } else if cursor.equals(key, "eventID") {
                    guard let id = stringValue() else { return nil }
                    eventID = id
                } else if cursor.equals(key, "eventName") {
                    guard let name = stringValue(), let known = EventName.match(cursor.bytes(name)) else { return nil }
                    eventName = known
                } else if cursor.equals(key, "eventSourceARN") {
                    guard stringValue() != nil else { return nil }
                    hasARN = true
                } else if cursor.equals(key, "eventVersion") || cursor.equals(key, "eventSource") || cursor.equals(key, "awsRegion") {
                    guard stringValue() != nil else { return nil }
                } else if cursor.equals(key, "userIdentity") {
                    guard stringsObject() else { return nil }  // TTL deletions: {"PrincipalId": ..., "Type": "Service"}
                } else {
                    return nil
                }
            } while nextMember()
            guard i <= n, let eventID, let eventName, let sequence = dynamodb.sequence, let time = dynamodb.time, dynamodb.keys else { return nil }
            return ChangeRecordFacts(
                eventID: eventID,
                sequenceNumber: sequence,
                eventTimeMillis: time,
                eventName: eventName,
                hasEventSourceARN: hasARN
            )
        }

        /// The `dynamodb` object: its sequence number, event time and whether it has Keys.
        mutating func dynamoDB() -> (sequence: Range<Int>?, time: Int64?, keys: Bool)? {
            var found: (sequence: Range<Int>?, time: Int64?, keys: Bool) = (nil, nil, false)
            guard at(UInt8(ascii: "{")) else { return nil }
            i += 1
            repeat {
                guard let key = key() else { return nil }
                if cursor.equals(key, "NewImage") || cursor.equals(key, "OldImage") {
                    guard map() else { return nil }
                } else if cursor.equals(key, "Keys") {
                    guard map() else { return nil }
                    found.keys = true
                } else if cursor.equals(key, "SequenceNumber") {
                    guard let digits = stringValue(), !digits.isEmpty else { return nil }
                    var significant = 0
                    for b in cursor.bytes(digits) {
                        guard b >= 0x30 && b <= 0x39 else { return nil }
                        if significant > 0 || b != 0x30 { significant += 1 }
                    }
                    guard significant <= SequenceNumber.paddedWidth else { return nil }
                    found.sequence = digits
                } else if cursor.equals(key, "ApproximateCreationDateTime") {
                    guard let seconds = jsonNumber(), let millis = EventTime.millis(fromSeconds: cursor.bytes(seconds)),
                        EventTime.validMillis.contains(millis)
                    else { return nil }
                    found.time = millis
                } else if cursor.equals(key, "SizeBytes") {
                    guard jsonNumber() != nil else { return nil }
                } else if cursor.equals(key, "StreamViewType") {
                    guard let view = stringValue(),
                        cursor.equals(view, "NEW_AND_OLD_IMAGES") || cursor.equals(view, "NEW_IMAGE") || cursor.equals(view, "OLD_IMAGE")
                            || cursor.equals(view, "KEYS_ONLY")
                    else { return nil }
                } else {
                    return nil
                }
            } while nextMember()
            guard i <= n else { return nil }
            return found
        }

        /// An object whose members are all strings (other objects are left to the walk).
        @inline(__always) mutating func stringsObject() -> Bool {
            guard at(UInt8(ascii: "{")) else { return false }
            i += 1
            skipBlanks()
            if at(UInt8(ascii: "}")) {
                i += 1
                return true
            }
            repeat {
                guard key() != nil, stringValue() != nil else { return false }
            } while nextMember()
            return i <= n
        }

        /// An object key (blanks around it) and its colon; returns the key's raw content.
        @inline(__always) mutating func key() -> Range<Int>? {
            skipBlanks()
            guard at(UInt8(ascii: "\"")) else { return nil }
            let start = i + 1
            guard string() else { return nil }
            let key = start..<(i - 1)
            skipBlanks()
            guard at(UInt8(ascii: ":")) else { return nil }
            i += 1
            skipBlanks()
            return key
        }

        /// Any string value (escapes allowed); returns its raw content.
        @inline(__always) mutating func stringValue() -> Range<Int>? {
            guard at(UInt8(ascii: "\"")) else { return nil }
            let start = i + 1
            guard string() else { return nil }
            return start..<(i - 1)
        }

        /// A JSON number (a digit or `-` first); returns its text.
        @inline(__always) mutating func jsonNumber() -> Range<Int>? {
            guard i < n, p[i] == UInt8(ascii: "-") || (p[i] >= 0x30 && p[i] <= 0x39) else { return nil }
            guard let end = NumberGrammar.scan(p, from: i, to: n, allowPlus: false, json: true) else { return nil }
            defer { i = end }
            return i..<end
        }

        /// After an object member: `,` (true) or `}` (false, consumed). Anything else is not for this path: false,
        /// with `i` moved past the end so the caller gives up.
        @inline(__always) mutating func nextMember() -> Bool {
            skipBlanks()
            if at(UInt8(ascii: ",")) {
                i += 1
                return true
            }
            if at(UInt8(ascii: "}")) {
                i += 1
                return false
            }
            i = n + 1
            return false
        }

        // MARK: Attribute maps

        mutating func map() -> Bool {
            open = 0
            skipBlanks()
            guard at(UInt8(ascii: "{")) else { return false }
            i += 1
            _ = push(map: true)
            skipBlanks()
            if at(UInt8(ascii: "}")) {
                i += 1
                open = 0
                return true
            }
            var step = Step.key
            while true {
                switch step {
                case .key:
                    guard at(UInt8(ascii: "\"")), string() else { return false }
                    skipBlanks()
                    guard at(UInt8(ascii: ":")) else { return false }
                    i += 1
                    step = .value
                case .value:
                    skipBlanks()
                    let type: AttributeValueValidator.TypeTag
                    if i + 8 <= n, let (compact, length) = Self.compactOpening(UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)) {
                        type = compact
                        i += length
                    } else {
                        guard at(UInt8(ascii: "{")) else { return false }
                        i += 1
                        skipBlanks()
                        guard at(UInt8(ascii: "\"")) else { return false }
                        let tagStart = i + 1
                        guard string() else { return false }
                        let tag = tagStart..<(i - 1)
                        skipBlanks()
                        guard at(UInt8(ascii: ":")) else { return false }
                        i += 1
                        guard let general = AttributeValueValidator.typeTag(cursor, tag) else { return false }
                        type = general
                    }
                    skipBlanks()
                    step = .endOfValue
                    switch type {
                    case .s: guard element(.string) else { return false }
                    case .n: guard element(.number) else { return false }
                    case .b: guard element(.base64) else { return false }
                    case .bool: guard literal("true") || literal("false") else { return false }
                    case .null: guard literal("true") else { return false }
                    case .ss: guard set(of: .string) else { return false }
                    case .ns: guard set(of: .number) else { return false }
                    case .bs: guard set(of: .base64) else { return false }
                    case .m, .l:
                        let map = type == .m
                        guard at(map ? UInt8(ascii: "{") : UInt8(ascii: "[")), push(map: map) else { return false }
                        i += 1
                        skipBlanks()
                        if at(map ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                            i += 1
                            open -= 1
                        } else {
                            step = map ? .key : .value
                        }
                    }
                case .endOfValue:
                    // The value's own closing brace, then what follows a member of the container around it. Compact
                    // JSON's usual `},"` (another key in a map) is taken in one load.
                    if i + 3 <= n, UnsafeRawPointer(p + i).loadUnaligned(as: UInt16.self) == 0x2C7D, p[i + 2] == UInt8(ascii: "\""),
                        (maps >> UInt64(open - 1)) & 1 == 1
                    {
                        i += 2
                        step = .key
                        continue
                    }
                    skipBlanks()
                    guard at(UInt8(ascii: "}")) else { return false }
                    i += 1
                    skipBlanks()
                    guard i < n else { return false }
                    let inMap = (maps >> UInt64(open - 1)) & 1 == 1
                    if p[i] == UInt8(ascii: ",") {
                        i += 1
                        skipBlanks()
                        step = inMap ? .key : .value
                    } else if p[i] == (inMap ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                        i += 1
                        open -= 1
                        if open == 0 { return true }
                    } else {
                        return false
                    }
                }
            }
        }

        /// The opening of an attribute value as compact JSON writes it (`{"S":`, `{"SS":`, `{"BOOL":`, ...), read
        /// from one 8-byte load: its type and length, or `nil` for anything else (spaces, unknown tags), which the
        /// byte-by-byte path then reads.
        @inline(__always) static func compactOpening(_ word: UInt64) -> (AttributeValueValidator.TypeTag, Int)? {
            // Little-endian: byte k of the text is bits 8k..<8k+8. `{"X":` with the letter X masked out:
            if word & 0xFF_FF00_FFFF == 0x3A_2200_227B {
                switch UInt8(truncatingIfNeeded: word >> 16) {
                case UInt8(ascii: "S"): return (.s, 5)
                case UInt8(ascii: "N"): return (.n, 5)
                case UInt8(ascii: "M"): return (.m, 5)
                case UInt8(ascii: "L"): return (.l, 5)
                case UInt8(ascii: "B"): return (.b, 5)
                default: return nil
                }
            }
            // `{"XS":`
            if word & 0xFFFF_FF00_FFFF == 0x3A22_5300_227B {
                switch UInt8(truncatingIfNeeded: word >> 16) {
                case UInt8(ascii: "S"): return (.ss, 6)
                case UInt8(ascii: "N"): return (.ns, 6)
                case UInt8(ascii: "B"): return (.bs, 6)
                default: return nil
                }
            }
            if word == 0x3A22_4C4F_4F42_227B { return (.bool, 8) }  // {"BOOL":
            if word == 0x3A22_4C4C_554E_227B { return (.null, 8) }  // {"NULL":
            return nil
        }

        @inline(__always) mutating func skipBlanks() {
            while i < n {
                let b = p[i]
                guard b <= 0x20, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
                if b == 0x0A || b == 0x0D { sawLineBreak = true }
                i += 1
            }
        }

        @inline(__always) func at(_ byte: UInt8) -> Bool { i < n && p[i] == byte }

        @inline(__always) mutating func push(map: Bool) -> Bool {
            guard open < maxContainers else { return false }
            if map { maps |= 1 << UInt64(open) } else { maps &= ~(1 << UInt64(open)) }
            open += 1
            return true
        }

        @inline(__always) mutating func escape() -> Bool {
            guard i + 1 < n else { return false }
            switch p[i + 1] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                i += 2
                return true
            case UInt8(ascii: "u"):
                guard i + 6 <= n else { return false }
                for k in 2..<6 where !cursor.isHexDigit(p[i + k]) { return false }
                i += 6
                return true
            default:
                return false
            }
        }

        /// Moves past the string whose opening quote is at `i`, checking it as ``JSONCursor/readString()`` does.
        @inline(__always) mutating func string() -> Bool {
            i += 1
            while true {
                while i + 8 <= n {
                    let mask = JSONCursor.attentionMask(UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
                    if mask != 0 {
                        i += mask.trailingZeroBitCount >> 3
                        break
                    }
                    i += 8
                }
                guard i < n else { return false }
                let b = p[i]
                if b == UInt8(ascii: "\"") {
                    i += 1
                    return true
                } else if b == UInt8(ascii: "\\") {
                    escaped = true
                    guard escape() else { return false }
                } else if b < 0x20 {
                    return false
                } else if b < 0x80 {
                    i += 1
                } else {
                    i = Self.utf8(cursor, at: i)
                    guard i >= 0 else { return false }
                }
            }
        }

        /// Where the multi-byte UTF-8 character at `offset` ends, or -1 if it is malformed. Static and not inlined
        /// (rare in keys and values), so the loop's state never leaves registers for it.
        @inline(never) static func utf8(_ cursor: JSONCursor, at offset: Int) -> Int {
            var character = cursor
            character.offset = offset
            guard (try? character.readUTF8Sequence()) != nil else { return -1 }
            return character.offset
        }

        /// A string (S), a numeric string without escapes (N) or a base64 string without escapes (B).
        @inline(__always) mutating func element(_ kind: Element) -> Bool {
            guard at(UInt8(ascii: "\"")) else { return false }
            let start = i + 1
            escaped = false
            guard string() else { return false }
            let end = i - 1
            switch kind {
            case .string: return true
            case .number: return !escaped && NumberGrammar.scan(p, from: start, to: end, allowPlus: true, json: false) == end
            case .base64: return !escaped && Base64.isValid(UnsafeBufferPointer(start: p + start, count: end - start))
            }
        }

        @inline(__always) mutating func literal(_ text: StaticString) -> Bool {
            let count = text.utf8CodeUnitCount
            guard i + count <= n, cursor.equals(i..<(i + count), text) else { return false }
            i += count
            return true
        }

        /// A set (`[e, ...]`, possibly empty) of one kind of element.
        @inline(__always) mutating func set(of kind: Element) -> Bool {
            guard at(UInt8(ascii: "[")) else { return false }
            i += 1
            skipBlanks()
            if at(UInt8(ascii: "]")) {
                i += 1
                return true
            }
            while true {
                skipBlanks()
                guard element(kind) else { return false }
                skipBlanks()
                guard i < n else { return false }
                if p[i] == UInt8(ascii: ",") {
                    i += 1
                } else if p[i] == UInt8(ascii: "]") {
                    i += 1
                    return true
                } else {
                    return false
                }
            }
        }
    }
}
