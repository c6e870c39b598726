import Foundation
public import Logging
public import StreamModel
import SystemPackage

/// Appends one stream's records to its segments with the commit protocol of DESIGN.md:
/// append blocks → fsync the segment → one catalog transaction (block rows + shard checkpoints).
///
/// A record is acknowledged only when ``commit()`` returns. Duplicates are dropped on the way in: by sequence
/// number on ordered shards, by eventID on ``DedupeRule/eventID`` shards. Opening a writer takes the
/// stream's writer lock and repairs a torn tail left by a crash.
///
/// Not thread-safe: one writer is driven by one task at a time.
public final class StreamWriter {
    public let stream: StreamInfo
    public let layout: StorageLayout
    public let catalog: Catalog
    public let configuration: WriterConfiguration
    let clock: WallClock
    var logger: Logger
    private let lock: WriterLock
    private let compressor: BlockCompressor
    /// The archive's audit log: seals, deletions and gaps are entered before the catalog records them.
    public let audit: AuditLog

    private var shards: [String: ShardBuffer] = [:]
    /// The shard the last record went to (shards are never closed on a writer, so it stays valid).
    private var lastShard: ShardBuffer?
    private var segment: SegmentInfo?
    private var segmentFile: FileIO?

    // Encoded blocks waiting for the next fsync + transaction.
    private var pendingBytes: [UInt8] = []
    private var pendingBlocks: [BlockCommit.NewBlock] = []
    private var pendingCheckpoints: [Int64: SequenceNumber] = [:]
    private var pendingRawBytes = 0
    private var pendingRecordCount = 0
    private var bufferedRawBytes = 0
    /// Reads archived blocks back to confirm duplicates below an ordered shard's position.
    private var duplicateReader: BlockReader?

    /// The bound on the event-id shards' keys in memory, shared by the shards.
    private let eventIDMemoryBudget: EventIDMemory
    /// What the event-id shards' keys take in memory, and how often buckets were loaded and evicted.
    public var eventIDMemory: EventIDMemoryStatistics { eventIDMemoryBudget.statistics }

    /// Totals since the writer was opened.
    public private(set) var statistics = Statistics()

    /// Counts kept by a writer.
    public struct Statistics: Sendable, Equatable {
        public var committedRecords = 0
        public var committedRawBytes = 0
        public var committedStoredBytes = 0
        public var duplicates = 0
        public var commits = 0
    }

    /// Opens the writer for `streamName`, creating the stream if needed (`arn`, `region`, `tableName` and
    /// `viewType` describe its source in the catalog; each is recorded only if still unknown).
    /// - Throws: ``ArchiveError`` with code `locked` if another process writes this stream.
    public init(
        layout: StorageLayout,
        catalog: Catalog,
        streamName: String,
        source: StreamSourceKind = .file,
        arn: String? = nil,
        region: String? = nil,
        tableName: String? = nil,
        viewType: String? = nil,
        configuration: WriterConfiguration = .init(),
        clock: WallClock = .system,
        logger: Logger = Logger(label: "streamvault.writer")
    ) throws {
        try StorageLayout.validateStreamName(streamName)
        try FileIO.makeDirectories(layout.segmentsDirectory(streamName))
        self.lock = try WriterLock(path: layout.lockPath(streamName), stream: streamName)
        self.layout = layout
        self.catalog = catalog
        self.audit = AuditLog(layout: layout)
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.logger[metadataKey: "sv.stream"] = "\(streamName)"
        self.eventIDMemoryBudget = EventIDMemory(limit: configuration.eventIDMemoryBytes)
        self.compressor = try BlockCompressor(level: configuration.compressionLevel, keyFilters: configuration.keyFilters)
        // Segment files of a stream the catalog does not know: its catalog was lost or replaced. Writing
        // now would start a second history beside them that replay could never join.
        if try catalog.stream(named: streamName) == nil, let orphan = layout.segmentFileNames(streamName).first {
            throw ArchiveError(
                code: .catalogMissing,
                message:
                    "Stream '\(streamName)' has segment files (e.g. '\(layout.segmentPath(stream: streamName, fileName: orphan))') that the catalog "
                    + "does not know: the catalog was lost or replaced. Run `streamvault catalog rebuild --force` to rebuild it from the segment files "
                    + "(the current catalog is kept aside), or restore catalog.sqlite from a backup (docs/OPERATIONS.md)."
            )
        }
        self.stream = try catalog.ensureStream(
            streamName,
            source: source,
            arn: arn,
            region: region,
            tableName: tableName,
            viewType: viewType,
            now: clock.nowMillis()
        )
        let auditEntries = try AuditChain.read(audit).entries.filter { $0.stream == streamName }
        try recoverOpenSegment(auditEntries: auditEntries)
        try finishInterruptedDeletions(auditEntries: auditEntries)
        try auditUnrecordedSeals(auditEntries: auditEntries)
    }

