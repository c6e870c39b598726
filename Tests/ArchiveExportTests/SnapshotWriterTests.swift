import ArchiveExport
import ArchiveStore
import Foundation
import StreamModel
import StreamVaultTesting
import Testing

@Suite(.timeLimit(.minutes(2)))
struct SnapshotWriterTests {
    static let hour: Int64 = 3_600_000

    /// The items as of `at`, computed independently from the archived native records: the last NewImage per key
    /// at or before `at`, REMOVE deletes. Items as JSON with sorted keys.
    static func expectedItems(_ f: ExportFixture, at: Int64) throws -> Set<String> {
        var items: [String: String] = [:]
        for line in try f.replay(to: at + 1) {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let dynamodb = try #require(record["dynamodb"] as? [String: Any])
            let key = try canonical(try #require(dynamodb["Keys"]))
            if record["eventName"] as? String == "REMOVE" {
                items[key] = nil
            } else {
                items[key] = try canonical(try #require(dynamodb["NewImage"]))
            }
        }
        return Set(items.values)
    }

    static func canonical(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
    }

    /// The `Item` of every line of the snapshot's data files.
    static func snapshotItems(_ dir: String, _ manifest: ExportManifest) throws -> [String] {
        try ExportFixture.dataLines(dir, manifest).map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object.keys.sorted() == ["Item"])
            return try canonical(try #require(object["Item"]))
        }
    }

    @Test(arguments: [0, 1, 5, 12, 23, 30] as [Int64])
    func itemsAreTheLastImagePerKeyAtTheMoment(_ hours: Int64) throws {
        let f = try ExportFixture(records: 900, shards: 1)
        let at = ExportFixture.start + hours * Self.hour + 1234
        let out = f.out("snap")
        let manifest = try SnapshotWriter(catalog: f.catalog, layout: f.layout, request: SnapshotRequest(stream: "orders", at: at, maxFileItems: 50))
            .run(out: out)
        let items = try Self.snapshotItems(out, manifest)
        #expect(items.count == Set(items).count, "one line per item")
        #expect(Set(items) == (try Self.expectedItems(f, at: at)))
        #expect(manifest.recordCount == items.count)
        #expect(manifest.snapshotAt == ISO8601.format(millis: at))
        #expect(manifest.incompleteBecause.isEmpty)
        #expect(try ExportVerifier.verify(directory: out).problems == [])
        #expect(try sha256sumCheck(out).status == 0)
    }

    @Test func aGapBeforeTheMomentIsRefusedUnlessAllowed() throws {
        let f = try ExportFixture(records: 300, shards: 1)
        let stream = try f.catalog.requireStream("orders")
        let shard = try #require(try f.catalog.shards(streamID: stream.id).first)
        let lines = try f.replay()
        let gapAfter = try #require(SequenceNumber(lines[100].sequenceNumber))
        try f.catalog.recordGap(streamID: stream.id, shardRowID: shard.rowID, afterSequence: gapAfter, reason: "trimmed by the stream", now: 0)
        let timeOfGap = ExportFixture.start + 100 * 86_400_000 / 300

        // Before the gap: provable.
        let early = try SnapshotWriter(catalog: f.catalog, layout: f.layout, request: SnapshotRequest(stream: "orders", at: timeOfGap - 60_000))
            .run(out: f.out("early"))
        #expect(early.incompleteBecause.isEmpty)

        // After it: refused, nothing written, the message names the shard and the gap.
        let refusedOut = f.out("late")
        #expect {
            try SnapshotWriter(catalog: f.catalog, layout: f.layout, request: SnapshotRequest(stream: "orders", at: timeOfGap + 60_000)).run(
                out: refusedOut
            )
        } throws: { error in
            guard let error = error as? ExportError, error.code == .incomplete else { return false }
            return error.message.contains(shard.shardID) && error.message.contains(gapAfter.text) && error.message.contains("--allow-gaps")
        }
        #expect(!FileManager.default.fileExists(atPath: refusedOut))

        let allowed = try SnapshotWriter(
            catalog: f.catalog,
            layout: f.layout,
            request: SnapshotRequest(stream: "orders", at: timeOfGap + 60_000, allowGaps: true)
        ).run(out: f.out("allowed"))
        #expect(allowed.incompleteBecause.count == 1)
        #expect(allowed.incompleteBecause.first?.contains("gap after sequence number \(gapAfter.text)") == true)
    }

