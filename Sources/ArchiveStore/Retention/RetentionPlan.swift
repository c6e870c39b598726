/// Which segments retention deletes: a pure decision from the segments, the holds, the retention and the time.
public enum RetentionPlan {
    /// What happens to one sealed segment whose records are all older than the cutoff.
    public enum Decision: Sendable, Equatable {
        /// No hold covers it: delete it.
        case delete(SegmentInfo)
        /// Kept: these holds (ids) overlap its time range.
        case held(SegmentInfo, holds: [Int64])
    }

    /// Retention in days allowed by `retention set` (0 is forever).
    public static let dayRange = 1...3650
    /// Days kept when a stream's retention was never set.
    public static let defaultDays = 365

    /// The time before which records expire, or nil when the stream keeps them forever (`days` 0).
    public static func cutoff(days: Int, now: Int64) -> Int64? {
        days <= 0 ? nil : now - Int64(days) * 86_400_000
    }

    /// The decisions for the segments retention may touch: sealed, with every record older than `cutoff`.
    /// Open segments are never deleted (they are still being written).
    public static func decide(segments: [SegmentInfo], holds: [HoldInfo], cutoff: Int64) -> [Decision] {
        segments.compactMap { segment in
            guard segment.state == .sealed, let minTime = segment.minTime, let maxTime = segment.maxTime, maxTime < cutoff else { return nil }
            let covering = holds.filter { $0.overlaps(minTime: minTime, maxTime: maxTime) }.map(\.id)
            return covering.isEmpty ? .delete(segment) : .held(segment, holds: covering)
        }
    }
}
