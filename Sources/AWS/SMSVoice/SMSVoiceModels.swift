import Foundation

// Request and response shapes of the SMS Voice v2 operations optout-sync uses, member for member
// as in the service model (pinpoint-sms-voice-v2 2022-03-31). Optional members are omitted when nil.

public struct PutOptedOutNumberInput: Sendable, Equatable, Codable {
    /// Name or ARN of the opt-out list.
    public var optOutListName: String
    /// E.164 number (`+?[1-9][0-9]{1,18}`).
    public var optedOutNumber: String

    public init(optOutListName: String, optedOutNumber: String) {
        self.optOutListName = optOutListName
        self.optedOutNumber = optedOutNumber
    }

    enum CodingKeys: String, CodingKey {
        case optOutListName = "OptOutListName", optedOutNumber = "OptedOutNumber"
    }
}

/// `DeleteOptedOutNumber` takes the same members as `PutOptedOutNumber`.
public typealias DeleteOptedOutNumberInput = PutOptedOutNumberInput

/// The answer of `PutOptedOutNumber` and `DeleteOptedOutNumber`.
public struct OptedOutNumberResult: Sendable, Equatable, Codable {
    public var optOutListArn: String?
    public var optOutListName: String?
    public var optedOutNumber: String?
    public var optedOutTimestamp: Date?
    public var endUserOptedOut: Bool

    public init(optOutListArn: String? = nil, optOutListName: String? = nil, optedOutNumber: String? = nil,
                optedOutTimestamp: Date? = nil, endUserOptedOut: Bool = false) {
        self.optOutListArn = optOutListArn
        self.optOutListName = optOutListName
        self.optedOutNumber = optedOutNumber
        self.optedOutTimestamp = optedOutTimestamp
        self.endUserOptedOut = endUserOptedOut
    }

    enum CodingKeys: String, CodingKey {
        case optOutListArn = "OptOutListArn", optOutListName = "OptOutListName", optedOutNumber = "OptedOutNumber",
             optedOutTimestamp = "OptedOutTimestamp", endUserOptedOut = "EndUserOptedOut"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        optOutListArn = try c.decodeIfPresent(String.self, forKey: .optOutListArn)
        optOutListName = try c.decodeIfPresent(String.self, forKey: .optOutListName)
        optedOutNumber = try c.decodeIfPresent(String.self, forKey: .optedOutNumber)
        optedOutTimestamp = try c.decodeIfPresent(Date.self, forKey: .optedOutTimestamp)
        endUserOptedOut = try c.decodeIfPresent(Bool.self, forKey: .endUserOptedOut) ?? false  // PrimitiveBoolean
    }
}

/// A filter of `DescribeOptedOutNumbers` (`end-user-opted-out`) or `DescribePools` (`status`, `opt-out-list-name`, …).
public struct DescribeFilter: Sendable, Equatable, Codable {
    public var name: String
    public var values: [String]

    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }

    /// Only numbers the end user opted out of (STOP replies), not ones added through the API.
    public static let endUserOptedOut = DescribeFilter(name: "end-user-opted-out", values: ["true"])

    enum CodingKeys: String, CodingKey {
        case name = "Name", values = "Values"
    }
}

public struct DescribeOptedOutNumbersInput: Sendable, Equatable, Codable {
    public var optOutListName: String
    /// At most 5 numbers to look up.
    public var optedOutNumbers: [String]?
    public var filters: [DescribeFilter]?
    public var nextToken: String?
    /// 1–100.
    public var maxResults: Int?

    public init(optOutListName: String, optedOutNumbers: [String]? = nil, filters: [DescribeFilter]? = nil,
                nextToken: String? = nil, maxResults: Int? = nil) {
        self.optOutListName = optOutListName
        self.optedOutNumbers = optedOutNumbers
        self.filters = filters
        self.nextToken = nextToken
        self.maxResults = maxResults
    }

    enum CodingKeys: String, CodingKey {
        case optOutListName = "OptOutListName", optedOutNumbers = "OptedOutNumbers", filters = "Filters",
             nextToken = "NextToken", maxResults = "MaxResults"
    }
}

