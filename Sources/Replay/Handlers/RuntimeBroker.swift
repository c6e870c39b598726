/// The state behind a ``LambdaRuntimeHandler``'s Runtime API: invocations waiting for the runtime's
/// `next` request, runtime `next` requests waiting for an invocation, and invocations waiting for their answer.
actor RuntimeBroker {
    struct Invocation: Sendable {
        var id: String
        var event: [UInt8]
        var deadlineMillis: Int64
    }

    private var queued: [Invocation] = []
    private var waitingNext: [CheckedContinuation<Invocation?, Never>] = []
    private var active: [String: CheckedContinuation<HandlerOutcome, Never>] = [:]
    private var closed = false
    /// Set by `/runtime/init/error` until the runtime next asks for work.
    private(set) var initErrors = 0
    private var exitWaiters: [Int: [CheckedContinuation<Void, Never>]] = [:]
    private var exited: Set<Int> = []

    /// Hands `invocation` to the runtime and waits for its outcome (or ``expire(_:)``, or the runtime's end).
    func submit(_ invocation: Invocation) async -> HandlerOutcome {
        await withCheckedContinuation { continuation in
            active[invocation.id] = continuation
            if !waitingNext.isEmpty {
                waitingNext.removeFirst().resume(returning: invocation)
            } else {
                queued.append(invocation)
            }
        }
    }

    /// The runtime's `GET .../invocation/next`: the next invocation, waiting for one; `nil` when closing.
    func next() async -> Invocation? {
        if closed { return nil }
        initErrors = 0
        if !queued.isEmpty { return queued.removeFirst() }
        return await withCheckedContinuation { waitingNext.append($0) }
    }

    /// The runtime's answer for `id`; `false` when no invocation `id` is waiting.
    func finish(_ id: String, _ outcome: HandlerOutcome) -> Bool {
        guard let continuation = active.removeValue(forKey: id) else { return false }
        continuation.resume(returning: outcome)
        return true
    }

    /// Ends invocation `id` as timed out, if it is still waiting.
    func expire(_ id: String) {
        queued.removeAll { $0.id == id }
        _ = finish(id, .timedOut)
    }

    /// `/runtime/init/error`: the runtime could not start the function; its invocations fail with that error.
    func initFailed(type: String, message: String) {
        initErrors += 1
        for id in Array(active.keys) { _ = finish(id, .functionError(type: type, message: message)) }
        queued.removeAll()
    }

    /// The runtime process `generation` ended: what it held fails as a crash; its waiting `next`s end.
    func runtimeExited(_ generation: Int, status: Int32) {
        for continuation in waitingNext { continuation.resume(returning: nil) }
        waitingNext.removeAll()
        for id in Array(active.keys) { _ = finish(id, .crashed("the runtime process exited with status \(status)")) }
        queued.removeAll()
        exited.insert(generation)
        for waiter in exitWaiters.removeValue(forKey: generation) ?? [] { waiter.resume() }
    }

    /// Waits until runtime process `generation` has ended (after it was killed).
    func waitForExit(_ generation: Int) async {
        if exited.contains(generation) { return }
        await withCheckedContinuation { exitWaiters[generation, default: []].append($0) }
    }

    /// Stops handing out work.
    func close() {
        closed = true
        for continuation in waitingNext { continuation.resume(returning: nil) }
        waitingNext.removeAll()
    }
}
