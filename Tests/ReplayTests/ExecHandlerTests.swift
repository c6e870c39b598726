import Foundation
import Replay
import StreamVaultTesting
import Testing

/// `--exec` handlers: a real child process speaking the NDJSON protocol.
struct ExecHandlerTests {
    /// A handler that answers by the first record's `mode` field of the event (`"Records":[{"mode":...}]`).
    static let script = """
        import json, os, sys, time
        print("started", file=sys.stderr, flush=True)
        for line in sys.stdin:
            event = json.loads(line)
            mode = event["Records"][0]["mode"]
            if mode == "crash":
                os._exit(3)
            if mode == "sleep":
                time.sleep(30)
            if mode == "error":
                print(json.dumps({"errorType": "ValueError", "errorMessage": "bad \\"record\\""}), flush=True)
                continue
            print(json.dumps({"batchItemFailures": [], "pid": os.getpid(), "count": len(event["Records"])}), flush=True)
        """

    static func event(_ mode: String) -> [UInt8] { Array(#"{"Records":[{"mode":"\#(mode)"}]}"#.utf8) }

    static func pid(_ outcome: HandlerOutcome) -> Int? {
        guard case .response(let body) = outcome else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])?["pid"] as? Int
    }

    @Test func oneLongLivedChildAnswersEachEventAndIsRestartedAfterACrashOrTimeout() async throws {
        let directory = try TemporaryDirectory("exec")
        try Self.script.write(toFile: directory.path + "/handler.py", atomically: true, encoding: .utf8)
        let handler = ExecHandler(command: "python3 \(directory.path)/handler.py", timeout: .seconds(4))
        let first = try await handler.invoke(Self.event("ok"))
        let second = try await handler.invoke(Self.event("ok"))
        #expect(Self.pid(first) != nil && Self.pid(first) == Self.pid(second), "one long-lived process")
        #expect(try await handler.invoke(Self.event("error")) == .functionError(type: "ValueError", message: #"bad "record""#))
        guard case .crashed = try await handler.invoke(Self.event("crash")) else {
            Issue.record("a child that exits is a crash")
            return
        }
        let afterCrash = try await handler.invoke(Self.event("ok"))
        #expect(Self.pid(afterCrash) != nil && Self.pid(afterCrash) != Self.pid(first), "restarted")
        let started = ContinuousClock.now
        #expect(try await handler.invoke(Self.event("sleep")) == .timedOut)
        #expect(ContinuousClock.now - started < .seconds(10))
        let afterTimeout = try await handler.invoke(Self.event("ok"))
        #expect(Self.pid(afterTimeout) != nil && Self.pid(afterTimeout) != Self.pid(afterCrash), "a new child after a timeout")
        await handler.shutdown()
    }

    @Test func aCommandThatCannotRunMakesTheHandlerUnusable() async throws {
        let handler = ExecHandler(command: "/nonexistent/streamvault-handler", timeout: .seconds(5))
        await #expect(throws: HandlerError.self) { _ = try await handler.invoke(Self.event("ok")) }
        await handler.shutdown()
    }
}
