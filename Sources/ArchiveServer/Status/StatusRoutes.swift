public import ArchiveStore
public import Hummingbird

/// `/`: the status page (``StatusPage``), read fresh from the catalog on each request.
public enum StatusRoutes {
    /// Adds the route to `router`.
    /// - Parameters:
    ///   - catalog: The archive's catalog (read through its async reader).
    ///   - layout: Where the archive lives (for the latest verify record).
    ///   - now: The clock, epoch milliseconds (injected by tests).
    ///   - holds: The legal holds of a stream.
    public static func add<Context: RequestContext>(
        to router: Router<Context>,
        catalog: Catalog,
        layout: StorageLayout,
        now: @escaping @Sendable () -> Int64,
        holds: @escaping @Sendable (StreamInfo) async throws -> [StatusSnapshot.Hold] = { _ in [] }
    ) {
        router.get("/") { _, _ -> Response in
            let snapshot = try await StatusSnapshot.load(catalog: catalog, layout: layout, now: now(), holds: holds)
            return Response(
                status: .ok,
                headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: StatusPage.render(snapshot)))
            )
        }
    }
}
