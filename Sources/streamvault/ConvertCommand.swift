public import ArgumentParser
import StreamModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension RecordFormat: ExpressibleByArgument {}
extension StreamViewType: ExpressibleByArgument {}
extension TimePrecision: ExpressibleByArgument {}

extension StreamVaultCommand {
    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "convert",
            abstract: "Convert change records between DynamoDB Streams, Lambda, Kinesis and plain JSON shapes.",
            discussion: """
                Reads records from the FILEs (or stdin) and writes them in another shape to stdout, one per \
                line. Input may be NDJSON, a JSON array of records, or objects with a Records array (a Lambda \
                event, a GetRecords response), even pretty-printed; big inputs are streamed. A record may be up \
                to 16 MiB long (--max-record-bytes changes it).

                Shapes:
                  native           DynamoDB Streams GetRecords item (time in epoch seconds)
                  lambda-dynamodb  record of a Lambda DynamoDB event (adds eventSourceARN)
                  kds              Kinesis Data Streams for DynamoDB payload (time in ms or us, tableName)
                  kinesis-record   Kinesis GetRecords item (base64 Data holding a kds payload)
                  lambda-kinesis   record of a Lambda Kinesis event
                  plain            native layout with Keys/NewImage/OldImage unmarshalled, numbers exact

                Attribute values are copied exactly: every digit of N, B bytes, set order, empty strings and \
                maps, escapes. A field the target needs but the source lacks comes from an option or is \
                derived (docs/CONVERSION.md says how): kds needs a table name (--table-name or --stream-arn); \
                native from kds needs a StreamViewType (--view-type, else guessed from the images).

                Examples:
                  streamvault convert --from native --to kds --table-name orders < records.ndjson
                  streamvault convert --from lambda-dynamodb --to lambda-kinesis --batch 100 event.json
                  streamvault convert --from kinesis-record --to native --view-type NEW_AND_OLD_IMAGES getrecords.json
                  streamvault convert --to plain records.ndjson | jq -c .dynamodb.NewImage

                A bad record stops the run with its line and JSON path \
                (line 1: Records[3].dynamodb.NewImage.total.N: expected a numeric string) and exit status 1; \
                with --skip-invalid it is reported on stderr (reason, then the record) and skipped.
                """
        )

        @Option(help: "Shape of the input records.")
        var from: RecordFormat = .native

        @Option(help: "Shape to write.")
        var to: RecordFormat

        @Option(help: ArgumentHelp("Wrap every N records into one {\"Records\":[...]} event per line.", valueName: "N"))
        var batch: Int?

        @Option(help: "StreamViewType for native output when the input lacks it (default: derived from the images).")
        var viewType: StreamViewType?

        @Option(help: ArgumentHelp("Table name for kds/Kinesis output when the input lacks it.", valueName: "name"))
        var tableName: String?

        @Option(help: ArgumentHelp("awsRegion when the input lacks it.", valueName: "region"))
        var region: String?

        @Option(help: ArgumentHelp("DynamoDB stream ARN: lambda-dynamodb eventSourceARN; table and region derive from it.", valueName: "arn"))
        var streamArn: String?

        @Option(help: ArgumentHelp("Kinesis stream ARN: lambda-kinesis eventSourceARN.", valueName: "arn"))
        var kinesisStreamArn: String?

        @Option(help: "Precision of kds ApproximateCreationDateTime (default: the input's, else MILLISECOND).")
        var timePrecision: TimePrecision?

        @Flag(help: "Report bad records on stderr and go on (exit status 0 unless output fails).")
        var skipInvalid = false

        @Option(
            name: .customLong("max-record-bytes"),
            help: ArgumentHelp("The longest record accepted, 1024 to 1073741824 bytes.", valueName: "bytes")
        )
        var maxRecordBytes = RecordInputReader.defaultMaxRecordBytes

        @Argument(help: ArgumentHelp("Input files (default: stdin).", valueName: "file"))
        var files: [String] = []

        func validate() throws {
            if let batch, batch < 1 { throw ValidationError("--batch must be at least 1.") }
            try Ingest.requireRange("--max-record-bytes", maxRecordBytes, Ingest.maxRecordBytesRange)
            let needsTable: Set<RecordFormat> = [.kds, .kinesisRecord, .lambdaKinesis]
            let hasTable: Set<RecordFormat> = [.kds, .kinesisRecord, .lambdaKinesis, .lambdaDynamoDB]
            if needsTable.contains(to) && !hasTable.contains(from) && tableName == nil && streamArn == nil {
                throw ValidationError("--to \(to.rawValue) needs the table name: pass --table-name NAME or --stream-arn ARN.")
            }
        }

        func run() throws {
            let options = ConversionOptions(
                viewType: viewType,
                tableName: tableName,
                region: region,
                streamARN: streamArn,
                kinesisStreamARN: kinesisStreamArn,
                timePrecision: timePrecision
            )
            var pipeline = ConversionPipeline(
                converter: RecordConverter(from: from, to: to, options: options),
                batchSize: batch,
                skipInvalid: skipInvalid
            )
            let output = BufferedOutput(fileDescriptor: STDOUT_FILENO)
            let errors = BufferedOutput(fileDescriptor: STDERR_FILENO, threshold: 0)
            let sources = files.isEmpty ? ["-"] : files
            for path in sources {
                let fd = path == "-" ? STDIN_FILENO : open(path, O_RDONLY)
                guard fd >= 0 else {
                    throw CLIError(code: .fileNotOpened, message: "Cannot open '\(path)' (errno \(errno)). Check the path and its permissions.")
                }
                defer { if fd != STDIN_FILENO { close(fd) } }
                let prefix = sources.count > 1 ? "\(path): " : ""
                do {
                    _ = try pipeline.run(input: RecordInputReader(fileDescriptor: fd, maxRecordBytes: maxRecordBytes), output: output) {
                        message,
                        record in
                        errors.buffer.append(contentsOf: "skipped \(prefix)\(message)\n".utf8)
                        errors.buffer.append(contentsOf: record.map { $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 })
                        errors.buffer.append(0x0A)
                        try? errors.flush()
                    }
                } catch let error as ConversionError {
                    try? output.flush()
                    throw CLIError(code: .invalidInput, message: "\(prefix)\(error.message)")
                }
            }
        }
    }
}
