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
import StreamSources
import UnixSignals

extension StreamVaultCommand.Archive {
    /// `--config` names every stream and its options: a single-stream option beside it would be ambiguous.
    func validateConfigAlone() throws {
        let given: [(String, Bool)] = [
            ("--table", table != nil), ("--stream-arn", streamARN != nil), ("--kinesis-stream", kinesisStream != nil),
            ("--stream", stream != nil), ("--region", aws.region != nil), ("--profile", aws.profile != nil),
            ("--endpoint-url", aws.endpointURL != nil), ("--once", once), ("--start-at", startAt != nil),
            ("--metrics-port", metricsPort != nil), ("--poll-interval", pollInterval != nil),
            ("--max-shard-readers", maxShardReaders != nil), ("--records-per-call", recordsPerCall != nil),
            ("--segments", segments != nil), ("--local-cache-bytes", localCacheBytes != nil), ("--lease-table", leaseTable != nil),
            ("--lease-timeout", leaseTimeout != nil),
        ]
        let clashing = given.filter { $0.1 }.map { $0.0 }
        guard clashing.isEmpty else {
            throw ValidationError(
                "--config takes every stream's options from the file, so \(clashing.joined(separator: ", ")) cannot be given with it: "
                    + "put \(clashing.count == 1 ? "it" : "them") in the file (as \(clashing.map { "\"\($0.dropFirst(2))\"" }.joined(separator: ", ")), "
                    + "for one stream or at the top level for all), or archive one stream without --config."
            )
        }
    }

    /// `archive --config FILE`: one ServiceGroup with the metrics endpoint and one supervisor running every stream's archiver.
    func runStreams(configPath: String) async throws {
        let logger = global.makeLogger("streamvault.archive")
        let file: ArchiverConfigFile
        do {
            file = try ArchiverConfigFile.load(path: configPath, global: global)
        } catch let error as ValidationError {
            throw CLIError(code: .invalidInput, message: error.message)
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let metricsPort = file.metricsPort {
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            let serverLogger = logger
            let host = file.metricsHost
            let server = ArchiveHTTPServer(configuration: .init(host: host, port: metricsPort), registry: registry, logger: logger) { port in
                let shown = host.contains(":") ? "[\(host)]" : host
                serverLogger.notice("Serving Prometheus metrics", metadata: ["sv.url": "http://\(shown):\(port)/metrics"])
            }
            services.append(.init(service: server, successTerminationBehavior: .gracefullyShutdownGroup))
        }
        let environments = try Self.environments(of: file, configPath: configPath)
        let catalog = try file.streams[0].global.openCatalog(create: true)
        let http = AWSJSONClient.makeHTTPClient()
        // Uploaders before the supervisor: graceful shutdown stops services in reverse order (their last pass runs after it).
        let durabilities = try file.streams.enumerated().map { index, command in
            try command.makeBucketDurability(name: try command.archiveStreamName(), aws: environments[index], http: http, logger: logger)
        }
        for (index, command) in file.streams.enumerated() {
            let name = try command.archiveStreamName()
            var streamLogger = logger
            streamLogger[metadataKey: "sv.stream"] = "\(name)"
            let uploader = try command.makeSegmentUploadService(
                name: name,
                aws: environments[index],
                http: http,
                catalog: catalog,
                logger: streamLogger,
                durability: durabilities[index]
            )
            if let uploader { services.append(.init(service: uploader, successTerminationBehavior: .gracefullyShutdownGroup)) }
        }
        let supervisor = try Self.makeSupervisor(
            file: file,
            environments: environments,
            http: http,
            catalog: catalog,
            logger: logger,
            durabilities: durabilities
        )
        services.append(
            .init(
                service: supervisor,
                successTerminationBehavior: .gracefullyShutdownGroup,
                failureTerminationBehavior: .gracefullyShutdownGroup
            )
        )
        var groupConfiguration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = file.streams.contains { $0.segments != nil } ? .seconds(50) : .seconds(8)
        try await Self.runServiceGroup(groupConfiguration, http: http)
    }

    /// Runs the archiver's service group, shuts the AWS calls' HTTP client down after it, and turns what stopped the
    /// group into the command's error.
    static func runServiceGroup(_ configuration: ServiceGroupConfiguration, http: HTTPClient) async throws {
        let outcome: Result<Void, any Error>
        do {
            try await ServiceGroup(configuration: configuration).run()
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        try? await http.shutdown()
        do {
            try outcome.get()
        } catch let error as ArchiverError {
            throw CLIError(code: .archiverStopped, message: "streamvault archive: \(error.message)")
        } catch let error as ServiceGroupError {
            throw CLIError(code: .archiverStopped, message: "streamvault archive: \(error)")
        } catch let error as ArchiveError where error.code == .objectStore {
            throw CLIError(code: .archiverStopped, message: "streamvault archive: \(error.message)")
        }
    }

    /// Every stream's AWS settings, resolved before anything runs: a bad profile is a configuration error naming its
    /// entry, not a failing stream.
    static func environments(of file: ArchiverConfigFile, configPath: String) throws -> [AWSEnvironment] {
        try file.streams.enumerated().map { index, command in
            do {
                return try command.aws.environment()
            } catch let error as CLIError {
                throw CLIError(code: error.code, message: "\(configPath): streams[\(index)]: \(error.message)")
            }
        }
    }

    /// The supervisor of the file's streams (`archive --config`, and `serve --archive '--config FILE'` beside the server).
    /// - Parameters:
    ///   - file: The streams.
    ///   - environments: Their AWS settings, in the same order (``environments(of:configPath:)``).
    ///   - http: The HTTP client of the AWS calls (the caller shuts it down after the run).
    ///   - catalog: The archive's catalog, opened for writing.
    ///   - logger: Where the operator's events log (each stream's with `sv.stream`).
    ///   - summaryOnStdout: With `once`, print each stream's summary on stdout (`serve` keeps stdout for its URL).
    ///   - durabilities: Per stream, with `segments` and `lease-table`: the lease checkpoints follow its uploads.
    static func makeSupervisor(
        file: ArchiverConfigFile,
        environments: [AWSEnvironment],
        http: HTTPClient,
        catalog: Catalog,
        logger: Logger,
        summaryOnStdout: Bool = true,
        durabilities: [BucketDurability?]? = nil
    ) throws -> ArchiverSupervisor<ContinuousClock> {
        let archivers = try file.streams.enumerated().map { index, command in
            let aws = environments[index]
            let name = try command.archiveStreamName()
            var streamLogger = logger
            streamLogger[metadataKey: "sv.stream"] = "\(name)"
            streamLogger.debug("AWS environment", metadata: ["sv.aws": "\(aws)"])
            return try command.makeArchiver(
                name: name,
                aws: aws,
                http: http,
                catalog: catalog,
                logger: streamLogger,
                summaryOnStdout: summaryOnStdout,
                supervised: true,
                durability: durabilities?[index] ?? nil
            )
        }
        return ArchiverSupervisor(archivers: archivers, backoff: file.backoff)
    }
}
