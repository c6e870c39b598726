import ArchiveStore
import Foundation
import StreamModel
import StreamVaultTesting
import Testing

struct IngestorTests {
    static let good = SampleFiles.lines(records: 10, shards: 1)

    func ingest(_ archive: TestArchive, _ files: [String], shard: String? = "s1", skipInvalid: Bool = false) throws -> IngestSummary {
        let ingestor = try Ingestor(
            layout: archive.layout,
            catalog: archive.catalog,
            options: IngestOptions(stream: "orders", shard: shard, skipInvalid: skipInvalid)
        )
        return try ingestor.ingest(paths: files)
    }

    func write(_ archive: TestArchive, _ name: String, _ text: String) throws -> String {
        let path = archive.directory.file(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A bad line in the middle: the error names file, line and field; the lines before it are archived.
    @Test(arguments: [
        ("{not json", "4: expected a key string"),
        (Self.good[3].replacingOccurrences(of: "\"SequenceNumber\"", with: "\"SequenceNumbr\""), "4: dynamodb.SequenceNumber: missing"),
        (
            Self.good[3].replacingOccurrences(of: #""qty":{"N":"#, with: #""qty":{"S":"#).replacingOccurrences(
                of: #""total":{"N":"#,
                with: #""total":{"BOOL":"#
            ),
            "4: dynamodb.NewImage.total.BOOL: expected true or false"
        ),
    ])
    func stopsAtTheFirstBadLineNamingIt(_ bad: String, _ expected: String) throws {
        let archive = try TestArchive()
        let lines = Array(Self.good[0..<3]) + [bad] + Array(Self.good[4...])
        let path = try write(archive, "in.ndjson", lines.joined(separator: "\n") + "\n")
        #expect {
            _ = try ingest(archive, [path])
        } throws: { error in
            let message = "\(error)"
            return message.hasPrefix("\(path):\(expected)") && message.contains("--skip-invalid")
        }
        #expect(try archive.records() == Array(Self.good[0..<3]), "everything before the bad line is committed")
    }

    @Test func skipInvalidQuarantinesBadLinesVerbatimAndKeepsTheRest() throws {
        let archive = try TestArchive()
        let bad1 = "{not json"
        let bad2 = Self.good[5].replacingOccurrences(of: #""SequenceNumber":""#, with: #""SequenceNumber":"x"#)
        let lines = Array(Self.good[0..<2]) + [bad1] + Array(Self.good[2..<5]) + [bad2] + Array(Self.good[6...])
        let path = try write(archive, "in.ndjson", lines.joined(separator: "\n") + "\n")
        let summary = try ingest(archive, [path], skipInvalid: true)
        #expect(summary.rejected == 2)
        #expect(summary.archived == 9)
        let rejectedPath = try #require(summary.rejectedFile)
        #expect(try String(contentsOfFile: rejectedPath, encoding: .utf8) == bad1 + "\n" + bad2 + "\n")
        let reasons = try String(contentsOfFile: rejectedPath.replacingOccurrences(of: ".ndjson", with: ".reasons.ndjson"), encoding: .utf8)
        #expect(reasons.contains("\"line\":3") && reasons.contains("\"line\":7"))
        #expect(reasons.contains("dynamodb.SequenceNumber: expected a string of decimal digits"))
        #expect(Set(try archive.records()) == Set(Self.good).subtracting([Self.good[5]]))
    }

    @Test func reingestingTheSameFileIsANoOp() throws {
        let archive = try TestArchive()
        let path = try write(archive, "in.ndjson", Self.good.joined(separator: "\n"))
        #expect(try ingest(archive, [path]).archived == 10)
        let again = try ingest(archive, [path])
        #expect(again.archived == 0 && again.duplicates == 10)
        #expect(try ingest(archive, [path], shard: nil).archived == 10, "the default shard is a different shard")
        #expect(try ingest(archive, [path], shard: nil).duplicates == 10, "...which recognises its own duplicates by eventID")
        #expect(try archive.records().count == 20)
    }

    @Test func lambdaEventFilesArePrettyPrintedAndMayHoldSeveralEvents() throws {
        let archive = try TestArchive()
        func event(_ lines: ArraySlice<String>) throws -> String {
            let records = try lines.map { line -> Any in
                var object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                object["eventSourceARN"] = "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2026-01-01T00:00:00.000"
                return object
            }
            return String(decoding: try JSONSerialization.data(withJSONObject: ["Records": records], options: [.prettyPrinted]), as: UTF8.self)
        }
        let path = try write(archive, "events.json", try event(Self.good[0..<4]) + "\n" + event(Self.good[4...]))
        let summary = try ingest(archive, [path], shard: nil)
        #expect(summary.archived == 10)
        let stored = try archive.records()
        #expect(stored.allSatisfy { !$0.contains("\n") && $0.contains("eventSourceARN") })
        let stream = try archive.catalog.requireStream("orders")
        #expect(try archive.catalog.blocks(streamID: stream.id).allSatisfy { $0.format == .lambdaDynamoDB })
    }

    @Test func aTruncatedEventFileKeepsTheCompleteRecordsAndNamesWhereItBroke() throws {
        let archive = try TestArchive()
        let records = Self.good.prefix(3).joined(separator: ",\n")
        let truncated = "{\"Records\": [\n" + records + ",\n" + String(Self.good[3].prefix(200))
        let path = try write(archive, "event.json", truncated)
        #expect {
            _ = try ingest(archive, [path], shard: nil)
        } throws: { error in
            "\(error)".hasPrefix("\(path):5: Records[3]") && "\(error)".contains("truncated")
        }
        #expect(try archive.records() == Array(Self.good.prefix(3)))
    }

    @Test func stdinAndCRLFLinesAreAccepted() throws {
        let archive = try TestArchive()
        let path = try write(archive, "crlf.ndjson", Self.good.joined(separator: "\r\n") + "\r\n\r\n")
        #expect(try ingest(archive, [path]).archived == 10)
        #expect(try archive.records() == Self.good)
    }

    // MARK: Records validated on every core (RecordBatch): same outcomes as one by one

    static let many = SampleFiles.lines(records: 3000, shards: 1)

    /// A bad record anywhere in a file long enough to be validated in parallel pieces: the run stops at exactly
    /// that line, with every record before it archived and none after it.
    @Test(arguments: [0, 63, 64, 1234, 2999])
    func aBadRecordInALongFileStopsAtItsLine(_ position: Int) throws {
        let archive = try TestArchive()
        var lines = Self.many
        lines[position] = lines[position].replacingOccurrences(of: "\"SequenceNumber\"", with: "\"SequenceNumbr\"")
        let path = try write(archive, "in.ndjson", lines.joined(separator: "\n") + "\n")
        var options = IngestOptions(stream: "orders", shard: "s1")
        options.writer.blockBytes = 64 << 10  // several slices of the reader's buffer, each in pieces
        let ingestor = try Ingestor(layout: archive.layout, catalog: archive.catalog, options: options)
        #expect {
            _ = try ingestor.ingest(paths: [path])
        } throws: { error in
            "\(error)".hasPrefix("\(path):\(position + 1): dynamodb.SequenceNumber: missing")
        }
        #expect(try archive.records() == Array(Self.many[..<position]))
    }

