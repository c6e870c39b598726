/// Finds the records in an input of change records without parsing them: NDJSON (or any whitespace-separated
/// JSON objects, pretty-printed or not), a JSON array of records, or objects with a `Records` array (Lambda
/// events, DynamoDB Streams and Kinesis GetRecords responses; other members such as `NextShardIterator` are
/// skipped). Inputs may mix these, one after another.
///
/// The splitter works on a window of the input: ``next(_:offset:isFinal:)`` returns a record's byte range, or
/// asks for more bytes. It never holds more than one record, so a 1 GB `{"Records":[...]}` streams in chunks.
/// Records are delimited by bracket matching only; the converter validates them.
public struct RecordSplitter: Sendable {
    /// What ``next(_:offset:isFinal:)`` found.
    public enum Step: Sendable, Equatable {
        /// A record's bytes (a range of the window) and its location.
        case record(Range<Int>, RecordLocation)
        /// The window ends inside a value: move the unconsumed bytes (from `offset`) to the front and add more.
        case needMore
        /// The input is exhausted.
        case end
    }

    private enum State: Sendable {
        case top
        case array(first: Bool)
        case records(first: Bool)
        case envelopeTail(first: Bool)
    }

    private var state = State.top
    /// Line number at the consumed offset (1-based).
    public private(set) var line = 1
    private var ordinal = 0
    private var index = 0

    public init() {}

