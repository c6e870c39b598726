public import Foundation

/// `manifest.json` of an export: what was exported, from where, and what each file holds, so that
/// `streamvault verify-export` (or an auditor's own script) can check the export without the archive.
///
/// Field by field in docs/EXPORT.md. Written with sorted keys; absent facts are `null`, never left out.
public struct ExportManifest: Codable, Sendable, Equatable {
    /// The manifest's own version (1).
    public var manifestVersion: Int
    /// `streamvault` and its version.
    public var tool: String
    public var toolVersion: String
    /// When the export was written (ISO 8601, UTC).
    public var createdAt: String
    /// The archived stream.
    public var stream: Stream
    /// The event-time range asked for: `from` inclusive, `to` exclusive (ISO 8601; `null` = open).
    public var range: TimeRange
    /// What selected records beyond the range (`--event-name`, key or TTL selection), as text.
    public var filters: [String]
    /// The record shape of the data lines (`native`, `plain`, `kds`, or `dynamodb-incremental`).
    public var format: String
    /// `streamvault` (data/part-NNNNN.ndjson[.zst]) or `dynamodb-incremental` (AWSDynamoDB/<id>/data/*.json.gz).
    public var layout: String
    /// `none`, `zstd` or `gzip`.
    public var compression: String
    /// Records in all data files.
    public var recordCount: Int
    /// The data files, in order (a file holds records of one shard).
    public var files: [File]
    /// Per shard: records and the first/last archived sequence numbers exported.
    public var shards: [Shard]
    /// Holes the archive knows of inside the range (records the stream trimmed before they were read).
    public var gaps: [Gap]
    /// Other files the export holds (DynamoDB's manifests), with their digests; covered by SHA256SUMS too.
    public var extraFiles: [File]
    /// The archive's audit-chain head when the export was written (`null` when the archive keeps no audit log).
    public var auditChainHead: String?
    /// Snapshots: the moment the items are as of (ISO 8601; changes at or before it count); `null` for exports.
    public var snapshotAt: String?
    /// Snapshots written with `--allow-gaps`: why the archive could not prove them complete (empty otherwise).
    public var incompleteBecause: [String]

    public struct Stream: Codable, Sendable, Equatable {
        public var name: String
        public var arn: String?
        public var region: String?
        public var tableName: String?
        public var viewType: String?
    }

    public struct TimeRange: Codable, Sendable, Equatable {
        public var from: String?
        public var to: String?
    }

    public struct File: Codable, Sendable, Equatable {
        /// Path relative to the export directory.
        public var name: String
        /// The shard whose records the file holds (`null` for non-data files).
        public var shard: String?
        public var records: Int
        public var size: Int
        public var sha256: String
    }

    public struct Shard: Codable, Sendable, Equatable {
        public var shard: String
        public var records: Int
        public var firstSequenceNumber: String
        public var lastSequenceNumber: String
    }

    public struct Gap: Codable, Sendable, Equatable {
        public var shard: String
        /// The last sequence number archived before the hole (`null`: before the shard's first archived record).
        public var afterSequenceNumber: String?
        public var detectedAt: String
        public var reason: String
    }

    /// The manifest's file name.
    public static let fileName = "manifest.json"

    /// The manifest as written: pretty, sorted keys, `null` for absent values.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// Reads a manifest.
    public static func decode(_ data: Data) throws -> ExportManifest {
        try JSONDecoder().decode(ExportManifest.self, from: data)
    }

    enum CodingKeys: String, CodingKey {
        case manifestVersion, tool, toolVersion, createdAt, stream, range, filters, format, layout, compression, recordCount
        case files, shards, gaps, extraFiles, auditChainHead, snapshotAt, incompleteBecause
    }

