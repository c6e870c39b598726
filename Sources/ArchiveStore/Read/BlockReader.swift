import Foundation
import GRDB
public import StreamModel
import SystemPackage

/// Reads committed blocks back: one `pread` per block, header check, zstd decompression with checksum.
///
/// Keeps segment files open across calls and reuses its buffers, so reading a block allocates nothing
/// once warm. Not thread-safe; one reader per task.
public final class BlockReader {
    public let layout: StorageLayout
    public let catalog: Catalog
    private let decompressor: ZstdDecompressor
    private var files: [Int64: FileIO] = [:]
    private var compressed: [UInt8] = []
    /// The records of the last block read: newline-terminated JSON lines.
    public private(set) var records: [UInt8] = []

    public init(layout: StorageLayout, catalog: Catalog) throws {
        self.layout = layout
        self.catalog = catalog
        self.decompressor = try ZstdDecompressor()
    }

    deinit {
        for file in files.values { file.close() }
    }

    /// Reads and decompresses `block`; its records are then in ``records``.
    /// - Returns: the block's header as stored in the segment.
    @discardableResult
    public func read(_ block: BlockInfo) throws -> BlockHeader {
        let file = try file(for: block.segmentID, streamID: block.streamID)
        try file.read(count: Int(block.length), at: Int(block.offset), into: &compressed)
        let where_ = "block at byte \(block.offset) of segment '\(file.path)'"
        return try compressed.withUnsafeBytes { bytes in
            guard let frame = SkippableFrame.parse(bytes), frame.magic == SkippableFrame.blockMagic else {
                throw ArchiveError(
                    code: .segmentCorrupt,
                    message: "The \(where_) does not start with a block header frame. Run `streamvault verify`."
                )
            }
            let header: BlockHeader
            do {
                header = try JSONDecoder().decode(BlockHeader.self, from: Data(bytes[frame.payload]))
            } catch {
                throw ArchiveError(code: .segmentCorrupt, message: "The \(where_) has an unreadable header (\(error)). Run `streamvault verify`.")
            }
            let body = UnsafeRawBufferPointer(rebasing: bytes[frame.payload.upperBound...])
            if let problem = decompressor.decompressFrame(body, into: &records) {
                throw ArchiveError(code: .segmentCorrupt, message: "The \(where_) does not decompress: \(problem). Run `streamvault verify`.")
            }
            return header
        }
    }

    /// Calls `body` with each record (without its newline) of the last block read.
    public func forEachRecord(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        try records.withUnsafeBufferPointer { all in
            var start = 0
            let count = all.count
            while start < count {
                var end = start
                while end < count && all[end] != 0x0A { end += 1 }
                try body(UnsafeBufferPointer(rebasing: all[start..<end]))
                start = end + 1
            }
        }
    }

    /// Path of a segment file by catalog id.
    public func segmentPath(_ segmentID: Int64, streamID: Int64) throws -> String {
        try file(for: segmentID, streamID: streamID).path
    }

    private func file(for segmentID: Int64, streamID: Int64) throws -> FileIO {
        if let file = files[segmentID] { return file }
        guard let segment = try catalog.segment(id: segmentID) else {
            throw ArchiveError(code: .catalogMismatch, message: "Block refers to segment \(segmentID), which the catalog does not have.")
        }
        let streamName =
            try catalog.database.read { db in try String.fetchOne(db, sql: "SELECT name FROM streams WHERE id = ?", arguments: [streamID]) } ?? "?"
        let path = layout.segmentPath(stream: streamName, fileName: segment.fileName)
        let file = try FileIO.open(path, .readOnly)
        if files.count > 64 {  // bound open descriptors on year-long replays
            for f in files.values { f.close() }
            files.removeAll()
        }
        files[segmentID] = file
        return file
    }
}
