#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads records from a file descriptor in chunks and hands each one to a closure, never holding more than a
/// chunk (or the largest record) in memory.
///
/// ```swift
/// let reader = RecordInputReader(fileDescriptor: STDIN_FILENO)
/// try reader.forEachRecord { bytes, location in ... }
/// ```
public final class RecordInputReader {
    private let fd: Int32
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int

    /// - Parameters:
    ///   - fileDescriptor: an open descriptor; the reader does not close it.
    ///   - chunkSize: bytes read per `read(2)`; the buffer grows beyond it only for a longer record. Default 4 MiB.
    public init(fileDescriptor: Int32, chunkSize: Int = 4 << 20) {
        self.fd = fileDescriptor
        self.capacity = max(chunkSize, 64)
        self.buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// Calls `body` for every record of the input, in order.
    ///
    /// The bytes passed to `body` are valid only during the call.
    /// - Throws: ``ConversionError`` (`malformedInput`, `readFailed`) or whatever `body` throws.
    public func forEachRecord(_ body: (UnsafeBufferPointer<UInt8>, RecordLocation) throws -> Void) throws {
        var splitter = RecordSplitter()
        var start = 0
        var end = 0
        var eof = false
        while true {
            let window = UnsafeRawBufferPointer(start: buffer, count: end)
            let base = buffer.assumingMemoryBound(to: UInt8.self)
            var finished = false
            while true {
                let step: RecordSplitter.Step
                do throws(ShapeError) {
                    step = try splitter.next(window, offset: &start, isFinal: eof)
                } catch {
                    throw ConversionError(code: .malformedInput, message: error.expectation)
                }
                guard case .record(let range, let location) = step else {
                    finished = step == .end
                    break
                }
                try body(UnsafeBufferPointer(start: base + range.lowerBound, count: range.count), location)
            }
            if finished { return }
            // Need more: keep the unconsumed tail, grow if a single value fills the buffer, read.
            if start > 0 {
                if end > start { memmove(buffer, buffer + start, end - start) }
                end -= start
                start = 0
            }
            if end == capacity {
                let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity * 2, alignment: 16)
                bigger.copyMemory(from: buffer, byteCount: end)
                buffer.deallocate()
                buffer = bigger
                capacity *= 2
            }
            let n = read(fd, buffer + end, capacity - end)
            if n < 0 {
                if errno == EINTR { continue }
                throw ConversionError(code: .readFailed, message: "Reading the input failed (errno \(errno)).")
            }
            if n == 0 { eof = true } else { end += n }
        }
    }
}
