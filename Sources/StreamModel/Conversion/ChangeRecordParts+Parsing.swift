/// Parsers: one pass over the record's text, validating as they go, errors carrying the JSON path.
extension ChangeRecordParts {
    /// Parses a DynamoDB change record object: native, lambda-dynamodb or kds (the union of their fields).
    ///
    /// - Parameter timeScale: 0 when `ApproximateCreationDateTime` is in seconds (native); for kds pass the
    ///   assumed scale, which `ApproximateCreationDateTimePrecision` overrides.
    mutating func parseChange(_ c: inout JSONCursor, timeScale: Int) throws(ShapeError) {
        let recordStart = c.offset
        timeUnitScale = timeScale
        guard c.peek() == UInt8(ascii: "{") else { throw c.fail("expected a record object") }
        if try c.openObject() {
            repeat {
                let key = try c.readKey()
                do throws(ShapeError) {
                    switch key.count {
                    case 7 where c.equals(key, "eventID"): eventID = try c.stringSlice()
                    case 8 where c.equals(key, "dynamodb"): try parseDynamoDB(&c)
                    case 9 where c.equals(key, "eventName"):
                        let name = try c.stringSlice()
                        guard EventName(name) != nil else {
                            throw ShapeError(expectation: "expected INSERT, MODIFY or REMOVE", offset: c.offset - 1 - name.count)
                        }
                        eventName = name
                    case 9 where c.equals(key, "awsRegion"): awsRegion = try c.stringSlice()
                    case 9 where c.equals(key, "tableName"): tableName = try c.stringSlice()
                    case 11 where c.equals(key, "eventSource"): eventSource = try c.stringSlice()
                    case 12 where c.equals(key, "eventVersion"): eventVersion = try c.stringSlice()
                    case 12 where c.equals(key, "userIdentity"): try parseIdentity(&c)
                    case 12 where c.equals(key, "recordFormat"): recordFormat = try c.stringSlice()
                    case 14 where c.equals(key, "eventSourceARN"): eventSourceARN = try c.stringSlice()
                    default: try c.skipValue(depth: 1)
                    }
                } catch {
                    throw error.inside(.key(c.text(key)))
                }
            } while try c.nextMember(closing: UInt8(ascii: "}"))
        }
        if eventID == nil { throw ShapeError(path: [.key("eventID")], expectation: "missing", offset: recordStart) }
        if eventName == nil { throw ShapeError(path: [.key("eventName")], expectation: "missing", offset: recordStart) }
        if keys == nil { throw ShapeError(path: [.key("dynamodb"), .key("Keys")], expectation: "missing", offset: recordStart) }
        if time == nil {
            throw ShapeError(path: [.key("dynamodb"), .key("ApproximateCreationDateTime")], expectation: "missing", offset: recordStart)
        }
        if let precision { timeUnitScale = precision.scale }
    }

    private mutating func parseDynamoDB(_ c: inout JSONCursor) throws(ShapeError) {
        guard c.peek() == UInt8(ascii: "{") else { throw c.fail("expected an object") }
        guard try c.openObject() else { return }
        repeat {
            let key = try c.readKey()
            do throws(ShapeError) {
                switch key.count {
                case 4 where c.equals(key, "Keys"): keys = try c.attributeMapSlice()
                case 8 where c.equals(key, "NewImage"): newImage = try c.attributeMapSlice()
                case 8 where c.equals(key, "OldImage"): oldImage = try c.attributeMapSlice()
                case 9 where c.equals(key, "SizeBytes"): sizeBytes = try c.numberSlice()
                case 14 where c.equals(key, "SequenceNumber"):
                    sequenceNumber = c.bytes(try ChangeRecordScanner.readSequenceNumber(&c))
                case 14 where c.equals(key, "StreamViewType"):
                    let v = try c.stringSlice()
                    guard StreamViewType(v) != nil else {
                        throw ShapeError(
                            expectation: "expected KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES",
                            offset: c.offset - 1 - v.count
                        )
                    }
                    streamViewType = v
                case 27 where c.equals(key, "ApproximateCreationDateTime"):
                    let n = try c.numberSlice()
                    guard EventTime.scaled(n, by: 0) != nil else {
                        throw ShapeError(expectation: "time out of range", offset: c.offset - n.count)
                    }
                    time = n
                case 36 where c.equals(key, "ApproximateCreationDateTimePrecision"):
                    let v = try c.stringSlice()
                    guard let p = TimePrecision(v) else {
                        throw ShapeError(expectation: "expected MILLISECOND or MICROSECOND", offset: c.offset - 1 - v.count)
                    }
                    precision = p
                default: try c.skipValue(depth: 2)
                }
            } catch {
                throw error.inside(.key(c.text(key)))
            }
        } while try c.nextMember(closing: UInt8(ascii: "}"))
    }