    deinit {
        segmentFile?.close()
    }

    // MARK: Shards

    /// Prepares `shardID` for appends (creating it in the catalog) and returns its current checkpoint.
    @discardableResult
    public func openShard(
        _ shardID: String,
        parentShardID: String? = nil,
        adjacentParentShardID: String? = nil,
        dedupe: DedupeRule
    ) throws -> ShardInfo {
        if let existing = shards[shardID] {
            try Self.requireSameRule(existing.info, dedupe, stream: stream.name)
            return existing.info
        }
        let info = try catalog.ensureShard(
            streamID: stream.id,
            shardID: shardID,
            parentShardID: parentShardID,
            adjacentParentShardID: adjacentParentShardID,
            dedupe: dedupe,
            now: clock.nowMillis()
        )
        try Self.requireSameRule(info, dedupe, stream: stream.name)
        shards[shardID] = ShardBuffer(info: info)
        return info
    }

    /// A shard's duplicates rule never changes: records judged by the other rule would be dropped wrongly.
    private static func requireSameRule(_ info: ShardInfo, _ dedupe: DedupeRule, stream: String) throws {
        guard info.dedupe != dedupe else { return }
        let how: String
        switch info.dedupe {
        case .eventID: how = "records in any order, one copy per eventID (what ingest without --shard writes)"
        case .sequence: how = "one shard's log in sequence order"
        }
        throw ArchiveError(
            code: .invalidArgument,
            message: "Shard '\(info.shardID)' of stream '\(stream)' recognises duplicates by '\(info.dedupe.rawValue)' (\(how)); it cannot take "
                + "records by the '\(dedupe.rawValue)' rule, which would skip records wrongly as duplicates. Send them to a shard of their own: "
                + "a different --shard ID, or no --shard for the stream's event-id shard '\(ShardInfo.defaultShardID)'."
        )
    }

    /// The outcome of offering one record.
    public enum AppendResult: Sendable, Equatable {
        /// Buffered; durable after the next ``commit()``.
        case accepted
        /// Already archived (or already accepted in this session): dropped.
        case duplicate
    }

    /// Offers one record of `shardID` (opened with ``openShard(_:parentShardID:adjacentParentShardID:dedupe:)``).
    ///
    /// - Parameters:
    ///   - record: the record's JSON text on one line (``JSONCompactor`` makes it so).
    ///   - sequence: range of the sequence number's digits within `record`.
    ///   - eventID: range of the eventID within `record` (needed on event-id shards).
    ///   - eventTime: event time in epoch milliseconds.
    ///   - format: the record's shape; a block holds one shape.
    public func append(
        _ record: UnsafeBufferPointer<UInt8>,
        shard shardID: String,
        sequence: Range<Int>,
        eventID: Range<Int>?,
        eventTime: Int64,
        format: RecordFormat
    ) throws -> AppendResult {
        try append(record, shard: shardID, sequence: sequence, eventID: eventID, eventTime: eventTime, format: format, isOneLine: false)
    }