    /// Finds the next record in `window` from `offset`, advancing `offset` past what it consumed.
    /// - Parameters:
    ///   - window: the buffered input bytes.
    ///   - offset: where unconsumed input starts; advanced past each consumed record or separator.
    ///   - isFinal: whether `window` holds the rest of the input (no more bytes will come).
    /// - Throws: ``ShapeError`` when the structure between records is broken; ``line`` says where.
    public mutating func next(_ window: UnsafeRawBufferPointer, offset: inout Int, isFinal: Bool) throws(ShapeError) -> Step {
        let p = window.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) }
        let n = window.count
        guard let p else { return isFinal ? try finish() : .needMore }
        while true {
            skipWhitespace(p, n, &offset)
            guard offset < n else { return isFinal ? try finish() : .needMore }
            let b = p[offset]
            switch state {
            case .top:
                if b == UInt8(ascii: "[") {
                    offset += 1
                    state = .array(first: true)
                    index = 0
                    continue
                }
                if b == UInt8(ascii: "{") {
                    switch try envelopeCheck(p, n, offset, isFinal: isFinal) {
                    case .incomplete: return .needMore
                    case .record(let end): return emit(p, &offset, end, container: .stream)
                    case .envelope(let arrayStart):
                        countLines(p, offset, arrayStart + 1)
                        offset = arrayStart + 1
                        state = .records(first: true)
                        index = 0
                        continue
                    }
                }
                guard let end = Self.valueEnd(p, n, offset, isFinal: isFinal) else { return .needMore }
                return emit(p, &offset, end, container: .stream)
            case .array(let first), .records(let first):
                let inRecords: Bool
                if case .records = state { inRecords = true } else { inRecords = false }
                if b == UInt8(ascii: "]") {
                    offset += 1
                    state = inRecords ? .envelopeTail(first: false) : .top
                    continue
                }
                if !first {
                    guard b == UInt8(ascii: ",") else { throw structural("expected ',' or ']' between records", offset) }
                    // Consume the comma only together with the record after it, so a retry starts here again.
                    let o = skipped(p, n, offset + 1)
                    guard o < n else { return isFinal ? try finish() : .needMore }
                    guard let end = Self.valueEnd(p, n, o, isFinal: isFinal) else { return .needMore }
                    countLines(p, offset, o)
                    offset = o
                    return emit(p, &offset, end, container: inRecords ? .records : .array)
                }
                guard let end = Self.valueEnd(p, n, offset, isFinal: isFinal) else { return .needMore }
                state = inRecords ? .records(first: false) : .array(first: false)
                return emit(p, &offset, end, container: inRecords ? .records : .array)
            case .envelopeTail(let first):
                if b == UInt8(ascii: "}") {
                    offset += 1
                    state = .top
                    continue
                }
                // Skip `, "key": value` members after the Records array.
                var o = offset
                if !first || b == UInt8(ascii: ",") {
                    guard b == UInt8(ascii: ",") else { throw structural("expected ',' or '}'", offset) }
                    o += 1
                }
                guard let keyEnd = Self.valueEnd(p, n, skipped(p, n, o), isFinal: isFinal) else { return .needMore }
                o = skipped(p, n, keyEnd)
                guard o < n else { return isFinal ? try finish() : .needMore }
                guard p[o] == UInt8(ascii: ":") else { throw structural("expected ':'", o) }
                o = skipped(p, n, o + 1)
                guard let valueEnd = Self.valueEnd(p, n, o, isFinal: isFinal) else { return .needMore }
                countLines(p, offset, valueEnd)
                offset = valueEnd
                state = .envelopeTail(first: false)
            }
        }
    }

    private mutating func finish() throws(ShapeError) -> Step {
        switch state {
        case .top: return .end
        case .array, .records: throw ShapeError(expectation: "input ends inside an array of records (truncated?)", offset: 0)
        case .envelopeTail: throw ShapeError(expectation: "input ends inside an event object (truncated?)", offset: 0)
        }
    }

    private func structural(_ expectation: String, _ at: Int) -> ShapeError {
        ShapeError(expectation: expectation, offset: at)
    }

    private mutating func emit(_ p: UnsafePointer<UInt8>, _ offset: inout Int, _ end: Int, container: RecordLocation.Container) -> Step {
        let location = RecordLocation(line: line, ordinal: ordinal, container: container, index: container == .stream ? ordinal : index)
        let range = offset..<end
        countLines(p, offset, end)
        offset = end
        ordinal += 1
        if container != .stream { index += 1 }
        return .record(range, location)
    }

    private enum EnvelopeCheck {
        case incomplete
        case record(end: Int)
        case envelope(arrayStart: Int)
    }

    /// Walks the members of the object at `start`: a `Records` array makes it an envelope; else it is a record.
    private func envelopeCheck(_ p: UnsafePointer<UInt8>, _ n: Int, _ start: Int, isFinal: Bool) throws(ShapeError) -> EnvelopeCheck {
        var o = skipped(p, n, start + 1)
        guard o < n else { return isFinal ? .record(end: n) : .incomplete }
        if p[o] == UInt8(ascii: "}") { return .record(end: o + 1) }
        while true {
            guard o < n else { return isFinal ? .record(end: n) : .incomplete }
            guard p[o] == UInt8(ascii: "\"") else { return recordEnd(p, n, start, isFinal) }
            guard let keyEnd = Self.valueEnd(p, n, o, isFinal: isFinal) else { return .incomplete }
            let isRecords = keyEnd - o == 9 && Self.matches(p, o + 1, "Records")
            o = skipped(p, n, keyEnd)
            guard o < n else { return isFinal ? .record(end: n) : .incomplete }
            guard p[o] == UInt8(ascii: ":") else { return recordEnd(p, n, start, isFinal) }
            o = skipped(p, n, o + 1)
            guard o < n else { return isFinal ? .record(end: n) : .incomplete }
            if isRecords && p[o] == UInt8(ascii: "[") { return .envelope(arrayStart: o) }
            guard let valueEnd = Self.valueEnd(p, n, o, isFinal: isFinal) else { return .incomplete }
            o = skipped(p, n, valueEnd)
            guard o < n else { return isFinal ? .record(end: n) : .incomplete }
            if p[o] == UInt8(ascii: "}") { return .record(end: o + 1) }
            guard p[o] == UInt8(ascii: ",") else { return recordEnd(p, n, start, isFinal) }
            o = skipped(p, n, o + 1)
        }
    }

    private func recordEnd(_ p: UnsafePointer<UInt8>, _ n: Int, _ start: Int, _ isFinal: Bool) -> EnvelopeCheck {
        guard let end = Self.valueEnd(p, n, start, isFinal: isFinal) else { return .incomplete }
        return .record(end: end)
    }

    private static func matches(_ p: UnsafePointer<UInt8>, _ at: Int, _ literal: StaticString) -> Bool {
        for i in 0..<literal.utf8CodeUnitCount where p[at + i] != literal.utf8Start[i] { return false }
        return true
    }

    /// End of the JSON value starting at `start` (``JSONCursor/valueEnd(_:count:from:)``), or `nil` if the window
    /// ends first. At the end of the input an unterminated value ends at the window's end (the converter reports it).
    static func valueEnd(_ p: UnsafePointer<UInt8>, _ n: Int, _ start: Int, isFinal: Bool) -> Int? {
        guard start < n else { return isFinal ? n : nil }
        return JSONCursor.valueEnd(p, count: n, from: start) ?? (isFinal ? n : nil)
    }

    private mutating func skipWhitespace(_ p: UnsafePointer<UInt8>, _ n: Int, _ offset: inout Int) {
        while offset < n {
            let b = p[offset]
            if b == 0x0A { line += 1 } else if b != 0x20 && b != 0x0D && b != 0x09 { return }
            offset += 1
        }
    }

    private func skipped(_ p: UnsafePointer<UInt8>, _ n: Int, _ from: Int) -> Int {
        var o = from
        while o < n, p[o] == 0x20 || p[o] == 0x0A || p[o] == 0x0D || p[o] == 0x09 { o += 1 }
        return o
    }

    private mutating func countLines(_ p: UnsafePointer<UInt8>, _ from: Int, _ to: Int) {
        var i = from
        while i < to {
            if p[i] == 0x0A { line += 1 }
            i += 1
        }
    }

    /// All records of an in-memory input, as byte ranges with locations (for tests and small inputs).
    public static func split(_ input: [UInt8]) throws(ShapeError) -> [(Range<Int>, RecordLocation)] {
        var splitter = RecordSplitter()
        var result = [(Range<Int>, RecordLocation)]()
        var offset = 0
        var failure: ShapeError?
        input.withUnsafeBytes { window in
            do throws(ShapeError) {
                while true {
                    guard case .record(let range, let location) = try splitter.next(window, offset: &offset, isFinal: true) else { break }
                    result.append((range, location))
                }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return result
    }
}
