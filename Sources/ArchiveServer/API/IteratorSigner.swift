import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Seals ``ShardIterator``s into opaque, tamper-proof strings and opens them again.
///
/// The HMAC-SHA256 key lives in the archive (`<storage>/.iterator-key`, mode 0600, created once), so
/// iterators stay valid across a restart of `serve`, and several servers on one archive accept each other's.
public struct IteratorSigner: Sendable {
    /// The key's bytes (a `SymmetricKey` is made per use: it is not `Sendable`).
    private let keyBytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    /// A signer with a given key (tests, and archives where the key file cannot be written).
    public init(key: [UInt8]) {
        self.keyBytes = key
    }

    /// The signer of the archive at `root`: reads its key file, creating it (32 random bytes, 0600) the first time.
    /// - Throws: ``APIError`` (internal failure) when the key cannot be read or created.
    public static func forArchive(root: String) throws -> IteratorSigner {
        let path = root + "/.iterator-key"
        if let key = try readKey(path) { return IteratorSigner(key: key) }
        let fresh = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        let temporary = path + ".tmp-\(getpid())"
        let fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw keyError("create", temporary) }
        let written = fresh.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        defer { unlink(temporary) }
        guard written == fresh.count, synced == 0 else { throw keyError("write", temporary) }
        // link() never replaces: when two servers start at once, the first key wins and both use it.
        if link(temporary, path) != 0 && errno != EEXIST { throw keyError("install", path) }
        guard let key = try readKey(path) else { throw keyError("read back", path) }
        return IteratorSigner(key: key)
    }

    private static func readKey(_ path: String) throws -> [UInt8]? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw keyError("open", path)
        }
        defer { close(fd) }
        var key = [UInt8](repeating: 0, count: 64)
        let count = key.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count == 32 else {
            throw APIError(
                code: .internalFailure,
                message: "The iterator key '\(path)' is not 32 bytes; delete it (outstanding shard iterators then stop working) and restart."
            )
        }
        return Array(key.prefix(32))
    }

    private static func keyError(_ action: String, _ path: String) -> APIError {
        APIError(
            code: .internalFailure,
            message: "Could not \(action) the iterator key '\(path)': \(String(cString: strerror(errno))). Check the storage directory's permissions."
        )
    }

    /// The iterator as an opaque string.
    public func seal(_ iterator: ShardIterator) -> String {
        var bytes = iterator.packed
        bytes.append(contentsOf: HMAC<SHA256>.authenticationCode(for: bytes, using: key))
        return Data(bytes).base64EncodedString()
    }

    /// The iterator inside `text`, or `nil` when it is not one this archive issued (garbage, changed, another key).
    public func open(_ text: String) -> ShardIterator? {
        guard text.utf8.count <= 2048, let data = Data(base64Encoded: text), data.count > 32 else { return nil }
        let bytes = [UInt8](data)
        let body = bytes[..<(bytes.count - 32)]
        let tag = bytes[(bytes.count - 32)...]
        guard HMAC<SHA256>.isValidAuthenticationCode(tag, authenticating: body, using: key) else { return nil }
        return ShardIterator(packed: body)
    }
}
