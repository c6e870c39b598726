import Replay
import StreamModel
import Testing

/// A Lambda DynamoDB event record shaped after the one in AWS's "event filtering with a DynamoDB event source".
let lambdaRecord = #"""
    {"eventID":"1","eventName":"MODIFY","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1",\#
    "dynamodb":{"ApproximateCreationDateTime":1678831218,"Keys":{"CustomerName":{"S":"AnyCompany Industries"}},\#
    "NewImage":{"AccountManager":{"S":"Pat Candella"},"PaymentTerms":{"S":"60 days"},"CustomerName":{"S":"AnyCompany Industries"},\#
    "Tags":{"SS":["gold","eu"]},"Note":{"S":""},"Gone":{"NULL":true},"Total":{"N":"12.5"},"Quote":{"S":"say \"hi\" \u00e9"}},\#
    "SequenceNumber":"111","SizeBytes":26,"StreamViewType":"NEW_IMAGE"},\#
    "userIdentity":{"PrincipalId":"dynamodb.amazonaws.com","Type":"Service"}}
    """#

func matches(_ pattern: String, _ record: String = lambdaRecord) throws -> Bool {
    let compiled = try FilterPattern(pattern)
    return Array(record.utf8).withUnsafeBufferPointer { compiled.matches(record: $0) }
}

struct FilterPatternTests {
    /// Each operator, matching and not matching, against the record above.
    @Test(arguments: [
        // AWS's DynamoDB examples: table keys, table attributes, several conditions.
        (#"{"dynamodb":{"Keys":{"CustomerName":{"S":["AnyCompany Industries"]}}}}"#, true),
        (#"{"dynamodb":{"NewImage":{"AccountManager":{"S":["Pat Candella"]}}}}"#, true),
        (#"{"dynamodb":{"NewImage":{"AccountManager":{"S":["Pat Candella"]},"PaymentTerms":{"S":["30 days"]}}}}"#, false),
        (#"{"eventName":["MODIFY"],"dynamodb":{"NewImage":{"PaymentTerms":{"S":["60 days"]}}}}"#, true),
        (#"{"eventName":["INSERT"],"dynamodb":{"NewImage":{"PaymentTerms":{"S":["60 days"]}}}}"#, false),
        // equals: OR within a list, numbers, booleans, empty string
        (#"{"eventName":["INSERT","MODIFY"]}"#, true),
        (#"{"eventName":["modify"]}"#, false),
        (#"{"dynamodb":{"SizeBytes":[26]}}"#, true),
        (#"{"dynamodb":{"SizeBytes":[26.0]}}"#, true),
        (#"{"dynamodb":{"SizeBytes":[27]}}"#, false),
        (#"{"dynamodb":{"NewImage":{"Gone":{"NULL":[true]}}}}"#, true),
        (#"{"dynamodb":{"NewImage":{"Note":{"S":[""]}}}}"#, true),
        (#"{"dynamodb":{"NewImage":{"AccountManager":{"S":[""]}}}}"#, false),
        (#"{"dynamodb":{"NewImage":{"Quote":{"S":["say \"hi\" é"]}}}}"#, true),
        // arrays in the record: any element
        (#"{"dynamodb":{"NewImage":{"Tags":{"SS":["eu"]}}}}"#, true),
        (#"{"dynamodb":{"NewImage":{"Tags":{"SS":["us"]}}}}"#, false),
        // prefix, suffix, equals-ignore-case
        (#"{"dynamodb":{"NewImage":{"AccountManager":{"S":[{"prefix":"Pat"}]}}}}"#, true),
        (#"{"dynamodb":{"NewImage":{"AccountManager":{"S":[{"prefix":"Sam"}]}}}}"#, false),
        (#"{"dynamodb":{"NewImage":{"PaymentTerms":{"S":[{"suffix":"days"}]}}}}"#, true),
        (#"{"dynamodb":{"NewImage":{"PaymentTerms":{"S":[{"suffix":"weeks"}]}}}}"#, false),
        (#"{"dynamodb":{"NewImage":{"AccountManager":{"S":[{"equals-ignore-case":"PAT candella"}]}}}}"#, true),
        (#"{"dynamodb":{"NewImage":{"AccountManager":{"S":[{"equals-ignore-case":"pat"}]}}}}"#, false),
        // anything-but: list, single value, prefix, suffix, ignore-case, numbers
        (#"{"dynamodb":{"NewImage":{"PaymentTerms":{"S":[{"anything-but":["60 days","90 days"]}]}}}}"#, false),
        (#"{"dynamodb":{"NewImage":{"PaymentTerms":{"S":[{"anything-but":["30 days"]}]}}}}"#, true),
        (#"{"dynamodb":{"NewImage":{"PaymentTerms":{"S":[{"anything-but":"30 days"}]}}}}"#, true),
        (#"{"dynamodb":{"NewImage":{"PaymentTerms":{"S":[{"anything-but":{"prefix":"60"}}]}}}}"#, false),
        (#"{"dynamodb":{"NewImage":{"PaymentTerms":{"S":[{"anything-but":{"prefix":"30"}}]}}}}"#, true),
        (#"{"dynamodb":{"NewImage":{"PaymentTerms":{"S":[{"anything-but":{"suffix":"days"}}]}}}}"#, false),
        (#"{"dynamodb":{"NewImage":{"PaymentTerms":{"S":[{"anything-but":{"equals-ignore-case":["60 DAYS"]}}]}}}}"#, false),
        (#"{"dynamodb":{"SizeBytes":[{"anything-but":[26]}]}}"#, false),
        (#"{"dynamodb":{"SizeBytes":[{"anything-but":[25, 27]}]}}"#, true),
        (#"{"dynamodb":{"NewImage":{"Missing":{"S":[{"anything-but":["x"]}]}}}}"#, false),
        // numeric: every operator, ranges, and DynamoDB N strings (strings to Lambda: numeric does not match them)
        (#"{"dynamodb":{"SizeBytes":[{"numeric":["=",26]}]}}"#, true),
        (#"{"dynamodb":{"SizeBytes":[{"numeric":[">",20]}]}}"#, true),
        (#"{"dynamodb":{"SizeBytes":[{"numeric":[">",26]}]}}"#, false),
        (#"{"dynamodb":{"SizeBytes":[{"numeric":[">=",26]}]}}"#, true),
        (#"{"dynamodb":{"SizeBytes":[{"numeric":["<",26]}]}}"#, false),
        (#"{"dynamodb":{"SizeBytes":[{"numeric":["<=",26]}]}}"#, true),
        (#"{"dynamodb":{"SizeBytes":[{"numeric":[">",0,"<=",26]}]}}"#, true),
        (#"{"dynamodb":{"SizeBytes":[{"numeric":[">=",0,"<",26]}]}}"#, false),
        (#"{"dynamodb":{"ApproximateCreationDateTime":[{"numeric":[">=",1678831218]}]}}"#, true),
        (#"{"dynamodb":{"NewImage":{"Total":{"N":[{"numeric":[">",1]}]}}}}"#, false),
        (#"{"dynamodb":{"NewImage":{"Total":{"N":["12.5"]}}}}"#, true),
        // exists: leaves only (AWS: an object is not a leaf)
        (#"{"dynamodb":{"NewImage":{"AccountManager":{"S":[{"exists":true}]}}}}"#, true),
        (#"{"dynamodb":{"NewImage":{"Missing":{"S":[{"exists":true}]}}}}"#, false),
        (#"{"dynamodb":{"NewImage":{"Missing":{"S":[{"exists":false}]}}}}"#, true),
        (#"{"dynamodb":{"NewImage":{"AccountManager":{"S":[{"exists":false}]}}}}"#, false),
        (#"{"dynamodb":{"NewImage":{"AccountManager":[{"exists":true}]}}}"#, false),
        // userIdentity in the Lambda spelling matches a native record's PrincipalId/Type
        (#"{"userIdentity":{"type":["Service"],"principalId":["dynamodb.amazonaws.com"]}}"#, true),
        (#"{"userIdentity":{"type":["User"]}}"#, false),
    ])
    func operatorsMatchAsLambdaDoes(_ pattern: String, _ expected: Bool) throws {
        #expect(try matches(pattern) == expected, "\(pattern)")
    }

    @Test func nullMatchesJSONNullOnly() throws {
        let kds = #"{"eventName":"INSERT","userIdentity":null,"dynamodb":{"Keys":{"id":{"S":"a"}}}}"#
        #expect(try matches(#"{"userIdentity":[null]}"#, kds))
        #expect(try !matches(#"{"userIdentity":[null]}"#))
        #expect(try !matches(#"{"missing":[null]}"#, kds))
    }

    @Test func severalPatternsAreAnOr() throws {
        var criteria = try FilterCriteria(patterns: [#"{"eventName":["INSERT"]}"#, #"{"dynamodb":{"SizeBytes":[26]}}"#])
        var none = try FilterCriteria(patterns: [#"{"eventName":["INSERT"]}"#, #"{"eventName":["REMOVE"]}"#])
        let bytes = Array(lambdaRecord.utf8)
        let (some, neither) = try bytes.withUnsafeBufferPointer { record in
            (try criteria.accepts(record, format: .lambdaDynamoDB), try none.accepts(record, format: .lambdaDynamoDB))
        }
        #expect(some && !neither)
    }

    @Test func kinesisRecordsAreFilteredOnTheirDecodedData() throws {
        var converter = RecordConverter(from: .native, to: .kinesisRecord, options: ConversionOptions(tableName: "Customers"))
        var kinesis: [UInt8] = []
        try Array(lambdaRecord.utf8).withUnsafeBufferPointer { try converter.convert($0, into: &kinesis) }
        func accepts(_ pattern: String) throws -> Bool {
            var criteria = try FilterCriteria(patterns: [pattern])
            return try kinesis.withUnsafeBufferPointer { try criteria.accepts($0, format: .kinesisRecord) }
        }
        #expect(try accepts(#"{"data":{"dynamodb":{"Keys":{"CustomerName":{"S":["AnyCompany Industries"]}}}}}"#))
        #expect(try accepts(#"{"data":{"tableName":["Customers"],"eventName":["MODIFY"]}}"#))
        #expect(try !accepts(#"{"data":{"eventName":["INSERT"]}}"#))
        #expect(
            try !accepts(#"{"dynamodb":{"Keys":{"CustomerName":{"S":["AnyCompany Industries"]}}}}"#),
            "Lambda filters Kinesis records on data only"
        )
    }

    /// Invalid patterns: the error names the path inside the pattern and what AWS's rules expect.
    @Test(arguments: [
        (#"["x"]"#, "", "expected a JSON object"),
        (#"{}"#, "", "at least one field"),
        (#"{"a":"x"}"#, "a", "expected a list of values"),
        (#"{"a":{"b":5}}"#, "a.b", "expected a list of values"),
        (#"{"a":[]}"#, "a", "non-empty list"),
        (#"{"a":[["x"]]}"#, "a[0]", "nested array"),
        (#"{"a":[{"numeric":[">","ten"]}]}"#, "a[0].numeric[1]", "numeric needs a number"),
        (#"{"a":[{"numeric":[">"]}]}"#, "a[0].numeric", "expected [op, number]"),
        (#"{"a":[{"numeric":[">",10,">",5]}]}"#, "a[0].numeric[2]", "second lower bound"),
        (#"{"a":[{"numeric":[">",10,"<",5]}]}"#, "a[0].numeric", "range is empty"),
        (#"{"a":[{"numeric":["=",1,"<",5]}]}"#, "a[0].numeric[0]", "stands alone"),
        (#"{"a":[{"numeric":["!=",1]}]}"#, "a[0].numeric[0]", "unknown numeric operator"),
        (#"{"a":[{"numeric":[">",6e9]}]}"#, "a[0].numeric[1]", "between -5.0e9 and 5.0e9"),
        (#"{"a":[{"prefix":5}]}"#, "a[0].prefix", "expected a string"),
        (#"{"a":[{"suffix":["x"]}]}"#, "a[0].suffix", "expected a string"),
        (#"{"a":[{"equals-ignore-case":null}]}"#, "a[0].equals-ignore-case", "expected a string"),
        (#"{"a":[{"exists":"yes"}]}"#, "a[0].exists", "expected true or false"),
        (#"{"a":[{"anything-but":[]}]}"#, "a[0].anything-but", "non-empty list"),
        (#"{"a":[{"anything-but":[true]}]}"#, "a[0].anything-but[0]", "expected a string or a number"),
        (#"{"a":[{"anything-but":{"wildcard":"x"}}]}"#, "a[0].anything-but.wildcard", "unknown anything-but operator"),
        (#"{"a":[{"wildcard":"x*"}]}"#, "a[0].wildcard", "unknown operator 'wildcard'"),
        (#"{"a":[{"prefix":"x","suffix":"y"}]}"#, "a[0]", "exactly one operator"),
        (#"{"$or":[{"a":["x"]},{"b":["y"]}]}"#, "$or", "repeat --filter"),
        (#"{"a":["x"],"a":["y"]}"#, "a", "named twice"),
    ])
    func invalidPatternsNameThePath(_ pattern: String, _ path: String, _ expectation: String) throws {
        let error = try #require(throws: FilterPatternError.self) { try FilterPattern(pattern) }
        #expect(error.code == .invalidPattern)
        #expect(error.path == path)
        #expect(error.expectation.contains(expectation), "\(error.message)")
    }

    @Test(arguments: [
        #"{"a":["x"]"#, #"{"a":[x]}"#, #"{"a":["x"]} {}"#, String(repeating: "{\"a\":", count: 100) + "[1]" + String(repeating: "}", count: 100),
    ])
    func malformedJSONIsNamed(_ pattern: String) throws {
        let error = try #require(throws: FilterPatternError.self) { try FilterPattern(pattern) }
        #expect(error.code == .invalidJSON)
        #expect(error.message.contains("not valid JSON"))
    }

    @Test func patternsLongerThanLambdaAllowsAreRefused() throws {
        let long = #"{"a":[""# + String(repeating: "x", count: FilterPattern.maxLength) + #""]}"#
        let error = try #require(throws: FilterPatternError.self) { try FilterPattern(long) }
        #expect(error.code == .tooLong)
        _ = try FilterPattern(#"{"a":[""# + String(repeating: "x", count: FilterPattern.maxLength - 10) + #""]}"#)
    }

    @Test func aFailingPatternAmongSeveralIsNumbered() throws {
        let error = try #require(throws: FilterPatternError.self) { try FilterCriteria(patterns: [#"{"a":["x"]}"#, #"{"a":"x"}"#]) }
        #expect(error.message.contains("pattern 2"))
    }
}
