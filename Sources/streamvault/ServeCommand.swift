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

extension StreamVaultCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Serve the archive over the DynamoDB Streams and Kinesis APIs, with ingest, /metrics and /healthz.",
            discussion: """
                Consumers that speak the DynamoDB Streams API (JSON 1.0) or the Kinesis API (JSON 1.1) read the \
                archive as if the stream still held it: point them at the server with --endpoint-url. A Lambda \
                forwarder posts event batches to /ingest/<stream>; each is committed before the answer, and a retried \
                batch is stored once. Prints the server's URL on stdout once it listens; SIGTERM or SIGINT stop it.

                Binds 127.0.0.1 by default. Any other address needs --auth sigv4 with --access-keys FILE (lines \
                'ACCESS_KEY_ID SECRET_ACCESS_KEY'; clients sign as usual, for service dynamodb, kinesis or \
                streamvault) or an explicit --insecure-no-auth. docs/SERVER.md has the details.

                Examples:
                  streamvault serve
                  aws dynamodbstreams --endpoint-url http://127.0.0.1:8787 list-streams
                  aws kinesis --endpoint-url http://127.0.0.1:8787 list-shards --stream-name orders
                  curl -X POST http://127.0.0.1:8787/ingest/orders -d @lambda-event.json
                  streamvault serve --host 0.0.0.0 --auth sigv4 --access-keys keys.txt --read-only
                  streamvault serve --archive '--table Orders --region us-east-1'   # archiver and server, one process
                  streamvault serve --archive '--config archiver.json'              # several streams (docs/ARCHIVER-CONFIG.md)
                """
        )

        enum AuthMode: String, ExpressibleByArgument, CaseIterable {
            case sigv4
        }

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The address to bind.", valueName: "address"))
        var host = "127.0.0.1"

        @Option(help: ArgumentHelp("The TCP port (0: any free port).", valueName: "port"))
        var port = 8787

        @Flag(name: .customLong("read-only"), help: "Serve reads only: ingest answers 403.")
        var readOnly = false

        @Option(help: ArgumentHelp("Verify request signatures (needs --access-keys).", valueName: "mode"))
        var auth: AuthMode?

        @Option(
            name: .customLong("access-keys"),
            help: ArgumentHelp("The key pairs --auth sigv4 accepts, one 'ID SECRET' per line.", valueName: "file")
        )
        var accessKeys: String?

        @Flag(name: .customLong("insecure-no-auth"), help: "Allow binding beyond loopback without authentication.")
        var insecureNoAuth = false

        @Option(
            name: .customLong("archive"),
            parsing: .unconditional,
            help: ArgumentHelp(
                "Also archive in this process: `streamvault archive`'s options as one argument, e.g. --archive '--table Orders' or --archive '--config archiver.json'.",
                valueName: "options"
            )
        )
        var archive: String?

        @Option(name: .customLong("max-body-bytes"), help: ArgumentHelp("The largest ingest body accepted; larger ones get 413.", valueName: "bytes"))
        var maxBodyBytes = 6 << 20

        func validate() throws {
            try global.validateLogLevel()
            guard (0...65535).contains(port) else { throw ValidationError("--port must be 0-65535.") }
            guard maxBodyBytes >= 1024 && maxBodyBytes <= 1 << 30 else {
                throw ValidationError("--max-body-bytes must be between 1024 and 1073741824.")
            }
            if auth != nil && accessKeys == nil { throw ValidationError("--auth sigv4 needs --access-keys FILE with the accepted key pairs.") }
            if accessKeys != nil && auth == nil { throw ValidationError("--access-keys is used with --auth sigv4; pass both.") }
            if auth != nil && insecureNoAuth { throw ValidationError("Pass either --auth sigv4 or --insecure-no-auth, not both.") }
            if archive != nil {
                guard !readOnly else { throw ValidationError("--archive writes the archive; it cannot run with --read-only.") }
                _ = try archiveCommand()
            }
            if !Self.isLoopback(host) && auth == nil && !insecureNoAuth {
                throw ValidationError(
                    "--host \(host) is reachable beyond this machine and the archive holds the table's whole history: pass "
                        + "--auth sigv4 --access-keys FILE, or --insecure-no-auth if something else guards the port."
                )
            }
        }

        /// The `archive` command of `--archive`'s options, on this archive.
        func archiveCommand() throws -> StreamVaultCommand.Archive {
            let arguments = (archive ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            do {
                let command = try StreamVaultCommand.Archive.parse(
                    arguments + ["--storage", global.storageDirectory, "--log-level", global.logLevel]
                )
                try command.validate()
                let file = try command.config.map { try ArchiverConfigFile.load(path: $0, global: command.global) }
                if let config = command.config, file?.metricsPort != nil {
                    throw ValidationError("\(config): metrics-port: the server serves the archivers' metrics at its own /metrics; remove the key.")
                }
                // The uploader runs with `streamvault archive` only: here sealed segments would never reach the bucket.
                if command.segments != nil || file?.streams.contains(where: { $0.segments != nil }) == true {
                    throw ValidationError(
                        "segments: serve does not upload to a bucket; run `streamvault archive --segments ...` for that, and `serve` "
                            + "without --archive beside it on the same storage directory."
                    )
                }
                return command
            } catch {
                throw ValidationError("--archive '\(archive ?? "")': \(StreamVaultCommand.Archive.message(for: error))")
            }
        }

        static func isLoopback(_ host: String) -> Bool {
            host == "localhost" || host == "::1" || host.hasPrefix("127.")
        }

        func run() async throws {
            let logger = global.makeLogger("streamvault.serve")
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            let layout = global.layout
            let catalog = try global.openCatalog(create: !readOnly)
            var authenticator: RequestAuthenticator?
            if let accessKeys {
                do {
                    authenticator = RequestAuthenticator(keys: try RequestAuthenticator.keys(fromFile: accessKeys))
                } catch let error as APIError {
                    throw CLIError(code: .fileNotOpened, message: "streamvault serve: \(error.message)")
                }
            }
            let signer: IteratorSigner
            do {
                signer = try IteratorSigner.forArchive(root: layout.root)
            } catch let error as APIError {
                guard readOnly else { throw CLIError(code: .commandFailed, message: "streamvault serve: \(error.message)") }
                // A read-only archive (a snapshot mount) may have no key yet and no room for one: use a key of this run.
                logger.notice("Shard iterators will not survive a restart", metadata: ["sv.reason": "\(error.message)"])
                var random = SystemRandomNumberGenerator()
                signer = IteratorSigner(key: (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) })
            }
            let api = ArchiveAPI(catalog: catalog, layout: layout, signer: signer, logger: logger)
            let ingest = IngestEndpoint(layout: layout, catalog: catalog, maxBodyBytes: maxBodyBytes, readOnly: readOnly, logger: logger)
            let sizes = ArchiveSizeGauges(catalog: catalog)
            let routes = ArchiveRoutes(
                api: api,
                ingest: ingest,
                authenticator: authenticator,
                beforeScrape: { await sizes.refresh() },
                status: StatusPageSource(catalog: catalog, layout: layout)
            )
            let host = self.host
            let server = ArchiveHTTPServer(configuration: .init(host: host, port: port), registry: registry, routes: routes, logger: logger) { port in
                let shown = host.contains(":") ? "[\(host)]" : host
                // The URL alone on stdout's first line (scripts and tests read it), written at once.
                FileHandle.standardOutput.write(Data("http://\(shown):\(port)\n".utf8))
            }
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
                .init(service: server, successTerminationBehavior: .gracefullyShutdownGroup)
            ]
            var http: HTTPClient?
            if archive != nil, let config = try archiveCommand().config {
                // Several streams (`--archive '--config FILE'`): one supervisor, failing streams retried with back-off.
                let file: ArchiverConfigFile
                do {
                    file = try ArchiverConfigFile.load(path: config, global: try archiveCommand().global)
                } catch let error as ValidationError {
                    throw CLIError(code: .invalidInput, message: error.message)
                }
                let environments = try StreamVaultCommand.Archive.environments(of: file, configPath: config)
                let client = AWSJSONClient.makeHTTPClient()
                http = client
                let supervisor = try StreamVaultCommand.Archive.makeSupervisor(
                    file: file,
                    environments: environments,
                    http: client,
                    catalog: catalog,
                    logger: logger,
                    summaryOnStdout: false
                )
                services.append(.init(service: supervisor, successTerminationBehavior: .ignore, failureTerminationBehavior: .gracefullyShutdownGroup))
            } else if archive != nil {
                let command = try archiveCommand()
                let aws = try command.aws.environment()
                let client = AWSJSONClient.makeHTTPClient()
                http = client
                let archiver = try command.makeArchiver(
                    name: try command.archiveStreamName(),
                    aws: aws,
                    http: client,
                    catalog: catalog,
                    logger: logger,
                    summaryOnStdout: false
                )
                // An archiver run with --once ends; the server goes on serving what it archived.
                services.append(.init(service: archiver, successTerminationBehavior: .ignore, failureTerminationBehavior: .gracefullyShutdownGroup))
            }
            var configuration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            configuration.maximumGracefulShutdownDuration = .seconds(8)
            let outcome: Result<Void, any Error>
            do {
                try await ServiceGroup(configuration: configuration).run()
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            try? await http?.shutdown()
            do {
                try outcome.get()
            } catch let error as ArchiverError {
                throw CLIError(code: .archiverStopped, message: "streamvault serve: the archiver stopped: \(error.message)")
            }
        }
    }
}
