import AWS
import Foundation
import Testing

@Suite struct CredentialsProfileTests {
    let noNetwork = RecordingTransport { request in
        throw TransportError(kind: .connect, endpoint: request.url.host ?? "", detail: "connection refused")
    }

    @Test func parsesConfigAndCredentialsFilesWithCredentialsWinning() {
        let files = SharedConfigFiles(
            configText: """
            # comment
            [default]
            region = eu-west-1
            aws_access_key_id = FROMCONFIG

            [profile cards]
            Role_ARN = arn:aws:iam::111122223333:role/cards
            source_profile = default
            s3 =
              max_concurrent_requests = 10
            [sso-session corp]
            sso_region = us-east-1
            [bare]
            ignored = yes
            """,
            credentialsText: """
            [default]
            aws_access_key_id = AKIDDEFAULT
            aws_secret_access_key = secret/default
            ; comment
            [bare]
            aws_access_key_id = AKIDBARE
            """)
        #expect(files.profiles["default"] == ["region": "eu-west-1", "aws_access_key_id": "AKIDDEFAULT", "aws_secret_access_key": "secret/default"])
        #expect(files.profiles["cards"] == ["role_arn": "arn:aws:iam::111122223333:role/cards", "source_profile": "default", "s3": ""])
        #expect(files.profiles["bare"] == ["aws_access_key_id": "AKIDBARE"], "a bare [name] counts only in the credentials file")
        #expect(files.profiles["corp"] == nil && files.profiles["sso-session corp"] == nil)
    }

