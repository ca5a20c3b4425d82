import AWS
import Foundation
import SMSVoiceEmulator
import Testing

/// The client against the emulator over real HTTP. The emulator verifies SigV4 with its own
/// verifier (written independently from the spec) and validates members per the service model.
@Suite struct SMSVoiceClientEmulatorTests {
    func client(_ emulator: RunningEmulator, credentials: Credentials = exampleCredentials) -> SMSVoiceClient {
        SMSVoiceClient(endpoint: emulator.url, region: "us-east-1", credentials: StaticCredentialProvider(credentials),
                       transport: CurlTransport(maxInFlight: 8), logger: .disabled)
    }

    @Test func listLifecycleAndPaginationOverHTTP() async throws {
        let emulator = try SMSVoiceEmulator.start(options: EmulatorOptions())
        defer { emulator.stop() }
        let client = client(emulator)

        let created = try await client.createOptOutList(CreateOptOutListInput(optOutListName: "cards", tags: [Tag(key: "bu", value: "cards")], clientToken: "c-1"))
        #expect(created.optOutListName == "cards")
        #expect(created.optOutListArn?.hasSuffix(":opt-out-list/cards") == true)

        let numbers = (0..<250).map { "+1206555\(String(format: "%04d", $0))" }
        try await withThrowingTaskGroup(of: OptedOutNumberResult.self) { group in
            for number in numbers { group.addTask { try await client.putOptedOutNumber(listName: "cards", number: number) } }
            for try await result in group { #expect(result.endUserOptedOut == false) }
        }

        var seen: [String] = []
        var pages = 0
        for try await page in client.optedOutNumbers(list: "cards") {
            pages += 1
            seen += page.optedOutNumbers.map(\.optedOutNumber)
        }
        #expect(pages == 3)
        #expect(Set(seen) == Set(numbers))
        #expect(seen.count == 250)

        let endUserOnly = try await client.describeOptedOutNumbers(DescribeOptedOutNumbersInput(optOutListName: "cards", filters: [.endUserOptedOut]))
        #expect(endUserOnly.optedOutNumbers.isEmpty)

        let deleted = try await client.deleteOptedOutNumber(listName: "cards", number: numbers[0])
        #expect(deleted.optedOutNumber == numbers[0])
        let lists = try await client.describeOptOutLists(DescribeOptOutListsInput(optOutListNames: ["cards"]))
        #expect(lists.optOutLists.map(\.optOutListName) == ["cards"])

        let missing = await serviceError { _ = try await client.putOptedOutNumber(listName: "nope", number: numbers[1]) }
        #expect(missing?.code == "ResourceNotFoundException")
        #expect(missing?.resourceType == "opt-out-list")
        #expect(missing?.requestID != nil)
        #expect(emulator.emulator.statistics.badSignatures == 0)
    }

    @Test func aWrongSecretIsRejectedAsPermanent() async throws {
        let emulator = try SMSVoiceEmulator.start(options: EmulatorOptions())
        defer { emulator.stop() }
        var wrong = exampleCredentials
        wrong.secretAccessKey = "not-the-secret"
        let error = await serviceError { _ = try await client(emulator, credentials: wrong).describeOptOutLists() }
        #expect(error?.code == "InvalidSignatureException")
        #expect(error?.retryClass == .permanent)
    }
}
