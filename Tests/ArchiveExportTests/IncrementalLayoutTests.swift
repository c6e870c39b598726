import ArchiveExport
import Foundation
import StreamVaultTesting
import Testing

/// `--layout dynamodb-incremental` against the shapes AWS documents for its incremental export to S3, checked by
/// a Python script that knows nothing of StreamVault (json + gzip + hashlib only), as an Athena/Glue user's would.
@Suite(.timeLimit(.minutes(2)))
struct IncrementalLayoutTests {
    static let checker = #"""
        import base64, glob, gzip, hashlib, json, os, sys
        root, expected_records, expected_removes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
        problems = []
        def problem(text): problems.append(text)
        exports = glob.glob(os.path.join(root, "AWSDynamoDB", "*"))
        if len(exports) != 1: problem(f"expected one AWSDynamoDB/<exportId>, found {exports}")
        prefix = exports[0]
        export_id = os.path.basename(prefix)
        if not (len(export_id) == 23 and export_id[:14].isdigit() and export_id[14] == "-"): problem(f"export id {export_id}")
        summary = json.load(open(os.path.join(prefix, "manifest-summary.json")))
        for key in ["version", "exportArn", "startTime", "endTime", "tableArn", "tableId", "exportFromTime", "exportToTime",
                    "s3Bucket", "s3Prefix", "s3SseAlgorithm", "s3SseKmsKeyId", "manifestFilesS3Key", "billedSizeBytes",
                    "itemCount", "outputFormat", "outputView", "exportType"]:
            if key not in summary: problem(f"manifest-summary.json lacks {key}")
        if summary.get("exportType") != "INCREMENTAL_EXPORT": problem("exportType")
        if summary.get("outputFormat") != "DYNAMODB_JSON": problem("outputFormat")
        if summary.get("outputView") not in ("NEW_AND_OLD_IMAGES", "NEW_IMAGE"): problem("outputView")
        if summary.get("itemCount") != expected_records: problem(f"itemCount {summary.get('itemCount')}")
        if summary.get("manifestFilesS3Key") != f"AWSDynamoDB/{export_id}/manifest-files.json": problem("manifestFilesS3Key")
        files_text = open(os.path.join(prefix, "manifest-files.json"), "rb").read()
        if open(os.path.join(prefix, "manifest-files.checksum")).read().strip() != hashlib.md5(files_text).hexdigest():
            problem("manifest-files.checksum")
        total, removes, previous = 0, 0, {}
        types = {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"}
        for line in files_text.decode().splitlines():
            entry = json.loads(line)
            if set(entry) != {"itemCount", "md5Checksum", "etag", "dataFileS3Key"}: problem(f"manifest-files entry keys {sorted(entry)}")
            path = os.path.join(root, entry["dataFileS3Key"])
            raw = open(path, "rb").read()
            if base64.b64encode(hashlib.md5(raw).digest()).decode() != entry["md5Checksum"]: problem(f"md5Checksum of {path}")
            if hashlib.md5(raw).hexdigest() != entry["etag"]: problem(f"etag of {path}")
            if not entry["dataFileS3Key"].startswith(f"AWSDynamoDB/{export_id}/data/") or not path.endswith(".json.gz"): problem(path)
            lines = gzip.decompress(raw).decode().splitlines()
            if len(lines) != entry["itemCount"]: problem(f"{path}: {len(lines)} lines, itemCount {entry['itemCount']}")
            for text in lines:
                change = json.loads(text)
                total += 1
                if not set(change) <= {"Metadata", "Keys", "NewImage", "OldImage"} or "Keys" not in change: problem(f"line keys {sorted(change)}")
                micros = change["Metadata"]["WriteTimestampMicros"]["N"]
                if not micros.isdigit() or len(micros) != 16: problem(f"WriteTimestampMicros {micros}")
                for part in ("Keys", "NewImage", "OldImage"):
                    for name, value in change.get(part, {}).items():
                        if not (isinstance(value, dict) and len(value) == 1 and next(iter(value)) in types):
                            problem(f"{part}.{name} is not an AttributeValue: {value}")
                if "NewImage" not in change:
                    removes += 1
                    if "OldImage" not in change: problem("a delete without OldImage")
                for k, v in change["Keys"].items():
                    image = change.get("NewImage") or change.get("OldImage")
                    if image.get(k) != v: problem(f"key {k} differs from the image")
        if total != expected_records: problem(f"{total} lines, expected {expected_records}")
        if removes != expected_removes: problem(f"{removes} deletes, expected {expected_removes}")
        print("\n".join(problems) if problems else "OK")
        """#

    @Test func filesHaveTheShapesAWSDocuments() async throws {
        let f = try ExportFixture(records: 600, shards: 2)
        let from = ExportFixture.start + 3_600_000
        let to = ExportFixture.start + 20 * 3_600_000
        let (dir, manifest) = try f.export(ExportRequest(stream: "orders", from: from, to: to, layout: .dynamodbIncremental, maxFileRecords: 100))
        let records = try f.replay(from: from, to: to)
        let removes = records.filter { $0.contains(#""eventName":"REMOVE""#) }.count
        #expect(removes > 0)
        let output = try await CommandRunner.python(Self.checker, [dir, String(records.count), String(removes)])
        #expect(String(decoding: output, as: UTF8.self) == "OK\n")
        #expect(manifest.layout == "dynamodb-incremental")
        #expect(manifest.extraFiles.map(\.name).allSatisfy { $0.hasPrefix("AWSDynamoDB/") })
        #expect(try ExportVerifier.verify(directory: dir).problems == [])
        #expect(try sha256sumCheck(dir).status == 0)
    }

    @Test func writeTimestampIsTheChangesTimeInMicroseconds() throws {
        let f = try ExportFixture(records: 30, shards: 1)
        let (dir, manifest) = try f.export(ExportRequest(stream: "orders", layout: .dynamodbIncremental))
        let lines = try ExportFixture.dataLines(dir, manifest)
        let native = try f.replay()
        #expect(lines.count == native.count)
        for (line, record) in zip(lines, native) {
            let seconds = record.components(separatedBy: #""ApproximateCreationDateTime":"#)[1].prefix { $0.isNumber }
            #expect(line.hasPrefix(#"{"Metadata":{"WriteTimestampMicros":{"N":"\#(seconds)000000"}},"Keys":"#))
        }
    }

    @Test(arguments: [1, 2, 3])
    func aTruncatedOrDamagedGzipFileIsNamed(_ thirds: Int) throws {
        let f = try ExportFixture(records: 300, shards: 1)
        let (dir, manifest) = try f.export(ExportRequest(stream: "orders", layout: .dynamodbIncremental))
        let file = try #require(manifest.files.first)
        let url = URL(fileURLWithPath: dir + "/" + file.name)
        var bytes = [UInt8](try Data(contentsOf: url))
        if thirds < 3 {
            bytes = Array(bytes.prefix(bytes.count * thirds / 3))
        } else {
            bytes[bytes.count / 2] ^= 0xFF  // inside the deflate stream: a bad block or a CRC mismatch
        }
        try Data(bytes).write(to: url)
        let problems = try ExportVerifier.verify(directory: dir).problems
        #expect(problems.contains { $0.file == file.name && $0.message.contains("SHA-256 is") })
        #expect(
            problems.contains { $0.file == file.name && $0.message.contains("gzip") },
            "\(problems.map(\.description))"
        )
    }
}
