import Foundation

/// The shared AWS files: `~/.aws/config` (sections `[default]` and `[profile NAME]`) and
/// `~/.aws/credentials` (sections `[NAME]`). Pure: text in, settings out.
public struct SharedConfigFiles: Sendable, Equatable {
    /// Settings per profile; keys are lower-cased; a key in the credentials file wins over the config file.
    public var profiles: [String: [String: String]]

    public init(profiles: [String: [String: String]]) { self.profiles = profiles }

    public init(configText: String?, credentialsText: String?) {
        var profiles: [String: [String: String]] = [:]
        for (section, settings) in Self.parseINI(configText ?? "") {
            let name: String
            if section == "default" {
                name = "default"
            } else if section.hasPrefix("profile ") || section.hasPrefix("profile\t") {
                name = section.dropFirst("profile".count).trimmingCharacters(in: .whitespaces)
            } else {
                continue // [sso-session x], [services x], and bare names are not profiles in the config file
            }
            profiles[name, default: [:]].merge(settings) { _, new in new }
        }
        for (section, settings) in Self.parseINI(credentialsText ?? "") {
            profiles[section, default: [:]].merge(settings) { _, new in new }
        }
        self.profiles = profiles
    }

    /// Reads the two files; a missing file is an empty file.
    public static func load(configPath: String, credentialsPath: String) -> SharedConfigFiles {
        SharedConfigFiles(configText: try? String(contentsOfFile: configPath, encoding: .utf8),
                          credentialsText: try? String(contentsOfFile: credentialsPath, encoding: .utf8))
    }

    /// `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`, else `$HOME/.aws/config` and `$HOME/.aws/credentials`.
    /// A leading `~/` is expanded with `HOME`.
    public static func paths(environment: [String: String]) -> (config: String, credentials: String) {
        let home = environment.nonEmpty("HOME") ?? "/root"
        func expand(_ path: String) -> String { path.hasPrefix("~/") ? home + path.dropFirst(1) : path }
        return (expand(environment.nonEmpty("AWS_CONFIG_FILE") ?? "~/.aws/config"),
                expand(environment.nonEmpty("AWS_SHARED_CREDENTIALS_FILE") ?? "~/.aws/credentials"))
    }

    /// INI as the AWS CLI reads it: `[section]`, `key = value`, full-line `#`/`;` comments, keys lower-cased.
    /// Indented lines (nested settings such as `s3 =` blocks) are skipped.
    static func parseINI(_ text: String) -> [(String, [String: String])] {
        var sections: [(String, [String: String])] = []
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            if rawLine.first == " " || rawLine.first == "\t" { continue }
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                sections.append((name, [:]))
                continue
            }
            guard !sections.isEmpty, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[sections.count - 1].1[key] = value
        }
        return sections
    }
}

/// Where a profile's credentials come from, resolved from the files without doing any I/O.
public indirect enum ProfileCredentialSource: Sendable, Equatable {
    case staticKeys(Credentials)
    case process(command: String)
    case assumeRole(STSClient.AssumeRoleRequest, source: ProfileCredentialSource)
    case webIdentity(roleARN: String, sessionName: String?, tokenFile: String)
    /// `credential_source = Environment | Ec2InstanceMetadata | EcsContainer`.
    case environment
    case instanceMetadata
    case container
}

extension SharedConfigFiles {
    /// Resolves a profile the way the AWS CLI does: `role_arn` (with `source_profile`, `credential_source` or
    /// `web_identity_token_file`) first, then static keys, then `credential_process`.
    /// `defaultSessionName` is used when a profile has no `role_session_name`.
    public func source(forProfile name: String, defaultSessionName: String) throws -> ProfileCredentialSource {
        try source(forProfile: name, defaultSessionName: defaultSessionName, visited: [])
    }

    private func source(forProfile name: String, defaultSessionName: String, visited: [String]) throws -> ProfileCredentialSource {
        let provider = "profile \(name)"
        guard let settings = profiles[name] else {
            throw CredentialError.notConfigured(provider, "no such profile in the shared config or credentials file")
        }
        if let roleARN = settings.nonEmpty("role_arn") {
            let request = STSClient.AssumeRoleRequest(
                roleARN: roleARN,
                sessionName: settings.nonEmpty("role_session_name") ?? defaultSessionName,
                externalID: settings.nonEmpty("external_id"),
                durationSeconds: settings.nonEmpty("duration_seconds").flatMap(Int.init)
            )
            if let tokenFile = settings.nonEmpty("web_identity_token_file") {
                return .webIdentity(roleARN: roleARN, sessionName: settings.nonEmpty("role_session_name"), tokenFile: tokenFile)
            }
            switch (settings.nonEmpty("source_profile"), settings.nonEmpty("credential_source")) {
            case (_?, _?):
                throw CredentialError.invalid(provider, "has both source_profile and credential_source")
            case (nil, nil):
                throw CredentialError.invalid(provider, "has role_arn but neither source_profile nor credential_source")
            case (let sourceName?, nil):
                if sourceName == name {
                    // A profile may name itself: its own static keys are the source.
                    return .assumeRole(request, source: try staticKeys(settings, provider: provider))
                }
                if visited.contains(sourceName) {
                    throw CredentialError.invalid(provider, "source_profile cycle: \((visited + [name, sourceName]).joined(separator: " → "))")
                }
                let source: ProfileCredentialSource
                do {
                    source = try self.source(forProfile: sourceName, defaultSessionName: defaultSessionName, visited: visited + [name])
                } catch var error as CredentialError {
                    if error.kind == .notConfigured { error.kind = .invalidConfiguration }
                    throw error.within(provider)
                }
                return .assumeRole(request, source: source)
            case (nil, let credentialSource?):
                switch credentialSource {
                case "Environment": return .assumeRole(request, source: .environment)
                case "Ec2InstanceMetadata": return .assumeRole(request, source: .instanceMetadata)
                case "EcsContainer": return .assumeRole(request, source: .container)
                default:
                    throw CredentialError.invalid(provider, "credential_source must be Environment, Ec2InstanceMetadata or EcsContainer")
                }
            }
        }
        if settings.nonEmpty("aws_access_key_id") != nil || settings.nonEmpty("aws_secret_access_key") != nil {
            return try staticKeys(settings, provider: provider)
        }
        if let command = settings.nonEmpty("credential_process") {
            return .process(command: command)
        }
        throw CredentialError.notConfigured(provider, "profile has no credentials (keys, credential_process or role_arn)")
    }

    private func staticKeys(_ settings: [String: String], provider: String) throws -> ProfileCredentialSource {
        guard let accessKeyID = settings.nonEmpty("aws_access_key_id") else {
            throw CredentialError.invalid(provider, "aws_access_key_id is missing")
        }
        guard let secret = settings.nonEmpty("aws_secret_access_key") else {
            throw CredentialError.invalid(provider, "aws_secret_access_key is missing")
        }
        return .staticKeys(Credentials(accessKeyID: accessKeyID, secretAccessKey: secret,
                                       sessionToken: settings.nonEmpty("aws_session_token")))
    }
}
