import ArchiveServer
import ArchiveStore
import Foundation
import Logging
import StreamVaultTesting
import Synchronization
import Testing

/// A throwaway archive (real files, real fsync) with the API and ingest over it, and a wall clock the test moves.
final class ServedArchive: Sendable {
    let directory: TemporaryDirectory
    let layout: StorageLayout
    let catalog: Catalog
    let api: ArchiveAPI
    let ingest: IngestEndpoint
    let time: WallClockBox

    init(readOnly: Bool = false, maxBodyBytes: Int = 6 << 20) throws {
        directory = try TemporaryDirectory("server")
        layout = StorageLayout(root: directory.path + "/storage")
        try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
        catalog = try Catalog(path: layout.catalogPath)
        let signer = try IteratorSigner.forArchive(root: layout.root)
        let time = WallClockBox()
        api = ArchiveAPI(catalog: catalog, layout: layout, signer: signer, clock: WallClock { time.now() }, logger: Logger(label: "test"))
        ingest = IngestEndpoint(layout: layout, catalog: catalog, maxBodyBytes: maxBodyBytes, readOnly: readOnly, logger: Logger(label: "test"))
        self.time = time
    }

    /// Moves the API's clock forward.
    func advance(seconds: Int64) { time.advance(seconds * 1000) }

    /// Posts `lines` (records of one Lambda event) to ingest.
    @discardableResult
    func ingest(_ lines: [String], stream: String = "orders", shard: String? = nil, parent: String? = nil) async throws -> IngestEndpoint.Outcome {
        let body = Array(("{\"Records\":[" + lines.joined(separator: ",") + "]}").utf8)
        return try await ingest.ingest(stream: stream, shard: shard, parent: parent, adjacentParent: nil, body: body)
    }

    /// Calls the API and parses the answer.
    func call(_ api: StreamAPI, _ operation: String, _ request: [String: Any]) async throws -> (status: Int, json: [String: Any], raw: [UInt8]) {
        let body = try JSONSerialization.data(withJSONObject: request)
        let answer = await self.api.answer(target: "\(api.targetPrefix).\(operation)", body: [UInt8](body))
        let json = try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any] ?? [:]
        return (answer.status, json, answer.body)
    }

    /// Calls and requires success.
    func ok(
        _ api: StreamAPI,
        _ operation: String,
        _ request: [String: Any],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws
        -> [String: Any]
    {
        let (status, json, raw) = try await call(api, operation, request)
        #expect(status == 200, "\(operation) answered \(status): \(String(decoding: raw, as: UTF8.self))", sourceLocation: sourceLocation)
        return json
    }

    /// Calls and requires an AWS error of `type`.
    func fails(
        _ api: StreamAPI,
        _ operation: String,
        _ request: [String: Any],
        type: String,
        status: Int = 400,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> String {
        let (got, json, raw) = try await call(api, operation, request)
        #expect(got == status, "\(operation): \(String(decoding: raw, as: UTF8.self))", sourceLocation: sourceLocation)
        #expect(json["__type"] as? String == type, "\(operation): \(String(decoding: raw, as: UTF8.self))", sourceLocation: sourceLocation)
        return json["message"] as? String ?? ""
    }

    /// The DynamoDB Streams ARN of the only stream.
    func streamARN() async throws -> String {
        let listed = try await ok(.dynamoDBStreams, "ListStreams", [:])
        let streams = try #require(listed["Streams"] as? [[String: Any]])
        return try #require(streams.first?["StreamArn"] as? String)
    }

    /// Reads a shard from `iterator` to its end (no NextShardIterator) or to the first empty page; returns raw record JSON texts.
    func drain(_ api: StreamAPI, iterator start: String, limit: Int) async throws -> (records: [[String: Any]], last: [String: Any]) {
        var iterator: String? = start
        var records: [[String: Any]] = []
        var last: [String: Any] = [:]
        while let current = iterator {
            last = try await ok(api, "GetRecords", ["ShardIterator": current, "Limit": limit])
            let page = last["Records"] as? [[String: Any]] ?? []
            records += page
            iterator = last["NextShardIterator"] as? String
            if page.isEmpty { break }
        }
        return (records, last)
    }
}

/// A wall clock a test moves by hand.
final class WallClockBox: Sendable {
    private let millis = Mutex<Int64>(1_767_225_600_000)
    func now() -> Int64 { millis.withLock { $0 } }
    func advance(_ delta: Int64) { millis.withLock { $0 += delta } }
}
