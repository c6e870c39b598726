import Testing

@testable import AWSCore

struct AWSErrorDecodingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let status: Int
        let body: String
        let header: String?
        let code: AWSError.Code
        let type: String?
        var testDescription: String { "\(status) \(type ?? "-") -> \(code)" }
    }

    static let cases: [Case] = [
        Case(
            status: 400,
            body: #"{"__type":"com.amazonaws.dynamodb.v20120810#TrimmedDataAccessException","message":"trimmed"}"#,
            header: nil,
            code: .trimmedData,
            type: "TrimmedDataAccessException"
        ),
        Case(
            status: 400,
            body: #"{"__type":"com.amazonaws.dynamodb.v20120810#ExpiredIteratorException","message":"expired"}"#,
            header: nil,
            code: .expiredIterator,
            type: "ExpiredIteratorException"
        ),
        Case(
            status: 400,
            body: #"{"__type":"ExpiredIteratorException","message":"Iterator expired"}"#,
            header: nil,
            code: .expiredIterator,
            type: "ExpiredIteratorException"
        ),
        Case(
            status: 400,
            body: #"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","Message":"no such stream"}"#,
            header: nil,
            code: .resourceNotFound,
            type: "ResourceNotFoundException"
        ),
        Case(
            status: 400,
            body: #"{"__type":"ProvisionedThroughputExceededException","message":"Rate exceeded"}"#,
            header: nil,
            code: .throttling,
            type: "ProvisionedThroughputExceededException"
        ),
        Case(
            status: 400,
            body: #"{"__type":"com.amazonaws.dynamodb.v20120810#LimitExceededException"}"#,
            header: nil,
            code: .throttling,
            type: "LimitExceededException"
        ),
        Case(status: 400, body: #"{"__type":"ThrottlingException"}"#, header: nil, code: .throttling, type: "ThrottlingException"),
        Case(
            status: 400,
            body: #"{"__type":"com.amazon.coral.service#UnrecognizedClientException","message":"bad token"}"#,
            header: nil,
            code: .accessDenied,
            type: "UnrecognizedClientException"
        ),
        Case(
            status: 400,
            body: #"{"__type":"com.amazon.coral.validate#ValidationException","message":"1 validation error"}"#,
            header: nil,
            code: .validation,
            type: "ValidationException"
        ),
        Case(
            status: 400,
            body: #"{"__type":"InvalidArgumentException","message":"bad"}"#,
            header: nil,
            code: .validation,
            type: "InvalidArgumentException"
        ),
        Case(
            status: 500,
            body: #"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError"}"#,
            header: nil,
            code: .serviceUnavailable,
            type: "InternalServerError"
        ),
        Case(status: 500, body: "<!doctype html><title>500 Internal Server Error</title>", header: nil, code: .serviceUnavailable, type: nil),
        Case(status: 503, body: "", header: nil, code: .serviceUnavailable, type: nil),
        Case(
            status: 400,
            body: "",
            header: "ExpiredIteratorException:http://internal.amazon.com/coral/com.amazon.kinesis/",
            code: .expiredIterator,
            type: "ExpiredIteratorException"
        ),
        Case(status: 400, body: #"{"__type":"SomethingNewException","message":"?"}"#, header: nil, code: .other, type: "SomethingNewException"),
    ]

    @Test(arguments: cases)
    func decodesErrorShape(_ c: Case) {
        let error = AWSJSONClient.decodeError(status: c.status, body: Array(c.body.utf8), errorTypeHeader: c.header, operation: "GetRecords")
        #expect(error.code == c.code)
        #expect(error.awsType == c.type)
        #expect(error.httpStatus == c.status)
        #expect(error.message.hasPrefix("GetRecords failed"))
    }

    @Test func keepsAWSMessageAndAddsAdvice() {
        let error = AWSJSONClient.decodeError(
            status: 400,
            body: Array(#"{"__type":"x#TrimmedDataAccessException","message":"Data trimmed"}"#.utf8),
            errorTypeHeader: nil,
            operation: "GetRecords"
        )
        #expect(error.message.contains("Data trimmed"))
        #expect(error.message.contains("record a gap"))
        #expect("\(error)".hasPrefix("AWSError.trimmedData: "))
    }

    @Test func htmlBodyIsNotEchoed() {
        let error = AWSJSONClient.decodeError(
            status: 500,
            body: Array("<html>secret stack trace</html>".utf8),
            errorTypeHeader: nil,
            operation: "GetRecords"
        )
        #expect(!error.message.contains("secret stack trace"))
        #expect(error.isRetryable)
    }
}
