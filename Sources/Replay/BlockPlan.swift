import ArchiveStore
import StreamModel

/// A block the replay will read, with what the selection means for it.
struct PlannedBlock {
    var info: BlockInfo
    /// Index into the pipeline's shards.
    var shard: Int
    /// Every record is inside the selection, so none needs parsing.
    var whole: Bool
    /// Resume: records at or below this sequence number were delivered by an earlier run.
    var deliveredThrough: SequenceNumber?

    /// Whether a record of this block (located `facts`) is inside the selection.
    @inline(__always)
    func matches(_ facts: StoredRecordFacts, _ record: UnsafeBufferPointer<UInt8>, _ selection: ReplaySelection) -> Bool {
        if let from = selection.from, facts.timeMillis < from { return false }
        if let to = selection.to, facts.timeMillis >= to { return false }
        if selection.hasSequenceBounds || deliveredThrough != nil {
            let seq = UnsafeBufferPointer(rebasing: record[facts.sequence])
            if let low = selection.fromSequence, SequenceNumber.compareDigits(seq, low.text.utf8) < 0 { return false }
            if let high = selection.toSequence, SequenceNumber.compareDigits(seq, high.text.utf8) > 0 { return false }
            if let done = deliveredThrough, SequenceNumber.compareDigits(seq, done.text.utf8) <= 0 { return false }
        }
        return true
    }
}

/// The selection stage: which shards and blocks a selection needs, from the catalog index, in reading order.
struct BlockPlan {
    var shards: [ShardInfo]
    var blocks: [PlannedBlock]

    init(catalog: Catalog, stream: StreamInfo, selection: ReplaySelection) throws {
        let all = try catalog.shards(streamID: stream.id)
        shards = all
        if let wanted = selection.shard {
            guard let shard = all.first(where: { $0.shardID == wanted }) else {
                throw ArchiveError(
                    code: .unknownShard,
                    message:
                        "Stream '\(selection.stream)' has no shard '\(wanted)'. Its shards: \(all.map(\.shardID).joined(separator: ", ")). `streamvault ls` lists them."
                )
            }
            shards = [shard]
        }
        var infos: [BlockInfo]
        if selection.hasTimeBounds {
            infos = try catalog.blocks(
                streamID: stream.id,
                timeFrom: selection.from ?? .min,
                timeTo: selection.to ?? .max
            )
        } else if selection.shard != nil {
            infos = try catalog.blocks(shardRowID: shards[0].rowID, sequenceFrom: selection.fromSequence, sequenceTo: selection.toSequence)
        } else {
            infos = try catalog.blocks(streamID: stream.id)
        }
        let rank = Dictionary(uniqueKeysWithValues: shards.enumerated().map { ($1.rowID, $0) })
        // Resume: shards before the position's shard are done; in its shard, blocks up to the position are.
        var resume: (rank: Int, sequence: SequenceNumber)?
        if let after = selection.after {
            guard let r = shards.firstIndex(where: { $0.shardID == after.shardID }) else {
                throw ReplayError(
                    code: .invalidSelection,
                    message: "The resume position's shard '\(after.shardID)' is not in the selection of stream '\(selection.stream)'."
                )
            }
            resume = (r, after.sequenceNumber)
        }
        var planned: [PlannedBlock] = []
        planned.reserveCapacity(infos.count)
        for info in infos {
            guard let r = rank[info.shardRowID] else { continue }
            if let low = selection.fromSequence, info.lastSeq < low { continue }
            if let high = selection.toSequence, info.firstSeq > high { continue }
            var done: SequenceNumber?
            if let resume {
                if r < resume.rank || (r == resume.rank && info.lastSeq <= resume.sequence) { continue }
                if r == resume.rank && info.firstSeq <= resume.sequence { done = resume.sequence }
            }
            var whole = done == nil
            if let from = selection.from, info.minTime < from { whole = false }
            if let to = selection.to, info.maxTime >= to { whole = false }
            if let low = selection.fromSequence, info.firstSeq < low { whole = false }
            if let high = selection.toSequence, info.lastSeq > high { whole = false }
            planned.append(PlannedBlock(info: info, shard: r, whole: whole, deliveredThrough: done))
        }
        switch selection.order {
        case .shard: planned.sort { ($0.shard, $0.info.id) < ($1.shard, $1.info.id) }
        case .time: planned.sort { ($0.info.minTime, $0.info.id) < ($1.info.minTime, $1.info.id) }
        }
        blocks = planned
    }
}