    @Test func aGapAtTheStartOfAShardIsRefusedAtAnyMoment() throws {
        let f = try ExportFixture(records: 30, shards: 1)
        let stream = try f.catalog.requireStream("orders")
        let shard = try #require(try f.catalog.shards(streamID: stream.id).first)
        try f.catalog.recordGap(streamID: stream.id, shardRowID: shard.rowID, afterSequence: nil, reason: "trimmed", now: 0)
        #expect {
            try SnapshotWriter(catalog: f.catalog, layout: f.layout, request: SnapshotRequest(stream: "orders", at: ExportFixture.start)).run(
                out: f.out()
            )
        } throws: { ($0 as? ExportError)?.message.contains("history does not start at the stream's start") == true }
    }

    @Test(arguments: ["KEYS_ONLY", "OLD_IMAGE"])
    func viewTypesWithoutNewImagesAreRefused(_ viewType: String) throws {
        let f = try ExportFixture(records: 30, shards: 1)
        let stream = try f.catalog.ensureStream("orders", source: .file, viewType: viewType, now: 0)
        #expect(stream.viewType == viewType)
        #expect {
            try SnapshotWriter(catalog: f.catalog, layout: f.layout, request: SnapshotRequest(stream: "orders", at: ExportFixture.start)).run(
                out: f.out()
            )
        } throws: { ($0 as? ExportError)?.message.contains("view type \(viewType)") == true }
    }

    @Test func aShardWhoseParentIsNotArchivedIsRefused() throws {
        let f = try ExportFixture(records: 30, shards: 1)
        let stream = try f.catalog.requireStream("orders")
        _ = try f.catalog.ensureShard(streamID: stream.id, shardID: "shardId-child", parentShardID: "shardId-gone", dedupe: .sequence, now: 0)
        #expect {
            try SnapshotWriter(catalog: f.catalog, layout: f.layout, request: SnapshotRequest(stream: "orders", at: ExportFixture.start)).run(
                out: f.out()
            )
        } throws: { ($0 as? ExportError)?.message.contains("parent 'shardId-gone', which is not in the archive") == true }
    }

    static let exportChecker = #"""
        import base64, glob, gzip, hashlib, json, os, sys
        root, expected, compression = sys.argv[1], int(sys.argv[2]), sys.argv[3]
        problems = []
        prefix = glob.glob(os.path.join(root, "AWSDynamoDB", "*"))[0]
        summary = json.load(open(os.path.join(prefix, "manifest-summary.json")))
        for key in ["version", "exportArn", "startTime", "endTime", "tableArn", "tableId", "exportTime", "s3Bucket", "s3Prefix",
                    "s3SseAlgorithm", "s3SseKmsKeyId", "manifestFilesS3Key", "billedSizeBytes", "itemCount", "outputFormat"]:
            if key not in summary: problems.append(f"manifest-summary.json lacks {key}")
        if summary["version"] != "2020-06-30" or summary["outputFormat"] != "DYNAMODB_JSON" or summary["itemCount"] != expected:
            problems.append(f"summary {summary}")
        types = {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"}
        total = 0
        for line in open(os.path.join(prefix, "manifest-files.json")):
            entry = json.loads(line)
            raw = open(os.path.join(root, entry["dataFileS3Key"]), "rb").read()
            if base64.b64encode(hashlib.md5(raw).digest()).decode() != entry["md5Checksum"]: problems.append("md5Checksum")
            if compression == "gzip":
                text = gzip.decompress(raw).decode()
            else:
                import subprocess
                text = subprocess.run(["zstd", "-dc"], input=raw, capture_output=True, check=True).stdout.decode()
            lines = text.splitlines()
            if len(lines) != entry["itemCount"]: problems.append("itemCount")
            for text in lines:
                item = json.loads(text)
                if list(item) != ["Item"]: problems.append(f"line keys {list(item)}")
                for name, value in item["Item"].items():
                    if not (isinstance(value, dict) and len(value) == 1 and next(iter(value)) in types): problems.append(f"{name}: {value}")
                total += 1
        if total != expected: problems.append(f"{total} items, expected {expected}")
        print("\n".join(problems) if problems else "OK")
        """#

    @Test(arguments: [ExportCompression.gzip, .zstd])
    func dynamoDBExportLayoutHasTheShapesImportFromS3Reads(_ compression: ExportCompression) async throws {
        let f = try ExportFixture(records: 300, shards: 1)
        let at = ExportFixture.start + 12 * Self.hour
        let out = f.out("ddb")
        let manifest = try SnapshotWriter(
            catalog: f.catalog,
            layout: f.layout,
            request: SnapshotRequest(stream: "orders", at: at, layout: .dynamodbExport, compression: compression)
        ).run(out: out)
        let expected = try Self.expectedItems(f, at: at)
        #expect(Set(try Self.snapshotItems(out, manifest)) == expected)
        let output = try await CommandRunner.python(Self.exportChecker, [out, String(expected.count), compression.rawValue])
        #expect(String(decoding: output, as: UTF8.self) == "OK\n")
        #expect(try ExportVerifier.verify(directory: out).problems == [])
    }
}
