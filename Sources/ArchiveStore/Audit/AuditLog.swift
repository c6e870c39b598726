import Foundation
public import StreamModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The archive's append-only, hash-chained audit log: `<storage>/audit.ndjson`, one ``AuditEntry`` per line.
///
/// The log is a file beside the catalog, not a catalog table, so it survives `catalog rebuild` (which recreates
/// the catalog from the segment files). Appends hold an exclusive `flock` on the file (writers of several streams
/// share it), write the whole line, and fsync before returning. Entries are written *ahead*: an action is audited
/// before the catalog records it, and whatever a crash leaves half-done is finished on the next open of the
/// stream (a sealed entry seals the open segment it names; a deletion entry finishes that deletion). So the log
/// never lacks an entry for something the catalog shows, and never keeps one for something that is not done.
public struct AuditLog: Sendable {
    /// The file's path.
    public let path: String

    public init(layout: StorageLayout) {
        self.path = layout.root + "/audit.ndjson"
    }

    public init(path: String) {
        self.path = path
    }

    /// Appends one entry and fsyncs it; returns it.
    ///
    /// A last line cut off by a crash (no newline) is removed first and a ``AuditKind/logRepaired`` entry says so.
    /// - Throws: ``ArchiveError`` when the file cannot be written, or its last entry cannot be read (the log was
    ///   damaged: `streamvault verify` names where).
    @discardableResult
    public func append(kind: AuditKind, stream: String, details: [String: AuditValue], now: Int64) throws -> AuditEntry {
        guard let entry = try append(kind: kind, stream: stream, details: details, now: now, ifHeadIs: nil) else {
            preconditionFailure("an unconditional append always appends")
        }
        return entry
    }

    /// Appends one entry only if the log's last entry is still number `head` (0: the log is empty), so a decision
    /// made from the log's contents (no hold covers this segment) is not overtaken by an entry appended since.
    /// - Returns: the entry, or nil when the log has moved on (read it again and decide again).
    public func append(kind: AuditKind, stream: String, details: [String: AuditValue], now: Int64, ifHeadIs head: Int64?) throws -> AuditEntry? {
        try withLockedFile { fd, size in
            var size = size
            var last = try lastEntry(fd, size: &size)
            if let head, head != (last.entry?.sequence ?? 0) { return nil }
            if let cut = last.cutBytes {
                let repaired = AuditEntry(after: last.entry, time: now, kind: .logRepaired, stream: "", details: ["cut_bytes": .int(Int64(cut))])
                try write(repaired, fd: fd, at: &size)
                last.entry = (repaired.sequence, repaired.hash)
            }
            let entry = AuditEntry(after: last.entry, time: now, kind: kind, stream: stream, details: details)
            try write(entry, fd: fd, at: &size)
            return entry
        }
    }

    /// Every entry that parses, in file order, without checking the chain (``AuditChain`` checks it).
    public func entries() throws -> [AuditEntry] {
        try AuditChain.read(self).entries
    }

    /// Whether the file exists.
    public var exists: Bool { FileIO.exists(path) }

    // MARK: File

    private func withLockedFile<T>(_ body: (Int32, Int) throws -> T) throws -> T {
        let existed = FileIO.exists(path)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ArchiveError.io("Opening the audit log", path: path, errno: errno) }
        defer { _ = close(fd) }  // closing releases the flock
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw ArchiveError.io("Locking the audit log", path: path, errno: errno) }
        }
        if !existed { try FileIO.syncDirectory(FileIO.parent(of: path)) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ArchiveError.io("Reading the size of", path: path, errno: errno) }
        return try body(fd, Int(st.st_size))
    }

    /// The last complete entry's number and hash; a torn last line is cut off (`cutBytes` says how much).
    private func lastEntry(_ fd: Int32, size: inout Int) throws -> (entry: (sequence: Int64, hash: String)?, cutBytes: Int?) {
        guard size > 0 else { return (nil, nil) }
        let window = min(size, 256 << 10)
        let wholeFile = window == size
        var tail = [UInt8](repeating: 0, count: window)
        let n = tail.withUnsafeMutableBytes { pread(fd, $0.baseAddress, window, off_t(size - window)) }
        guard n == window else { throw ArchiveError.io("Reading the end of the audit log", path: path, errno: n < 0 ? errno : EIO) }
        var cut: Int?
        if tail.last != 0x0A {
            let keep = tail.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            guard keep > 0 || wholeFile else {
                throw damaged("its last line is longer than \(window) bytes and has no end")
            }
            let unended = String(decoding: tail[keep...], as: UTF8.self)[...]
            if case .success(let entry) = AuditEntry.parse(unended), AuditEntry.recomputedHash(ofLine: unended) == entry.hash {
                // A whole entry that lost only its newline (an editor, a copy): end the line, keep the entry.
                let n = pwrite(fd, [UInt8(0x0A)], 1, off_t(size))
                guard n == 1, fsync(fd) == 0 else { throw ArchiveError.io("Ending the last line of", path: path, errno: errno) }
                size += 1
                return ((entry.sequence, entry.hash), nil)
            }
            // A crash during the last append: the line never ended. Nothing refers to it (its action was not done).
            cut = window - keep
            size -= window - keep
            guard ftruncate(fd, off_t(size)) == 0, fsync(fd) == 0 else {
                throw ArchiveError.io("Cutting the torn last line of", path: path, errno: errno)
            }
            tail.removeLast(window - keep)
            guard !tail.isEmpty else { return (nil, cut) }
        }
        tail.removeLast()  // the newline
        let start = tail.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        guard start > 0 || wholeFile else { throw damaged("its last entry is longer than \(window) bytes") }
        let line = String(decoding: tail[start...], as: UTF8.self)
        switch AuditEntry.parse(line[...]) {
        case .success(let entry): return ((entry.sequence, entry.hash), cut)
        case .failure(let problem): throw damaged("its last line is \(problem.reason)")
        }
    }

    private func write(_ entry: AuditEntry, fd: Int32, at size: inout Int) throws {
        let bytes = Array((entry.line + "\n").utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, bytes.count - done, off_t(size + done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ArchiveError.io("Appending to the audit log", path: path, errno: errno)
            }
            done += n
        }
        CrashPoint.reach("audit.before-fsync")
        guard fsync(fd) == 0 else { throw ArchiveError.io("fsync of", path: path, errno: errno) }
        size += bytes.count
    }

    private func damaged(_ what: String) -> ArchiveError {
        ArchiveError(
            code: .auditLogDamaged,
            message: "The audit log '\(path)' cannot be extended: \(what). Run `streamvault verify` to see where the chain breaks, and restore "
                + "the file from a backup; nothing is written to the archive until it is readable (docs/AUDIT.md)."
        )
    }
}
