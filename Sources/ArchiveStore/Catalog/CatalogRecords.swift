public import GRDB
import StreamModel

// Catalog rows as GRDB records. Each decodes through ``CatalogRow``: a wrong type, a NULL or an out-of-range
// value is an ``ArchiveError`` naming the table, row id and column (GRDB's own decoding would trap or name
// no row), and names and ranges are checked before anything uses them to open or read a file.

extension StreamInfo: FetchableRecord {
    public init(row: Row) throws {
        let r = CatalogRow(row, table: "streams")
        let name = try r.string("name")
        do { try StorageLayout.validateStreamName(name) } catch { throw r.damaged("name", "holds '\(name.prefix(40))', which is not a stream name") }
        self = StreamInfo(
            id: try r.int64("id"),
            name: name,
            source: try r.parsed("source", "file, dynamodb-streams or kinesis") { StreamSourceKind(rawValue: $0) },
            arn: try r.optionalString("arn"),
            region: try r.optionalString("region"),
            tableName: try r.optionalString("table_name"),
            viewType: try r.optionalString("view_type"),
            retentionDays: Int(try r.int64("retention_days", in: 0...1_000_000)),
            maxBlockSpanMillis: try r.int64("max_block_span_ms", in: 0...Int64.max),
            createdAt: try r.int64("created_at")
        )
    }
}

extension ShardInfo: FetchableRecord {
    public init(row: Row) throws {
        let r = CatalogRow(row, table: "shards")
        self = ShardInfo(
            rowID: try r.int64("id"),
            streamID: try r.int64("stream_id"),
            shardID: try r.string("shard_id"),
            parentShardID: try r.optionalString("parent_shard_id"),
            adjacentParentShardID: try r.optionalString("adjacent_parent_shard_id"),
            dedupe: try r.parsed("dedupe", "sequence or event-id") { DedupeRule(rawValue: $0) },
            checkpoint: try r.optionalParsed("checkpoint_text", "a sequence number (digits)") { SequenceNumber($0) },
            recordCount: try r.int64("record_count", in: 0...Int64.max),
            closedAt: try r.optionalInt64("closed_at"),
            createdAt: try r.int64("created_at")
        )
    }
}

extension SegmentInfo: FetchableRecord {
    public init(row: Row) throws {
        let r = CatalogRow(row, table: "segments")
        let fileName = try r.string("file_name")
        guard CatalogLimits.isSegmentFileName(fileName) else {
            throw r.damaged(
                "file_name",
                "holds '\(fileName.prefix(60))', which is not a segment file name (like 20261123T184000Z-1a2b3c4d.ndjson.zst)"
            )
        }
        let minTime = try r.optionalInt64("min_time")
        let maxTime = try r.optionalInt64("max_time")
        if let minTime, let maxTime, minTime > maxTime { throw r.damaged("max_time", "holds \(maxTime), before min_time \(minTime)") }
        self = SegmentInfo(
            id: try r.int64("id"),
            streamID: try r.int64("stream_id"),
            fileName: fileName,
            state: try r.parsed("state", "open or sealed") { SegmentInfo.State(rawValue: $0) },
            committedBytes: try r.int64("committed_bytes", in: 0...Int64(Int32.max) << 16),
            blockCount: try r.int64("block_count", in: 0...Int64.max),
            recordCount: try r.int64("record_count", in: 0...Int64.max),
            rawBytes: try r.int64("raw_bytes", in: 0...Int64.max),
            minTime: minTime,
            maxTime: maxTime,
            sha256: try r.optionalString("sha256"),
            createdAt: try r.int64("created_at"),
            sealedAt: try r.optionalInt64("sealed_at")
        )
    }
}

extension BlockInfo: FetchableRecord {
    public init(row: Row) throws {
        let r = CatalogRow(row, table: "blocks")
        let minTime = try r.int64("min_time")
        let maxTime = try r.int64("max_time")
        guard minTime <= maxTime else { throw r.damaged("max_time", "holds \(maxTime), before min_time \(minTime)") }
        let firstSeq = try r.parsed("first_seq", "a zero-padded sequence number") { SequenceNumber(padded: $0) }
        let lastSeq = try r.parsed("last_seq", "a zero-padded sequence number") { SequenceNumber(padded: $0) }
        guard firstSeq.padded <= lastSeq.padded else { throw r.damaged("last_seq", "is below first_seq") }
        self = BlockInfo(
            id: try r.int64("id"),
            streamID: try r.int64("stream_id"),
            segmentID: try r.int64("segment_id"),
            shardRowID: try r.int64("shard_id"),
            offset: try r.int64("offset", in: Int64(SkippableFrame.headerSize)...(Int64(Int32.max) << 16)),
            length: try r.int64("length", in: Int64(SkippableFrame.headerSize + 1)...CatalogLimits.maxBlockBytes),
            recordCount: try r.int64("record_count", in: 1...CatalogLimits.maxRawBlockBytes),
            rawBytes: try r.int64("raw_bytes", in: 0...CatalogLimits.maxRawBlockBytes),
            firstSeq: firstSeq,
            lastSeq: lastSeq,
            minTime: minTime,
            maxTime: maxTime,
            format: try r.parsed("format", "a record format (native, lambda-dynamodb, kinesis-record, ...)") { RecordFormat(rawValue: $0) }
        )
    }
}
