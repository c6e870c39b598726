#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one reader of change-record input (ingest and convert): reads a file descriptor in chunks and hands each
/// record to a closure, never holding more than a chunk or one record (at most ``maxRecordBytes``) in memory.
///
/// It reads NDJSON, JSON arrays of records and `{"Records":[...]}` objects (Lambda events, GetRecords
/// responses), pretty-printed or not, several per input (``Layout``). Broken structure, a truncated input, an
/// over-long record and read failures are ``RecordInputError``s naming the line.
///
/// ```swift
/// let reader = RecordInputReader(fileDescriptor: STDIN_FILENO)
/// try reader.forEachRecord { bytes, location in ... }
/// ```
public final class RecordInputReader {
    /// How the input holds its records.
    public enum Layout: Sendable, Equatable {
        /// JSON values one after another (NDJSON, or pretty-printed objects), arrays of records, and objects with
        /// a `Records` array, mixed in any order; records are found by bracket matching (``RecordSplitter``).
        case values
        /// NDJSON: every line is one record (a broken line is that line's problem, the next line starts afresh).
        /// Lines holding only whitespace are skipped.
        case lines
        /// ``values`` if the input starts with `[` or an object whose first key is `Records`, else ``lines``.
        case auto
    }

    /// The default maximum record size: 16 MiB, far above DynamoDB (400 KB items, two images) and Kinesis (1 MiB
    /// records), far below what would strain memory.
    public static let defaultMaxRecordBytes = 16 << 20

    /// The layout asked for.
    public let layout: Layout
    /// A longer record stops the input with ``RecordInputError/Code/recordTooLarge``, after reading at most
    /// about this many bytes of it.
    public let maxRecordBytes: Int

    private let fd: Int32
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int
    private var start = 0
    private var end = 0
    private var eof = false

    /// - Parameters:
    ///   - fileDescriptor: an open descriptor; the reader does not close it.
    ///   - chunkSize: bytes read per `read(2)`; the buffer grows beyond it only for a longer record. Default 4 MiB.
    ///   - layout: how the input holds its records; default ``Layout/values``.
    ///   - maxRecordBytes: the longest record accepted; default ``defaultMaxRecordBytes``.
    public init(fileDescriptor: Int32, chunkSize: Int = 4 << 20, layout: Layout = .values, maxRecordBytes: Int = defaultMaxRecordBytes) {
        self.fd = fileDescriptor
        self.layout = layout
        self.maxRecordBytes = max(maxRecordBytes, 1)
        self.capacity = max(chunkSize, 64)
        // malloc/realloc rather than allocate: growing a large buffer then remaps pages instead of holding two copies.
        guard let buffer = malloc(capacity) else { fatalError("RecordInputReader: cannot allocate \(capacity) bytes") }
        self.buffer = buffer
    }

    deinit { free(buffer) }

    /// Calls `body` for every record of the input, in order.
    ///
    /// The bytes passed to `body` are valid only during the call.
    /// - Throws: ``RecordInputError``, or whatever `body` throws.
    public func forEachRecord(_ body: (UnsafeBufferPointer<UInt8>, RecordLocation) throws -> Void) throws {
        try forEachRecord(body, beforeReuse: {})
    }

    /// Calls `body` for every record of the input, in order, and `beforeReuse` before the reader moves or refills
    /// its buffer (and once at the end of the input).
    ///
    /// The bytes passed to `body` stay valid until `beforeReuse` returns, also when the reader throws a
    /// ``RecordInputError`` (it throws before touching its buffer), so a caller may gather the records of one
    /// buffer and work on them together: ingest validates them on every core.
    /// - Throws: ``RecordInputError``, or whatever `body` or `beforeReuse` throws.
    public func forEachRecord(
        _ body: (UnsafeBufferPointer<UInt8>, RecordLocation) throws -> Void,
        beforeReuse: () throws -> Void
    ) throws {
        var layout = self.layout
        if layout == .auto { layout = try detectLayout() }
        if layout == .lines {
            try forEachLine(body, beforeReuse)
        } else {
            try forEachValue(body, beforeReuse)
        }
    }

    // MARK: Layouts

