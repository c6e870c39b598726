public import ArchiveStore
public import StreamModel

/// Decides whether a read that starts at a sequence number asks for records the archive no longer holds
/// (AWS: `TrimmedDataAccessException`).
///
/// Today it knows two kinds of missing data: everything before the shard's first archived record, and the
/// gaps the archiver recorded. Retention (which deletes old blocks) moves the first archived record up, so it
/// needs nothing more than the same inputs, read again at each GetRecords.
public enum RetentionCheck {
    /// Whether starting a read at `requested` would skip records the archive lost or deleted.
    /// - Parameters:
    ///   - requested: the sequence number the iterator starts at (`AT_…`) or after (`AFTER_…`).
    ///   - firstHeld: the shard's lowest archived sequence number (`nil`: the shard holds nothing).
    ///   - gaps: the shard's known gaps.
    ///   - trimmedThrough: the highest sequence number retention deleted from the shard, if any.
    public static func isTrimmed(
        requested: SequenceNumber,
        firstHeld: SequenceNumber?,
        gaps: [ShardGapSpan],
        trimmedThrough: SequenceNumber? = nil
    ) -> Bool {
        if let trimmedThrough, requested <= trimmedThrough { return true }
        if let firstHeld, requested < firstHeld { return true }
        for gap in gaps {
            guard let after = gap.afterSequence, after < requested else { continue }
            if let resumesAt = gap.resumesAt, requested < resumesAt { return true }
        }
        return false
    }
}
