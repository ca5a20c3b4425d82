import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element: enough for STS's small query-protocol responses.
struct XMLNode: Sendable {
    var name: String
    var text: String = ""
    var children: [XMLNode] = []

    func child(_ name: String) -> XMLNode? { children.first { $0.name == name } }

    /// Follows child names from this element, e.g. `path("AssumeRoleResult", "Credentials")`.
    func path(_ names: String...) -> XMLNode? {
        var node: XMLNode? = self
        for name in names { node = node?.child(name) }
        return node
    }

    /// The trimmed text of a child element, nil when absent or empty.
    func value(_ name: String) -> String? {
        guard let text = child(name)?.text.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        return text
    }

    /// Parses a whole document; nil when it is not well-formed XML.
    static func parse(_ bytes: [UInt8]) -> XMLNode? {
        let parser = XMLParser(data: Data(bytes))
        let builder = TreeBuilder()
        parser.delegate = builder
        parser.shouldResolveExternalEntities = false
        guard parser.parse() else { return nil }
        return builder.root
    }
}

/// XMLParser's delegate: a stack of open elements. Used synchronously inside `XMLNode.parse` only.
private final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLNode] = []
    var root: XMLNode?

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        stack.append(XMLNode(name: elementName))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        guard let node = stack.popLast() else { return }
        if stack.isEmpty { root = node } else { stack[stack.count - 1].children.append(node) }
    }
}

/// Decoding of STS query-protocol responses.
enum STSResponse {
    /// `<Action>Response/<Action>Result/Credentials{AccessKeyId, SecretAccessKey, SessionToken, Expiration}`.
    static func credentials(action: String, body: [UInt8]) -> Credentials? {
        guard let root = XMLNode.parse(body), root.name == "\(action)Response",
              let node = root.path("\(action)Result", "Credentials"),
              let accessKeyID = node.value("AccessKeyId"),
              let secret = node.value("SecretAccessKey"),
              let token = node.value("SessionToken"),
              let expiration = node.value("Expiration").flatMap(ISO8601.date)
        else { return nil }
        return Credentials(accessKeyID: accessKeyID, secretAccessKey: secret, sessionToken: token, expiration: expiration)
    }

    /// `ErrorResponse/Error{Type, Code, Message}` + `RequestId`; the request id header when the body has none.
    static func error(status: Int, headers: [String: String], body: [UInt8]) -> STSError {
        let headerRequestID = headers["x-amzn-requestid"]
        guard let root = XMLNode.parse(body), let error = root.child("Error") else {
            return STSError(code: "HTTP\(status)", message: "STS answered HTTP \(status) without an XML error body",
                            requestID: headerRequestID, status: status)
        }
        return STSError(
            code: error.value("Code") ?? "HTTP\(status)",
            message: error.value("Message") ?? "",
            type: error.value("Type"),
            requestID: root.value("RequestId") ?? headerRequestID,
            status: status
        )
    }
}
