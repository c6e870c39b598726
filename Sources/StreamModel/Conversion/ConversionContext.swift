/// ``ConversionOptions`` encoded once as JSON string content, so writers copy bytes instead of escaping per record.
struct ConversionContext {
    var viewType: StreamViewType?
    var tableName: [UInt8]?
    var region: [UInt8]?
    var streamARN: [UInt8]?
    var kinesisStreamARN: [UInt8]?
    var timePrecision: TimePrecision?
    var eventVersion: [UInt8]
    var shardID: [UInt8]
    var invokeIdentityARN: [UInt8]?

    init(_ options: ConversionOptions) {
        viewType = options.viewType
        timePrecision = options.timePrecision
        eventVersion = JSONEscaping.escapedContent(options.eventVersion)
        shardID = JSONEscaping.escapedContent(options.shardID)
        invokeIdentityARN = options.invokeIdentityARN.map(JSONEscaping.escapedContent)
        streamARN = options.streamARN.map(JSONEscaping.escapedContent)
        kinesisStreamARN = options.kinesisStreamARN.map(JSONEscaping.escapedContent)
        let fromARN = options.streamARN.map { Array($0.utf8) }.map { arn in
            arn.withUnsafeBufferPointer { ARNParts($0) }.map { parsed in
                (region: parsed.region.map { Array($0) }, table: parsed.table.map { Array($0) })
            }
        }
        tableName = options.tableName.map(JSONEscaping.escapedContent) ?? fromARN??.table
        region = options.region.map(JSONEscaping.escapedContent) ?? fromARN??.region
    }
}

/// The region and table name in ARN bytes (raw JSON string content), found by ``ARN/fields(_:)`` without allocating.
struct ARNParts {
    var region: ByteSlice?
    var table: ByteSlice?

    /// `nil` when `arn` is not an ARN.
    init?(_ arn: ByteSlice) {
        guard let fields = ARN.fields(arn) else { return nil }
        if !fields.region.isEmpty { region = UnsafeBufferPointer(rebasing: arn[fields.region]) }
        table = ARN.tableName(arn, fields).map { UnsafeBufferPointer(rebasing: arn[$0]) }
    }
}
