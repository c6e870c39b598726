import ArchiveExport
import ArchiveStore
import Foundation
import Replay
import StreamModel
import StreamVaultTesting
import Testing

@Suite(.timeLimit(.minutes(2)))
struct ArchiveExporterTests {
    static let hour: Int64 = 3_600_000

    @Test(arguments: [ExportCompression.zstd, .none])
    func dataFilesHoldExactlyTheReplayedRecordsAndSha256sumAcceptsThem(_ compression: ExportCompression) throws {
        let f = try ExportFixture()
        let from = ExportFixture.start + 2 * Self.hour
        let to = ExportFixture.start + 10 * Self.hour
        let (dir, manifest) = try f.export(ExportRequest(stream: "orders", from: from, to: to, compression: compression))
        let expected = try f.replay(from: from, to: to)
        #expect(!expected.isEmpty)
        #expect(try ExportFixture.dataLines(dir, manifest) == expected)
        #expect(manifest.recordCount == expected.count)
        #expect(manifest.shards.map(\.records).reduce(0, +) == expected.count)
        #expect(Set(manifest.shards.map(\.shard)) == Set(f.shardIDs))
        #expect(manifest.files.allSatisfy { $0.name.hasSuffix(compression == .zstd ? ".ndjson.zst" : ".ndjson") })
        #expect(manifest.range.from == "2026-01-01T02:00:00Z" && manifest.range.to == "2026-01-01T10:00:00Z")
        let check = try sha256sumCheck(dir)
        #expect(check.status == 0, "\(check.stdoutText) \(check.stderr)")
        #expect(check.stdoutText.contains("manifest.json: OK"))
        #expect(try ExportVerifier.verify(directory: dir).problems == [])
    }

    @Test func manifestNamesFirstAndLastSequencePerShardAndNullAuditHead() throws {
        let f = try ExportFixture()
        let (dir, manifest) = try f.export(ExportRequest(stream: "orders", maxFileRecords: 100))
        for shard in manifest.shards {
            let files = manifest.files.filter { $0.shard == shard.shard }
            #expect(files.allSatisfy { $0.records <= 100 })
            #expect(files.map(\.records).reduce(0, +) == shard.records)
            let lines = try ExportFixture.dataLines(dir, ExportManifest.with(files: files, of: manifest))
            #expect(lines.first?.sequenceNumber == shard.firstSequenceNumber)
            #expect(lines.last?.sequenceNumber == shard.lastSequenceNumber)
        }
        let text = try String(contentsOfFile: dir + "/manifest.json", encoding: .utf8)
        #expect(text.contains(#""auditChainHead" : null"#))
        #expect(try ExportVerifier.verify(directory: dir).problems == [])
    }

    @Test func auditHeadParameterIsWritten() throws {
        let f = try ExportFixture(records: 30, shards: 1)
        let (_, manifest) = try f.export(ExportRequest(stream: "orders", auditHead: "ab12"))
        #expect(manifest.auditChainHead == "ab12")
    }

    @Test func eventNameAndExtraFiltersSelectAndAreNamed() throws {
        let f = try ExportFixture()
        let extra = ClosureFilter { record, _ in record.count % 2 == 0 }
        let (dir, manifest) = try ArchiveExporterTests.export(f, ExportRequest(stream: "orders", eventNames: [.remove]), extra, ["size is even"])
        let expected = try f.replay(filter: FilterChainForTest.removeAndEven())
        #expect(try ExportFixture.dataLines(dir, manifest) == expected)
        #expect(manifest.filters == ["eventName in REMOVE", "size is even"])
        #expect(expected.allSatisfy { $0.contains(#""eventName":"REMOVE""#) })
    }

    @Test(arguments: [RecordFormat.plain, .kds])
    func otherShapesAreTheReplaysConversion(_ format: RecordFormat) throws {
        let f = try ExportFixture(records: 120, shards: 2)
        let (dir, manifest) = try f.export(ExportRequest(stream: "orders", format: format))
        #expect(try ExportFixture.dataLines(dir, manifest) == f.replay(format: format))
        #expect(manifest.format == format.rawValue)
        #expect(try ExportVerifier.verify(directory: dir).problems == [])
    }