public struct OptedOutNumberInformation: Sendable, Equatable, Codable {
    public var optedOutNumber: String
    public var optedOutTimestamp: Date
    public var endUserOptedOut: Bool

    public init(optedOutNumber: String, optedOutTimestamp: Date, endUserOptedOut: Bool) {
        self.optedOutNumber = optedOutNumber
        self.optedOutTimestamp = optedOutTimestamp
        self.endUserOptedOut = endUserOptedOut
    }

    enum CodingKeys: String, CodingKey {
        case optedOutNumber = "OptedOutNumber", optedOutTimestamp = "OptedOutTimestamp", endUserOptedOut = "EndUserOptedOut"
    }
}

public struct DescribeOptedOutNumbersOutput: Sendable, Equatable, Codable {
    public var optOutListArn: String?
    public var optOutListName: String?
    public var optedOutNumbers: [OptedOutNumberInformation]
    public var nextToken: String?

    public init(optOutListArn: String? = nil, optOutListName: String? = nil, optedOutNumbers: [OptedOutNumberInformation] = [], nextToken: String? = nil) {
        self.optOutListArn = optOutListArn
        self.optOutListName = optOutListName
        self.optedOutNumbers = optedOutNumbers
        self.nextToken = nextToken
    }

    enum CodingKeys: String, CodingKey {
        case optOutListArn = "OptOutListArn", optOutListName = "OptOutListName", optedOutNumbers = "OptedOutNumbers", nextToken = "NextToken"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        optOutListArn = try c.decodeIfPresent(String.self, forKey: .optOutListArn)
        optOutListName = try c.decodeIfPresent(String.self, forKey: .optOutListName)
        optedOutNumbers = try c.decodeIfPresent([OptedOutNumberInformation].self, forKey: .optedOutNumbers) ?? []
        nextToken = try c.decodeIfPresent(String.self, forKey: .nextToken)
    }
}

/// Who owns the lists or pools to describe.
public enum ResourceOwner: String, Sendable, Codable {
    case `self` = "SELF"
    case shared = "SHARED"
}

public struct DescribeOptOutListsInput: Sendable, Equatable, Codable {
    /// At most 5 names or ARNs; not together with `owner`.
    public var optOutListNames: [String]?
    public var nextToken: String?
    public var maxResults: Int?
    public var owner: ResourceOwner?

    public init(optOutListNames: [String]? = nil, nextToken: String? = nil, maxResults: Int? = nil, owner: ResourceOwner? = nil) {
        self.optOutListNames = optOutListNames
        self.nextToken = nextToken
        self.maxResults = maxResults
        self.owner = owner
    }

    enum CodingKeys: String, CodingKey {
        case optOutListNames = "OptOutListNames", nextToken = "NextToken", maxResults = "MaxResults", owner = "Owner"
    }
}

public struct OptOutListInformation: Sendable, Equatable, Codable {
    public var optOutListArn: String
    public var optOutListName: String
    public var createdTimestamp: Date

    public init(optOutListArn: String, optOutListName: String, createdTimestamp: Date) {
        self.optOutListArn = optOutListArn
        self.optOutListName = optOutListName
        self.createdTimestamp = createdTimestamp
    }

    enum CodingKeys: String, CodingKey {
        case optOutListArn = "OptOutListArn", optOutListName = "OptOutListName", createdTimestamp = "CreatedTimestamp"
    }
}

public struct DescribeOptOutListsOutput: Sendable, Equatable, Codable {
    public var optOutLists: [OptOutListInformation]
    public var nextToken: String?

    public init(optOutLists: [OptOutListInformation] = [], nextToken: String? = nil) {
        self.optOutLists = optOutLists
        self.nextToken = nextToken
    }

    enum CodingKeys: String, CodingKey {
        case optOutLists = "OptOutLists", nextToken = "NextToken"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        optOutLists = try c.decodeIfPresent([OptOutListInformation].self, forKey: .optOutLists) ?? []
        nextToken = try c.decodeIfPresent(String.self, forKey: .nextToken)
    }
}

public struct Tag: Sendable, Equatable, Codable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    enum CodingKeys: String, CodingKey {
        case key = "Key", value = "Value"
    }
}

