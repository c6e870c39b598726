public import Foundation

/// Runs the built `streamvault` binary (or any program) the way a user would, capturing its output.
public enum CommandRunner {
    /// The result of a finished process.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: Data
        public var stderr: String
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        /// stdout split into non-empty lines.
        public var lines: [String] { stdoutText.split(separator: "\n").map(String.init) }
    }

    /// Path of the `streamvault` executable the CLI tests run.
    ///
    /// The one built beside the test bundle (debug, as `swift test` builds it), unless `STREAMVAULT_BINARY`
    /// names another: `tools/test` builds a release binary right after the tests and points there, so the
    /// crash and end-to-end suites run at the speed users see. A `STREAMVAULT_BINARY` older than the
    /// test bundle was built from older sources and is refused, so a filtered run never tests a stale binary.
    public static var streamvaultPath: String {
        get throws {
            let testBundle = URL(fileURLWithPath: CommandLine.arguments[0])
            let candidates = [
                testBundle.deletingLastPathComponent().appendingPathComponent("streamvault").path,
                testBundle.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("streamvault").path,
                packageRoot + "/.build/debug/streamvault",
            ]
            let beside = candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[2]
            guard let override = ProcessInfo.processInfo.environment["STREAMVAULT_BINARY"], !override.isEmpty else { return beside }
            guard FileManager.default.isExecutableFile(atPath: override) else {
                throw CommandRunnerError(message: "STREAMVAULT_BINARY='\(override)' is not an executable file.")
            }
            if let built = modificationDate(beside), let overrideDate = modificationDate(override), overrideDate < built {
                throw CommandRunnerError(
                    message:
                        "STREAMVAULT_BINARY='\(override)' is older than '\(beside)': rebuild it (`swift build -c release --product streamvault`) or unset it."
                )
            }
            return override
        }
    }

    private static func modificationDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    /// The package's root directory (from this file's location).
    public static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// Runs `streamvault` with `arguments`, optional stdin bytes and extra environment, and waits.
    public static func streamvault(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) throws -> Result {
        try run(try streamvaultPath, arguments, stdin: stdin, environment: environment)
    }

    /// Runs `executable` and waits for it.
    ///
    /// Blocks the calling thread: from an `async` test use ``runAsync(_:_:stdin:environment:)``, which does not.
    public static func run(_ executable: String, _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) throws -> Result {
        let process = try start(executable, arguments, environment: environment, stdin: stdin)
        return try process.wait()
    }

    /// Runs `streamvault` like ``streamvault(_:stdin:environment:)``, waiting without blocking a cooperative thread.
    public static func streamvaultAsync(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) async throws -> Result {
        try await runAsync(try streamvaultPath, arguments, stdin: stdin, environment: environment)
    }

    /// Runs `executable` like ``run(_:_:stdin:environment:)``, waiting without blocking a cooperative thread.
    ///
    /// Swift's cooperative pool has as many threads as cores (2 on the CI machines): a test that blocks one while
    /// a child runs stalls every async test beside it.
    public static func runAsync(
        _ executable: String,
        _ arguments: [String],
        stdin: Data? = nil,
        environment: [String: String] = [:]
    )
        async throws -> Result
    {
        try await start(executable, arguments, environment: environment, stdin: stdin).finished()
    }

    /// Runs `python3 -c script arguments` and returns its stdout; throws with its stderr if it exits non-zero.
    public static func python(_ script: String, _ arguments: [String] = [], environment: [String: String] = [:]) async throws -> Data {
        let result = try await runAsync("python3", ["-c", script] + arguments, environment: environment)
        guard result.status == 0 else {
            throw CommandRunnerError(message: "python3 helper exited with \(result.status): \(result.stderr.suffix(2000))")
        }
        return result.stdout
    }

    /// Starts a process; call ``Running/wait()`` or ``Running/kill(_:)``.
    public static func start(_ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: Data? = nil) throws -> Running {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
        process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
        // Children never see the developer's AWS account or archive: tests pass what they need (MotoServer.environment).
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
        env.removeValue(forKey: "STREAMVAULT_STORAGE")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        let running = Running(process: process, out: out, err: err)
        process.terminationHandler = { [weak running] _ in running?.exited() }
        try process.run()
        running.startDraining()
        if let stdin {
            // A child that exits before reading all of stdin (a usage error) must not kill the test run with SIGPIPE.
            signal(SIGPIPE, SIG_IGN)
            try? input.fileHandleForWriting.write(contentsOf: stdin)
            try? input.fileHandleForWriting.close()
        }
        return running
    }

    /// A started process whose output is drained in the background (so pipes never fill up).
    public final class Running: @unchecked Sendable {
        // @unchecked: the buffers are only touched by the drain threads until `done` says they finished.
        public let process: Process
        private let out: Pipe
        private let err: Pipe
        private var outData = Data()
        private var errData = Data()
        /// Left three times: by each drain thread at end of output, and by the termination handler.
        private let done = DispatchGroup()

        init(process: Process, out: Pipe, err: Pipe) {
            self.process = process
            self.out = out
            self.err = err
            done.enter()
        }

        /// Reads stdout and stderr to their end on two threads of their own. Not on Dispatch's global queue: its
        /// pool is as wide as the machine (2 threads here), and reads blocked there starve Foundation's own
        /// process bookkeeping, so a third child would not even start until the first two exit.
        func startDraining() {
            done.enter()
            done.enter()
            Thread.detachNewThread {
                self.outData = self.out.fileHandleForReading.readDataToEndOfFile()
                self.done.leave()
            }
            Thread.detachNewThread {
                self.errData = self.err.fileHandleForReading.readDataToEndOfFile()
                self.done.leave()
            }
        }

        func exited() { done.leave() }

        public var pid: Int32 { process.processIdentifier }

        /// Sends `signal` (SIGKILL by default).
        public func kill(_ signal: Int32 = SIGKILL) {
            _ = Foundation.kill(process.processIdentifier, signal)
        }

        /// Waits for the process to exit and its output to end, blocking the calling thread.
        public func wait() throws -> Result {
            done.wait()
            return result
        }

        /// Waits for the process to exit and its output to end without blocking a cooperative thread: the wait is a
        /// continuation resumed from a Dispatch notification, and the output is read on Dispatch threads.
        public func finished() async -> Result {
            await withCheckedContinuation { continuation in
                done.notify(queue: .global()) { continuation.resume(returning: self.result) }
            }
        }

        private var result: Result {
            Result(status: process.terminationStatus, stdout: outData, stderr: String(decoding: errData, as: UTF8.self))
        }
    }
}

/// A test could not run the program it wanted (a setup problem, not a product failure).
public struct CommandRunnerError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
