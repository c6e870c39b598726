import Foundation
import StreamVaultTesting
import Testing

/// Readers (ls, stats, verify, replay) on an archive they may not change: a backup or snapshot mount.
@Suite(.timeLimit(.minutes(5)))
struct ReadOnlyArchiveTests {
    static let readers: [[String]] = [
        ["ls"], ["stats", "--json"], ["verify"], ["replay", "--stream", "orders"],
        ["replay", "--stream", "orders", "--from", "2026-01-01T06:00:00Z", "--to", "2026-01-01T12:00:00Z"],
    ]

    /// With `walIndex`, the copy has the `-wal` and `-shm` files a live archive has; without, it was closed
    /// cleanly (SQLite then cannot create the WAL index on the read-only mount and the catalog opens immutable).
    @Test(.enabled(if: ReadOnlyMount.isSupported), arguments: [false, true])
    func readersWorkOnAReadOnlyMountAndChangeNothing(walIndex: Bool) throws {
        let ws = try CLIWorkspace()
        for file in try SampleFiles.perShard(in: ws.directory.path, records: 600, shards: 2) {
            try ws.ok(["ingest", "--stream", "orders", "--shard", file.shard, "--block-kib", "16", file.path])
        }
        let expected = try Self.readers.map { try ws.ok($0).stdout }
        for suffix in ["-wal", "-shm"] where !walIndex {
            try FileManager.default.removeItem(atPath: ws.storage + "/catalog.sqlite" + suffix)
        }
        let before = try Self.listing(ws.storage)
        #expect(before.contains { $0.hasPrefix("catalog.sqlite-shm ") } == walIndex)

        let mount = try ReadOnlyMount(ws.storage)
        for (arguments, output) in zip(Self.readers, expected) {
            let result = try CommandRunner.streamvault(arguments + ["--storage", mount.path])
            #expect(result.status == 0, "\(arguments) on a read-only mount: \(result.stderr)")
            #expect(result.stdout == output, "\(arguments) prints the same on the read-only mount")
        }
        #expect(try Self.listing(ws.storage) == before)
    }

    @Test func readersTakeNoLockAndCreateNoFile() throws {
        let ws = try CLIWorkspace()
        let path = try ws.write("in.ndjson", SampleFiles.lines(records: 50, shards: 1))
        try ws.ok(["ingest", "--stream", "orders", "--shard", "s", path])
        for name in ["catalog.sqlite.lock", "orders/writer.lock"] { try FileManager.default.removeItem(atPath: ws.storage + "/" + name) }
        let before = try Self.listing(ws.storage)
        for arguments in Self.readers { try ws.ok(arguments) }
        // SQLite's WAL index (-shm, and an empty -wal) is how any reader shares a live catalog; verify keeps its outcome
        // for the status page (last-verify.json, skipped on a read-only copy); nothing else appears.
        let after = try Self.listing(ws.storage).filter { !$0.hasPrefix("catalog.sqlite-") && !$0.hasPrefix("last-verify.json ") }
        #expect(after == before)
    }

    /// Files under `root` (recursive), sorted, with sizes.
    static func listing(_ root: String) throws -> [String] {
        let names = try FileManager.default.subpathsOfDirectory(atPath: root)
        return try names.sorted().map { name in
            let size = try FileManager.default.attributesOfItem(atPath: root + "/" + name)[.size] as? Int ?? -1
            return "\(name) \(size)"
        }
    }
}
