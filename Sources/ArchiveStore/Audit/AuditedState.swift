public import StreamModel

/// What the audit log says about holds and retention. The log is authoritative (it survives `catalog rebuild`);
/// the catalog's `holds` table and `streams.retention_days` mirror it.
public struct AuditedState: Sendable {
    /// Holds added and not removed, by id.
    public var holds: [HoldInfo] = []
    /// The last retention set per stream, in days (0: forever).
    public var retentionDays: [String: Int] = [:]
    /// The deletion entry of each segment retention deleted, by stream and file.
    public var deletions: [String: [String: AuditEntry]] = [:]

    public init(entries: [AuditEntry]) {
        var holds: [Int64: HoldInfo] = [:]
        for entry in entries {
            switch entry.kind {
            case .holdAdded:
                guard let from = ISO8601.parseMillis(entry.string("from")), let to = ISO8601.parseMillis(entry.string("to")) else { continue }
                holds[entry.sequence] = HoldInfo(
                    id: entry.sequence,
                    stream: entry.stream,
                    from: from,
                    to: to,
                    reason: entry.string("reason"),
                    createdAt: entry.time
                )
            case .holdRemoved:
                if let id = entry.int("id") { holds[id] = nil }
            case .retentionSet:
                if let days = entry.int("days") { retentionDays[entry.stream] = Int(days) }
            case .segmentDeleted:
                deletions[entry.stream, default: [:]][entry.string("file")] = entry
            default:
                continue
            }
        }
        self.holds = holds.values.sorted { $0.id < $1.id }
    }
}
