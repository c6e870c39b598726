import ArchiveStore
import Foundation
import StreamModel
import StreamVaultTesting
import Testing

struct CatalogAsyncReadTests {
    /// Three streams of two shards, committed in several commits of small blocks.
    private static func makeArchive() throws -> TestArchive {
        let archive = try TestArchive()
        for (index, name) in ["alpha", "beta", "gamma"].enumerated() {
            let writer = try archive.writer(name, configuration: .init(blockBytes: 8 << 10))
            let byShard = ["s1", "s2"].enumerated().map { offset, id in
                (id, SampleFiles.lines(records: 200, shards: 1, seed: UInt64(10 * index + offset + 1)))
            }
            for (shard, _) in byShard { try writer.openShard(shard, dedupe: .sequence) }
            for part in 0..<4 {
                for (shard, lines) in byShard {
                    try TestArchive.append(Array(lines[(part * 50)..<((part + 1) * 50)]), to: writer, shard: shard)
                }
                try writer.commit()
            }
        }
        return archive
    }

    /// Many tasks read at once through the async reader; each answer equals the synchronous one.
    ///
    /// The synchronous answers are taken before the tasks start: a synchronous read inside a task would block
    /// a cooperative thread waiting for one of GRDB's reader connections, while the async reads holding them
    /// wait for a cooperative thread to finish on, which hangs the process (seen here with 2 cores).
    @Test func concurrentAsyncReadsReturnWhatSynchronousReadsDo() async throws {
        let archive = try Self.makeArchive()
        let catalog = archive.catalog
        let streams = try catalog.streams()
        #expect(streams.map(\.name) == ["alpha", "beta", "gamma"])
        let tasks = 24
        let expected = try (0..<tasks).map { task in try Expected(catalog, stream: streams[task % streams.count], task: task, of: tasks) }
        let reader = catalog.asyncReader
        let checked = try await withThrowingTaskGroup(of: Int.self) { group in
            for want in expected {
                group.addTask {
                    #expect(try await reader.streams() == streams)
                    #expect(try await reader.stream(named: want.stream.name) == want.stream)
                    #expect(try await reader.requireStream(want.stream.name) == want.stream)
                    #expect(try await reader.shards(streamID: want.stream.id) == want.shards)
                    let byTime = try await reader.blocks(streamID: want.stream.id, timeFrom: want.window.lowerBound, timeTo: want.window.upperBound)
                    #expect(byTime == want.blocksInWindow)
                    var count = byTime.count
                    for (shard, from, blocks) in want.blocksFromMiddle {
                        let bySequence = try await reader.blocks(shardRowID: shard, sequenceFrom: from, sequenceTo: nil)
                        #expect(bySequence == blocks)
                        count += bySequence.count
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(checked == expected.reduce(0) { $0 + $1.blocksInWindow.count + $1.blocksFromMiddle.reduce(0) { $0 + $1.blocks.count } })
    }

    /// What one task of the concurrent test must read, found with the synchronous methods.
    private struct Expected: Sendable {
        let stream: StreamInfo
        let shards: [ShardInfo]
        let window: Range<Int64>
        let blocksInWindow: [BlockInfo]
        let blocksFromMiddle: [(shard: Int64, from: SequenceNumber, blocks: [BlockInfo])]

        init(_ catalog: Catalog, stream: StreamInfo, task: Int, of tasks: Int) throws {
            self.stream = stream
            shards = try catalog.shards(streamID: stream.id)
            #expect(shards.count == 2)
            let all = try catalog.blocks(streamID: stream.id)
            #expect(all.count > 8, "small blocks and four commits make many blocks")
            let first = all.map(\.minTime).min() ?? 0
            let last = all.map(\.maxTime).max() ?? 0
            // A window that moves with the task, so the tasks ask different questions.
            let from = first + (last - first) * Int64(task) / Int64(2 * tasks)
            window = from..<(from + (last - first) / 3)
            blocksInWindow = try catalog.blocks(streamID: stream.id, timeFrom: window.lowerBound, timeTo: window.upperBound)
            #expect(!blocksInWindow.isEmpty && blocksInWindow.count < all.count)
            blocksFromMiddle = shards.map { shard in
                let blocks = all.filter { $0.shardRowID == shard.rowID }
                return (shard.rowID, blocks[blocks.count / 2].firstSeq, Array(blocks[(blocks.count / 2)...]))
            }
        }
    }

    @Test func anUnknownStreamNamesTheKnownOnes() async throws {
        let archive = try Self.makeArchive()
        #expect(try await archive.catalog.asyncReader.stream(named: "nope") == nil)
        await #expect {
            _ = try await archive.catalog.asyncReader.requireStream("nope")
        } throws: { error in
            guard let error = error as? ArchiveError else { return false }
            return error.code == .unknownStream && error.message.contains("alpha") && error.message.contains("gamma")
        }
    }

    /// A catalog opened read-only (what `ls`, `replay` and the server use) answers async reads too.
    @Test func aReadOnlyCatalogAnswersAsyncReads() async throws {
        let archive = try Self.makeArchive()
        let readOnly = try Catalog(path: archive.layout.catalogPath, access: .readOnly)
        let stream = try await readOnly.asyncReader.requireStream("beta")
        let blocks = try await readOnly.asyncReader.blocks(streamID: stream.id, timeFrom: .min, timeTo: .max)
        #expect(blocks == (try archive.catalog.blocks(streamID: stream.id)))
    }
}
