import Foundation
import Synchronization

/// A dedicated thread that runs an actor's jobs one at a time: the serial executor of ``AsyncStreamWriter``.
///
/// fsync, SQLite transactions and zstd compression block their thread. Swift's cooperative pool has one
/// thread per core (two on a small host), so running them there stalls every other task of the process;
/// on a thread of its own a writer blocks only itself.
///
/// The thread ends once the executor is released and its queue is empty.
final class StoreThread: SerialExecutor, Sendable {
    private let queue: JobQueue

    /// Starts the thread; `name` shows in debuggers and `top -H`.
    init(name: String) {
        let queue = JobQueue()
        self.queue = queue
        let thread = Thread { [queue] in queue.runUntilClosed() }
        thread.name = name
        thread.start()
    }

    deinit {
        queue.close()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        queue.push(UnownedJob(job), executor: asUnownedSerialExecutor())
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Jobs waiting for the thread, guarded by a condition the thread sleeps on.
    private final class JobQueue: Sendable {
        private struct State {
            var jobs: [(job: UnownedJob, executor: UnownedSerialExecutor)] = []
            var closed = false
        }
        // NSCondition guards `state`; `Mutex` cannot wait, so the state lives beside the condition.
        private let condition = NSCondition()
        private nonisolated(unsafe) var state = State()

        func push(_ job: UnownedJob, executor: UnownedSerialExecutor) {
            condition.lock()
            state.jobs.append((job, executor))
            condition.signal()
            condition.unlock()
        }

        func close() {
            condition.lock()
            state.closed = true
            condition.signal()
            condition.unlock()
        }

        func runUntilClosed() {
            while true {
                condition.lock()
                while state.jobs.isEmpty && !state.closed { condition.wait() }
                if state.jobs.isEmpty {
                    condition.unlock()
                    return
                }
                let batch = state.jobs
                state.jobs.removeAll(keepingCapacity: true)
                condition.unlock()
                for (job, executor) in batch { job.runSynchronously(on: executor) }
            }
        }
    }
}
