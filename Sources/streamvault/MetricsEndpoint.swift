import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle

/// Serves `/metrics` (Prometheus text) and `/healthz` on 127.0.0.1 until graceful shutdown.
struct MetricsEndpoint: Service {
    let registry: PrometheusCollectorRegistry
    let port: Int
    let logger: Logger

    func run() async throws {
        let registry = self.registry
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(registry: registry))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        logger.notice("Serving Prometheus metrics", metadata: ["sv.url": "http://127.0.0.1:\(channel.localAddress?.port ?? port)/metrics"])
        try? await gracefulShutdown()
        try? await channel.close()
    }
}

/// Answers each request with the registry's current text (GET /metrics), `ok` (GET /healthz), or 404.
final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let registry: PrometheusCollectorRegistry
    private var path = "/"

    init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            path = String(head.uri.prefix { $0 != "?" })
        case .body:
            break
        case .end:
            var body: [UInt8] = []
            let status: HTTPResponseStatus
            switch path {
            case "/metrics":
                registry.emit(into: &body)
                status = .ok
            case "/healthz":
                body = Array("ok\n".utf8)
                status = .ok
            default:
                body = Array("Not found: try /metrics\n".utf8)
                status = .notFound
            }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: path == "/metrics" ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8")
            headers.add(name: "Content-Length", value: "\(body.count)")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
