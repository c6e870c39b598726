public import Hummingbird
public import Prometheus

/// `/metrics` (Prometheus text exposition format 0.0.4) and `/healthz`.
public enum ObservabilityRoutes {
    /// The content type Prometheus scrapers expect for the text format.
    static let prometheusContentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Adds the routes to `router`.
    /// - Parameters:
    ///   - router: The router to extend.
    ///   - registry: The registry whose metrics `/metrics` serves.
    ///   - beforeScrape: Runs before each `/metrics` answer (to refresh gauges); default none.
    public static func add<Context: RequestContext>(
        to router: Router<Context>,
        registry: PrometheusCollectorRegistry,
        beforeScrape: (@Sendable () async -> Void)? = nil
    ) {
        router.get("metrics") { _, _ -> Response in
            await beforeScrape?()
            var body: [UInt8] = []
            registry.emit(into: &body)
            return Response(
                status: .ok,
                headers: [.contentType: prometheusContentType],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: body))
            )
        }
        router.get("healthz") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "ok\n"))
            )
        }
    }
}
