public import StreamModel

/// Retention settings and legal holds, each change entered in the audit log first (the log is authoritative and
/// survives `catalog rebuild`), then mirrored into the catalog (`streams.retention_days`, `holds`).
public struct Retention: Sendable {
    public let layout: StorageLayout
    public let catalog: Catalog
    public let audit: AuditLog

    public init(layout: StorageLayout, catalog: Catalog) {
        self.layout = layout
        self.catalog = catalog
        self.audit = AuditLog(layout: layout)
    }

    /// One stream's retention as the log (else the catalog) has it.
    public struct Setting: Sendable, Equatable {
        public var stream: String
        /// Days kept; 0 is forever.
        public var days: Int
    }

    /// Every stream's retention, by name.
    public func settings() throws -> [Setting] {
        let state = try readState()
        return try catalog.streams().map { Setting(stream: $0.name, days: state.retentionDays[$0.name] ?? $0.retentionDays) }
    }

    /// Sets a stream's retention: `days` in ``RetentionPlan/dayRange``, or 0 for forever.
    public func setRetention(stream name: String, days: Int, now: Int64) throws {
        guard days == 0 || RetentionPlan.dayRange.contains(days) else {
            throw ArchiveError(
                code: .invalidArgument,
                message: "Retention of \(days) days is out of range: pass 1-3650 days, or forever."
            )
        }
        let stream = try catalog.requireStream(name)
        try audit.append(kind: .retentionSet, stream: name, details: ["days": .int(Int64(days))], now: now)
        try catalog.setRetention(streamID: stream.id, days: days)
    }

    /// The live holds (added and not removed), of one stream or all.
    public func holds(stream: String? = nil) throws -> [HoldInfo] {
        try readState().holds.filter { stream == nil || $0.stream == stream }
    }

    /// Adds a hold on `[from, to]` (epoch ms, inclusive); its id is the number of its audit entry.
    public func addHold(stream name: String, from: Int64, to: Int64, reason: String, now: Int64) throws -> HoldInfo {
        guard from <= to else {
            throw ArchiveError(
                code: .invalidArgument,
                message: "The hold's --from (\(ISO8601.format(millis: from))) is after its --to (\(ISO8601.format(millis: to))): swap them."
            )
        }
        guard !reason.trimmingWhitespace.isEmpty else {
            throw ArchiveError(code: .invalidArgument, message: "A hold needs a --reason (e.g. the case number) so auditors know why it exists.")
        }
        _ = try catalog.requireStream(name)
        let entry = try audit.append(
            kind: .holdAdded,
            stream: name,
            details: ["from": .string(ISO8601.format(millis: from)), "to": .string(ISO8601.format(millis: to)), "reason": .string(reason)],
            now: now
        )
        try catalog.mirrorHolds(try readState().holds)
        return HoldInfo(id: entry.sequence, stream: name, from: from, to: to, reason: reason, createdAt: now)
    }

    /// Removes hold `id`.
    /// - Throws: ``ArchiveError`` `invalidArgument` when no live hold has that id.
    public func removeHold(id: Int64, now: Int64) throws -> HoldInfo {
        let live = try readState().holds
        guard let hold = live.first(where: { $0.id == id }) else {
            let known = live.isEmpty ? "There are no holds." : "Holds: \(live.map { String($0.id) }.joined(separator: ", "))."
            throw ArchiveError(code: .invalidArgument, message: "No hold with id \(id). \(known) `streamvault hold ls` lists them.")
        }
        try audit.append(kind: .holdRemoved, stream: hold.stream, details: ["id": .int(id), "reason": .string(hold.reason)], now: now)
        try catalog.mirrorHolds(try readState().holds)
        return hold
    }

    private func readState() throws -> AuditedState {
        let contents = try AuditChain.read(audit)
        if let broken = contents.brokenLink {
            throw ArchiveError(
                code: .auditLogDamaged,
                message: "The audit log '\(audit.path)' is damaged (\(broken)): holds and retention cannot be read from it. Restore the file "
                    + "from a backup; `streamvault verify` names the damage (docs/AUDIT.md)."
            )
        }
        return AuditedState(entries: contents.entries)
    }
}

extension String {
    fileprivate var trimmingWhitespace: Substring {
        self.drop { $0 == " " || $0 == "\t" || $0 == "\n" }
    }
}
