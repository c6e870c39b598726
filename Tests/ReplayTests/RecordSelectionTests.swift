import ArchiveStore
import Foundation
import Replay
import StreamModel
import StreamVaultTesting
import Testing

/// An archive of generated orders in small blocks (so an item's changes sit in few of many blocks), with or
/// without per-block key filters.
struct SelectionArchive {
    let directory: TemporaryDirectory
    let layout: StorageLayout
    let catalog: Catalog
    /// Every record, as generated.
    let lines: [String]

    init(records: Int = 900, shards: Int = 3, keyFilters: Bool = true) throws {
        directory = try TemporaryDirectory("selection")
        layout = StorageLayout(root: directory.path + "/storage")
        try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
        catalog = try Catalog(path: layout.catalogPath)
        let files = try SampleFiles.perShard(in: directory.path, records: records, shards: shards)
        var options = IngestOptions(stream: "orders")
        options.writer.blockBytes = 8 << 10
        options.writer.keyFilters = keyFilters
        for file in files {
            options.shard = file.shard
            _ = try Ingestor(layout: layout, catalog: catalog, options: options).ingest(paths: [file.path])
        }
        lines = files.flatMap(\.lines)
    }

    func replay(_ selection: RecordSelection, order: ReplaySelection.Order = .shard) throws -> (lines: [String], statistics: ReplayStatistics) {
        let pipeline = try ReplayPipeline(
            catalog: catalog,
            layout: layout,
            selection: ReplaySelection(stream: "orders", order: order),
            filter: selection.makeFilter()
        )
        var sink = CollectingSink()
        let statistics = try pipeline.run(into: &sink)
        return (sink.lines, statistics)
    }
}

/// Test-side reading of a record (Foundation JSON is fine here: it is the independent oracle).
struct ParsedRecord {
    let object: [String: Any]
    init(_ line: String) throws { object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) }
    var eventName: String { object["eventName"] as? String ?? "" }
    var keys: [String: [String: String]] { (object["dynamodb"] as? [String: Any])?["Keys"] as? [String: [String: String]] ?? [:] }
    var isTTLDelete: Bool {
        let identity = object["userIdentity"] as? [String: String]
        return eventName == "REMOVE" && identity?["Type"] == "Service" && identity?["PrincipalId"] == "dynamodb.amazonaws.com"
    }
}

struct RecordSelectionTests {
    @Test(arguments: [true, false])
    func aKeySelectsExactlyThatItemsChanges(keyFilters: Bool) throws {
        let archive = try SelectionArchive(keyFilters: keyFilters)
        let target = try ParsedRecord(archive.lines[301]).keys
        let pk = try #require(target["pk"]?["S"])
        let sk = try #require(target["sk"]?["S"])
        let expected = try archive.lines.filter { try ParsedRecord($0).keys == target }
        let out = try archive.replay(RecordSelection(key: try ItemKey(parsing: ["pk=\(pk)", "sk=\(sk)"])))
        #expect(expected.count >= 2 && Set(out.lines) == Set(expected) && out.lines.count == expected.count)
        #expect(out.statistics.recordsDelivered + out.statistics.recordsFiltered == out.statistics.recordsRead)
        if keyFilters {
            #expect(out.statistics.blocksSkipped > 0 && out.statistics.blocksRead <= expected.count * 2, "\(out.statistics)")
        } else {
            #expect(out.statistics.blocksSkipped == 0)
        }
    }

    @Test func aPartialKeySelectsEveryItemOfThePartition() throws {
        let archive = try SelectionArchive()
        let pk = try #require(try ParsedRecord(archive.lines[10]).keys["pk"]?["S"])
        let expected = try archive.lines.filter { try ParsedRecord($0).keys["pk"]?["S"] == pk }
        let out = try archive.replay(RecordSelection(key: try ItemKey(parsing: ["pk=\(pk)"])))
        #expect(!expected.isEmpty && Set(out.lines) == Set(expected))
        #expect(out.statistics.blocksSkipped > 0)
        let none = try archive.replay(RecordSelection(key: try ItemKey(parsing: ["pk=CUSTOMER#nobody"])))
        #expect(none.lines.isEmpty)
        let wrongType = try archive.replay(RecordSelection(key: try ItemKey(parsing: ["pk:B=AAEC"])))
        #expect(wrongType.lines.isEmpty)
    }

