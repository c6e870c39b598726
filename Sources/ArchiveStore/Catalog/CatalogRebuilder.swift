import Foundation
import GRDB
import StreamModel
import SystemPackage

/// Rebuilds `catalog.sqlite` from the segment files alone (`streamvault catalog rebuild`).
///
/// Segment and block header frames carry the stream, shard, record counts, sequence and time ranges and
/// format of every block; blocks are decompressed (checksums verified) to recover the eventIDs of
/// event-id shards. Checkpoints become the highest archived sequence number per shard. All segments but
/// the newest of each stream are sealed with their SHA-256; the newest stays open. The new catalog is
/// built beside the old one and renamed into place, so a failed rebuild changes nothing.
///
/// Retention settings and holds come back from the audit log (`audit.ndjson`), which the rebuild leaves as it is
/// and extends with a `catalog-rebuilt` entry.
///
/// Not recoverable from the files (say so to the user): gaps, shard parents and closed marks, stream
/// source details (ARN, region, table).
public struct CatalogRebuilder {
    /// Where a rebuild is, after each segment.
    public struct Progress: Sendable {
        public var stream: String
        public var segment: Int
        public var segments: Int
        public var records: Int
    }

    /// What a rebuild did.
    public struct Summary: Sendable {
        public var streams = 0
        public var segments = 0
        public var blocks = 0
        public var records = 0
        public var eventIDs = 0
        /// Damage found: data that could not be indexed (`streamvault verify` will name it too).
        public var problems: [String] = []
        /// Harmless findings, e.g. the torn tail of an interrupted write.
        public var notes: [String] = []
        /// Where the replaced catalog went (`--force`).
        public var previousCatalog: String?
    }

    public let layout: StorageLayout

    public init(layout: StorageLayout) {
        self.layout = layout
    }

    /// Rebuilds the catalog. With `force`, an existing catalog is moved aside (`catalog.sqlite.replaced-<time>`);
    /// without it, an existing catalog is an error.
    public func rebuild(force: Bool, now: Int64, progress: (Progress) -> Void = { _ in }) throws -> Summary {
        let streams = layout.streamsWithSegmentFiles()
        guard !streams.isEmpty else {
            throw ArchiveError(
                code: .invalidArgument,
                message: "No segment files under '\(layout.root)' (expected <stream>/segments/*.ndjson.zst): nothing to rebuild a catalog from."
            )
        }
        let catalogExists = FileIO.exists(layout.catalogPath)
        if catalogExists && !force {
            throw ArchiveError(
                code: .invalidArgument,
                message: "A catalog already exists at '\(layout.catalogPath)'. If it is lost or damaged, run again with --force: it is moved aside "
                    + "(not deleted) and a new one is built from the segment files."
            )
        }
        // No writer may run while the catalog is replaced under it.
        let locks = try streams.map { try WriterLock(path: layout.lockPath($0), stream: $0) }
        defer { withExtendedLifetime(locks) {} }

        let buildPath = layout.catalogPath + ".rebuilding"
        for suffix in ["", "-journal", "-wal", "-shm"] where FileIO.exists(buildPath + suffix) {
            guard unlink(buildPath + suffix) == 0 else { throw ArchiveError.io("Removing", path: buildPath + suffix, errno: errno) }
        }
        var summary = Summary()
        do {
            let queue = try DatabaseQueue(path: buildPath)
            let catalog = try Catalog(database: queue)
            let scanner = try SegmentScanner()
            for stream in streams {
                try rebuild(stream: stream, into: catalog, scanner: scanner, now: now, summary: &summary, progress: progress)
            }
            try restoreFromAuditLog(into: catalog, summary: &summary)
            _ = try queue.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") }
            try queue.close()
        } catch {
            for suffix in ["", "-journal", "-wal", "-shm"] { _ = unlink(buildPath + suffix) }
            throw error
        }
        if catalogExists {
            let aside = layout.catalogPath + ".replaced-" + ISO8601Stamp.compact(now)
            for suffix in ["", "-wal", "-shm"] where FileIO.exists(layout.catalogPath + suffix) {
                guard rename(layout.catalogPath + suffix, aside + suffix) == 0 else {
                    throw ArchiveError.io("Moving the old catalog aside to", path: aside + suffix, errno: errno)
                }
            }
            summary.previousCatalog = aside
        }
        guard rename(buildPath, layout.catalogPath) == 0 else {
            throw ArchiveError.io("Renaming \(buildPath) to", path: layout.catalogPath, errno: errno)
        }
        try FileIO.syncDirectory(layout.root)
        let log = AuditLog(layout: layout)
        if let rebuilt = try? Catalog(path: layout.catalogPath), let contents = try? AuditChain.read(log), contents.brokenLink == nil {
            try AuditBackfill.enterUnauditedSeals(log: log, catalog: rebuilt, streams: try rebuilt.streams(), entries: contents.entries, now: now)
        }
        try log.append(
            kind: .catalogRebuilt,
            stream: "",
            details: [
                "streams": .int(Int64(summary.streams)), "segments": .int(Int64(summary.segments)), "records": .int(Int64(summary.records)),
                "problems": .int(Int64(summary.problems.count)), "previous_catalog": .string(summary.previousCatalog ?? ""),
            ],
            now: now
        )
        return summary
    }