    @Test func refusesANonEmptyDirectoryAndLeavesItAlone() throws {
        let f = try ExportFixture(records: 30, shards: 1)
        let out = f.out("busy")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try "mine".write(toFile: out + "/keep.txt", atomically: true, encoding: .utf8)
        #expect {
            try f.export(ExportRequest(stream: "orders"), to: out)
        } throws: { ($0 as? ExportError)?.code == .outputNotEmpty }
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["keep.txt"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.directory.path).allSatisfy { !$0.contains(".partial-") })
    }

    @Test func missingParentDirectoriesAreCreated() throws {
        let f = try ExportFixture(records: 30, shards: 1)
        let out = f.out("exports/2026/01")
        let (_, manifest) = try f.export(ExportRequest(stream: "orders"), to: out)
        #expect(manifest.recordCount == 30)
        #expect(try ExportVerifier.verify(directory: out).problems == [])
    }

    @Test func anEmptyExistingDirectoryIsFilled() throws {
        let f = try ExportFixture(records: 30, shards: 1)
        let out = f.out("empty")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let (_, manifest) = try f.export(ExportRequest(stream: "orders"), to: out)
        #expect(manifest.recordCount == 30)
        #expect(try ExportVerifier.verify(directory: out).problems == [])
    }

    @Test(arguments: ExportLayout.allCases)
    func aRangeWithoutRecordsIsAnEmptyButVerifiableExport(_ layout: ExportLayout) throws {
        let f = try ExportFixture(records: 30, shards: 1)
        let (dir, manifest) = try f.export(
            ExportRequest(stream: "orders", from: ExportFixture.start + 48 * Self.hour, to: ExportFixture.start + 49 * Self.hour, layout: layout)
        )
        #expect(manifest.recordCount == 0 && manifest.files.isEmpty && manifest.shards.isEmpty)
        #expect(try ExportVerifier.verify(directory: dir).problems == [])
        #expect(try sha256sumCheck(dir).status == 0)
    }

    @Test func gapsInsideTheRangeAreListed() throws {
        let f = try ExportFixture(records: 300, shards: 1)
        let stream = try f.catalog.requireStream("orders")
        let shard = try #require(try f.catalog.shards(streamID: stream.id).first)
        let lines = try f.replay()
        let middle = try #require(SequenceNumber(lines[150].sequenceNumber))
        try f.catalog.recordGap(streamID: stream.id, shardRowID: shard.rowID, afterSequence: middle, reason: "trimmed", now: 0)
        let (_, whole) = try f.export(ExportRequest(stream: "orders"))
        #expect(whole.gaps.map(\.afterSequenceNumber) == [middle.text])
        #expect(whole.gaps.first?.reason == "trimmed")
        // Record 150 is at 12:00 (one record every 288 s): the hole lies between 12:00:00 and 12:04:48.
        let (_, before) = try f.export(ExportRequest(stream: "orders", to: ExportFixture.start + 3 * Self.hour))
        #expect(before.gaps.isEmpty, "the gap lies after the exported records")
        let (_, later) = try f.export(ExportRequest(stream: "orders", from: ExportFixture.start + 20 * Self.hour))
        #expect(later.gaps.isEmpty, "the gap lies before the exported records")
        let (_, around) = try f.export(
            ExportRequest(stream: "orders", from: ExportFixture.start + 12 * Self.hour + 60_000, to: ExportFixture.start + 13 * Self.hour)
        )
        #expect(around.gaps.count == 1, "the hole may hold records of 12:01 onwards")
    }

    static func export(_ f: ExportFixture, _ request: ExportRequest, _ filter: any RecordFilter, _ names: [String]) throws -> (String, ExportManifest)
    {
        let out = f.out("filtered")
        return (
            out, try ArchiveExporter(catalog: f.catalog, layout: f.layout, request: request, filter: filter, filterDescriptions: names).run(out: out)
        )
    }
}

/// The real `sha256sum -c SHA256SUMS`, run inside the export directory.
func sha256sumCheck(_ directory: String) throws -> CommandRunner.Result {
    try CommandRunner.run("sh", ["-c", "cd \"$1\" && sha256sum -c SHA256SUMS", "sh", directory])
}

enum FilterChainForTest {
    static func removeAndEven() -> any RecordFilter {
        FilterChain([EventNameFilter([.remove]), ClosureFilter { record, _ in record.count % 2 == 0 }])
    }
}

extension ExportManifest {
    static func with(files: [File], of manifest: ExportManifest) -> ExportManifest {
        var copy = manifest
        copy.files = files
        return copy
    }
}

extension String {
    /// `dynamodb.SequenceNumber` of a native record line.
    var sequenceNumber: String {
        guard let start = range(of: #""SequenceNumber":""#)?.upperBound else { return "" }
        return String(self[start...].prefix { $0 != "\"" })
    }
}