    /// ``append(_:shard:sequence:eventID:eventTime:format:)`` for a caller that has checked the record is one line.
    func append(
        _ record: UnsafeBufferPointer<UInt8>,
        shard shardID: String,
        sequence: Range<Int>,
        eventID: Range<Int>?,
        eventTime: Int64,
        format: RecordFormat,
        isOneLine: Bool
    ) throws -> AppendResult {
        func append(eventIDBytes id: UnsafeBufferPointer<UInt8>?) throws -> AppendResult {
            try self.append(record, shard: shardID, sequence: sequence, eventIDBytes: id, eventTime: eventTime, format: format, isOneLine: isOneLine)
        }
        guard let eventID else { return try append(eventIDBytes: nil) }
        // The text may spell the id with escapes (`\u0041` is `A`); the bytes variant takes it decoded.
        let raw = UnsafeBufferPointer(rebasing: record[eventID])
        guard raw.contains(UInt8(ascii: "\\")) else { return try append(eventIDBytes: raw) }
        return try Self.decodedEventID(raw).withUnsafeBufferPointer { try append(eventIDBytes: $0) }
    }

    /// Offers one record whose eventID is not in its own text (a Kinesis record carries it inside its base64 `Data`).
    /// - Parameter eventIDBytes: the eventID's bytes (needed on event-id shards); the other parameters as above.
    public func append(
        _ record: UnsafeBufferPointer<UInt8>,
        shard shardID: String,
        sequence: Range<Int>,
        eventIDBytes eventID: UnsafeBufferPointer<UInt8>?,
        eventTime: Int64,
        format: RecordFormat
    ) throws -> AppendResult {
        try append(record, shard: shardID, sequence: sequence, eventIDBytes: eventID, eventTime: eventTime, format: format, isOneLine: false)
    }

    private func append(
        _ record: UnsafeBufferPointer<UInt8>,
        shard shardID: String,
        sequence: Range<Int>,
        eventIDBytes eventID: UnsafeBufferPointer<UInt8>?,
        eventTime: Int64,
        format: RecordFormat,
        isOneLine: Bool
    ) throws -> AppendResult {
        guard isOneLine || !JSONCompactor.containsLineBreak(record) else {
            throw ArchiveError(code: .invalidArgument, message: "A record must be one line of JSON; compact it first (JSONCompactor).")
        }
        let shard: ShardBuffer
        if let last = lastShard, last.info.shardID == shardID {
            shard = last  // runs of one shard's records (every ingest with --shard) skip hashing its id
        } else {
            guard let found = shards[shardID] else {
                throw ArchiveError(code: .unknownShard, message: "Shard '\(shardID)' was not opened on this writer (programming error).")
            }
            shard = found
            lastShard = found
        }
        let seq = UnsafeBufferPointer(rebasing: record[sequence])
        var key: EventIDKey?
        switch shard.info.dedupe {
        case .sequence:
            if !shard.highWater.isEmpty && SequenceNumber.compareDigits(seq, shard.highWater) <= 0 {
                try requireArchived(seq, of: shard)
                statistics.duplicates += 1
                return .duplicate
            }
            shard.highWater.removeAll(keepingCapacity: true)
            shard.highWater.append(contentsOf: seq)
        case .eventID:
            guard let eventID else {
                throw ArchiveError(
                    code: .invalidInput,
                    message: "A record for shard '\(shardID)' has no eventID; it is needed to recognise duplicates."
                )
            }
            // The position advances even past a duplicate, so a restart does not read it again.
            if shard.highWater.isEmpty || SequenceNumber.compareDigits(seq, shard.highWater) > 0 {
                shard.highWater.removeAll(keepingCapacity: true)
                shard.highWater.append(contentsOf: seq)
            }
            let id = EventIDKey(eventID: eventID)
            guard try eventIDs(of: shard).insert(id, time: eventTime) else {
                statistics.duplicates += 1
                return .duplicate
            }
            key = id
        }
        if !shard.isEmpty && shard.format != format {
            do {
                try finishBlock(shard)
            } catch {
                if let key { shard.eventIDs?.remove(key, time: eventTime) }  // not accepted: offering it again must not look like a duplicate
                throw error
            }
        }
        shard.format = format
        shard.add(record, sequence: sequence, eventTime: eventTime, eventIDKey: key)
        bufferedRawBytes += record.count + 1
        if shard.records.count >= configuration.blockBytes { try finishBlock(shard) }
        if pendingRawBytes + bufferedRawBytes >= configuration.commitBytes { try commit() }
        return .accepted
    }