    @Test func resolvesRoleChainsAndRejectsCycles() throws {
        let files = SharedConfigFiles(configText: """
            [profile a]
            role_arn = arn:aws:iam::1:role/a
            source_profile = b
            external_id = ext-a
            role_session_name = sess-a
            duration_seconds = 900
            [profile b]
            role_arn = arn:aws:iam::1:role/b
            source_profile = c
            [profile c]
            credential_process = /bin/true
            [profile loop1]
            role_arn = arn:aws:iam::1:role/x
            source_profile = loop2
            [profile loop2]
            role_arn = arn:aws:iam::1:role/y
            source_profile = loop1
            [profile self]
            role_arn = arn:aws:iam::1:role/self
            source_profile = self
            aws_access_key_id = AKIDSELF
            aws_secret_access_key = s
            [profile both]
            role_arn = arn:aws:iam::1:role/z
            source_profile = c
            credential_source = Environment
            [profile imds]
            role_arn = arn:aws:iam::1:role/i
            credential_source = Ec2InstanceMetadata
            """, credentialsText: nil)
        let a = try files.source(forProfile: "a", defaultSessionName: "default-session")
        #expect(a == .assumeRole(
            .init(roleARN: "arn:aws:iam::1:role/a", sessionName: "sess-a", externalID: "ext-a", durationSeconds: 900),
            source: .assumeRole(.init(roleARN: "arn:aws:iam::1:role/b", sessionName: "default-session"),
                                source: .process(command: "/bin/true"))))
        #expect(try files.source(forProfile: "self", defaultSessionName: "s") == .assumeRole(
            .init(roleARN: "arn:aws:iam::1:role/self", sessionName: "s"),
            source: .staticKeys(Credentials(accessKeyID: "AKIDSELF", secretAccessKey: "s"))))
        #expect(try files.source(forProfile: "imds", defaultSessionName: "s")
            == .assumeRole(.init(roleARN: "arn:aws:iam::1:role/i", sessionName: "s"), source: .instanceMetadata))

        let cycle = #expect(throws: CredentialError.self) { try files.source(forProfile: "loop1", defaultSessionName: "s") }
        #expect(cycle?.kind == .invalidConfiguration)
        #expect(cycle?.description.contains("loop1 → loop2 → loop1") == true)
        let both = #expect(throws: CredentialError.self) { try files.source(forProfile: "both", defaultSessionName: "s") }
        #expect(both?.kind == .invalidConfiguration)
        let missing = #expect(throws: CredentialError.self) { try files.source(forProfile: "nope", defaultSessionName: "s") }
        #expect(missing?.kind == .notConfigured)
    }

    @Test func profileProviderHonoursEnvironmentFileVariablesAndProfile() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try dir.write("config", "[profile ops]\nregion = us-west-2\n")
        let credentials = try dir.write("creds", "[default]\naws_access_key_id = AKIDDEF\naws_secret_access_key = sd\n"
            + "[ops]\naws_access_key_id = AKIDOPS\naws_secret_access_key = so\naws_session_token = tok\n")
        let environment = ["AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": credentials, "AWS_PROFILE": "ops"]
        let wall = ManualWallClock()

        let fromEnvProfile = try await ProfileCredentialProvider(profile: nil, environment: environment, transport: noNetwork,
                                                                 region: nil, now: wall.now).credentials()
        #expect(fromEnvProfile == Credentials(accessKeyID: "AKIDOPS", secretAccessKey: "so", sessionToken: "tok"))
        let explicit = try await ProfileCredentialProvider(profile: "default", environment: environment, transport: noNetwork,
                                                           region: nil, now: wall.now).credentials()
        #expect(explicit.accessKeyID == "AKIDDEF")

        let named = await credentialError {
            try await ProfileCredentialProvider(profile: "absent", environment: environment, transport: noNetwork,
                                                region: nil, now: wall.now).credentials()
        }
        #expect(named?.kind == .invalidConfiguration, "a profile asked for by name must exist")
        let unnamed = await credentialError {
            try await ProfileCredentialProvider(profile: nil, environment: ["HOME": dir.path], transport: noNetwork,
                                                region: nil, now: wall.now).credentials()
        }
        #expect(unnamed?.kind == .notConfigured, "no files and no AWS_PROFILE: the chain moves on")
        let explicitDefault = await credentialError {
            try await ProfileCredentialProvider(profile: "default", environment: ["HOME": dir.path], transport: noNetwork,
                                                region: nil, now: wall.now).credentials()
        }
        #expect(explicitDefault?.kind == .notConfigured, "configuration passes \"default\" when nothing is set")
    }

    @Test func homeDirectoryFilesAreTheDefault() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.path + "/.aws", withIntermediateDirectories: true)
        try dir.write(".aws/credentials", "[default]\naws_access_key_id = AKIDHOME\naws_secret_access_key = sh\n")
        let paths = SharedConfigFiles.paths(environment: ["HOME": dir.path, "AWS_CONFIG_FILE": "~/elsewhere"])
        #expect(paths.config == dir.path + "/elsewhere")
        #expect(paths.credentials == dir.path + "/.aws/credentials")
        let credentials = try await ProfileCredentialProvider(profile: nil, environment: ["HOME": dir.path], transport: noNetwork,
                                                              region: nil, now: ManualWallClock().now).credentials()
        #expect(credentials.accessKeyID == "AKIDHOME")
    }

    @Test func credentialProcessOutputIsParsedWithExpiration() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let script = try dir.write("creds.sh", """
            #!/bin/sh
            # The environment given to the provider reaches the command.
            printf '{"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "%s", "SessionToken": "tokproc", "Expiration": "2026-12-03T21:00:00Z"}' "$PROC_SECRET"
            """, executable: true)
        let config = try dir.write("config", "[profile proc]\ncredential_process = \"\(script)\" --flag\n")
        let environment = ["AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": dir.path + "/none", "PROC_SECRET": "s3cr3t"]
        let credentials = try await ProfileCredentialProvider(profile: "proc", environment: environment, transport: noNetwork,
                                                              region: nil, now: ManualWallClock().now).credentials()
        #expect(credentials.accessKeyID == "AKIDPROC")
        #expect(credentials.secretAccessKey == "s3cr3t")
        #expect(credentials.sessionToken == "tokproc")
        #expect(credentials.expiration == ISO8601DateFormatter().date(from: "2026-12-03T21:00:00Z"))
    }

    @Test func credentialProcessFailuresNameNeitherCommandNorOutput() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let failing = CredentialProcessProvider(command: "echo '{\"SecretAccessKey\": \"leak1\"}'; exit 3 # --password hunter2",
                                                environment: [:], label: "profile p credential_process")
        let exit = await credentialError { try await failing.credentials() }
        #expect(exit?.kind == .failed)
        #expect(exit?.description == "profile p credential_process: command exited with status 3")

        let noVersion = CredentialProcessProvider(command: "echo '{\"AccessKeyId\": \"A\", \"SecretAccessKey\": \"leak2\"}'", environment: [:])
        let version = await credentialError { try await noVersion.credentials() }
        #expect(version?.description.contains("Version") == true)
        #expect(version?.description.contains("leak2") == false)
    }

    @Test func hungCredentialProcessIsStopped() async throws {
        let hung = CredentialProcessProvider(command: "sleep 30", environment: [:], label: "profile p credential_process",
                                             timeout: .milliseconds(300))
        let error = await credentialError { try await hung.credentials() }
        #expect(error?.kind == .failed)
        #expect(error?.description == "profile p credential_process: command did not finish within 0.3 seconds and was stopped")
    }
}
