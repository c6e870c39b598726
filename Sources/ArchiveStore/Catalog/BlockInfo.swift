public import StreamModel

/// A block: the unit of reading, one shard's records in one zstd frame.
public struct BlockInfo: Sendable, Equatable {
    public var id: Int64
    public var streamID: Int64
    public var segmentID: Int64
    public var shardRowID: Int64
    public var offset: Int64
    public var length: Int64
    public var recordCount: Int64
    public var rawBytes: Int64
    public var firstSeq: SequenceNumber
    public var lastSeq: SequenceNumber
    public var minTime: Int64
    public var maxTime: Int64
    public var format: RecordFormat
}
