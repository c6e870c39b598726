#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An input file (or stdin, named `-`) read in large chunks, for NDJSON line splitting.
final class InputFile {
    let name: String
    private let fd: Int32
    private let ownsDescriptor: Bool

    init(path: String) throws {
        if path == "-" {
            name = "<stdin>"
            fd = 0
            ownsDescriptor = false
        } else {
            name = path
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw ArchiveError.io("Opening input", path: path, errno: errno) }
            ownsDescriptor = true
        }
    }

    deinit {
        if ownsDescriptor { _ = close(fd) }
    }

    /// Appends up to `count` bytes to `buffer`; returns how many (0 at the end).
    func read(upTo count: Int, appendingTo buffer: inout [UInt8]) throws -> Int {
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: count))
        while true {
            let n = buffer.withUnsafeMutableBytes { raw in Glibc.read(fd, raw.baseAddress! + start, count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else {
                buffer.removeLast(count)
                throw ArchiveError.io("Reading input", path: name, errno: errno)
            }
            buffer.removeLast(count - n)
            return n
        }
    }

    /// Reads everything that is left.
    func readAll() throws -> [UInt8] {
        var all: [UInt8] = []
        while try read(upTo: 8 << 20, appendingTo: &all) > 0 {}
        return all
    }
}
