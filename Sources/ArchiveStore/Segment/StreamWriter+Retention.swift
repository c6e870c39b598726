import Foundation
import Logging
public import StreamModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Retention under the stream's writer lock: whole sealed segments whose records are all older than the cutoff
/// and that no hold overlaps are deleted, each with an audit entry.
///
/// Order (docs/AUDIT.md): mark the deletion in the catalog → audit entry → catalog rows (blocks, segment,
/// event ids) in one transaction → unlink the file → clear the mark. Opening the stream's writer finishes a
/// deletion a crash interrupted: with its audit entry written, the rest is done; without it, nothing was deleted
/// and the mark is dropped. So a crash leaves neither a row without its file nor a file without its row.
extension StreamWriter {
    /// Deletes (or, `dryRun`, lists) the stream's expired segments as of `now` (epoch ms).
    /// - Throws: ``ArchiveError`` `auditLogDamaged` when the audit log's chain is broken: the holds it records
    ///   cannot be trusted, so nothing is deleted.
    public func prune(now: Int64, dryRun: Bool = false) throws -> PruneReport {
        var report = PruneReport(stream: stream.name, retentionDays: RetentionPlan.defaultDays)
        var done = Set<String>()
        while true {
            let (state, head) = try auditedState()
            let days = try state.retentionDays[stream.name] ?? (catalog.stream(id: stream.id)?.retentionDays ?? RetentionPlan.defaultDays)
            report.retentionDays = days
            guard let cutoff = RetentionPlan.cutoff(days: days, now: now) else { return report }
            report.cutoff = cutoff
            if !dryRun { try sealOpenSegmentIfExpired(cutoff: cutoff) }
            let holds = state.holds.filter { $0.stream == stream.name }
            let decisions = RetentionPlan.decide(segments: try catalog.segments(streamID: stream.id), holds: holds, cutoff: cutoff)
            report.held = decisions.compactMap { decision -> (segment: SegmentInfo, holds: [Int64])? in
                if case .held(let segment, let ids) = decision { return (segment, ids) }
                return nil
            }
            let expired = decisions.compactMap { decision -> SegmentInfo? in
                if case .delete(let segment) = decision, !done.contains(segment.fileName) { return segment }
                return nil
            }
            if dryRun {
                report.deleted = expired
                return report
            }
            var expectedHead = head
            var overtaken = false
            for segment in expired {
                try catalog.markDeletion(streamID: stream.id, fileName: segment.fileName, cutoff: cutoff, now: now)
                CrashPoint.reach("prune.after-mark")
                var details = Self.sealDetails(segment, sha256: segment.sha256 ?? "")
                details["cutoff"] = .string(ISO8601.format(millis: cutoff))
                details["retention_days"] = .int(Int64(days))
                details["holds_checked"] = .int(Int64(holds.count))
                details["holds_overlapping"] = 0
                guard let entry = try audit.append(kind: .segmentDeleted, stream: stream.name, details: details, now: now, ifHeadIs: expectedHead)
                else {
                    // Something was audited since the holds were read (perhaps a new hold): decide again.
                    try catalog.clearDeletion(streamID: stream.id, fileName: segment.fileName)
                    overtaken = true
                    break
                }
                expectedHead = entry.sequence
                CrashPoint.reach("prune.after-audit")
                try finishDeletion(fileName: segment.fileName, segment: segment)
                done.insert(segment.fileName)
                report.deleted.append(segment)
            }
            if !overtaken { return report }
        }
    }

    /// Records a gap in a shard (records lost before they were read): audited, then in the catalog.
    public func recordGap(shardRowID: Int64, afterSequence: SequenceNumber?, reason: String, now: Int64) throws {
        let shard = try catalog.shards(streamID: stream.id).first { $0.rowID == shardRowID }?.shardID ?? "row \(shardRowID)"
        try audit.append(
            kind: .gapRecorded,
            stream: stream.name,
            details: ["shard": .string(shard), "after": .string(afterSequence?.text ?? ""), "reason": .string(reason)],
            now: now
        )
        try catalog.recordGap(streamID: stream.id, shardRowID: shardRowID, afterSequence: afterSequence, reason: reason, now: now)
    }

    /// The log's holds and retention, and its last entry's number; refuses a broken chain.
    func auditedState() throws -> (AuditedState, head: Int64) {
        let contents = try AuditChain.read(audit)
        if let broken = contents.brokenLink {
            throw ArchiveError(
                code: .auditLogDamaged,
                message: "The audit log '\(audit.path)' is damaged (\(broken)), so the holds it records cannot be trusted and retention deletes "
                    + "nothing. Restore the file from a backup; `streamvault verify` names the damage (docs/AUDIT.md)."
            )
        }
        return (AuditedState(entries: contents.entries), contents.head?.sequence ?? 0)
    }

    /// Finishes deletions a crash interrupted, and deletions the log records for segments a rebuilt catalog lists again.
    func finishInterruptedDeletions(auditEntries: [AuditEntry]) throws {
        let deleted = AuditedState(entries: auditEntries).deletions[stream.name] ?? [:]
        let marks = try catalog.deletionsUnderWay(streamID: stream.id)
        guard !marks.isEmpty || !deleted.isEmpty else { return }
        let segments = Dictionary(try catalog.segments(streamID: stream.id).map { ($0.fileName, $0) }, uniquingKeysWith: { a, _ in a })
        for mark in marks {
            if deleted[mark.fileName] != nil {
                try finishDeletion(fileName: mark.fileName, segment: segments[mark.fileName])
            } else {
                // Died before the audit entry: nothing was deleted; the next prune decides again.
                try catalog.clearDeletion(streamID: stream.id, fileName: mark.fileName)
            }
        }
        let marked = Set(marks.map(\.fileName))
        for (fileName, entry) in deleted where !marked.contains(fileName) {
            guard let segment = segments[fileName] else { continue }
            logger.debug("Finishing a retention deletion the audit log records", metadata: ["sv.segment": "\(fileName)"])
            try catalog.markDeletion(streamID: stream.id, fileName: fileName, cutoff: 0, now: entry.time)
            try finishDeletion(fileName: fileName, segment: segment)
        }
    }

    /// Rows, then the file, then the mark (the mark is what makes a crash in between finishable).
    private func finishDeletion(fileName: String, segment: SegmentInfo?) throws {
        let path = layout.segmentPath(stream: stream.name, fileName: fileName)
        if let segment {
            // The blocks' own keys go with them (ON DELETE CASCADE); keys migrated from before v6 are deleted one by one.
            let migrated = try migratedEventIDKeys(of: segment)
            var deleted = try catalog.eventIDKeys(segmentID: segment.id)
            try catalog.deleteSegmentRows(segmentID: segment.id, migratedEventIDKeys: migrated)
            for (shard, keys) in migrated { deleted[shard, default: []].append(contentsOf: keys) }
            forgetEventIDKeys(deleted)
            CrashPoint.reach("prune.after-rows")
        }
        if unlink(path) != 0 && errno != ENOENT { throw ArchiveError.io("Deleting expired segment", path: path, errno: errno) }
        try FileIO.syncDirectory(layout.segmentsDirectory(stream.name))
        CrashPoint.reach("prune.after-unlink")
        try catalog.clearDeletion(streamID: stream.id, fileName: fileName)
    }

    /// The event-id keys of the segment's records that live in `event_id_keys` (blocks written before catalog v6,
    /// which have no key list of their own), read from the blocks: they go with the segment.
    private func migratedEventIDKeys(of segment: SegmentInfo) throws -> [Int64: [EventIDKey]] {
        let eventIDShards = Set(
            try catalog.shards(streamID: stream.id).filter { $0.dedupe == .eventID }.map(\.rowID).filter {
                try catalog.hasMigratedEventIDKeys(shardRowID: $0)
            }
        )
        var blocks = try catalog.blocks(segmentID: segment.id).filter { eventIDShards.contains($0.shardRowID) }
        let withoutKeys = try catalog.blocksWithoutEventIDKeys(blocks.map(\.id))
        blocks = blocks.filter { withoutKeys.contains($0.id) }
        let path = layout.segmentPath(stream: stream.name, fileName: segment.fileName)
        guard !blocks.isEmpty, FileIO.exists(path) else { return [:] }
        let reader = try BlockReader(layout: layout, catalog: catalog)
        var ids: [Int64: [EventIDKey]] = [:]
        for block in blocks {
            // A block that no longer reads (damaged outside StreamVault) keeps its dedupe rows: the deletion must
            // not be blocked by the data it deletes.
            do {
                try reader.read(block)
                var found: [EventIDKey] = []
                _ = try CatalogRebuilder.forEachEventID(reader.records, format: block.format, block: "\(path) block at byte \(block.offset)") {
                    found.append($0)
                }
                ids[block.shardRowID, default: []].append(contentsOf: found)
            } catch {
                logger.debug(
                    "Keeping the dedupe rows of an unreadable block",
                    metadata: ["sv.segment": "\(segment.fileName)", "sv.error": "\(error)"]
                )
            }
        }
        return ids
    }
}
