import Dispatch
import Foundation
import Testing

/// Runs helper processes (python3 scripts, moto) for the integration tests.
enum ChildProcess {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The repository root, found from this file's path.
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The environment for children: dummy AWS credentials, never the developer's real ones.
    static var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
        env["AWS_ACCESS_KEY_ID"] = "testing"
        env["AWS_SECRET_ACCESS_KEY"] = "testing"
        env["AWS_SESSION_TOKEN"] = "testing"
        env["AWS_DEFAULT_REGION"] = "us-east-1"
        env["AWS_REGION"] = "us-east-1"
        env["PYTHONUNBUFFERED"] = "1"
        return env
    }

    /// Runs `python3 -c <script> <arguments>` to completion and returns its stdout.
    static func runPython(_ script: String, arguments: [String] = []) async throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let (out, err) = await withCheckedContinuation { (continuation: CheckedContinuation<(Data, Data), Never>) in
            DispatchQueue.global().async {
                let group = DispatchGroup()
                nonisolated(unsafe) var errData = Data()
                group.enter()
                DispatchQueue.global().async {
                    errData = stderr.fileHandleForReading.readDataToEndOfFile()
                    group.leave()
                }
                let outData = stdout.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                process.waitUntilExit()
                continuation.resume(returning: (outData, errData))
            }
        }
        guard process.terminationStatus == 0 else {
            throw Failure(
                description: "python3 helper exited with \(process.terminationStatus): \(String(decoding: err.suffix(2000), as: UTF8.self))"
            )
        }
        return out
    }

    /// Starts a long-running process, returns it with the first line it prints on stdout.
    ///
    /// Its stdin stays open until it is terminated, so helpers started with `--exit-on-stdin-close` die with the test run.
    static func startServer(_ arguments: [String], timeout: Duration = .seconds(30)) async throws -> RunningServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = environment
        let stdout = Pipe()
        let stdin = Pipe()
        let stderrFile = FileManager.default.temporaryDirectory.appendingPathComponent("sv-child-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        let stderr = try FileHandle(forWritingTo: stderrFile)
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        try process.run()
        let reader = stdout.fileHandleForReading
        let line: String? = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var bytes: [UInt8] = []
                while true {
                    let chunk = reader.readData(ofLength: 1)
                    guard let byte = chunk.first else { break }
                    if byte == UInt8(ascii: "\n") { break }
                    bytes.append(byte)
                }
                continuation.resume(returning: bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self))
            }
        }
        guard let line, line.hasPrefix("http") else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            let log = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(at: stderrFile)
            throw Failure(description: "\(arguments.joined(separator: " ")) did not print its URL. Its stderr:\n\(log.suffix(2000))")
        }
        return RunningServer(url: line, process: process, stdin: stdin, stderrFile: stderrFile)
    }
}

/// A started helper server; ``stop()`` ends it.
///
/// `@unchecked Sendable`: `Process` and `Pipe` are not marked `Sendable`, but a `RunningServer` is only
/// stopped once, by the test that started it, after its body finished.
struct RunningServer: @unchecked Sendable {
    let url: String
    let process: Process
    let stdin: Pipe
    let stderrFile: URL

    /// Closes the child's stdin (helpers exit on EOF), sends SIGTERM, and SIGKILL if it is still running after 5 s.
    func stop() async {
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        for _ in 0..<50 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(100))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: stderrFile)
    }
}

/// Runs `body` with moto's server (tools/moto_server.py) on a free loopback port, and stops it after.
func withMoto<T>(_ body: (String) async throws -> T) async throws -> T {
    let script = ChildProcess.repositoryRoot.appendingPathComponent("tools/moto_server.py").path
    let server: RunningServer
    do {
        server = try await ChildProcess.startServer(["python3", script, "--exit-on-stdin-close"])
    } catch {
        throw ChildProcess.Failure(description: "Could not start moto (install it with: python3 -m pip install \"moto[server]\"): \(error)")
    }
    do {
        let result = try await body(server.url)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}
