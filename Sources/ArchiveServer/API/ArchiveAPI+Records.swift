import ArchiveStore
import Foundation
import StreamModel

/// GetShardIterator and GetRecords, shared by both APIs.
extension ArchiveAPI {
    /// The iterator types and what they need.
    enum IteratorType: String {
        case trimHorizon = "TRIM_HORIZON"
        case latest = "LATEST"
        case atSequenceNumber = "AT_SEQUENCE_NUMBER"
        case afterSequenceNumber = "AFTER_SEQUENCE_NUMBER"
        case atTimestamp = "AT_TIMESTAMP"
    }

    /// Issues an iterator for `shard` of `view`.
    func issueIterator(
        api: StreamAPI,
        view: StreamView,
        shard: ShardInfo,
        type typeName: String,
        sequence: String?,
        timestamp: Int64?,
        operation: String
    ) async throws -> String {
        let allowed: [IteratorType] =
            api == .kinesis
            ? [.atSequenceNumber, .afterSequenceNumber, .trimHorizon, .latest, .atTimestamp]
            : [
                .trimHorizon, .latest, .atSequenceNumber, .afterSequenceNumber,
            ]
        guard let type = IteratorType(rawValue: typeName), allowed.contains(type) else {
            throw APIError.validation(
                "\(operation): 'ShardIteratorType' is '\(typeName)'; it must be one of \(allowed.map(\.rawValue).joined(separator: ", "))."
            )
        }
        let sequenceField = api == .kinesis ? "StartingSequenceNumber" : "SequenceNumber"
        let extent = view.extents[shard.rowID]
        let position: ShardIterator.Position
        switch type {
        case .trimHorizon:
            position = .trimHorizon
        case .latest:
            position = extent.map { .after($0.lastSequence) } ?? .trimHorizon
        case .atSequenceNumber, .afterSequenceNumber:
            guard let sequence else {
                throw APIError.validation("\(operation): '\(typeName)' needs '\(sequenceField)'.")
            }
            guard let number = SequenceNumber(sequence) else {
                throw APIError.validation("\(operation): '\(sequenceField)' '\(sequence)' is not a sequence number (decimal digits).")
            }
            position = type == .atSequenceNumber ? .at(number) : .after(number)
            try await checkNotTrimmed(number, shard: shard, extent: extent, operation: operation)
        case .atTimestamp:
            guard let timestamp else { throw APIError.validation("\(operation): 'AT_TIMESTAMP' needs 'Timestamp'.") }
            if let first = try await reader.firstSequence(stream: view.stream.name, shard: shard.shardID, atOrAfter: timestamp) {
                position = .at(first)
            } else {
                position = extent.map { .after($0.lastSequence) } ?? .trimHorizon
            }
        }
        let iterator = ShardIterator(
            api: api,
            streamID: view.stream.id,
            shardRowID: shard.rowID,
            position: position,
            issuedAtMillis: clock.nowMillis()
        )
        return signer.seal(iterator)
    }

    /// `TrimmedDataAccessException` when a read from `sequence` would skip records the archive no longer holds.
    func checkNotTrimmed(_ sequence: SequenceNumber, shard: ShardInfo, extent: ShardExtent?, operation: String) async throws {
        let gaps = try await catalog.asyncReader.gapSpans(shardRowID: shard.rowID)
        let trimmed = try await catalog.asyncReader.trimmedThrough(shardRowID: shard.rowID)
        guard RetentionCheck.isTrimmed(requested: sequence, firstHeld: extent?.firstSequence, gaps: gaps, trimmedThrough: trimmed) else { return }
        let held = extent.map { "its oldest archived record is \($0.firstSequence)" } ?? "it holds no records"
        throw APIError(
            code: .trimmedDataAccess,
            message: "\(operation): sequence number \(sequence) of shard '\(StreamNames.wireShardID(shard.shardID))' is before data the archive "
                + "holds (\(held)\(trimmed.map { "; retention deleted it through \($0)" } ?? "")"
                + "\(gaps.isEmpty ? "" : ", and it has \(gaps.count) known gap\(gaps.count == 1 ? "" : "s")")). "
                + "Start at TRIM_HORIZON instead."
        )
    }

