import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The on-failure destination: an NDJSON file of ``FailureRecord`` lines, appended (a resumed replay adds to
/// the same file) and synced before the batch counts as done, so a checkpoint never passes a failure that
/// is not on disk.
public final class FailureDestination: Sendable {
    /// The file's path.
    public let path: String
    private let descriptor: Mutex<Int32>

    /// Opens (creates) `path` for appending.
    /// - Throws: ``HandlerError`` (``HandlerError/Code/failureFileUnwritable``).
    public init(path: String) throws(HandlerError) {
        self.path = path
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw HandlerError(
                code: .failureFileUnwritable,
                message: "Cannot open the on-failure file '\(path)': \(String(cString: strerror(errno))). Pass a writable path to --on-failure."
            )
        }
        descriptor = Mutex(fd)
    }

    deinit {
        descriptor.withLock { fd in
            if fd >= 0 { close(fd) }
        }
    }

    func append(_ line: String) throws(HandlerError) {
        let result: Int32 = descriptor.withLock { fd in
            var bytes = Array(line.utf8)
            var written = 0
            while written < bytes.count {
                let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                written += n
            }
            bytes.removeAll()
            return fsync(fd) == 0 ? 0 : errno
        }
        if result != 0 {
            throw HandlerError(
                code: .failureFileUnwritable,
                message:
                    "Writing the on-failure file '\(path)' failed: \(String(cString: strerror(result))). Free space or pass another --on-failure path, then resume."
            )
        }
    }
}
