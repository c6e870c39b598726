/// Records read from the pipeline for the event source mapping, copied out of the pipeline's buffers so they
/// can cross to the async side: the event-shaped bytes of every record in one arena, their facts beside.
public struct RecordPage: Sendable {
    /// One record of the page.
    struct Entry: Sendable {
        /// The record in the event shape (a range of ``RecordPage/bytes``).
        var bytes: Range<Int>
        /// Its sequence number's digits (a range of ``RecordPage/bytes``).
        var sequence: Range<Int>
        var timeMillis: Int64
        var partitionHash: UInt64
        /// Index into ``RecordPage/shardIDs``.
        var shard: Int
    }

    var bytes: [UInt8] = []
    var entries: [Entry] = []
    /// The pipeline's shards in lineage order (parents first).
    var shardIDs: [String] = []
    /// Records the pipeline's filter dropped so far.
    var recordsFiltered = 0
    /// Records read from the archive so far (delivered or filtered).
    var recordsRead = 0
}
