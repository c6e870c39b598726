import AWSCore
import ArchiveServer
import ArchiveStore
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import StreamModel
import StreamSources
import UnixSignals

extension StreamVaultCommand {
    struct Archive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "archive",  // spelled out: deriving it from the type name costs start-up time
            abstract: "Archive a DynamoDB stream or a Kinesis Data Streams for DynamoDB stream before its records expire.",
            discussion: """
                Reads every shard (parents before children), writes the records into --storage, and commits after \
                each GetRecords page: a record is acknowledged, and the shard's checkpoint advanced, only once it is \
                fsynced and in the catalog. A restart resumes after the checkpoints (TRIM_HORIZON for a new shard), \
                so nothing is missed and nothing is archived twice. Records the stream trimmed before they were read \
                are recorded as gaps (shown by `ls` and `stats`), never skipped silently.

                Runs until SIGTERM or SIGINT (then it stops reading, commits and exits 0), or with --once until \
                everything readable now is archived. Exits non-zero with a message for what a retry cannot fix \
                (no such table or stream, access denied, stream disabled); throttling and 5xx are retried with backoff.

                With --config FILE it archives every stream the file names, each with its own options; a stream that \
                fails is logged, shown as down in the metrics and retried with back-off while the others go on.

                Credentials and region come from the usual chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/\
                AWS_SESSION_TOKEN, AWS_PROFILE and ~/.aws/credentials + ~/.aws/config, AWS_REGION. \
                --endpoint-url (or AWS_ENDPOINT_URL) points at an emulator such as moto.

                IAM permissions needed:
                  --table:          dynamodb:DescribeTable, dynamodb:DescribeStream, dynamodb:GetShardIterator,
                                    dynamodb:GetRecords (and dynamodb:ListStreams to find streams by hand)
                  --stream-arn:     the same without DescribeTable
                  --kinesis-stream: kinesis:ListShards, kinesis:GetShardIterator, kinesis:GetRecords,
                                    kinesis:DescribeStreamSummary (+ kms:Decrypt if the stream is encrypted with a CMK)
                  --lease-table:    dynamodb:DescribeTable, dynamodb:CreateTable (once), dynamodb:Scan, dynamodb:GetItem,
                                    dynamodb:PutItem, dynamodb:UpdateItem on the lease table

                Several machines: run the same command with --lease-table on each (each with its own --storage). \
                They split the shards through leases in that DynamoDB table, balance when one joins, and take over \
                the shards of one that stops renewing within --lease-timeout (docs/SCALING.md).

                Examples:
                  streamvault archive --table Orders --region us-east-1
                  streamvault archive --stream-arn arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2026-01-01T00:00:00.000
                  streamvault archive --kinesis-stream orders-cdc --stream orders --start-at 2026-01-01T00:00:00Z
                  streamvault archive --table Orders --once --endpoint-url http://127.0.0.1:5000     # cron, tests, moto
                  streamvault archive --table Orders --metrics-port 9464    # Prometheus text at http://127.0.0.1:9464/metrics
                  streamvault archive --config archiver.json    # several streams, one process
                  streamvault archive --table Orders --lease-table streamvault-leases    # on each of several machines
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(
            help: ArgumentHelp(
                "Archive the streams this JSON file names, in one process (docs/ARCHIVER-CONFIG.md); instead of the single-stream options.",
                valueName: "file"
            )
        )
        var config: String?

        @Option(help: ArgumentHelp("Archive this DynamoDB table's current stream.", valueName: "name"))
        var table: String?

        @Option(name: .customLong("stream-arn"), help: ArgumentHelp("Archive this DynamoDB stream.", valueName: "arn"))
        var streamARN: String?

        @Option(
            name: .customLong("kinesis-stream"),
            help: ArgumentHelp("Archive this Kinesis data stream (name or ARN) fed by a table.", valueName: "name")
        )
        var kinesisStream: String?

        @Option(help: ArgumentHelp("Stream name in the archive. Default: the table or Kinesis stream name.", valueName: "name"))
        var stream: String?

        @OptionGroup var aws: AWSOptions

        @Flag(help: "Archive everything readable now, then exit (for cron and tests).")
        var once = false

        @Option(
            name: .customLong("start-at"),
            help: ArgumentHelp(
                "Kinesis only: start shards that have no checkpoint at this time (AT_TIMESTAMP), e.g. 2026-01-01T00:00:00Z.",
                valueName: "time"
            )
        )
        var startAt: String?

        @Option(
            name: .customLong("metrics-port"),
            help: ArgumentHelp("Serve Prometheus metrics on 127.0.0.1 at this port (0: any free port).", valueName: "port")
        )
        var metricsPort: Int?

        @Option(
            name: .customLong("poll-interval"),
            help: ArgumentHelp("Seconds to wait between reads once every shard is caught up (default 1).", valueName: "seconds")
        )
        var pollInterval: Double?

        @Option(
            name: .customLong("max-shard-readers"),
            help: ArgumentHelp(
                "Shards read at once (default: every readable shard). Parents are drained before children either way.",
                valueName: "n"
            )
        )
        var maxShardReaders: Int?

        @Option(
            name: .customLong("records-per-call"),
            help: ArgumentHelp(
                "Limit of each GetRecords call (default and maximum: 1000 for DynamoDB Streams, 10000 for Kinesis).",
                valueName: "n"
            )
        )
        var recordsPerCall: Int?

        @Option(
            name: .customLong("segments"),
            help: ArgumentHelp(
                "Upload sealed segments to this bucket location (s3://bucket/prefix; --endpoint-url applies). docs/SCALING.md.",
                valueName: "s3-url"
            )
        )
        var segments: String?

        @Option(
            name: .customLong("seal-interval"),
            help: ArgumentHelp(
                "With --segments: seal (and upload) the open segment at least this often, in seconds (default 300).",
                valueName: "seconds"
            )
        )
        var sealInterval: Double = 300

        @Option(
            name: .customLong("local-cache-bytes"),
            help: ArgumentHelp(
                "With --segments: keep at most this many bytes of uploaded segments on this disk (least recently read are evicted; "
                    + "reads of evicted ones fetch just the blocks needed from the bucket). Default: keep all.",
                valueName: "bytes"
            )
        )
        var localCacheBytes: Int64?

        @Option(
            name: .customLong("lease-table"),
            help: ArgumentHelp(
                "Share the stream's shards with other archivers through this DynamoDB table (created if missing): each reads the shards it holds a lease on.",
                valueName: "name"
            )
        )
        var leaseTable: String?

        @Option(
            name: .customLong("lease-timeout"),
            help: ArgumentHelp(
                "With --lease-table: a lease not renewed for this long is taken over by another node, e.g. 10s (default), 3s, 1500ms.",
                valueName: "duration"
            )
        )
        var leaseTimeout: String?

        func validate() throws {
            try global.validateLogLevel()
            if let segments {
                do { _ = try BucketLocation(parsing: segments) } catch { throw ValidationError("\(error)") }
            }
            guard sealInterval >= 1, sealInterval <= 86_400 else { throw ValidationError("--seal-interval must be 1-86400 seconds.") }
            if let localCacheBytes {
                guard segments != nil else { throw ValidationError("--local-cache-bytes needs --segments: only uploaded segments are evicted.") }
                guard localCacheBytes >= 0 else { throw ValidationError("--local-cache-bytes must be 0 or more.") }
            }
            if let config {
                try validateConfigAlone()
                _ = try ArchiverConfigFile.load(path: config, global: global)
                return
            }
            let sources = [table, streamARN, kinesisStream].compactMap { $0 }
            guard sources.count == 1 else { throw ValidationError("Pass exactly one of --table, --stream-arn or --kinesis-stream.") }
            do { try StorageLayout.validateStreamName(try archiveStreamName()) } catch let error as ValidationError { throw error } catch {
                throw ValidationError("\(error) Pass --stream NAME.")
            }
            if startAt != nil {
                guard kinesisStream != nil else {
                    throw ValidationError(
                        "--start-at works with --kinesis-stream only: DynamoDB Streams has no AT_TIMESTAMP iterator (records are kept 24 hours)."
                    )
                }
                _ = try startDate()
            }
            if let pollInterval, !(pollInterval > 0 && pollInterval <= 300) {
                throw ValidationError("--poll-interval must be between 0 and 300 seconds.")
            }
            if let metricsPort, !(0...65535).contains(metricsPort) { throw ValidationError("--metrics-port must be 0-65535.") }
            if let maxShardReaders, !(1...1000).contains(maxShardReaders) { throw ValidationError("--max-shard-readers must be 1-1000.") }
            if leaseTimeout != nil {
                guard leaseTable != nil else { throw ValidationError("--lease-timeout works with --lease-table only.") }
                _ = try leaseTimeoutDuration()
            }
            if let recordsPerCall, !(1...10_000).contains(recordsPerCall) {
                throw ValidationError("--records-per-call must be 1-10000 (DynamoDB Streams answers at most 1000).")
            }
        }

        /// What the archiver did that an operator should see (the library logs at debug and trace only).
        static func log(_ event: ArchiverEvent, _ logger: Logger) {
            switch event {
            case .streamDisabled(let arn):
                logger.notice(
                    "The stream is disabled: its remaining records are archived, then nothing new arrives",
                    metadata: ["sv.stream.arn": "\(arn)"]
                )
            case .gapRecorded(let gap):
                logger.warning(
                    "Records were trimmed from the stream before they could be archived; recorded a gap and continuing at the oldest record",
                    metadata: [
                        "sv.shard.id": "\(gap.shardID)", "sv.after": "\(gap.afterSequenceNumber ?? "start of shard")", "sv.reason": "\(gap.reason)",
                    ]
                )
            case .shardDrained(let shardID):
                logger.info("Shard closed and read to its end", metadata: ["sv.shard.id": "\(shardID)"])
            case .pruned(let report):
                logger.info(
                    "Retention deleted expired segments",
                    metadata: [
                        "sv.segments": "\(report.deleted.count)", "sv.records": "\(report.deletedRecords)", "sv.bytes": "\(report.freedBytes)",
                        "sv.cutoff": "\(report.cutoff.map { ISO8601.format(millis: $0) } ?? "-")",
                    ]
                )
            case .pruneFailed(let error):
                logger.warning(
                    "Retention could not run; archiving goes on and retention is tried again in an hour",
                    metadata: ["sv.error": "\(error)"]
                )
            case .reading(let shards):
                logger.info("Reading the stream", metadata: ["sv.shards": "\(shards)"])
            case .runFailed(let error, let failures, let retryIn):
                var metadata: Logger.Metadata = ["sv.error": "\(error)", "sv.failures": "\(failures)"]
                if let aws = (error as? ArchiverError)?.underlying { metadata["sv.aws.error"] = "\(aws.code)" }
                if let retryIn {
                    metadata["sv.retry.seconds"] = "\(Double(retryIn.components.seconds) + Double(retryIn.components.attoseconds) / 1e18)"
                    logger.error("Archiving the stream failed; trying again after a back-off while the other streams go on", metadata: metadata)
                } else {
                    logger.error("Archiving the stream failed; not retried, since every stream runs once", metadata: metadata)
                }
            case .lease(let event):
                logLease(event, logger)
            case .retrying(let error, let failures, let action):
                logger.warning(
                    "AWS calls failed after retries while \(action); trying again",
                    metadata: ["sv.error": "\(error)", "sv.failures": "\(failures)"]
                )
            }
        }

        /// Lease changes at notice, with wall-clock milliseconds (`sv.at_ms`: when this node started or stopped reading).
        static func logLease(_ event: LeaseEvent, _ logger: Logger) {
            switch event {
            case .taken(let shardID, let previousOwner, let stolen, let checkpoint, let readingFrom):
                logger.notice(
                    stolen ? "Took a shard lease from a busier node; reading it once that node has stopped" : "Took a shard lease",
                    metadata: [
                        "sv.shard.id": "\(shardID)", "sv.lease.previous_owner": "\(previousOwner ?? "-")", "sv.lease.checkpoint": "\(checkpoint)",
                        "sv.lease.event": "taken", "sv.lease.stolen": "\(stolen)", "sv.at_ms": "\(readingFrom)",
                    ]
                )
            case .lost(let shardID, let reason, let at):
                logger.warning(
                    "Stopped reading a shard: \(reason)",
                    metadata: ["sv.shard.id": "\(shardID)", "sv.lease.event": "lost", "sv.at_ms": "\(at)"]
                )
            case .finished(let shardID, let at):
                logger.notice(
                    "A closed shard is archived to its end (its lease says SHARD_END; its children may start)",
                    metadata: ["sv.shard.id": "\(shardID)", "sv.lease.event": "finished", "sv.at_ms": "\(at)"]
                )
            case .released(let shardID, let at):
                logger.notice("Released a shard lease", metadata: ["sv.shard.id": "\(shardID)", "sv.lease.event": "released", "sv.at_ms": "\(at)"])
            }
        }

        /// `--lease-timeout`: seconds, or a number with `s` or `ms`.
        func leaseTimeoutDuration() throws -> Duration {
            guard let leaseTimeout else { return .seconds(10) }
            let text = leaseTimeout.trimmingCharacters(in: .whitespaces)
            let (number, scale): (Substring, Double) =
                text.hasSuffix("ms") ? (text.dropLast(2), 0.001) : text.hasSuffix("s") ? (text.dropLast(), 1) : (Substring(text), 1)
            guard let value = Double(number), value.isFinite else {
                throw ValidationError("--lease-timeout '\(leaseTimeout)' is not a duration; use e.g. 10s, 3s or 1500ms.")
            }
            let seconds = value * scale
            guard seconds >= 1, seconds <= 3600 else { throw ValidationError("--lease-timeout must be between 1s and 3600s (default 10s).") }
            return .milliseconds(Int64((seconds * 1000).rounded()))
        }

        func archiveStreamName() throws -> String {
            if let stream { return stream }
            if let table { return try Self.name(table, option: "--table", kind: "a DynamoDB table") }
            if let kinesisStream { return try Self.name(kinesisStream, option: "--kinesis-stream", kind: "a Kinesis stream") }
            if let streamARN { return try Self.name(streamARN, option: "--stream-arn", kind: "a DynamoDB stream") }
            throw ValidationError("Pass --stream NAME: the archive's stream name could not be derived.")
        }

        /// The archive name for a resource given by name or by ARN (the ARN's table or Kinesis stream name).
        static func name(_ value: String, option: String, kind: String) throws -> String {
            guard ARN.isARN(value) || option == "--stream-arn" else { return value }
            let arn: ARN
            do { arn = try ARN(value) } catch { throw ValidationError("\(option): \(error)") }
            let given: (option: String, kind: String)
            switch arn.resource {
            case .dynamoDBTable: given = ("--table", "a DynamoDB table")
            case .dynamoDBStream: given = ("--stream-arn", "a DynamoDB stream")
            case .kinesisStream: given = ("--kinesis-stream", "a Kinesis stream")
            }
            guard given.option == option else {
                throw ValidationError("\(option) '\(value)' is the ARN of \(given.kind), not \(kind): pass it as \(given.option).")
            }
            return arn.streamName
        }

        func startDate() throws -> Date {
            guard let startAt else { throw ValidationError("--start-at needs a time.") }
            guard let millis = ISO8601.parseMillis(startAt) else {
                throw ValidationError("--start-at '\(startAt)' is not a time; use RFC 3339, e.g. 2026-01-01T00:00:00Z.")
            }
            return Date(timeIntervalSince1970: Double(millis) / 1000)
        }

        func run() async throws {
            if let config {
                try await runStreams(configPath: config)
                return
            }
            let logger = global.makeLogger("streamvault.archive")
            let name = try archiveStreamName()
            let aws = try aws.environment()
            logger.debug("AWS environment", metadata: ["sv.aws": "\(aws)"])

            var services: [any Service] = []
            if let metricsPort {
                let registry = PrometheusCollectorRegistry()
                MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
                let serverLogger = logger
                services.append(
                    ArchiveHTTPServer(configuration: .init(port: metricsPort), registry: registry, logger: logger) { port in
                        serverLogger.notice("Serving Prometheus metrics", metadata: ["sv.url": "http://127.0.0.1:\(port)/metrics"])
                    }
                )
            }

            let catalog = try global.openCatalog(create: true)
            // Fails a refused connection at once (HTTPClient.shared waits out the timeout). Nothing below throws
            // before it is shut down after the run.
            let http = AWSJSONClient.makeHTTPClient()
            // Before the archiver: graceful shutdown stops services in reverse order, so the uploader's last pass runs after it.
            // With a bucket and a lease table, lease checkpoints move only once their records are in the bucket.
            let durability = try makeBucketDurability(name: name, aws: aws, http: http, logger: logger)
            if let uploader = try makeSegmentUploadService(name: name, aws: aws, http: http, catalog: catalog, logger: logger, durability: durability)
            {
                services.append(uploader)
            }
            services.append(try makeArchiver(name: name, aws: aws, http: http, catalog: catalog, logger: logger, durability: durability))
            var groupConfiguration = ServiceGroupConfiguration(
                services: services.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
            // SIGTERM cancels calls in flight at once; this only bounds a shutdown that still hangs (systemd kills at 60 s).
            // With a bucket, the last seal and upload run after the archiver stops: allow them longer.
            groupConfiguration.maximumGracefulShutdownDuration = segments == nil ? .seconds(8) : .seconds(50)
            try await Self.runServiceGroup(groupConfiguration, http: http)
        }
    }
}
