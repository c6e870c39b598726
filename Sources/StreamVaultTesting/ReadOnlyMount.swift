import Foundation

/// A read-only view of a directory through a read-only bind mount (`mount --bind -o ro`), unmounted when
/// released. Unlike `chmod -R a-w`, it also stops root, so it shows what a reader does on a snapshot or backup.
public final class ReadOnlyMount {
    /// The read-only path.
    public let path: String
    private let parent: TemporaryDirectory

    /// Mounts `source` read-only; throws if this machine does not allow mounts (not root, no CAP_SYS_ADMIN).
    public init(_ source: String) throws {
        parent = try TemporaryDirectory("ro-mount")
        path = parent.file("view")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let result = try CommandRunner.run("mount", ["--bind", "-o", "ro", source, path])
        guard result.status == 0 else { throw MountError(message: "mount --bind -o ro failed: \(result.stderr)") }
    }

    deinit {
        _ = try? CommandRunner.run("umount", [path])
    }

    /// Whether read-only bind mounts work here (root with CAP_SYS_ADMIN).
    public static var isSupported: Bool {
        guard getuid() == 0, let probe = try? TemporaryDirectory("ro-probe") else { return false }
        return (try? ReadOnlyMount(probe.path)) != nil
    }

    struct MountError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
