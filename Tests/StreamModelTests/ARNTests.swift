import StreamModel
import Testing

struct ARNTests {
    @Test(arguments: ["aws", "aws-cn", "aws-us-gov"], ["us-east-1", "cn-north-1", "us-gov-west-1"])
    func parsesAndBuildsTheThreeKinds(_ partition: String, _ region: String) throws {
        let cases: [(String, ARN.Resource, String?, String)] = [
            ("table/Orders", .dynamoDBTable(name: "Orders"), "Orders", "Orders"),
            (
                "table/Orders.v2-eu_1/stream/2026-01-01T00:00:00.000", .dynamoDBStream(table: "Orders.v2-eu_1", label: "2026-01-01T00:00:00.000"),
                "Orders.v2-eu_1", "Orders.v2-eu_1"
            ),
            ("stream/orders-cdc", .kinesisStream(name: "orders-cdc"), nil, "orders-cdc"),
        ]
        for (path, resource, table, streamName) in cases {
            let service = table == nil ? "kinesis" : "dynamodb"
            let text = "arn:\(partition):\(service):\(region):123456789012:\(path)"
            let arn = try ARN(text)
            #expect(arn.partition == partition && arn.region == region && arn.account == "123456789012")
            #expect(arn.resource == resource)
            #expect(arn.service == service)
            #expect(arn.tableName == table)
            #expect(arn.streamName == streamName)
            #expect(arn.description == text, "builds back the same text")
            #expect(ARN(partition: partition, region: region, account: "123456789012", resource: resource) == arn)
        }
        let built = ARN.dynamoDBStream(table: "T1x", label: "L", region: region, account: "000000000000", partition: partition)
        #expect(try ARN(built.description) == built)
        #expect(
            ARN.kinesisStream(name: "k", region: region, account: "123456789012", partition: partition).description
                == "arn:\(partition):kinesis:\(region):123456789012:stream/k"
        )
        #expect(
            ARN.dynamoDBTable(name: "Tab", region: region, account: "123456789012", partition: partition).description
                == "arn:\(partition):dynamodb:\(region):123456789012:table/Tab"
        )
    }

    @Test(arguments: [
        ("", ARNError.Code.malformed, "is not an ARN"),
        ("Orders", .malformed, "is not an ARN"),
        ("arn:aws:dynamodb:us-east-1:123456789012", .malformed, "six fields"),
        ("arn:azure:dynamodb:us-east-1:123456789012:table/Orders", .partition, "partition 'azure'"),
        ("arn::dynamodb:us-east-1:123456789012:table/Orders", .partition, "partition ''"),
        ("arn:aws:s3:us-east-1:123456789012:table/Orders", .service, "service 's3'"),
        ("arn:aws:dynamodb::123456789012:table/Orders", .region, "region ''"),
        ("arn:aws:dynamodb:US_EAST:123456789012:table/Orders", .region, "region 'US_EAST'"),
        ("arn:aws:dynamodb:us-east-1:1234:table/Orders", .account, "account '1234'"),
        ("arn:aws:dynamodb:us-east-1:12345678901x:table/Orders", .account, "12-digit"),
        ("arn:aws:dynamodb:us-east-1:123456789012:stream/Orders", .resource, "expected table/NAME"),
        ("arn:aws:dynamodb:us-east-1:123456789012:table/Orders/index/byDate", .resource, "table/NAME/stream/LABEL"),
        ("arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/", .resource, "LABEL"),
        ("arn:aws:dynamodb:us-east-1:123456789012:table/Or", .resource, "table name 'Or'"),
        ("arn:aws:dynamodb:us-east-1:123456789012:table/Or ders", .resource, "table name 'Or ders'"),
        ("arn:aws:kinesis:us-east-1:123456789012:stream/", .resource, "stream name ''"),
        ("arn:aws:kinesis:us-east-1:123456789012:table/orders", .resource, "expected stream/NAME"),
        ("arn:aws:kinesis:us-east-1:123456789012:stream/a/b", .resource, "expected stream/NAME"),
    ])
    func badARNsSayWhichPartIsWrong(_ text: String, _ code: ARNError.Code, _ message: String) {
        #expect {
            try ARN(text)
        } throws: { error in
            guard let error = error as? ARNError else { return false }
            return error.code == code && error.message.contains(message) && error.message.contains("'\(text)'")
        }
    }

    /// The allocation-free field splitter finds what the parser finds (conversion uses it on every record).
    @Test(arguments: [
        ("arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/stream/2026-01-01T00:00:00.000", "eu-west-1", "Orders"),
        ("arn:aws-cn:dynamodb:cn-north-1:123456789012:table/T_1", "cn-north-1", "T_1"),
        ("arn:aws:kinesis:us-east-1:123456789012:stream/orders", "us-east-1", nil),
    ])
    func byteFieldsMatchTheParser(_ text: String, _ region: String, _ table: String?) {
        Array(text.utf8).withUnsafeBufferPointer { bytes in
            let fields = ARN.fields(bytes)
            #expect(fields.map { String(decoding: bytes[$0.region], as: UTF8.self) } == region)
            #expect(fields.flatMap { ARN.tableName(bytes, $0) }.map { String(decoding: bytes[$0], as: UTF8.self) } == table)
        }
        #expect(Array("table/x".utf8).withUnsafeBufferPointer { ARN.fields($0) } == nil)
    }
}
