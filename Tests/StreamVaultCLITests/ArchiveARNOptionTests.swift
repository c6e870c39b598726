import Foundation
import StreamVaultTesting
import Testing

/// `archive` reads ARNs through StreamModel's one ARN type: a bad or misplaced ARN is a usage error that
/// names the part that is wrong (checked before any AWS call).
@Suite(.timeLimit(.minutes(2)))
struct ArchiveARNOptionTests {
    @Test(arguments: [
        (["--stream-arn", "Orders"], "--stream-arn: ARN 'Orders' is not an ARN"),
        (["--stream-arn", "arn:aws:dynamodb:us-east-1:123:table/Orders/stream/L"], "has account '123'"),
        (["--stream-arn", "arn:aws:dynamodb:us-east-1:123456789012:table/Orders"], "is the ARN of a DynamoDB table, not a DynamoDB stream"),
        (["--table", "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/L"], "pass it as --stream-arn"),
        (["--kinesis-stream", "arn:aws:kinesis:us-east-1:123456789012:orders"], "expected stream/NAME"),
        (["--kinesis-stream", "arn:aws-cn:s3:cn-north-1:123456789012:stream/orders"], "has service 's3'"),
    ])
    func badARNsAreUsageErrors(_ options: [String], _ message: String) throws {
        let ws = try CLIWorkspace()
        let result = try ws.run(["archive", "--once"] + options)
        #expect(result.status == 64, "\(options): \(result.status) \(result.stderr)")
        #expect(result.stderr.contains(message), "\(options): \(result.stderr)")
    }
}
