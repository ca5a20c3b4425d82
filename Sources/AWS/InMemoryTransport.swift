import Foundation

/// A transport that answers from a closure: unit tests of the client, credential providers and retries.
public struct InMemoryTransport: HTTPTransport {
    public let handler: @Sendable (HTTPRequest) async throws -> HTTPResponse

    public init(_ handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse) {
        self.handler = handler
    }

    public func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        try await handler(request)
    }
}
