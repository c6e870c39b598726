import AWSCore
import AsyncHTTPClient
import Foundation
import StreamModel
import StreamVaultTesting
import Testing

@testable import ArchiveStore

/// Sealed segments go to moto's S3 with their index objects; the catalog and the audit log record it.
@Suite(.timeLimit(.minutes(3)))
struct SegmentUploaderTests {
    static let location = BucketLocation(bucket: "vault", prefix: "archive/one")

    static func s3(_ endpoint: String) throws -> S3Client {
        let url = try #require(URL(string: endpoint))
        let environment = AWSEnvironment(
            credentials: AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing", sessionToken: "testing"),
            region: "us-east-1",
            endpointOverride: url
        )
        return S3Client(
            environment: environment,
            httpClient: .shared,
            configuration: .init(retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10)))
        )
    }

    /// 120 records on two shards in ~6 KiB segments, all sealed; node id `0badcafe` in the names.
    static func archive() throws -> TestArchive {
        let archive = try TestArchive()
        var configuration = WriterConfiguration(blockBytes: 2 << 10, maxSegmentBytes: 6 << 10)
        configuration.nodeID = "0badcafe"
        let writer = try archive.writer(configuration: configuration)
        for shard in ["s1", "s2"] {
            try writer.openShard(shard, dedupe: .sequence)
            let lines = SampleFiles.lines(records: 60, shards: 1, startSeconds: 1_767_225_600, spanSeconds: 3600)
            for chunk in stride(from: 0, to: lines.count, by: 10) {
                try TestArchive.append(Array(lines[chunk..<chunk + 10]), to: writer, shard: shard)
                try writer.commit()
            }
        }
        try writer.sealOpenSegment()
        return archive
    }

    @Test func uploadsEverySealedSegmentThenItsIndexOnce() async throws {
        let archive = try Self.archive()
        try await MotoServer.with { endpoint in
            let s3 = try Self.s3(endpoint)
            try await s3.createBucket("vault")
            let uploader = SegmentUploader(layout: archive.layout, catalog: archive.catalog, location: Self.location, s3: s3)
            let stream = try archive.catalog.requireStream("orders")
            let segments = try archive.catalog.segments(streamID: stream.id)
            #expect(segments.count > 2)
            #expect(segments.allSatisfy { $0.fileName.contains("-0badcafe-") && CatalogLimits.isSegmentFileName($0.fileName) })

            var announced: [String] = []
            let uploaded = try await uploader.uploadPending(stream: "orders") { announced.append($0.fileName) }
            #expect(uploaded.map(\.fileName) == segments.map(\.fileName))
            #expect(announced == segments.map(\.fileName))

            for segment in segments {
                let local = try Data(contentsOf: URL(fileURLWithPath: archive.layout.segmentPath(stream: "orders", fileName: segment.fileName)))
                let key = Self.location.segmentKey(stream: "orders", fileName: segment.fileName)
                #expect(key == "archive/one/orders/segments/\(segment.fileName)")
                #expect(Data(try await s3.getObject(bucket: "vault", key: key)) == local)

                let indexKey = Self.location.indexKey(stream: "orders", fileName: segment.fileName)
                let index = try SegmentIndexObject.decode(Data(try await s3.getObject(bucket: "vault", key: indexKey)), key: indexKey)
                let blocks = try archive.catalog.blocks(segmentID: segment.id)
                #expect(index.sha256 == segment.sha256)
                #expect(index.bytes == segment.committedBytes)
                #expect(index.blocks.map(\.offset) == blocks.map(\.offset))
                #expect(index.blocks.map(\.length) == blocks.map(\.length))
                #expect(index.blocks.map(\.lastSeq) == blocks.map(\.lastSeq.text))
                #expect(index.blocks.map(\.count).reduce(0, +) == segment.recordCount)

                let state = try #require(try archive.catalog.remoteState(segmentID: segment.id))
                #expect(state.state == "uploaded")
                #expect(state.etag == (try await s3.headObject(bucket: "vault", key: key))?.etag)
            }
            let last = try #require(uploaded.last)
            let lastBlocks = try archive.catalog.blocks(segmentID: try #require(segments.last).id)
            #expect(last.lastSequences.values.contains(try #require(lastBlocks.last).lastSeq))

            let audited = try AuditChain.read(AuditLog(layout: archive.layout)).entries.filter { $0.kind == .segmentUploaded }
            #expect(audited.map { $0.string("file") } == segments.map(\.fileName))
            #expect(audited.map { $0.string("sha256") } == segments.map { $0.sha256 ?? "" })

            // Nothing is uploaded twice.
            #expect(try await uploader.uploadPending(stream: "orders").isEmpty)
            #expect(try await s3.listObjects(bucket: "vault", prefix: "archive/one/orders/").count == segments.count * 2)
        }
    }

    @Test func abortsAMultipartUploadACrashLeftBehind() async throws {
        let archive = try Self.archive()
        try await MotoServer.with { endpoint in
            let s3 = try Self.s3(endpoint)
            try await s3.createBucket("vault")
            let uploader = SegmentUploader(layout: archive.layout, catalog: archive.catalog, location: Self.location, s3: s3)
            let key = Self.location.segmentKey(stream: "orders", fileName: "20261130T120000Z-0badcafe-00000001.ndjson.zst")
            let id = try await s3.createMultipartUpload(bucket: "vault", key: key)
            _ = try await s3.uploadPart(bucket: "vault", key: key, uploadID: id, partNumber: 1, body: Data(count: 1000))
            #expect(try await uploader.abortInterruptedUploads(stream: "orders") == 1)
            #expect(try await s3.listMultipartUploads(bucket: "vault", prefix: "archive/").isEmpty)
        }
    }

    @Test func refusesToUploadASegmentThatChangedAfterSealing() async throws {
        let archive = try Self.archive()
        let stream = try archive.catalog.requireStream("orders")
        let first = try #require(try archive.catalog.segments(streamID: stream.id).first)
        let path = archive.layout.segmentPath(stream: "orders", fileName: first.fileName)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count - 3] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: path))
        try await MotoServer.with { endpoint in
            let s3 = try Self.s3(endpoint)
            try await s3.createBucket("vault")
            let uploader = SegmentUploader(layout: archive.layout, catalog: archive.catalog, location: Self.location, s3: s3)
            let error = await #expect(throws: ArchiveError.self) { try await uploader.uploadPending(stream: "orders") }
            #expect(error?.code == .segmentCorrupt)
            #expect(try archive.catalog.remoteState(segmentID: first.id)?.state == nil)
            #expect(try await s3.headObject(bucket: "vault", key: Self.location.segmentKey(stream: "orders", fileName: first.fileName)) == nil)
        }
    }

    /// Each shard's records in the order reads take them (its blocks by id).
    static func recordsByShard(_ archive: TestArchive) throws -> [String: [String]] {
        let stream = try archive.catalog.requireStream("orders")
        let reader = try BlockReader(layout: archive.layout, catalog: archive.catalog)
        var out: [String: [String]] = [:]
        for shard in try archive.catalog.shards(streamID: stream.id) {
            for block in try archive.catalog.blocks(shardRowID: shard.rowID, sequenceFrom: nil, sequenceTo: nil) {
                try reader.read(block)
                reader.forEachRecord { out[shard.shardID, default: []].append(String(decoding: $0, as: UTF8.self)) }
            }
        }
        return out
    }

    @Test func anEmptyNodeSyncsFromTheBucketAndReadsTheSameRecords() async throws {
        let writerNode = try Self.archive()
        let readerNode = try TestArchive()
        try await MotoServer.with { endpoint in
            let s3 = try Self.s3(endpoint)
            try await s3.createBucket("vault")
            let uploader = SegmentUploader(layout: writerNode.layout, catalog: writerNode.catalog, location: Self.location, s3: s3)
            let uploaded = try await uploader.uploadPending(stream: "orders")
            let sync = CatalogSync(layout: readerNode.layout, catalog: readerNode.catalog, location: Self.location, s3: s3)

            let first = try await sync.sync()
            #expect(first.streams == ["orders"])
            #expect(first.segmentsAdded == uploaded.count)
            #expect(first.segmentsDownloaded == uploaded.count)
            #expect(try Self.recordsByShard(readerNode) == Self.recordsByShard(writerNode))
            let verified = try ArchiveVerifier(layout: readerNode.layout, catalog: readerNode.catalog).verify()
            #expect(verified.isClean, "\(verified.findings)")
            let written = try writerNode.catalog.requireStream("orders")
            let synced = try readerNode.catalog.requireStream("orders")
            #expect(
                try readerNode.catalog.shards(streamID: synced.id).map(\.checkpoint)
                    == writerNode.catalog.shards(streamID: written.id).map(\.checkpoint)
            )
            #expect(
                try readerNode.catalog.segments(streamID: synced.id).compactMap(\.sha256).sorted()
                    == writerNode.catalog.segments(streamID: written.id).compactMap(\.sha256).sorted()
            )

            // Idempotent; then a new segment in the bucket is picked up.
            #expect(try await sync.sync(stream: "orders").segmentsAdded == 0)
            var configuration = WriterConfiguration(blockBytes: 2 << 10)
            configuration.nodeID = "0badcafe"
            let writer = try writerNode.writer(configuration: configuration)
            try writer.openShard("s3", dedupe: .sequence)
            try TestArchive.append(SampleFiles.lines(records: 5, shards: 1, startSeconds: 1_767_300_000, spanSeconds: 60), to: writer, shard: "s3")
            try writer.sealOpenSegment()
            #expect(try await uploader.uploadPending(stream: "orders").count == 1)
            let second = try await sync.sync()
            #expect(second.segmentsAdded == 1)
            #expect(try Self.recordsByShard(readerNode) == Self.recordsByShard(writerNode))
        }
    }

    @Test func evictsLeastRecentlyReadUploadedSegmentsOnly() async throws {
        let archive = try Self.archive()
        let stream = try archive.catalog.requireStream("orders")
        let segments = try archive.catalog.segments(streamID: stream.id)
        try await MotoServer.with { endpoint in
            let s3 = try Self.s3(endpoint)
            try await s3.createBucket("vault")
            let uploader = SegmentUploader(layout: archive.layout, catalog: archive.catalog, location: Self.location, s3: s3)
            // Nothing is in the bucket yet: nothing may go.
            #expect(try await uploader.evict(stream: "orders", keepBytes: 0).isEmpty)
            try await uploader.uploadPending(stream: "orders")

            // The first segment is read last, so it is the one kept.
            try await Task.sleep(for: .milliseconds(20))
            let reader = try BlockReader(layout: archive.layout, catalog: archive.catalog)
            try reader.read(try #require(try archive.catalog.blocks(segmentID: segments[0].id).first))
            let evicted = try await uploader.evict(stream: "orders", keepBytes: segments[0].committedBytes)
            // (Among the others, the order follows access times the uploads' reads left, which the kernel keeps coarsely.)
            #expect(Set(evicted) == Set(segments.dropFirst().map(\.fileName)))
            for segment in segments {
                #expect(FileIO.exists(archive.layout.segmentPath(stream: "orders", fileName: segment.fileName)) == (segment.id == segments[0].id))
                #expect((try archive.catalog.remoteState(segmentID: segment.id)?.evictedAt != nil) == (segment.id != segments[0].id))
            }
        }
    }

    @Test func readsAWindowOfEvictedSegmentsWithRangedGetsOfJustItsBlocks() async throws {
        let archive = try Self.archive()
        let stream = try archive.catalog.requireStream("orders")
        let all = try archive.catalog.blocks(streamID: stream.id)
        let middle = all[all.count / 2]
        let window = (from: middle.minTime, to: middle.minTime + 60_000)
        let blocks = try archive.catalog.blocks(streamID: stream.id, timeFrom: window.from, timeTo: window.to)
        #expect(!blocks.isEmpty && blocks.count < all.count / 2)

        func readWindow(_ reader: BlockReader) throws -> [String] {
            var records: [String] = []
            for block in blocks {
                try reader.read(block)
                reader.forEachRecord { records.append(String(decoding: $0, as: UTF8.self)) }
            }
            return records
        }
        let local = try BlockReader(layout: archive.layout, catalog: archive.catalog)
        let expected = try readWindow(local)
        #expect(local.remoteBlocksRead == 0)

        try await MotoServer.with { endpoint in
            let s3 = try Self.s3(endpoint)
            try await s3.createBucket("vault")
            let uploader = SegmentUploader(layout: archive.layout, catalog: archive.catalog, location: Self.location, s3: s3)
            try await uploader.uploadPending(stream: "orders")
            let segmentCount = try archive.catalog.segments(streamID: stream.id).count
            #expect(try await uploader.evict(stream: "orders", keepBytes: 0).count == segmentCount)

            // The same window through a reader whose segments are all in the bucket: one ranged GET per block it needs.
            let remote = try BlockReader(layout: archive.layout, catalog: archive.catalog)
            remote.remote = RemoteBlockSource(location: Self.location, s3: s3)
            #expect(try readWindow(remote) == expected)
            #expect(remote.remoteBlocksRead == blocks.count)

            // A block whose bytes in the bucket changed fails zstd's checksum, as a local one would.
            let victim = try #require(blocks.first)
            let segment = try #require(try archive.catalog.segment(id: victim.segmentID))
            let key = Self.location.segmentKey(stream: "orders", fileName: segment.fileName)
            var bytes = try await s3.getObject(bucket: "vault", key: key)
            bytes[Int(victim.offset + victim.length) - 6] ^= 0x01
            _ = try await s3.upload(bucket: "vault", key: key, body: Data(bytes))
            let fresh = try BlockReader(layout: archive.layout, catalog: archive.catalog)
            fresh.remote = RemoteBlockSource(location: Self.location, s3: s3)
            let failure = #expect(throws: ArchiveError.self) { try fresh.read(victim) }
            #expect(failure?.code == .segmentCorrupt)
        }
    }

    @Test func retentionDeletesTheBucketCopiesTooIndexLastAndKeepsHeldOnes() async throws {
        let archive = try TestArchive()
        try RetentionTests.write(RetentionTests.lines(days: 60)[...], to: archive)
        let start = RetentionTests.start
        let day = RetentionTests.day
        let retention = Retention(layout: archive.layout, catalog: archive.catalog)
        try retention.setRetention(stream: "orders", days: 30, now: start)
        _ = try retention.addHold(stream: "orders", from: start + 10 * day, to: start + 11 * day, reason: "case 7", now: start)
        let stream = try archive.catalog.requireStream("orders")
        try await MotoServer.with { endpoint in
            let s3 = try Self.s3(endpoint)
            try await s3.createBucket("vault")
            let uploader = SegmentUploader(layout: archive.layout, catalog: archive.catalog, location: Self.location, s3: s3)
            let uploaded = try await uploader.uploadPending(stream: "orders")
            let report = try RetentionTests.prune(archive, now: start + 60 * day)
            #expect(!report.deleted.isEmpty)
            #expect(!report.held.isEmpty)

            let deleted = try await uploader.deleteRemoved(stream: "orders")
            #expect(Set(deleted) == Set(report.deleted.map(\.fileName)))
            let keys = Set(try await s3.listObjects(bucket: "vault", prefix: Self.location.streamKey("orders")).map(\.key))
            for segment in uploaded {
                let gone = deleted.contains(segment.fileName)
                #expect(keys.contains(segment.segmentKey) != gone)
                #expect(keys.contains(segment.indexKey) != gone)
            }
            for held in report.held { #expect(keys.contains(Self.location.segmentKey(stream: "orders", fileName: held.segment.fileName))) }
            let audited = try AuditChain.read(AuditLog(layout: archive.layout)).entries.filter { $0.kind == .remoteSegmentDeleted }
            #expect(Set(audited.map { $0.string("file") }) == Set(deleted))
            #expect(try archive.catalog.remoteDeletions(streamID: stream.id).isEmpty)
            #expect(try await uploader.deleteRemoved(stream: "orders").isEmpty)
        }
    }

    @Test(arguments: [
        ("s3://vault", "vault", ""), ("s3://vault/", "vault", ""), ("s3://my.bucket-1/a/b/", "my.bucket-1", "a/b"),
    ])
    func parsesBucketLocations(text: String, bucket: String, prefix: String) throws {
        let location = try BucketLocation(parsing: text)
        #expect(location.bucket == bucket)
        #expect(location.prefix == prefix)
    }

    @Test(arguments: ["vault/prefix", "s3://", "s3://UPPER/x", "s3://ab", "s3://vault/a//b", "s3://vault/./x", "s3://vault/a/../b"])
    func rejectsWhatIsNotABucketLocation(text: String) {
        #expect(throws: ArchiveError.self) { try BucketLocation(parsing: text) }
    }

    enum BucketDamage: String, CaseIterable, Sendable { case segmentMissing, segmentReplaced, indexMissing }

    /// verify's remote check names each kind of damage to a bucket copy, and finds nothing on intact copies.
    @Test(arguments: BucketDamage.allCases)
    func remoteVerifyNamesDamagedBucketCopies(damage: BucketDamage) async throws {
        let archive = try Self.archive()
        try await MotoServer.with { endpoint in
            let s3 = try Self.s3(endpoint)
            try await s3.createBucket("vault")
            let uploader = SegmentUploader(layout: archive.layout, catalog: archive.catalog, location: Self.location, s3: s3)
            let uploaded = try await uploader.uploadPending(stream: "orders")
            let verifier = RemoteVerifier(catalog: archive.catalog, source: RemoteBlockSource(location: Self.location, s3: s3))
            let clean = try await verifier.verify(deep: true)
            #expect(clean.checked == uploaded.count)
            #expect(clean.findings.isEmpty, "\(clean.findings)")

            let victim = uploaded[1]
            switch damage {
            case .segmentMissing: try await s3.deleteObject(bucket: "vault", key: victim.segmentKey)
            case .segmentReplaced:
                var bytes = try await s3.getObject(bucket: "vault", key: victim.segmentKey)
                bytes[bytes.count / 2] ^= 0x20
                _ = try await s3.upload(bucket: "vault", key: victim.segmentKey, body: Data(bytes), metadata: ["sha256": victim.sha256])
            case .indexMissing: try await s3.deleteObject(bucket: "vault", key: victim.indexKey)
            }
            for deep in [false, true] {
                let found = try await verifier.verify(deep: deep).findings
                #expect(found.count == 1, "\(found)")
                #expect(found.first?.segment == victim.fileName)
                #expect(found.first?.isDamage == true)
                #expect(found.first?.message.contains(damage == .indexMissing ? victim.indexKey : victim.segmentKey) == true)
                if damage == .segmentReplaced && deep { #expect(found.first?.message.contains("SHA-256 of its bytes") == true) }
            }
        }
    }

    /// With a bucket, an idle stream's segment is sealed once older than the seal interval (so it can be uploaded);
    /// without one it stays open until the next record, as before.
    @Test(arguments: [true, false])
    func anIdleSegmentSealsAfterTheSealIntervalOnlyWithABucket(sealIdle: Bool) throws {
        let archive = try TestArchive()
        let clock = TestClock()
        var configuration = WriterConfiguration(maxSegmentAge: .seconds(300))
        configuration.sealIdleSegments = sealIdle
        let writer = try archive.writer(configuration: configuration, clock: clock.wallClock)
        try writer.openShard("s1", dedupe: .sequence)
        try TestArchive.append(SampleFiles.lines(records: 3, shards: 1), to: writer, shard: "s1")
        try writer.commit()
        let stream = try archive.catalog.requireStream("orders")
        clock.advance(by: .seconds(299))
        try writer.commit()
        #expect(try archive.catalog.openSegment(streamID: stream.id) != nil)
        clock.advance(by: .seconds(2))
        try writer.commit()
        #expect((try archive.catalog.openSegment(streamID: stream.id) == nil) == sealIdle)
        #expect(try archive.catalog.segmentsAwaitingUpload(streamID: stream.id).count == (sealIdle ? 1 : 0))
    }

    @Test func keepsItsNodeIDAcrossRuns() throws {
        let archive = try TestArchive()
        let id = try NodeIdentity.load(archive.layout)
        #expect(id.count == 8)
        #expect(try NodeIdentity.load(archive.layout) == id)
    }
}
