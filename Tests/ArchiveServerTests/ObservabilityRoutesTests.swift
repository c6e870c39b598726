import ArchiveServer
import Hummingbird
import HummingbirdTesting
import Metrics
import Prometheus
import Testing

@Suite("/metrics and /healthz")
struct ObservabilityRoutesTests {
    @Test("/metrics serves the registry's counters in Prometheus text format")
    func metricsText() async throws {
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetricsFactory(registry: registry)
        let counter = factory.makeCounter(label: "streamvault_test_records", dimensions: [("stream", "orders")])
        counter.increment(by: 42)
        let app = Application(router: ArchiveHTTPServer.router(registry: registry))
        try await app.test(.live) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let text = String(buffer: response.body)
                #expect(text.contains(#"streamvault_test_records{stream="orders"} 42"#))
            }
        }
    }

    @Test("/healthz answers ok; other paths 404")
    func health() async throws {
        let app = Application(router: ArchiveHTTPServer.router(registry: PrometheusCollectorRegistry()))
        try await app.test(.live) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "ok\n")
            }
            try await client.execute(uri: "/nothing-here", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