public struct CreateOptOutListInput: Sendable, Equatable, Codable {
    /// `[A-Za-z0-9_-]+`, 1–64.
    public var optOutListName: String
    public var tags: [Tag]?
    /// Idempotency token (printable ASCII, 1–64).
    public var clientToken: String?

    public init(optOutListName: String, tags: [Tag]? = nil, clientToken: String? = nil) {
        self.optOutListName = optOutListName
        self.tags = tags
        self.clientToken = clientToken
    }

    enum CodingKeys: String, CodingKey {
        case optOutListName = "OptOutListName", tags = "Tags", clientToken = "ClientToken"
    }
}

public struct CreateOptOutListOutput: Sendable, Equatable, Codable {
    public var optOutListArn: String?
    public var optOutListName: String?
    public var tags: [Tag]?
    public var createdTimestamp: Date?

    public init(optOutListArn: String? = nil, optOutListName: String? = nil, tags: [Tag]? = nil, createdTimestamp: Date? = nil) {
        self.optOutListArn = optOutListArn
        self.optOutListName = optOutListName
        self.tags = tags
        self.createdTimestamp = createdTimestamp
    }

    enum CodingKeys: String, CodingKey {
        case optOutListArn = "OptOutListArn", optOutListName = "OptOutListName", tags = "Tags", createdTimestamp = "CreatedTimestamp"
    }
}

public struct UpdatePoolInput: Sendable, Equatable, Codable {
    /// Pool id or ARN.
    public var poolId: String
    public var twoWayEnabled: Bool?
    public var twoWayChannelArn: String?
    public var twoWayChannelRole: String?
    public var selfManagedOptOutsEnabled: Bool?
    /// Name or ARN of the opt-out list the pool should use.
    public var optOutListName: String?
    public var sharedRoutesEnabled: Bool?
    public var deletionProtectionEnabled: Bool?

    public init(poolId: String, twoWayEnabled: Bool? = nil, twoWayChannelArn: String? = nil, twoWayChannelRole: String? = nil,
                selfManagedOptOutsEnabled: Bool? = nil, optOutListName: String? = nil, sharedRoutesEnabled: Bool? = nil,
                deletionProtectionEnabled: Bool? = nil) {
        self.poolId = poolId
        self.twoWayEnabled = twoWayEnabled
        self.twoWayChannelArn = twoWayChannelArn
        self.twoWayChannelRole = twoWayChannelRole
        self.selfManagedOptOutsEnabled = selfManagedOptOutsEnabled
        self.optOutListName = optOutListName
        self.sharedRoutesEnabled = sharedRoutesEnabled
        self.deletionProtectionEnabled = deletionProtectionEnabled
    }

    enum CodingKeys: String, CodingKey {
        case poolId = "PoolId", twoWayEnabled = "TwoWayEnabled", twoWayChannelArn = "TwoWayChannelArn",
             twoWayChannelRole = "TwoWayChannelRole", selfManagedOptOutsEnabled = "SelfManagedOptOutsEnabled",
             optOutListName = "OptOutListName", sharedRoutesEnabled = "SharedRoutesEnabled",
             deletionProtectionEnabled = "DeletionProtectionEnabled"
    }
}

/// A pool as `DescribePools` lists it and `UpdatePool` returns it.
public struct PoolInformation: Sendable, Equatable, Codable {
    public var poolArn: String?
    public var poolId: String?
    /// `CREATING`, `ACTIVE`, `DELETING`.
    public var status: String?
    /// `TRANSACTIONAL`, `PROMOTIONAL`.
    public var messageType: String?
    public var twoWayEnabled: Bool
    public var twoWayChannelArn: String?
    public var twoWayChannelRole: String?
    public var selfManagedOptOutsEnabled: Bool
    public var optOutListName: String?
    public var sharedRoutesEnabled: Bool
    public var deletionProtectionEnabled: Bool
    public var createdTimestamp: Date?

