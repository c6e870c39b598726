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
    private var files: [Int64: OpenSegment] = [:]
    private var compressed: [UInt8] = []
    /// The records of the last block read: newline-terminated JSON lines.
    public private(set) var records: [UInt8] = []
    /// Where blocks of segments that are not on this disk are read from (evicted, or known from `catalog sync`).
    /// Default: the bucket of `<storage>/bucket.json`, looked up at the first such segment.
    public var remote: RemoteBlockSource?
    private var remoteLookedUp = false
    private var remoteSegments: [Int64: (stream: String, segment: SegmentInfo)] = [:]
    /// Blocks read from the bucket (ranged GETs) by this reader.
    public private(set) var remoteBlocksRead = 0

    public init(layout: StorageLayout, catalog: Catalog) throws {
        self.layout = layout
        self.catalog = catalog
        self.decompressor = try ZstdDecompressor()
    }

    deinit {
        for file in files.values { file.io.close() }
    }

    /// Reads and decompresses `block`; its records are then in ``records``.
    /// - Returns: the block's header as stored in the segment.
    @discardableResult
    public func read(_ block: BlockInfo) throws -> BlockHeader {
        let where_: String
        if let found = try remoteSegment(for: block) {
            let (stream, segment) = found
            let (end, overflow) = block.offset.addingReportingOverflow(block.length)
            guard !overflow, end <= segment.committedBytes, let remote else {
                throw ArchiveError(
                    code: .catalogCorrupt,
                    message: "The catalog is damaged: table 'blocks', row \(block.id) places a block at bytes \(block.offset)+\(block.length) of "
                        + "segment '\(segment.fileName)', past its committed length \(segment.committedBytes). Run `streamvault catalog sync` again."
                )
            }
            try remote.read(stream: stream, fileName: segment.fileName, offset: block.offset, length: block.length, into: &compressed)
            remoteBlocksRead += 1
            where_ =
                "block at byte \(block.offset) of segment '\(remote.location.segmentKey(stream: stream, fileName: segment.fileName))' in the bucket"
        } else {
            let file = try checkedFile(for: block)
            try file.io.read(count: Int(block.length), at: Int(block.offset), into: &compressed)
            where_ = "block at byte \(block.offset) of segment '\(file.io.path)'"
        }
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
            // The catalog's raw size bounds the allocation: a damaged frame cannot ask for gigabytes.
            if let problem = decompressor.decompressFrame(body, into: &records, limit: Int(block.rawBytes)) {
                throw ArchiveError(code: .segmentCorrupt, message: "The \(where_) does not decompress: \(problem). Run `streamvault verify`.")
            }
            return header
        }
    }

    /// The block's segment file, once the block is known to lie inside it: within the segment's committed
    /// bytes (the catalog) and within the file (the disk).
    private func checkedFile(for block: BlockInfo) throws -> OpenSegment {
        var file = try file(for: block.segmentID, streamID: block.streamID)
        let (end, overflow) = block.offset.addingReportingOverflow(block.length)
        if !overflow && end > file.segment.committedBytes && file.segment.state == .open {
            // A live writer may have committed since the segment row was read.
            files[block.segmentID] = nil
            file.io.close()
            file = try self.file(for: block.segmentID, streamID: block.streamID)
        }
        guard !overflow, end <= file.segment.committedBytes else {
            throw ArchiveError(
                code: .catalogCorrupt,
                message: "The catalog is damaged: table 'blocks', row \(block.id) places a block at bytes \(block.offset)+\(block.length) of segment "
                    + "'\(file.segment.fileName)', past its committed length \(file.segment.committedBytes). Run `streamvault verify`; "
                    + "`streamvault catalog rebuild --force` rebuilds the catalog from the segment files."
            )
        }
        if end > file.size {
            file.size = try file.io.size()
            files[block.segmentID] = file
            guard end <= file.size else {
                throw ArchiveError(
                    code: .segmentCorrupt,
                    message: "Segment '\(file.io.path)' is \(file.size) bytes, but its block at byte \(block.offset) ends at \(end): the file was "
                        + "truncated. Run `streamvault verify`; restore the file from a backup, or run `streamvault repair --stream NAME` to cut "
                        + "the segment back to its last intact block (the records after it are lost)."
                )
            }
        }
        return file
    }

    /// The segment of `block` when it is to be read from the bucket: sealed, in the bucket, and its file not on this disk.
    private func remoteSegment(for block: BlockInfo) throws -> (String, SegmentInfo)? {
        if let known = remoteSegments[block.segmentID] { return known }
        if files[block.segmentID] != nil { return nil }
        guard let segment = try catalog.segment(id: block.segmentID), segment.state == .sealed,
            let stream = try catalog.stream(id: block.streamID)
        else { return nil }
        guard !FileIO.exists(layout.segmentPath(stream: stream.name, fileName: segment.fileName)),
            try catalog.remoteState(segmentID: segment.id)?.state != nil
        else { return nil }
        if remote == nil && !remoteLookedUp {
            remoteLookedUp = true
            remote = try RemoteBlockSource.configured(for: layout)
        }
        guard remote != nil else { return nil }
        remoteSegments[block.segmentID] = (stream.name, segment)
        return (stream.name, segment)
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
        try file(for: segmentID, streamID: streamID).io.path
    }

    /// Sets the file's access time to now (its modification time stays): eviction removes the least recently read
    /// segments first (``SegmentEviction``). Best effort: a read-only archive is still read.
    static func markRead(_ path: String) {
        #if os(Linux)
        let now = Int((1 << 30) - 1)  // UTIME_NOW
        let omit = Int((1 << 30) - 2)  // UTIME_OMIT
        #else
        let now = -1
        let omit = -2
        #endif
        var times = [timespec(tv_sec: 0, tv_nsec: now), timespec(tv_sec: 0, tv_nsec: omit)]
        _ = utimensat(AT_FDCWD, path, &times, 0)
    }

    private struct OpenSegment {
        var io: FileIO
        var segment: SegmentInfo
        var size: Int
    }

    private func file(for segmentID: Int64, streamID: Int64) throws -> OpenSegment {
        if let file = files[segmentID] { return file }
        guard let segment = try catalog.segment(id: segmentID) else {
            throw ArchiveError(code: .catalogMismatch, message: "Block refers to segment \(segmentID), which the catalog does not have.")
        }
        guard segment.streamID == streamID else {
            throw ArchiveError.catalogDamaged(
                table: "segments",
                rowID: "\(segmentID)",
                column: "stream_id",
                problem: "holds \(segment.streamID), but a block of stream \(streamID) lies in it"
            )
        }
        guard let stream = try catalog.stream(id: streamID) else {
            throw ArchiveError(
                code: .catalogMismatch,
                message: "Segment \(segmentID) belongs to stream \(streamID), which the catalog does not have."
            )
        }
        let path = layout.segmentPath(stream: stream.name, fileName: segment.fileName)
        let io = try FileIO.open(path, .readOnly)
        let size: Int
        do { size = try io.size() } catch {
            io.close()
            throw error
        }
        if files.count > 64 {  // bound open descriptors on year-long replays
            for f in files.values { f.io.close() }
            files.removeAll()
        }
        if segment.state == .sealed { Self.markRead(path) }
        let file = OpenSegment(io: io, segment: segment, size: size)
        files[segmentID] = file
        return file
    }
}