    /// Retention settings and holds live in the audit log, not in the segment files: restored from there.
    private func restoreFromAuditLog(into catalog: Catalog, summary: inout Summary) throws {
        let contents = try AuditChain.read(AuditLog(layout: layout))
        if let broken = contents.brokenLink {
            summary.problems.append("the audit log is damaged (\(broken)): retention settings and holds were not restored from it")
            return
        }
        let state = AuditedState(entries: contents.entries)
        for (name, days) in state.retentionDays {
            if let stream = try catalog.stream(named: name) { try catalog.setRetention(streamID: stream.id, days: days) }
        }
        try catalog.mirrorHolds(state.holds)
        if !state.holds.isEmpty || !state.retentionDays.isEmpty {
            summary.notes.append("restored from the audit log: \(state.holds.count) holds, \(state.retentionDays.count) retention settings")
        }
    }

    private struct SegmentFile {
        var name: String
        var created: Int64
    }

    private func rebuild(
        stream: String,
        into catalog: Catalog,
        scanner: SegmentScanner,
        now: Int64,
        summary: inout Summary,
        progress: (Progress) -> Void
    ) throws {
        // Creation order (the header's millisecond time, then the name) is commit order: block ids follow it.
        var files: [SegmentFile] = []
        for name in layout.segmentFileNames(stream) {
            let path = layout.segmentPath(stream: stream, fileName: name)
            guard CatalogLimits.isSegmentFileName(name) else {
                summary.problems.append("\(path): not a segment file name; left out")
                continue
            }
            guard let header = try Self.segmentHeader(path) else {
                summary.problems.append("\(path): no StreamVault segment header; left out")
                continue
            }
            guard header.stream == stream, header.file == name else {
                summary.problems.append("\(path): its header names stream '\(header.stream)', file '\(header.file)'; left out")
                continue
            }
            files.append(SegmentFile(name: name, created: ISO8601.parseMillis(header.created) ?? 0))
        }
        files.sort { ($0.created, $0.name) < ($1.created, $1.name) }
        guard let first = files.first else { return }
        summary.streams += 1

        try catalog.database.write { db in
            try db.execute(
                sql: "INSERT INTO streams (name, source, created_at) VALUES (?, ?, ?)",
                arguments: [stream, StreamSourceKind.file.rawValue, first.created]
            )
            let streamID = db.lastInsertedRowID
            var state = StreamState(streamID: streamID)
            for (index, file) in files.enumerated() {
                try rebuild(
                    segment: file,
                    isNewest: index == files.count - 1,
                    stream: stream,
                    state: &state,
                    db: db,
                    scanner: scanner,
                    now: now,
                    summary: &summary
                )
                progress(Progress(stream: stream, segment: index + 1, segments: files.count, records: state.records))
            }
            for shard in state.shards.values {
                try db.execute(
                    sql: "UPDATE shards SET checkpoint = ?, checkpoint_text = ?, record_count = ? WHERE id = ?",
                    arguments: [shard.highest?.padded, shard.highest?.text, shard.records, shard.rowID]
                )
            }
            try db.execute(
                sql: "UPDATE streams SET max_block_span_ms = ?, source = ? WHERE id = ?",
                arguments: [state.maxSpan, state.sawKinesis ? StreamSourceKind.kinesis.rawValue : StreamSourceKind.file.rawValue, streamID]
            )
            summary.records += state.records
        }
    }