    private func detectLayout() throws -> Layout {
        while true {
            let window = UnsafeRawBufferPointer(start: buffer + start, count: end - start)
            var c = JSONCursor(window)
            if let first = c.peek() {
                if first == UInt8(ascii: "[") { return .values }
                guard first == UInt8(ascii: "{") else { return .lines }
                do throws(ShapeError) {
                    guard try c.openObject() else { return .lines }
                    let key = try c.readKey()
                    return c.equals(key, "Records") ? .values : .lines
                } catch {
                    // The first key is not in the window yet: read on (bounded by the record limit), else decide.
                    if eof || end - start > min(maxRecordBytes, 1 << 20) { return .lines }
                }
            } else if eof {
                return .lines
            }
            try fill(line: 1)
        }
    }

    private func forEachLine(_ body: (UnsafeBufferPointer<UInt8>, RecordLocation) throws -> Void, _ beforeReuse: () throws -> Void) throws {
        var line = 0
        var ordinal = 0
        while true {
            let base = buffer.assumingMemoryBound(to: UInt8.self)
            while start < end {
                let newline = memchr(base + start, 0x0A, end - start).map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) }
                guard let lineEnd = newline ?? (eof ? end : nil) else { break }
                line += 1
                let record = UnsafeBufferPointer(start: base + start, count: lineEnd - start)
                start = lineEnd < end ? lineEnd + 1 : end
                guard record.count <= maxRecordBytes else { throw tooLarge(line: line) }
                if Self.isBlank(record) { continue }
                try body(record, RecordLocation(line: line, ordinal: ordinal, container: .stream, index: ordinal))
                ordinal += 1
            }
            try beforeReuse()
            if eof { return }
            if end - start > maxRecordBytes { throw tooLarge(line: line + 1) }
            try fill(line: line + 1)
        }
    }

    private func forEachValue(_ body: (UnsafeBufferPointer<UInt8>, RecordLocation) throws -> Void, _ beforeReuse: () throws -> Void) throws {
        var splitter = RecordSplitter()
        while true {
            let window = UnsafeRawBufferPointer(start: buffer, count: end)
            let base = buffer.assumingMemoryBound(to: UInt8.self)
            var finished = false
            while true {
                let step: RecordSplitter.Step
                do throws(ShapeError) {
                    step = try splitter.next(window, offset: &start, isFinal: eof)
                } catch {
                    throw RecordInputError(code: .malformedInput, line: splitter.line, reason: error.expectation)
                }
                guard case .record(let range, let location) = step else {
                    finished = step == .end
                    break
                }
                guard range.count <= maxRecordBytes else { throw tooLarge(line: location.line) }
                try body(UnsafeBufferPointer(start: base + range.lowerBound, count: range.count), location)
            }
            try beforeReuse()
            if finished { return }
            if end - start > maxRecordBytes { throw tooLarge(line: splitter.line) }
            try fill(line: splitter.line)
        }
    }

    // MARK: Buffer

    /// Keeps the unconsumed tail, grows the buffer if one value fills it (up to the record limit), reads more.
    private func fill(line: Int) throws {
        if start > 0 {
            if end > start { memmove(buffer, buffer + start, end - start) }
            end -= start
            start = 0
        }
        if end == capacity {
            let larger = min(capacity * 2, maxRecordBytes + (64 << 10))
            guard larger > capacity else { throw tooLarge(line: line) }
            guard let bigger = realloc(buffer, larger) else {
                throw RecordInputError(code: .readFailed, line: line, reason: "out of memory growing the input buffer to \(larger) bytes")
            }
            buffer = bigger
            capacity = larger
        }
        while true {
            let n = read(fd, buffer + end, capacity - end)
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                throw RecordInputError(
                    code: .readFailed,
                    line: line,
                    reason: "reading the input failed: \(String(cString: strerror(code))) (errno \(code))"
                )
            }
            if n == 0 { eof = true } else { end += n }
            return
        }
    }

    private func tooLarge(line: Int) -> RecordInputError {
        RecordInputError(
            code: .recordTooLarge,
            line: line,
            reason: "a record is longer than \(Self.describe(bytes: maxRecordBytes)), the maximum record size; nothing after it was read. "
                + "DynamoDB and Kinesis records are far smaller: is this the right file? If it is, raise the limit with --max-record-bytes"
        )
    }

    /// `16 MiB`, `512 KiB` or `1000 bytes`.
    public static func describe(bytes: Int) -> String {
        if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10 && bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }

    private static func isBlank(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in line where b != 0x20 && b != 0x09 && b != 0x0D { return false }
        return true
    }
}
