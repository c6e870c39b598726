import GRDB
import StreamModel

/// The catalog's own consistency, checked by `streamvault verify` before the files: SQLite's integrity
/// check (indexes against tables), every row readable, totals that agree (blocks vs segments vs shards),
/// blocks inside their segment's committed bytes, and the indexes' answers against a table scan.
///
/// A damaged index makes window replays silently miss blocks; this is what catches it.
enum CatalogChecks {
    /// A column's value for a message, whatever its type.
    private static func v(_ row: Row, _ column: String) -> String {
        (row[column] as DatabaseValue?).map { $0.isNull ? "NULL" : "\($0)" } ?? "?"
    }

    /// Appends a finding for each problem; returns `false` when rows cannot be read at all (then checking
    /// the files against them is pointless).
    static func run(_ catalog: Catalog, into findings: inout [ArchiveVerifier.Finding]) throws -> Bool {
        do {
            return try runChecks(catalog, into: &findings)
        } catch {
            // SQLite stops at a page it cannot parse (integrity_check included): that is the finding.
            guard let damage = CatalogDamage.error(explaining: error, catalogPath: catalog.database.path) else { throw error }
            findings.append(ArchiveVerifier.Finding(stream: "", segment: "", message: damage.message, isDamage: true))
            return false
        }
    }

    private static func runChecks(_ catalog: Catalog, into findings: inout [ArchiveVerifier.Finding]) throws -> Bool {
        try catalog.database.read { db in
            func damage(_ message: String, stream: String = "") {
                findings.append(ArchiveVerifier.Finding(stream: stream, segment: "", message: message, isDamage: true))
            }
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check(50)")
            if integrity != ["ok"] {
                for line in integrity { damage("SQLite integrity check: \(line)") }
            }

            // Every row must decode (types, ranges, names); the first bad row of each table is named.
            var readable = true
            let tables: [(String, (Row) throws -> Void)] = [
                ("streams", { _ = try StreamInfo(row: $0) }),
                ("shards", { _ = try ShardInfo(row: $0) }),
                ("segments", { _ = try SegmentInfo(row: $0) }),
                ("blocks", { _ = try BlockInfo(row: $0) }),
            ]
            for (table, decode) in tables {
                let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \(table) NOT INDEXED ORDER BY id")
                var bad = 0
                while let row = try rows.next() {
                    do { try decode(row) } catch let error as ArchiveError {
                        bad += 1
                        if bad <= 5 { damage(error.message) }
                    }
                }
                if bad > 5 { damage("\(bad - 5) more unreadable rows in table '\(table)'") }
                if bad > 0 { readable = false }
            }
            guard readable else { return false }

            // References: blocks point at segments and shards of their own stream.
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT b.id, b.stream_id, g.stream_id AS segment_stream, s.stream_id AS shard_stream FROM blocks b NOT INDEXED
                    LEFT JOIN segments g ON g.id = b.segment_id LEFT JOIN shards s ON s.id = b.shard_id
                    WHERE g.stream_id IS NOT b.stream_id OR s.stream_id IS NOT b.stream_id LIMIT 20
                    """
            ) {
                damage("table 'blocks', row \(v(row, "id")): its segment or shard is missing or belongs to another stream")
            }

            // Segment totals against their blocks (a table scan, no index trusted).
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT g.id, g.file_name, t.name AS stream, g.block_count, g.record_count, g.raw_bytes, g.min_time, g.max_time, g.committed_bytes,
                        coalesce(b.n, 0) AS n, coalesce(b.records, 0) AS records, coalesce(b.raw, 0) AS raw, b.lo, b.hi, coalesce(b.last_end, 0) AS last_end
                    FROM segments g NOT INDEXED JOIN streams t ON t.id = g.stream_id
                    LEFT JOIN (SELECT segment_id, count(*) AS n, sum(record_count) AS records, sum(raw_bytes) AS raw, min(min_time) AS lo,
                        max(max_time) AS hi, max(offset + length) AS last_end FROM blocks NOT INDEXED GROUP BY segment_id) b ON b.segment_id = g.id
                    WHERE g.block_count != coalesce(b.n, 0) OR g.record_count != coalesce(b.records, 0) OR g.raw_bytes != coalesce(b.raw, 0)
                        OR g.min_time IS NOT b.lo OR g.max_time IS NOT b.hi OR coalesce(b.last_end, 0) > g.committed_bytes
                    """
            ) {
                let name: String = (row["file_name"] as String?) ?? "?"
                let stream: String = (row["stream"] as String?) ?? ""
                let id = v(row, "id")
                let lastEnd = row["last_end"] as DatabaseValue? ?? .null
                let committed = row["committed_bytes"] as DatabaseValue? ?? .null
                if let end = Int64.fromDatabaseValue(lastEnd), let length = Int64.fromDatabaseValue(committed), end > length {
                    damage("segment \(name) (row \(id)): blocks end at byte \(end), past its committed length \(length)", stream: stream)
                }
                let counts = "blocks \(v(row, "block_count")), records \(v(row, "record_count")), raw bytes \(v(row, "raw_bytes"))"
                let actual = "\(v(row, "n")) blocks, \(v(row, "records")) records, \(v(row, "raw")) raw bytes"
                damage("segment \(name) (row \(id)) says \(counts) and its time range; its block rows add up to \(actual)", stream: stream)
            }

            // Shard totals and checkpoints against their blocks.
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT s.id, s.shard_id, t.name AS stream, s.record_count, coalesce(b.records, 0) AS records, s.checkpoint, b.highest
                    FROM shards s NOT INDEXED JOIN streams t ON t.id = s.stream_id
                    LEFT JOIN (SELECT shard_id, sum(record_count) AS records, max(last_seq) AS highest FROM blocks NOT INDEXED GROUP BY shard_id) b
                        ON b.shard_id = s.id
                    WHERE s.record_count != coalesce(b.records, 0) OR (b.highest IS NOT NULL AND coalesce(s.checkpoint, '') < b.highest)
                    """
            ) {
                let shard: String = (row["shard_id"] as String?) ?? "?"
                let stream: String = (row["stream"] as String?) ?? ""
                let said = v(row, "record_count")
                let actual = v(row, "records")
                if said != actual {
                    damage("shard \(shard) (row \(v(row, "id"))) says \(said) records; its blocks hold \(actual)", stream: stream)
                } else {
                    damage(
                        "shard \(shard) (row \(v(row, "id"))): its checkpoint is below the highest archived sequence number "
                            + "(the next run would archive records again)",
                        stream: stream
                    )
                }
            }

            // Window queries reach back by the widest block span: a smaller value hides blocks.
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT t.name, t.max_block_span_ms, max(b.max_time - b.min_time) AS widest FROM streams t
                    JOIN blocks b NOT INDEXED ON b.stream_id = t.id GROUP BY t.id HAVING widest > t.max_block_span_ms
                    """
            ) {
                damage(
                    "streams.max_block_span_ms is \(v(row, "max_block_span_ms")) but a block spans \(v(row, "widest")) ms: "
                        + "time-window replays would miss blocks",
                    stream: (row["name"] as String?) ?? ""
                )
            }

