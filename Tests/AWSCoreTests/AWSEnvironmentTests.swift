import AWSCore
import Foundation
import Testing

struct AWSEnvironmentTests {
    /// Serves file contents from a dictionary instead of the disk.
    static func files(_ files: [String: String]) -> @Sendable (String) -> String? {
        { path in files[path] }
    }

    static let credentialsFile = """
        # comment
        [default]
        aws_access_key_id = DEFAULTKEY
        aws_secret_access_key = defaultsecret

        [work]
        aws_access_key_id=WORKKEY
        aws_secret_access_key=worksecret ; inline comment
        aws_session_token = worktoken
        """

    static let configFile = """
        [default]
        region = eu-west-1

        [profile work]
        region = ap-southeast-2
        endpoint_url = http://localhost:4566
        s3 =
            addressing_style = path

        [profile onlyconfig]
        region = us-west-2
        aws_access_key_id = CONFIGKEY
        aws_secret_access_key = configsecret

        [profile sso]
        sso_session = corp
        region = us-east-2

        [sso-session corp]
        sso_region = us-east-1
        """

    static let home = ["HOME": "/home/me"]
    static let standardFiles = files(["/home/me/.aws/credentials": credentialsFile, "/home/me/.aws/config": configFile])

    @Test func environmentCredentialsWin() throws {
        let env = Self.home.merging([
            "AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "envsecret", "AWS_SESSION_TOKEN": "envtoken", "AWS_REGION": "us-east-1",
        ]) { $1 }
        let aws = try AWSEnvironment.resolve(environment: env, readFile: Self.standardFiles)
        #expect(aws.credentials == AWSCredentials(accessKeyID: "ENVKEY", secretAccessKey: "envsecret", sessionToken: "envtoken"))
        #expect(aws.region == "us-east-1")
        #expect(aws.credentialsSource == "environment")
        #expect(aws.endpointOverride == nil)
        #expect(aws.endpoint(for: .dynamoDBStreams).absoluteString == "https://streams.dynamodb.us-east-1.amazonaws.com")
        #expect(aws.endpoint(for: .kinesis).absoluteString == "https://kinesis.us-east-1.amazonaws.com")
    }

    @Test func defaultProfileFromSharedFiles() throws {
        let aws = try AWSEnvironment.resolve(environment: Self.home, readFile: Self.standardFiles)
        #expect(aws.credentials == AWSCredentials(accessKeyID: "DEFAULTKEY", secretAccessKey: "defaultsecret"))
        #expect(aws.region == "eu-west-1")
        #expect(aws.credentialsSource == "profile default in /home/me/.aws/credentials")
    }

    @Test func namedProfileFromAWSProfile() throws {
        let aws = try AWSEnvironment.resolve(environment: Self.home.merging(["AWS_PROFILE": "work"]) { $1 }, readFile: Self.standardFiles)
        #expect(aws.credentials == AWSCredentials(accessKeyID: "WORKKEY", secretAccessKey: "worksecret", sessionToken: "worktoken"))
        #expect(aws.region == "ap-southeast-2")
        #expect(aws.endpointOverride?.absoluteString == "http://localhost:4566")
    }

    @Test func profileArgumentOverridesAWSProfile() throws {
        let aws = try AWSEnvironment.resolve(
            environment: Self.home.merging(["AWS_PROFILE": "work"]) { $1 },
            profile: "onlyconfig",
            readFile: Self.standardFiles
        )
        #expect(aws.credentials.accessKeyID == "CONFIGKEY")
        #expect(aws.region == "us-west-2")
        #expect(aws.credentialsSource == "profile onlyconfig in /home/me/.aws/config")
    }

    @Test func fileLocationOverrides() throws {
        let env = ["HOME": "/nowhere", "AWS_SHARED_CREDENTIALS_FILE": "/etc/creds", "AWS_CONFIG_FILE": "/etc/conf", "AWS_PROFILE": "work"]
        let aws = try AWSEnvironment.resolve(
            environment: env,
            readFile: Self.files(["/etc/creds": Self.credentialsFile, "/etc/conf": Self.configFile])
        )
        #expect(aws.credentials.accessKeyID == "WORKKEY")
        #expect(aws.region == "ap-southeast-2")
    }

