import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the audit log and recomputes its chain: every entry's number follows the one before, its hash is the
/// SHA-256 of its own text, and its `prev` is the previous entry's hash. The first broken link is named.
public enum AuditChain {
    /// What a read found.
    public struct Contents: Sendable {
        /// Every line that parses as an entry, in file order (also those after a break, for cross-checks).
        public var entries: [AuditEntry] = []
        /// The first broken link, if any: which entry, which line, what differs.
        public var brokenLink: String?
        /// The last entry of the intact chain (its hash is the chain's head).
        public var head: AuditEntry?
    }

    /// Reads and checks the log; a missing file is an empty log.
    public static func read(_ log: AuditLog) throws -> Contents {
        guard log.exists else { return Contents() }
        let data = try readShared(log.path)
        var contents = Contents()
        var text = Substring(String(decoding: data, as: UTF8.self))
        let torn = !text.isEmpty && !text.hasSuffix("\n")
        if text.hasSuffix("\n") { text.removeLast() }
        let lines = text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false)
        let parsed = lines.map { AuditEntry.parse($0) }
        var expected: Int64 = 1
        var previousHash = AuditEntry.genesisHash
        for (index, line) in lines.enumerated() {
            let lineNumber = index + 1
            let entry: AuditEntry
            switch parsed[index] {
            case .success(let e): entry = e
            case .failure(let problem):
                if contents.brokenLink == nil {
                    contents.brokenLink =
                        torn && index == lines.count - 1
                        ? "line \(lineNumber), where entry \(expected) should be, is cut off (it has no end): the last append was interrupted "
                            + "or the file was truncated; the next writer removes it and records that it did"
                        : "line \(lineNumber), where entry \(expected) should be, is \(problem.reason)"
                }
                continue
            }
            contents.entries.append(entry)
            guard contents.brokenLink == nil else { continue }
            if entry.sequence != expected {
                let later = parsed[(index + 1)...].firstIndex { (try? $0.get().sequence) == expected }
                if let later {
                    contents.brokenLink =
                        "entries are out of order: line \(lineNumber) holds entry \(entry.sequence) where entry \(expected) should be "
                        + "(entry \(expected) is at line \(later + 1))"
                } else if entry.sequence > expected {
                    let missing = expected == entry.sequence - 1 ? "entry \(expected) is" : "entries \(expected)-\(entry.sequence - 1) are"
                    contents.brokenLink = "\(missing) missing: line \(lineNumber) holds entry \(entry.sequence) where entry \(expected) should be"
                } else {
                    contents.brokenLink =
                        "line \(lineNumber) holds entry \(entry.sequence) where entry \(expected) should be (an entry repeated or moved)"
                }
                continue
            }
            guard AuditEntry.recomputedHash(ofLine: line) == entry.hash else {
                contents.brokenLink =
                    "entry \(entry.sequence) (line \(lineNumber)) was changed after it was written: the SHA-256 of its text is "
                    + "\(AuditEntry.recomputedHash(ofLine: line) ?? "not computable (no hash field at the end)"), its hash field says \(entry.hash)"
                continue
            }
            guard entry.previousHash == previousHash else {
                contents.brokenLink =
                    "entry \(entry.sequence) (line \(lineNumber)) does not follow entry \(entry.sequence - 1): its prev is \(entry.previousHash), "
                    + "entry \(entry.sequence - 1)'s hash is \(previousHash) (entry \(entry.sequence - 1) was replaced and re-hashed)"
                continue
            }
            previousHash = entry.hash
            expected += 1
            contents.head = entry
        }
        return contents
    }

    /// The whole file, read under a shared lock so an append in progress is not seen half-written.
    private static func readShared(_ path: String) throws -> Data {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ArchiveError.io("Opening the audit log", path: path, errno: errno) }
        defer { _ = close(fd) }
        while flock(fd, LOCK_SH) != 0 && errno == EINTR {}
        return FileHandle(fileDescriptor: fd, closeOnDealloc: false).readDataToEndOfFile()
    }
}
