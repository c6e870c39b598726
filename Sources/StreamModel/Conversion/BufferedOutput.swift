#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A large write buffer in front of a file descriptor: converters append to ``buffer`` directly, and it goes
/// out in big `write(2)` calls.
public final class BufferedOutput {
    /// Pending bytes; append to it, then call ``flushIfNeeded()``.
    public var buffer: [UInt8]
    private let fd: Int32
    private let threshold: Int
    /// Set once the reader went away (`streamvault convert ... | head`): later output is dropped, not an error.
    public private(set) var isClosed = false

    /// - Parameters:
    ///   - fileDescriptor: an open descriptor (not closed by this type).
    ///   - threshold: flush once this many bytes are pending. Default 1 MiB.
    public init(fileDescriptor: Int32, threshold: Int = 1 << 20) {
        self.fd = fileDescriptor
        self.threshold = threshold
        self.buffer = []
        buffer.reserveCapacity(threshold + (threshold >> 2))
        signal(SIGPIPE, SIG_IGN)  // a closed pipe becomes EPIPE, handled in flush()
    }

    /// Writes the buffer out when it holds at least the threshold.
    @inline(__always)
    public func flushIfNeeded() throws(ConversionError) {
        if buffer.count >= threshold { try flush() }
    }

    /// Writes everything pending.
    public func flush() throws(ConversionError) {
        var failure: Int32 = 0
        if isClosed {
            buffer.removeAll(keepingCapacity: true)
            return
        }
        buffer.withUnsafeBytes { bytes in
            var done = 0
            while done < bytes.count {
                let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                done += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
        if failure == EPIPE {
            isClosed = true
            return
        }
        if failure != 0 {
            throw ConversionError(code: .writeFailed, message: "Writing the output failed (errno \(failure)).")
        }
    }
}
