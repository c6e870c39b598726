public import Foundation

/// A long-running helper process (moto, a scripted HTTP server) that prints its URL as the first line of stdout.
///
/// Its stdin stays open until ``stop()``, so helpers started with `--exit-on-stdin-close` die with the test run
/// even if the test is killed. Its stderr goes to a file, shown if it fails to start.
///
/// `@unchecked Sendable`: `Process` and `Pipe` are not marked `Sendable`; a server is stopped once, by the test
/// that started it, after its body finished.
public final class ServerProcess: @unchecked Sendable {
    /// The URL the helper printed, e.g. `http://127.0.0.1:41234`.
    public let url: String
    private let process: Process
    private let stdin: Pipe
    private let stderrFile: URL

    private init(url: String, process: Process, stdin: Pipe, stderrFile: URL) {
        self.url = url
        self.process = process
        self.stdin = stdin
        self.stderrFile = stderrFile
    }

    /// Starts `arguments` (looked up on PATH) and waits for the URL it prints; fails if it prints something else.
    public static func start(_ arguments: [String], environment: [String: String] = [:]) async throws -> ServerProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
        env["PYTHONUNBUFFERED"] = "1"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let stdout = Pipe()
        let stdin = Pipe()
        let stderrFile = FileManager.default.temporaryDirectory.appendingPathComponent("sv-server-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        process.standardInput = stdin
        try process.run()
        let reader = stdout.fileHandleForReading
        // Read on a thread of its own: a blocking read on a cooperative thread stalls the async tests beside it,
        // and one on Dispatch's global pool (as wide as the machine) starves the other children's bookkeeping.
        let line: String? = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var bytes: [UInt8] = []
                while let byte = reader.readData(ofLength: 1).first, byte != UInt8(ascii: "\n") {
                    bytes.append(byte)
                }
                continuation.resume(returning: bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self))
            }
        }
        guard let line, line.hasPrefix("http") else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            let log = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(at: stderrFile)
            throw CommandRunnerError(message: "\(arguments.joined(separator: " ")) did not print its URL. Its stderr:\n\(log.suffix(2000))")
        }
        return ServerProcess(url: line, process: process, stdin: stdin, stderrFile: stderrFile)
    }

    /// Closes the child's stdin (helpers exit on EOF), sends SIGTERM, and SIGKILL if it still runs after 5 s.
    public func stop() async {
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        for _ in 0..<50 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(100))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: stderrFile)
    }

    /// Runs `body` with this server and stops it after, whether `body` threw or not.
    public func serving<T>(_ body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            await stop()
            return result
        } catch {
            await stop()
            throw error
        }
    }
}
