/// Several archiver nodes sharing one stream's shards through a ``LeaseTable``: the table, this node's lease
/// settings, and when a lease checkpoint may move.
///
/// ```swift
/// let leases = ArchiverLeases(table: LeaseTable(client: dynamoDB, name: "streamvault-leases", stream: "orders"),
///                             configuration: LeaseConfiguration(timeout: .seconds(10)))
/// let archiver = ArchiverService(source: source, configuration: configuration, layout: layout, catalog: catalog, leases: leases)
/// ```
public struct ArchiverLeases: Sendable {
    /// The lease table (created if missing when the archiver starts).
    public var table: LeaseTable
    /// Timeout, safety margin and this node's name.
    public var configuration: LeaseConfiguration
    /// When records count as durable, so that the lease checkpoint may move past them.
    public var durability: any CheckpointDurability

    /// Creates the settings.
    /// - Parameters:
    ///   - table: The lease table.
    ///   - configuration: Timeout, margin and owner; default ``LeaseConfiguration/init(timeout:safetyMargin:owner:)``.
    ///   - durability: When a checkpoint may move; default ``LocalCommitDurability`` (once committed locally).
    public init(
        table: LeaseTable,
        configuration: LeaseConfiguration = LeaseConfiguration(),
        durability: any CheckpointDurability = LocalCommitDurability()
    ) {
        self.table = table
        self.configuration = configuration
        self.durability = durability
    }
}
