/// An async sequence of result pages that follows `NextToken` until the service stops sending one.
/// Each page is fetched when iteration asks for it (one request at a time, so a rate limiter
/// around `fetch` paces the scan). A token that repeats the previous one ends the sequence with
/// `PaginationError` instead of looping forever.
public struct AWSPages<Page: Sendable>: AsyncSequence, Sendable {
    public typealias Element = Page

    let fetch: @Sendable (_ nextToken: String?) async throws -> (page: Page, nextToken: String?)

    public init(fetch: @escaping @Sendable (_ nextToken: String?) async throws -> (page: Page, nextToken: String?)) {
        self.fetch = fetch
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let fetch: @Sendable (String?) async throws -> (page: Page, nextToken: String?)
        var token: String?
        var finished = false
        var pages = 0

        public mutating func next() async throws -> Page? {
            guard !finished else { return nil }
            let (page, next) = try await fetch(token)
            pages += 1
            if let next, !next.isEmpty {
                if next == token {
                    finished = true
                    throw PaginationError(pages: pages)
                }
                token = next
            } else {
                finished = true
            }
            return page
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(fetch: fetch) }
}

public struct PaginationError: Error, Sendable, CustomStringConvertible {
    public var pages: Int
    public var description: String { "the service returned the same NextToken twice (after \(pages) pages)" }
}
