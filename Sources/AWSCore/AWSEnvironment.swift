public import Foundation

/// Credentials, region and endpoint resolved the way the AWS CLI and SDKs resolve them.
///
/// Resolution order:
/// - **Credentials:** `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`) from the
///   environment; else the profile (`profile` argument, else `AWS_PROFILE`, else `default`) in the shared
///   credentials file (`AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`), then in the config file
///   (`AWS_CONFIG_FILE`, else `~/.aws/config`, where it is written `[profile name]`).
/// - **Region:** the `region` argument, else `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the profile's `region`.
/// - **Endpoint:** the `endpointURL` argument (`--endpoint-url`), else `AWS_ENDPOINT_URL_<SERVICE>` (e.g.
///   `AWS_ENDPOINT_URL_KINESIS`), else `AWS_ENDPOINT_URL`, else the profile's `endpoint_url`, else the AWS endpoint
///   of the region.
///
/// The process environment and the files are read through parameters, so tests pass their own.
///
/// ```swift
/// let aws = try AWSEnvironment.resolve(environment: ProcessInfo.processInfo.environment, endpointURL: options.endpointURL)
/// let streams = DynamoDBStreamsClient(client: AWSJSONClient(service: .dynamoDBStreams, environment: aws, httpClient: .shared))
/// ```
public struct AWSEnvironment: Sendable, CustomStringConvertible {
    /// The credentials found.
    public var credentials: AWSCredentials
    /// The region found.
    public var region: String
    /// The explicit endpoint override, or `nil` to use the AWS endpoint of ``region``.
    public var endpointOverride: URL?
    /// Service-specific endpoint overrides from `AWS_ENDPOINT_URL_<SERVICE>`, keyed by ``AWSService/environmentKey``.
    public var serviceEndpointOverrides: [String: URL]
    /// Where the credentials came from, e.g. `environment` or `profile default in /home/me/.aws/credentials`.
    public var credentialsSource: String

    /// Creates a resolved environment directly (for tests and for callers with their own configuration).
    /// - Parameters:
    ///   - credentials: The credentials.
    ///   - region: The region.
    ///   - endpointOverride: An endpoint for every service, or `nil` for AWS's regional endpoints.
    ///   - serviceEndpointOverrides: Per-service endpoints by ``AWSService/environmentKey``; default none.
    ///   - credentialsSource: A human-readable origin of the credentials; default `explicit`.
    public init(
        credentials: AWSCredentials,
        region: String,
        endpointOverride: URL? = nil,
        serviceEndpointOverrides: [String: URL] = [:],
        credentialsSource: String = "explicit"
    ) {
        self.credentials = credentials
        self.region = region
        self.endpointOverride = endpointOverride
        self.serviceEndpointOverrides = serviceEndpointOverrides
        self.credentialsSource = credentialsSource
    }

    /// The endpoint to call for a service: the service-specific override, the general override, or AWS's.
    /// - Parameter service: The service.
    /// - Returns: The base URL of the service.
    public func endpoint(for service: AWSService) -> URL {
        if let url = serviceEndpointOverrides[service.environmentKey] { return url }
        if let endpointOverride { return endpointOverride }
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        // Both hosts are plain ASCII built from a validated region, so URL(string:) succeeds.
        return URL(string: "https://\(service.endpointPrefix).\(region).\(suffix)") ?? URL(fileURLWithPath: "/")
    }

    /// Region, endpoint and where the credentials came from. Never the secrets.
    public var description: String {
        "AWSEnvironment(region: \(region), endpoint: \(endpointOverride.map { RedactedEndpoint($0).description } ?? "AWS"), credentials: \(credentials) from \(credentialsSource))"
    }

