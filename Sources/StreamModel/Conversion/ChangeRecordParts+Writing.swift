/// Writers: one per target shape, emitting compact JSON from a parsed record. See docs/CONVERSION.md for what
/// each derives when the source lacks a field.
extension ChangeRecordParts {
    /// Native GetRecords item (`plain: false`) or the plain shape (same layout, images unmarshalled).
    func writeNative(lambda: Bool, plain: Bool, _ ctx: ConversionContext, _ envelope: RecordEnvelope?, into out: inout [UInt8]) throws(ShapeError) {
        out.appendLiteral("{\"eventID\":")
        out.appendQuoted(eventID!)
        out.appendLiteral(",\"eventName\":")
        out.appendQuoted(eventName!)
        out.appendLiteral(",\"eventVersion\":")
        if let eventVersion { out.appendQuoted(eventVersion) } else { out.appendQuoted(ctx.eventVersion) }
        out.appendLiteral(",\"eventSource\":")
        if let eventSource { out.appendQuoted(eventSource) } else { out.appendLiteral("\"aws:dynamodb\"") }
        if let region = resolvedRegion(ctx) {
            out.appendLiteral(",\"awsRegion\":")
            region.write(into: &out)
        }
        if lambda && hasIdentity {
            out.appendLiteral(",\"userIdentity\":{")
            writeIdentity(principal: "\"principalId\":", type: "\"type\":", into: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.appendLiteral(",\"dynamodb\":{\"ApproximateCreationDateTime\":")
        if timeUnitScale == 0 {
            out.appendRaw(time!)
        } else {
            out.appendDecimal(EventTime.scaled(time!, by: 0)!, scale: timeUnitScale)
        }
        try writeImage("\"Keys\":", keys, plain: plain, into: &out)
        try writeImage("\"NewImage\":", newImage, plain: plain, into: &out)
        try writeImage("\"OldImage\":", oldImage, plain: plain, into: &out)
        if let seq = sequenceNumber ?? kinesis.sequenceNumber {
            out.appendLiteral(",\"SequenceNumber\":")
            out.appendQuoted(seq)
        } else if let seq = envelope?.sequenceNumber {
            out.appendLiteral(",\"SequenceNumber\":")
            out.appendQuoted(JSONEscaping.escapedContent(seq))
        }
        if let sizeBytes {
            out.appendLiteral(",\"SizeBytes\":")
            out.appendRaw(sizeBytes)
        }
        out.appendLiteral(",\"StreamViewType\":")
        if let streamViewType {
            out.appendQuoted(streamViewType)
        } else {
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: (ctx.viewType ?? derivedViewType).rawValue.utf8)
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "}"))
        if !lambda && hasIdentity {
            out.appendLiteral(",\"userIdentity\":{")
            writeIdentity(principal: "\"PrincipalId\":", type: "\"Type\":", into: &out)
            out.append(UInt8(ascii: "}"))
        }
        if plain && isTTLDelete {
            out.appendLiteral(",\"ttlDelete\":true")  // people and jq should not have to know the userIdentity rule
        }
        if lambda {
            if let eventSourceARN {
                out.appendLiteral(",\"eventSourceARN\":")
                out.appendQuoted(eventSourceARN)
            } else if let arn = ctx.streamARN {
                out.appendLiteral(",\"eventSourceARN\":")
                out.appendQuoted(arn)
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Kinesis Data Streams for DynamoDB payload.
    func writeKDS(_ ctx: ConversionContext, into out: inout [UInt8]) throws(ShapeError) {
        let table = try resolvedTable(ctx)
        guard let region = resolvedRegion(ctx) else {
            throw ShapeError(
                path: [.key("awsRegion")],
                expectation: "the record names no region; pass --region (ConversionOptions.region)",
                offset: 0
            )
        }
        out.appendLiteral("{\"awsRegion\":")
        region.write(into: &out)
        out.appendLiteral(",\"eventID\":")
        out.appendQuoted(eventID!)
        out.appendLiteral(",\"eventName\":")
        out.appendQuoted(eventName!)
        out.appendLiteral(",\"userIdentity\":")
        if hasIdentity {
            out.append(UInt8(ascii: "{"))
            writeIdentity(principal: "\"principalId\":", type: "\"type\":", into: &out)
            out.append(UInt8(ascii: "}"))
        } else {
            out.appendLiteral("null")
        }
        out.appendLiteral(",\"recordFormat\":")
        if let recordFormat { out.appendQuoted(recordFormat) } else { out.appendLiteral("\"application/json\"") }
        out.appendLiteral(",\"tableName\":")
        table.write(into: &out)
        out.appendLiteral(",\"dynamodb\":{\"ApproximateCreationDateTime\":")
        let sourceIsKDS = timeUnitScale != 0
        let target = ctx.timePrecision ?? (sourceIsKDS ? (timeUnitScale == 6 ? .microsecond : .millisecond) : .millisecond)
        if target.scale == timeUnitScale {
            out.appendRaw(time!)
        } else {
            guard let v = EventTime.scaled(time!, by: target.scale - timeUnitScale) else {
                throw ShapeError(path: [.key("dynamodb"), .key("ApproximateCreationDateTime")], expectation: "time out of range", offset: 0)
            }
            out.appendInteger(v)
        }
        if precision != nil || !sourceIsKDS || ctx.timePrecision != nil {
            out.appendLiteral(
                target == .millisecond
                    ? ",\"ApproximateCreationDateTimePrecision\":\"MILLISECOND\"" : ",\"ApproximateCreationDateTimePrecision\":\"MICROSECOND\""
            )
        }
        try writeImage("\"Keys\":", keys, plain: false, into: &out)
        try writeImage("\"NewImage\":", newImage, plain: false, into: &out)
        try writeImage("\"OldImage\":", oldImage, plain: false, into: &out)
        if let sizeBytes {
            out.appendLiteral(",\"SizeBytes\":")
            out.appendRaw(sizeBytes)
        }
        out.appendLiteral("},\"eventSource\":")
        if let eventSource { out.appendQuoted(eventSource) } else { out.appendLiteral("\"aws:dynamodb\"") }
        out.append(UInt8(ascii: "}"))
    }

    /// Kinesis GetRecords item (`lambda: false`) or Lambda Kinesis event record around an encoded kds payload.
    func writeKinesis(
        lambda: Bool,
        payload: ByteSlice,
        _ ctx: ConversionContext,
        _ envelope: RecordEnvelope?,
        hasher: inout PartitionKeyHasher,
        into out: inout [UInt8]
    ) throws(ShapeError) {
        let seqField: StaticString = lambda ? "\"sequenceNumber\":" : "\"SequenceNumber\":"
        var seqStart = 0
        var seqEnd = 0
        if lambda {
            out.appendLiteral("{\"kinesis\":{\"kinesisSchemaVersion\":")
            if let v = kinesis.schemaVersion { out.appendQuoted(v) } else { out.appendLiteral("\"1.0\"") }
            out.appendLiteral(",\"partitionKey\":")
            try writePartitionKey(ctx, envelope, hasher: &hasher, into: &out)
            out.append(UInt8(ascii: ","))
        } else {
            out.append(UInt8(ascii: "{"))
        }
        out.appendLiteral(seqField)
        if let seq = kinesis.sequenceNumber ?? sequenceNumber {
            out.appendQuoted(seq)
            seqStart = out.count - 1 - seq.count
        } else if let seq = envelope?.sequenceNumber {
            let escaped = JSONEscaping.escapedContent(seq)
            out.appendQuoted(escaped)
            seqStart = out.count - 1 - escaped.count
        } else {
            throw ShapeError(
                path: [.key("SequenceNumber")],
                expectation: "the record carries no sequence number; supply it in the RecordEnvelope (or convert from native or a Kinesis shape)",
                offset: 0
            )
        }
        seqEnd = out.count - 1
        if lambda {
            out.appendLiteral(",\"data\":\"")
            Base64.append(payload, into: &out)
            out.appendLiteral("\",\"approximateArrivalTimestamp\":")
            writeArrival(envelope, into: &out)
            if let e = kinesis.encryptionType {
                out.appendLiteral(",\"encryptionType\":")
                out.appendQuoted(e)
            }
            out.appendLiteral("},\"eventSource\":\"aws:kinesis\",\"eventVersion\":")
            if let v = kinesis.eventVersion { out.appendQuoted(v) } else { out.appendLiteral("\"1.0\"") }
            out.appendLiteral(",\"eventID\":")
            if let id = kinesis.eventID {
                out.appendQuoted(id)
            } else {
                out.append(UInt8(ascii: "\""))
                out.append(contentsOf: ctx.shardID)
                out.append(UInt8(ascii: ":"))
                let seqBytes = Array(out[seqStart..<seqEnd])
                out.append(contentsOf: seqBytes)
                out.append(UInt8(ascii: "\""))
            }
            out.appendLiteral(",\"eventName\":\"aws:kinesis:record\"")
            writeOptional(",\"invokeIdentityArn\":", kinesis.invokeIdentityARN, else: ctx.invokeIdentityARN, into: &out)
            if let region = kinesis.awsRegion.map(ResolvedString.slice) ?? resolvedRegion(ctx) {
                out.appendLiteral(",\"awsRegion\":")
                region.write(into: &out)
            }
            writeOptional(",\"eventSourceARN\":", kinesis.eventSourceARN, else: ctx.kinesisStreamARN, into: &out)
        } else {
            out.appendLiteral(",\"ApproximateArrivalTimestamp\":")
            writeArrival(envelope, into: &out)
            out.appendLiteral(",\"Data\":\"")
            Base64.append(payload, into: &out)
            out.appendLiteral("\",\"PartitionKey\":")
            try writePartitionKey(ctx, envelope, hasher: &hasher, into: &out)
            out.appendLiteral(",\"EncryptionType\":")
            if let e = kinesis.encryptionType { out.appendQuoted(e) } else { out.appendLiteral("\"NONE\"") }
        }
        out.append(UInt8(ascii: "}"))
    }

    // MARK: Pieces

    /// A string value from the record or from the options.
    enum ResolvedString {
        case slice(ByteSlice)
        case owned([UInt8])
        func write(into out: inout [UInt8]) {
            switch self {
            case .slice(let s): out.appendQuoted(s)
            case .owned(let a): out.appendQuoted(a)
            }
        }
        func withBytes<R>(_ body: (ByteSlice) throws(ShapeError) -> R) throws(ShapeError) -> R {
            switch self {
            case .slice(let s): return try body(s)
            case .owned(let a): return try a.withUnsafeBufferPointer { (p) throws(ShapeError) in try body(p) }
            }
        }
    }

    func resolvedRegion(_ ctx: ConversionContext) -> ResolvedString? {
        if let awsRegion { return .slice(awsRegion) }
        if let region = ctx.region { return .owned(region) }
        if let arn = eventSourceARN, let r = ARNParts(arn)?.region { return .slice(r) }
        if let arn = kinesis.eventSourceARN, let r = ARNParts(arn)?.region { return .slice(r) }
        if let r = kinesis.awsRegion { return .slice(r) }
        return nil
    }

    func resolvedTable(_ ctx: ConversionContext) throws(ShapeError) -> ResolvedString {
        if let tableName { return .slice(tableName) }
        if let t = ctx.tableName { return .owned(t) }
        if let arn = eventSourceARN, let t = ARNParts(arn)?.table { return .slice(t) }
        throw ShapeError(
            path: [.key("tableName")],
            expectation: "the record does not name its table; pass --table-name or --stream-arn (ConversionOptions.tableName/streamARN)",
            offset: 0
        )
    }

    /// StreamViewType from the images present, for sources that lack it (docs/CONVERSION.md, "StreamViewType").
    var derivedViewType: StreamViewType {
        switch (newImage != nil, oldImage != nil) {
        case (true, true): return .newAndOldImages
        case (false, false): return .keysOnly
        case (true, false): return eventName.map { bytesEqual($0, "MODIFY") } == true ? .newImage : .newAndOldImages
        case (false, true): return eventName.map { bytesEqual($0, "MODIFY") } == true ? .oldImage : .newAndOldImages
        }
    }

    private func writeIdentity(principal: StaticString, type: StaticString, into out: inout [UInt8]) {
        var first = true
        if let principalID {
            out.appendLiteral(principal)
            out.appendQuoted(principalID)
            first = false
        }
        if let identityType {
            if !first { out.append(UInt8(ascii: ",")) }
            out.appendLiteral(type)
            out.appendQuoted(identityType)
        }
    }

    private func writeImage(_ name: StaticString, _ image: ByteSlice?, plain: Bool, into out: inout [UInt8]) throws(ShapeError) {
        guard let image else { return }
        out.append(UInt8(ascii: ","))
        out.appendLiteral(name)
        if plain {
            var c = JSONCursor(UnsafeRawBufferPointer(image))
            try PlainJSON.appendMap(&c, into: &out)
        } else {
            appendCompact(image, into: &out)
        }
    }

    /// Writes the member `name` with `value`, or with `fallback` when the record has no value; nothing when neither is set.
    private func writeOptional(_ name: StaticString, _ value: ByteSlice?, else fallback: [UInt8]?, into out: inout [UInt8]) {
        guard value != nil || fallback != nil else { return }
        out.appendLiteral(name)
        if let value { out.appendQuoted(value) } else if let fallback { out.appendQuoted(fallback) }
    }

    private func writeArrival(_ envelope: RecordEnvelope?, into out: inout [UInt8]) {
        if let arrival = kinesis.arrival {
            out.appendRaw(arrival)
        } else if let ms = envelope?.arrivalTimeMillis {
            out.appendDecimal(ms, scale: 3)
        } else if let ms = EventTime.scaled(time!, by: 3 - timeUnitScale) {
            out.appendDecimal(ms, scale: 3)
        } else {
            out.append(0x30)
        }
    }

    private func writePartitionKey(
        _ ctx: ConversionContext,
        _ envelope: RecordEnvelope?,
        hasher: inout PartitionKeyHasher,
        into out: inout [UInt8]
    ) throws(ShapeError) {
        if let key = kinesis.partitionKey {
            out.appendQuoted(key)
            return
        }
        if let key = envelope?.partitionKey {
            out.appendQuoted(JSONEscaping.escapedContent(key))
            return
        }
        let table = try resolvedTable(ctx)
        out.append(UInt8(ascii: "\""))
        try table.withBytes { (t) throws(ShapeError) in try hasher.append(table: t, keys: keys!, into: &out) }
        out.append(UInt8(ascii: "\""))
    }
}

extension Array where Element == UInt8 {
    /// Appends `"content"` for owned escaped content.
    @inline(__always)
    mutating func appendQuoted(_ content: [UInt8]) {
        append(UInt8(ascii: "\""))
        append(contentsOf: content)
        append(UInt8(ascii: "\""))
    }
}

/// Copies JSON text, compacting it only when it holds insignificant whitespace (pretty-printed input).
@inline(__always)
func appendCompact(_ json: ByteSlice, into out: inout [UInt8]) {
    var needsCompacting = false
    var inString = false
    var escaped = false
    for b in json {
        if inString {
            if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
        } else if b == UInt8(ascii: "\"") {
            inString = true
        } else if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 {
            needsCompacting = true
            break
        }
    }
    if needsCompacting { JSONCompactor.compact(json, into: &out) } else { out.append(contentsOf: json) }
}