    /// With --skip-invalid, exactly the bad records of a long file are set aside, in input order, and the rest archived.
    @Test func skipInvalidInALongFileSetsAsideExactlyTheBadRecords() throws {
        let archive = try TestArchive()
        let badPositions = [5, 700, 701, 2048, 2999]
        var lines = Self.many
        for p in badPositions { lines[p] = "{\"eventID\":\"bad-\(p)\"" }
        let path = try write(archive, "in.ndjson", lines.joined(separator: "\n") + "\n")
        var options = IngestOptions(stream: "orders", shard: "s1", skipInvalid: true)
        options.writer.blockBytes = 64 << 10
        let summary = try Ingestor(layout: archive.layout, catalog: archive.catalog, options: options).ingest(paths: [path])
        #expect(summary.rejected == badPositions.count)
        #expect(summary.archived == Self.many.count - badPositions.count)
        let rejected = try String(contentsOfFile: try #require(summary.rejectedFile), encoding: .utf8)
        #expect(rejected == badPositions.map { lines[$0] + "\n" }.joined())
        let kept = Self.many.enumerated().filter { !badPositions.contains($0.offset) }.map(\.element)
        #expect(try archive.records() == kept)
    }

    /// A long event file cut short: the complete records before the break are archived (they were gathered
    /// from the reader's buffer when it stopped), and the error names where it broke.
    @Test func aTruncatedLongEventFileKeepsEveryCompleteRecord() throws {
        let archive = try TestArchive()
        let records = Self.many.prefix(2500).joined(separator: ",\n")
        let path = try write(archive, "event.json", "{\"Records\": [\n" + records + ",\n" + String(Self.many[2500].prefix(200)))
        #expect {
            _ = try ingest(archive, [path], shard: nil)
        } throws: { error in
            "\(error)".hasPrefix("\(path):2502: Records[2500]") && "\(error)".contains("truncated")
        }
        #expect(try archive.records() == Array(Self.many.prefix(2500)))
    }
}
