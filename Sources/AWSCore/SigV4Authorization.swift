import Foundation

/// The parts of a SigV4 `Authorization` header:
/// `AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, SignedHeaders=a;b, Signature=<hex>`.
struct SigV4Authorization: Sendable, Hashable {
    /// The `Credential=` part.
    struct Scope: Sendable, Hashable {
        var accessKeyID: String
        var date: String
        var region: String
        var service: String
        var terminator: String
    }

    var scope: Scope
    /// Lower-case names, in the order the header lists them.
    var signedHeaders: [String]
    /// Lower-case hex.
    var signature: String

    init(parsing header: String) throws(SigV4VerificationError) {
        let trimmed = SigV4Signer.trimmed(header)
        guard trimmed.hasPrefix(SigV4Signer.algorithm + " ") else {
            throw SigV4VerificationError(
                code: .malformedAuthorization,
                message: "The Authorization header does not start with \(SigV4Signer.algorithm)."
            )
        }
        var fields: [String: String] = [:]
        for part in trimmed.dropFirst(SigV4Signer.algorithm.count + 1).split(separator: ",") {
            let item = part.trimmingCharacters(in: .whitespaces)
            guard let equals = item.firstIndex(of: "=") else { continue }
            fields[String(item[..<equals])] = String(item[item.index(after: equals)...])
        }
        guard let credential = fields["Credential"], let signedHeaders = fields["SignedHeaders"], let signature = fields["Signature"] else {
            throw SigV4VerificationError(
                code: .malformedAuthorization,
                message: "The Authorization header lacks Credential, SignedHeaders or Signature."
            )
        }
        let parts = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, !parts[0].isEmpty else {
            throw SigV4VerificationError(
                code: .malformedAuthorization,
                message: "The Credential '\(parts.first ?? "")/…' is not <access key>/<date>/<region>/<service>/aws4_request."
            )
        }
        guard signature.count == 64, signature.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            throw SigV4VerificationError(code: .malformedAuthorization, message: "The Signature is not 64 lower-case hex digits.")
        }
        scope = Scope(accessKeyID: parts[0], date: parts[1], region: parts[2], service: parts[3], terminator: parts[4])
        self.signedHeaders = signedHeaders.split(separator: ";").map { $0.lowercased() }
        self.signature = signature
    }

    /// Parses `yyyyMMdd'T'HHmmss'Z'` (UTC) without a formatter: days from the civil date, then seconds.
    static func date(amzDate: String) -> Date? {
        let bytes = Array(amzDate.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8), let hour = number(9..<11),
            let minute = number(11..<13), let second = number(13..<15), (1...12).contains(month), (1...31).contains(day), hour < 24,
            minute < 60, second < 61
        else { return nil }
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3_600 + minute * 60 + second))
    }
}