    public init(poolArn: String? = nil, poolId: String? = nil, status: String? = nil, messageType: String? = nil,
                twoWayEnabled: Bool = false, twoWayChannelArn: String? = nil, twoWayChannelRole: String? = nil,
                selfManagedOptOutsEnabled: Bool = false, optOutListName: String? = nil, sharedRoutesEnabled: Bool = false,
                deletionProtectionEnabled: Bool = false, createdTimestamp: Date? = nil) {
        self.poolArn = poolArn
        self.poolId = poolId
        self.status = status
        self.messageType = messageType
        self.twoWayEnabled = twoWayEnabled
        self.twoWayChannelArn = twoWayChannelArn
        self.twoWayChannelRole = twoWayChannelRole
        self.selfManagedOptOutsEnabled = selfManagedOptOutsEnabled
        self.optOutListName = optOutListName
        self.sharedRoutesEnabled = sharedRoutesEnabled
        self.deletionProtectionEnabled = deletionProtectionEnabled
        self.createdTimestamp = createdTimestamp
    }

    enum CodingKeys: String, CodingKey {
        case poolArn = "PoolArn", poolId = "PoolId", status = "Status", messageType = "MessageType",
             twoWayEnabled = "TwoWayEnabled", twoWayChannelArn = "TwoWayChannelArn", twoWayChannelRole = "TwoWayChannelRole",
             selfManagedOptOutsEnabled = "SelfManagedOptOutsEnabled", optOutListName = "OptOutListName",
             sharedRoutesEnabled = "SharedRoutesEnabled", deletionProtectionEnabled = "DeletionProtectionEnabled",
             createdTimestamp = "CreatedTimestamp"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        poolArn = try c.decodeIfPresent(String.self, forKey: .poolArn)
        poolId = try c.decodeIfPresent(String.self, forKey: .poolId)
        status = try c.decodeIfPresent(String.self, forKey: .status)
        messageType = try c.decodeIfPresent(String.self, forKey: .messageType)
        twoWayEnabled = try c.decodeIfPresent(Bool.self, forKey: .twoWayEnabled) ?? false
        twoWayChannelArn = try c.decodeIfPresent(String.self, forKey: .twoWayChannelArn)
        twoWayChannelRole = try c.decodeIfPresent(String.self, forKey: .twoWayChannelRole)
        selfManagedOptOutsEnabled = try c.decodeIfPresent(Bool.self, forKey: .selfManagedOptOutsEnabled) ?? false
        optOutListName = try c.decodeIfPresent(String.self, forKey: .optOutListName)
        sharedRoutesEnabled = try c.decodeIfPresent(Bool.self, forKey: .sharedRoutesEnabled) ?? false
        deletionProtectionEnabled = try c.decodeIfPresent(Bool.self, forKey: .deletionProtectionEnabled) ?? false
        createdTimestamp = try c.decodeIfPresent(Date.self, forKey: .createdTimestamp)
    }
}

public struct DescribePoolsInput: Sendable, Equatable, Codable {
    public var poolIds: [String]?
    public var filters: [DescribeFilter]?
    public var nextToken: String?
    public var maxResults: Int?
    public var owner: ResourceOwner?

    public init(poolIds: [String]? = nil, filters: [DescribeFilter]? = nil, nextToken: String? = nil, maxResults: Int? = nil, owner: ResourceOwner? = nil) {
        self.poolIds = poolIds
        self.filters = filters
        self.nextToken = nextToken
        self.maxResults = maxResults
        self.owner = owner
    }

    enum CodingKeys: String, CodingKey {
        case poolIds = "PoolIds", filters = "Filters", nextToken = "NextToken", maxResults = "MaxResults", owner = "Owner"
    }
}

public struct DescribePoolsOutput: Sendable, Equatable, Codable {
    public var pools: [PoolInformation]
    public var nextToken: String?

    public init(pools: [PoolInformation] = [], nextToken: String? = nil) {
        self.pools = pools
        self.nextToken = nextToken
    }

    enum CodingKeys: String, CodingKey {
        case pools = "Pools", nextToken = "NextToken"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        pools = try c.decodeIfPresent([PoolInformation].self, forKey: .pools) ?? []
        nextToken = try c.decodeIfPresent(String.self, forKey: .nextToken)
    }
}
