public import ArchiveStore
import Foundation
public import Logging
public import NIOPosix
import StreamModel

/// The DynamoDB Streams and Kinesis read APIs over the archive: one call in (`X-Amz-Target` and a JSON body),
/// one answer out, in AWS's wire shapes and with AWS's error types.
///
/// Catalog look-ups go through ``Catalog/asyncReader``; record pages are read on NIO's blocking thread pool
/// (``RecordPageReader``), never on the cooperative pool.
public final class ArchiveAPI: Sendable {
    let catalog: Catalog
    let layout: StorageLayout
    let signer: IteratorSigner
    let clock: WallClock
    let reader: RecordPageReader
    let metrics: APIMetrics
    let logger: Logger

    /// Creates the API.
    /// - Parameters:
    ///   - catalog: The archive's catalog.
    ///   - layout: Where the archive's files are.
    ///   - signer: Seals and opens shard iterators (``IteratorSigner/forArchive(root:)``).
    ///   - clock: The wall clock iterators are issued and expired by (injectable for tests).
    ///   - threads: The thread pool record pages are read on (blocking file and SQLite work); default NIO's shared one.
    ///   - logger: Logs at debug only.
    public init(
        catalog: Catalog,
        layout: StorageLayout,
        signer: IteratorSigner,
        clock: WallClock = .system,
        threads: NIOThreadPool = .singleton,
        logger: Logger = Logger(label: "streamvault.api")
    ) {
        self.catalog = catalog
        self.layout = layout
        self.signer = signer
        self.clock = clock
        self.reader = RecordPageReader(catalog: catalog, layout: layout, threads: threads)
        self.metrics = APIMetrics()
        self.logger = logger
    }

    /// An answer: status, content type and body bytes, plus what the metrics record.
    public struct Answer: Sendable {
        public var status: Int
        public var contentType: String
        public var body: [UInt8]
        /// The operation, or `unknown` (bounded: a metric dimension).
        public var operation: String
        /// `ok` or the ``APIError/Code`` (bounded).
        public var code: String
        /// The AWS error type answered, if any.
        public var errorType: String?
    }

    /// Answers one API call.
    /// - Parameters:
    ///   - target: The `X-Amz-Target` header (`DynamoDBStreams_20120810.GetRecords`, `Kinesis_20131202.ListShards`).
    ///   - body: The request body.
    public func answer(target: String?, body: [UInt8]) async -> Answer {
        let started = DispatchTime.now().uptimeNanoseconds
        guard let target, let parsed = StreamAPI.parse(target: target) else {
            let error = APIError(
                code: .unknownOperation,
                message:
                    "X-Amz-Target '\(target ?? "")' names no operation here. This server answers DynamoDBStreams_20120810.* and Kinesis_20131202.*."
            )
            return finish(Self.errorAnswer(error, api: .dynamoDBStreams, operation: "unknown"), api: nil, started: started)
        }
        let api = parsed.api
        let operation = String(parsed.operation)
        var answer: Answer
        do {
            let request = try APIRequest(operation: operation, body: body)
            let (json, records) = try await perform(api: api, operation: operation, request: request)
            answer = Answer(status: 200, contentType: api.contentType, body: json, operation: operation, code: "ok")
            metrics.served(records, api: api)
        } catch let error as APIError {
            answer = Self.errorAnswer(error, api: api, operation: operation)
        } catch let error as ArchiveError where error.code == .unknownStream || error.code == .unknownShard {
            answer = Self.errorAnswer(APIError(code: .resourceNotFound, message: error.message), api: api, operation: operation)
        } catch {
            logger.debug("API call failed", metadata: ["sv.operation": "\(operation)", "sv.error": "\(error)"])
            let failure = APIError(code: .internalFailure, message: "\(operation) failed reading the archive: \(error)")
            answer = Self.errorAnswer(failure, api: api, operation: operation)
        }
        if !Self.operations(api).contains(answer.operation) { answer.operation = "unknown" }
        return finish(answer, api: api, started: started)
    }

    private func finish(_ answer: Answer, api: StreamAPI?, started: UInt64) -> Answer {
        metrics.request(api: api, operation: answer.operation, code: answer.code, nanos: DispatchTime.now().uptimeNanoseconds &- started)
        return answer
    }

    /// The operations of `api` (the only values the `operation` metric dimension takes, besides `unknown`).
    static func operations(_ api: StreamAPI) -> Set<String> {
        switch api {
        case .dynamoDBStreams: ["ListStreams", "DescribeStream", "GetShardIterator", "GetRecords"]
        case .kinesis: ["ListStreams", "DescribeStreamSummary", "DescribeStream", "ListShards", "GetShardIterator", "GetRecords"]
        }
    }

    private func perform(api: StreamAPI, operation: String, request: APIRequest) async throws -> ([UInt8], Int) {
        switch (api, operation) {
        case (.dynamoDBStreams, "ListStreams"): return (try await dynamoDBListStreams(request), 0)
        case (.dynamoDBStreams, "DescribeStream"): return (try await dynamoDBDescribeStream(request), 0)
        case (.dynamoDBStreams, "GetShardIterator"): return (try await dynamoDBGetShardIterator(request), 0)
        case (.dynamoDBStreams, "GetRecords"): return try await getRecords(request, api: .dynamoDBStreams)
        case (.kinesis, "ListStreams"): return (try await kinesisListStreams(request), 0)
        case (.kinesis, "DescribeStreamSummary"): return (try await kinesisDescribeStreamSummary(request), 0)
        case (.kinesis, "DescribeStream"): return (try await kinesisDescribeStream(request), 0)
        case (.kinesis, "ListShards"): return (try await kinesisListShards(request), 0)
        case (.kinesis, "GetShardIterator"): return (try await kinesisGetShardIterator(request), 0)
        case (.kinesis, "GetRecords"): return try await getRecords(request, api: .kinesis)
        default:
            throw APIError(
                code: .unknownOperation,
                message: "\(api.targetPrefix).\(operation) is not an operation this archive answers. It answers: "
                    + Self.operations(api).sorted().joined(separator: ", ") + "."
            )
        }
    }

    /// An error in AWS's JSON shape.
    static func errorAnswer(_ error: APIError, api: StreamAPI, operation: String) -> Answer {
        let type = error.awsType(for: api)
        let body = (try? JSONSerialization.data(withJSONObject: ["__type": type, "message": error.message], options: [.sortedKeys])) ?? Data()
        return Answer(
            status: error.httpStatus,
            contentType: api.contentType,
            body: [UInt8](body),
            operation: operation,
            code: error.code.description,
            errorType: type
        )
    }

    /// A small answer (no records) as JSON.
    static func json(_ object: [String: Any]) throws -> [UInt8] {
        [UInt8](try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }
}