    private struct ShardState {
        var rowID: Int64
        var dedupe: DedupeRule
        var records: Int64 = 0
        var highest: SequenceNumber?
    }

    private struct StreamState {
        var streamID: Int64
        var shards: [String: ShardState] = [:]
        var maxSpan: Int64 = 0
        var records = 0
        var sawKinesis = false
    }

    private func rebuild(
        segment file: SegmentFile,
        isNewest: Bool,
        stream: String,
        state: inout StreamState,
        db: Database,
        scanner: SegmentScanner,
        now: Int64,
        summary: inout Summary
    ) throws {
        let path = layout.segmentPath(stream: stream, fileName: file.name)
        try db.execute(
            sql: "INSERT INTO segments (stream_id, file_name, state, committed_bytes, created_at) VALUES (?, ?, 'open', 0, ?)",
            arguments: [state.streamID, file.name, file.created]
        )
        let segmentID = db.lastInsertedRowID
        let insertBlock = try db.cachedStatement(
            sql: """
                INSERT INTO blocks (stream_id, segment_id, shard_id, offset, length, record_count, raw_bytes, first_seq, last_seq,
                    min_time, max_time, format) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        )
        let insertEventIDKeys = try db.cachedStatement(sql: "INSERT INTO block_event_ids (block_id, keys) VALUES (?, ?)")
        var keys: [UInt8] = []
        let insertKeyFilter = try db.cachedStatement(sql: "INSERT INTO block_key_filters (block_id, filter) VALUES (?, ?)")
        var blocks = 0
        var records: Int64 = 0
        var raw: Int64 = 0
        var minTime: Int64?
        var maxTime: Int64?
        let outcome = try scanner.scan(path: path) { block in
            let h = block.header
            guard let firstSeq = SequenceNumber(h.firstSeq), let lastSeq = SequenceNumber(h.lastSeq), let format = RecordFormat(rawValue: h.format)
            else {
                return  // the scanner has checked these
            }
            var shard: ShardState
            if let known = state.shards[h.shard] {
                shard = known
            } else {
                // Event-id shards: the default shard (ingest without --shard) and Kinesis shards.
                let dedupe: DedupeRule = h.shard == ShardInfo.defaultShardID || format == .kinesisRecord ? .eventID : .sequence
                try db.execute(
                    sql: "INSERT INTO shards (stream_id, shard_id, dedupe, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [state.streamID, h.shard, dedupe.rawValue, file.created]
                )
                shard = ShardState(rowID: db.lastInsertedRowID, dedupe: dedupe)
            }
            try insertBlock.execute(arguments: [
                state.streamID, segmentID, shard.rowID, block.offset, block.length, h.count, h.rawBytes,
                firstSeq.padded, lastSeq.padded, h.minTime, h.maxTime, h.format,
            ])
            // The records are decompressed anyway: the rebuilt block gets its key filter back (history stays fast).
            let blockID = db.lastInsertedRowID
            if let filter = scanner.records.withUnsafeBufferPointer({ BlockKeyFilter.build(records: $0, count: h.count, format: format) }) {
                try insertKeyFilter.execute(arguments: [blockID, filter.withUnsafeBytes { Data($0) }])
            }
            if shard.dedupe == .eventID {
                keys.removeAll(keepingCapacity: true)
                summary.eventIDs += try Self.forEachEventID(scanner.records, format: format, block: "\(path) block at byte \(block.offset)") {
                    $0.append(to: &keys)
                }
                try insertEventIDKeys.execute(arguments: [blockID, Data(keys)])
            }
            shard.records += Int64(h.count)
            if shard.highest.map({ lastSeq.padded > $0.padded }) ?? true { shard.highest = lastSeq }
            state.shards[h.shard] = shard
            state.sawKinesis = state.sawKinesis || format == .kinesisRecord
            let (span, overflow) = h.maxTime.subtractingReportingOverflow(h.minTime)
            state.maxSpan = max(state.maxSpan, overflow ? Int64.max : span)
            blocks += 1
            records += Int64(h.count)
            raw += Int64(h.rawBytes)
            minTime = min(minTime ?? h.minTime, h.minTime)
            maxTime = max(maxTime ?? h.maxTime, h.maxTime)
        }
        if let problem = outcome.problem {
            let lost = outcome.fileBytes - outcome.intactBytes
            if isNewest {
                summary.notes.append(
                    "\(path): the last \(lost) bytes are not an intact block (\(problem)): the torn tail of an interrupted write, "
                        + "cut off when the stream is next written"
                )
            } else {
                summary.problems.append("\(path): \(lost) bytes from \(problem) are not indexed; restore this file from a backup")
            }
        }
        let sha = isNewest ? nil : try Self.sha256(path: path, length: outcome.intactBytes)
        try db.execute(
            sql: """
                UPDATE segments SET state = ?, committed_bytes = ?, block_count = ?, record_count = ?, raw_bytes = ?, min_time = ?, max_time = ?,
                    sha256 = ?, sealed_at = ? WHERE id = ?
                """,
            arguments: [
                isNewest ? "open" : "sealed", outcome.intactBytes, blocks, records, raw, minTime, maxTime, sha, isNewest ? nil : now, segmentID,
            ]
        )
        state.records += Int(records)
        summary.segments += 1
        summary.blocks += blocks
    }

    /// Calls `body` with the event-id key of each record of a block, as the writer keys event-id dedupe.
    /// - Returns: the number of records.
    static func forEachEventID(_ records: [UInt8], format: RecordFormat, block: String, _ body: (EventIDKey) throws -> Void) throws -> Int {
        var count = 0
        try records.withUnsafeBufferPointer { all in
            var start = 0
            while start < all.count {
                var end = start
                while end < all.count && all[end] != 0x0A { end += 1 }
                let line = UnsafeBufferPointer(rebasing: all[start..<end])
                count += 1
                let eventID: EventIDKey
                do throws(ShapeError) {
                    switch format {
                    case .kinesisRecord:
                        eventID = try KinesisRecordScanner.scan(line).eventID.withUnsafeBufferPointer { EventIDKey(eventID: $0) }
                    default:
                        var c = JSONCursor(UnsafeRawBufferPointer(line))
                        eventID = EventIDKey(jsonStringContent: UnsafeBufferPointer(rebasing: line[try ChangeRecordScanner.scanNative(&c).eventID]))
                    }
                } catch {
                    throw ArchiveError(
                        code: .segmentCorrupt,
                        message: "Record \(count) of the \(block) has no readable eventID (\(error)); its shard dedupes by eventID."
                    )
                }
                try body(eventID)
                start = end + 1
            }
        }
        return count
    }

    static func segmentHeader(_ path: String) throws -> SegmentHeader? {
        let file = try FileIO.open(path, .readOnly)
        defer { file.close() }
        var bytes: [UInt8] = []
        try file.read(count: min(try file.size(), 64 << 10), at: 0, into: &bytes)
        return bytes.withUnsafeBytes { raw in
            guard let frame = SkippableFrame.parse(raw), frame.magic == SkippableFrame.segmentMagic else { return nil }
            return try? JSONDecoder().decode(SegmentHeader.self, from: Data(raw[frame.payload]))
        }
    }

    static func sha256(path: String, length: Int64) throws -> String {
        let file = try FileIO.open(path, .readOnly)
        defer { file.close() }
        return try file.sha256(length: Int(length))
    }
}
