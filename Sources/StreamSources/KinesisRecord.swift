public import Foundation
import StreamModel

/// One Kinesis record from `GetRecords`, with the bytes AWS sent.
///
/// The record is a range of its page's bytes (shared by every record of the page) plus what was read while the
/// answer was scanned (the decoded `Data`, and the eventID and event time of the change inside it).
public struct KinesisRecord: Sendable, Hashable {
    let bytes: RecordBytes
    let fields: KinesisRecordFields

    init(bytes: RecordBytes, fields: KinesisRecordFields) {
        self.bytes = bytes
        self.fields = fields
    }

    /// The record's JSON as it appeared in the answer (one element of `Records`; compacted to one line if it had line breaks).
    public var raw: Data { bytes.data }
    /// The sequence number (a decimal string, unique only within its shard).
    public var sequenceNumber: String { bytes.text(fields.item.sequenceNumber) }
    /// When Kinesis received the record, in epoch seconds.
    public var approximateArrivalTimestamp: Double? { fields.item.approximateArrivalTimestamp.flatMap { Double(bytes.text($0)) } }
    /// The partition key.
    public var partitionKey: String { fields.item.partitionKey.map(bytes.string) ?? "" }
    /// The payload, base64-decoded (for Kinesis Data Streams for DynamoDB: the change record's JSON).
    public var data: Data { Data(fields.item.data) }
    /// `NONE` or `KMS`, when given.
    public var encryptionType: String? { fields.item.encryptionType.map(bytes.string) }

    /// Calls `body` with the record's one-line bytes and its fields (ranges relative to those bytes), without copying.
    func withLine<T>(_ body: (UnsafeBufferPointer<UInt8>, KinesisRecordFields) throws -> T) rethrows -> T {
        try bytes.withBytes { try body($0, fields) }
    }

    public static func == (lhs: KinesisRecord, rhs: KinesisRecord) -> Bool { lhs.bytes == rhs.bytes }

    public func hash(into hasher: inout Hasher) { hasher.combine(bytes) }
}