    /// `userIdentity`: `null`, or an object with `PrincipalId`/`Type` (native) or `principalId`/`type` (Lambda, kds).
    private mutating func parseIdentity(_ c: inout JSONCursor) throws(ShapeError) {
        if try c.skipNull() { return }
        guard c.peek() == UInt8(ascii: "{") else { throw c.fail("expected null or an object with principalId and type") }
        hasIdentity = true
        guard try c.openObject() else { return }
        repeat {
            let key = try c.readKey()
            do throws(ShapeError) {
                if c.equals(key, "PrincipalId") || c.equals(key, "principalId") {
                    principalID = try c.stringSlice()
                } else if c.equals(key, "Type") || c.equals(key, "type") {
                    identityType = try c.stringSlice()
                } else {
                    try c.skipValue(depth: 2)
                }
            } catch {
                throw error.inside(.key(c.text(key)))
            }
        } while try c.nextMember(closing: UInt8(ascii: "}"))
    }

    /// Parses a Kinesis GetRecords item; returns the range of the base64 `Data` content.
    mutating func parseKinesisRecord(_ c: inout JSONCursor) throws(ShapeError) -> ByteSlice {
        let recordStart = c.offset
        var data: ByteSlice?
        guard c.peek() == UInt8(ascii: "{") else { throw c.fail("expected a Kinesis record object") }
        if try c.openObject() {
            repeat {
                let key = try c.readKey()
                do throws(ShapeError) {
                    if c.equals(key, "Data") {
                        data = try c.stringSlice()
                    } else if c.equals(key, "SequenceNumber") {
                        kinesis.sequenceNumber = c.bytes(try ChangeRecordScanner.readSequenceNumber(&c))
                    } else if c.equals(key, "ApproximateArrivalTimestamp") {
                        kinesis.arrival = try c.numberSlice()
                    } else if c.equals(key, "PartitionKey") {
                        kinesis.partitionKey = try c.stringSlice()
                    } else if c.equals(key, "EncryptionType") {
                        kinesis.encryptionType = try c.stringSlice()
                    } else {
                        try c.skipValue(depth: 1)
                    }
                } catch {
                    throw error.inside(.key(c.text(key)))
                }
            } while try c.nextMember(closing: UInt8(ascii: "}"))
        }
        guard let data else { throw ShapeError(path: [.key("Data")], expectation: "missing", offset: recordStart) }
        return data
    }

    /// Parses a Lambda Kinesis event record; returns the base64 `kinesis.data` content.
    mutating func parseLambdaKinesis(_ c: inout JSONCursor) throws(ShapeError) -> ByteSlice {
        let recordStart = c.offset
        var data: ByteSlice?
        guard c.peek() == UInt8(ascii: "{") else { throw c.fail("expected a Lambda Kinesis event record object") }
        if try c.openObject() {
            repeat {
                let key = try c.readKey()
                do throws(ShapeError) {
                    if c.equals(key, "kinesis") {
                        data = try parseLambdaKinesisBody(&c)
                    } else if c.equals(key, "eventID") {
                        kinesis.eventID = try c.stringSlice()
                    } else if c.equals(key, "eventVersion") {
                        kinesis.eventVersion = try c.stringSlice()
                    } else if c.equals(key, "invokeIdentityArn") {
                        kinesis.invokeIdentityARN = try c.stringSlice()
                    } else if c.equals(key, "awsRegion") {
                        kinesis.awsRegion = try c.stringSlice()
                    } else if c.equals(key, "eventSourceARN") {
                        kinesis.eventSourceARN = try c.stringSlice()
                    } else {
                        try c.skipValue(depth: 1)
                    }
                } catch {
                    throw error.inside(.key(c.text(key)))
                }
            } while try c.nextMember(closing: UInt8(ascii: "}"))
        }
        guard let data else { throw ShapeError(path: [.key("kinesis"), .key("data")], expectation: "missing", offset: recordStart) }
        return data
    }

    private mutating func parseLambdaKinesisBody(_ c: inout JSONCursor) throws(ShapeError) -> ByteSlice? {
        var data: ByteSlice?
        guard c.peek() == UInt8(ascii: "{") else { throw c.fail("expected an object") }
        guard try c.openObject() else { return nil }
        repeat {
            let key = try c.readKey()
            do throws(ShapeError) {
                if c.equals(key, "data") {
                    data = try c.stringSlice()
                } else if c.equals(key, "sequenceNumber") {
                    kinesis.sequenceNumber = c.bytes(try ChangeRecordScanner.readSequenceNumber(&c))
                } else if c.equals(key, "approximateArrivalTimestamp") {
                    kinesis.arrival = try c.numberSlice()
                } else if c.equals(key, "partitionKey") {
                    kinesis.partitionKey = try c.stringSlice()
                } else if c.equals(key, "encryptionType") {
                    kinesis.encryptionType = try c.stringSlice()
                } else if c.equals(key, "kinesisSchemaVersion") {
                    kinesis.schemaVersion = try c.stringSlice()
                } else {
                    try c.skipValue(depth: 2)
                }
            } catch {
                throw error.inside(.key(c.text(key)))
            }
        } while try c.nextMember(closing: UInt8(ascii: "}"))
        return data
    }
}
