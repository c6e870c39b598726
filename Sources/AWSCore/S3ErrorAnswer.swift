/// Turns S3's XML error answers (`<Error><Code>…</Code><Message>…</Message></Error>`) into ``AWSError``.
enum S3ErrorAnswer {
    /// S3 error types worth sending again: the bytes were damaged on the way, or the store was briefly unable.
    static let retryableTypes: Set<String> = [
        "BadDigest", "XAmzContentSHA256Mismatch", "InvalidDigest", "RequestTimeout", "ChecksumMismatch", "IncompleteBody",
    ]

    static func isError(_ body: [UInt8]) -> Bool {
        let head = String(decoding: body.prefix(256), as: UTF8.self)
        return head.contains("<Error>")
    }

    static func decode(status: Int, body: [UInt8], operation: String, key: String) -> AWSError {
        let text = String(decoding: body, as: UTF8.self)[...]
        let type = S3XML.value("Code", in: text)
        let s3Message = S3XML.value("Message", in: text)
        let code = Self.code(forS3Code: type, httpStatus: status)
        var message = "S3 \(operation) of '\(key)' failed"
        if let s3Message, !s3Message.isEmpty {
            message += ": \(s3Message)"
        } else {
            message += " with HTTP \(status)" + (type.map { " (\($0))" } ?? "")
        }
        if !message.hasSuffix(".") { message += "." }
        switch code {
        case .resourceNotFound: message += " Check the bucket name, the prefix and the endpoint URL."
        case .accessDenied: message += " Check the credentials and that their policy allows s3:\(operation) on the bucket."
        default:
            let advice = AWSError.advice(for: code)
            if !advice.isEmpty { message += " " + advice }
        }
        return AWSError(code: code, message: message, awsType: type, httpStatus: status)
    }

    static func code(forS3Code type: String?, httpStatus: Int) -> AWSError.Code {
        switch type {
        case "NoSuchKey", "NoSuchBucket", "NoSuchUpload": return .resourceNotFound
        case "AccessDenied", "InvalidAccessKeyId", "AllAccessDisabled": return .accessDenied
        case "InternalError": return .serviceUnavailable
        case "InvalidArgument", "InvalidRequest", "MalformedXML", "InvalidRange", "EntityTooSmall", "InvalidPart", "InvalidPartOrder":
            return .validation
        default:
            if type == nil && httpStatus == 404 { return .resourceNotFound }
            return AWSError.code(forAWSType: type, httpStatus: httpStatus)
        }
    }
}