    @Test func regionPrecedence() throws {
        let base = Self.home
        #expect(try AWSEnvironment.resolve(environment: base, readFile: Self.standardFiles).region == "eu-west-1")
        let withDefault = base.merging(["AWS_DEFAULT_REGION": "us-west-1"]) { $1 }
        #expect(try AWSEnvironment.resolve(environment: withDefault, readFile: Self.standardFiles).region == "us-west-1")
        let withRegion = withDefault.merging(["AWS_REGION": "sa-east-1"]) { $1 }
        #expect(try AWSEnvironment.resolve(environment: withRegion, readFile: Self.standardFiles).region == "sa-east-1")
        #expect(try AWSEnvironment.resolve(environment: withRegion, region: "ca-central-1", readFile: Self.standardFiles).region == "ca-central-1")
    }

    @Test func endpointPrecedence() throws {
        let env = Self.home.merging([
            "AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "AWS_ENDPOINT_URL_KINESIS": "http://127.0.0.1:4567",
        ]) { $1 }
        let aws = try AWSEnvironment.resolve(environment: env, readFile: Self.standardFiles)
        #expect(aws.endpoint(for: .dynamoDBStreams).absoluteString == "http://127.0.0.1:5000")
        #expect(aws.endpoint(for: .kinesis).absoluteString == "http://127.0.0.1:4567")
        let explicit = try AWSEnvironment.resolve(environment: env, endpointURL: "https://example.test", readFile: Self.standardFiles)
        #expect(explicit.endpoint(for: .kinesis).absoluteString == "https://example.test")
        #expect(explicit.endpoint(for: .dynamoDB).absoluteString == "https://example.test")
    }

    @Test func noCredentialsSaysWhatToSet() {
        #expect {
            try AWSEnvironment.resolve(environment: ["HOME": "/home/me", "AWS_REGION": "us-east-1"], readFile: Self.files([:]))
        } throws: { error in
            guard let error = error as? AWSError else { return false }
            return error.code == .credentialsNotFound && error.message.hasPrefix("No AWS credentials found: set AWS_ACCESS_KEY_ID")
                && error.message.contains("AWS_PROFILE") && error.message.contains("/home/me/.aws/credentials")
        }
    }

    @Test func ssoProfileGetsAnExportHint() {
        #expect {
            try AWSEnvironment.resolve(environment: Self.home.merging(["AWS_PROFILE": "sso"]) { $1 }, readFile: Self.standardFiles)
        } throws: { error in
            guard let error = error as? AWSError else { return false }
            return error.code == .credentialsNotFound && error.message.contains("aws configure export-credentials --profile sso")
        }
    }

    /// A configuration `resolve` refuses with `invalidConfiguration`, and what its message must name.
    struct InvalidConfiguration: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let environment: [String: String]
        let readFile: @Sendable (String) -> String?
        let mentions: String?
    }

    static let invalidConfigurations = [
        InvalidConfiguration(
            testDescription: "unknown named profile",
            environment: home.merging(["AWS_PROFILE": "nope"]) { $1 },
            readFile: standardFiles,
            mentions: "'nope'"
        ),
        InvalidConfiguration(
            testDescription: "half a key pair",
            environment: ["AWS_ACCESS_KEY_ID": "X", "AWS_REGION": "us-east-1"],
            readFile: files([:]),
            mentions: nil
        ),
        InvalidConfiguration(
            testDescription: "missing region",
            environment: ["AWS_ACCESS_KEY_ID": "X", "AWS_SECRET_ACCESS_KEY": "Y"],
            readFile: files([:]),
            mentions: "AWS_REGION"
        ),
    ]

    @Test(arguments: invalidConfigurations)
    func invalidConfigurationIsAnError(_ configuration: InvalidConfiguration) {
        #expect {
            try AWSEnvironment.resolve(environment: configuration.environment, readFile: configuration.readFile)
        } throws: { error in
            (error as? AWSError)?.code == .invalidConfiguration && configuration.mentions.map { "\(error)".contains($0) } ?? true
        }
    }

    @Test(arguments: ["localhost:5000", "ftp://host", "not a url"])
    func rejectsEndpointThatIsNotHTTP(_ endpoint: String) {
        #expect(throws: AWSError.self) {
            try AWSEnvironment.resolve(
                environment: ["AWS_ACCESS_KEY_ID": "X", "AWS_SECRET_ACCESS_KEY": "Y", "AWS_REGION": "us-east-1"],
                endpointURL: endpoint,
                readFile: Self.files([:])
            )
        }
    }

    @Test func errorsNeverContainSecrets() {
        do {
            _ = try AWSEnvironment.resolve(
                environment: ["AWS_SECRET_ACCESS_KEY": "supersecret", "AWS_REGION": "us-east-1"],
                readFile: Self.files([:])
            )
            Issue.record("expected an error")
        } catch {
            #expect(!"\(error)".contains("supersecret"))
        }
    }
}
