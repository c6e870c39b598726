extension AuditLog {
    /// The hash of the last entry of the archive's intact audit chain (an export's manifest names it, so the export
    /// can be tied to the archive's history), or `nil` when the archive has no audit log yet.
    public static func currentHead(layout: StorageLayout) throws -> String? {
        try AuditChain.read(AuditLog(layout: layout)).head?.hash
    }

    /// Enters an export (or snapshot) in the log: where it went, what it covers, how much it holds.
    /// - Parameters:
    ///   - from: Earliest event time covered, epoch ms (`nil`: the stream's start).
    ///   - to: Latest event time covered, epoch ms (exclusive for an export; the moment of a snapshot).
    @discardableResult
    public func recordExport(
        stream: String,
        directory: String,
        layout: String,
        from: Int64?,
        to: Int64?,
        records: Int,
        files: Int
    ) throws
        -> AuditEntry
    {
        var details: [String: AuditValue] = [
            "directory": .string(directory), "layout": .string(layout), "records": .int(Int64(records)), "files": .int(Int64(files)),
        ]
        if let from { details["from"] = .int(from) }
        if let to { details["to"] = .int(to) }
        return try append(kind: .exportWritten, stream: stream, details: details, now: WallClock.system.nowMillis())
    }
}
