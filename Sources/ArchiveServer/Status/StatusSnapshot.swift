public import ArchiveStore

/// What the status page shows, read from the catalog in one go (so rendering is a pure function of it).
public struct StatusSnapshot: Sendable {
    /// One stream's figures and chart data.
    public struct Stream: Sendable {
        public var info: StreamInfo
        public var totals: StreamTotals
        /// The chart's buckets, oldest first, over the archived part of the retention window.
        public var timeline: [TimelineBucket]
        /// Width of one bucket, milliseconds.
        public var bucketMillis: Int64
        /// Start of the retention window: records before it are due to be pruned.
        public var retentionStart: Int64
        public var gaps: [GapMark]
        public var holds: [Hold]
        /// Shards still open (no end seen) out of all.
        public var openShards: Int
    }

    /// A legal hold's time range, drawn over the chart.
    public struct Hold: Sendable, Equatable {
        public var id: String
        public var from: Int64
        public var to: Int64
        public var reason: String

        public init(id: String, from: Int64, to: Int64, reason: String) {
            self.id = id
            self.from = from
            self.to = to
            self.reason = reason
        }
    }

    /// When the snapshot was taken, epoch milliseconds.
    public var takenAt: Int64
    public var storageRoot: String
    public var streams: [Stream]
    /// The latest `streamvault verify`, if one ran on this storage.
    public var verify: VerifyRecord?

    /// Number of bars in a chart.
    public static let bucketCount = 120

    /// Reads the snapshot through the catalog's async reader (never blocking the cooperative pool).
    /// - Parameters:
    ///   - holds: The holds of a stream (empty where holds are not kept).
    public static func load(
        catalog: Catalog,
        layout: StorageLayout,
        now: Int64,
        holds: @Sendable (StreamInfo) async throws -> [Hold] = { _ in [] }
    ) async throws -> StatusSnapshot {
        let reader = catalog.asyncReader
        var streams: [Stream] = []
        for info in try await reader.streams() {
            let totals = try await reader.totals(streamID: info.id)
            let retentionStart = now - Int64(info.retentionDays) * 86_400_000
            let span = ChartSpan(minTime: totals.minTime, maxTime: totals.maxTime, retentionStart: retentionStart, now: now)
            let shards = try await reader.shards(streamID: info.id)
            streams.append(
                Stream(
                    info: info,
                    totals: totals,
                    timeline: try await reader.timeline(streamID: info.id, from: span.start, bucketMillis: span.bucketMillis, count: bucketCount),
                    bucketMillis: span.bucketMillis,
                    retentionStart: retentionStart,
                    gaps: try await reader.gapMarks(streamID: info.id),
                    holds: try await holds(info),
                    openShards: shards.filter { $0.closedAt == nil }.count
                )
            )
        }
        return StatusSnapshot(takenAt: now, storageRoot: layout.root, streams: streams, verify: VerifyRecord.load(from: layout))
    }
}

/// The time axis of a chart: the archived records inside the retention window, in ``StatusSnapshot/bucketCount``
/// buckets of a round width (a second up to a week).
struct ChartSpan: Equatable {
    var start: Int64
    var bucketMillis: Int64

    static let widths: [Int64] = [
        1_000, 5_000, 15_000, 60_000, 300_000, 900_000, 3_600_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000, 604_800_000,
    ]

    init(minTime: Int64?, maxTime: Int64?, retentionStart: Int64, now: Int64) {
        let first = max(minTime ?? retentionStart, retentionStart)
        let last = max(maxTime ?? now, first)
        // One bucket of room: flooring the start may move it back by up to one bucket.
        let needed = (last - first) / Int64(StatusSnapshot.bucketCount - 1) + 1
        bucketMillis = Self.widths.first { $0 >= needed } ?? needed
        start = first - ((first % bucketMillis) + bucketMillis) % bucketMillis
    }
}
