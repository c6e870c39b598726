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
    public static func run(_ executable: String, _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) throws -> Result {
        let process = try start(executable, arguments, environment: environment, stdin: stdin)
        return try process.wait()
    }

    /// Starts a process; call ``Running/wait()`` or ``Running/kill(_:)``.
    public static func start(_ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: Data? = nil) throws -> Running {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
        process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
        var env = ProcessInfo.processInfo.environment
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
        // @unchecked: the buffers are only touched by the drain threads until `wait()` joins them.
        public let process: Process
        private let out: Pipe
        private let err: Pipe
        private var outData = Data()
        private var errData = Data()
        private let group = DispatchGroup()

        init(process: Process, out: Pipe, err: Pipe) {
            self.process = process
            self.out = out
            self.err = err
        }

        func startDraining() {
            group.enter()
            group.enter()
            DispatchQueue.global().async {
                self.outData = self.out.fileHandleForReading.readDataToEndOfFile()
                self.group.leave()
            }
            DispatchQueue.global().async {
                self.errData = self.err.fileHandleForReading.readDataToEndOfFile()
                self.group.leave()
            }
        }

        public var pid: Int32 { process.processIdentifier }

        /// Sends `signal` (SIGKILL by default).
        public func kill(_ signal: Int32 = SIGKILL) {
            _ = Foundation.kill(process.processIdentifier, signal)
        }

        public func wait() throws -> Result {
            process.waitUntilExit()
            group.wait()
            return Result(status: process.terminationStatus, stdout: outData, stderr: String(decoding: errData, as: UTF8.self))
        }
    }
}

/// A test could not run the program it wanted (a setup problem, not a product failure).
public struct CommandRunnerError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
