import AWSCore
import ArchiveStore
import AsyncHTTPClient
import Logging
import StreamSources

extension StreamVaultCommand.Archive {
    /// The writer configuration: with `--segments`, new segment names carry this node's id and segments seal at least
    /// every `--seal-interval` (what exists on this disk only is bounded by it plus the upload time).
    func writerConfiguration() throws -> WriterConfiguration {
        var writer = WriterConfiguration()
        guard segments != nil else { return writer }
        writer.nodeID = try NodeIdentity.load(global.layout)
        writer.maxSegmentAge = .milliseconds(Int64(sealInterval * 1000))
        writer.sealIdleSegments = true
        return writer
    }

    /// With `--segments` and `--lease-table`: lease checkpoints that follow the uploads, and a node taking a shard over
    /// starts after what the previous owner uploaded (it looks at segments created within twice the seal interval plus
    /// 15 minutes).
    func makeBucketDurability(name: String, aws: AWSEnvironment, http: HTTPClient, logger: Logger) throws -> BucketDurability? {
        guard let segments, leaseTable != nil else { return nil }
        let bucket = BucketDurability.Bucket(
            s3: S3Client(environment: aws, httpClient: http, logger: logger),
            location: try BucketLocation(parsing: segments),
            stream: name,
            lookback: .seconds(Int64(sealInterval * 2) + 900)
        )
        return BucketDurability(bucket: bucket)
    }

    /// The uploader service of `--segments`, or `nil` without it; it tells `durability` (leases) what is in the bucket.
    func makeSegmentUploadService(
        name: String,
        aws: AWSEnvironment,
        http: HTTPClient,
        catalog: Catalog,
        logger: Logger,
        durability: BucketDurability? = nil
    ) throws
        -> SegmentUploadService?
    {
        guard let segments else { return nil }
        let location = try BucketLocation(parsing: segments)
        // Readers of this storage directory (replay, export, serve) find evicted segments through it.
        try BucketConfiguration(segments: location.description, endpointURL: self.aws.endpointURL).save(global.layout)
        let uploader = SegmentUploader(
            layout: global.layout,
            catalog: catalog,
            location: location,
            s3: S3Client(environment: aws, httpClient: http, logger: logger),
            logger: logger
        )
        return SegmentUploadService(
            uploader: uploader,
            stream: name,
            writer: try writerConfiguration(),
            localCacheBytes: localCacheBytes,
            uploaded: { segment in
                if let durability { Task { await durability.uploaded(segment) } }
                logger.info(
                    "Segment uploaded",
                    metadata: ["sv.segment": "\(segment.fileName)", "sv.key": "\(segment.segmentKey)", "sv.bytes": "\(segment.bytes)"]
                )
            },
            failed: { error in logger.warning("Segment upload failed; retrying on the next pass", metadata: ["sv.error": "\(error.message)"]) },
            logger: logger
        )
    }
}
