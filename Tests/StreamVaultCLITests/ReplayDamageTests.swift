import ArchiveStore
import Foundation
import StreamModel
import StreamVaultTesting
import Testing

/// Damage on disk, replayed through the real binary: the readable records before the damage come out (a
/// prefix of the undamaged replay), then a message naming the segment and block, and exit status 65.
@Suite(.timeLimit(.minutes(3)))
struct ReplayDamageTests {
    enum Damage: String, CaseIterable {
        /// Bytes flipped inside one block in the middle of the segment (zstd's checksum catches it).
        case flippedBytes
        /// The segment file cut in the middle of a block (that block and every later one are gone).
        case truncatedSegment
    }

    struct Archive {
        let ws: CLIWorkspace
        let blocks: [BlockInfo]
        let segment: String
    }

    func archive() throws -> Archive {
        let ws = try CLIWorkspace()
        for file in try SampleFiles.perShard(in: ws.directory.path, records: 1500, shards: 3) {
            try ws.ok(["ingest", "--stream", "orders", "--shard", file.shard, "--block-kib", "16", file.path])
        }
        let catalog = try Catalog(path: ws.storage + "/catalog.sqlite")
        let blocks = try catalog.blocks(streamID: try catalog.requireStream("orders").id)
        let segments = try ws.segments()
        try #require(segments.count == 1 && blocks.count >= 10, "one segment of many blocks (\(segments.count), \(blocks.count))")
        return Archive(ws: ws, blocks: blocks.sorted { $0.offset < $1.offset }, segment: segments[0])
    }

    @Test(arguments: Damage.allCases, ["shard", "time"])
    func replayWritesEverythingBeforeTheDamageThenFails(_ damage: Damage, _ order: String) throws {
        let a = try archive()
        let replay = ["replay", "--stream", "orders", "--order", order]
        let undamaged = try a.ws.ok(replay).lines
        #expect(undamaged.count == 1500)

        let target = a.blocks[a.blocks.count / 2]
        let damaged: [BlockInfo]
        let handle = try #require(FileHandle(forUpdatingAtPath: a.segment))
        switch damage {
        case .flippedBytes:
            let at = UInt64(target.offset + target.length / 2)
            try handle.seek(toOffset: at)
            let original = try #require(try handle.read(upToCount: 4))
            try handle.seek(toOffset: at)
            try handle.write(contentsOf: Data(original.map { ~$0 }))
            damaged = [target]
        case .truncatedSegment:
            try handle.truncate(atOffset: UInt64(target.offset + target.length / 2))
            damaged = a.blocks.filter { $0.offset >= target.offset }
        }
        try handle.close()

        // What an undamaged replay prints before the first damaged block it would reach.
        let expected: [String]
        if order == "shard" {
            let firsts = damaged.map { block in undamaged.firstIndex { sequenceNumber($0) == block.firstSeq.text } ?? undamaged.count }
            expected = Array(undamaged.prefix(firsts.min() ?? 0))
        } else {
            let earliest = damaged.map(\.minTime).min() ?? .max
            expected = undamaged.filter { eventTimeMillis($0) < earliest }
            #expect(expected == Array(undamaged.prefix(expected.count)))
        }
        #expect(!expected.isEmpty && expected.count < undamaged.count)

        let result = try a.ws.run(replay)
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.lines == expected, "exactly the readable records before the damage (\(result.lines.count) vs \(expected.count))")
        #expect(result.stderr.contains("segment '\(a.segment)'"), "\(result.stderr)")
        #expect(result.stderr.contains("Replay stopped at damage") && result.stderr.contains("streamvault verify"))
        if damage == .flippedBytes { #expect(result.stderr.contains("block at byte \(target.offset)")) }
    }

    /// A block whose records no longer match its catalog row is damage too: another record count, another
    /// sequence range.
    @Test(arguments: ["record_count = record_count + 1", "last_seq = first_seq", "first_seq = last_seq"])
    func aBlockThatDisagreesWithItsCatalogRowIsDamage(_ change: String) throws {
        let a = try archive()
        let undamaged = try a.ws.ok(["replay", "--stream", "orders"]).lines
        let target = a.blocks[a.blocks.count / 2]
        let sqlite = try CommandRunner.run(
            "sqlite3",
            [a.ws.storage + "/catalog.sqlite", "UPDATE blocks SET \(change) WHERE id = \(target.id)"]
        )
        try #require(sqlite.status == 0, "\(sqlite.stderr)")
        let result = try a.ws.run(["replay", "--stream", "orders"])
        #expect(result.status == 65)
        let first = try #require(undamaged.firstIndex { sequenceNumber($0) == target.firstSeq.text })
        #expect(result.lines == Array(undamaged.prefix(first)))
        #expect(result.stderr.contains("block at byte \(target.offset)") && result.stderr.contains("disagrees with the catalog"), "\(result.stderr)")
    }
}

private func sequenceNumber(_ line: String) -> String {
    let start = line.range(of: "\"SequenceNumber\":\"")!.upperBound
    return String(line[start...].prefix { $0 != "\"" })
}

private func eventTimeMillis(_ line: String) -> Int64 {
    let start = line.range(of: "\"ApproximateCreationDateTime\":")!.upperBound
    let digits = line[start...].prefix { $0.isNumber || $0 == "." }
    return Int64((Double(digits) ?? 0) * 1000)
}
