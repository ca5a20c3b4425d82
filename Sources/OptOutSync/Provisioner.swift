import AWS
import Configuration
import Logging

/// `optout-sync provision`: creates the opt-out lists the configuration names (tagged
/// `optout-sync:bu=NAME`) and associates them with the BU's pools. Idempotent: what exists is
/// left alone. A dry run only reads.
public struct Provisioner: Sendable {
    public struct Step: Sendable, Equatable {
        public enum Action: String, Sendable { case exists, created, wouldCreate = "would create", associated
            case alreadyAssociated = "already associated", wouldAssociate = "would associate", failed }
        public var businessUnit: String
        public var resource: String
        public var action: Action
        public var detail: String
        /// The AWS error code when `action` is `.failed`.
        public var errorCode: String?
    }

    public let gateway: AWSGateway
    public let logger: Logger

    public init(gateway: AWSGateway, logger: Logger) {
        self.gateway = gateway
        self.logger = logger
    }

    public func provision(_ unit: BusinessUnitConfig, target: AWSTarget, dryRun: Bool) async -> [Step] {
        var steps: [Step] = []
        let list = target.listName
        do {
            if try await describeList(target: target, bu: unit.name) != nil {
                steps.append(Step(businessUnit: unit.name, resource: "opt-out list \(list)", action: .exists, detail: target.region))
            } else if case .arn = unit.optOutList {
                steps.append(Step(businessUnit: unit.name, resource: "opt-out list \(list)", action: .failed,
                                  detail: "not found; a list given by ARN is not created (name it instead)", errorCode: "ResourceNotFoundException"))
                return steps
            } else if dryRun {
                steps.append(Step(businessUnit: unit.name, resource: "opt-out list \(list)", action: .wouldCreate, detail: target.region))
            } else {
                let input = CreateOptOutListInput(optOutListName: list, tags: [Tag(key: "optout-sync:bu", value: unit.name)])
                _ = try await gateway.call("CreateOptOutList", target: target, lane: .repair, bu: unit.name) {
                    try await target.client.createOptOutList(input)
                }
                logger.notice("opt-out list created", ["bu": unit.name, "aws.list": list])
                steps.append(Step(businessUnit: unit.name, resource: "opt-out list \(list)", action: .created, detail: target.region))
            }
            for pool in unit.pools {
                let current = try await gateway.call("DescribePools", target: target, lane: .repair, bu: unit.name) {
                    try await target.client.describePools(DescribePoolsInput(poolIds: [pool]))
                }.pools.first?.optOutListName
                if current == list || (current != nil && list.hasSuffix("/" + current!)) {
                    steps.append(Step(businessUnit: unit.name, resource: "pool \(pool)", action: .alreadyAssociated, detail: list))
                } else if dryRun {
                    steps.append(Step(businessUnit: unit.name, resource: "pool \(pool)", action: .wouldAssociate,
                                      detail: "\(current ?? "none") → \(list)"))
                } else {
                    _ = try await gateway.call("UpdatePool", target: target, lane: .repair, bu: unit.name) {
                        try await target.client.updatePool(UpdatePoolInput(poolId: pool, optOutListName: list))
                    }
                    steps.append(Step(businessUnit: unit.name, resource: "pool \(pool)", action: .associated,
                                      detail: "\(current ?? "none") → \(list)"))
                }
            }
        } catch {
            let (code, reason) = awsErrorCode(error) ?? ("Unavailable", "\(error)")
            steps.append(Step(businessUnit: unit.name, resource: "opt-out list \(list)", action: .failed, detail: reason, errorCode: code))
        }
        return steps
    }

    /// The BU's opt-out list as AWS describes it, or nil when it does not exist.
    public func describeList(target: AWSTarget, bu: String) async throws -> OptOutListInformation? {
        do {
            let output = try await gateway.call("DescribeOptOutLists", target: target, lane: .repair, bu: bu) {
                try await target.client.describeOptOutLists(DescribeOptOutListsInput(optOutListNames: [target.listName]))
            }
            return output.optOutLists.first
        } catch {
            if awsErrorCode(error)?.code == "ResourceNotFoundException" { return nil }
            throw error
        }
    }
}
