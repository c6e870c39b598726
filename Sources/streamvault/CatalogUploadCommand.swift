import AWSCore
import ArchiveStore
import ArgumentParser
import AsyncHTTPClient
import Foundation

extension StreamVaultCommand.CatalogGroup {
    struct Upload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seal the open segments and upload every sealed segment not yet in the bucket (an archive made before it had one).",
            discussion: """
                Takes each stream's writer lock (no archiver may run on it meanwhile), seals its open segment, then \
                uploads what `archive --segments` would: each sealed segment, then its index object, audited and \
                recorded in the catalog. Segment names made before the bucket keep their names. docs/SCALING.md.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(name: .customLong("segments"), help: ArgumentHelp("The bucket location, s3://bucket/prefix.", valueName: "s3-url"))
        var segments: String

        @Option(help: ArgumentHelp("Only this stream (default: every stream).", valueName: "name"))
        var stream: String?

        @OptionGroup var aws: AWSOptions

        func validate() throws {
            try global.validateLogLevel()
            do { _ = try BucketLocation(parsing: segments) } catch { throw ValidationError("\(error)") }
        }

        func run() async throws {
            let location = try BucketLocation(parsing: segments)
            let aws = try aws.environment()
            let catalog = try global.openCatalog(create: false, write: true)
            try BucketConfiguration(segments: location.description, endpointURL: self.aws.endpointURL).save(global.layout)
            let names = try stream.map { [$0] } ?? catalog.streams().map(\.name)
            for name in names {
                let writer = try StreamWriter(layout: global.layout, catalog: catalog, streamName: name)
                try writer.sealOpenSegment()
            }
            let http = AWSJSONClient.makeHTTPClient()
            let outcome: Result<(Int, Int64), any Error>
            do {
                let uploader = SegmentUploader(
                    layout: global.layout,
                    catalog: catalog,
                    location: location,
                    s3: S3Client(environment: aws, httpClient: http)
                )
                var count = 0
                var bytes: Int64 = 0
                for name in names {
                    try await uploader.abortInterruptedUploads(stream: name)
                    for segment in try await uploader.uploadPending(stream: name) {
                        count += 1
                        bytes += segment.bytes
                    }
                }
                outcome = .success((count, bytes))
            } catch {
                outcome = .failure(error)
            }
            try? await http.shutdown()
            let (count, bytes) = try outcome.get()
            printError("Uploaded \(count) segments (\(Format.count(Int(bytes))) bytes) of \(names.count) streams to \(location).")
        }
    }
}
