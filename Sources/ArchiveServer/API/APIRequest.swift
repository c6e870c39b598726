import Foundation
import StreamModel

/// The JSON body of an API call, with typed accessors whose errors name the operation and the field.
///
/// Request bodies are small (a few fields), so Foundation's parser is fine here; answers with records are
/// written by hand.
struct APIRequest {
    let operation: String
    private let fields: [String: Any]

    /// Parses `body`: an empty body is `{}`; anything but a JSON object is a `SerializationException`.
    init(operation: String, body: [UInt8]) throws(APIError) {
        self.operation = operation
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            fields = [:]
            return
        }
        guard let value = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) else {
            throw APIError(code: .serialization, message: "\(operation): the request body is not JSON. Send a JSON object.")
        }
        guard let object = value as? [String: Any] else {
            throw APIError(code: .serialization, message: "\(operation): the request body is JSON but not an object. Send a JSON object.")
        }
        fields = object
    }

    /// A string member, or `nil` when absent.
    func string(_ name: String) throws(APIError) -> String? {
        guard let value = fields[name], !(value is NSNull) else { return nil }
        guard let text = value as? String else { throw wrongType(name, "a string") }
        return text
    }

    /// A string member that must be present.
    func requiredString(_ name: String) throws(APIError) -> String {
        guard let text = try string(name) else { throw APIError.missing(name, operation) }
        return text
    }

    /// An integer member within `range`, or `nil` when absent.
    func integer(_ name: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let value = fields[name], !(value is NSNull) else { return nil }
        guard let number = value as? NSNumber, let exact = Int(exactly: number.doubleValue)
        else {
            throw wrongType(name, "an integer")
        }
        guard range.contains(exact) else {
            throw APIError.validation(
                "\(operation): '\(name)' is \(exact); it must be between \(range.lowerBound) and \(range.upperBound)."
            )
        }
        return exact
    }

    /// A timestamp member (epoch seconds, as the SDKs send it, or ISO 8601 text) in epoch ms, or `nil` when absent.
    func timestampMillis(_ name: String) throws(APIError) -> Int64? {
        guard let value = fields[name], !(value is NSNull) else { return nil }
        if let number = value as? NSNumber {
            let seconds = number.doubleValue
            guard seconds.isFinite, abs(seconds) < 1e13 else { throw wrongType(name, "a time in epoch seconds") }
            return Int64((seconds * 1000).rounded())
        }
        if let text = value as? String, let millis = ISO8601.parseMillis(text) { return millis }
        throw wrongType(name, "a time (epoch seconds, or ISO 8601 text)")
    }

    /// An object member, or `nil` when absent.
    func object(_ name: String) throws(APIError) -> APIRequest? {
        guard let value = fields[name], !(value is NSNull) else { return nil }
        guard let object = value as? [String: Any] else { throw wrongType(name, "an object") }
        return APIRequest(operation: "\(operation) \(name)", fields: object)
    }

    private init(operation: String, fields: [String: Any]) {
        self.operation = operation
        self.fields = fields
    }

    private func wrongType(_ name: String, _ expected: String) -> APIError {
        .validation("\(operation): '\(name)' must be \(expected).")
    }
}