    /// An eventID's value: `"\u0041"` and `"A"` are the same id. Escapes are rare, so only they pay for decoding.
    static func decodedEventID(_ raw: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        guard let base = raw.baseAddress, memchr(base, Int32(UInt8(ascii: "\\")), raw.count) != nil else { return Array(raw) }
        return JSONCursor(UnsafeRawBufferPointer(raw)).unescaped(0..<raw.count)
    }

    /// An event-id shard's keys in memory (made on first use; buckets load as records need them).
    @inline(__always)
    private func eventIDs(of shard: ShardBuffer) -> EventIDBuckets {
        if let buckets = shard.eventIDs { return buckets }
        let buckets = EventIDBuckets(shardRowID: shard.info.rowID, catalog: catalog, memory: eventIDMemoryBudget)
        shard.eventIDs = buckets
        return buckets
    }

    /// Retention deleted these records (and their keys in the catalog): a copy offered again is new again. The
    /// shards' loaded keys are dropped; what is left is read again from the catalog when needed.
    func forgetEventIDKeys(_ keys: [Int64: [EventIDKey]]) {
        for shard in shards.values where keys[shard.info.rowID] != nil { shard.eventIDs?.dropLoaded() }
    }

    /// A record at or below an ordered shard's position is a duplicate only if a block of the shard holds it
    /// (the open block, or an archived one). Anything else proves the input is not the shard's log in order.
    private func requireArchived(_ seq: UnsafeBufferPointer<UInt8>, of shard: ShardBuffer) throws {
        if !shard.isEmpty && SequenceNumber.compareDigits(seq, shard.firstSeq) >= 0 {
            if shard.holdsSequence(seq) { return }
            throw notInShardLog(seq, shard)
        }
        if let known = shard.checkedBlock, SequenceNumber.compareDigits(seq, known.first) >= 0, SequenceNumber.compareDigits(seq, known.last) <= 0 {
            if ShardBuffer.sortedDigits(known.sequences, contain: seq) { return }
            throw notInShardLog(seq, shard)
        }
        guard let sequence = SequenceNumber(String(decoding: seq, as: UTF8.self)) else { throw notInShardLog(seq, shard) }
        // Blocks accepted this run but not committed are not in the catalog yet: commit them first (rare path).
        if pendingRecordCount > 0 { try commit() }
        guard let block = try catalog.blocks(shardRowID: shard.info.rowID, sequenceFrom: sequence, sequenceTo: sequence).first else {
            throw notInShardLog(seq, shard)
        }
        let reader = try blockReader()
        try reader.read(block)
        var sequences: [[UInt8]] = []
        sequences.reserveCapacity(Int(clamping: block.recordCount))
        reader.forEachRecord { record in
            var c = JSONCursor(UnsafeRawBufferPointer(record))
            guard let found = ChangeRecordScanner.locateNative(&c)?.sequence else { return }
            sequences.append(Array(record[found]))
        }
        sequences.sort { SequenceNumber.compareDigits($0, $1) < 0 }
        shard.checkedBlock = (Array(block.firstSeq.text.utf8), Array(block.lastSeq.text.utf8), sequences)
        guard ShardBuffer.sortedDigits(sequences, contain: seq) else { throw notInShardLog(seq, shard) }
    }

    private func notInShardLog(_ seq: UnsafeBufferPointer<UInt8>, _ shard: ShardBuffer) -> ArchiveError {
        ArchiveError(
            code: .invalidInput,
            message: "Sequence number \(String(decoding: seq, as: UTF8.self)) is at or below shard '\(shard.info.shardID)''s position "
                + "\(String(decoding: shard.highWater, as: UTF8.self)), but no block of the shard holds it: the records are not that shard's log in sequence order."
        )
    }

    private func blockReader() throws -> BlockReader {
        if let reader = duplicateReader { return reader }
        let reader = try BlockReader(layout: layout, catalog: catalog)
        duplicateReader = reader
        return reader
    }

    /// Records the archive will hold once ``commit()`` returns.
    public var uncommittedRecords: Int {
        pendingRecordCount + shards.values.reduce(0) { $0 + $1.count }
    }

    // MARK: Commit

