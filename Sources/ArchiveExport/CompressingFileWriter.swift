import CZlib
import CZstd
import Crypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes one new file through zstd, gzip or nothing, hashing the bytes that reach the disk (SHA-256, MD5).
///
/// Input is staged and compressed 1 MiB at a time into reused buffers (no allocation per record). ``finish()``
/// ends the stream, fsyncs and closes the file; a writer that is not finished leaves a partial file behind,
/// which is why exports write into a staging directory first (``StagingDirectory``).
final class CompressingFileWriter {
    let name: String
    let path: String
    let compression: ExportCompression
    private let fd: Int32
    private var sha256 = SHA256()
    private var md5 = Insecure.MD5()
    private var size = 0
    private var pending: [UInt8] = []
    private var output: [UInt8]
    private var zstd: OpaquePointer?
    private var gzip: UnsafeMutablePointer<z_stream>?
    private var finished = false

    private static let stageBytes = 1 << 20

    /// Creates `directory/name` (which must not exist yet).
    init(directory: String, name: String, compression: ExportCompression, level: Int32 = 3) throws {
        self.name = name
        self.path = directory + "/" + name
        self.compression = compression
        pending.reserveCapacity(Self.stageBytes + 64 << 10)
        output = [UInt8](repeating: 0, count: Self.stageBytes + 64 << 10)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ExportError.io("Creating", path: path, errno: errno) }
        self.fd = fd
        switch compression {
        case .none: break
        case .zstd:
            guard let context = ZSTD_createCCtx() else {
                throw ExportError(code: .compression, message: "zstd could not allocate a compression context for '\(path)'.")
            }
            ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level)
            ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)
            zstd = context
        case .gzip:
            let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            // windowBits 15 + 16: a gzip header and trailer (CRC-32, size), what `gunzip` and AWS expect.
            let status = deflateInit2_(stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
            guard status == Z_OK else {
                stream.deallocate()
                throw ExportError(code: .compression, message: "zlib could not start a gzip stream for '\(path)' (status \(status)).")
            }
            gzip = stream
        }
    }

    // Also runs when init throws after `fd` is open: the descriptor is closed here, once.
    deinit {
        if let zstd { ZSTD_freeCCtx(zstd) }
        if let gzip {
            deflateEnd(gzip)
            gzip.deallocate()
        }
        if !finished { Posix.close(fd) }
    }

    /// Appends `bytes` (uncompressed) to the file.
    @inline(__always)
    func write(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        pending.append(contentsOf: bytes)
        if pending.count >= Self.stageBytes { try drain(end: false) }
    }

    /// Appends one byte.
    @inline(__always)
    func write(byte: UInt8) throws {
        pending.append(byte)
        if pending.count >= Self.stageBytes { try drain(end: false) }
    }

    /// Appends UTF-8 text.
    func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write($0) }
    }

    /// Ends the compressed stream, fsyncs and closes the file.
    /// - Returns: the file's size and digests.
    func finish() throws -> WrittenFile {
        try drain(end: true)
        guard fsync(fd) == 0 else { throw ExportError.io("Syncing", path: path, errno: errno) }
        finished = true
        guard Posix.close(fd) == 0 else { throw ExportError.io("Closing", path: path, errno: errno) }
        return WrittenFile(
            name: name,
            size: size,
            sha256: sha256.finalize().map { Self.hex($0) }.joined(),
            md5: Array(md5.finalize())
        )
    }

    private func drain(end: Bool) throws {
        switch compression {
        case .none:
            try pending.withUnsafeBytes { try emit($0) }
        case .zstd:
            guard let zstd else { return }
            try pending.withUnsafeBytes { input in
                var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
                while true {
                    let (remaining, produced) = output.withUnsafeMutableBytes { out in
                        var outBuffer = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
                        let r = ZSTD_compressStream2(zstd, &outBuffer, &inBuffer, end ? ZSTD_e_end : ZSTD_e_continue)
                        return (r, outBuffer.pos)
                    }
                    if ZSTD_isError(remaining) != 0 {
                        throw ExportError(
                            code: .compression,
                            message: "zstd failed writing '\(path)': \(String(cString: ZSTD_getErrorName(remaining)))."
                        )
                    }
                    try output.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0.prefix(produced))) }
                    if end ? remaining == 0 : inBuffer.pos == inBuffer.size { break }
                }
            }
        case .gzip:
            guard let gzip else { return }
            try pending.withUnsafeMutableBytes { input in
                gzip.pointee.next_in = input.baseAddress?.assumingMemoryBound(to: Bytef.self)
                gzip.pointee.avail_in = uInt(input.count)
                while true {
                    let (status, produced) = output.withUnsafeMutableBytes { out in
                        gzip.pointee.next_out = out.baseAddress?.assumingMemoryBound(to: Bytef.self)
                        gzip.pointee.avail_out = uInt(out.count)
                        let status = deflate(gzip, end ? Z_FINISH : Z_NO_FLUSH)
                        return (status, out.count - Int(gzip.pointee.avail_out))
                    }
                    guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                        throw ExportError(code: .compression, message: "zlib failed writing '\(path)' (status \(status)).")
                    }
                    try output.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0.prefix(produced))) }
                    if end ? status == Z_STREAM_END : gzip.pointee.avail_in == 0 { break }
                }
            }
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// Writes bytes that go to disk as they are, hashing them.
    private func emit(_ bytes: UnsafeRawBufferPointer) throws {
        guard !bytes.isEmpty else { return }
        sha256.update(bufferPointer: bytes)
        md5.update(bufferPointer: bytes)
        var done = 0
        while done < bytes.count {
            let n = Posix.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw ExportError.io("Writing", path: path, errno: errno)
            }
            done += n
        }
        size += bytes.count
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}
