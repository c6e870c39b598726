/// `verify`'s checks of the audit log: the chain (``AuditChain``), and every segment against its entries: each
/// sealed segment has a seal entry whose SHA-256 matches the catalog and the file; each sealed entry names a
/// segment that is still in the catalog or was deleted by retention (with its own entry).
struct AuditCheck {
    let log: AuditLog
    /// Whether the archive has an audit log (one with no sealed segment yet may have none: nothing was entered).
    let exists: Bool
    /// The last seal entry of each segment, by stream and file.
    private var sealed: [String: [String: AuditEntry]] = [:]
    private let state: AuditedState

    init(log: AuditLog, into findings: inout [ArchiveVerifier.Finding]) throws {
        self.log = log
        self.exists = log.exists
        let contents = try AuditChain.read(log)
        if let broken = contents.brokenLink {
            findings.append(ArchiveVerifier.Finding(stream: "", segment: "", message: broken, isDamage: true, file: log.path))
        }
        for entry in contents.entries where entry.kind == .segmentSealed {
            sealed[entry.stream, default: [:]][entry.string("file")] = entry
        }
        state = AuditedState(entries: contents.entries)
    }

    /// A sealed segment against its seal entry; nil when they agree.
    func checkSealed(stream: String, segment: SegmentInfo, fileSHA256: String) -> String? {
        guard exists else {
            return "sealed, but there is no audit log ('\(log.path)') to hold its seal entry: the log was removed; restore it from a backup"
        }
        guard let entry = sealed[stream]?[segment.fileName] else {
            return "sealed, but the audit log has no entry for its seal (an entry was removed, or the segment was added outside StreamVault)"
        }
        let recorded = entry.string("sha256")
        if recorded != segment.sha256 {
            return "the catalog's SHA-256 \(segment.sha256 ?? "none") differs from audit entry \(entry.sequence)'s \(recorded)"
        }
        if recorded != fileSHA256 {
            return "the file's SHA-256 is \(fileSHA256), audit entry \(entry.sequence) sealed it as \(recorded)"
        }
        return nil
    }

    /// An open segment the log already records as sealed (a seal a crash interrupted).
    func noteForOpen(stream: String, segment: SegmentInfo) -> String? {
        guard let entry = sealed[stream]?[segment.fileName] else { return nil }
        return "audit entry \(entry.sequence) sealed it but the catalog has it open (an interrupted seal, finished when the stream is next written)"
    }

    /// Seal entries whose segment is neither in the catalog nor deleted by retention.
    func checkEntries(stream: String, segments: [SegmentInfo], into findings: inout [ArchiveVerifier.Finding]) {
        let known = Set(segments.map(\.fileName))
        let deleted = state.deletions[stream] ?? [:]
        for (file, entry) in (sealed[stream] ?? [:]).sorted(by: { $0.value.sequence < $1.value.sequence })
        where !known.contains(file) && deleted[file] == nil {
            findings.append(
                ArchiveVerifier.Finding(
                    stream: stream,
                    segment: file,
                    message: "audit entry \(entry.sequence) sealed this segment; it is not in the catalog and no retention deletion is recorded "
                        + "(it was removed outside StreamVault: restore it from a backup)",
                    isDamage: true
                )
            )
        }
    }
}
