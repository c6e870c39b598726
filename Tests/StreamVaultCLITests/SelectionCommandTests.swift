import Foundation
import StreamVaultTesting
import Testing

/// `--filter`, `--key`, `--only-ttl-deletes`/`--exclude-ttl-deletes` on replay, and `history`, through the real binary.
@Suite(.timeLimit(.minutes(2)))
struct SelectionCommandTests {
    static func archive(records: Int = 300) throws -> (CLIWorkspace, [String]) {
        let ws = try CLIWorkspace()
        let lines = SampleFiles.lines(records: records, shards: 1)
        try ws.ok(["ingest", "--stream", "orders", "--shard", "s", "-"], stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
        return (ws, lines)
    }

    static func object(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    static func status(_ line: String) throws -> String? {
        let image = (try object(line)["dynamodb"] as? [String: Any])?["NewImage"] as? [String: Any]
        return (image?["status"] as? [String: String])?["S"]
    }

    @Test func filterPatternsSelectAndCount() throws {
        let (ws, lines) = try Self.archive()
        let expected = try lines.filter { try Self.status($0) == "SHIPPED" || Self.status($0) == "DELIVERED" }
        let one = #"{"dynamodb":{"NewImage":{"status":{"S":["SHIPPED"]}}}}"#
        let other = #"{"dynamodb":{"NewImage":{"status":{"S":["DELIVERED"]}}}}"#
        let result = try ws.ok(["replay", "--stream", "orders", "--timing", "--filter", one, "--filter", other])
        #expect(!expected.isEmpty && result.lines == expected)
        #expect(result.stderr.contains("\(lines.count - expected.count) filtered out"))

        // The AWS CLI's --filter-criteria file works as @file.
        let criteria = try ws.write(
            "criteria.json",
            [
                #"{"Filters":[{"Pattern":"\#(one.replacingOccurrences(of: "\"", with: "\\\""))"},{"Pattern":"\#(other.replacingOccurrences(of: "\"", with: "\\\""))"}]}"#
            ]
        )
        #expect(try ws.ok(["replay", "--stream", "orders", "--filter", "@" + criteria]).lines == expected)
        let single = try ws.write("pattern.json", [one])
        #expect(try ws.ok(["replay", "--stream", "orders", "--filter", "@" + single]).lines == lines.filter { (try? Self.status($0)) == "SHIPPED" })
    }

    @Test(arguments: [
        (["--filter", #"{"dynamodb":{"SizeBytes":[{"numeric":[">","x"]}]}}"#], "dynamodb.SizeBytes[0].numeric[1]"),
        (["--filter", #"{"eventName":"INSERT"}"#], "'eventName'"),
        (["--filter", "@/nonexistent/p.json"], "cannot read the pattern file"),
        (["--key", "orderId"], "has no '='"),
        (["--only-ttl-deletes", "--exclude-ttl-deletes"], "exclude each other"),
    ])
    func badSelectionsAreUsageErrors(_ arguments: [String], _ message: String) throws {
        let ws = try CLIWorkspace()
        let result = try ws.run(["replay", "--stream", "orders"] + arguments)
        #expect(result.status == 64 && result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func keyAndTTLSelectionsOnReplay() throws {
        let (ws, lines) = try Self.archive()
        let ttl = lines.filter { $0.contains(#""PrincipalId":"dynamodb.amazonaws.com""#) }
        #expect(!ttl.isEmpty)
        #expect(try ws.ok(["replay", "--stream", "orders", "--only-ttl-deletes"]).lines == ttl)
        #expect(try ws.ok(["replay", "--stream", "orders", "--exclude-ttl-deletes"]).lines == lines.filter { !ttl.contains($0) })
        let plain = try ws.ok(["replay", "--stream", "orders", "--only-ttl-deletes", "--format", "plain"]).lines
        #expect(plain.count == ttl.count && plain.allSatisfy { $0.contains(#""ttlDelete":true"#) })
        let ordinaryRemoves = try ws.ok(["replay", "--stream", "orders", "--exclude-ttl-deletes", "--event-name", "REMOVE", "--format", "plain"])
            .lines
        #expect(!ordinaryRemoves.isEmpty && ordinaryRemoves.allSatisfy { !$0.contains("ttlDelete") })

        let keys = try #require((try Self.object(ttl[0])["dynamodb"] as? [String: Any])?["Keys"] as? [String: [String: String]])
        let pk = try #require(keys["pk"]?["S"])
        let sk = try #require(keys["sk"]?["S"])
        let item = lines.filter { $0.contains(#""Keys":{"pk":{"S":"\#(pk)"},"sk":{"S":"\#(sk)"}}"#) }
        #expect(try ws.ok(["replay", "--stream", "orders", "--key", "pk=\(pk)", "--key", "sk=\(sk)"]).lines == item)
    }

    @Test func historyPrintsATableOrJSONLines() throws {
        let (ws, lines) = try Self.archive()
        let ttl = try #require(lines.first { $0.contains(#""PrincipalId":"dynamodb.amazonaws.com""#) })
        let keys = try #require((try Self.object(ttl)["dynamodb"] as? [String: Any])?["Keys"] as? [String: [String: String]])
        let pk = try #require(keys["pk"]?["S"])
        let sk = try #require(keys["sk"]?["S"])
        let table = try ws.ok(["history", "--stream", "orders", "--key", "pk=\(pk)", "--key", "sk=\(sk)", "--timing"])
        let rows = table.lines.filter { !$0.hasPrefix(" ") }
        #expect(rows.first?.hasPrefix("TIME") == true && rows.count == 4)
        #expect(rows[1].contains("INSERT") && rows[2].contains("MODIFY") && rows[3].contains("REMOVE") && rows[3].contains("TTL"))
        #expect(table.lines.contains { $0.hasPrefix("    new: {") && $0.contains(#""status":"PENDING""#) })
        #expect(table.stderr.contains("history: 3 changes;") && table.stderr.contains("blocks read of"))

        let json = try ws.ok(["history", "--stream", "orders", "--key", "pk=\(pk)", "--key", "sk=\(sk)", "--json", "--format", "native"])
        let objects = try json.lines.map(Self.object)
        #expect(objects.map { $0["eventName"] as? String } == ["INSERT", "MODIFY", "REMOVE"])
        #expect(objects.last?["who"] as? String == "TTL" && objects.first?["who"] is NSNull)
        #expect(((objects.first?["newImage"] as? [String: Any])?["status"] as? [String: String])?["S"] == "PENDING")

        let nothing = try ws.ok(["history", "--stream", "orders", "--key", "pk=CUSTOMER#nobody"])
        #expect(nothing.lines.count == 1 && nothing.stderr.contains("no change of pk=CUSTOMER#nobody"))
        let missingKey = try ws.run(["history", "--stream", "orders"])
        #expect(missingKey.status == 64 && missingKey.stderr.contains("--key"))
    }

    /// `catalog rebuild` decompresses every block anyway: rebuilt blocks get their key filters back, so history
    /// reads as few blocks as before.
    @Test func historyStaysSelectiveAfterACatalogRebuild() throws {
        let ws = try CLIWorkspace()
        let lines = SampleFiles.lines(records: 600, shards: 1)
        try ws.ok(
            ["ingest", "--stream", "orders", "--shard", "s", "--block-kib", "8", "-"],
            stdin: Data((lines.joined(separator: "\n") + "\n").utf8)
        )
        let keys = try #require((try Self.object(lines[100])["dynamodb"] as? [String: Any])?["Keys"] as? [String: [String: String]])
        let history = ["history", "--stream", "orders", "--key", "pk=\(try #require(keys["pk"]?["S"]))", "--timing"]
        func blocks(_ stderr: String) throws -> (read: Int, total: Int) {
            let match = try #require(stderr.firstMatch(of: /(\d+) blocks read of (\d+) in range/))
            return (Int(match.1) ?? -1, Int(match.2) ?? -1)
        }
        let before = try ws.ok(history)
        let selective = try blocks(before.stderr)
        #expect(selective.read < selective.total / 4, "\(before.stderr)")
        for name in try FileManager.default.contentsOfDirectory(atPath: ws.storage) where name.hasPrefix("catalog.sqlite") {
            try FileManager.default.removeItem(atPath: ws.storage + "/" + name)
        }
        try ws.ok(["catalog", "rebuild"])
        let after = try ws.ok(history)
        #expect(after.stdout == before.stdout)
        #expect(try blocks(after.stderr) == selective)
    }
}
