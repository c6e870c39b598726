/// How a ``StreamWriter`` cuts blocks, commits and rolls segments.
public struct WriterConfiguration: Sendable {
    /// Uncompressed bytes of one shard's records gathered before they become a block (one zstd frame).
    /// Larger blocks compress better; smaller ones make time-window reads cheaper. Default 1 MiB.
    public var blockBytes: Int
    /// Uncompressed bytes buffered before the writer fsyncs and commits to the catalog on its own. Default 8 MiB.
    public var commitBytes: Int
    /// A segment is sealed once its compressed size reaches this. Default 64 MiB.
    public var maxSegmentBytes: Int
    /// ...or once it is this old. Default 1 hour.
    public var maxSegmentAge: Duration
    /// zstd level. Default 3 (zstd's own default).
    public var compressionLevel: Int32
    /// Whether each block gets an item-key filter in the catalog (``BlockKeyFilter``). Default on; off only to
    /// measure what the filters cost (tools/bench-history).
    public var keyFilters = true
    /// This node's id (``NodeIdentity``), put into new segment names so that several nodes writing one stream into
    /// one bucket never pick the same name. Default `nil`: names without it, as before.
    public var nodeID: String?
    /// Whether a commit with nothing new seals a segment older than ``maxSegmentAge`` too. On when segments go to a
    /// bucket (the seal interval bounds what lives on one disk only); off by default, where an idle segment stays open.
    public var sealIdleSegments = false
    /// Bytes of event-id keys a writer keeps in memory for its event-id shards (docs/FORMAT.md, "Event-id
    /// index"); whole hours of event time are evicted past it and read again from the catalog when needed.
    /// Default 64 MiB.
    public var eventIDMemoryBytes = 64 << 20

    /// - Parameters:
    ///   - blockBytes: raw bytes per block, default 1 MiB.
    ///   - commitBytes: raw bytes per automatic commit, default 8 MiB.
    ///   - maxSegmentBytes: compressed bytes per segment before it is sealed, default 64 MiB.
    ///   - maxSegmentAge: age at which a segment is sealed, default 1 hour.
    ///   - compressionLevel: zstd level, default 3.
    public init(
        blockBytes: Int = 1 << 20,
        commitBytes: Int = 8 << 20,
        maxSegmentBytes: Int = 64 << 20,
        maxSegmentAge: Duration = .seconds(3600),
        compressionLevel: Int32 = 3
    ) {
        self.blockBytes = blockBytes
        self.commitBytes = commitBytes
        self.maxSegmentBytes = maxSegmentBytes
        self.maxSegmentAge = maxSegmentAge
        self.compressionLevel = compressionLevel
    }
}
