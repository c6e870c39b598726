#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An input file (or stdin, named `-`) opened for a ``RecordInputReader``; closed when released.
final class InputFile {
    let name: String
    let fileDescriptor: Int32
    private let ownsDescriptor: Bool

    init(path: String) throws {
        if path == "-" {
            name = "<stdin>"
            fileDescriptor = 0
            ownsDescriptor = false
        } else {
            name = path
            fileDescriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard fileDescriptor >= 0 else { throw ArchiveError.io("Opening input", path: path, errno: errno) }
            ownsDescriptor = true
        }
    }

    deinit {
        if ownsDescriptor { _ = close(fileDescriptor) }
    }
}
