import ArchiveStore
import Foundation
import StreamModel
import StreamVaultTesting
import Testing

/// Faults injected for real, checked through the binary as a user sees them: a full disk (a small tmpfs),
/// kill -9 of the archiver, missing and stray files, a damaged catalog file. Each case asserts what the user is
/// told and that every acknowledged record is still there. Related cases live in CrashSafetyTests (kill -9 of
/// ingest), CatalogDamageTests (hostile rows), ReadOnlyArchiveTests, ReplayDamageTests and RepairCommandTests.
@Suite(.timeLimit(.minutes(6)))
struct FaultInjectionTests {
    // MARK: ENOSPC

    /// Which part of the archive sits on the small disk: all of it (the catalog's WAL fills it first) or
    /// only the stream's segments (a segment write fails).
    enum FullDisk: String, CaseIterable {
        case wholeStorage, segmentsOnly
    }

    @Test(
        .enabled(if: TmpfsMount.isSupported, "mounting a tmpfs needs root with CAP_SYS_ADMIN; the ENOSPC cases are skipped"),
        arguments: FullDisk.allCases
    )
    func aFullDiskStopsIngestWithAClearMessageAndLosesNothingAcknowledged(_ location: FullDisk) throws {
        let ws = try CLIWorkspace()
        let disk =
            switch location {
            case .wholeStorage: try TmpfsMount(at: ws.storage, size: "1m")
            case .segmentsOnly: try TmpfsMount(at: ws.storage + "/orders/segments", size: "128k")
            }
        defer { disk.unmount() }
        let lines = SampleFiles.lines(records: 4000, shards: 3, seed: 31)
        let input = try ws.write("in.ndjson", lines)
        let ingest = ["ingest", "--stream", "orders", "--block-kib", "16", "--commit-kib", "64", input]

        let full = try ws.run(ingest)
        #expect(full.status == 1, "a full disk is a failure, not a crash: \(full.status) \(full.stderr)")
        #expect(full.stderr.contains("No space left on device"), "says the disk is full: \(full.stderr)")
        #expect(full.stderr.contains(location == .wholeStorage ? "catalog.sqlite" : "/orders/segments/"), "names the file: \(full.stderr)")

        // What the catalog acknowledged is readable, once, and verify agrees, on the still-full disk.
        let acknowledged = try recordCount(ws)
        let readable = try ws.ok(["replay", "--stream", "orders"]).lines
        #expect(acknowledged > 0 && acknowledged < lines.count, "the disk filled mid-way (\(acknowledged) of \(lines.count))")
        #expect(readable.count == acknowledged)
        let readableIDs = readable.map(eventID)
        #expect(Set(readableIDs).count == readableIDs.count && Set(readableIDs).isSubset(of: Set(lines.map(eventID))))
        #expect(try ws.ok(["verify"]).stdoutText.contains("OK"))

        // Space freed: the same command completes the archive, nothing lost, nothing twice.
        try disk.resize("16m")
        try ws.ok(ingest)
        let final = try ws.ok(["replay", "--stream", "orders"]).lines
        #expect(final.count == lines.count)
        #expect(Set(final.map(eventID)) == Set(lines.map(eventID)))
        #expect(try ws.ok(["verify"]).stdoutText.contains("OK"))
    }

    // MARK: kill -9 of archive

