#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A buffered writer to a file descriptor (stdout by default), flushed in large writes.
///
/// A closed pipe (`streamvault replay ... | head`) ends the output quietly: ``isClosed`` turns true and
/// further writes are dropped, so the replay can stop early instead of failing.
public final class OutputSink {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private let capacity: Int
    public private(set) var isClosed = false
    public private(set) var bytesWritten = 0

    public init(fd: Int32 = 1, capacity: Int = 1 << 20) {
        self.fd = fd
        self.capacity = capacity
        buffer.reserveCapacity(capacity)
        signal(SIGPIPE, SIG_IGN)
    }

    deinit { try? flush() }

    @inline(__always)
    public func write(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        if buffer.count + bytes.count > capacity { try flush() }
        if bytes.count >= capacity {
            try writeAll(UnsafeRawBufferPointer(bytes))
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBufferPointer { try write($0) }
    }

    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write($0) }
    }

    @inline(__always)
    public func writeByte(_ byte: UInt8) throws {
        if buffer.count + 1 > capacity { try flush() }
        buffer.append(byte)
    }

    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        guard !isClosed else { return }
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { isClosed = true; return }
                throw OutputError(errno: errno)
            }
            done += n
        }
        bytesWritten += done
    }

    /// Writing the output failed (disk full, ...).
    public struct OutputError: Error, CustomStringConvertible {
        public let errno: Int32
        public var description: String { "Writing the output failed: \(String(cString: strerror(errno)))." }
    }
}
