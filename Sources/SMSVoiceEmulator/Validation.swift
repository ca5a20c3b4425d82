import Foundation
import JSON

/// The request shapes of the operations the emulator serves, transcribed from the service model
/// (botocore `pinpoint-sms-voice-v2/2022-03-31/service-2.json`): required members, lengths, patterns, enums.
indirect enum Shape: Sendable {
    case string(min: Int, max: Int, pattern: Pattern?)
    case enumeration([String])
    case integer(min: Int, max: Int)
    case boolean
    case list(of: Shape, min: Int, max: Int)
    case structure(members: [String: Shape], required: [String])
}

/// A pattern from the model, kept as text for error messages, matched by a small hand-written matcher
/// (the model's patterns are all simple; NSRegularExpression was the emulator's slowest step).
final class Pattern: Sendable {
    let source: String
    let matches: @Sendable (String) -> Bool

    init(_ source: String, _ matches: @escaping @Sendable (String) -> Bool) {
        self.source = source
        self.matches = matches
    }

    /// `[class]+` (or `*` with `minCount` 0) over ASCII bytes.
    static func repeated(_ source: String, minCount: Int = 1, _ allowed: @escaping @Sendable (UInt8) -> Bool) -> Pattern {
        Pattern(source) { value in value.utf8.count >= minCount && value.utf8.allSatisfy(allowed) }
    }

