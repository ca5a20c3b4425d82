import Foundation
import JSON

/// The emulated account's domain state: opt-out lists with their numbers, pools, the 30-day
/// deletion history and client tokens. A pure value; `Emulator` keeps it behind a Mutex and
/// passes the emulator clock's time in. Codable for the state file and the control surface's dump.
public struct EmulatorState: Codable, Sendable, Equatable {
    public struct OptedOut: Codable, Sendable, Equatable {
        public var timestamp: Double
        public var endUserOptedOut: Bool
    }

    public struct OptOutList: Codable, Sendable, Equatable {
        public var name: String
        public var arn: String
        public var createdTimestamp: Double
        public var tags: [[String: String]]
        public var clientToken: String?
        public var numbers: [String: OptedOut]
    }

    public struct Pool: Codable, Sendable, Equatable {
        public var poolId: String
        public var poolArn: String
        public var status: String
        public var messageType: String
        public var twoWayEnabled: Bool
        public var twoWayChannelArn: String?
        public var twoWayChannelRole: String?
        public var selfManagedOptOutsEnabled: Bool
        public var optOutListName: String
        public var sharedRoutesEnabled: Bool
        public var deletionProtectionEnabled: Bool
        public var createdTimestamp: Double
    }

    public var region: String
    public var account: String
    public var lists: [String: OptOutList] = [:]
    public var pools: [String: Pool] = [:]
    /// "list\tnumber" -> when DeleteOptedOutNumber last removed it (the 30-day rule).
    public var deletions: [String: Double] = [:]
    public var nextPoolSerial: Int = 1

    static let maxOptOutLists = 100
    static let deletionInterval: Double = 30 * 86_400
    static let defaultPageSize = 100

    /// A new account's state: the `Default` opt-out list exists.
    public init(region: String, account: String, now: Date) {
        self.region = region
        self.account = account
        lists["Default"] = OptOutList(name: "Default", arn: listArn("Default"), createdTimestamp: Self.stamp(now),
                                      tags: [], clientToken: nil, numbers: [:])
    }

    static func stamp(_ date: Date) -> Double { (date.timeIntervalSince1970 * 1000).rounded() / 1000 }

    func listArn(_ name: String) -> String { "arn:aws:sms-voice:\(region):\(account):opt-out-list/\(name)" }
    func poolArn(_ id: String) -> String { "arn:aws:sms-voice:\(region):\(account):pool/\(id)" }

    /// Resolves a name or an ARN of this account and region to a list name.
    func listName(_ nameOrArn: String) throws(APIError) -> String {
        let prefix = "arn:aws:sms-voice:\(region):\(account):opt-out-list/"
        let name = nameOrArn.hasPrefix("arn:") ? (nameOrArn.hasPrefix(prefix) ? String(nameOrArn.dropFirst(prefix.count)) : "") : nameOrArn
        guard lists[name] != nil else { throw .notFound("opt-out-list", nameOrArn) }
        return name
    }

    func poolID(_ idOrArn: String) throws(APIError) -> String {
        let prefix = "arn:aws:sms-voice:\(region):\(account):pool/"
        let id = idOrArn.hasPrefix(prefix) ? String(idOrArn.dropFirst(prefix.count)) : idOrArn
        guard pools[id] != nil else { throw .notFound("pool", idOrArn) }
        return id
    }

    /// A pattern-valid number that is a real phone number, in E.164 form.
    static func validNumber(_ raw: String) throws(APIError) -> String {
        guard let number = PhoneValidity.normalized(raw) else {
            throw .validation("INVALID_PARAMETER", "The phone number is not a valid phone number.",
                              fields: [("OptedOutNumber", "Invalid phone number")])
        }
        return number
    }

    // MARK: operations (input already validated against the model's shapes)

    /// Runs one operation. `duplicatePut` is set when PutOptedOutNumber found the number already listed.
    public mutating func execute(_ operation: String, _ input: JSONValue, now: Date, duplicatePut: inout Bool) throws(APIError) -> JSONValue {
        let t = Self.stamp(now)
        switch operation {
        case "CreateOptOutList": return try createOptOutList(input, t)
        case "DeleteOptOutList": return try deleteOptOutList(input)
        case "DescribeOptOutLists": return try describeOptOutLists(input)
        case "PutOptedOutNumber":
            return try putOptedOutNumber(list: input["OptOutListName"]!.stringValue!, number: input["OptedOutNumber"]!.stringValue!,
                                         endUser: false, t, duplicate: &duplicatePut)
        case "DeleteOptedOutNumber": return try deleteOptedOutNumber(input, t)
        case "DescribeOptedOutNumbers": return try describeOptedOutNumbers(input)
        case "DescribePools": return try describePools(input)
        case "UpdatePool": return try updatePool(input)
        default: throw .unknownOperation(operation)
        }
    }