    /// Resolves credentials, region and endpoint from the environment and the shared files.
    /// - Parameters:
    ///   - environment: The process environment (pass `ProcessInfo.processInfo.environment`).
    ///   - profile: A profile name that overrides `AWS_PROFILE`; default `nil`.
    ///   - region: A region that overrides the environment and the profile; default `nil`.
    ///   - endpointURL: An endpoint override (`--endpoint-url`); default `nil`.
    ///   - readFile: Reads a file's text, or returns `nil` when it does not exist. Defaults to reading from disk.
    /// - Returns: The resolved environment.
    /// - Throws: ``AWSError`` with ``AWSError/Code/credentialsNotFound`` when no credentials are found, and
    ///   ``AWSError/Code/invalidConfiguration`` when the region is missing, an endpoint is not a URL, a named profile
    ///   does not exist, or only half of a key pair is set.
    public static func resolve(
        environment: [String: String],
        profile: String? = nil,
        region: String? = nil,
        endpointURL: String? = nil,
        readFile: @Sendable (String) -> String? = { path in try? String(contentsOfFile: path, encoding: .utf8) }
    ) throws -> AWSEnvironment {
        func env(_ key: String) -> String? {
            guard let value = environment[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        let home = env("HOME") ?? NSHomeDirectory()
        let credentialsPath = expandTilde(env("AWS_SHARED_CREDENTIALS_FILE") ?? "~/.aws/credentials", home: home)
        let configPath = expandTilde(env("AWS_CONFIG_FILE") ?? "~/.aws/config", home: home)
        let explicitProfile = profile ?? env("AWS_PROFILE") ?? env("AWS_DEFAULT_PROFILE")
        let profileName = explicitProfile ?? "default"

        let credentialsFile = readFile(credentialsPath).map { AWSSharedConfigFile(text: $0, isConfigFile: false) }
        let configFile = readFile(configPath).map { AWSSharedConfigFile(text: $0, isConfigFile: true) }
        let credentialsProfile = credentialsFile?.profile(profileName)
        let configProfile = configFile?.profile(profileName)
        if explicitProfile != nil, credentialsProfile == nil, configProfile == nil {
            throw AWSError(
                code: .invalidConfiguration,
                message: "AWS profile '\(profileName)' was not found in \(credentialsPath) or \(configPath). "
                    + "Check AWS_PROFILE/--profile, or set AWS_SHARED_CREDENTIALS_FILE/AWS_CONFIG_FILE to the files that define it."
            )
        }

        // Credentials.
        let credentials: AWSCredentials
        let source: String
        switch (env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")) {
        case (let keyID?, let secret?):
            credentials = AWSCredentials(accessKeyID: keyID, secretAccessKey: secret, sessionToken: env("AWS_SESSION_TOKEN"))
            source = "environment"
        case (.some, nil), (nil, .some):
            throw AWSError(
                code: .invalidConfiguration,
                message: "Only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set. Set both, or unset both to use a profile."
            )
        case (nil, nil):
            if let found = profileCredentials(credentialsProfile) {
                credentials = found
                source = "profile \(profileName) in \(credentialsPath)"
            } else if let found = profileCredentials(configProfile) {
                credentials = found
                source = "profile \(profileName) in \(configPath)"
            } else {
                let unsupported = ["role_arn", "credential_process", "sso_session", "sso_start_url", "web_identity_token_file"]
                    .filter { configProfile?[$0] != nil || credentialsProfile?[$0] != nil }
                let hint =
                    unsupported.isEmpty
                    ? ""
                    : " Profile '\(profileName)' uses \(unsupported.joined(separator: ", ")), which StreamVault cannot use yet: "
                        + "export temporary credentials instead (`aws configure export-credentials --profile \(profileName) --format env`)."
                throw AWSError(
                    code: .credentialsNotFound,
                    message: "No AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for "
                        + "temporary credentials), or AWS_PROFILE to a profile with aws_access_key_id/aws_secret_access_key in "
                        + "\(credentialsPath) or \(configPath) (looked for profile '\(profileName)')." + hint
                )
            }
        }

        // Region.
        guard
            let resolvedRegion = region ?? env("AWS_REGION") ?? env("AWS_DEFAULT_REGION") ?? configProfile?["region"] ?? credentialsProfile?["region"]
        else {
            throw AWSError(
                code: .invalidConfiguration,
                message: "No AWS region found: pass --region, set AWS_REGION, or add `region = ...` to profile '\(profileName)' in \(configPath)."
            )
        }
        guard isPlausibleRegion(resolvedRegion) else {
            throw AWSError(
                code: .invalidConfiguration,
                message: "'\(resolvedRegion)' is not an AWS region name (expected something like us-east-1). Fix --region/AWS_REGION."
            )
        }

        // Endpoints.
        func parseURL(_ string: String, from origin: String) throws -> URL {
            guard let url = URL(string: string), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil
            else {
                throw AWSError(
                    code: .invalidConfiguration,
                    message: "\(origin) '\(RedactedEndpoint(string))' is not an http(s) URL. Pass something like http://127.0.0.1:5000."
                )
            }
            return url
        }
        var endpoint: URL?
        if let endpointURL {
            endpoint = try parseURL(endpointURL, from: "--endpoint-url")
        } else if let value = env("AWS_ENDPOINT_URL") {
            endpoint = try parseURL(value, from: "AWS_ENDPOINT_URL")
        } else if let value = configProfile?["endpoint_url"] {
            endpoint = try parseURL(value, from: "endpoint_url of profile '\(profileName)'")
        }
        var serviceEndpoints: [String: URL] = [:]
        if endpointURL == nil {
            for service in AWSService.all {
                let key = "AWS_ENDPOINT_URL_\(service.environmentKey)"
                if let value = env(key) { serviceEndpoints[service.environmentKey] = try parseURL(value, from: key) }
            }
        }
        return AWSEnvironment(
            credentials: credentials,
            region: resolvedRegion,
            endpointOverride: endpoint,
            serviceEndpointOverrides: serviceEndpoints,
            credentialsSource: source
        )
    }

    private static func profileCredentials(_ profile: [String: String]?) -> AWSCredentials? {
        guard let profile, let keyID = profile["aws_access_key_id"], !keyID.isEmpty,
            let secret = profile["aws_secret_access_key"], !secret.isEmpty
        else { return nil }
        let token = profile["aws_session_token"].flatMap { $0.isEmpty ? nil : $0 }
        return AWSCredentials(accessKeyID: keyID, secretAccessKey: secret, sessionToken: token)
    }

    private static func expandTilde(_ path: String, home: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + path.dropFirst(1) }
        return path
    }

    private static func isPlausibleRegion(_ region: String) -> Bool {
        !region.isEmpty && region.count <= 32
            && region.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }
}
