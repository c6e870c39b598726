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
            arn.withUnsafeBufferPointer { DynamoDBStreamARN($0) }.map { parsed in
                (region: parsed.region.map { Array($0) }, table: parsed.table.map { Array($0) })
            }
        }
        tableName = options.tableName.map(JSONEscaping.escapedContent) ?? fromARN??.table
        region = options.region.map(JSONEscaping.escapedContent) ?? fromARN??.region
    }
}

/// The parts of a DynamoDB stream ARN: `arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE/stream/LABEL`.
struct DynamoDBStreamARN {
    var region: ByteSlice?
    var table: ByteSlice?

    /// Splits `arn` (raw JSON string content); `nil` when it is not an ARN.
    init?(_ arn: ByteSlice) {
        var colons = [Int]()
        for (i, b) in arn.enumerated() where b == UInt8(ascii: ":") {
            colons.append(i)
            if colons.count == 5 { break }
        }
        guard colons.count == 5 else { return nil }
        if colons[3] > colons[2] + 1 { region = UnsafeBufferPointer(rebasing: arn[(colons[2] + 1)..<colons[3]]) }
        let resource = UnsafeBufferPointer(rebasing: arn[(colons[4] + 1)...])
        let prefix = Array("table/".utf8)
        guard resource.starts(with: prefix) else { return }
        let nameStart = resource.startIndex + prefix.count
        var nameEnd = nameStart
        while nameEnd < resource.endIndex, resource[nameEnd] != UInt8(ascii: "/") { nameEnd += 1 }
        if nameEnd > nameStart { table = UnsafeBufferPointer(rebasing: resource[nameStart..<nameEnd]) }
    }
}
