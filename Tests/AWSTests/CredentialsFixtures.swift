import AWS
import Foundation
import Synchronization
import TestSupport

/// A fresh temporary directory per test, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("optout-sync-creds-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes a file and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
        let file = (path as NSString).appendingPathComponent(name)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file) }
        return file
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A wall clock driven by `ManualClock`: `now()` is a fixed epoch plus the manual clock's offset.
struct ManualWallClock: Sendable {
    let clock = ManualClock()
    let epoch = Date(timeIntervalSince1970: 1_796_000_000)

    var now: @Sendable () -> Date {
        let clock = clock, epoch = epoch
        return {
            let offset = clock.now.offset.components
            return epoch.addingTimeInterval(Double(offset.seconds) + Double(offset.attoseconds) / 1e18)
        }
    }

    func advance(seconds: Int) { clock.advance(by: .seconds(seconds)) }
}

/// An in-memory transport that records every request it answers.
final class RecordingTransport: HTTPTransport {
    private let log = Mutex<[HTTPRequest]>([])
    private let handler: @Sendable (HTTPRequest) async throws -> HTTPResponse

    init(_ handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse) { self.handler = handler }

    var requests: [HTTPRequest] { log.withLock { $0 } }

    func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        log.withLock { $0.append(request) }
        return try await handler(request)
    }
}

enum STSFixtures {
    static func assumeRoleResponse(action: String = "AssumeRole", accessKeyID: String, secret: String, token: String,
                                   expiration: String = "2026-12-03T20:30:00Z") -> [UInt8] {
        Array("""
        <\(action)Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <\(action)Result>
            <AssumedRoleUser>
              <AssumedRoleId>AROA3XFRBF535PLBIFPI4:s3-access-example</AssumedRoleId>
              <Arn>arn:aws:sts::123456789012:assumed-role/xaccounts3access/s3-access-example</Arn>
            </AssumedRoleUser>
            <Credentials>
              <AccessKeyId>\(accessKeyID)</AccessKeyId>
              <SecretAccessKey>\(secret)</SecretAccessKey>
              <SessionToken>\(token)</SessionToken>
              <Expiration>\(expiration)</Expiration>
            </Credentials>
            <PackedPolicySize>6</PackedPolicySize>
          </\(action)Result>
          <ResponseMetadata>
            <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
          </ResponseMetadata>
        </\(action)Response>
        """.utf8)
    }

    static func errorResponse(code: String, message: String, requestID: String = "4b3f1d2a-0000-1111-2222-333344445555") -> [UInt8] {
        Array("""
        <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <Error>
            <Type>Sender</Type>
            <Code>\(code)</Code>
            <Message>\(message)</Message>
          </Error>
          <RequestId>\(requestID)</RequestId>
        </ErrorResponse>
        """.utf8)
    }

    /// Decodes an `application/x-www-form-urlencoded` body into a dictionary.
    static func form(_ body: [UInt8]) -> [String: String] {
        var result: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            result[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return result
    }
}

/// Expects `body` to throw a `CredentialError` and returns it.
func credentialError(_ body: () async throws -> Credentials) async -> CredentialError? {
    do {
        _ = try await body()
        return nil
    } catch let error as CredentialError {
        return error
    } catch {
        return nil
    }
}
