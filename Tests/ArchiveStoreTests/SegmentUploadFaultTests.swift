import AWSCore
import ArchiveStore
import AsyncHTTPClient
import Foundation
import StreamVaultTesting
import Testing

/// Uploads through a proxy that answers 500s and 503 SlowDown and cuts PUTs halfway (FaultyS3Proxy): nothing is
/// lost, uploads complete after retries, and the catalog never marks uploaded a segment whose objects are not complete.
@Suite(.timeLimit(.minutes(3)))
struct SegmentUploadFaultTests {
    static func client(_ endpoint: String) throws -> S3Client {
        let environment = AWSEnvironment(
            credentials: AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing", sessionToken: "testing"),
            region: "us-east-1",
            endpointOverride: try #require(URL(string: endpoint))
        )
        let retry = RetryPolicy(maxAttempts: 6, baseDelay: .milliseconds(10), throttlingBaseDelay: .milliseconds(10), maxDelay: .milliseconds(100))
        return S3Client(
            environment: environment,
            httpClient: .shared,
            configuration: .init(timeout: .seconds(20), retry: retry, partSize: 5 << 20, multipartThreshold: 5 << 20)
        )
    }

    @Test func uploadsCompleteThroughFaultsAndNothingIncompleteIsMarked() async throws {
        let archive = try SegmentUploaderTests.archive()
        let stream = try archive.catalog.requireStream("orders")
        let segments = try archive.catalog.segments(streamID: stream.id)
        let directory = try TemporaryDirectory("s3-faults")
        let control = directory.file("mode")
        try await MotoServer.with { moto in
            let direct = try Self.client(moto)
            try await direct.createBucket("vault")
            try "index-down".write(toFile: control, atomically: true, encoding: .utf8)
            let proxy = try await FaultyS3Proxy.start(upstream: moto, control: control, directory: directory)
            try await proxy.serving {
                let s3 = try Self.client(proxy.url)
                let uploader = SegmentUploader(layout: archive.layout, catalog: archive.catalog, location: SegmentUploaderTests.location, s3: s3)

                // The first segment's bytes arrive, its index object cannot be written: it is not marked uploaded.
                let error = await #expect(throws: ArchiveError.self) { try await uploader.uploadPending(stream: "orders") }
                #expect(error?.code == .objectStore)
                for segment in segments { #expect(try archive.catalog.remoteState(segmentID: segment.id)?.state == nil) }

                // Every PUT now fails three ways (500, SlowDown, cut halfway) before it passes.
                try "flaky".write(toFile: control, atomically: true, encoding: .utf8)
                let uploaded = try await uploader.uploadPending(stream: "orders")
                #expect(uploaded.map(\.fileName) == segments.map(\.fileName))
                for segment in segments {
                    let local = try Data(contentsOf: URL(fileURLWithPath: archive.layout.segmentPath(stream: "orders", fileName: segment.fileName)))
                    let key = SegmentUploaderTests.location.segmentKey(stream: "orders", fileName: segment.fileName)
                    #expect(Data(try await direct.getObject(bucket: "vault", key: key)) == local)
                    let indexKey = SegmentUploaderTests.location.indexKey(stream: "orders", fileName: segment.fileName)
                    #expect(
                        try SegmentIndexObject.decode(Data(try await direct.getObject(bucket: "vault", key: indexKey)), key: indexKey).sha256
                            == segment.sha256
                    )
                    #expect(try archive.catalog.remoteState(segmentID: segment.id)?.state == "uploaded")
                }

                // A multipart upload through the same faults: parts and the completion retried, the object intact.
                let body = S3ClientTestBytes.make((11 << 20) + 5)
                let put = try await s3.upload(bucket: "vault", key: "big", body: body)
                #expect(put.parts == 3)
                #expect(Data(try await direct.getObject(bucket: "vault", key: "big")) == body)

                let counts = FaultyS3Proxy.counts(control: control)
                let puts = segments.count * 2 + 4  // segment + index objects, 3 parts + completion
                #expect(counts["503"] ?? 0 >= puts)
                #expect(counts["cut"] ?? 0 >= puts)
                #expect(counts["500"] ?? 0 >= puts)
            }
        }
    }
}

enum S3ClientTestBytes {
    /// Bytes that differ at every offset, so a misplaced part shows.
    static func make(_ count: Int) -> Data {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        var data = Data(count: count)
        for i in 0..<count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            data[i] = UInt8(truncatingIfNeeded: state)
        }
        return data
    }
}
