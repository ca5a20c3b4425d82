import Foundation
import Synchronization
import Testing

/// The password of `state_database.password_file` reaches the server (as libpq's `password` keyword)
/// and nothing else: a one-connection fake PostgreSQL server asks for a cleartext password, records
/// what arrives, and refuses it with SQLSTATE 28P01.
@Suite struct PasswordFileProcessTests {
    @Test func passwordFromTheCredentialsDirectoryReachesTheServerOnly() async throws {
        let server = try FakePasswordServer()
        let credentials = FileManager.default.temporaryDirectory.appendingPathComponent("optout-sync-creds-\(UUID())")
        try FileManager.default.createDirectory(at: credentials, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: credentials) }
        try Data("Sup3r-Secret-pw\nignored second line\n".utf8).write(to: credentials.appendingPathComponent("pgpass"))

        let config = try TemporaryConfig { object in
            object["state_database"] = [
                "conninfo": "host=127.0.0.1 port=\(server.port) user=optout dbname=state sslmode=disable gssencmode=disable connect_timeout=5",
                "password_file": "pgpass",
            ]
        }
        defer { config.remove() }
        let outcome = try await ToolProcess.run(["check", "--no-aws", "--config", config.path, "--log-level", "debug"],
                                                environment: ["CREDENTIALS_DIRECTORY": credentials.path])
        #expect(server.receivedPassword() == "Sup3r-Secret-pw")
        #expect(outcome.status == 77, "\(outcome.standardOutput)\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("state database  FAIL"))
        #expect(!outcome.standardOutput.contains("Sup3r") && !outcome.standardError.contains("Sup3r"))
    }
}

/// Speaks just enough of the PostgreSQL protocol (v3) to request a cleartext password once.
final class FakePasswordServer: Sendable {
    let port: UInt16
    private let listener: Int32
    private let password = Mutex<String?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 1) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in serveOnce() }
        thread.start()
    }

    /// What the client sent as its password (waits for the exchange, at most 30 s).
    func receivedPassword() -> String? {
        _ = done.wait(timeout: .now() + 30)
        return password.withLock { $0 }
    }

    private func serveOnce() {
        defer { close(listener); done.signal() }
        let client = accept(listener, nil, nil)
        guard client >= 0 else { return }
        defer { close(client) }
        // Startup message: int32 length (including itself), then the body.
        guard let startupLength = readInt32(client), let _ = readExactly(client, Int(startupLength) - 4) else { return }
        send(client, [UInt8(ascii: "R")] + int32(8) + int32(3))  // AuthenticationCleartextPassword
        guard readExactly(client, 1) == [UInt8(ascii: "p")], let length = readInt32(client),
              let body = readExactly(client, Int(length) - 4) else { return }
        password.withLock { $0 = String(decoding: body.prefix { $0 != 0 }, as: UTF8.self) }
        var fields: [UInt8] = []
        for (code, value) in [("S", "FATAL"), ("V", "FATAL"), ("C", "28P01"), ("M", "password authentication failed for user \"optout\"")] {
            fields += [UInt8(ascii: Unicode.Scalar(code)!)] + Array(value.utf8) + [0]
        }
        fields.append(0)
        send(client, [UInt8(ascii: "E")] + int32(UInt32(fields.count + 4)) + fields)
    }

    private func int32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }

    private func readInt32(_ fd: Int32) -> UInt32? {
        readExactly(fd, 4).map { $0.reduce(0) { $0 << 8 | UInt32($1) } }
    }

    private func readExactly(_ fd: Int32, _ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + offset, count - offset) }
            if n <= 0 { return nil }
            offset += n
        }
        return bytes
    }

    private func send(_ fd: Int32, _ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
    }
}
