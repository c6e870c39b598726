import Foundation

/// This storage directory's node id: 8 random hex digits in `<storage>/.node-id`, made on first use.
///
/// It goes into new segment names when segments go to a bucket, so several archivers writing one stream into one
/// bucket never choose the same name (``WriterConfiguration/nodeID``).
public enum NodeIdentity {
    /// The node id of `layout`'s storage directory, created (temp, fsync, rename) if missing.
    /// - Throws: ``ArchiveError`` if the file cannot be written, or holds something other than 8 hex digits.
    public static func load(_ layout: StorageLayout) throws -> String {
        let path = layout.root + "/.node-id"
        if let data = FileManager.default.contents(atPath: path) {
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard isNodeID(text) else {
                throw ArchiveError(
                    code: .invalidInput,
                    message: "'\(path)' holds '\(text.prefix(40))', not a node id (8 lower-case hex digits). Delete it to get a new one."
                )
            }
            return text
        }
        try FileIO.makeDirectories(layout.root)
        let id = String(UInt32.random(in: .min ... .max), radix: 16).leftPadded(to: 8)
        try FileIO.writeAtomically(Array((id + "\n").utf8), to: path)
        return id
    }

    static func isNodeID(_ text: String) -> Bool {
        text.utf8.count == 8 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}
