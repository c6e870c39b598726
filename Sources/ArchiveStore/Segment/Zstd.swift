import CZstd

/// A reusable zstd compression context. Not thread-safe: one user at a time (``BlockCompressor`` lends each of
/// its contexts to one job at a time, through a Mutex; hence `@unchecked Sendable`).
///
/// Frames carry their content size and a content checksum, so `zstd -t` and `zstd -dc` verify them.
final class ZstdCompressor: @unchecked Sendable {
    private let context: OpaquePointer
    private var output: [UInt8] = []

    init(level: Int32) throws {
        guard let context = ZSTD_createCCtx() else {
            throw ArchiveError(code: .compression, message: "zstd could not allocate a compression context.")
        }
        self.context = context
        ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level)
        ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)
        ZSTD_CCtx_setParameter(context, ZSTD_c_contentSizeFlag, 1)
    }

    deinit { ZSTD_freeCCtx(context) }

    /// Compresses `input` into one frame, appended to `destination`.
    func compressFrame(_ input: UnsafeRawBufferPointer, appendingTo destination: inout [UInt8]) throws {
        let bound = ZSTD_compressBound(input.count)
        if output.count < bound { output = [UInt8](repeating: 0, count: bound) }
        let written = output.withUnsafeMutableBytes { out in
            ZSTD_compress2(context, out.baseAddress, out.count, input.baseAddress, input.count)
        }
        if ZSTD_isError(written) != 0 {
            throw ArchiveError(code: .compression, message: "zstd compression failed: \(String(cString: ZSTD_getErrorName(written))).")
        }
        output.withUnsafeBufferPointer { destination.append(contentsOf: $0.prefix(written)) }
    }
}

/// A reusable zstd decompression context.
final class ZstdDecompressor {
    private let context: OpaquePointer

    init() throws {
        guard let context = ZSTD_createDCtx() else {
            throw ArchiveError(code: .compression, message: "zstd could not allocate a decompression context.")
        }
        self.context = context
    }

    deinit { ZSTD_freeDCtx(context) }

    /// Decompresses exactly one frame (verifying its checksum) into `output`, replacing its contents.
    /// - Parameter limit: the most bytes the frame may decompress to (its header is not trusted beyond it).
    /// - Returns: `nil` on success, else zstd's reason.
    func decompressFrame(_ frame: UnsafeRawBufferPointer, into output: inout [UInt8], limit: Int = Int(CatalogLimits.maxRawBlockBytes)) -> String? {
        let size = ZSTD_getFrameContentSize(frame.baseAddress, frame.count)
        guard size != ZSTD_CONTENTSIZE_ERROR else { return "not a zstd frame" }
        guard size != ZSTD_CONTENTSIZE_UNKNOWN else { return "frame has no content size" }
        guard size <= UInt64(max(limit, 0)) else { return "frame claims \(size) bytes of content, more than the \(limit) expected" }
        let length = Int(size)
        if output.count != length {
            if output.capacity >= length {
                output.removeAll(keepingCapacity: true)
                output.append(contentsOf: repeatElement(0, count: length))
            } else {
                output = [UInt8](repeating: 0, count: length)
            }
        }
        let result = output.withUnsafeMutableBytes { out in
            ZSTD_decompressDCtx(context, out.baseAddress, out.count, frame.baseAddress, frame.count)
        }
        if ZSTD_isError(result) != 0 { return String(cString: ZSTD_getErrorName(result)) }
        return result == length ? nil : "frame decompressed to \(result) bytes, header says \(length)"
    }
}
