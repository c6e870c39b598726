import AWSCore
import ArchiveStore
import AsyncHTTPClient
import Foundation
import Logging
import StreamSources

extension StreamVaultCommand.Archive {
    /// The archiver these options describe, as a service (`archive` runs it alone, `serve --archive` beside the server).
    /// - Parameters:
    ///   - name: The archive's stream name.
    ///   - aws: Credentials, region and endpoint.
    ///   - http: The HTTP client of the AWS calls (the caller shuts it down after the run).
    ///   - catalog: The archive's catalog, opened for writing.
    ///   - logger: Where the service and the operator's events log.
    ///   - summaryOnStdout: With `--once`, print the run's summary on stdout (`serve` keeps stdout for its URL).
    ///   - supervised: Run by an ``ArchiverSupervisor`` (`--config`): an outage ends the run, and the supervisor backs off.
    ///   - durability: With `--segments` and `--lease-table`: the lease checkpoints follow the uploads.
    func makeArchiver(
        name: String,
        aws: AWSEnvironment,
        http: HTTPClient,
        catalog: Catalog,
        logger: Logger,
        summaryOnStdout: Bool = true,
        supervised: Bool = false,
        durability: BucketDurability? = nil
    ) throws -> ArchiverService {
        var configuration = ArchiverConfiguration(
            streamName: name,
            once: once,
            pollInterval: .milliseconds(Int64((pollInterval ?? 1) * 1000)),
            batchLimit: recordsPerCall,
            maxShardReaders: maxShardReaders,
            retriesOutagesInRun: !supervised
        )
        if startAt != nil { configuration.startPosition = .atTimestamp(try startDate()) }
        configuration.writer = try writerConfiguration()
        let source: ArchiverSource
        if let table {
            source = .dynamoDBTable(
                table,
                dynamoDB: DynamoDBClient(client: AWSJSONClient(service: .dynamoDB, environment: aws, httpClient: http, logger: logger)),
                streams: DynamoDBStreamsClient(
                    client: AWSJSONClient(service: .dynamoDBStreams, environment: aws, httpClient: http, logger: logger)
                )
            )
        } else if let streamARN {
            source = .dynamoDBStream(
                streamARN,
                streams: DynamoDBStreamsClient(
                    client: AWSJSONClient(service: .dynamoDBStreams, environment: aws, httpClient: http, logger: logger)
                )
            )
        } else {
            source = .kinesis(
                KinesisStreamIdentifier(kinesisStream ?? ""),
                api: KinesisClient(client: AWSJSONClient(service: .kinesis, environment: aws, httpClient: http, logger: logger))
            )
        }
        var leases: ArchiverLeases?
        if let leaseTable {
            let timeout = try leaseTimeoutDuration()
            // A renewal that hangs must not outlive the lease: the node would stop reading its shards anyway.
            let client = AWSJSONClient(
                service: .dynamoDB,
                environment: aws,
                httpClient: http,
                configuration: .init(timeout: max(timeout / 2, .seconds(2))),
                logger: logger
            )
            leases = ArchiverLeases(
                table: LeaseTable(client: client, name: leaseTable, stream: name),
                configuration: LeaseConfiguration(timeout: timeout),
                durability: durability ?? LocalCommitDurability()
            )
        }
        let printSummary = once && summaryOnStdout
        return ArchiverService(
            source: source,
            configuration: configuration,
            layout: global.layout,
            catalog: catalog,
            logger: logger,
            report: { summary in
                if printSummary { print(summary.description) } else { printError("streamvault archive: \(summary)") }
            },
            events: { event in Self.log(event, logger) },
            leases: leases
        )
    }
}
