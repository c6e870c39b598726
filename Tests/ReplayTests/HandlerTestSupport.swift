import ArchiveStore
import Foundation
import Replay
import StreamModel
import Synchronization

/// One invocation as a test handler saw it.
struct Invocation: Sendable {
    var sequences: [String]
    var keys: [String]
    var shard: String
}

/// An in-process handler: real code that reads each event as a Lambda function would (the Records array),
/// remembers it, and answers what `answer` says for it.
final class ScriptedHandler: Handler {
    let seen = Mutex<[Invocation]>([])
    private let answer: @Sendable (Invocation, Int) -> HandlerOutcome
    private let delay: Duration

    /// `answer` gets the invocation and how many invocations came before it.
    init(delay: Duration = .zero, answer: @escaping @Sendable (Invocation, Int) -> HandlerOutcome = { _, _ in .response(Array("null".utf8)) }) {
        self.answer = answer
        self.delay = delay
    }

    func invoke(_ event: [UInt8]) async throws(HandlerError) -> HandlerOutcome {
        let invocation = Self.read(event)
        let index = seen.withLock { seen in
            seen.append(invocation)
            return seen.count - 1
        }
        if delay > .zero { try? await Task.sleep(for: delay) }
        return answer(invocation, index)
    }

    func shutdown() async {}

    var invocations: [Invocation] { seen.withLock { $0 } }

    static func read(_ event: [UInt8]) -> Invocation {
        let object = try! JSONSerialization.jsonObject(with: Data(event)) as! [String: Any]
        let records = object["Records"] as! [[String: Any]]
        var invocation = Invocation(sequences: [], keys: [], shard: "")
        for record in records {
            let dynamodb = record["dynamodb"] as! [String: Any]
            invocation.sequences.append(dynamodb["SequenceNumber"] as! String)
            let keys = try! JSONSerialization.data(withJSONObject: dynamodb["Keys"]!, options: [.sortedKeys])
            invocation.keys.append(String(decoding: keys, as: UTF8.self))
            let arn = record["eventSourceARN"] as? String ?? ""
            precondition(arn.hasPrefix("arn:aws:dynamodb:"), "every record carries eventSourceARN")
        }
        return invocation
    }
}

extension ReplayFixture {
    /// Replays the whole archive through a mapping with `settings`, one handler per lane.
    func deliver(
        _ settings: MappingSettings,
        handlers: [any Handler],
        failures: FailureDestination? = nil,
        pacing: (any Pacing)? = nil,
        wallClockMillis: (@Sendable () -> Int64)? = nil,
        selection: ReplaySelection? = nil,
        onCheckpoint: (@Sendable (ReplayPosition, DeliveryStatistics) async throws -> Void)? = nil
    ) async throws -> DeliveryStatistics {
        let catalogPath = layout.catalogPath
        let layout = self.layout
        let format = settings.eventFormat.recordFormat
        let selection = selection ?? ReplaySelection(stream: "orders")
        let streamARN = "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000"
        var conversion = ConversionOptions()
        conversion.tableName = "orders"
        conversion.region = "us-east-1"
        conversion.streamARN = streamARN
        let options = conversion
        let feed = RecordFeed(pageRecords: 97) {
            try ReplayPipeline(
                catalog: Catalog(path: catalogPath, access: .readOnly),
                layout: layout,
                selection: selection,
                format: format,
                conversion: options
            )
        }
        let mapping = EventSourceMapping(
            settings: settings,
            handlers: handlers,
            streamARN: streamARN,
            failures: failures,
            pacing: pacing,
            wallClockMillis: wallClockMillis ?? { EventSourceMapping.wallClockNow() },
            onCheckpoint: onCheckpoint
        )
        return try await mapping.run(feed)
    }

    /// Sequence numbers of the archive per shard, in order.
    var sequencesByShard: [String: [String]] {
        var out: [String: [String]] = [:]
        for (index, line) in lines.enumerated() {
            out[shardIDs[index % shardIDs.count], default: []].append(line.sequenceNumber)
        }
        return out
    }
}

/// Reads the lines of an NDJSON file as objects.
func jsonLines(_ path: String) throws -> [[String: Any]] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
}
