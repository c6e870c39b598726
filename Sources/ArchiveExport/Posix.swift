#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The POSIX calls whose names types here also use (`write`, `close`, `read`), reachable without a module prefix.
enum Posix {
    static func write(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { systemWrite(fd, bytes, count) }
    static func read(_ fd: Int32, _ bytes: UnsafeMutableRawPointer, _ count: Int) -> Int { systemRead(fd, bytes, count) }
    @discardableResult static func close(_ fd: Int32) -> Int32 { systemClose(fd) }
}

private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(fd, bytes, count) }
private func systemRead(_ fd: Int32, _ bytes: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, bytes, count) }
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }
