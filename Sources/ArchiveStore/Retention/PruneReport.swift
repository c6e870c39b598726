/// What a prune of one stream did (or, dry run, would do).
public struct PruneReport: Sendable {
    public var stream: String
    /// Days kept (0: forever).
    public var retentionDays: Int
    /// Records older than this (epoch ms) expire; nil when the stream keeps everything.
    public var cutoff: Int64?
    /// Segments deleted (dry run: that would be deleted).
    public var deleted: [SegmentInfo] = []
    /// Expired segments kept because holds (ids) overlap them.
    public var held: [(segment: SegmentInfo, holds: [Int64])] = []
    /// Bytes of the deleted segments' files.
    public var freedBytes: Int64 { deleted.reduce(0) { $0 + $1.committedBytes } }
    public var deletedRecords: Int64 { deleted.reduce(0) { $0 + $1.recordCount } }
}