    /// Makes everything appended so far durable: blocks fsynced, then one catalog transaction.
    @discardableResult
    public func commit() throws -> Int {
        for shard in shards.values.sorted(by: { $0.info.rowID < $1.info.rowID }) where !shard.isEmpty {
            try finishBlock(shard)
        }
        for block in try compressor.drain() {
            pendingBlocks.append(
                .init(
                    shardRowID: block.shardRowID,
                    offset: Int64(pendingBytes.count),
                    length: Int64(block.bytes.count),
                    header: block.header,
                    keyFilter: block.keyFilter,
                    eventIDKeys: block.eventIDKeys
                )
            )
            pendingBytes.append(contentsOf: block.bytes)
        }
        // Shards whose position moved past records that were all duplicates still get their checkpoint saved.
        for shard in shards.values where shard.highWater != shard.committedHighWater && pendingCheckpoints[shard.info.rowID] == nil {
            if let high = SequenceNumber(String(decoding: shard.highWater, as: UTF8.self)) { pendingCheckpoints[shard.info.rowID] = high }
        }
        guard !pendingBlocks.isEmpty else {
            if !pendingCheckpoints.isEmpty {
                try catalog.advanceCheckpoints(pendingCheckpoints)
                markCheckpointsCommitted()
            }
            if configuration.sealIdleSegments, let segment, segment.blockCount > 0, isTooOld(segment) { try sealCurrentSegment() }
            return 0
        }
        try rollSegmentIfDue(adding: pendingBytes.count)
        guard let segment, let file = segmentFile else { preconditionFailure("rollSegmentIfDue leaves an open segment") }
        let base = Int(segment.committedBytes)
        try pendingBytes.withUnsafeBytes { (bytes) throws in try file.write(bytes, at: base) }
        try file.sync()
        CrashPoint.reach("commit.after-fsync")
        var commit = BlockCommit(streamID: stream.id, segmentID: segment.id, committedBytes: Int64(base + pendingBytes.count))
        commit.blocks = pendingBlocks.map { block in
            var block = block
            block.offset += Int64(base)
            return block
        }
        commit.checkpoints = pendingCheckpoints
        try catalog.commit(commit)

        let records = pendingBlocks.reduce(0) { $0 + $1.header.count }
        self.segment?.committedBytes = commit.committedBytes
        self.segment?.blockCount += Int64(pendingBlocks.count)
        statistics.committedRecords += records
        statistics.committedRawBytes += pendingRawBytes
        statistics.committedStoredBytes += pendingBytes.count
        statistics.commits += 1
        markCheckpointsCommitted()
        markEventIDsCommitted()
        pendingBytes.removeAll(keepingCapacity: true)
        pendingBlocks.removeAll(keepingCapacity: true)
        pendingRawBytes = 0
        pendingRecordCount = 0
        return records
    }

    /// After a commit: every accepted key is in the catalog, where a bucket loaded later finds it.
    private func markEventIDsCommitted() {
        for shard in shards.values { shard.eventIDs?.committed() }
    }

    private func markCheckpointsCommitted() {
        for shard in shards.values {
            guard let seq = pendingCheckpoints[shard.info.rowID] else { continue }
            shard.committedHighWater = Array(seq.text.utf8)
        }
        pendingCheckpoints.removeAll(keepingCapacity: true)
    }

    /// Commits, then seals the open segment (its SHA-256 goes into the catalog).
    public func sealOpenSegment() throws {
        try commit()
        try sealCurrentSegment()
    }

    /// Turns a shard's open block into an encoded block waiting for commit.
    private func finishBlock(_ shard: ShardBuffer) throws {
        let header = BlockHeader(
            shard: shard.info.shardID,
            count: shard.count,
            firstSeq: String(decoding: shard.firstSeq, as: UTF8.self),
            lastSeq: String(decoding: shard.lastSeq, as: UTF8.self),
            minTime: shard.minTime,
            maxTime: shard.maxTime,
            format: shard.format,
            rawBytes: shard.records.count
        )
        var records = compressor.recordBuffer(capacity: configuration.blockBytes + (64 << 10))
        swap(&records, &shard.records)
        var eventIDKeys: [UInt8]?
        if shard.info.dedupe == .eventID {
            eventIDKeys = shard.eventIDKeys
            shard.eventIDKeys = []
            shard.eventIDKeys.reserveCapacity(eventIDKeys?.count ?? 0)
        }
        try compressor.submit(records: consume records, header: header, shardRowID: shard.info.rowID, eventIDKeys: eventIDKeys)
        pendingRecordCount += header.count
        if let high = SequenceNumber(String(decoding: shard.highWater, as: UTF8.self)) { pendingCheckpoints[shard.info.rowID] = high }
        pendingRawBytes += header.rawBytes
        bufferedRawBytes -= header.rawBytes
        shard.reset()
    }

