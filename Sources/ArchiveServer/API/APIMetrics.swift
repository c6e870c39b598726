import Metrics
import Synchronization

/// The API's metrics, created once per label set and cached (dimensions are bounded: API, operation, code).
///
/// - `streamvault_api_requests_total{api,operation,code}`: calls by outcome (`ok` or the error code).
/// - `streamvault_api_request_duration_seconds{api,operation}`: latency histogram.
/// - `streamvault_api_records_served_total{api}`: records answered by GetRecords.
final class APIMetrics: Sendable {
    private struct Key: Hashable {
        var api: String
        var operation: String
        var code: String
    }
    private let counters = Mutex<[Key: Counter]>([:])
    private let timers = Mutex<[Key: Timer]>([:])
    private let records = Mutex<[String: Counter]>([:])

    func request(api: StreamAPI?, operation: String, code: String, nanos: UInt64) {
        let apiName = api?.rawValue ?? "unknown"
        let key = Key(api: apiName, operation: operation, code: code)
        let counter = counters.withLock { cache in
            if let found = cache[key] { return found }
            let made = Counter(label: "streamvault_api_requests_total", dimensions: [("api", apiName), ("operation", operation), ("code", code)])
            cache[key] = made
            return made
        }
        counter.increment()
        let timerKey = Key(api: apiName, operation: operation, code: "")
        let timer = timers.withLock { cache in
            if let found = cache[timerKey] { return found }
            let made = Timer(label: "streamvault_api_request_duration_seconds", dimensions: [("api", apiName), ("operation", operation)])
            cache[timerKey] = made
            return made
        }
        timer.recordNanoseconds(Int64(clamping: nanos))
    }

    func served(_ count: Int, api: StreamAPI) {
        guard count > 0 else { return }
        let counter = records.withLock { cache in
            if let found = cache[api.rawValue] { return found }
            let made = Counter(label: "streamvault_api_records_served_total", dimensions: [("api", api.rawValue)])
            cache[api.rawValue] = made
            return made
        }
        counter.increment(by: Int64(count))
    }
}