    mutating func createOptOutList(_ input: JSONValue, _ t: Double) throws(APIError) -> JSONValue {
        let name = input["OptOutListName"]!.stringValue!
        let token = input["ClientToken"]?.stringValue
        let tags: [[String: String]] = (input["Tags"]?.arrayValue ?? []).map {
            ["Key": $0["Key"]?.stringValue ?? "", "Value": $0["Value"]?.stringValue ?? ""]
        }
        if let existing = lists[name] {
            // A retry with the same client token is answered like the first call.
            guard let token, existing.clientToken == token else {
                throw .conflict("RESOURCE_ALREADY_EXISTS", "opt-out-list", name, "An opt-out list named \(name) already exists.")
            }
            return Self.describe(existing, includeTags: true)
        }
        guard lists.count < Self.maxOptOutLists else {
            throw .serviceQuota("OPT_OUT_LISTS_PER_ACCOUNT", "The account already has \(Self.maxOptOutLists) opt-out lists.")
        }
        let list = OptOutList(name: name, arn: listArn(name), createdTimestamp: t, tags: tags, clientToken: token, numbers: [:])
        lists[name] = list
        return Self.describe(list, includeTags: true)
    }

    mutating func deleteOptOutList(_ input: JSONValue) throws(APIError) -> JSONValue {
        let name = try listName(input["OptOutListName"]!.stringValue!)
        if let pool = pools.values.first(where: { $0.optOutListName == name }) {
            throw .conflict("RESOURCE_DELETION_NOT_ALLOWED", "opt-out-list", name,
                            "The opt-out list is in use by pool \(pool.poolId).")
        }
        let list = lists.removeValue(forKey: name)!
        deletions = deletions.filter { !$0.key.hasPrefix(name + "\t") }
        return Self.describe(list, includeTags: false)
    }

