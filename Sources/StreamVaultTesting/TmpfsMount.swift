public import Foundation

/// A small tmpfs mounted on a directory: a disk that really fills up (ENOSPC), for fault-injection tests.
/// Call ``unmount()`` before the directory is removed (a `defer` right after creating it).
public final class TmpfsMount {
    /// The mount point.
    public let path: String
    private var mounted = true

    /// Mounts a tmpfs of `size` (`mount`'s syntax: `512k`, `2m`) on `path`, creating the directory; throws if
    /// this machine does not allow mounts (not root, no CAP_SYS_ADMIN).
    public init(at path: String, size: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let result = try CommandRunner.run("mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path])
        guard result.status == 0 else { throw CommandRunnerError(message: "mount -t tmpfs -o size=\(size) failed: \(result.stderr)") }
        self.path = path
    }

    /// Grows (or shrinks) the file system in place, keeping its files: "the user freed space".
    public func resize(_ size: String) throws {
        let result = try CommandRunner.run("mount", ["-o", "remount,size=\(size)", path])
        guard result.status == 0 else { throw CommandRunnerError(message: "remount of \(path) with size=\(size) failed: \(result.stderr)") }
    }

    /// Unmounts (once); the files on it are gone.
    public func unmount() {
        guard mounted else { return }
        mounted = false
        _ = try? CommandRunner.run("umount", [path])
    }

    deinit { unmount() }

    /// Whether tmpfs mounts work here (root with CAP_SYS_ADMIN).
    public static var isSupported: Bool {
        guard getuid() == 0, let probe = try? TemporaryDirectory("tmpfs-probe"), let mount = try? TmpfsMount(at: probe.file("fs"), size: "64k")
        else { return false }
        mount.unmount()
        return true
    }
}
