/// Enters the seals the audit log lacks: segments sealed before the archive kept a log (the catalog upgrade to
/// v4 enters them), or sealed by `catalog rebuild` after the log lost them. Each entry is marked `backfilled`,
/// so the log says it was written late.
enum AuditBackfill {
    static func enterUnauditedSeals(log: AuditLog, catalog: Catalog, streams: [StreamInfo], entries: [AuditEntry], now: Int64) throws {
        var audited: [String: Set<String>] = [:]
        for entry in entries where entry.kind == .segmentSealed { audited[entry.stream, default: []].insert(entry.string("file")) }
        for stream in streams {
            for segment in try catalog.segments(streamID: stream.id)
            where segment.state == .sealed && !(audited[stream.name]?.contains(segment.fileName) ?? false) {
                var details = StreamWriter.sealDetails(segment, sha256: segment.sha256 ?? "")
                details["backfilled"] = true
                try log.append(kind: .segmentSealed, stream: stream.name, details: details, now: now)
            }
        }
    }
}
