import ArchiveStore
import Foundation
import StreamVaultTesting
import Testing

struct ArchiveVerifierTests {
    func archiveWithRecords() throws -> (TestArchive, String) {
        let archive = try TestArchive()
        let writer = try archive.writer(configuration: .init(blockBytes: 8 << 10))
        try writer.openShard("s1", dedupe: .sequence)
        try TestArchive.append(SampleFiles.lines(records: 100, shards: 1), to: writer, shard: "s1")
        try writer.commit()
        return (archive, try #require(try archive.segmentPaths().first))
    }

    @Test func aHealthyArchiveVerifiesClean() throws {
        let (archive, _) = try archiveWithRecords()
        let report = try ArchiveVerifier(layout: archive.layout, catalog: archive.catalog).verify()
        #expect(report.isClean)
        #expect(report.records == 100)
        #expect(report.blocks > 1)
    }

    @Test func aFlippedByteNamesTheSegmentAndBlock() throws {
        let (archive, path) = try archiveWithRecords()
        let stream = try archive.catalog.requireStream("orders")
        let blocks = try archive.catalog.blocks(streamID: stream.id)
        let victim = blocks[1]
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let at = Int(victim.offset + victim.length) - 6  // inside the zstd frame's data, before its checksum
        bytes[at] ^= 0x5A
        try bytes.write(to: URL(fileURLWithPath: path))
        let report = try ArchiveVerifier(layout: archive.layout, catalog: archive.catalog).verify()
        #expect(!report.isClean)
        let damage = try #require(report.findings.first { $0.isDamage })
        #expect(damage.blockOffset == victim.offset)
        #expect(damage.segment == URL(fileURLWithPath: path).lastPathComponent)
    }

    @Test func aMissingOrForeignFileIsReported() throws {
        let (archive, path) = try archiveWithRecords()
        try FileManager.default.copyItem(atPath: path, toPath: archive.layout.segmentsDirectory("orders") + "/stray.ndjson.zst")
        try FileManager.default.removeItem(atPath: path)
        let report = try ArchiveVerifier(layout: archive.layout, catalog: archive.catalog).verify()
        let messages = report.findings.map(\.description).joined(separator: "\n")
        #expect(messages.contains("file is missing"))
        #expect(messages.contains("stray.ndjson.zst: file is not in the catalog"))
    }
}
