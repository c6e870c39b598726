public import ArchiveStore
import Foundation
import HTTPTypes
public import Hummingbird
public import Logging
import NIOCore
import StreamModel

/// `POST /ingest/<stream>[?shard=ID[&parent=ID[&adjacentParent=ID]]]`: a Lambda forwarder's DynamoDB or Kinesis
/// event batch, archived and committed (fsync + catalog) before the answer.
///
/// Retrying a batch stores nothing twice: without `shard` records go to the stream's default shard, where
/// duplicates are recognised by eventID; a named shard is a log in sequence order, where records at or below
/// its checkpoint are already archived. A bad record refuses the whole batch with 400 naming the record and
/// the field; a body over ``maxBodyBytes`` gets 413.
public final class IngestEndpoint: Sendable {
    /// The largest body accepted.
    public let maxBodyBytes: Int
    /// Refuse every batch with 403 (`serve --read-only`).
    public let readOnly: Bool
    private let writers: IngestWriters

    /// Creates the endpoint.
    /// - Parameters:
    ///   - layout: Where the archive's files are.
    ///   - catalog: The archive's catalog, opened for writing (unless `readOnly`).
    ///   - maxBodyBytes: The largest body accepted (default 6 MB, Lambda's synchronous payload limit).
    ///   - readOnly: Refuse all batches.
    ///   - logger: Logs at debug only.
    public init(layout: StorageLayout, catalog: Catalog, maxBodyBytes: Int = 6 << 20, readOnly: Bool = false, logger: Logger) {
        self.maxBodyBytes = maxBodyBytes
        self.readOnly = readOnly
        self.writers = IngestWriters(layout: layout, catalog: catalog, logger: logger)
    }

    /// What one batch did.
    public struct Outcome: Sendable, Equatable {
        /// Records in the batch.
        public var records: Int
        /// Records stored by this call.
        public var archived: Int
        /// Records already in the archive (a retry).
        public var duplicates: Int

        public init(records: Int, archived: Int, duplicates: Int) {
            self.records = records
            self.archived = archived
            self.duplicates = duplicates
        }
    }

    /// Stores one batch and commits it.
    /// - Throws: ``IngestError``.
    public func ingest(
        stream: String,
        shard: String?,
        parent: String?,
        adjacentParent: String?,
        body: [UInt8]
    ) async throws(IngestError)
        -> Outcome
    {
        guard !readOnly else {
            throw IngestError(code: .readOnly, message: "This server runs with --read-only: it serves the archive but takes no ingest.")
        }
        do {
            try StorageLayout.validateStreamName(stream)
            for id in [shard, parent, adjacentParent].compactMap({ $0 }) { try ShardName.validate(id) }
        } catch let error as ArchiveError {
            throw IngestError(code: .invalidTarget, message: error.message)
        } catch {
            throw IngestError(code: .invalidTarget, message: "\(error)")
        }
        if shard == nil && (parent != nil || adjacentParent != nil) {
            throw IngestError(code: .invalidTarget, message: "'parent' needs 'shard': the default shard has no lineage. Pass ?shard=ID&parent=ID.")
        }
        let batch = try IngestBatch(body: body)
        let shardID = shard ?? ShardInfo.defaultShardID
        do {
            let writer = try await writers.writer(stream)
            try await writer.openShard(
                shardID,
                parentShardID: parent,
                adjacentParentShardID: adjacentParent,
                dedupe: shard == nil ? .eventID : .sequence
            )
            let before = await writer.statistics.duplicates
            let records = batch.records
            let page = try await writer.append(records) { record, writer in
                try record.line.withUnsafeBufferPointer { line in
                    try record.eventID.withUnsafeBufferPointer { id in
                        try writer.append(
                            line,
                            shard: shardID,
                            sequence: record.sequence,
                            eventIDBytes: id,
                            eventTime: record.eventTimeMillis,
                            format: record.format
                        )
                    }
                }
            }
            let statistics = try await writer.commit()
            // Event-id duplicates of earlier commits are found when the block is cut, so count them after the commit.
            let duplicates = page.duplicates + (statistics.duplicates - before)
            return Outcome(
                records: records.count,
                archived: records.count - min(duplicates, records.count),
                duplicates: min(duplicates, records.count)
            )
        } catch let error as ArchiveError {
            switch error.code {
            case .locked:
                throw IngestError(code: .conflict, message: "\(error.message) Ingest into another stream, or stop the other writer.")
            case .invalidInput, .invalidArgument:
                throw IngestError(code: .badRequest, message: error.message)
            default:
                throw IngestError(code: .storeFailed, message: error.message)
            }
        } catch {
            throw IngestError(code: .storeFailed, message: "\(error)")
        }
    }

    /// Seals the open segments of the streams written (graceful shutdown).
    public func close() async {
        await writers.closeAll()
    }

    /// Adds the route to `router`.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>, authenticator: RequestAuthenticator?) {
        router.post("ingest/:stream") { [self] request, context -> Response in
            let stream = context.parameters.get("stream") ?? ""
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: maxBodyBytes)
            } catch is NIOTooManyBytesError {
                return Self.response(
                    .failure(
                        IngestError(code: .tooLarge, message: "The body is over \(maxBodyBytes) bytes (--max-body-bytes). Send smaller batches.")
                    )
                )
            }
            if let authenticator {
                do throws(APIError) {
                    try authenticator.verify(request, body: body)
                } catch {
                    return Response(
                        status: .forbidden,
                        headers: [.contentType: "application/json"],
                        body: ResponseBody(
                            byteBuffer: ByteBuffer(bytes: Self.json(["error": error.awsType(for: .dynamoDBStreams), "message": error.message]))
                        )
                    )
                }
            }
            let query = request.uri.queryParameters
            do throws(IngestError) {
                let outcome = try await ingest(
                    stream: stream,
                    shard: query["shard"].map(String.init),
                    parent: query["parent"].map(String.init),
                    adjacentParent: query["adjacentParent"].map(String.init),
                    body: Array(buffer: body)
                )
                return Self.response(.success(outcome))
            } catch {
                return Self.response(.failure(error))
            }
        }
    }

    static func response(_ result: Result<Outcome, IngestError>) -> Response {
        let status: HTTPResponse.Status
        let object: [String: Any]
        switch result {
        case .success(let outcome):
            status = .ok
            object = ["records": outcome.records, "archived": outcome.archived, "duplicates": outcome.duplicates]
        case .failure(let error):
            status = HTTPResponse.Status(code: error.httpStatus)
            object = ["error": error.code.rawValue, "message": error.message]
        }
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: json(object))))
    }

    static func json(_ object: [String: Any]) -> [UInt8] {
        ((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).map { [UInt8]($0) } ?? []) + [0x0A]
    }
}
