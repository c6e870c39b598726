import AWSCore
import ArchiveStore
import AsyncHTTPClient
import Foundation
import Logging
import MetricsTestKit
import StreamModel
import StreamSources
import Synchronization

/// One record read back from the archive.
struct ArchivedRecord {
    let shard: String
    let line: String
    let format: RecordFormat
}

/// Every record of `stream`, shard by shard (parents first), in sequence order.
func archivedRecords(storage: String, stream: String) throws -> [ArchivedRecord] {
    let layout = StorageLayout(root: storage)
    let catalog = try Catalog(path: layout.catalogPath)
    let info = try catalog.requireStream(stream)
    let reader = try BlockReader(layout: layout, catalog: catalog)
    var out: [ArchivedRecord] = []
    for shard in try catalog.shards(streamID: info.id) {
        for block in try catalog.blocks(shardRowID: shard.rowID, sequenceFrom: nil, sequenceTo: nil) {
            try reader.read(block)
            reader.forEachRecord { out.append(ArchivedRecord(shard: shard.shardID, line: String(decoding: $0, as: UTF8.self), format: block.format)) }
        }
    }
    return out
}

/// The clients of a local endpoint (moto or a scripted server), without retry waits.
struct LocalAWS {
    let dynamoDB: DynamoDBClient
    let streams: DynamoDBStreamsClient
    let kinesis: KinesisClient

    init(_ endpoint: String, retry: RetryPolicy = RetryPolicy(maxAttempts: 2)) throws {
        let aws = try localEnvironment(endpoint)
        let configuration = AWSJSONClient.Configuration(timeout: .seconds(20), retry: retry)
        dynamoDB = DynamoDBClient(client: AWSJSONClient(service: .dynamoDB, environment: aws, httpClient: .shared, configuration: configuration))
        streams = DynamoDBStreamsClient(
            client: AWSJSONClient(service: .dynamoDBStreams, environment: aws, httpClient: .shared, configuration: configuration)
        )
        kinesis = KinesisClient(client: AWSJSONClient(service: .kinesis, environment: aws, httpClient: .shared, configuration: configuration))
    }
}

/// Runs an archiver with `once` into `storage` and returns its summary.
func archiveOnce(
    _ source: ArchiverSource,
    stream: String,
    storage: String,
    metrics: TestMetrics = TestMetrics(),
    startPosition: ShardIteratorPosition = .trimHorizon,
    maxShardReaders: Int? = nil,
    events: @escaping @Sendable (ArchiverEvent) -> Void = { _ in }
) async throws -> ArchiveSummary {
    let layout = StorageLayout(root: storage)
    let catalog = try Catalog(path: layout.catalogPath)
    let service = ArchiverService(
        source: source,
        configuration: ArchiverConfiguration(
            streamName: stream,
            once: true,
            pollInterval: .milliseconds(50),
            startPosition: startPosition,
            maxShardReaders: maxShardReaders
        ),
        layout: layout,
        catalog: catalog,
        metrics: ArchiverMetrics(stream: stream, factory: metrics),
        events: events
    )
    return try await service.archive()
}

/// A thread-safe box for values reported from a service.
final class Reported<T: Sendable>: Sendable {
    private let value: Mutex<T?> = Mutex(nil)
    func set(_ new: T) { value.withLock { $0 = new } }
    var current: T? { value.withLock { $0 } }
}

extension Reported {
    /// Appends to a reported list.
    func append<Element>(_ element: Element) where T == [Element] {
        value.withLock { $0 = ($0 ?? []) + [element] }
    }
}
