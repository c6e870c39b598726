import AWSCore

extension SegmentUploader {
    /// Deletes from the bucket the segments retention removed from the catalog (holds were respected when it decided):
    /// the segment object, then its index object (so `catalog sync` never adds a segment whose bytes are gone), then an
    /// audit entry `remote-segment-deleted`. A crash in between deletes again on the next pass (deleting a missing key
    /// succeeds).
    /// - Returns: The file names deleted.
    @discardableResult
    public func deleteRemoved(stream: String) async throws -> [String] {
        guard let info = try catalog.stream(named: stream) else { return [] }
        var deleted: [String] = []
        for fileName in try catalog.remoteDeletions(streamID: info.id) {
            let key = location.segmentKey(stream: stream, fileName: fileName)
            let indexKey = location.indexKey(stream: stream, fileName: fileName)
            try await remote("delete '\(key)' (retention)") { try await s3.deleteObject(bucket: location.bucket, key: key) }
            try await remote("delete '\(indexKey)' (retention)") { try await s3.deleteObject(bucket: location.bucket, key: indexKey) }
            try audit.append(
                kind: .remoteSegmentDeleted,
                stream: stream,
                details: ["file": .string(fileName), "key": .string(key), "index_key": .string(indexKey)],
                now: clock.nowMillis()
            )
            try catalog.clearRemoteDeletion(streamID: info.id, fileName: fileName)
            deleted.append(fileName)
        }
        return deleted
    }
}
