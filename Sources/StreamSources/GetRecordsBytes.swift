import StreamModel

/// The bytes of one GetRecords answer, shared by the records scanned from it: one buffer per page, not one per record.
///
/// Records are ranges into it. A record AWS sent across several lines (pretty-printed JSON) is stored compacted
/// after the answer's own bytes, so every record range is one line, ready to append to the archive.
final class GetRecordsBytes: Sendable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Calls `body` with the bytes of `range`, without copying.
    func withBytes<T>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        try bytes.withUnsafeBufferPointer { all in try body(UnsafeBufferPointer(rebasing: all[range])) }
    }

    /// The JSON string content at `range` (relative to `base`) as a `String`, escapes resolved.
    func string(_ range: Range<Int>, in base: Range<Int>) -> String {
        withBytes(base) { record in
            let cursor = JSONCursor(UnsafeRawBufferPointer(record))
            let content = cursor.bytes(range)
            guard content.contains(UInt8(ascii: "\\")) else { return String(decoding: content, as: UTF8.self) }
            return String(decoding: cursor.unescaped(range), as: UTF8.self)
        }
    }
}