    // MARK: Segments

    /// Repairs the open segment after a crash: cuts bytes past the last committed block, recreates a file
    /// that never got past its creation, removes temp files.
    private func recoverOpenSegment(auditEntries: [AuditEntry]) throws {
        let directory = layout.segmentsDirectory(stream.name)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasSuffix(".tmp") {
            try? FileManager.default.removeItem(atPath: directory + "/" + name)
        }
        guard let open = try catalog.openSegment(streamID: stream.id) else { return }
        let path = layout.segmentPath(stream: stream.name, fileName: open.fileName)
        if !FileIO.exists(path) {
            guard open.blockCount == 0 else {
                throw ArchiveError(
                    code: .catalogMismatch,
                    message:
                        "Segment file '\(path)' is missing but the catalog lists \(open.blockCount) blocks in it. Restore it from a backup, or run "
                        + "`streamvault repair --stream \(stream.name)` to start it again empty (its records are lost; repair records them as a gap); "
                        + "`streamvault verify` lists every damaged segment."
                )
            }
            try FileIO.writeAtomically(try segmentHeaderBytes(fileName: open.fileName), to: path)
        }
        let file = try FileIO.open(path, .readWrite)
        let size = try file.size()
        if size > open.committedBytes {
            logger.debug(
                "Cutting bytes of an interrupted write off the open segment",
                metadata: ["sv.segment": "\(open.fileName)", "sv.bytes": "\(size - Int(open.committedBytes))"]
            )
            try file.truncate(to: Int(open.committedBytes))
            try file.sync()
        } else if size < open.committedBytes {
            file.close()
            throw ArchiveError(
                code: .segmentCorrupt,
                message:
                    "Segment '\(path)' is \(size) bytes but the catalog has committed \(open.committedBytes): the file was truncated outside "
                    + "StreamVault, and the stream cannot be written until that is resolved. Restore the file from a backup, or run "
                    + "`streamvault repair --stream \(stream.name)` to cut it back to its last intact block (the records after it are lost; "
                    + "repair records them as a gap and says which)."
            )
        }
        segment = open
        segmentFile = file
        // The seal was audited, then the process died before the catalog recorded it: finish it.
        if let sealed = auditEntries.last(where: { $0.kind == .segmentSealed && $0.string("file") == open.fileName }) {
            let digest = try file.sha256(length: Int(open.committedBytes))
            guard digest == sealed.string("sha256"), sealed.int("bytes") == open.committedBytes else {
                throw ArchiveError(
                    code: .segmentCorrupt,
                    message: "Audit entry \(sealed.sequence) sealed segment '\(path)' with SHA-256 \(sealed.string("sha256")) over "
                        + "\(sealed.int("bytes") ?? 0) bytes, but its \(open.committedBytes) committed bytes hash to \(digest): the file changed after "
                        + "it was sealed. Restore it from a backup (`streamvault verify` lists every damaged segment)."
                )
            }
            logger.debug("Finishing a seal the audit log records", metadata: ["sv.segment": "\(open.fileName)"])
            try catalog.sealSegment(id: open.id, sha256: digest, now: sealed.time)
            file.close()
            segment = nil
            segmentFile = nil
        }
    }

    /// Sealed segments with no audit entry (sealed before the audit log existed): entered now, marked `backfilled`.
    private func auditUnrecordedSeals(auditEntries: [AuditEntry]) throws {
        try AuditBackfill.enterUnauditedSeals(log: audit, catalog: catalog, streams: [stream], entries: auditEntries, now: clock.nowMillis())
    }