    @Test(arguments: TTLDelete.Selection.allCases)
    func ttlDeletesAreSelectedOrLeftOut(_ mode: TTLDelete.Selection) throws {
        let archive = try SelectionArchive()
        let ttl = try archive.lines.filter { try ParsedRecord($0).isTTLDelete }
        let expected: [String]
        switch mode {
        case .include: expected = archive.lines
        case .only: expected = ttl
        case .exclude: expected = archive.lines.filter { !ttl.contains($0) }
        }
        let out = try archive.replay(RecordSelection(ttlDeletes: mode))
        #expect(!ttl.isEmpty && Set(out.lines) == Set(expected) && out.lines.count == expected.count)
        #expect(out.statistics.recordsFiltered == archive.lines.count - expected.count)
    }

    @Test func conditionsCombineAndPatternsAreAnOr() throws {
        let archive = try SelectionArchive()
        let shipped = #"{"dynamodb":{"NewImage":{"status":{"S":["SHIPPED"]}}}}"#
        let delivered = #"{"dynamodb":{"NewImage":{"status":{"S":["DELIVERED"]}}}}"#
        let expected = try archive.lines.filter { line in
            let record = try ParsedRecord(line)
            let status = ((record.object["dynamodb"] as? [String: Any])?["NewImage"] as? [String: Any])?["status"] as? [String: String]
            return record.eventName == "MODIFY" && (status?["S"] == "SHIPPED" || status?["S"] == "DELIVERED")
        }
        let out = try archive.replay(
            RecordSelection(eventNames: [.modify], patterns: [try FilterPattern(shipped), try FilterPattern(delivered)]),
            order: .time
        )
        #expect(!expected.isEmpty && Set(out.lines) == Set(expected) && out.lines.count == expected.count)
    }

    @Test func keysMatchInsideKinesisRecords() throws {
        let native =
            #"{"eventID":"e1","eventName":"REMOVE","awsRegion":"us-east-1","dynamodb":{"ApproximateCreationDateTime":1700000000,"Keys":{"id":{"N":"101.5"},"b":{"B":"AAEC"}},"SequenceNumber":"5","SizeBytes":10,"StreamViewType":"KEYS_ONLY"},"userIdentity":{"PrincipalId":"dynamodb.amazonaws.com","Type":"Service"}}"#
        var converter = RecordConverter(from: .native, to: .kinesisRecord, options: ConversionOptions(tableName: "t"))
        var kinesis: [UInt8] = []
        try Array(native.utf8).withUnsafeBufferPointer { try converter.convert($0, into: &kinesis) }
        func accepts(_ selection: RecordSelection, _ bytes: [UInt8], _ format: RecordFormat) throws -> Bool {
            var filter = try #require(selection.makeFilter())
            return try bytes.withUnsafeBufferPointer { try filter.accepts($0, format: format) }
        }
        for (bytes, format) in [(Array(native.utf8), RecordFormat.native), (kinesis, .kinesisRecord)] {
            #expect(try accepts(RecordSelection(key: try ItemKey(parsing: ["id:N=0101.50"])), bytes, format))
            #expect(try accepts(RecordSelection(key: try ItemKey(parsing: ["id:N=101.5", "b:B=AAEC"])), bytes, format))
            #expect(try !accepts(RecordSelection(key: try ItemKey(parsing: ["id:N=101"])), bytes, format))
            #expect(try !accepts(RecordSelection(key: try ItemKey(parsing: ["id=101.5"])), bytes, format), "S is not N")
            #expect(try accepts(RecordSelection(ttlDeletes: .only), bytes, format))
            #expect(try !accepts(RecordSelection(ttlDeletes: .exclude), bytes, format))
        }
    }
}