    static let readStream = #"""
        import json, sys, boto3
        endpoint, table = sys.argv[1], sys.argv[2]
        ddb = boto3.client("dynamodb", endpoint_url=endpoint)
        streams = boto3.client("dynamodbstreams", endpoint_url=endpoint)
        arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
        ids = []
        for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            while it:
                page = streams.get_records(ShardIterator=it, Limit=1000)
                ids += [r["eventID"] for r in page["Records"]]
                if not page["Records"]:
                    break
                it = page.get("NextShardIterator")
        print(json.dumps(ids))
        """#

    /// Writes `count` changes (a put and an update per item) to an existing table, as an application would.
    static let writeChanges = #"""
        import sys, boto3
        endpoint, table, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
        ddb = boto3.client("dynamodb", endpoint_url=endpoint)
        for i in range(count // 2):
            key = {"pk": {"S": f"live#{i:05d}"}}
            ddb.put_item(TableName=table, Item={**key, "status": {"S": "NEW"}, "total": {"N": f"{i}.25"}})
            ddb.update_item(TableName=table, Key=key, UpdateExpression="SET #s = :s",
                            ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": {"S": "PAID"}})
        """#

    @Test func sigkillDuringArchiveKeepsTheStreamExactlyOnce() async throws {
        try await MotoServer.with { endpoint in
            // The table and a first batch of changes, then more changes written while the archiver runs and dies.
            let created = try CommandRunner.run(
                "python3",
                [CommandRunner.packageRoot + "/tools/quickstart_writes.py", endpoint, "Orders", "40"],
                environment: MotoServer.environment
            )
            try #require(created.status == 0, "\(created.stderr.suffix(1500))")
            let writer = try CommandRunner.start(
                "python3",
                ["-c", Self.writeChanges, endpoint, "Orders", "400"],
                environment: MotoServer.environment
            )

            let ws = try CLIWorkspace()
            let archive = ["archive", "--table", "Orders", "--endpoint-url", endpoint, "--storage", ws.storage]
            var kills = 0
            var round = 0
            var progress: [Int] = []  // records archived after each kill
            while round < 6 || (writer.process.isRunning && round < 40) {
                round += 1
                let process = try CommandRunner.start(
                    try CommandRunner.streamvaultPath,
                    archive + ["--poll-interval", "0.1"],
                    environment: MotoServer.environment
                )
                usleep(UInt32.random(in: 100_000...1_200_000))
                process.kill(SIGKILL)
                let result = try process.wait()
                if process.process.terminationReason == .uncaughtSignal {
                    kills += 1
                } else {
                    Issue.record("round \(round): exited on its own: \(result.stderr)")
                }
                // After each kill: what the catalog holds is readable, once, and verify passes.
                guard try ws.run(["ls"]).stdoutText.contains("Orders") else { continue }
                let archived = try ws.ok(["replay", "--stream", "Orders"]).lines.map(archivedEventID)
                #expect(Set(archived).count == archived.count, "round \(round): a record is archived twice")
                progress.append(archived.count)
                let verify = try ws.run(["verify"])
                #expect(verify.status == 0, "round \(round): \(verify.stdoutText) \(verify.stderr)")
            }
            let written = try writer.wait()
            try #require(written.status == 0, "\(written.stderr.suffix(1500))")
            #expect(kills == round, "each run was killed while it ran")

            let read = try CommandRunner.run("python3", ["-c", Self.readStream, endpoint, "Orders"], environment: MotoServer.environment)
            try #require(read.status == 0, "\(read.stderr.suffix(1500))")
            let streamIDs = try JSONDecoder().decode([String].self, from: read.stdout)
            try #require(streamIDs.count == 40 * 3 + 4 + 400, "the stream holds every change once (\(streamIDs.count))")
            let last = try CommandRunner.streamvault(archive + ["--once"], environment: MotoServer.environment)
            #expect(last.status == 0, "\(last.stderr)")
            let archived = try ws.ok(["replay", "--stream", "Orders"]).lines.map(archivedEventID)
            #expect(progress.contains { $0 > 0 && $0 < streamIDs.count }, "some kills landed between commits: \(progress)")
            #expect(archived.count == streamIDs.count, "every change exactly once")
            #expect(Set(archived) == Set(streamIDs))
            #expect(try ws.ok(["verify"]).stdoutText.contains("OK"))
        }
    }

    // MARK: Missing and extra files

    @Test func aDeletedSealedSegmentIsNamedByVerifyAndReplayWhileOtherWindowsStillReplay() throws {
        let ws = try CLIWorkspace()
        try writeSealedSegments(ws, lines: SampleFiles.lines(records: 1500, shards: 1, seed: 41))
        let undamaged = try ws.ok(["replay", "--stream", "orders"]).lines
        #expect(undamaged.count == 1500)
        let catalog = try Catalog(path: ws.storage + "/catalog.sqlite")
        let stream = try catalog.requireStream("orders")
        let segments = try catalog.segments(streamID: stream.id)
        try #require(segments.count >= 4 && segments.dropLast().allSatisfy { $0.state == .sealed }, "several sealed segments")
        let lost = segments[2]
        let lostBlocks = try catalog.blocks(segmentID: lost.id)
        let firstBlocks = try catalog.blocks(segmentID: segments[0].id)
        let lostPath = ws.storage + "/orders/segments/" + lost.fileName
        try FileManager.default.removeItem(atPath: lostPath)

        let verify = try ws.run(["verify"])
        #expect(verify.status == 1)
        #expect(
            (verify.stdoutText + verify.stderr).contains("DAMAGED: orders/segments/\(lost.fileName): file is missing"),
            "\(verify.stdoutText) \(verify.stderr)"
        )

        // A window inside the deleted segment: exit 65, naming the file.
        let lostFrom = try #require(lostBlocks.map(\.minTime).min())
        let lostTo = try #require(lostBlocks.map(\.maxTime).max())
        let inside = try ws.run(["replay", "--stream", "orders", "--from", "\(lostFrom / 1000)", "--to", "\(lostTo / 1000 + 1)"])
        #expect(inside.status == 65, "\(inside.stderr)")
        #expect(inside.stderr.contains(lost.fileName), "\(inside.stderr)")

        // A window in the first segment only: every record of it, exit 0.
        let from = try #require(firstBlocks.map(\.minTime).min()) / 1000 + 1
        let to = try #require(firstBlocks.map(\.maxTime).max()) / 1000
        try #require(to * 1000 <= lostFrom && from < to, "the window ends before the deleted segment")
        let expected = undamaged.filter { (from * 1000..<to * 1000).contains(eventTimeMillis($0)) }
        #expect(!expected.isEmpty)
        #expect(try ws.ok(["replay", "--stream", "orders", "--from", "\(from)", "--to", "\(to)"]).lines == expected)
    }

    @Test func strayFilesInTheSegmentsDirectory() throws {
        let ws = try CLIWorkspace()
        let lines = SampleFiles.lines(records: 600, shards: 1, seed: 43)
        let input = try ws.write("in.ndjson", Array(lines.prefix(300)))
        try ws.ok(["ingest", "--stream", "orders", "--shard", "s1", "--block-kib", "8", input])
        let directory = ws.storage + "/orders/segments"
        let segment = try #require(try ws.segments().first)
        // notes.txt: not StreamVault's; a *.tmp: left by a crash mid-rename; a segment file the catalog does not know.
        try "operator notes\n".write(toFile: directory + "/notes.txt", atomically: false, encoding: .utf8)
        try Data(repeating: 0x41, count: 100).write(to: URL(fileURLWithPath: directory + "/crashed.ndjson.zst.tmp"))
        let unknown = "99999999999999999999-unknown.ndjson.zst"
        try FileManager.default.copyItem(atPath: segment, toPath: directory + "/" + unknown)

        let verify = try ws.run(["verify"])
        let said = verify.stdoutText + verify.stderr
        #expect(verify.status == 1, "an unknown segment is reported, not silently ignored: \(said)")
        #expect(said.contains("DAMAGED: orders/segments/\(unknown): file is not in the catalog"), "\(said)")
        #expect(!said.contains("notes.txt") && !said.contains(".tmp"), "files that are not segments are not StreamVault's business: \(said)")
        // Readers are unaffected.
        #expect(try ws.ok(["replay", "--stream", "orders"]).lines.map(eventID) == lines.prefix(300).map(eventID))

        // The next writer removes the temp file and leaves the others alone; the archive grows as usual.
        let more = try ws.write("more.ndjson", Array(lines.suffix(300)))
        try ws.ok(["ingest", "--stream", "orders", "--shard", "s1", "--block-kib", "8", more])
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: directory))
        #expect(!names.contains("crashed.ndjson.zst.tmp"))
        #expect(names.contains("notes.txt") && names.contains(unknown))
        #expect(try ws.ok(["replay", "--stream", "orders"]).lines.map(eventID) == lines.map(eventID))
        #expect(try ws.run(["verify"]).stdoutText.contains("file is not in the catalog"))
    }

    // MARK: A damaged catalog file

    /// Which page of catalog.sqlite gets garbage over its b-tree header.
    enum CatalogPage: String, CaseIterable {
        /// Page 2: the migrations table, which every command reads first.
        case second
        /// The middle of the file (an index page here: only verify reads it).
        case middle
        /// Three quarters in (the blocks table: replay reads it).
        case threeQuarters
    }

    @Test(arguments: CatalogPage.allCases)
    func aDamagedPageInTheCatalogFileFailsClearlyAndRebuildRestoresEveryRecord(_ page: CatalogPage) throws {
        let ws = try CLIWorkspace()
        for file in try SampleFiles.perShard(in: ws.directory.path, records: 3000, shards: 3, seed: 47) {
            try ws.ok(["ingest", "--stream", "orders", "--shard", file.shard, "--block-kib", "4", file.path])
        }
        let undamaged = try ws.ok(["replay", "--stream", "orders"]).lines
        #expect(undamaged.count == 3000)
        let catalogPath = ws.storage + "/catalog.sqlite"
        let wal = (try? FileManager.default.attributesOfItem(atPath: catalogPath + "-wal"))?[.size] as? Int ?? 0
        try #require(wal == 0, "the writers checkpointed; every page is in the main file")

        // Overwrite the start of one page (its b-tree header) with garbage, with no writer running.
        let file = try Data(contentsOf: URL(fileURLWithPath: catalogPath))
        let pageSize = Int(file[16]) << 8 | Int(file[17])  // the header's page size (big-endian; SQLite's default 4096)
        let pages = file.count / max(pageSize, 512)
        try #require(pages >= 16, "a catalog of many pages (\(pages))")
        let index =
            switch page {
            case .second: 1
            case .middle: pages / 2
            case .threeQuarters: pages * 3 / 4
            }
        let handle = try #require(FileHandle(forUpdatingAtPath: catalogPath))
        try handle.seek(toOffset: UInt64(index * pageSize))
        try handle.write(contentsOf: Data(repeating: 0xFF, count: 16))
        try handle.close()
        let integrity = try CommandRunner.run("sqlite3", [catalogPath, "PRAGMA integrity_check"])
        try #require(integrity.stdoutText != "ok\n", "the damage is real: \(integrity.stdoutText)")

        let named = "The catalog '\(catalogPath)' is damaged"
        for command in [["verify"], ["ls"], ["stats", "--json"], ["replay", "--stream", "orders"]] {
            let running = try CommandRunner.start(try CommandRunner.streamvaultPath, command + ["--storage", ws.storage])
            let result = try running.wait()
            let name = command.joined(separator: " ")
            #expect(running.process.terminationReason == .exit, "\(name) must not crash (signal \(result.status)): \(result.stderr)")
            if command == ["verify"] {
                #expect(result.status == 1, "\(result.stdoutText) \(result.stderr)")
                // A damaged page verify's checks read is a finding; one that opening the catalog reads stops it like any command.
                #expect(
                    result.stdoutText.contains("DAMAGED: catalog: \(named)") || result.stderr.contains(named),
                    "verify reports it: \(result.stdoutText) \(result.stderr)"
                )
            } else if result.status != 0 {
                #expect(result.status == 1)
                #expect(result.stderr.contains(named) && result.stderr.contains("catalog rebuild --force"), "\(name): \(result.stderr)")
            } else if command.first == "replay" {
                #expect(result.lines == undamaged, "a replay that exits 0 wrote every record")
            }
        }

        let rebuild = try ws.run(["catalog", "rebuild", "--force"])
        #expect(rebuild.status == 0, "\(rebuild.stderr)")
        #expect(try ws.ok(["replay", "--stream", "orders"]).lines == undamaged)
        #expect(try ws.ok(["replay", "--stream", "orders", "--order", "time"]).lines.count == undamaged.count)
        #expect(try ws.ok(["verify"]).stdoutText.contains("OK"))
    }

    // MARK: Helpers

    /// The records the catalog counts, as `stats --json` reports them.
    func recordCount(_ ws: CLIWorkspace) throws -> Int {
        let stats = try ws.ok(["stats", "--json", "--stream", "orders"])
        let rows = try #require(try JSONSerialization.jsonObject(with: stats.stdout) as? [[String: Any]])
        return try #require(rows.first?["records"] as? Int)
    }

    /// Writes `lines` (one shard) in-process with 16 KiB segments, so most of them are sealed.
    func writeSealedSegments(_ ws: CLIWorkspace, lines: [String]) throws {
        let layout = StorageLayout(root: ws.storage)
        try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
        let catalog = try Catalog(path: layout.catalogPath)
        let writer = try StreamWriter(
            layout: layout,
            catalog: catalog,
            streamName: "orders",
            configuration: .init(blockBytes: 4 << 10, maxSegmentBytes: 16 << 10)
        )
        try writer.openShard("s1", dedupe: .sequence)
        for (index, line) in lines.enumerated() {
            let bytes = Array(line.utf8)
            _ = try bytes.withUnsafeBufferPointer { buffer in
                var cursor = JSONCursor(UnsafeRawBufferPointer(buffer))
                let facts = try ChangeRecordScanner.scanNative(&cursor)
                return try writer.append(
                    buffer,
                    shard: "s1",
                    sequence: facts.sequenceNumber,
                    eventID: facts.eventID,
                    eventTime: facts.eventTimeMillis,
                    format: .native
                )
            }
            if index % 100 == 99 { _ = try writer.commit() }
        }
        _ = try writer.commit()
    }
}

/// The eventID of a replayed record (moto's records keep the spacing of Python's json.dumps).
private func archivedEventID(_ line: String) -> String {
    let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    return object?["eventID"] as? String ?? "(no eventID in \(line.prefix(80)))"
}

private func eventTimeMillis(_ line: String) -> Int64 {
    guard let start = line.range(of: "\"ApproximateCreationDateTime\":")?.upperBound else { return -1 }
    let digits = line[start...].prefix { $0.isNumber || $0 == "." }
    return Int64((Double(digits) ?? 0) * 1000)
}
