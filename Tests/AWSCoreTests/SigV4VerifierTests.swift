import AWSCore
import Foundation
import StreamVaultTesting
import Testing

struct SigV4VerifierTests {
    static let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")

    static func verifier(region: String = "us-east-1", service: String = "service", sessionToken: String? = nil) -> SigV4Verifier {
        let known = AWSCredentials(
            accessKeyID: credentials.accessKeyID,
            secretAccessKey: credentials.secretAccessKey,
            sessionToken: sessionToken
        )
        return SigV4Verifier(region: region, service: service) { $0 == known.accessKeyID ? known : nil }
    }

    /// What a server receives for a request the signer signed.
    static func received(_ request: SigV4Signer.Request, signed: SigV4Signer.SignedRequest) -> SigV4Verifier.Request {
        SigV4Verifier.Request(
            method: request.method,
            path: request.path,
            query: request.query,
            headers: signed.headers,
            payloadHash: SigV4Signer.hexSHA256(request.body)
        )
    }

    @Test(arguments: SigV4Vector.all)
    func acceptsWhatTheSignerSigned(_ vector: SigV4Vector) throws {
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "service")
        var request = vector.request
        request.headers.removeAll { $0.name.lowercased() == "x-amz-security-token" }
        let signed = signer.sign(request, date: SigV4SignerTests.date)
        let caller = try Self.verifier().verify(Self.received(request, signed: signed), now: SigV4SignerTests.date.addingTimeInterval(60))
        #expect(caller.accessKeyID == "AKIDEXAMPLE")
    }

    /// A tampered or mis-addressed request, and the code it must be rejected with.
    struct Tampering: Sendable, CustomTestStringConvertible {
        let name: String
        let code: SigV4VerificationError.Code
        let change: @Sendable (inout SigV4Verifier.Request) -> Void
        var now: Date = SigV4SignerTests.date
        var verifier: SigV4Verifier = SigV4VerifierTests.verifier(service: "dynamodb")
        var testDescription: String { name }
    }

    static func replaceHeader(_ name: String, with value: String) -> @Sendable (inout SigV4Verifier.Request) -> Void {
        { request in
            request.headers = request.headers.map { $0.name.lowercased() == name.lowercased() ? (name: $0.name, value: value) : $0 }
        }
    }

    static let tamperings: [Tampering] = [
        Tampering(name: "changed body", code: .signatureMismatch, change: { $0.payloadHash = SigV4Signer.hexSHA256(Data("{}".utf8)) }),
        Tampering(name: "changed target", code: .signatureMismatch, change: replaceHeader("X-Amz-Target", with: "DynamoDB_20120810.DeleteTable")),
        Tampering(name: "changed path", code: .signatureMismatch, change: { $0.path = "/other" }),
        Tampering(name: "added query", code: .signatureMismatch, change: { $0.query = [("a", "1")] }),
        Tampering(name: "changed method", code: .signatureMismatch, change: { $0.method = "PUT" }),
        Tampering(
            name: "flipped signature digit",
            code: .signatureMismatch,
            change: { request in
                request.headers = request.headers.map { header in
                    guard header.name == "Authorization" else { return header }
                    let last = header.value.last == "0" ? "1" : "0"
                    return (name: header.name, value: String(header.value.dropLast()) + last)
                }
            }
        ),
        Tampering(name: "no Authorization", code: .missingAuthorization, change: { $0.headers.removeAll { $0.name == "Authorization" } }),
        Tampering(name: "not SigV4", code: .malformedAuthorization, change: replaceHeader("Authorization", with: "Basic YWxpY2U6aHVudGVyMg==")),
        Tampering(name: "no X-Amz-Date", code: .missingDate, change: { $0.headers.removeAll { $0.name == "X-Amz-Date" } }),
        Tampering(name: "date outside the scope", code: .invalidScope, change: replaceHeader("X-Amz-Date", with: "20150831T000000Z")),
        Tampering(name: "an hour late", code: .requestTimeSkewed, change: { _ in }, now: SigV4SignerTests.date.addingTimeInterval(3600)),
        Tampering(name: "six minutes early", code: .requestTimeSkewed, change: { _ in }, now: SigV4SignerTests.date.addingTimeInterval(-360)),
        Tampering(
            name: "other region",
            code: .invalidScope,
            change: { _ in },
            verifier: SigV4VerifierTests.verifier(region: "eu-west-1", service: "dynamodb")
        ),
        Tampering(name: "other service", code: .invalidScope, change: { _ in }, verifier: SigV4VerifierTests.verifier(service: "kinesis")),
        Tampering(
            name: "unknown key",
            code: .unknownAccessKey,
            change: { _ in },
            verifier: SigV4Verifier(region: "us-east-1", service: "dynamodb") { _ in nil }
        ),
        Tampering(
            name: "wrong secret",
            code: .signatureMismatch,
            change: { _ in },
            verifier: SigV4Verifier(region: "us-east-1", service: "dynamodb") {
                AWSCredentials(accessKeyID: $0, secretAccessKey: "another secret")
            }
        ),
        Tampering(
            name: "missing session token",
            code: .unknownAccessKey,
            change: { _ in },
            verifier: SigV4VerifierTests.verifier(service: "dynamodb", sessionToken: "TOKEN")
        ),
    ]

    @Test(arguments: tamperings)
    func rejectsTamperedRequests(_ tampering: Tampering) throws {
        let body = Data(#"{"TableName":"Orders"}"#.utf8)
        let request = SigV4Signer.Request(
            method: "POST",
            path: "/",
            headers: [
                (name: "Host", value: "dynamodb.us-east-1.amazonaws.com"),
                (name: "Content-Type", value: "application/x-amz-json-1.0"),
                (name: "X-Amz-Target", value: "DynamoDB_20120810.DescribeTable"),
            ],
            body: body
        )
        let signed = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "dynamodb").sign(request, date: SigV4SignerTests.date)
        var received = Self.received(request, signed: signed)
        // Untampered, it verifies: the rejection below is the tampering's doing.
        _ = try Self.verifier(service: "dynamodb").verify(received, now: SigV4SignerTests.date)
        tampering.change(&received)
        #expect {
            try tampering.verifier.verify(received, now: tampering.now)
        } throws: { error in
            (error as? SigV4VerificationError)?.code == tampering.code
        }
    }

    /// Requests botocore signed (the signer every AWS CLI and boto3 call uses), verified here.
    @Test func acceptsRequestsBotocoreSigned() throws {
        let script = #"""
            import json, sys
            from botocore.auth import SigV4Auth
            from botocore.awsrequest import AWSRequest
            from botocore.credentials import Credentials
            out = []
            for method, url, body, token in [
                ("POST", "https://dynamodb.us-east-1.amazonaws.com/", '{"TableName":"Orders"}', None),
                ("POST", "http://127.0.0.1:5000/", '{"StreamName":"s","Limit":5}', "session-token"),
                ("GET", "https://example.amazonaws.com/path/to/thing?b=2&a=1&a=0", "", None),
            ]:
                headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.DescribeTable"}
                request = AWSRequest(method=method, url=url, data=body.encode(), headers=headers)
                SigV4Auth(Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token), "dynamodb", "us-east-1").add_auth(request)
                host = url.split("/")[2]
                out.append({"method": method, "url": url, "body": body, "token": token,
                            "headers": [["Host", host]] + [[k, v] for k, v in request.headers.items()]})
            print(json.dumps(out))
            """#
        let result = try CommandRunner.run("python3", ["-c", script])
        try #require(result.status == 0, "botocore: \(result.stderr)")
        struct Signed: Decodable {
            let method: String
            let url: String
            let body: String
            let token: String?
            let headers: [[String]]
        }
        let requests = try JSONDecoder().decode([Signed].self, from: result.stdout)
        #expect(requests.count == 3)
        for signed in requests {
            let url = try #require(URLComponents(string: signed.url))
            let received = SigV4Verifier.Request(
                method: signed.method,
                path: url.path.isEmpty ? "/" : url.path,
                query: (url.queryItems ?? []).map { (name: $0.name, value: $0.value ?? "") },
                headers: signed.headers.map { (name: $0[0], value: $0[1]) },
                payloadHash: SigV4Signer.hexSHA256(Data(signed.body.utf8))
            )
            let verifier = Self.verifier(service: "dynamodb", sessionToken: signed.token)
            #expect(throws: Never.self, "\(signed.url)") { try verifier.verify(received, now: Date()) }
            var tampered = received
            tampered.payloadHash = SigV4Signer.hexSHA256(Data((signed.body + " ").utf8))
            #expect(throws: SigV4VerificationError.self) { try verifier.verify(tampered, now: Date()) }
        }
    }
}
