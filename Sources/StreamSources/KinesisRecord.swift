public import Foundation

/// One Kinesis record from `GetRecords`, with the bytes AWS sent.
///
/// The record is a range of its page's bytes (shared by every record of the page) plus what was read while the
/// answer was scanned (the decoded `Data`, and the eventID and event time of the change inside it).
public struct KinesisRecord: Sendable, Hashable {
    let storage: GetRecordsBytes
    let range: Range<Int>
    let fields: KinesisRecordFields

    init(storage: GetRecordsBytes, range: Range<Int>, fields: KinesisRecordFields) {
        self.storage = storage
        self.range = range
        self.fields = fields
    }

    /// The record's JSON as it appeared in the answer (one element of `Records`; compacted to one line if it had line breaks).
    public var raw: Data { storage.withBytes(range) { Data($0) } }
    /// The sequence number (a decimal string, unique only within its shard).
    public var sequenceNumber: String {
        storage.withBytes(range) { String(decoding: UnsafeBufferPointer(rebasing: $0[fields.sequenceNumber]), as: UTF8.self) }
    }
    /// When Kinesis received the record, in epoch seconds.
    public var approximateArrivalTimestamp: Double? {
        fields.approximateArrivalTimestamp.flatMap { number in
            storage.withBytes(range) { Double(String(decoding: UnsafeBufferPointer(rebasing: $0[number]), as: UTF8.self)) }
        }
    }
    /// The partition key.
    public var partitionKey: String { storage.string(fields.partitionKey, in: range) }
    /// The payload, base64-decoded (for Kinesis Data Streams for DynamoDB: the change record's JSON).
    public var data: Data { Data(fields.data) }
    /// `NONE` or `KMS`, when given.
    public var encryptionType: String? { fields.encryptionType.map { storage.string($0, in: range) } }

    /// Calls `body` with the record's one-line bytes and its fields (ranges relative to those bytes), without copying.
    func withLine<T>(_ body: (UnsafeBufferPointer<UInt8>, KinesisRecordFields) throws -> T) rethrows -> T {
        try storage.withBytes(range) { try body($0, fields) }
    }

    public static func == (lhs: KinesisRecord, rhs: KinesisRecord) -> Bool {
        lhs.storage.withBytes(lhs.range) { left in rhs.storage.withBytes(rhs.range) { right in left.elementsEqual(right) } }
    }

    public func hash(into hasher: inout Hasher) {
        storage.withBytes(range) { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
