import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--exec CMD`: one long-lived child process (`/bin/sh -c CMD`) that takes one event per line on stdin and
/// answers one line on stdout (docs/HANDLERS.md, "The exec protocol"):
/// - the line is the function's response (what a Lambda handler returns, e.g. `{"batchItemFailures":[]}`, or `null`);
/// - an object with both `errorType` and `errorMessage` at its top is a function error (Lambda's error shape);
/// - no line within the timeout: the child is killed, the invocation timed out, the next one starts a new child;
/// - the child exits (or closes stdout) instead of answering: a crash (a function error), restarted next time.
/// A command that cannot be run (exit status 126 or 127 before any answer) makes the handler unusable.
///
/// The child's stderr is the replay's stderr. The blocking pipe I/O runs on a thread of the handler's own.
public final class ExecHandler: Handler {
    /// The shell command.
    public let command: String
    private let timeout: Duration
    private let environment: [String: String]
    private let worker: Worker

    /// - Parameters:
    ///   - command: run with `/bin/sh -c`.
    ///   - timeout: longest wait for an answer (Lambda's function timeout).
    ///   - environment: added to the replay's environment.
    public init(command: String, timeout: Duration, environment: [String: String] = [:]) {
        self.command = command
        self.timeout = timeout
        self.environment = environment
        worker = Worker(command: command, environment: environment)
        signal(SIGPIPE, SIG_IGN)
    }

    public func invoke(_ event: [UInt8]) async throws(HandlerError) -> HandlerOutcome {
        let result = await withCheckedContinuation { continuation in
            worker.submit(Job(event: event, timeout: timeout, continuation: continuation))
        }
        return try result.get()
    }

    public func shutdown() async {
        await withCheckedContinuation { continuation in worker.stop(continuation) }
    }

    fileprivate struct Job: @unchecked Sendable {
        var event: [UInt8]
        var timeout: Duration
        var continuation: CheckedContinuation<Result<HandlerOutcome, HandlerError>, Never>
    }

    /// The thread that owns the child and its pipes.
    private final class Worker: @unchecked Sendable {
        private let condition = NSCondition()
        private var jobs: [Job] = []
        private var stopping: CheckedContinuation<Void, Never>?
        private let command: String
        private let environment: [String: String]
        // Touched only on the worker's thread.
        private var child: ChildProcess?
        private var input: Int32 = -1
        private var output: Int32 = -1
        private var pending: [UInt8] = []

        init(command: String, environment: [String: String]) {
            self.command = command
            self.environment = environment
            let thread = Thread { [self] in self.loop() }
            thread.name = "streamvault.exec-handler"
            thread.start()
        }

        func submit(_ job: Job) {
            condition.lock()
            jobs.append(job)
            condition.signal()
            condition.unlock()
        }

        func stop(_ continuation: CheckedContinuation<Void, Never>) {
            condition.lock()
            stopping = continuation
            condition.signal()
            condition.unlock()
        }

        private func loop() {
            while true {
                condition.lock()
                while jobs.isEmpty && stopping == nil { condition.wait() }
                if jobs.isEmpty, let stopping {
                    condition.unlock()
                    endChild(kill: false)
                    stopping.resume()
                    return
                }
                let job = jobs.removeFirst()
                condition.unlock()
                job.continuation.resume(returning: run(job))
            }
        }

        private func run(_ job: Job) -> Result<HandlerOutcome, HandlerError> {
            if child == nil {
                if let error = start() { return .failure(error) }
            }
            let deadline = ContinuousClock.now + job.timeout
            var message = job.event
            message.append(0x0A)
            var written = 0
            while true {
                if let newline = pending.firstIndex(of: 0x0A) {
                    let line = Array(pending[..<newline])
                    pending.removeSubrange(...newline)
                    return .success(ResponseShape.outcome(of: line))
                }
                let remaining = ContinuousClock.now.duration(to: deadline)
                if remaining <= .zero {
                    endChild(kill: true)
                    return .success(.timedOut)
                }
                var fds = [pollfd(fd: output, events: Int16(POLLIN), revents: 0)]
                if written < message.count { fds.append(pollfd(fd: input, events: Int16(POLLOUT), revents: 0)) }
                let millis = Int32(clamping: remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1)
                let ready = poll(&fds, nfds_t(fds.count), millis)
                if ready < 0 && errno != EINTR { return .success(crash("poll failed: \(String(cString: strerror(errno)))")) }
                if ready <= 0 { continue }
                if fds.count > 1 && fds[1].revents != 0 {
                    let n = message.withUnsafeBytes { write(input, $0.baseAddress! + written, $0.count - written) }
                    if n > 0 {
                        written += n
                    } else if n < 0 && errno != EAGAIN && errno != EINTR {
                        written = message.count  // the child closed stdin: its exit (or answer) comes on stdout
                    }
                }
                if fds[0].revents != 0 {
                    var chunk = [UInt8](repeating: 0, count: 65_536)
                    let n = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress!, $0.count) }
                    if n > 0 {
                        pending.append(contentsOf: chunk[0..<n])
                    } else if n == 0 || (errno != EAGAIN && errno != EINTR) {
                        // Its stdout closed: it is exiting. Wait for its status (longer on a busy machine) to tell a
                        // command that cannot run (126/127) from a crash.
                        let status = endChild(kill: false, grace: 1000)
                        if status == 126 || status == 127 {
                            return .failure(
                                HandlerError(
                                    code: .cannotStart,
                                    message: "The --exec command '\(command)' cannot be run (exit status \(status)): check the command and its path."
                                )
                            )
                        }
                        return .success(.crashed("the handler process exited with status \(status) instead of answering"))
                    }
                }
            }
        }

        private func crash(_ text: String) -> HandlerOutcome {
            endChild(kill: true)
            return .crashed(text)
        }

        private func start() -> HandlerError? {
            do {
                let process = try ChildProcess(
                    command: command,
                    environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
                    pipes: true
                )
                input = process.input
                output = process.output
                pending.removeAll()
                child = process
                return nil
            } catch {
                return error
            }
        }

        /// Ends the child (closing its stdin lets a well-behaved one exit; `kill` does not wait for that).
        /// - Parameter grace: Polls of 10 ms to wait for the child to exit before it is killed.
        @discardableResult
        private func endChild(kill killIt: Bool, grace: Int = 200) -> Int32 {
            guard let process = child else { return 0 }
            if input >= 0 { close(input) }
            var status: Int32 = 0
            var ended = false
            if !killIt {
                // A child that ignores the end of its stdin gets two seconds before it is killed.
                for _ in 0..<grace {
                    if process.hasEnded(status: &status) {
                        ended = true
                        break
                    }
                    usleep(10_000)
                }
            }
            if !ended {
                process.killGroup()
                status = process.wait()
            } else {
                process.killGroup()  // what it left behind
            }
            if output >= 0 { close(output) }
            input = -1
            output = -1
            child = nil
            return status
        }
    }
}
