public import ArchiveStore
public import Hummingbird
public import Logging
public import Prometheus
public import ServiceLifecycle

/// The archive's HTTP server as a service: `/metrics` and `/healthz`, and (given ``ArchiveRoutes``) the
/// DynamoDB Streams and Kinesis read APIs at `POST /` and ingest at `POST /ingest/<stream>`. The status page
/// joins the same router.
///
/// Runs until graceful shutdown, so it belongs in the same `ServiceGroup` as the archiver it reports on.
public struct ArchiveHTTPServer: Service {
    private let application: Application<RouterResponder<BasicRequestContext>>
    private let routes: ArchiveRoutes

    /// Creates the server.
    /// - Parameters:
    ///   - configuration: Where to listen.
    ///   - registry: The metrics `/metrics` serves.
    ///   - routes: The APIs and ingest to serve besides `/metrics` and `/healthz` (default: none).
    ///   - logger: The server's logger (requests log at debug).
    ///   - onListening: Called once the socket is bound, with the port (useful with port 0).
    public init(
        configuration: ArchiveServerConfiguration = .init(),
        registry: PrometheusCollectorRegistry,
        routes: ArchiveRoutes = .init(),
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.routes = routes
        self.application = Application(
            router: Self.router(registry: registry, routes: routes),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.port) },
            logger: logger
        )
    }

    /// The routes the server answers, for tests that drive the router without a socket.
    public static func router(registry: PrometheusCollectorRegistry, routes: ArchiveRoutes = .init()) -> Router<BasicRequestContext> {
        let router = Router()
        ObservabilityRoutes.add(to: router, registry: registry, beforeScrape: routes.beforeScrape)
        if let api = routes.api { APIRoutes.add(to: router, api: api, authenticator: routes.authenticator) }
        routes.ingest?.addRoutes(to: router, authenticator: routes.authenticator)
        if let status = routes.status {
            StatusRoutes.add(to: router, catalog: status.catalog, layout: status.layout, now: status.now) { stream in
                try await status.catalog.asyncReader.holds(streamID: stream.id).map {
                    StatusSnapshot.Hold(id: String($0.id), from: $0.from, to: $0.to, reason: $0.reason)
                }
            }
        }
        return router
    }

    public func run() async throws {
        try await application.run()
        await routes.ingest?.close()
    }
}

/// What ``ArchiveHTTPServer`` serves besides `/metrics` and `/healthz`.
public struct ArchiveRoutes: Sendable {
    /// The DynamoDB Streams and Kinesis APIs at `POST /`; `nil` leaves them out.
    public var api: ArchiveAPI?
    /// Ingest at `POST /ingest/<stream>`; `nil` leaves it out.
    public var ingest: IngestEndpoint?
    /// Verifies SigV4 on the API and ingest; `nil` accepts unsigned requests.
    public var authenticator: RequestAuthenticator?
    /// Runs before each `/metrics` answer (to refresh gauges such as the archive's size).
    public var beforeScrape: (@Sendable () async -> Void)?
    /// The status page at `/` (``StatusPage``); `nil` leaves it out.
    public var status: StatusPageSource?

    /// Creates the set of routes; everything is optional.
    public init(
        api: ArchiveAPI? = nil,
        ingest: IngestEndpoint? = nil,
        authenticator: RequestAuthenticator? = nil,
        beforeScrape: (@Sendable () async -> Void)? = nil,
        status: StatusPageSource? = nil
    ) {
        self.api = api
        self.ingest = ingest
        self.authenticator = authenticator
        self.beforeScrape = beforeScrape
        self.status = status
    }
}

/// Where the status page reads from.
public struct StatusPageSource: Sendable {
    public var catalog: Catalog
    public var layout: StorageLayout
    /// The clock, epoch milliseconds.
    public var now: @Sendable () -> Int64

    public init(catalog: Catalog, layout: StorageLayout, now: @escaping @Sendable () -> Int64 = { WallClock.system.nowMillis() }) {
        self.catalog = catalog
        self.layout = layout
        self.now = now
    }
}
