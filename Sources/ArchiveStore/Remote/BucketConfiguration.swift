import Foundation

/// The bucket this storage directory's segments go to, kept in `<storage>/bucket.json` by `archive --segments` and
/// `catalog sync`, so that replay, history, export and serve find evicted segments without being told
/// (credentials and region still come from the environment: AWS_PROFILE, AWS_ACCESS_KEY_ID, AWS_REGION, ...).
public struct BucketConfiguration: Codable, Sendable, Equatable {
    /// `s3://bucket/prefix`.
    public var segments: String
    /// The S3 endpoint override (`--endpoint-url`), or `nil` for AWS's.
    public var endpointURL: String?

    public init(segments: String, endpointURL: String?) {
        self.segments = segments
        self.endpointURL = endpointURL
    }

    static func path(_ layout: StorageLayout) -> String { layout.root + "/bucket.json" }

    /// The saved configuration, or `nil` when the directory has none.
    /// - Throws: ``ArchiveError`` (`invalidInput`) when the file is not what `save` writes.
    public static func load(_ layout: StorageLayout) throws -> BucketConfiguration? {
        guard let data = FileManager.default.contents(atPath: path(layout)) else { return nil }
        do {
            return try JSONDecoder().decode(BucketConfiguration.self, from: data)
        } catch {
            throw ArchiveError(
                code: .invalidInput,
                message: "'\(path(layout))' is not a bucket configuration (expected {\"segments\": \"s3://bucket/prefix\", \"endpointURL\": ...}). "
                    + "Delete it and run `streamvault catalog sync --segments s3://...` again."
            )
        }
    }

    /// Saves it (temp, fsync, rename) unless the same is saved already.
    public func save(_ layout: StorageLayout) throws {
        if (try? Self.load(layout)) == self { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data = (try? encoder.encode(self)) ?? Data()
        try FileIO.writeAtomically(Array(data) + [0x0A], to: Self.path(layout))
    }
}
