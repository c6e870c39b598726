import AWSCore
import ArchiveStore
import ArgumentParser
import AsyncHTTPClient
import Foundation

extension StreamVaultCommand.CatalogGroup {
    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fill the catalog from a bucket that archivers upload to (archive --segments), so this node can read what they sealed.",
            discussion: """
                Lists <prefix>/<stream>/index/*.json, adds the segments the catalog does not know (their blocks come from \
                the index objects), then downloads their files and checks each against the SHA-256 its index records. \
                Idempotent: run it again to pick up new segments. With --index-only the files are not downloaded (the \
                catalog then lists segments that replay cannot read yet). docs/SCALING.md.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(name: .customLong("segments"), help: ArgumentHelp("The bucket location, s3://bucket/prefix.", valueName: "s3-url"))
        var segments: String

        @Option(help: ArgumentHelp("Sync only this stream (default: every stream under the location).", valueName: "name"))
        var stream: String?

        @Flag(name: .customLong("index-only"), help: "Add the catalog rows only; do not download the segment files.")
        var indexOnly = false

        @OptionGroup var aws: AWSOptions

        func validate() throws {
            try global.validateLogLevel()
            do { _ = try BucketLocation(parsing: segments) } catch { throw ValidationError("\(error)") }
            if let stream {
                do { try StorageLayout.validateStreamName(stream) } catch { throw ValidationError("\(error)") }
            }
        }

        func run() async throws {
            let location = try BucketLocation(parsing: segments)
            let aws = try aws.environment()
            try FileManager.default.createDirectory(atPath: global.layout.root, withIntermediateDirectories: true)
            let catalog = try global.openCatalog(create: true, write: true)
            // Readers of this storage directory find segments synced with --index-only (or evicted later) through it.
            try BucketConfiguration(segments: location.description, endpointURL: self.aws.endpointURL).save(global.layout)
            let http = AWSJSONClient.makeHTTPClient()
            let outcome: Result<CatalogSync.Summary, any Error>
            do {
                let sync = CatalogSync(layout: global.layout, catalog: catalog, location: location, s3: S3Client(environment: aws, httpClient: http))
                outcome = .success(try await sync.sync(stream: stream, download: !indexOnly))
            } catch {
                outcome = .failure(error)
            }
            try? await http.shutdown()
            let summary = try outcome.get()
            printError(
                "Synced \(summary.streams.count) streams from \(location): \(summary.segmentsAdded) segments added "
                    + "(\(summary.indexObjects) index objects read), \(summary.segmentsDownloaded) downloaded "
                    + "(\(Format.count(Int(summary.bytesDownloaded))) bytes)."
            )
        }
    }
}
