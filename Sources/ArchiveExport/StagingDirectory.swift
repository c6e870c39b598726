import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe output directories: everything is written into a hidden sibling of the target, synced, and
/// renamed into place in one step. A crash leaves either no export or a whole one (and a `.<name>.partial-*`
/// directory, which the next run for the same name deletes once its process is gone), never a half-written
/// export under the name asked for.
final class StagingDirectory {
    /// The directory asked for.
    let target: String
    /// Where files are written until ``commit()``.
    let path: String
    private var committed = false

    /// Checks that `target` is missing or empty and creates the staging directory beside it.
    /// - Throws: ``ExportError/Code/outputNotEmpty`` when `target` holds anything; ``ExportError/Code/io``.
    init(target: String) throws {
        let target = target.count > 1 && target.hasSuffix("/") ? String(target.dropLast()) : target
        self.target = target
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw ExportError(code: .outputNotEmpty, message: "'\(target)' is a file: pass --out with a new or empty directory.")
            }
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: target)) ?? []
            guard entries.isEmpty else {
                throw ExportError(
                    code: .outputNotEmpty,
                    message: "'\(target)' is not empty (\(entries.count) entries): exports never overwrite. Pass --out with a new or empty directory."
                )
            }
        }
        let url = URL(fileURLWithPath: target)
        let parent = url.deletingLastPathComponent().path
        let prefix = "." + url.lastPathComponent + ".partial-"
        if !FileManager.default.fileExists(atPath: parent) {
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            } catch {
                throw ExportError(code: .io, message: "Creating '\(parent)' for the export failed: \(error). Check the path and its permissions.")
            }
        }
        Self.removeAbandoned(in: parent, prefix: prefix)
        path = parent + "/" + prefix + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try Self.makeDirectory(path)
    }

    /// Deletes staging directories for the same target left by runs that were killed (their process is gone).
    private static func removeAbandoned(in parent: String, prefix: String) {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where entry.hasPrefix(prefix) {
            guard let pid = Int32(entry.dropFirst(prefix.count).prefix { $0 != "-" }), pid > 0 else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(atPath: parent + "/" + entry) }
        }
    }

    deinit {
        if !committed { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Creates `relative` (and its parents) inside the staging directory; returns its full path.
    func makeSubdirectory(_ relative: String) throws -> String {
        var current = path
        for part in relative.split(separator: "/") {
            current += "/" + part
            if !FileManager.default.fileExists(atPath: current) { try Self.makeDirectory(current) }
        }
        return current
    }

    /// Syncs every directory inside, renames the staging directory to the target, and syncs the parent.
    func commit() throws {
        if let enumerator = FileManager.default.enumerator(atPath: path) {
            for case let relative as String in enumerator {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: path + "/" + relative, isDirectory: &isDirectory), isDirectory.boolValue {
                    try Self.syncDirectory(path + "/" + relative)
                }
            }
        }
        try Self.syncDirectory(path)
        // rename(2) replaces an empty directory in one step; anything else in the way fails it.
        guard rename(path, target) == 0 else { throw ExportError.io("Renaming the finished export into", path: target, errno: errno) }
        committed = true
        try Self.syncDirectory(URL(fileURLWithPath: target).deletingLastPathComponent().path)
    }

    static func makeDirectory(_ path: String) throws {
        guard mkdir(path, 0o755) == 0 else { throw ExportError.io("Creating the directory", path: path, errno: errno) }
    }

    static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ExportError.io("Opening the directory", path: path, errno: errno) }
        defer { Posix.close(fd) }
        guard fsync(fd) == 0 else { throw ExportError.io("Syncing the directory", path: path, errno: errno) }
    }
}
