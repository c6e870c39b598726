import Foundation

/// Where everything lives under the storage directory (docs/FORMAT.md):
///
/// ```
/// <root>/catalog.sqlite               the catalog (WAL mode)
/// <root>/<stream>/segments/*.ndjson.zst
/// <root>/<stream>/rejected/           lines refused by `ingest --skip-invalid`, with reasons
/// <root>/<stream>/writer.lock         held by the one process writing the stream
/// ```
public struct StorageLayout: Sendable, Equatable {
    /// The storage directory.
    public var root: String

    public init(root: String) {
        var root = root
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        self.root = root
    }

    public var catalogPath: String { root + "/catalog.sqlite" }
    /// The outcome of the latest `verify` (``VerifyRecord``), shown on the status page.
    public var verifyRecordPath: String { root + "/last-verify.json" }
    public func streamDirectory(_ stream: String) -> String { root + "/" + stream }
    public func segmentsDirectory(_ stream: String) -> String { streamDirectory(stream) + "/segments" }
    public func segmentPath(stream: String, fileName: String) -> String { segmentsDirectory(stream) + "/" + fileName }
    public func rejectedDirectory(_ stream: String) -> String { streamDirectory(stream) + "/rejected" }
    public func lockPath(_ stream: String) -> String { streamDirectory(stream) + "/writer.lock" }

    /// Names of the segment files (`*.ndjson.zst`) in a stream's segments directory, sorted; none if it does not exist.
    public func segmentFileNames(_ stream: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: segmentsDirectory(stream))) ?? []
        return names.filter { $0.hasSuffix(".ndjson.zst") }.sorted()
    }

    /// The streams (directories under the root) that hold segment files, by name.
    public func streamsWithSegmentFiles() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.sorted().filter { name in
            (try? Self.validateStreamName(name)) != nil && !segmentFileNames(name).isEmpty
        }
    }

    /// Stream names become directory names: letters, digits, `.`, `-`, `_`, 1-128 characters, not starting with `.`.
    public static func validateStreamName(_ name: String) throws {
        let ok =
            !name.isEmpty && name.utf8.count <= 128 && !name.hasPrefix(".")
            && name.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2E || b == 0x2D || b == 0x5F
            }
        guard ok else {
            throw ArchiveError(
                code: .invalidArgument,
                message: "Stream name '\(name)' is not usable as a directory name: use 1-128 letters, digits, '.', '-' or '_' (e.g. the table name)."
            )
        }
    }
}
