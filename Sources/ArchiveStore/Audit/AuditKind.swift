/// What an audit entry records. The raw value is the `kind` field of the entry's JSON.
public struct AuditKind: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// A segment was sealed: no more blocks; details carry its SHA-256, counts and time range.
    public static let segmentSealed = AuditKind(rawValue: "segment-sealed")
    /// Retention deleted a sealed segment: details carry the cutoff, the retention and the hold check.
    public static let segmentDeleted = AuditKind(rawValue: "segment-deleted")
    /// A sealed segment and its index object were uploaded to the bucket (details: file, key, sha256, etag, bytes).
    public static let segmentUploaded = AuditKind(rawValue: "segment-uploaded")
    /// The bucket copy of a segment retention deleted was deleted too, index object last (details: file, key, index_key).
    public static let remoteSegmentDeleted = AuditKind(rawValue: "remote-segment-deleted")
    /// A legal hold was added (details: id, from, to, reason).
    public static let holdAdded = AuditKind(rawValue: "hold-added")
    /// A legal hold was removed (details: id).
    public static let holdRemoved = AuditKind(rawValue: "hold-removed")
    /// A stream's retention was changed (details: days, 0 for forever).
    public static let retentionSet = AuditKind(rawValue: "retention-set")
    /// The archive knows it missed records of a shard (details: shard, after, reason).
    public static let gapRecorded = AuditKind(rawValue: "gap-recorded")
    /// An export was written (details: what the exporter says: directory, range, manifest SHA-256).
    public static let exportWritten = AuditKind(rawValue: "export-written")
    /// `catalog rebuild` recreated the catalog from the segment files.
    public static let catalogRebuilt = AuditKind(rawValue: "catalog-rebuilt")
    /// `repair` cut a damaged segment back or restarted a missing one.
    public static let catalogRepaired = AuditKind(rawValue: "catalog-repaired")
    /// The catalog's schema was upgraded.
    public static let catalogMigrated = AuditKind(rawValue: "catalog-migrated")
    /// The log's own last line was cut off by a crash and removed before this entry was appended.
    public static let logRepaired = AuditKind(rawValue: "log-repaired")
}
