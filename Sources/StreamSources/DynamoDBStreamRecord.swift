public import Foundation
public import StreamModel

/// One record from DynamoDB Streams `GetRecords`, with the bytes AWS sent.
///
/// The record is a range of its page's bytes (shared by every record of the page) plus the facts the archive
/// needs, read while the answer was scanned: nothing is decoded again, and its properties are computed on access.
public struct DynamoDBStreamRecord: Sendable, Hashable {
    let bytes: RecordBytes
    /// Ranges relative to the record's first byte.
    let facts: ChangeRecordFacts

    init(bytes: RecordBytes, facts: ChangeRecordFacts) {
        self.bytes = bytes
        self.facts = facts
    }

    /// Creates a record from its JSON (for fakes and tests), validated as the client validates GetRecords answers.
    /// - Parameter raw: One change record's JSON.
    /// - Throws: `ShapeError` naming the field that is missing or malformed.
    public init(raw: Data) throws(ShapeError) {
        var line = [UInt8](raw)
        if line.withUnsafeBufferPointer(JSONCompactor.containsLineBreak) {
            var compact: [UInt8] = []
            line.withUnsafeBufferPointer { JSONCompactor.compact($0, into: &compact) }
            line = compact
        }
        let facts = try line.withUnsafeBytes { bytes -> Result<ChangeRecordFacts, ShapeError> in
            var cursor = JSONCursor(bytes)
            do throws(ShapeError) {
                let facts = try ChangeRecordScanner.scanNative(&cursor)
                guard cursor.atEnd() else { throw cursor.fail("expected the end of the record") }
                return .success(facts)
            } catch {
                return .failure(error)
            }
        }.get()
        self.init(bytes: RecordBytes(page: GetRecordsBytes(line), range: 0..<line.count), facts: facts)
    }

    /// The record's JSON as AWS sent it (one element of `Records`; compacted to one line if AWS's had line breaks).
    public var raw: Data { bytes.data }
    /// The event ID (unique per change).
    public var eventID: String { bytes.string(facts.eventID) }
    /// `INSERT`, `MODIFY` or `REMOVE`.
    public var eventName: String { facts.eventName.rawValue }
    /// The sequence number (a decimal string; never parse it to an integer type).
    public var sequenceNumber: String { bytes.text(facts.sequenceNumber) }
    /// `dynamodb.ApproximateCreationDateTime` in epoch milliseconds.
    public var eventTimeMillis: Int64 { facts.eventTimeMillis }
    /// `dynamodb.ApproximateCreationDateTime` in epoch seconds.
    public var approximateCreationDateTime: Double? { Double(facts.eventTimeMillis) / 1000 }

    /// Calls `body` with the record's one-line bytes and its facts (ranges relative to those bytes), without copying.
    func withLine<T>(_ body: (UnsafeBufferPointer<UInt8>, ChangeRecordFacts) throws -> T) rethrows -> T {
        try bytes.withBytes { try body($0, facts) }
    }

    public static func == (lhs: DynamoDBStreamRecord, rhs: DynamoDBStreamRecord) -> Bool { lhs.bytes == rhs.bytes }

    public func hash(into hasher: inout Hasher) { hasher.combine(bytes) }
}
