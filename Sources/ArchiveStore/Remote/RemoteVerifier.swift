import AWSCore
import Foundation

/// Checks the bucket copies of a storage directory's uploaded segments (`streamvault verify` when the directory has a
/// bucket): each segment object exists with the sealed length, the ETag recorded at upload and the sealed SHA-256 in
/// its metadata, and its index object exists. With `deep`, each object is downloaded and its SHA-256 computed.
public struct RemoteVerifier: Sendable {
    public let catalog: Catalog
    public let source: RemoteBlockSource

    public init(catalog: Catalog, source: RemoteBlockSource) {
        self.catalog = catalog
        self.source = source
    }

    /// The findings for `streams` (all when empty); `checked` counts the segments looked at.
    public func verify(streams names: [String] = [], deep: Bool) async throws -> (checked: Int, findings: [ArchiveVerifier.Finding]) {
        let s3 = source.s3
        let location = source.location
        var findings: [ArchiveVerifier.Finding] = []
        var checked = 0
        let streams = try names.isEmpty ? catalog.streams() : names.map { try catalog.requireStream($0) }
        for stream in streams {
            for segment in try catalog.segments(streamID: stream.id) {
                guard let state = try catalog.remoteState(segmentID: segment.id), state.state != nil else { continue }
                checked += 1
                func damage(_ message: String) {
                    findings.append(.init(stream: stream.name, segment: segment.fileName, message: message, isDamage: true))
                }
                let key = location.segmentKey(stream: stream.name, fileName: segment.fileName)
                let indexKey = location.indexKey(stream: stream.name, fileName: segment.fileName)
                do {
                    guard let object = try await s3.headObject(bucket: location.bucket, key: key) else {
                        damage("its bucket copy '\(key)' is missing from \(location.bucket)")
                        continue
                    }
                    var problems: [String] = []
                    if object.size != segment.committedBytes { problems.append("\(object.size) bytes, sealed at \(segment.committedBytes)") }
                    if let etag = state.etag, object.etag != etag { problems.append("ETag \(object.etag), uploaded as \(etag)") }
                    if let sha = object.metadata["sha256"], sha != segment.sha256 {
                        problems.append("metadata SHA-256 \(sha), sealed as \(segment.sha256 ?? "?")")
                    }
                    if deep {
                        let bytes = try await s3.getObject(bucket: location.bucket, key: key)
                        let actual = SigV4Signer.hexSHA256(Data(bytes))
                        if actual != segment.sha256 { problems.append("SHA-256 of its bytes is \(actual), sealed as \(segment.sha256 ?? "?")") }
                    }
                    if !problems.isEmpty { damage("its bucket copy '\(key)' differs: " + problems.joined(separator: "; ")) }
                    if try await s3.headObject(bucket: location.bucket, key: indexKey) == nil {
                        damage("its index object '\(indexKey)' is missing (other nodes cannot `catalog sync` it)")
                    }
                } catch let error as AWSError {
                    damage("its bucket copy could not be checked: \(error.message)")
                }
            }
        }
        return (checked, findings)
    }
}
