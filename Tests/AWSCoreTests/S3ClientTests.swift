import AWSCore
import AsyncHTTPClient
import Foundation
import StreamVaultTesting
import Testing

/// S3Client against moto's S3, cross-checked with boto3 where the bytes matter.
@Suite(.timeLimit(.minutes(3)))
struct S3ClientTests {
    static func client(_ endpoint: String, partSize: Int = 5 << 20, threshold: Int = 5 << 20) throws -> S3Client {
        let url = try #require(URL(string: endpoint))
        let environment = AWSEnvironment(
            credentials: AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing", sessionToken: "testing"),
            region: "us-east-1",
            endpointOverride: url
        )
        return S3Client(
            environment: environment,
            httpClient: .shared,
            configuration: .init(retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10)), partSize: partSize, multipartThreshold: threshold)
        )
    }

    /// Bytes that differ at every offset, so a wrong range or a misplaced part shows.
    static func body(_ count: Int) -> Data {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return Data(
            (0..<count).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: state >> 56)
            }
        )
    }

    static let boto = """
        import boto3, hashlib, sys
        s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
        body = s3.get_object(Bucket=sys.argv[2], Key=sys.argv[3])["Body"].read()
        print(hashlib.sha256(body).hexdigest(), len(body))
        """

    /// Empty, small, just below the threshold (one PUT) and above it (three parts of 5, 5 and 1 MiB).
    @Test(arguments: [0, 1, 100_000, 5 << 20, (11 << 20) + 17])
    func uploadsWithChecksumsAndReadsBack(size: Int) async throws {
        try await MotoServer.with { endpoint in
            let s3 = try Self.client(endpoint)
            try await s3.createBucket("vault")
            let body = Self.body(size)
            let key = "streams/orders/segments/20261130T120000Z-node-0001 a+b.ndjson.zst"
            let put = try await s3.upload(bucket: "vault", key: key, body: body, metadata: ["sha256": SigV4Signer.hexSHA256(body)])
            #expect(put.parts == (size > 5 << 20 ? 3 : 1))
            #expect(put.etag.hasSuffix("-3") == (put.parts == 3))

            #expect(Data(try await s3.getObject(bucket: "vault", key: key)) == body)
            let head = try #require(try await s3.headObject(bucket: "vault", key: key))
            #expect(head.size == Int64(size))
            #expect(head.etag == put.etag)
            #expect(head.metadata["sha256"] == SigV4Signer.hexSHA256(body))

            let seen = String(decoding: try await MotoServer.python(Self.boto, [endpoint, "vault", key]), as: UTF8.self)
            #expect(seen.trimmingCharacters(in: .whitespacesAndNewlines) == "\(SigV4Signer.hexSHA256(body)) \(size)")
        }
    }

    @Test func readsExactlyTheRangesAskedFor() async throws {
        try await MotoServer.with { endpoint in
            let s3 = try Self.client(endpoint)
            try await s3.createBucket("vault")
            let body = Self.body(70_000)
            _ = try await s3.upload(bucket: "vault", key: "seg", body: body)
            for range: ClosedRange<Int64> in [0...0, 0...99, 4096...8191, 69_000...69_999] {
                let bytes = try await s3.getObject(bucket: "vault", key: "seg", range: range)
                #expect(Data(bytes) == body[Int(range.lowerBound)...Int(range.upperBound)])
            }
            // A range past the end means the catalog and the object disagree: an error, never a short block.
            await #expect(throws: AWSError.self) { _ = try await s3.getObject(bucket: "vault", key: "seg", range: 69_990...70_009) }
        }
    }

    @Test func listsInPagesAndDeletes() async throws {
        try await MotoServer.with { endpoint in
            let s3 = try Self.client(endpoint)
            try await s3.createBucket("vault")
            let keys = (1...7).map { "p/orders/index/\($0).json" } + ["p/other/x", "q/orders/y"]
            for key in keys { _ = try await s3.upload(bucket: "vault", key: key, body: Data(key.utf8)) }

            let first = try await s3.listObjectsPage(bucket: "vault", prefix: "p/orders/", maxKeys: 3)
            #expect(first.objects.count == 3)
            #expect(first.next != nil)
            let all = try await s3.listObjects(bucket: "vault", prefix: "p/orders/", pageSize: 3)
            #expect(all.map(\.key) == keys.prefix(7).sorted())
            #expect(all.allSatisfy { $0.size == Int64($0.key.utf8.count) && !$0.etag.isEmpty })

            try await s3.deleteObjects(bucket: "vault", keys: Array(keys.prefix(6)))
            try await s3.deleteObject(bucket: "vault", key: "p/orders/index/7.json")
            try await s3.deleteObject(bucket: "vault", key: "p/orders/index/7.json")
            #expect(try await s3.listObjects(bucket: "vault", prefix: "p/").map(\.key) == ["p/other/x"])
            #expect(try await s3.headObject(bucket: "vault", key: "p/orders/index/1.json") == nil)
        }
    }

    @Test func abortsHalfDoneMultipartUploads() async throws {
        try await MotoServer.with { endpoint in
            let s3 = try Self.client(endpoint)
            try await s3.createBucket("vault")
            let id = try await s3.createMultipartUpload(bucket: "vault", key: "s/a")
            _ = try await s3.uploadPart(bucket: "vault", key: "s/a", uploadID: id, partNumber: 1, body: Self.body(1000))
            #expect(try await s3.listMultipartUploads(bucket: "vault", prefix: "s/") == [.init(key: "s/a", uploadID: id)])
            try await s3.abortMultipartUpload(bucket: "vault", key: "s/a", uploadID: id)
            #expect(try await s3.listMultipartUploads(bucket: "vault", prefix: "s/").isEmpty)
            #expect(try await s3.headObject(bucket: "vault", key: "s/a") == nil)
        }
    }

    @Test(arguments: [("vault", "missing"), ("no-such-bucket", "k")])
    func missingObjectsAndBucketsAreNotFound(bucket: String, key: String) async throws {
        try await MotoServer.with { endpoint in
            let s3 = try Self.client(endpoint)
            try await s3.createBucket("vault")
            let error = await #expect(throws: AWSError.self) { _ = try await s3.getObject(bucket: bucket, key: key) }
            #expect(error?.code == .resourceNotFound)
            #expect(error?.message.contains(bucket) == true)
        }
    }
}
