public import Foundation
import StreamModel

/// The small JSON object written to the bucket after each segment (`<prefix>/<stream>/index/<file>.json`): the
/// segment's catalog rows, so a node can fill its catalog from the bucket without reading the segments
/// (`streamvault catalog sync`). Format in docs/SCALING.md; `version` changes only with an incompatible change.
public struct SegmentIndexObject: Codable, Sendable, Equatable {
    /// A shard that has blocks in the segment.
    public struct Shard: Codable, Sendable, Equatable {
        public var shard: String
        public var parent: String?
        public var adjacentParent: String?
        /// `sequence` or `event-id` (``DedupeRule``).
        public var dedupe: String
    }

    /// One block: where it is in the segment and what it holds.
    public struct Block: Codable, Sendable, Equatable {
        public var offset: Int64
        public var length: Int64
        public var shard: String
        public var count: Int64
        public var rawBytes: Int64
        /// Sequence numbers as decimal text.
        public var firstSeq: String
        public var lastSeq: String
        /// Event times, epoch ms.
        public var minTime: Int64
        public var maxTime: Int64
        /// ``RecordFormat`` raw value.
        public var format: String
    }

    public static let currentVersion = 1

    public var version: Int
    public var stream: String
    /// The stream's ``StreamSourceKind`` raw value (`file`, `dynamodb-streams`, `kinesis`).
    public var source: String?
    public var file: String
    /// The segment's length and SHA-256 (hex), as sealed.
    public var bytes: Int64
    public var sha256: String
    public var recordCount: Int64
    public var rawBytes: Int64
    public var minTime: Int64?
    public var maxTime: Int64?
    public var createdAt: Int64
    public var sealedAt: Int64?
    public var shards: [Shard]
    public var blocks: [Block]

    /// The index of a sealed segment, from the catalog.
    /// - Throws: ``ArchiveError`` if the segment is not sealed or a block names a shard the catalog lacks.
    public static func make(catalog: Catalog, stream: StreamInfo, segment: SegmentInfo) throws -> SegmentIndexObject {
        guard segment.state == .sealed, let sha256 = segment.sha256 else {
            throw ArchiveError(code: .invalidArgument, message: "Segment '\(segment.fileName)' is not sealed: only sealed segments go to the bucket.")
        }
        let shardRows = Dictionary(try catalog.shards(streamID: stream.id).map { ($0.rowID, $0) }, uniquingKeysWith: { first, _ in first })
        var shards: [Shard] = []
        var seen = Set<Int64>()
        var blocks: [Block] = []
        for block in try catalog.blocks(segmentID: segment.id) {
            guard let shard = shardRows[block.shardRowID] else {
                throw ArchiveError(
                    code: .catalogMismatch,
                    message: "Block \(block.id) of segment '\(segment.fileName)' names shard row \(block.shardRowID), which the catalog lacks. "
                        + "Run `streamvault verify`."
                )
            }
            if seen.insert(shard.rowID).inserted {
                shards.append(
                    Shard(
                        shard: shard.shardID,
                        parent: shard.parentShardID,
                        adjacentParent: shard.adjacentParentShardID,
                        dedupe: shard.dedupe.rawValue
                    )
                )
            }
            blocks.append(
                Block(
                    offset: block.offset,
                    length: block.length,
                    shard: shard.shardID,
                    count: block.recordCount,
                    rawBytes: block.rawBytes,
                    firstSeq: block.firstSeq.text,
                    lastSeq: block.lastSeq.text,
                    minTime: block.minTime,
                    maxTime: block.maxTime,
                    format: block.format.rawValue
                )
            )
        }
        return SegmentIndexObject(
            version: currentVersion,
            stream: stream.name,
            source: stream.source.rawValue,
            file: segment.fileName,
            bytes: segment.committedBytes,
            sha256: sha256,
            recordCount: segment.recordCount,
            rawBytes: segment.rawBytes,
            minTime: segment.minTime,
            maxTime: segment.maxTime,
            createdAt: segment.createdAt,
            sealedAt: segment.sealedAt,
            shards: shards,
            blocks: blocks
        )
    }

    /// The object's bytes: compact JSON with sorted keys (the same rows always give the same bytes).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do { return try encoder.encode(self) } catch {
            throw ArchiveError(code: .invalidArgument, message: "Could not encode the index object of '\(file)': \(error).")
        }
    }

    /// Reads an index object; `key` names it in errors.
    /// - Throws: ``ArchiveError`` (`invalidInput`) naming the key and the field that is wrong.
    public static func decode(_ data: Data, key: String) throws -> SegmentIndexObject {
        let index: SegmentIndexObject
        do {
            index = try JSONDecoder().decode(SegmentIndexObject.self, from: data)
        } catch let DecodingError.keyNotFound(field, context) {
            throw invalid(key, (context.codingPath + [field]).map(\.stringValue).joined(separator: "."), "is missing")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw invalid(key, context.codingPath.map(\.stringValue).joined(separator: "."), "has the wrong type")
        } catch {
            throw invalid(key, "$", "is not JSON")
        }
        guard index.version == currentVersion else {
            throw invalid(key, "version", "is \(index.version); this StreamVault reads version \(currentVersion) (upgrade it)")
        }
        guard CatalogLimits.isSegmentFileName(index.file) else { throw invalid(key, "file", "is not a segment file name") }
        for (n, block) in index.blocks.enumerated() {
            guard SequenceNumber(block.firstSeq) != nil, SequenceNumber(block.lastSeq) != nil, block.minTime <= block.maxTime,
                block.length > 0, block.offset > 0, block.offset + block.length <= index.bytes, RecordFormat(rawValue: block.format) != nil,
                index.shards.contains(where: { $0.shard == block.shard })
            else { throw invalid(key, "blocks[\(n)]", "is inconsistent (sequence numbers, times, offsets, format or shard)") }
        }
        return index
    }

    private static func invalid(_ key: String, _ path: String, _ problem: String) -> ArchiveError {
        ArchiveError(
            code: .invalidInput,
            message: "Index object '\(key)': field \(path) \(problem). Re-upload the segment from a node that has it, or delete the index "
                + "object and run `streamvault catalog rebuild` where the segment file is."
        )
    }
}
