import Foundation
import StreamVaultTesting
import Testing

/// A damaged catalog (hostile or corrupted rows, a wrong index): commands fail with a message naming the
/// table, row and column, never crash, never follow a path out of the storage directory, and `verify`
/// exits 1 naming the problem.
@Suite(.timeLimit(.minutes(5)))
struct CatalogDamageTests {
    /// An archive of 2 shards x 150 records in several blocks.
    static func archive() throws -> CLIWorkspace {
        let ws = try CLIWorkspace()
        for file in try SampleFiles.perShard(in: ws.directory.path, records: 300, shards: 2) {
            try ws.ok(["ingest", "--stream", "orders", "--shard", file.shard, "--block-kib", "8", file.path])
        }
        return ws
    }

    /// Runs SQL on the archive's catalog with the sqlite3 shell.
    static func damage(_ ws: CLIWorkspace, _ sql: String) throws {
        let result = try CommandRunner.run("sqlite3", [ws.storage + "/catalog.sqlite", sql])
        #expect(result.status == 0, "sqlite3: \(result.stderr)")
    }

    struct Damage: Sendable, CustomTestStringConvertible {
        var sql: String
        /// What `verify` must say.
        var finding: String
        var testDescription: String { sql }
    }

    static let damages: [Damage] = [
        // An index whose entries are another column's values: the window replay of the issue found 0 of 14.
        Damage(
            sql: """
                DROP INDEX blocks_by_time; CREATE INDEX blocks_by_time ON blocks(stream_id, max_time); PRAGMA writable_schema = ON;
                UPDATE sqlite_schema SET sql = 'CREATE INDEX blocks_by_time ON blocks(stream_id, min_time)' WHERE name = 'blocks_by_time';
                """,
            finding: "index blocks_by_time disagrees with table blocks"
        ),
        Damage(sql: "UPDATE segments SET record_count = record_count + 5", finding: "its block rows add up to"),
        Damage(sql: "UPDATE shards SET record_count = 7 WHERE id = 1", finding: "says 7 records; its blocks hold 150"),
        Damage(sql: "UPDATE streams SET max_block_span_ms = 0", finding: "time-window replays would miss blocks"),
        Damage(sql: "DELETE FROM blocks WHERE id = 2", finding: "its block rows add up to"),
        Damage(sql: "UPDATE blocks SET length = 1000000000000 WHERE id = 3", finding: "table 'blocks', row 3, column 'length'"),
        Damage(sql: "UPDATE blocks SET min_time = 'abc' WHERE id = 1", finding: "table 'blocks', row 1, column 'min_time' holds TEXT 'abc'"),
        Damage(sql: "UPDATE segments SET file_name = '../../../x' WHERE id = 1", finding: "table 'segments', row 1, column 'file_name'"),
        Damage(sql: "UPDATE shards SET checkpoint = printf('%064d', 1), checkpoint_text = '1'", finding: "checkpoint is below the highest archived"),
    ]

    @Test(arguments: damages)
    func verifyExitsOneNamingTheDamage(_ damage: Damage) throws {
        let ws = try Self.archive()
        #expect(try ws.ok(["verify"]).stdoutText.contains(": OK"))
        try Self.damage(ws, damage.sql)
        let verify = try ws.run(["verify"])
        #expect(verify.status == 1, "verify must fail: \(verify.stdoutText) \(verify.stderr)")
        #expect(verify.stdoutText.contains(damage.finding), "\(verify.stdoutText)")
    }

    @Test func wrongColumnTypesAreErrorsNotCrashes() throws {
        let ws = try Self.archive()
        try Self.damage(ws, "UPDATE streams SET retention_days = 'forever'; UPDATE blocks SET length = 'x' WHERE id = 1")
        for arguments in [["ls"], ["stats"], ["replay", "--stream", "orders"]] {
            let result = try ws.run(arguments)
            #expect(result.status == 1, "\(arguments): \(result.stderr)")  // an error, not a signal
            #expect(result.stderr.contains("The catalog is damaged: table 'streams', row 1, column 'retention_days' holds TEXT 'forever'"))
        }
    }

    @Test func hugeBlockLengthIsRefusedBeforeReading() throws {
        let ws = try Self.archive()
        try Self.damage(ws, "UPDATE blocks SET length = 1000000000000 WHERE id = 1")
        let replay = try ws.run(["replay", "--stream", "orders"])
        #expect(replay.status == 1)
        #expect(replay.stderr.contains("table 'blocks', row 1, column 'length' holds 1000000000000"))
    }

    @Test func blockPastTheCommittedLengthIsRefused() throws {
        let ws = try Self.archive()
        try Self.damage(ws, "UPDATE blocks SET length = length + 1 WHERE id = (SELECT max(id) FROM blocks)")
        let replay = try ws.run(["replay", "--stream", "orders"])
        #expect(replay.status != 0)
        #expect(replay.stderr.contains("past its committed length"))
    }

    @Test func segmentFileNameCannotLeaveTheStorageDirectory() throws {
        let ws = try Self.archive()
        let victim = ws.directory.file("victim.txt")
        try "precious\n".write(toFile: victim, atomically: true, encoding: .utf8)
        // Point the open segment at a file outside the storage directory (storage/orders/segments/../../../victim.txt).
        try Self.damage(ws, "UPDATE segments SET file_name = '../../../victim.txt' WHERE state = 'open'")
        let input = try ws.write("more.ndjson", SampleFiles.lines(records: 5, shards: 1, seed: 3))
        let ingest = try ws.run(["ingest", "--stream", "orders", "--shard", "x", input])
        #expect(ingest.status != 0)
        #expect(ingest.stderr.contains("column 'file_name'"))
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
    }
}