    public init(
        manifestVersion: Int = 1,
        tool: String = "streamvault",
        toolVersion: String,
        createdAt: String,
        stream: Stream,
        range: TimeRange,
        filters: [String],
        format: String,
        layout: String,
        compression: String,
        recordCount: Int,
        files: [File],
        shards: [Shard],
        gaps: [Gap],
        extraFiles: [File],
        auditChainHead: String?,
        snapshotAt: String? = nil,
        incompleteBecause: [String] = []
    ) {
        self.manifestVersion = manifestVersion
        self.tool = tool
        self.toolVersion = toolVersion
        self.createdAt = createdAt
        self.stream = stream
        self.range = range
        self.filters = filters
        self.format = format
        self.layout = layout
        self.compression = compression
        self.recordCount = recordCount
        self.files = files
        self.shards = shards
        self.gaps = gaps
        self.extraFiles = extraFiles
        self.auditChainHead = auditChainHead
        self.snapshotAt = snapshotAt
        self.incompleteBecause = incompleteBecause
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        manifestVersion = try c.decode(Int.self, forKey: .manifestVersion)
        tool = try c.decode(String.self, forKey: .tool)
        toolVersion = try c.decode(String.self, forKey: .toolVersion)
        createdAt = try c.decode(String.self, forKey: .createdAt)
        stream = try c.decode(Stream.self, forKey: .stream)
        range = try c.decode(TimeRange.self, forKey: .range)
        filters = try c.decode([String].self, forKey: .filters)
        format = try c.decode(String.self, forKey: .format)
        layout = try c.decode(String.self, forKey: .layout)
        compression = try c.decode(String.self, forKey: .compression)
        recordCount = try c.decode(Int.self, forKey: .recordCount)
        files = try c.decode([File].self, forKey: .files)
        shards = try c.decode([Shard].self, forKey: .shards)
        gaps = try c.decode([Gap].self, forKey: .gaps)
        extraFiles = try c.decode([File].self, forKey: .extraFiles)
        auditChainHead = try c.decodeIfPresent(String.self, forKey: .auditChainHead)
        snapshotAt = try c.decodeIfPresent(String.self, forKey: .snapshotAt)
        incompleteBecause = try c.decodeIfPresent([String].self, forKey: .incompleteBecause) ?? []
    }

    // Written by hand only so that `auditChainHead: null` appears (synthesized Codable leaves nil out).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(manifestVersion, forKey: .manifestVersion)
        try c.encode(tool, forKey: .tool)
        try c.encode(toolVersion, forKey: .toolVersion)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(stream, forKey: .stream)
        try c.encode(range, forKey: .range)
        try c.encode(filters, forKey: .filters)
        try c.encode(format, forKey: .format)
        try c.encode(layout, forKey: .layout)
        try c.encode(compression, forKey: .compression)
        try c.encode(recordCount, forKey: .recordCount)
        try c.encode(files, forKey: .files)
        try c.encode(shards, forKey: .shards)
        try c.encode(gaps, forKey: .gaps)
        try c.encode(extraFiles, forKey: .extraFiles)
        try c.encode(auditChainHead, forKey: .auditChainHead)
        try c.encode(snapshotAt, forKey: .snapshotAt)
        try c.encode(incompleteBecause, forKey: .incompleteBecause)
    }
}

extension ExportManifest.Stream {
    // Absent facts are written as null.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(arn, forKey: .arn)
        try c.encode(region, forKey: .region)
        try c.encode(tableName, forKey: .tableName)
        try c.encode(viewType, forKey: .viewType)
    }
}

extension ExportManifest.TimeRange {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
    }
}

extension ExportManifest.File {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(shard, forKey: .shard)
        try c.encode(records, forKey: .records)
        try c.encode(size, forKey: .size)
        try c.encode(sha256, forKey: .sha256)
    }
}

extension ExportManifest.Gap {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(shard, forKey: .shard)
        try c.encode(afterSequenceNumber, forKey: .afterSequenceNumber)
        try c.encode(detectedAt, forKey: .detectedAt)
        try c.encode(reason, forKey: .reason)
    }
}
