public import StreamModel

/// Everything one commit adds, applied in one SQLite transaction after the blocks are fsynced.
public struct BlockCommit: Sendable {
    public struct NewBlock: Sendable {
        public var shardRowID: Int64
        public var offset: Int64
        public var length: Int64
        public var header: BlockHeader
        /// The block's item-key filter (``BlockKeyFilter``), if its records expose their keys.
        public var keyFilter: [UInt8]?
        /// The ``EventIDKey``s of the block's records (16 bytes each, in record order) on event-id shards.
        public var eventIDKeys: [UInt8]?
        public init(shardRowID: Int64, offset: Int64, length: Int64, header: BlockHeader, keyFilter: [UInt8]? = nil, eventIDKeys: [UInt8]? = nil) {
            self.shardRowID = shardRowID
            self.offset = offset
            self.length = length
            self.header = header
            self.keyFilter = keyFilter
            self.eventIDKeys = eventIDKeys
        }
    }
    public var streamID: Int64
    public var segmentID: Int64
    /// The segment's committed length after these blocks.
    public var committedBytes: Int64
    public var blocks: [NewBlock] = []
    /// New high-water sequence number per shard row.
    public var checkpoints: [Int64: SequenceNumber] = [:]

    public init(streamID: Int64, segmentID: Int64, committedBytes: Int64) {
        self.streamID = streamID
        self.segmentID = segmentID
        self.committedBytes = committedBytes
    }
}
