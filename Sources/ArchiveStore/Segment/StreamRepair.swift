import Foundation
import GRDB
public import StreamModel
import SystemPackage

/// `streamvault repair --stream S`: unblocks a stream whose open segment was truncated outside StreamVault.
///
/// Cuts the segment back to its last intact block, then in one catalog transaction removes the rows of the
/// blocks past the cut (their event-id keys go with them), recomputes the segment's and shards' counts and
/// checkpoints, gives the remaining blocks of affected event-id shards that predate catalog v6 key lists of their
/// own in place of the shard's migrated keys, and records each shard's loss as a gap. What was
/// lost is returned so the user is told.
public enum StreamRepair {
    /// Records of one shard that were lost.
    public struct Loss: Sendable, Equatable {
        public var shard: String
        public var blocks: Int
        public var records: Int64
        public var firstSequence: SequenceNumber
        public var lastSequence: SequenceNumber
    }

    /// What a repair did.
    public struct Outcome: Sendable {
        public var segmentPath: String
        /// `nil` when there was nothing to repair.
        public var cut: (fileBytes: Int64, committedBytes: Int64, cutTo: Int64)?
        public var losses: [Loss] = []
    }

    public static func repair(layout: StorageLayout, catalog: Catalog, streamName: String, now: Int64) throws -> Outcome {
        try StorageLayout.validateStreamName(streamName)
        let stream = try catalog.requireStream(streamName)
        let lock = try WriterLock(path: layout.lockPath(streamName), stream: streamName)
        defer { withExtendedLifetime(lock) {} }
        guard let segment = try catalog.openSegment(streamID: stream.id) else {
            return Outcome(segmentPath: layout.segmentsDirectory(streamName), cut: nil)
        }
        let path = layout.segmentPath(stream: streamName, fileName: segment.fileName)
        let file: FileIO
        if FileIO.exists(path) {
            file = try FileIO.open(path, .readWrite)
        } else {
            file = try FileIO.open(path, .readWrite, create: true)
        }
        defer { file.close() }
        let size = Int64(try file.size())
        guard size < segment.committedBytes else { return Outcome(segmentPath: path, cut: nil) }

        // The header frame first: without it the file is no segment. Rewrite it if it was cut.
        let header = SegmentHeader(stream: streamName, file: segment.fileName, created: ISO8601.format(millis: segment.createdAt))
        var headerBytes: [UInt8] = []
        SkippableFrame.append(magic: SkippableFrame.segmentMagic, payload: try SkippableFrame.encode(header), to: &headerBytes)
        var existingHead: [UInt8] = []
        let headerIntact: Bool
        if size >= Int64(SkippableFrame.headerSize) {
            try file.read(count: Int(min(size, 64 << 10)), at: 0, into: &existingHead)
            headerIntact = existingHead.withUnsafeBytes { bytes in
                SkippableFrame.parse(bytes).map { $0.magic == SkippableFrame.segmentMagic } ?? false
            }
        } else {
            headerIntact = false
        }

        // Keep blocks while they lie inside the file and read back intact.
        let reader = try BlockReader(layout: layout, catalog: catalog)
        let blocks = try catalog.blocks(segmentID: segment.id)
        var cut = headerIntact ? (blocks.first?.offset ?? segment.committedBytes) : Int64(headerBytes.count)
        var kept = 0
        if headerIntact {
            for block in blocks {
                guard block.offset == cut, block.offset + block.length <= size, (try? reader.read(block)) != nil else { break }
                cut = block.offset + block.length
                kept += 1
            }
        }
        let lost = Array(blocks[kept...])
        let shards = Dictionary(uniqueKeysWithValues: try catalog.shards(streamID: stream.id).map { ($0.rowID, $0) })
        var losses: [Int64: Loss] = [:]
        for block in lost {
            let name = shards[block.shardRowID]?.shardID ?? "?"
            var loss =
                losses[block.shardRowID] ?? Loss(shard: name, blocks: 0, records: 0, firstSequence: block.firstSeq, lastSequence: block.lastSeq)
            loss.blocks += 1
            loss.records += block.recordCount
            if block.firstSeq.padded < loss.firstSequence.padded { loss.firstSequence = block.firstSeq }
            if block.lastSeq.padded > loss.lastSequence.padded { loss.lastSequence = block.lastSeq }
            losses[block.shardRowID] = loss
        }

        // Keys migrated from before catalog v6 are not tied to blocks, so a lost block's cannot be told apart: the
        // remaining pre-v6 blocks get key lists of their own instead, read before the transaction (a write may not
        // read through the catalog). Newer blocks' keys go with their rows.
        var migratedShards: [Int64] = []
        var remainingKeys: [Int64: [UInt8]] = [:]
        for shardRowID in losses.keys where shards[shardRowID]?.dedupe == .eventID {
            guard try catalog.hasMigratedEventIDKeys(shardRowID: shardRowID) else { continue }
            migratedShards.append(shardRowID)
            let remaining = try catalog.blocks(shardRowID: shardRowID, sequenceFrom: nil, sequenceTo: nil).filter {
                !($0.segmentID == segment.id && $0.offset >= cut)
            }
            let withoutKeys = try catalog.blocksWithoutEventIDKeys(remaining.map(\.id))
            for block in remaining where withoutKeys.contains(block.id) {
                try reader.read(block)
                var keys: [UInt8] = []
                _ = try CatalogRebuilder.forEachEventID(reader.records, format: block.format, block: "block at byte \(block.offset)") {
                    $0.append(to: &keys)
                }
                remainingKeys[block.id] = keys
            }
        }

        // Audited before the catalog changes; if interrupted, the next repair finds the same damage and finishes it.
        try AuditLog(layout: layout).append(
            kind: .catalogRepaired,
            stream: streamName,
            details: [
                "file": .string(segment.fileName), "file_bytes": .int(size), "committed_bytes": .int(segment.committedBytes), "cut_to": .int(cut),
                "lost_blocks": .int(Int64(lost.count)), "lost_records": .int(losses.values.reduce(0) { $0 + $1.records }),
            ],
            now: now
        )
        try catalog.database.write { db in
            try db.execute(sql: "DELETE FROM blocks WHERE segment_id = ? AND offset >= ?", arguments: [segment.id, cut])
            // The lost blocks' migrated keys cannot be read, and must not make their records look archived.
            for shardRowID in migratedShards {
                try db.execute(sql: "DELETE FROM event_id_keys WHERE shard_id = ?", arguments: [shardRowID])
            }
            let insertKeys = try db.cachedStatement(sql: "INSERT INTO block_event_ids (block_id, keys) VALUES (?, ?)")
            for (blockID, keys) in remainingKeys { try insertKeys.execute(arguments: [blockID, Data(keys)]) }
            try db.execute(
                sql: """
                    UPDATE segments SET committed_bytes = ?2,
                        block_count = (SELECT count(*) FROM blocks WHERE segment_id = ?1),
                        record_count = (SELECT coalesce(sum(record_count), 0) FROM blocks WHERE segment_id = ?1),
                        raw_bytes = (SELECT coalesce(sum(raw_bytes), 0) FROM blocks WHERE segment_id = ?1),
                        min_time = (SELECT min(min_time) FROM blocks WHERE segment_id = ?1),
                        max_time = (SELECT max(max_time) FROM blocks WHERE segment_id = ?1)
                    WHERE id = ?1
                    """,
                arguments: [segment.id, cut]
            )
            for (shardRowID, loss) in losses.sorted(by: { $0.key < $1.key }) {
                let highest = try String.fetchOne(db, sql: "SELECT max(last_seq) FROM blocks WHERE shard_id = ?", arguments: [shardRowID])
                    .flatMap { SequenceNumber(padded: $0) }
                try db.execute(
                    sql: """
                        UPDATE shards SET record_count = (SELECT coalesce(sum(record_count), 0) FROM blocks WHERE shard_id = ?1),
                            checkpoint = ?2, checkpoint_text = ?3 WHERE id = ?1
                        """,
                    arguments: [shardRowID, highest?.padded, highest?.text]
                )
                let reason =
                    "repair: \(loss.records) records (sequence \(loss.firstSequence.text)..\(loss.lastSequence.text), \(loss.blocks) blocks) lost: "
                    + "segment \(segment.fileName) was truncated outside StreamVault to \(size) bytes of \(segment.committedBytes) and cut back to \(cut)"
                try db.execute(
                    sql: "INSERT INTO gaps (stream_id, shard_id, after_seq, detected_at, reason) VALUES (?, ?, ?, ?, ?)",
                    arguments: [stream.id, shardRowID, highest?.padded, now, reason]
                )
            }
        }
        // Catalog first: if this is interrupted, the writer's recovery cuts the file to the new committed length.
        if headerIntact {
            try file.truncate(to: Int(cut))
        } else {
            try file.truncate(to: 0)
            try headerBytes.withUnsafeBytes { (raw) throws in try file.write(raw, at: 0) }
        }
        try file.sync()
        try FileIO.syncDirectory(layout.segmentsDirectory(streamName))
        return Outcome(
            segmentPath: path,
            cut: (size, segment.committedBytes, cut),
            losses: losses.sorted(by: { $0.key < $1.key }).map(\.value)
        )
    }
}
