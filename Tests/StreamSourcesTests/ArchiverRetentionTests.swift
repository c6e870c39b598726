import AWSCore
import ArchiveStore
import Foundation
import StreamModel
import StreamSources
import StreamVaultTesting
import Testing

/// `archive` runs retention on its own stream (it holds the stream's writer lock, so no separate pruner can).
@Suite(.timeLimit(.minutes(1)))
struct ArchiverRetentionTests {
    @Test func theArchiverDeletesItsStreamsExpiredSegments() async throws {
        let storage = try TemporaryDirectory("archiver-retention")
        let layout = StorageLayout(root: storage.path)
        try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
        // Records of 2023 (older than 365 days on any clock this test runs on) in small segments.
        do {
            let catalog = try Catalog(path: layout.catalogPath)
            let writer = try StreamWriter(layout: layout, catalog: catalog, streamName: "orders", configuration: .init(maxSegmentBytes: 6 << 10))
            try writer.openShard("old", dedupe: .sequence)
            let lines = SampleFiles.lines(records: 200, shards: 1, startSeconds: 1_672_531_200, spanSeconds: 100 * 86_400)
            for chunk in stride(from: 0, to: lines.count, by: 5) {
                for line in lines[chunk..<(chunk + 5)] {
                    let bytes = Array(line.utf8)
                    try bytes.withUnsafeBufferPointer { buffer in
                        var c = JSONCursor(UnsafeRawBufferPointer(buffer))
                        let facts = try ChangeRecordScanner.scanNative(&c)
                        _ = try writer.append(
                            buffer,
                            shard: "old",
                            sequence: facts.sequenceNumber,
                            eventID: facts.eventID,
                            eventTime: facts.eventTimeMillis,
                            format: .native
                        )
                    }
                }
                try writer.commit()
            }
        }
        let catalog = try Catalog(path: layout.catalogPath)
        let stream = try catalog.requireStream("orders")
        // All of them expire: the sealed ones and the open one (sealed by prune, as the stream is idle in it).
        let sealed = try catalog.segments(streamID: stream.id)
        #expect(sealed.count > 2)

        let events = Reported<[String]>()
        _ = try await ScriptedServer.run([
            .ok(ArchiverScriptedTests.describeClosedShard),
            .ok(#"{"ShardIterator":"it-1"}"#),
            .ok(#"{"Records":[\#(ArchiverScriptedTests.record)]}"#),
            .ok(ArchiverScriptedTests.describeClosedShard),
        ]) { endpoint in
            let aws = try LocalAWS(endpoint, retry: .none)
            _ = try await archiveOnce(.dynamoDBStream(ArchiverScriptedTests.arn, streams: aws.streams), stream: "orders", storage: storage.path) {
                if case .pruned(let report) = $0 { events.append("pruned \(report.deleted.count)") }
            }
        }
        #expect(events.current == ["pruned \(sealed.count)"])
        let left = Set(try catalog.segments(streamID: stream.id).map(\.fileName))
        #expect(left.isDisjoint(with: sealed.map(\.fileName)))
        #expect(Set(layout.segmentFileNames("orders")) == left)
        let deleted = try AuditLog(layout: layout).entries().filter { $0.kind == .segmentDeleted }.map { $0.string("file") }
        #expect(Set(deleted) == Set(sealed.map(\.fileName)))
    }
}
