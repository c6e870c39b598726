import Foundation
import StreamVaultTesting
import Testing

/// Point-in-time snapshots against moto: a table is changed over time (puts, updates, deletes, with pauses), scanned
/// at several moments, archived with `streamvault archive`; each snapshot equals the scan at its moment.
@Suite(.timeLimit(.minutes(3)))
struct SnapshotMotoTests {
    /// Changes the table in rounds; after each round (and a pause) records the moment and a full Scan, then pauses
    /// again, so no change lies within 0.6 s of a moment. Prints a JSON list of {"at": epoch seconds, "items": [...]}.
    static let changes = #"""
        import base64, json, sys, time, boto3
        endpoint, name = sys.argv[1], sys.argv[2]
        ddb = boto3.client("dynamodb", endpoint_url=endpoint)
        ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}],
                         BillingMode="PAY_PER_REQUEST", StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        def scan():
            items, kwargs = [], {}
            while True:
                page = ddb.scan(TableName=name, **kwargs)
                items += page["Items"]
                if "LastEvaluatedKey" not in page: return items
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        def moment(moments):
            time.sleep(0.6)
            moments.append({"at": time.time(), "items": scan()})
            time.sleep(0.6)
        moments = []
        for i in range(12):
            ddb.put_item(TableName=name, Item={"pk": {"S": f"c#{i % 4}"}, "sk": {"N": str(i)}, "total": {"N": f"{i}.50"},
                                               "tags": {"SS": ["new", f"t{i}"]}, "blob": {"B": bytes([i, 255 - i])}})
        moment(moments)
        for i in range(0, 12, 2):
            ddb.update_item(TableName=name, Key={"pk": {"S": f"c#{i % 4}"}, "sk": {"N": str(i)}},
                            UpdateExpression="SET #s = :s, #t = :t", ExpressionAttributeNames={"#s": "status", "#t": "total"},
                            ExpressionAttributeValues={":s": {"S": "PAID"}, ":t": {"N": "99.99"}})
        ddb.delete_item(TableName=name, Key={"pk": {"S": "c#1"}, "sk": {"N": "1"}})
        moment(moments)
        for i in range(3, 12, 3):
            ddb.delete_item(TableName=name, Key={"pk": {"S": f"c#{i % 4}"}, "sk": {"N": str(i)}})
        ddb.put_item(TableName=name, Item={"pk": {"S": "c#1"}, "sk": {"N": "1"}, "total": {"N": "1"}, "note": {"NULL": True},
                                           "nested": {"M": {"l": {"L": [{"N": "1"}, {"BOOL": False}]}}}})
        moment(moments)
        ddb.update_item(TableName=name, Key={"pk": {"S": "c#1"}, "sk": {"N": "1"}}, UpdateExpression="REMOVE note")
        for i in range(12, 15):
            ddb.put_item(TableName=name, Item={"pk": {"S": "c#9"}, "sk": {"N": str(i)}})
        moment(moments)
        print(json.dumps(moments, default=lambda b: base64.b64encode(b).decode()))  # B values come back as bytes
        """#

    /// Compares one snapshot directory (streamvault layout or DynamoDB's, gzip or zstd) with a scan.
    static let compare = #"""
        import glob, gzip, json, os, subprocess, sys
        root, scan_path = sys.argv[1], sys.argv[2]
        def normal(value):  # sets are unordered: compare them sorted
            if isinstance(value, dict):
                return {k: (sorted(v) if k in ("SS", "NS", "BS") else normal(v)) for k, v in value.items()}
            if isinstance(value, list):
                return [normal(v) for v in value]
            return value
        expected = sorted(json.dumps(normal(item), sort_keys=True) for item in json.load(open(scan_path)))
        found = []
        for path in sorted(glob.glob(os.path.join(root, "**", "*.json.*"), recursive=True)):
            raw = open(path, "rb").read()
            text = gzip.decompress(raw) if path.endswith(".gz") else subprocess.run(["zstd", "-dc"], input=raw, capture_output=True, check=True).stdout
            for line in text.decode().splitlines():
                found.append(json.dumps(normal(json.loads(line)["Item"]), sort_keys=True))
        found.sort()
        if found == expected:
            print("OK")
        else:
            print(f"{len(found)} items, scan has {len(expected)}")
            print("only in snapshot:", sorted(set(found) - set(expected))[:3])
            print("only in scan:", sorted(set(expected) - set(found))[:3])
        """#

    @Test func eachSnapshotEqualsTheScanAtItsMoment() async throws {
        try await MotoServer.with { endpoint in
            let output = try await MotoServer.python(Self.changes, [endpoint, "Orders"])
            let moments = try #require(try JSONSerialization.jsonObject(with: output) as? [[String: Any]])
            #expect(moments.count == 4)
            let workspace = try CLIWorkspace()
            try await workspace.okAsync(["archive", "--table", "Orders", "--once", "--endpoint-url", endpoint], environment: MotoServer.environment)
            let cases: [(String, String)] = [
                ("streamvault", "gzip"), ("dynamodb-export", "gzip"), ("dynamodb-export", "zstd"), ("streamvault", "zstd"),
            ]
            for (index, moment) in moments.enumerated() {
                let at = try #require(moment["at"] as? Double)
                let scanPath = workspace.directory.file("scan-\(index).json")
                try JSONSerialization.data(withJSONObject: try #require(moment["items"])).write(to: URL(fileURLWithPath: scanPath))
                let (layout, compression) = cases[index % cases.count]
                let out = workspace.directory.file("snapshot-\(index)")
                let snapshot = try await workspace.okAsync([
                    "snapshot", "--stream", "Orders", "--at", String(format: "%.3f", at), "--out", out, "--layout", layout, "--compression",
                    compression,
                ])
                #expect(snapshot.stdoutText.contains("snapshot of Orders"), "\(snapshot.stdoutText)")
                let compared = try await CommandRunner.python(Self.compare, [out, scanPath])
                #expect(String(decoding: compared, as: UTF8.self) == "OK\n", "moment \(index) (\(layout), \(compression))")
                let verified = try await CommandRunner.streamvaultAsync(["verify-export", out])
                #expect(verified.status == 0, "\(verified.stdoutText)")
            }
        }
    }

    /// A Kinesis Data Streams for DynamoDB archive (records stored as Kinesis GetRecords items) exports and snapshots too.
    @Test func kinesisArchiveExportsAndSnapshots() async throws {
        try await MotoServer.with { endpoint in
            _ = try await MotoServer.python(ArchiveCommandTests.setup, [endpoint, "kinesis", "orders-cdc"])
            let workspace = try CLIWorkspace()
            try await workspace.okAsync(
                ["archive", "--kinesis-stream", "orders-cdc", "--once", "--endpoint-url", endpoint],
                environment: MotoServer.environment
            )
            let inc = workspace.directory.file("inc")
            try await workspace.okAsync([
                "export", "--stream", "orders-cdc", "--from", "2026-01-01", "--to", "2026-01-02", "--layout", "dynamodb-incremental", "--out", inc,
            ])
            let data = try FileManager.default.subpathsOfDirectory(atPath: inc).filter { $0.hasSuffix(".json.gz") }
            #expect(data.count == 1)
            let lines = try await CommandRunner.runAsync("gzip", ["-dc", inc + "/" + (data.first ?? "")]).lines
            #expect(lines.count == 5)
            #expect(
                lines.first?.hasPrefix(#"{"Metadata":{"WriteTimestampMicros":{"N":"1767225600000000"}},"Keys":{"pk":{"S":"k0"}}"#) == true,
                "\(lines)"
            )
            #expect(try await CommandRunner.streamvaultAsync(["verify-export", inc]).status == 0)

            let snapshot = workspace.directory.file("snap")
            let made = try await workspace.okAsync(["snapshot", "--stream", "orders-cdc", "--at", "2026-01-01T00:00:02Z", "--out", snapshot])
            #expect(made.stdoutText.contains(": 3 items"), "\(made.stdoutText)")
        }
    }
}
