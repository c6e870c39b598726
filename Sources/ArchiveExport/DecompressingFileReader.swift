import CZlib
import CZstd
import Crypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a data file written by an export (plain, zstd or gzip by its name), hands over its lines, and hashes
/// the bytes on disk on the way: what verify-export and the tests need, in one pass and bounded memory.
enum DecompressingFileReader {
    /// What one pass over a file found.
    struct Summary {
        var size = 0
        var sha256 = ""
        /// Lines handed to `line` (a last line without a newline counts too).
        var lines = 0
        /// Whether the last byte of the content was a newline (or the content was empty).
        var endsWithNewline = true
    }

    /// Reads `path`, calling `line` with each line of its decompressed content (without the newline).
    /// - Throws: ``ExportError`` (``ExportError/Code/io``, ``ExportError/Code/compression`` naming the file);
    ///   whatever `line` throws.
    static func read(
        path: String,
        compression: ExportCompression,
        line: (UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws -> Summary {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ExportError.io("Opening", path: path, errno: errno) }
        defer { Posix.close(fd) }
        var summary = Summary()
        var hasher = SHA256()
        var splitter = LineSplitter()
        var decoder = try Decoder(compression, path: path)
        defer { decoder.close() }
        var input = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = input.withUnsafeMutableBytes { Posix.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ExportError.io("Reading", path: path, errno: errno)
            }
            if n == 0 { break }
            summary.size += n
            try input.withUnsafeBytes { raw in
                let chunk = UnsafeRawBufferPointer(rebasing: raw.prefix(n))
                hasher.update(bufferPointer: chunk)
                try decoder.decode(chunk) { try splitter.feed($0, &summary, line) }
            }
        }
        try decoder.finish()
        try splitter.end(&summary, line)
        summary.sha256 = hasher.finalize().map { CompressingFileWriter.hex($0) }.joined()
        return summary
    }

    /// Hex SHA-256 and size of a file's bytes.
    static func digest(path: String) throws -> (sha256: String, size: Int) {
        let summary = try read(path: path, compression: .none) { _ in }
        return (summary.sha256, summary.size)
    }

    /// Cuts decompressed bytes into lines, carrying a partial line between chunks.
    private struct LineSplitter {
        var partial: [UInt8] = []
        var lastByte: UInt8?

        mutating func feed(
            _ bytes: UnsafeRawBufferPointer,
            _ summary: inout Summary,
            _ line: (UnsafeBufferPointer<UInt8>) throws -> Void
        ) throws {
            guard !bytes.isEmpty else { return }
            let data = bytes.bindMemory(to: UInt8.self)
            var start = 0
            while let newline = data[start...].firstIndex(of: 0x0A) {
                if partial.isEmpty {
                    try line(UnsafeBufferPointer(rebasing: data[start..<newline]))
                } else {
                    partial.append(contentsOf: data[start..<newline])
                    try partial.withUnsafeBufferPointer { try line($0) }
                    partial.removeAll(keepingCapacity: true)
                }
                summary.lines += 1
                start = newline + 1
            }
            partial.append(contentsOf: data[start...])
            lastByte = data.last
        }

        mutating func end(_ summary: inout Summary, _ line: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
            summary.endsWithNewline = lastByte == nil || lastByte == 0x0A
            if !partial.isEmpty {
                try partial.withUnsafeBufferPointer { try line($0) }
                summary.lines += 1
            }
        }
    }

    /// Streaming zstd/gzip decompression into a reused buffer.
    private struct Decoder {
        let compression: ExportCompression
        let path: String
        var zstd: OpaquePointer?
        var gzip: UnsafeMutablePointer<z_stream>?
        var output = [UInt8](repeating: 0, count: 1 << 20)
        /// zstd: the last call's hint (0 once a frame ended exactly); gzip: whether the stream ended.
        var zstdPending = 0
        var gzipEnded = false
        var sawInput = false

        init(_ compression: ExportCompression, path: String) throws {
            self.compression = compression
            self.path = path
            switch compression {
            case .none: break
            case .zstd:
                guard let context = ZSTD_createDCtx() else {
                    throw ExportError(code: .compression, message: "zstd could not allocate a decompression context for '\(path)'.")
                }
                zstd = context
            case .gzip:
                let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
                stream.initialize(to: z_stream())
                guard inflateInit2_(stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                    stream.deallocate()
                    throw ExportError(code: .compression, message: "zlib could not start reading '\(path)'.")
                }
                gzip = stream
            }
        }

        mutating func close() {
            if let zstd { ZSTD_freeDCtx(zstd) }
            if let gzip {
                inflateEnd(gzip)
                gzip.deallocate()
            }
            zstd = nil
            gzip = nil
        }

        mutating func decode(_ input: UnsafeRawBufferPointer, _ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
            sawInput = sawInput || !input.isEmpty
            switch compression {
            case .none:
                try sink(input)
            case .zstd:
                guard let zstd else { return }
                var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
                repeat {
                    let (hint, produced) = output.withUnsafeMutableBytes { out in
                        var outBuffer = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
                        let r = ZSTD_decompressStream(zstd, &outBuffer, &inBuffer)
                        return (r, outBuffer.pos)
                    }
                    if ZSTD_isError(hint) != 0 {
                        throw ExportError(
                            code: .compression,
                            message:
                                "'\(path)' does not decompress as zstd: \(String(cString: ZSTD_getErrorName(hint))) (damaged or not a zstd file)."
                        )
                    }
                    zstdPending = hint
                    try output.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0.prefix(produced))) }
                    if inBuffer.pos == inBuffer.size && produced < output.count { break }
                } while true
            case .gzip:
                guard let gzip else { return }
                var offset = 0
                var outputFull = false
                while offset < input.count || outputFull {
                    if gzipEnded {
                        inflateReset(gzip)  // another gzip member follows (gzip allows concatenation)
                        gzipEnded = false
                    }
                    let (status, consumed, produced) = output.withUnsafeMutableBytes { out in
                        gzip.pointee.next_in = UnsafeMutablePointer(mutating: (input.baseAddress! + offset).assumingMemoryBound(to: Bytef.self))
                        gzip.pointee.avail_in = uInt(input.count - offset)
                        gzip.pointee.next_out = out.baseAddress?.assumingMemoryBound(to: Bytef.self)
                        gzip.pointee.avail_out = uInt(out.count)
                        let status = inflate(gzip, Z_NO_FLUSH)
                        return (status, input.count - offset - Int(gzip.pointee.avail_in), out.count - Int(gzip.pointee.avail_out))
                    }
                    guard status == Z_OK || status == Z_STREAM_END || (status == Z_BUF_ERROR && produced == 0) else {
                        throw ExportError(
                            code: .compression,
                            message: "'\(path)' does not decompress as gzip (zlib status \(status); damaged or not a gzip file)."
                        )
                    }
                    offset += consumed
                    outputFull = produced == output.count
                    try output.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0.prefix(produced))) }
                    if status == Z_STREAM_END {
                        gzipEnded = true
                        outputFull = false
                    } else if consumed == 0 && produced == 0 {
                        break
                    }
                }
            }
        }

        /// Checks that the compressed stream ended where the file did.
        func finish() throws {
            switch compression {
            case .none: break
            case .zstd:
                if zstdPending != 0 || !sawInput {
                    throw ExportError(code: .compression, message: "'\(path)' ends inside a zstd frame: the file is truncated or damaged.")
                }
            case .gzip:
                if !gzipEnded {
                    throw ExportError(code: .compression, message: "'\(path)' ends inside its gzip stream: the file is truncated or damaged.")
                }
            }
        }
    }
}
