/// The members of a Kinesis GetRecords item, as ranges of its text, with `Data` decoded (``KinesisRecordScanner/scanItem(_:)``).
public struct KinesisItem: Sendable {
    /// `SequenceNumber`'s digits.
    public var sequenceNumber: Range<Int>
    /// `ApproximateArrivalTimestamp`'s number (epoch seconds), when it is one.
    public var approximateArrivalTimestamp: Range<Int>?
    /// `PartitionKey`'s string content (escapes possible), when it is a string.
    public var partitionKey: Range<Int>?
    /// `EncryptionType`'s string content, when it is a string.
    public var encryptionType: Range<Int>?
    /// `Data`, base64-decoded.
    public var data: [UInt8]
    /// Where `Data`'s text starts, for errors about the payload.
    public var dataOffset: Int

    public init(
        sequenceNumber: Range<Int>,
        approximateArrivalTimestamp: Range<Int>?,
        partitionKey: Range<Int>?,
        encryptionType: Range<Int>?,
        data: [UInt8],
        dataOffset: Int
    ) {
        self.sequenceNumber = sequenceNumber
        self.approximateArrivalTimestamp = approximateArrivalTimestamp
        self.partitionKey = partitionKey
        self.encryptionType = encryptionType
        self.data = data
        self.dataOffset = dataOffset
    }
}
