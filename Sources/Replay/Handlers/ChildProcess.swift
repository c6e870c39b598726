import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A handler's child: `/bin/sh -c CMD` in a process group of its own, so a timeout kills the command and
/// everything it started (a shell that does not `exec` its last command leaves the real handler as a grandchild).
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    /// The write end of the child's stdin, when it has a pipe (else -1).
    let input: Int32
    /// The read end of the child's stdout, when it has a pipe (else -1).
    let output: Int32

    private static let spawning = NSLock()

    /// Starts `command`. With `pipes`, stdin and stdout are pipes to the caller; else they are inherited.
    init(command: String, environment: [String: String], pipes: Bool) throws(HandlerError) {
        // One spawn at a time, from making the pipes to marking our ends close-on-exec: a child another handler
        // spawns meanwhile would otherwise inherit these pipes, and an inherited stdout write end keeps this
        // child's pipe open after it exits, so its end is never seen (pipe2 with O_CLOEXEC is not in Swift's Glibc).
        Self.spawning.lock()
        defer { Self.spawning.unlock() }
        var stdinPipe: [Int32] = [-1, -1]
        var stdoutPipe: [Int32] = [-1, -1]
        if pipes {
            guard pipe(&stdinPipe) == 0, pipe(&stdoutPipe) == 0 else {
                throw HandlerError(code: .cannotStart, message: "Cannot create pipes for '\(command)': \(String(cString: strerror(errno))).")
            }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if pipes {
            posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
            posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
            for fd in stdinPipe + stdoutPipe { posix_spawn_file_actions_addclose(&actions, fd) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        var flags = Int16(POSIX_SPAWN_SETPGROUP) | Int16(POSIX_SPAWN_SETSIGDEF) | Int16(POSIX_SPAWN_SETSIGMASK)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var noMask = sigset_t()
        sigemptyset(&noMask)
        posix_spawnattr_setsigmask(&attributes, &noMask)
        posix_spawnattr_setflags(&attributes, flags)
        flags = 0
        let arguments = ["/bin/sh", "-c", command]
        let variables = environment.map { "\($0.key)=\($0.value)" }
        var cArguments = arguments.map { strdup($0) } + [nil]
        var cVariables = variables.map { strdup($0) } + [nil]
        defer {
            for p in cArguments { free(p) }
            for p in cVariables { free(p) }
        }
        var child: pid_t = 0
        let status = posix_spawn(&child, "/bin/sh", &actions, &attributes, &cArguments, &cVariables)
        if pipes {
            close(stdinPipe[0])
            close(stdoutPipe[1])
        }
        guard status == 0 else {
            if pipes {
                close(stdinPipe[1])
                close(stdoutPipe[0])
            }
            throw HandlerError(code: .cannotStart, message: "Cannot start '\(command)': \(String(cString: strerror(status))).")
        }
        pid = child
        input = stdinPipe[1]
        output = stdoutPipe[0]
        if pipes {
            for fd in [input, output] {
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            }
        }
    }

    /// Kills the child's whole process group.
    func killGroup() {
        kill(-pid, SIGKILL)
    }

    /// Waits for the child to end; returns its exit status (128 + signal when killed).
    func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }

    /// Whether the child has ended (reaps it then); `status` is set when it has.
    func hasEnded(status: inout Int32) -> Bool {
        var raw: Int32 = 0
        let result = waitpid(pid, &raw, WNOHANG)
        guard result == pid else { return result < 0 }
        status = raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
        return true
    }
}