            // Each index's stored values against the table (covering queries read the values from the index).
            let indexChecks: [(index: String, column: String, lead: String)] = [
                ("blocks_by_time", "min_time", "stream_id"),
                ("blocks_by_shard_seq", "last_seq", "shard_id"),
                ("blocks_by_segment", "offset", "segment_id"),
            ]
            for check in indexChecks {
                // Both sides in id order, compared in step: memory stays flat however many blocks there are.
                let columns = "id, \(check.lead) AS k, \(check.column) AS v"
                let scan = try Row.fetchCursor(db, sql: "SELECT \(columns) FROM blocks NOT INDEXED ORDER BY id")
                let viaIndex = try Row.fetchCursor(
                    db,
                    sql: "SELECT \(columns) FROM blocks INDEXED BY \(check.index) WHERE \(check.lead) >= -9223372036854775808 ORDER BY id"
                )
                var rows = 0
                var entries = 0
                var wrong = 0
                var fromTable = try scan.next()
                var fromIndex = try viaIndex.next()
                while fromTable != nil || fromIndex != nil {
                    let tableKey = fromTable.map { "\(v($0, "id"))|\(v($0, "k"))|\(v($0, "v"))" }
                    let indexKey = fromIndex.map { "\(v($0, "id"))|\(v($0, "k"))|\(v($0, "v"))" }
                    let tableID = fromTable.flatMap { Int64.fromDatabaseValue($0["id"] as DatabaseValue? ?? .null) } ?? .max
                    let indexID = fromIndex.flatMap { Int64.fromDatabaseValue($0["id"] as DatabaseValue? ?? .null) } ?? .max
                    if tableID == indexID {
                        if tableKey != indexKey { wrong += 1 }
                        rows += 1
                        entries += 1
                        fromTable = try scan.next()
                        fromIndex = try viaIndex.next()
                    } else if tableID < indexID {
                        wrong += 1  // a row without an index entry
                        rows += 1
                        fromTable = try scan.next()
                    } else {
                        wrong += 1  // an index entry without its row
                        entries += 1
                        fromIndex = try viaIndex.next()
                    }
                }
                if wrong > 0 {
                    damage(
                        "index \(check.index) disagrees with table blocks (\(wrong) entries differ, \(entries) entries for \(rows) rows): "
                            + "queries through it return wrong blocks. Run `REINDEX \(check.index)` on the catalog, or `streamvault catalog rebuild --force`"
                    )
                }
            }
            return true
        }
    }
}
