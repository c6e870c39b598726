import Foundation
import GRDB

/// The catalog's migrations. A migration is never modified once it has shipped: add a new one.
enum CatalogSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: streams, shards, segments, blocks, event ids, gaps") { db in
            try db.execute(
                sql: """
                    CREATE TABLE streams (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        source TEXT NOT NULL,                    -- file | dynamodb-streams | kinesis
                        arn TEXT,
                        region TEXT,
                        table_name TEXT,
                        view_type TEXT,
                        retention_days INTEGER NOT NULL DEFAULT 365,
                        max_block_span_ms INTEGER NOT NULL DEFAULT 0, -- widest block time range: bounds window queries
                        created_at INTEGER NOT NULL               -- epoch ms
                    );
                    CREATE TABLE shards (
                        id INTEGER PRIMARY KEY,
                        stream_id INTEGER NOT NULL REFERENCES streams(id),
                        shard_id TEXT NOT NULL,
                        parent_shard_id TEXT,
                        dedupe TEXT NOT NULL CHECK (dedupe IN ('sequence', 'event-id')),
                        checkpoint TEXT,                          -- highest committed sequence number, zero-padded
                        checkpoint_text TEXT,                     -- the same number as the source wrote it (for AFTER_SEQUENCE_NUMBER)
                        record_count INTEGER NOT NULL DEFAULT 0,
                        closed_at INTEGER,
                        created_at INTEGER NOT NULL,
                        UNIQUE (stream_id, shard_id)
                    );
                    CREATE TABLE segments (
                        id INTEGER PRIMARY KEY,
                        stream_id INTEGER NOT NULL REFERENCES streams(id),
                        file_name TEXT NOT NULL,
                        state TEXT NOT NULL CHECK (state IN ('open', 'sealed')),
                        committed_bytes INTEGER NOT NULL,         -- file length covered by committed blocks
                        block_count INTEGER NOT NULL DEFAULT 0,
                        record_count INTEGER NOT NULL DEFAULT 0,
                        raw_bytes INTEGER NOT NULL DEFAULT 0,
                        min_time INTEGER,
                        max_time INTEGER,
                        sha256 TEXT,                              -- of the whole file, set when sealed
                        created_at INTEGER NOT NULL,
                        sealed_at INTEGER,
                        UNIQUE (stream_id, file_name)
                    );
                    CREATE UNIQUE INDEX one_open_segment_per_stream ON segments(stream_id) WHERE state = 'open';
                    CREATE TABLE blocks (
                        id INTEGER PRIMARY KEY,
                        stream_id INTEGER NOT NULL REFERENCES streams(id),
                        segment_id INTEGER NOT NULL REFERENCES segments(id),
                        shard_id INTEGER NOT NULL REFERENCES shards(id),
                        offset INTEGER NOT NULL,
                        length INTEGER NOT NULL,
                        record_count INTEGER NOT NULL,
                        raw_bytes INTEGER NOT NULL,
                        first_seq TEXT NOT NULL,
                        last_seq TEXT NOT NULL,
                        min_time INTEGER NOT NULL,
                        max_time INTEGER NOT NULL,
                        format TEXT NOT NULL
                    );
                    CREATE INDEX blocks_by_time ON blocks(stream_id, min_time);
                    CREATE INDEX blocks_by_shard_seq ON blocks(shard_id, last_seq);
                    CREATE INDEX blocks_by_segment ON blocks(segment_id, offset);
                    CREATE TABLE event_ids (
                        shard_id INTEGER NOT NULL,
                        event_id BLOB NOT NULL,
                        PRIMARY KEY (shard_id, event_id)
                    ) WITHOUT ROWID;
                    CREATE TABLE gaps (
                        id INTEGER PRIMARY KEY,
                        stream_id INTEGER NOT NULL REFERENCES streams(id),
                        shard_id INTEGER NOT NULL REFERENCES shards(id),
                        after_seq TEXT,                           -- last sequence number archived before the gap
                        detected_at INTEGER NOT NULL,
                        reason TEXT NOT NULL
                    );
                    """
            )
        }
        // Kinesis merges have two parents; v1 kept only the first.
        migrator.registerMigration("v2: second shard parent") { db in
            try db.execute(sql: "ALTER TABLE shards ADD COLUMN adjacent_parent_shard_id TEXT")
        }
        // `replay --name`: a replay to a handler that checkpoints after each batch and resumes with `--resume`.
        migrator.registerMigration("v3: named replays") { db in
            try db.execute(
                sql: """
                    CREATE TABLE replays (
                        name TEXT PRIMARY KEY,
                        stream TEXT NOT NULL,
                        arguments TEXT NOT NULL,                  -- JSON array: the replay's command-line options
                        state TEXT NOT NULL,                      -- running | completed | failed | stopped
                        pid INTEGER,                              -- the process running it (a dead one: interrupted)
                        checkpoint_shard TEXT,                    -- resume after this record (shard order)
                        checkpoint_seq TEXT,
                        checkpoints TEXT NOT NULL DEFAULT '{}',   -- JSON object: last done sequence number per shard
                        planned_records INTEGER,
                        records_delivered INTEGER NOT NULL DEFAULT 0,
                        records_failed INTEGER NOT NULL DEFAULT 0,
                        records_filtered INTEGER NOT NULL DEFAULT 0,
                        invocations INTEGER NOT NULL DEFAULT 0,
                        retries INTEGER NOT NULL DEFAULT 0,
                        created_at INTEGER NOT NULL,              -- epoch ms
                        updated_at INTEGER NOT NULL
                    );
                    """
            )
        }
        // Retention deletes whole sealed segments; holds protect time ranges; the audit log itself is a file
        // (storage/audit.ndjson) so that it survives `catalog rebuild`: these tables mirror what it records.
        migrator.registerMigration("v4: retention, holds and audit log") { db in
            try db.execute(
                sql: """
                    CREATE TABLE holds (
                        id INTEGER PRIMARY KEY,                   -- the number of the audit entry that added it
                        stream_id INTEGER NOT NULL REFERENCES streams(id),
                        from_time INTEGER NOT NULL,               -- epoch ms, inclusive
                        to_time INTEGER NOT NULL,                 -- epoch ms, inclusive
                        reason TEXT NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    CREATE TABLE segment_deletions (              -- retention deletions under way; finished on the next open
                        stream_id INTEGER NOT NULL REFERENCES streams(id),
                        file_name TEXT NOT NULL,
                        cutoff INTEGER NOT NULL,                  -- epoch ms: every record of the segment is older
                        started_at INTEGER NOT NULL,
                        PRIMARY KEY (stream_id, file_name)
                    );
                    ALTER TABLE shards ADD COLUMN trimmed_through TEXT; -- highest sequence number deleted by retention, zero-padded
                    """
            )
        }
        // Per-block Bloom filters of the item keys (BlockKeyFilter): `history --key` reads only blocks that may hold the item.
        // A block without a row (older, Kinesis-shaped, rebuilt) is always read. Rows go with their block.
        migrator.registerMigration("v5: block key filters") { db in
            try db.execute(
                sql: """
                    CREATE TABLE block_key_filters (
                        block_id INTEGER PRIMARY KEY REFERENCES blocks(id) ON DELETE CASCADE,
                        filter BLOB NOT NULL
                    )
                    """
            )
        }
        // Event-id dedupe (docs/FORMAT.md, "Event-id index"): one row per block with its records' 128-bit keys (EventIDKey,
        // 16 bytes each, in record order), going with their block, instead of one row per record. v5's rows become keys
        // in `event_id_keys`: they belong to blocks written before, and retention deletes them record by record.
        migrator.registerMigration("v6: compact event-id index") { db in
            try db.execute(
                sql: """
                    CREATE TABLE block_event_ids (
                        block_id INTEGER PRIMARY KEY REFERENCES blocks(id) ON DELETE CASCADE,
                        keys BLOB NOT NULL                        -- 16 bytes per record of the block, in record order
                    );
                    CREATE TABLE event_id_keys (                  -- keys of blocks written before v6 (no block_event_ids row)
                        shard_id INTEGER NOT NULL,
                        key BLOB NOT NULL,
                        PRIMARY KEY (shard_id, key)
                    ) WITHOUT ROWID;
                    """
            )
            let insert = try db.makeStatement(sql: "INSERT OR IGNORE INTO event_id_keys (shard_id, key) VALUES (?, ?)")
            let rows = try Row.fetchCursor(db, sql: "SELECT shard_id, event_id FROM event_ids")
            var key: [UInt8] = []
            while let row = try rows.next() {
                let r = CatalogRow(row, table: "event_ids")
                let id = try r.value("event_id", "an eventID", as: Data.self)
                key.removeAll(keepingCapacity: true)
                id.withUnsafeBytes { EventIDKey(eventID: $0.bindMemory(to: UInt8.self)).append(to: &key) }
                try insert.execute(arguments: [try r.int64("shard_id"), Data(key)])
            }
            try db.execute(sql: "DROP TABLE event_ids")
        }
        // The object-store tier: whether each sealed segment is in the bucket (and its index object), and whether the
        // local copy was evicted. NULL remote_state: on this disk only.
        migrator.registerMigration("v7: remote segments") { db in
            try db.execute(
                sql: """
                    ALTER TABLE segments ADD COLUMN remote_state TEXT CHECK (remote_state IN ('uploaded', 'remote-only'));
                    ALTER TABLE segments ADD COLUMN remote_etag TEXT;
                    ALTER TABLE segments ADD COLUMN uploaded_at INTEGER;   -- epoch ms
                    ALTER TABLE segments ADD COLUMN evicted_at INTEGER;    -- epoch ms: the local file was removed, reads go to the bucket
                    CREATE TABLE remote_deletions (               -- segments retention removed whose bucket copy is still to delete
                        stream_id INTEGER NOT NULL REFERENCES streams(id),
                        file_name TEXT NOT NULL,
                        requested_at INTEGER NOT NULL,            -- epoch ms
                        PRIMARY KEY (stream_id, file_name)
                    );
                    -- Whoever removes a segment's row (retention), its bucket copy follows: the uploader deletes it, index last.
                    CREATE TRIGGER remote_segment_removed AFTER DELETE ON segments WHEN OLD.remote_state IS NOT NULL
                    BEGIN
                        INSERT OR IGNORE INTO remote_deletions (stream_id, file_name, requested_at)
                        VALUES (OLD.stream_id, OLD.file_name, CAST(strftime('%s', 'now') AS INTEGER) * 1000);
                    END;
                    """
            )
        }
        return migrator
    }
}
