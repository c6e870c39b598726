public import Hummingbird
public import Logging
public import Prometheus
public import ServiceLifecycle

/// The archive's HTTP server as a service: `/metrics` and `/healthz` today; the DynamoDB Streams and
/// Kinesis read APIs, ingest and the status page join the same router.
///
/// Runs until graceful shutdown, so it belongs in the same `ServiceGroup` as the archiver it reports on.
public struct ArchiveHTTPServer: Service {
    private let application: Application<RouterResponder<BasicRequestContext>>

    /// Creates the server.
    /// - Parameters:
    ///   - configuration: Where to listen.
    ///   - registry: The metrics `/metrics` serves.
    ///   - logger: The server's logger (requests log at debug).
    ///   - onListening: Called once the socket is bound, with the port (useful with port 0).
    public init(
        configuration: ArchiveServerConfiguration = .init(),
        registry: PrometheusCollectorRegistry,
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.application = Application(
            router: Self.router(registry: registry),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.port) },
            logger: logger
        )
    }

    /// The routes the server answers, for tests that drive the router without a socket.
    public static func router(registry: PrometheusCollectorRegistry) -> Router<BasicRequestContext> {
        let router = Router()
        ObservabilityRoutes.add(to: router, registry: registry)
        return router
    }

    public func run() async throws {
        try await application.run()
    }
}