    static func alnum(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    static func nonSpace(_ value: Substring) -> Bool { !value.isEmpty && !value.unicodeScalars.contains { $0.properties.isWhitespace } }

    static let anything = Pattern(".*") { _ in true }
    static let nonEmpty = Pattern(".+") { !$0.isEmpty }
    static let optOutListName = repeated("[A-Za-z0-9_-]+") { alnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    static let nameOrArn = repeated("[A-Za-z0-9_:/-]+") { alnum($0) || "_:/-".utf8.contains($0) }
    static let poolIdOrArn = repeated("[A-Za-z0-9_:/-]*", minCount: 0) { alnum($0) || "_:/-".utf8.contains($0) }
    static let filterValue = repeated("[/\\.:A-Za-z0-9+_-]+") { alnum($0) || "/.:+_-".utf8.contains($0) }
    static let printable = repeated("[!-~]+") { (UInt8(ascii: "!")...UInt8(ascii: "~")).contains($0) }
    static let noSpace = Pattern("\\S+") { nonSpace($0[...]) }
    static let arn = Pattern("arn:\\S+") { $0.hasPrefix("arn:") && nonSpace($0.dropFirst(4)) }
    static let phoneNumber = Pattern("\\+?[1-9][0-9]{1,18}") { value in
        let digits = value.utf8.first == UInt8(ascii: "+") ? Array(value.utf8.dropFirst()) : Array(value.utf8)
        return (2...19).contains(digits.count) && digits[0] != UInt8(ascii: "0")
            && digits.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}

enum Shapes {
    static let optOutListName = Shape.string(min: 1, max: 64, pattern: .optOutListName)
    static let optOutListNameOrArn = Shape.string(min: 1, max: 256, pattern: .nameOrArn)
    static let phoneNumber = Shape.string(min: 1, max: 20, pattern: .phoneNumber)
    static let nextToken = Shape.string(min: 1, max: 1024, pattern: .nonEmpty)
    static let maxResults = Shape.integer(min: 1, max: 100)
    static let owner = Shape.enumeration(["SELF", "SHARED"])
    static let filterValues = Shape.list(of: .string(min: 1, max: 128, pattern: .filterValue), min: 1, max: 20)
    static let tag = Shape.structure(members: ["Key": .string(min: 1, max: 128, pattern: .nonEmpty),
                                              "Value": .string(min: 0, max: 256, pattern: .anything)],
                                     required: ["Key", "Value"])
    static let poolIdOrArn = Shape.string(min: 0, max: 256, pattern: .poolIdOrArn)
    static let poolFilterNames = ["status", "message-type", "two-way-enabled", "self-managed-opt-outs-enabled",
                                  "opt-out-list-name", "shared-routes-enabled", "deletion-protection-enabled", "two-way-channel-arn"]

    static let requests: [String: Shape] = [
        "CreateOptOutList": .structure(members: [
            "OptOutListName": optOutListName,
            "Tags": .list(of: tag, min: 0, max: 200),
            "ClientToken": .string(min: 1, max: 64, pattern: .printable),
        ], required: ["OptOutListName"]),
        "DeleteOptOutList": .structure(members: ["OptOutListName": optOutListNameOrArn], required: ["OptOutListName"]),
        "DescribeOptOutLists": .structure(members: [
            "OptOutListNames": .list(of: optOutListNameOrArn, min: 0, max: 5),
            "NextToken": nextToken, "MaxResults": maxResults, "Owner": owner,
        ], required: []),
        "PutOptedOutNumber": .structure(members: ["OptOutListName": optOutListNameOrArn, "OptedOutNumber": phoneNumber],
                                        required: ["OptOutListName", "OptedOutNumber"]),
        "DeleteOptedOutNumber": .structure(members: ["OptOutListName": optOutListNameOrArn, "OptedOutNumber": phoneNumber],
                                           required: ["OptOutListName", "OptedOutNumber"]),
        "DescribeOptedOutNumbers": .structure(members: [
            "OptOutListName": optOutListNameOrArn,
            "OptedOutNumbers": .list(of: phoneNumber, min: 0, max: 5),
            "Filters": .list(of: .structure(members: ["Name": .enumeration(["end-user-opted-out"]), "Values": filterValues],
                                            required: ["Name", "Values"]), min: 0, max: 20),
            "NextToken": nextToken, "MaxResults": maxResults,
        ], required: ["OptOutListName"]),
        "DescribePools": .structure(members: [
            "PoolIds": .list(of: poolIdOrArn, min: 0, max: 5),
            "Filters": .list(of: .structure(members: ["Name": .enumeration(poolFilterNames), "Values": filterValues],
                                            required: ["Name", "Values"]), min: 0, max: 20),
            "NextToken": nextToken, "MaxResults": maxResults, "Owner": owner,
        ], required: []),
        "UpdatePool": .structure(members: [
            "PoolId": poolIdOrArn,
            "TwoWayEnabled": .boolean,
            "TwoWayChannelArn": .string(min: 20, max: 2048, pattern: .noSpace),
            "TwoWayChannelRole": .string(min: 20, max: 2048, pattern: .arn),
            "SelfManagedOptOutsEnabled": .boolean,
            "OptOutListName": optOutListNameOrArn,
            "SharedRoutesEnabled": .boolean,
            "DeletionProtectionEnabled": .boolean,
        ], required: ["PoolId"]),
    ]
}

enum RequestValidator {
    /// Checks a request body against its operation's shape. Type mismatches are `SerializationException`
    /// (the body cannot be read as the shape); constraint failures are one `ValidationException` listing every field.
    static func validate(_ body: JSONValue, operation: String) -> APIError? {
        guard let shape = Shapes.requests[operation] else { return .unknownOperation(operation) }
        var failures: [(name: String, message: String)] = []
        if let error = check(body, shape, path: "", failures: &failures) { return error }
        guard !failures.isEmpty else { return nil }
        let count = failures.count
        let text = failures.map { "Value at '\($0.name)' failed to satisfy constraint: \($0.message)" }.joined(separator: "; ")
        return .validation("FIELD_VALIDATION_FAILED",
                           "\(count) validation error\(count == 1 ? "" : "s") detected: \(text)", fields: failures)
    }

    private static func check(_ value: JSONValue, _ shape: Shape, path: String, failures: inout [(name: String, message: String)]) -> APIError? {
        let label = path.isEmpty ? "request" : path
        switch shape {
        case .string(let min, let max, let pattern):
            guard let s = value.stringValue else { return .serialization("Expected a string at '\(label)'.") }
            let length = s.count
            if length < min { failures.append((path, "Member must have length greater than or equal to \(min)")) }
            else if length > max { failures.append((path, "Member must have length less than or equal to \(max)")) }
            else if let pattern, !pattern.matches(s) {
                failures.append((path, "Member must satisfy regular expression pattern: \(pattern.source)"))
            }
        case .enumeration(let values):
            guard let s = value.stringValue else { return .serialization("Expected a string at '\(label)'.") }
            if !values.contains(s) { failures.append((path, "Member must satisfy enum value set: [\(values.joined(separator: ", "))]")) }
        case .integer(let min, let max):
            guard let n = value.numberValue, n.rounded() == n else { return .serialization("Expected an integer at '\(label)'.") }
            if n < Double(min) { failures.append((path, "Member must have value greater than or equal to \(min)")) }
            else if n > Double(max) { failures.append((path, "Member must have value less than or equal to \(max)")) }
        case .boolean:
            guard value.boolValue != nil else { return .serialization("Expected a boolean at '\(label)'.") }
        case .list(let element, let min, let max):
            guard let items = value.arrayValue else { return .serialization("Expected a list at '\(label)'.") }
            if items.count < min { failures.append((path, "Member must have length greater than or equal to \(min)")) }
            else if items.count > max { failures.append((path, "Member must have length less than or equal to \(max)")) }
            for (i, item) in items.enumerated() {
                if let error = check(item, element, path: "\(path).\(i + 1)", failures: &failures) { return error }
            }
        case .structure(let members, let required):
            guard let object = value.objectValue else { return .serialization("Expected an object at '\(label)'.") }
            for name in required.sorted() where object[name] == nil || object[name] == .null {
                failures.append((path.isEmpty ? name : "\(path).\(name)", "Member must not be null"))
            }
            for (name, member) in object.sorted(by: { $0.key < $1.key }) where member != .null {
                // Unknown members are ignored, as AWS's JSON services do.
                guard let memberShape = members[name] else { continue }
                if let error = check(member, memberShape, path: path.isEmpty ? name : "\(path).\(name)", failures: &failures) { return error }
            }
        }
        return nil
    }
}
