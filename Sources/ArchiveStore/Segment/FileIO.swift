import Crypto
import Foundation
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin, explicit file operations with the durability steps the commit protocol needs (fsync of files
/// and directories), and errors that name the path.
struct FileIO {
    let descriptor: FileDescriptor
    let path: String

    static func open(_ path: String, _ mode: FileDescriptor.AccessMode, create: Bool = false) throws -> FileIO {
        do {
            let fd = try FileDescriptor.open(
                FilePath(path),
                mode,
                options: create ? [.create] : [],
                permissions: create ? [.ownerReadWrite, .groupRead, .otherRead] : nil
            )
            return FileIO(descriptor: fd, path: path)
        } catch {
            throw ArchiveError.io("Opening", path: path, errno: (error as? Errno)?.rawValue ?? EIO)
        }
    }

    func close() {
        try? descriptor.close()
    }

    func size() throws -> Int {
        var st = stat()
        guard fstat(descriptor.rawValue, &st) == 0 else { throw ArchiveError.io("Reading the size of", path: path, errno: errno) }
        return Int(st.st_size)
    }

    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        do {
            _ = try descriptor.writeAll(toAbsoluteOffset: Int64(offset), bytes)
        } catch {
            throw ArchiveError.io("Writing", path: path, errno: (error as? Errno)?.rawValue ?? EIO)
        }
    }

    /// Reads exactly `count` bytes at `offset` into `buffer` (replacing its contents).
    func read(count: Int, at offset: Int, into buffer: inout [UInt8]) throws {
        if buffer.count != count { buffer = [UInt8](repeating: 0, count: count) }
        var done = 0
        while done < count {
            let n = buffer.withUnsafeMutableBytes { out in
                pread(descriptor.rawValue, out.baseAddress! + done, count - done, off_t(offset + done))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw ArchiveError.io("Reading", path: path, errno: errno)
            }
            guard n > 0 else {
                throw ArchiveError(
                    code: .segmentCorrupt,
                    message: "'\(path)' ends at byte \(offset + done), the catalog expects \(offset + count). Run `streamvault verify`."
                )
            }
            done += n
        }
    }

    /// Hex SHA-256 of the file's first `length` bytes, read in 4 MiB chunks.
    func sha256(length: Int) throws -> String {
        var hasher = SHA256()
        var buffer: [UInt8] = []
        var offset = 0
        while offset < length {
            let n = min(4 << 20, length - offset)
            try read(count: n, at: offset, into: &buffer)
            hasher.update(data: buffer)
            offset += n
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    func sync() throws {
        guard fsync(descriptor.rawValue) == 0 else { throw ArchiveError.io("fsync of", path: path, errno: errno) }
    }

    func truncate(to length: Int) throws {
        guard ftruncate(descriptor.rawValue, off_t(length)) == 0 else { throw ArchiveError.io("Truncating", path: path, errno: errno) }
    }

    /// fsyncs a directory so a rename or create inside it survives a crash.
    static func syncDirectory(_ path: String) throws {
        let dir = try open(path, .readOnly)
        defer { dir.close() }
        try dir.sync()
    }

    /// Writes a new file atomically: temp file, fsync, rename, fsync the directory.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let temp = path + ".tmp"
        let file = try open(temp, .writeOnly, create: true)
        do throws {
            try file.truncate(to: 0)
            try bytes.withUnsafeBytes { (raw) throws in try file.write(raw, at: 0) }
            try file.sync()
        } catch {
            file.close()
            throw error
        }
        file.close()
        guard rename(temp, path) == 0 else { throw ArchiveError.io("Renaming \(temp) to", path: path, errno: errno) }
        try syncDirectory(parent(of: path))
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Creates a directory and its parents (mode 0755); fine if it exists.
    static func makeDirectories(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw ArchiveError.io("Creating directory", path: current, errno: errno)
            }
        }
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }
}
