import Foundation
import StreamModel

/// The bytes of one GetRecords answer, shared by the records scanned from it: one buffer per page, not one per record.
///
/// A record AWS sent across several lines (pretty-printed JSON) is stored compacted after the answer's own bytes,
/// so every record is one line, ready to append to the archive.
final class GetRecordsBytes: Sendable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }
}

/// One record's bytes: a range of its page's ``GetRecordsBytes``. Equal when the bytes are.
struct RecordBytes: Sendable, Hashable {
    let page: GetRecordsBytes
    let range: Range<Int>

    /// Calls `body` with the record's bytes, without copying.
    func withBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        try page.bytes.withUnsafeBufferPointer { all in try body(UnsafeBufferPointer(rebasing: all[range])) }
    }

    /// A copy of the record's bytes.
    var data: Data { withBytes { Data($0) } }

    /// The text at `range` (relative to the record), as is.
    func text(_ range: Range<Int>) -> String {
        withBytes { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }

    /// The JSON string content at `range` (relative to the record), escapes resolved.
    func string(_ range: Range<Int>) -> String {
        withBytes { record in
            let cursor = JSONCursor(UnsafeRawBufferPointer(record))
            guard cursor.bytes(range).contains(UInt8(ascii: "\\")) else { return String(decoding: cursor.bytes(range), as: UTF8.self) }
            return String(decoding: cursor.unescaped(range), as: UTF8.self)
        }
    }

    static func == (lhs: RecordBytes, rhs: RecordBytes) -> Bool {
        lhs.withBytes { left in rhs.withBytes { right in left.elementsEqual(right) } }
    }

    func hash(into hasher: inout Hasher) {
        withBytes { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
