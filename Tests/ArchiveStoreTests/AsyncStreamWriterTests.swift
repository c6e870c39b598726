import ArchiveStore
import Dispatch
import Foundation
import StreamModel
import StreamVaultTesting
import Synchronization
import Testing

struct AsyncStreamWriterTests {
    @Test func pagesAppendedAsyncComeBackAfterCommit() async throws {
        let archive = try TestArchive()
        let lines = SampleFiles.lines(records: 300, shards: 1)
        let writer = try await AsyncStreamWriter.open(layout: archive.layout, catalog: archive.catalog, streamName: "orders")
        let info = try await writer.openShard("s1", dedupe: .sequence)
        #expect(info.checkpoint == nil)
        let first = try await writer.append(lines[0..<200]) { line, writer in try TestArchive.append([line], to: writer, shard: "s1")[0] }
        #expect(first == .init(accepted: 200, duplicates: 0))
        #expect(try await writer.uncommittedRecords == 200)
        #expect(try archive.records().isEmpty, "nothing is visible before commit")
        let again = try await writer.append(lines) { line, writer in try TestArchive.append([line], to: writer, shard: "s1")[0] }
        #expect(again == .init(accepted: 100, duplicates: 200))
        let totals = try await writer.commit()
        #expect(totals.committedRecords == 300 && totals.duplicates == 200 && totals.commits == 1)
        try await writer.sealOpenSegment()
        #expect(try archive.records() == lines)
        #expect(try archive.catalog.segments(streamID: writer.stream.id).allSatisfy { $0.sealedAt != nil })
    }

    @Test func gapsAndClosedShardsGoThroughTheWriter() async throws {
        let archive = try TestArchive()
        let writer = try await AsyncStreamWriter.open(layout: archive.layout, catalog: archive.catalog, streamName: "orders")
        let parent = try await writer.openShard("parent", dedupe: .sequence)
        try await writer.openShard("child", parentShardID: "parent", dedupe: .sequence)
        try await writer.recordGap(shardRowID: parent.rowID, afterSequence: SequenceNumber("100"), reason: "trimmed", now: 5)
        try await writer.markShardClosed(rowID: parent.rowID, at: 7)
        let shards = try await writer.shards()
        #expect(shards.map(\.shardID) == ["parent", "child"])
        #expect(shards.first?.closedAt == 7)
        let gaps = try archive.catalog.gaps(streamID: writer.stream.id)
        #expect(gaps.map(\.shardID) == ["parent"] && gaps.first?.afterSequence == SequenceNumber("100"))
    }

    @Test func aSecondWriterOfTheStreamIsRefused() async throws {
        let archive = try TestArchive()
        let writer = try await AsyncStreamWriter.open(layout: archive.layout, catalog: archive.catalog, streamName: "orders")
        await #expect(throws: ArchiveError.self) {
            _ = try await AsyncStreamWriter.open(layout: archive.layout, catalog: archive.catalog, streamName: "orders")
        }
        _ = writer
    }

    /// As many writers as the cooperative pool has threads all sit blocked inside the store (an append that
    /// waits, then a real commit with fsync); a task on the cooperative pool must still run and let them go.
    /// Had the writers run on the pool (as synchronous `StreamWriter` calls from async code did), every pool
    /// thread would be blocked, the releasing task could never run, and each wait would time out.
    @Test func writersBlockedInTheStoreLeaveTheCooperativePoolFree() async throws {
        let archive = try TestArchive()
        let width = max(2, ProcessInfo.processInfo.activeProcessorCount)
        let lines = SampleFiles.lines(records: 2_000, shards: 1)
        let gate = DispatchSemaphore(value: 0)
        let blocked = Counter()
        var writers: [AsyncStreamWriter] = []
        for index in 0..<width {
            let writer = try await AsyncStreamWriter.open(layout: archive.layout, catalog: archive.catalog, streamName: "stream\(index)")
            try await writer.openShard("s1", dedupe: .sequence)
            writers.append(writer)
        }
        let released = try await withThrowingTaskGroup(of: Bool.self) { group in
            for writer in writers {
                group.addTask {
                    let released = Counter()
                    try await writer.append(lines) { line, writer in
                        if line == lines[0] {
                            blocked.add()
                            if gate.wait(timeout: .now() + 30) == .success { released.add() }
                        }
                        return try TestArchive.append([line], to: writer, shard: "s1")[0]
                    }
                    try await writer.commit()
                    return released.value == 1
                }
            }
            // The releasing task: it runs only if a cooperative thread is free while all writers are blocked.
            group.addTask {
                while blocked.value < width { try await Task.sleep(for: .milliseconds(5)) }
                for _ in 0..<width { gate.signal() }
                return true
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(released == Array(repeating: true, count: width + 1), "every writer was let go by a task on the cooperative pool")
        for index in 0..<width { #expect(try archive.records("stream\(index)") == lines) }
    }
}

/// A count shared by threads.
private final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func add() { count.withLock { $0 += 1 } }
}
