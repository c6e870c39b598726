import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--lambda-runtime CMD`: serves the Lambda Runtime API on 127.0.0.1 to a child it starts, so a runtime interface
/// client (awslambdaric for Python, the Node, Java or Swift runtimes) runs the user's handler unchanged:
/// - `GET /2018-06-01/runtime/invocation/next` answers with the event and the `Lambda-Runtime-Aws-Request-Id`,
///   `-Deadline-Ms`, `-Invoked-Function-Arn` and `-Trace-Id` headers;
/// - `POST /2018-06-01/runtime/invocation/{id}/response` is the response, `.../{id}/error` a function error,
///   `/2018-06-01/runtime/init/error` an init failure (a function error; three in a row make the handler unusable);
/// - HTTP/1.1 with keep-alive; the child gets `AWS_LAMBDA_RUNTIME_API`, `_HANDLER`, `AWS_LAMBDA_FUNCTION_NAME` and
///   the other variables Lambda sets.
/// No answer within the timeout kills the child (a timeout); a child that exits mid-invocation is a crash. Either
/// way the next invocation starts a new child, as Lambda starts a new execution environment.
public final class LambdaRuntimeHandler: Handler {
    /// The child's shell command.
    public let command: String
    private let timeout: Duration
    private let functionName: String
    private let functionARN: String
    private let region: String
    private let environment: [String: String]
    private let broker = RuntimeBroker()
    private let state = Mutex<State>(State())
    private let server: Task<Void, any Error>
    private let port: Int

    private struct State {
        var process: ChildProcess?
        var running = false
        var generation = 0
    }

    /// Starts the Runtime API server (the child starts at the first invoke).
    /// - Parameters:
    ///   - command: run with `/bin/sh -c` (e.g. `python3 -m awslambdaric handler.handler`).
    ///   - timeout: the function timeout (`Lambda-Runtime-Deadline-Ms` is now plus this).
    ///   - functionName: `AWS_LAMBDA_FUNCTION_NAME`.
    ///   - functionARN: `Lambda-Runtime-Invoked-Function-Arn`.
    ///   - region: `AWS_REGION`.
    ///   - environment: more variables for the child (they win over Lambda's).
    /// - Throws: ``HandlerError`` when the server cannot listen.
    public init(
        command: String,
        timeout: Duration,
        functionName: String,
        functionARN: String,
        region: String,
        environment: [String: String] = [:]
    ) async throws(HandlerError) {
        self.command = command
        self.timeout = timeout
        self.functionName = functionName
        self.functionARN = functionARN
        self.region = region
        self.environment = environment
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let router = Router()
        Self.addRoutes(router, broker: broker, functionARN: functionARN)
        var logger = Logger(label: "streamvault.lambda-runtime-api")
        // The server is internal to the replay: its failures reach the user as handler errors, and stopping it
        // (cancellation at the end of a replay) must not print an error line.
        logger.logLevel = .critical
        let application = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger
        )
        server = Task {
            defer { portContinuation.finish() }
            try await application.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            server.cancel()
            throw HandlerError(code: .cannotStart, message: "The Lambda Runtime API server could not listen on 127.0.0.1.")
        }
        self.port = port
        signal(SIGPIPE, SIG_IGN)
    }

    /// `host:port` of the Runtime API (`AWS_LAMBDA_RUNTIME_API`).
    public var runtimeAPI: String { "127.0.0.1:\(port)" }

    public func invoke(_ event: [UInt8]) async throws(HandlerError) -> HandlerOutcome {
        if await broker.initErrors >= 3 {
            throw HandlerError(
                code: .cannotStart,
                message: "The --lambda-runtime command '\(command)' failed to initialize three times in a row: see its output above."
            )
        }
        try await startIfNeeded()
        let id = UUID().uuidString.lowercased()
        let deadline =
            EventSourceMapping.wallClockNow() + Int64(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let broker = self.broker
        let timeout = self.timeout
        let timer = Task {
            try await Task.sleep(for: timeout)
            await broker.expire(id)
        }
        let outcome = await broker.submit(RuntimeBroker.Invocation(id: id, event: event, deadlineMillis: deadline))
        timer.cancel()
        switch outcome {
        case .timedOut:
            await stopChild()
        case .functionError where await broker.initErrors > 0:
            await stopChild()
        default:
            break
        }
        return outcome
    }

    public func shutdown() async {
        await broker.close()
        await stopChild()
        server.cancel()
        _ = try? await server.value
    }

    private func startIfNeeded() async throws(HandlerError) {
        let stale: Int? = state.withLock { state in state.process != nil && !state.running ? state.generation : nil }
        if let stale {
            await broker.waitForExit(stale)
            state.withLock { $0.process = nil }
        }
        let error: HandlerError? = state.withLock { state -> HandlerError? in
            if state.process != nil { return nil }
            state.generation += 1
            let generation = state.generation
            let process: ChildProcess
            do {
                process = try ChildProcess(command: command, environment: childEnvironment(), pipes: false)
            } catch {
                return error as? HandlerError ?? HandlerError(code: .cannotStart, message: "Cannot start '\(command)': \(error).")
            }
            state.process = process
            state.running = true
            let broker = self.broker
            let thread = Thread { [self] in
                let status = process.wait()
                self.state.withLock { state in
                    if state.generation == generation { state.running = false }
                }
                Task { await broker.runtimeExited(generation, status: status) }
            }
            thread.name = "streamvault.lambda-runtime-child"
            thread.start()
            return nil
        }
        if let error { throw error }
    }

    /// Kills the child and waits until it has ended (so its requests cannot take the next child's invocations).
    private func stopChild() async {
        let (process, generation) = state.withLock { state in
            let current = (state.process, state.generation)
            state.process = nil
            return current
        }
        guard let process else { return }
        process.killGroup()
        await broker.waitForExit(generation)
    }

    private func childEnvironment() -> [String: String] {
        var variables = ProcessInfo.processInfo.environment
        let words = command.split(separator: " ")
        let lambda: [String: String] = [
            "AWS_LAMBDA_RUNTIME_API": runtimeAPI,
            "_HANDLER": words.last.map(String.init) ?? "handler",
            "AWS_LAMBDA_FUNCTION_NAME": functionName,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/\(functionName)",
            "AWS_LAMBDA_LOG_STREAM_NAME": "streamvault/replay",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_EXECUTION_ENV": "AWS_Lambda_streamvault",
            "LAMBDA_TASK_ROOT": FileManager.default.currentDirectoryPath,
            "TZ": ":UTC",
        ]
        variables.merge(lambda) { $1 }
        variables.merge(environment) { $1 }
        return variables
    }

    private static func addRoutes(_ router: Router<BasicRequestContext>, broker: RuntimeBroker, functionARN: String) {
        router.get("/2018-06-01/runtime/invocation/next") { _, _ -> Response in
            guard let invocation = await broker.next() else {
                return Response(status: .serviceUnavailable)
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            headers[HTTPField.Name("Lambda-Runtime-Aws-Request-Id")!] = invocation.id
            headers[HTTPField.Name("Lambda-Runtime-Deadline-Ms")!] = String(invocation.deadlineMillis)
            headers[HTTPField.Name("Lambda-Runtime-Invoked-Function-Arn")!] = functionARN
            headers[HTTPField.Name("Lambda-Runtime-Trace-Id")!] = traceID(invocation.id)
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: invocation.event)))
        }
        router.post("/2018-06-01/runtime/invocation/:id/response") { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            var request = request
            let body = try await request.collectBody(upTo: 6 << 20)
            let outcome = HandlerOutcome.response(Array(body.readableBytesView))
            return await broker.finish(id, outcome) ? accepted() : unknownRequest(id)
        }
        router.post("/2018-06-01/runtime/invocation/:id/error") { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            let type = request.headers[HTTPField.Name("Lambda-Runtime-Function-Error-Type")!] ?? "Unhandled"
            var request = request
            let body = Array(try await request.collectBody(upTo: 6 << 20).readableBytesView)
            let outcome: HandlerOutcome
            if case .functionError(let shapeType, let message) = ResponseShape.outcome(of: body) {
                outcome = .functionError(type: shapeType, message: message)
            } else {
                outcome = .functionError(type: type, message: String(decoding: body.prefix(500), as: UTF8.self))
            }
            return await broker.finish(id, outcome) ? accepted() : unknownRequest(id)
        }
        router.post("/2018-06-01/runtime/init/error") { request, _ -> Response in
            let type = request.headers[HTTPField.Name("Lambda-Runtime-Function-Error-Type")!] ?? "Runtime.InitError"
            var request = request
            let body = Array(try await request.collectBody(upTo: 6 << 20).readableBytesView)
            if case .functionError(let shapeType, let message) = ResponseShape.outcome(of: body) {
                await broker.initFailed(type: shapeType, message: message)
            } else {
                await broker.initFailed(type: type, message: String(decoding: body.prefix(500), as: UTF8.self))
            }
            return accepted()
        }
    }

    private static func accepted() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .accepted, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"status":"OK"}"#)))
    }

    private static func unknownRequest(_ id: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let body = #"{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}"#
        return Response(status: .badRequest, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    /// An X-Ray trace header like Lambda's (`Root=1-<8 hex time>-<24 hex>;Parent=<16 hex>;Sampled=0`).
    private static func traceID(_ requestID: String) -> String {
        let hex = requestID.replacingOccurrences(of: "-", with: "")
        let time = String(UInt32(truncatingIfNeeded: EventSourceMapping.wallClockNow() / 1000), radix: 16)
        return "Root=1-\(time)-\(hex.prefix(24));Parent=\(hex.suffix(16));Sampled=0"
    }
}