    /// The iterator inside `text`, checked: issued here, by this API, not expired.
    func openIterator(_ text: String, api: StreamAPI) throws -> ShardIterator {
        guard let iterator = signer.open(text) else {
            throw APIError.validation(
                "GetRecords: 'ShardIterator' is not an iterator this archive issued (or it was changed). Call GetShardIterator."
            )
        }
        guard iterator.api == api else {
            throw APIError.validation(
                "GetRecords: the shard iterator was issued by the \(iterator.api.rawValue) API; use it there, or call this API's GetShardIterator."
            )
        }
        let age = clock.nowMillis() - iterator.issuedAtMillis
        guard age <= api.iteratorLifetimeMillis else {
            throw APIError(
                code: .expiredIterator,
                message: "GetRecords: the shard iterator expired \((age - api.iteratorLifetimeMillis) / 1000) s ago (iterators last "
                    + "\(api.iteratorLifetimeMillis / 60000) minutes). Call GetShardIterator again from the last sequence number you processed."
            )
        }
        return iterator
    }

    /// GetRecords of either API.
    func getRecords(_ request: APIRequest, api: StreamAPI) async throws -> ([UInt8], Int) {
        let maxLimit = api == .kinesis ? 10_000 : 1_000
        let limit = try request.integer("Limit", in: 1...maxLimit) ?? maxLimit
        let iterator = try openIterator(try request.requiredString("ShardIterator"), api: api)
        let stream = try await stream(id: iterator.streamID)
        // The shards (for lineage) and this shard's extent only: a GetRecords costs the same in a year-long archive.
        let catalogReader = catalog.asyncReader
        async let shards = catalogReader.shards(streamID: stream.id)
        async let shardExtent = catalogReader.shardExtent(shardRowID: iterator.shardRowID)
        let extents = try await shardExtent.map { [iterator.shardRowID: $0] } ?? [:]
        let view = StreamView(stream: stream, shards: try await shards, extents: extents)
        guard let shard = view.shards.first(where: { $0.rowID == iterator.shardRowID }) else {
            throw APIError(
                code: .resourceNotFound,
                message: "GetRecords: the shard iterator's shard is no longer in the archive. Describe the stream again."
            )
        }
        let extent = view.extents[shard.rowID]
        switch iterator.position {
        case .trimHorizon: break
        case .at(let sequence), .after(let sequence):
            try await checkNotTrimmed(sequence, shard: shard, extent: extent, operation: "GetRecords")
        }
        let page = try await reader.page(
            stream: stream.name,
            shard: shard,
            from: iterator.position,
            limit: limit,
            maxBytes: api == .kinesis ? 10 << 20 : 1 << 20,
            format: api == .kinesis ? .kinesisRecord : .native
        )
        let closedAndDone = page.reachedEnd && view.isClosed(shard)
        var out: [UInt8] = []
        out.reserveCapacity(page.json.count + 600)
        out.append(contentsOf: #"{"Records":["#.utf8)
        out.append(contentsOf: page.json)
        out.append(UInt8(ascii: "]"))
        if !closedAndDone {
            var next = iterator
            next.issuedAtMillis = clock.nowMillis()
            if let last = page.lastSequence { next.position = .after(last) }
            out.append(contentsOf: #","NextShardIterator":""#.utf8)
            out.append(contentsOf: signer.seal(next).utf8)
            out.append(UInt8(ascii: "\""))
        }
        if api == .kinesis {
            var behind: Int64 = 0
            if !page.reachedEnd, let extent {
                behind = max(0, extent.maxTime - (page.lastTimeMillis ?? extent.minTime))
            }
            out.append(contentsOf: #","MillisBehindLatest":"#.utf8)
            out.append(contentsOf: String(behind).utf8)
            if closedAndDone {
                out.append(contentsOf: #","ChildShards":"#.utf8)
                let children: [[String: Any]] = view.children(of: shard).map { child -> [String: Any] in
                    [
                        "ShardId": StreamNames.wireShardID(child.shardID),
                        "ParentShards": [child.parentShardID, child.adjacentParentShardID].compactMap { $0 }.map(StreamNames.wireShardID),
                        "HashKeyRange": Self.fullHashKeyRange,
                    ]
                }
                out.append(contentsOf: try JSONSerialization.data(withJSONObject: children, options: [.sortedKeys]))
            }
        }
        out.append(UInt8(ascii: "}"))
        return (out, page.count)
    }

    /// Kinesis hash key ranges: the archive does not know them, so every shard claims the whole key space.
    static let fullHashKeyRange: [String: String] = ["StartingHashKey": "0", "EndingHashKey": "340282366920938463463374607431768211455"]
}
