import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A local TCP port that misbehaves like an endpoint during an outage, held open for the test's lifetime.
public final class DeadEndpoint: Sendable {
    public enum Behaviour: String, CaseIterable, Sendable {
        /// Bound but not listening: every connection attempt is refused at once.
        case refusesConnections
        /// Listening but never accepting or answering: connections open, requests hang forever.
        case neverAnswers
    }

    /// The port on 127.0.0.1.
    public let port: Int
    private let socketFD: Int32

    /// Binds a free port that behaves as `behaviour` until this object is released.
    public init(_ behaviour: Behaviour) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        let named = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard bound == 0, named == 0, behaviour == .refusesConnections || listen(fd, 128) == 0 else {
            close(fd)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        socketFD = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(socketFD) }

    /// `http://127.0.0.1:<port>`.
    public var url: String { "http://127.0.0.1:\(port)" }
}
