import CZstd
import Foundation
import StreamModel
import SystemPackage

/// Walks a segment file frame by frame without the catalog: the segment header, then each block's
/// header frame and zstd frame, decompressed (checksum verified). `catalog rebuild` uses it.
///
/// Stops at the first frame that is incomplete or does not check out; everything before it is intact.
final class SegmentScanner {
    /// One intact block.
    struct Block {
        var offset: Int64
        var length: Int64
        var header: BlockHeader
    }

    /// What a scan found.
    struct Outcome {
        var header: SegmentHeader
        /// End of the last intact block (or of the segment header): the length a writer may continue from.
        var intactBytes: Int64
        var fileBytes: Int64
        /// Why scanning stopped before the end of the file, if it did.
        var problem: String?
    }

    private let decompressor: ZstdDecompressor
    private var buffer: [UInt8] = []
    /// The records of the block last passed to the `body` of ``scan(path:body:)``.
    private(set) var records: [UInt8] = []

    init() throws {
        decompressor = try ZstdDecompressor()
    }

    /// Scans the segment at `path`, calling `body` with each intact block (its records are in ``records``).
    func scan(path: String, body: (Block) throws -> Void) throws -> Outcome {
        let file = try FileIO.open(path, .readOnly)
        defer { file.close() }
        let size = Int64(try file.size())
        guard let (header, headerEnd) = try readSegmentHeader(file, size: size) else {
            throw ArchiveError(
                code: .segmentCorrupt,
                message: "'\(path)' does not start with a StreamVault segment header frame; it is not a segment (or its first bytes are damaged)."
            )
        }
        var offset = headerEnd
        while offset < size {
            switch try readBlock(file, at: offset, fileSize: size) {
            case .success(let block):
                try body(block)
                offset += block.length
            case .failure(let problem):
                return Outcome(header: header, intactBytes: offset, fileBytes: size, problem: "at byte \(offset): \(problem.reason)")
            }
        }
        return Outcome(header: header, intactBytes: offset, fileBytes: size, problem: nil)
    }

    private struct Problem: Error {
        var reason: String
    }

    private func readSegmentHeader(_ file: FileIO, size: Int64) throws -> (SegmentHeader, Int64)? {
        guard size >= Int64(SkippableFrame.headerSize) else { return nil }
        try file.read(count: Int(min(size, 64 << 10)), at: 0, into: &buffer)
        return buffer.withUnsafeBytes { bytes -> (SegmentHeader, Int64)? in
            guard let frame = SkippableFrame.parse(bytes), frame.magic == SkippableFrame.segmentMagic,
                let header = try? JSONDecoder().decode(SegmentHeader.self, from: Data(bytes[frame.payload])),
                header.magic == "streamvault-segment"
            else { return nil }
            return (header, Int64(frame.payload.upperBound))
        }
    }

    private func readBlock(_ file: FileIO, at offset: Int64, fileSize: Int64) throws -> Result<Block, Problem> {
        let remaining = fileSize - offset
        guard remaining >= Int64(SkippableFrame.headerSize) else { return .failure(Problem(reason: "\(remaining) bytes of an incomplete frame")) }
        try file.read(count: SkippableFrame.headerSize, at: Int(offset), into: &buffer)
        let (magic, payloadLength) = buffer.withUnsafeBytes { bytes in
            (
                UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self)),
                Int64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
            )
        }
        guard magic == SkippableFrame.blockMagic else { return .failure(Problem(reason: "no block header frame")) }
        let headerEnd = Int64(SkippableFrame.headerSize) + payloadLength
        guard payloadLength <= 1 << 20, headerEnd < remaining else { return .failure(Problem(reason: "block header frame is cut off")) }
        try file.read(count: Int(payloadLength), at: Int(offset) + SkippableFrame.headerSize, into: &buffer)
        guard let header = try? JSONDecoder().decode(BlockHeader.self, from: Data(buffer)) else {
            return .failure(Problem(reason: "unreadable block header"))
        }
        do { try header.validate("block header") } catch { return .failure(Problem(reason: "\(error)")) }
        guard Int64(header.rawBytes) <= CatalogLimits.maxRawBlockBytes, header.count > 0 else {
            return .failure(Problem(reason: "block header counts \(header.count) records in \(header.rawBytes) bytes"))
        }
        // A zstd frame is at most compressBound(content) plus its header and checksum.
        let bound = Int64(ZSTD_compressBound(header.rawBytes)) + 32
        let frameBytes = min(remaining - headerEnd, bound)
        try file.read(count: Int(frameBytes), at: Int(offset + headerEnd), into: &buffer)
        let frameLength = buffer.withUnsafeBytes { ZSTD_findFrameCompressedSize($0.baseAddress, $0.count) }
        guard ZSTD_isError(frameLength) == 0 else {
            return .failure(Problem(reason: "zstd frame is incomplete or damaged (\(String(cString: ZSTD_getErrorName(frameLength))))"))
        }
        let problem = buffer.withUnsafeBytes { bytes in
            decompressor.decompressFrame(UnsafeRawBufferPointer(rebasing: bytes[..<frameLength]), into: &records, limit: header.rawBytes)
        }
        if let problem { return .failure(Problem(reason: "zstd frame does not decompress: \(problem)")) }
        guard records.count == header.rawBytes, records.reduce(0, { $0 + ($1 == 0x0A ? 1 : 0) }) == header.count else {
            return .failure(Problem(reason: "block holds other records than its header says"))
        }
        return .success(Block(offset: offset, length: headerEnd + Int64(frameLength), header: header))
    }
}