    /// What a seal entry records: enough to check the file without the catalog.
    static func sealDetails(_ segment: SegmentInfo, sha256: String) -> [String: AuditValue] {
        [
            "file": .string(segment.fileName),
            "sha256": .string(sha256),
            "bytes": .int(segment.committedBytes),
            "blocks": .int(segment.blockCount),
            "records": .int(segment.recordCount),
            "min_time": .string(segment.minTime.map { ISO8601.format(millis: $0) } ?? ""),
            "max_time": .string(segment.maxTime.map { ISO8601.format(millis: $0) } ?? ""),
        ]
    }

    private func rollSegmentIfDue(adding bytes: Int) throws {
        if let segment {
            let tooBig = segment.committedBytes + Int64(bytes) > Int64(configuration.maxSegmentBytes)
            guard segment.blockCount > 0 && (tooBig || isTooOld(segment)) else { return }
            try sealCurrentSegment()
        }
        try createSegment()
    }

    private func isTooOld(_ segment: SegmentInfo) -> Bool {
        let age = configuration.maxSegmentAge.components
        return clock.nowMillis() - segment.createdAt >= age.seconds * 1000 + age.attoseconds / 1_000_000_000_000_000
    }

    /// Seals the open segment if it holds records, all older than `cutoff`, and nothing waits for commit: an idle
    /// stream's last segment would otherwise outlive its retention forever.
    func sealOpenSegmentIfExpired(cutoff: Int64) throws {
        guard let open = segment, uncommittedRecords == 0, pendingBlocks.isEmpty else { return }
        guard let current = try catalog.segment(id: open.id), current.blockCount > 0, let maxTime = current.maxTime, maxTime < cutoff else { return }
        try sealCurrentSegment()
    }

    private func sealCurrentSegment() throws {
        guard let segment, let file = segmentFile else { return }
        guard segment.blockCount > 0 else { return }
        let digest = try file.sha256(length: Int(segment.committedBytes))
        let now = clock.nowMillis()
        // Audited first: a crash before the catalog update is finished by the next open (recoverOpenSegment).
        let current = try catalog.segment(id: segment.id) ?? segment
        try audit.append(kind: .segmentSealed, stream: stream.name, details: Self.sealDetails(current, sha256: digest), now: now)
        CrashPoint.reach("seal.after-audit")
        try catalog.sealSegment(id: segment.id, sha256: digest, now: now)
        logger.debug("Sealed segment", metadata: ["sv.segment": "\(segment.fileName)", "sv.sha256": "\(digest)"])
        file.close()
        self.segment = nil
        self.segmentFile = nil
    }

    private func createSegment() throws {
        guard segment == nil else { return }
        let now = clock.nowMillis()
        let fileName = Self.segmentFileName(now: now, nodeID: configuration.nodeID)
        let header = try segmentHeaderBytes(fileName: fileName)
        // Row first: a crash before the file exists leaves an empty open segment that recovery recreates.
        let info = try catalog.createSegment(streamID: stream.id, fileName: fileName, committedBytes: Int64(header.count), now: now)
        let path = layout.segmentPath(stream: stream.name, fileName: fileName)
        try FileIO.writeAtomically(header, to: path)
        segment = info
        segmentFile = try FileIO.open(path, .readWrite)
    }

    private func segmentHeaderBytes(fileName: String) throws -> [UInt8] {
        let header = SegmentHeader(stream: stream.name, file: fileName, created: ISO8601.format(millis: clock.nowMillis()))
        var bytes: [UInt8] = []
        SkippableFrame.append(magic: SkippableFrame.segmentMagic, payload: try SkippableFrame.encode(header), to: &bytes)
        return bytes
    }

    /// `20261123T184000Z-1a2b3c4d.ndjson.zst`, or `20261123T184000Z-<node>-1a2b3c4d.ndjson.zst` with a node id:
    /// sortable by creation, unique without coordination (across nodes sharing a bucket too).
    static func segmentFileName(now: Int64, nodeID: String? = nil) -> String {
        let random = String(UInt32.random(in: .min ... .max), radix: 16).leftPadded(to: 8)
        return "\(ISO8601Stamp.compact(now))-\(nodeID.map { $0 + "-" } ?? "")\(random).ndjson.zst"
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
