import Foundation
import PhoneNumbers
import TestSupport
@testable import Configuration

/// The complete example configuration (docs/config.example.json, a copy of spec/config.example.json)
/// and a way to change one key of it.
enum ConfigFixture {
    static var exampleURL: URL { TestEnvironment.packageRoot.appendingPathComponent("docs/config.example.json") }

    static func exampleObject() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: exampleURL))
    }

    /// One edit: set the value at `path` to the JSON text `json`, or remove the key when `json` is nil.
    struct Edit: Sendable, CustomStringConvertible {
        var path: [PathPart]
        var json: String?
        var description: String { path.map(\.description).joined(separator: "/") + (json.map { " = \($0)" } ?? " removed") }

        static func set(_ path: PathPart..., to json: String) -> Edit { Edit(path: path, json: json) }
        static func remove(_ path: PathPart...) -> Edit { Edit(path: path, json: nil) }
    }

    enum PathPart: Sendable, CustomStringConvertible, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
        case key(String), index(Int)
        init(stringLiteral value: String) { self = .key(value) }
        init(integerLiteral value: Int) { self = .index(value) }
        var description: String {
            switch self {
            case .key(let key): key
            case .index(let index): "\(index)"
            }
        }
    }

    static func data(applying edits: [Edit]) throws -> Data {
        var root = try exampleObject()
        for edit in edits {
            let value = try edit.json.map { try JSONSerialization.jsonObject(with: Data($0.utf8), options: .fragmentsAllowed) }
            root = apply(root, path: edit.path[...], value: value)
        }
        return try JSONSerialization.data(withJSONObject: root)
    }

    private static func apply(_ node: Any, path: ArraySlice<PathPart>, value: Any?) -> Any {
        guard let head = path.first else { return value as Any }
        switch head {
        case .key(let key):
            var object = node as! [String: Any]
            if path.count == 1 {
                object[key] = value
            } else {
                object[key] = apply(object[key] ?? [String: Any](), path: path.dropFirst(), value: value)
            }
            return object
        case .index(let index):
            var array = node as! [Any]
            array[index] = apply(array[index], path: path.dropFirst(), value: value)
            return array
        }
    }

    static func load(_ edits: Edit..., environment: [String: String] = [:],
                     regionValidator: @escaping ConfigLoader.RegionValidator = Normalizer.isSupportedRegion) throws(ConfigError) -> Config {
        let data: Data
        do { data = try ConfigFixture.data(applying: edits) } catch { fatalError("fixture: \(error)") }
        return try ConfigLoader.parse(data: data, environment: environment, regionValidator: regionValidator)
    }
}