    func describeOptOutLists(_ input: JSONValue) throws(APIError) -> JSONValue {
        let names = input["OptOutListNames"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if !names.isEmpty {
            if input["Owner"] != nil {
                throw .validation("PARAMETERS_CANNOT_BE_USED_TOGETHER", "OptOutListNames and Owner cannot be used together.",
                                  fields: [("Owner", "Cannot be used with OptOutListNames")])
            }
            var found: [JSONValue] = []
            for nameOrArn in names { found.append(Self.describe(lists[try listName(nameOrArn)]!, includeTags: false)) }
            return ["OptOutLists": .array(found)]
        }
        if input["Owner"]?.stringValue == "SHARED" { return ["OptOutLists": []] }
        let page = try Self.page(keys: lists.keys.sorted(), input: input, scope: "lists")
        var out: [String: JSONValue] = ["OptOutLists": .array(page.keys.map { Self.describe(lists[$0]!, includeTags: false) })]
        if let token = page.next { out["NextToken"] = .string(token) }
        return .object(out)
    }

    /// Adds a number (API put or, with `endUser`, a simulated STOP reply).
    mutating func putOptedOutNumber(list nameOrArn: String, number raw: String, endUser: Bool, _ t: Double,
                                    duplicate: inout Bool) throws(APIError) -> JSONValue {
        let name = try listName(nameOrArn)
        let number = try Self.validNumber(raw)
        var entry = lists[name]!.numbers[number] ?? OptedOut(timestamp: t, endUserOptedOut: endUser)
        duplicate = lists[name]!.numbers[number] != nil
        if endUser { entry.endUserOptedOut = true }
        lists[name]!.numbers[number] = entry
        return numberRecord(name, number, entry)
    }

    mutating func deleteOptedOutNumber(_ input: JSONValue, _ t: Double) throws(APIError) -> JSONValue {
        let name = try listName(input["OptOutListName"]!.stringValue!)
        let number = try Self.validNumber(input["OptedOutNumber"]!.stringValue!)
        guard let entry = lists[name]!.numbers[number] else { throw .notFound("opted-out-number", number) }
        let key = name + "\t" + number
        if let last = deletions[key], t - last < Self.deletionInterval {
            throw .conflict("RESOURCE_MODIFICATION_NOT_ALLOWED", "opted-out-number", number,
                            "Each destination phone number can only be deleted once every 30 days.")
        }
        lists[name]!.numbers[number] = nil
        deletions[key] = t
        return numberRecord(name, number, entry)
    }

    func describeOptedOutNumbers(_ input: JSONValue) throws(APIError) -> JSONValue {
        let name = try listName(input["OptOutListName"]!.stringValue!)
        let numbers = lists[name]!.numbers
        var endUserFilter: Set<Bool>?
        for filter in input["Filters"]?.arrayValue ?? [] {
            var wanted = Set<Bool>()
            for value in filter["Values"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
                guard let b = Bool(value.lowercased()) else {
                    throw .validation("INVALID_FILTER_VALUES", "Filter end-user-opted-out takes true or false.",
                                      fields: [("Filters", "Invalid value for end-user-opted-out")])
                }
                wanted.insert(b)
            }
            endUserFilter = endUserFilter.map { $0.intersection(wanted) } ?? wanted
        }
        var keys: [String]
        if let requested = input["OptedOutNumbers"]?.arrayValue?.compactMap(\.stringValue), !requested.isEmpty {
            keys = requested.compactMap { PhoneValidity.normalized($0) }.filter { numbers[$0] != nil }
            keys = Array(Set(keys)).sorted()
        } else {
            keys = numbers.keys.sorted()
        }
        if let endUserFilter { keys = keys.filter { endUserFilter.contains(numbers[$0]!.endUserOptedOut) } }
        let page = try Self.page(keys: keys, input: input, scope: "numbers:" + name)
        var out: [String: JSONValue] = [
            "OptOutListArn": .string(lists[name]!.arn), "OptOutListName": .string(name),
            "OptedOutNumbers": .array(page.keys.map { key in
                ["OptedOutNumber": .string(key), "OptedOutTimestamp": .number(numbers[key]!.timestamp),
                 "EndUserOptedOut": .bool(numbers[key]!.endUserOptedOut)]
            }),
        ]
        if let token = page.next { out["NextToken"] = .string(token) }
        return .object(out)
    }

    func describePools(_ input: JSONValue) throws(APIError) -> JSONValue {
        var ids: [String]
        if let requested = input["PoolIds"]?.arrayValue?.compactMap(\.stringValue), !requested.isEmpty {
            ids = []
            for id in requested { ids.append(try poolID(id)) }
            ids = Array(Set(ids)).sorted()
        } else {
            ids = input["Owner"]?.stringValue == "SHARED" ? [] : pools.keys.sorted()
        }
        for filter in input["Filters"]?.arrayValue ?? [] {
            let values = Set(filter["Values"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            let field = filter["Name"]?.stringValue ?? ""
            ids = ids.filter { id in
                let pool = Self.describe(pools[id]!)
                let key: String = switch field {
                case "status": "Status"
                case "message-type": "MessageType"
                case "two-way-enabled": "TwoWayEnabled"
                case "self-managed-opt-outs-enabled": "SelfManagedOptOutsEnabled"
                case "opt-out-list-name": "OptOutListName"
                case "shared-routes-enabled": "SharedRoutesEnabled"
                case "deletion-protection-enabled": "DeletionProtectionEnabled"
                default: "TwoWayChannelArn"
                }
                switch pool[key] {
                case .string(let s): return values.contains(s)
                case .bool(let b): return values.contains(String(b))
                default: return false
                }
            }
        }
        let page = try Self.page(keys: ids, input: input, scope: "pools")
        var out: [String: JSONValue] = ["Pools": .array(page.keys.map { Self.describe(pools[$0]!) })]
        if let token = page.next { out["NextToken"] = .string(token) }
        return .object(out)
    }

    mutating func updatePool(_ input: JSONValue) throws(APIError) -> JSONValue {
        let id = try poolID(input["PoolId"]!.stringValue!)
        var pool = pools[id]!
        if let list = input["OptOutListName"]?.stringValue { pool.optOutListName = try listName(list) }
        if let b = input["SelfManagedOptOutsEnabled"]?.boolValue { pool.selfManagedOptOutsEnabled = b }
        if let b = input["TwoWayEnabled"]?.boolValue { pool.twoWayEnabled = b }
        if let s = input["TwoWayChannelArn"]?.stringValue { pool.twoWayChannelArn = s }
        if let s = input["TwoWayChannelRole"]?.stringValue { pool.twoWayChannelRole = s }
        if let b = input["SharedRoutesEnabled"]?.boolValue { pool.sharedRoutesEnabled = b }
        if let b = input["DeletionProtectionEnabled"]?.boolValue { pool.deletionProtectionEnabled = b }
        pools[id] = pool
        return Self.describe(pool)
    }

    // MARK: fixtures and simulations (control surface)

    /// Creates a pool (a fixture: the real CreatePool needs origination identities the emulator does not model).
    public mutating func createPool(optOutList: String, selfManagedOptOuts: Bool, messageType: String, now: Date) throws(APIError) -> Pool {
        let list = try listName(optOutList)
        let id = String(format: "pool-%032x", nextPoolSerial)
        nextPoolSerial += 1
        let pool = Pool(poolId: id, poolArn: poolArn(id), status: "ACTIVE", messageType: messageType, twoWayEnabled: false,
                        twoWayChannelArn: nil, twoWayChannelRole: nil, selfManagedOptOutsEnabled: selfManagedOptOuts,
                        optOutListName: list, sharedRoutesEnabled: false, deletionProtectionEnabled: false,
                        createdTimestamp: Self.stamp(now))
        pools[id] = pool
        return pool
    }

    /// An end user replied STOP to a number of `pool` (or straight into `list`). Returns false when the pool
    /// self-manages opt-outs (AWS then only forwards the reply; nothing is added).
    public mutating func simulateStop(number: String, pool: String?, list: String?, now: Date) throws(APIError) -> Bool {
        var listName = list ?? "Default"
        if let pool {
            let p = pools[try poolID(pool)]!
            if p.selfManagedOptOutsEnabled { return false }
            listName = p.optOutListName
        }
        var duplicate = false
        _ = try putOptedOutNumber(list: listName, number: number, endUser: true, Self.stamp(now), duplicate: &duplicate)
        return true
    }

    // MARK: rendering and pagination

    static func describe(_ list: OptOutList, includeTags: Bool) -> JSONValue {
        var out: [String: JSONValue] = ["OptOutListArn": .string(list.arn), "OptOutListName": .string(list.name),
                                        "CreatedTimestamp": .number(list.createdTimestamp)]
        if includeTags { out["Tags"] = .array(list.tags.map { ["Key": .string($0["Key"] ?? ""), "Value": .string($0["Value"] ?? "")] }) }
        return .object(out)
    }

    static func describe(_ pool: Pool) -> JSONValue {
        var out: [String: JSONValue] = [
            "PoolArn": .string(pool.poolArn), "PoolId": .string(pool.poolId), "Status": .string(pool.status),
            "MessageType": .string(pool.messageType), "TwoWayEnabled": .bool(pool.twoWayEnabled),
            "SelfManagedOptOutsEnabled": .bool(pool.selfManagedOptOutsEnabled), "OptOutListName": .string(pool.optOutListName),
            "SharedRoutesEnabled": .bool(pool.sharedRoutesEnabled), "DeletionProtectionEnabled": .bool(pool.deletionProtectionEnabled),
            "CreatedTimestamp": .number(pool.createdTimestamp),
        ]
        if let s = pool.twoWayChannelArn { out["TwoWayChannelArn"] = .string(s) }
        if let s = pool.twoWayChannelRole { out["TwoWayChannelRole"] = .string(s) }
        return .object(out)
    }

    func numberRecord(_ list: String, _ number: String, _ entry: OptedOut) -> JSONValue {
        ["OptOutListArn": .string(lists[list]?.arn ?? listArn(list)), "OptOutListName": .string(list),
         "OptedOutNumber": .string(number), "OptedOutTimestamp": .number(entry.timestamp),
         "EndUserOptedOut": .bool(entry.endUserOptedOut)]
    }

    /// Keyset pagination over sorted keys. The token names the last key returned (and the collection), so it
    /// stays valid while items are added or removed: the next page starts after that key, wherever it is now.
    static func page(keys: [String], input: JSONValue, scope: String) throws(APIError) -> (keys: [String], next: String?) {
        let size = Int(input["MaxResults"]?.numberValue ?? Double(defaultPageSize))
        var start = 0
        if let token = input["NextToken"]?.stringValue {
            guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8),
                  text.hasPrefix("v1\n" + scope + "\n") else {
                throw .validation("INVALID_NEXT_TOKEN", "The NextToken is not valid.", fields: [("NextToken", "Invalid token")])
            }
            let after = String(text.dropFirst(("v1\n" + scope + "\n").count))
            start = keys.partitionIndex { $0 <= after }
        }
        let slice = Array(keys[start..<min(keys.count, start + size)])
        guard start + size < keys.count, let last = slice.last else { return (slice, nil) }
        return (slice, Data(("v1\n" + scope + "\n" + last).utf8).base64EncodedString())
    }
}

extension Array {
    /// The first index whose element fails `belongsBefore` (the array is partitioned by it).
    func partitionIndex(where belongsBefore: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if belongsBefore(self[mid]) { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
