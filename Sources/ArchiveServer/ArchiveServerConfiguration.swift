/// Where the archive's HTTP server listens.
public struct ArchiveServerConfiguration: Sendable {
    /// The address to bind. Loopback by default: the archive holds a table's whole history.
    public var host: String
    /// The TCP port; 0 picks a free one (the bound port is passed to `onListening`).
    public var port: Int

    /// Creates a configuration.
    /// - Parameters:
    ///   - host: The address to bind (default `127.0.0.1`).
    ///   - port: The TCP port (default 8787; 0 picks a free one).
    public init(host: String = "127.0.0.1", port: Int = 8787) {
        self.host = host
        self.port = port
    }
}
