public import Foundation

/// moto's AWS emulator (tools/moto_server.py, as the shell scripts in tools/ start it) on a free loopback port.
public enum MotoServer {
    /// Dummy credentials and region for anything talking to moto: never the developer's real account.
    public static let environment: [String: String] = [
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
        "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
    ]

    /// Starts moto; ``ServerProcess/url`` is its endpoint. Prefer ``with(_:)``, which also stops it.
    public static func start() async throws -> ServerProcess {
        let script = CommandRunner.packageRoot + "/tools/moto_server.py"
        do {
            return try await ServerProcess.start(["python3", script, "--exit-on-stdin-close"], environment: environment)
        } catch {
            throw CommandRunnerError(message: "Could not start moto (install it with: python3 -m pip install \"moto[server]\"): \(error)")
        }
    }

    /// Runs `body` with moto's endpoint URL, and stops moto after.
    public static func with<T>(_ body: (String) async throws -> T) async throws -> T {
        let server = try await start()
        return try await server.serving { try await body(server.url) }
    }

    /// Runs a boto3 helper script (`python3 -c script arguments`) with the dummy credentials; returns its stdout.
    public static func python(_ script: String, _ arguments: [String]) async throws -> Data {
        try await CommandRunner.python(script, arguments, environment: environment)
    }
}
