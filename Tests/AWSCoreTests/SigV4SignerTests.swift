import AWSCore
import Foundation
import Testing

/// One case of AWS's SigV4 test suite, read from `SigV4Vectors/<name>/`.
struct SigV4Vector: CustomTestStringConvertible, Sendable {
    let name: String
    let request: SigV4Signer.Request
    let sessionToken: String?
    let canonicalRequest: String
    let stringToSign: String
    let authorization: String

    var testDescription: String { name }

    static let directory: URL? = Bundle.module.url(forResource: "SigV4Vectors", withExtension: nil)

    static var all: [SigV4Vector] {
        guard let directory,
            let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        else { return [] }
        return names.sorted().compactMap { name in
            let folder = directory.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
            return try? SigV4Vector(name: name, folder: folder)
        }
    }

    init(name: String, folder: URL) throws {
        func read(_ ext: String) throws -> String {
            try String(contentsOf: folder.appendingPathComponent("\(name).\(ext)"), encoding: .utf8)
        }
        self.name = name
        canonicalRequest = try read("creq")
        stringToSign = try read("sts")
        authorization = try read("authz")

        let text = try read("req")
        let (head, body) = text.range(of: "\n\n").map { (String(text[..<$0.lowerBound]), String(text[$0.upperBound...])) } ?? (text, "")
        var lines = head.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let requestLine = lines.removeFirst()
        let method = String(requestLine.prefix { $0 != " " })
        var target = String(requestLine.dropFirst(method.count + 1))
        if target.hasSuffix(" HTTP/1.1") { target.removeLast(" HTTP/1.1".count) }
        let path = String(target.prefix { $0 != "?" })
        let queryString = target.dropFirst(path.count + 1)
        let query =
            queryString.isEmpty
            ? []
            : queryString.split(separator: "&").map { item -> (name: String, value: String) in
                let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                return (name: String(parts[0]), value: parts.count > 1 ? String(parts[1]) : "")
            }
        var headers: [(name: String, value: String)] = []
        var token: String?
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let headerName = String(line[..<colon])
            let value = String(line[line.index(after: colon)...])
            switch headerName.lowercased() {
            // Left to the signer: it must add both itself, from the signing date and the credentials.
            case "x-amz-date": continue
            case "x-amz-security-token": token = value
            default: headers.append((name: headerName, value: value))
            }
        }
        sessionToken = token
        request = SigV4Signer.Request(method: method, path: path, query: query, headers: headers, body: Data(body.utf8))
    }
}

struct SigV4SignerTests {
    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z

    static func signer(sessionToken: String? = nil) -> SigV4Signer {
        SigV4Signer(
            credentials: AWSCredentials(
                accessKeyID: "AKIDEXAMPLE",
                secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                sessionToken: sessionToken
            ),
            region: "us-east-1",
            service: "service"
        )
    }

    @Test func testSuiteIsPresent() {
        #expect(SigV4Vector.all.count >= 20, "SigV4Vectors resource missing or unreadable")
    }

    @Test(arguments: SigV4Vector.all)
    func matchesAWSTestSuite(_ vector: SigV4Vector) {
        let signed = Self.signer(sessionToken: vector.sessionToken).sign(vector.request, date: Self.date)
        #expect(signed.canonicalRequest == vector.canonicalRequest)
        #expect(signed.stringToSign == vector.stringToSign)
        #expect(signed.authorization == vector.authorization)
        #expect(signed.headers.last?.name == "Authorization" && signed.headers.last?.value == vector.authorization)
        #expect(signed.headers.contains { $0.name == "X-Amz-Date" && $0.value == "20150830T123600Z" })
        #expect(signed.headers.contains { $0.name == "X-Amz-Security-Token" } == (vector.sessionToken != nil))
    }

    @Test func formatsAmzDateInUTC() {
        #expect(SigV4Signer.amzDate(Self.date) == "20150830T123600Z")
        #expect(SigV4Signer.amzDate(Date(timeIntervalSince1970: 0)) == "19700101T000000Z")
    }

    @Test func hashesTheEmptyPayload() {
        #expect(SigV4Signer.hexSHA256(Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func credentialsDescriptionsRedactSecrets() {
        let credentials = AWSCredentials(
            accessKeyID: "AKIDEXAMPLE",
            secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            sessionToken: "TOKEN123"
        )
        for text in [credentials.description, credentials.debugDescription, "\(credentials)", String(reflecting: credentials)] {
            #expect(!text.contains("wJalr"))
            #expect(!text.contains("TOKEN123"))
            #expect(!text.contains("AKIDEXAMPLE"))
        }
        let environment = AWSEnvironment(credentials: credentials, region: "us-east-1")
        #expect(!environment.description.contains("wJalr"))
    }
}
