import AWS
import Foundation
import Testing

/// The request and response shapes checked member for member against the service model botocore
/// ships (Tests/AWSTests/Python/sms_voice_model.py): fully populated values encode to exactly the
/// model's members, and request bodies pass botocore's own parameter validation.
@Suite struct SMSVoiceModelTests {
    static let t = Date(timeIntervalSince1970: 1_700_000_000)

    struct Sample {
        var shape: String
        var body: [UInt8]
        var validate: Bool
        /// Model members this client leaves out on purpose.
        var ignoredMissing: Set<String> = []
    }

    static func sample<T: Encodable>(_ shape: String, _ value: T, validate: Bool = false, ignoring: Set<String> = []) throws -> Sample {
        Sample(shape: shape, body: try AWSJSONProtocol.encode(value), validate: validate, ignoredMissing: ignoring)
    }

    @Test func shapesMatchTheServiceModel() throws {
        let filter = DescribeFilter(name: "end-user-opted-out", values: ["true"])
        let info = OptedOutNumberInformation(optedOutNumber: "+12065550100", optedOutTimestamp: Self.t, endUserOptedOut: true)
        let pool = PoolInformation(poolArn: "arn:aws:sms-voice:us-east-1:111122223333:pool/pool-1", poolId: "pool-1", status: "ACTIVE",
                                   messageType: "TRANSACTIONAL", twoWayEnabled: false, twoWayChannelArn: "arn:aws:sns:us-east-1:1:topic",
                                   twoWayChannelRole: "arn:aws:iam::111122223333:role/r", selfManagedOptOutsEnabled: false,
                                   optOutListName: "cards", sharedRoutesEnabled: false, deletionProtectionEnabled: true, createdTimestamp: Self.t)
        let samples = [
            try Self.sample("PutOptedOutNumberRequest", PutOptedOutNumberInput(optOutListName: "cards", optedOutNumber: "+12065550100"), validate: true),
            try Self.sample("DeleteOptedOutNumberRequest", DeleteOptedOutNumberInput(optOutListName: "arn:aws:sms-voice:us-east-1:1:opt-out-list/ol-1", optedOutNumber: "+12065550100"), validate: true),
            try Self.sample("PutOptedOutNumberResult", OptedOutNumberResult(optOutListArn: "arn:1", optOutListName: "cards", optedOutNumber: "+12065550100", optedOutTimestamp: Self.t, endUserOptedOut: false)),
            try Self.sample("DeleteOptedOutNumberResult", OptedOutNumberResult(optOutListArn: "arn:1", optOutListName: "cards", optedOutNumber: "+12065550100", optedOutTimestamp: Self.t, endUserOptedOut: false)),
            try Self.sample("DescribeOptedOutNumbersRequest", DescribeOptedOutNumbersInput(optOutListName: "cards", optedOutNumbers: ["+12065550100"], filters: [filter], nextToken: "t", maxResults: 100), validate: true),
            try Self.sample("DescribeOptedOutNumbersResult", DescribeOptedOutNumbersOutput(optOutListArn: "arn:1", optOutListName: "cards", optedOutNumbers: [info], nextToken: "t")),
            try Self.sample("DescribeOptOutListsRequest", DescribeOptOutListsInput(optOutListNames: ["cards"], nextToken: "t", maxResults: 5, owner: .self)),
            try Self.sample("DescribeOptOutListsRequest", DescribeOptOutListsInput(owner: .shared), validate: true, ignoring: ["OptOutListNames", "NextToken", "MaxResults"]),
            try Self.sample("DescribeOptOutListsResult", DescribeOptOutListsOutput(optOutLists: [OptOutListInformation(optOutListArn: "arn:1", optOutListName: "cards", createdTimestamp: Self.t)], nextToken: "t")),
            try Self.sample("CreateOptOutListRequest", CreateOptOutListInput(optOutListName: "cards", tags: [Tag(key: "bu", value: "cards")], clientToken: "token-1"), validate: true),
            try Self.sample("CreateOptOutListResult", CreateOptOutListOutput(optOutListArn: "arn:1", optOutListName: "cards", tags: [Tag(key: "bu", value: "cards")], createdTimestamp: Self.t)),
            try Self.sample("UpdatePoolRequest", UpdatePoolInput(poolId: "pool-1", twoWayEnabled: false, twoWayChannelArn: "arn:aws:sns:us-east-1:1:topic", twoWayChannelRole: "arn:aws:iam::1:role/r", selfManagedOptOutsEnabled: false, optOutListName: "cards", sharedRoutesEnabled: false, deletionProtectionEnabled: true), validate: true),
            try Self.sample("UpdatePoolResult", pool),
            try Self.sample("DescribePoolsRequest", DescribePoolsInput(poolIds: ["pool-1"], filters: [DescribeFilter(name: "opt-out-list-name", values: ["cards"])], nextToken: "t", maxResults: 10, owner: .self), validate: true),
            try Self.sample("DescribePoolsResult", DescribePoolsOutput(pools: [pool], nextToken: "t")),
        ]
        let answers = try PythonJudge.run(script: "sms_voice_model.py", lines: samples.map {
            ["shape": $0.shape, "body": (try? JSONSerialization.jsonObject(with: Data($0.body))) ?? [:], "validate": $0.validate]
        })
        try #require(answers.count == samples.count)
        for (sample, answer) in zip(samples, answers) {
            let unknown = answer["unknown"] as? [String] ?? ["?"]
            let missing = (answer["missing"] as? [String] ?? ["?"]).filter { path in
                !sample.ignoredMissing.contains(where: { path == "\(sample.shape).\($0)" })
            }
            #expect(unknown.isEmpty, "\(sample.shape): members the model does not have: \(unknown)")
            #expect(missing.isEmpty, "\(sample.shape): model members the client does not write: \(missing)")
            #expect(answer["errors"] as? String == "", "\(sample.shape): \(answer["errors"] ?? "")")
        }
    }
}