struct BlockKeyFilterTests {
    /// Keys written with JSON escapes (`\"`, `\u0041`, `\/`) are filtered by what they stand for: no block that
    /// holds the item is ever skipped.
    @Test(arguments: [
        (#"a\"b"#, #"a"b"#),
        (#"\u0041BC"#, "ABC"),
        (#"x\/y"#, "x/y"),
        ("plain", "plain"),
    ])
    func escapedKeysAreNeverRuledOut(_ written: String, _ meant: String) throws {
        let directory = try TemporaryDirectory("keyfilter")
        let layout = StorageLayout(root: directory.path + "/storage")
        try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
        let catalog = try Catalog(path: layout.catalogPath)
        var lines: [String] = []
        for i in 0..<40 {
            let id = i == 17 ? written : "other-\(i)"
            lines.append(
                #"{"eventID":"e\#(i)","eventName":"INSERT","awsRegion":"us-east-1","dynamodb":{"ApproximateCreationDateTime":\#(1_767_225_600 + i),"#
                    + #""Keys":{"id":{"S":"\#(id)"}},"SequenceNumber":"\#(100 + i)","SizeBytes":10,"StreamViewType":"KEYS_ONLY"}}"#
            )
        }
        let path = directory.file("in.ndjson")
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        var options = IngestOptions(stream: "orders", shard: "s")
        options.writer.blockBytes = 1 << 10
        _ = try Ingestor(layout: layout, catalog: catalog, options: options).ingest(paths: [path])
        let pipeline = try ReplayPipeline(
            catalog: catalog,
            layout: layout,
            selection: ReplaySelection(stream: "orders"),
            filter: RecordSelection(key: try ItemKey(parsing: ["id=\(meant)"])).makeFilter()
        )
        var sink = CollectingSink()
        let statistics = try pipeline.run(into: &sink)
        #expect(sink.lines == [lines[17]])
        #expect(statistics.blocksSkipped > 0 && statistics.blocksRead == 1, "\(statistics)")
    }
}

struct ItemKeyTests {
    @Test(arguments: [
        (["orderId=ORD-1"], "orderId", ItemKey.AttributeType.string, "ORD-1"),
        (["orderId=a=b"], "orderId", .string, "a=b"),
        (["orderId:S=x"], "orderId", .string, "x"),
        (["total:N=042.50"], "total", .number, "42.5"),
        (["total:n=-0"], "total", .number, "0"),
        (["total:N=+7"], "total", .number, "7"),
        (["total:N=1.5E3"], "total", .number, "1.5E3"),
        (["blob:B=AAEC"], "blob", .binary, "AAEC"),
        (["a:b:S=x"], "a:b", .string, "x"),
    ])
    func parsesAttributes(_ arguments: [String], _ name: String, _ type: ItemKey.AttributeType, _ value: String) throws {
        let key = try ItemKey(parsing: arguments)
        #expect(key.attributes == [ItemKey.Attribute(name: name, type: type, value: value)])
    }

    @Test(arguments: [
        (["orderId"], "has no '='"),
        (["=x"], "no attribute name"),
        (["orderId="], "cannot be empty"),
        (["n:N=abc"], "is not a number"),
        (["b:B=###"], "is not padded base64"),
        (["x:Q=1"], "type 'Q' is not a key type"),
        (["a=1", "a=2"], "names attribute 'a' twice"),
    ])
    func refusesMalformedKeys(_ arguments: [String], _ message: String) throws {
        let error = try #require(throws: SelectionError.self) { try ItemKey(parsing: arguments) }
        #expect(error.code == .invalidKey && error.message.contains(message), "\(error.message)")
    }
}
