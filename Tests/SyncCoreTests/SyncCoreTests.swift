import SyncCore
import Testing

@Suite struct ScanBudgetTests {
    @Test func defaultQuotasBuyOnePagePerTenNumbers() {
        let budget = ScanBudget(workSetSize: 5_000, putRate: 10, describeRate: 1)
        #expect(budget.maxPages == 500)
        #expect(budget.shouldFetch(pagesRead: 499))
        #expect(!budget.shouldFetch(pagesRead: 500))
    }

    @Test func smallWorkSetStillReadsTheFirstPage() {
        #expect(ScanBudget(workSetSize: 3, putRate: 10, describeRate: 1).maxPages == 1)
    }

    @Test func emptyWorkSetScansNothing() {
        #expect(ScanBudget(workSetSize: 0, putRate: 10, describeRate: 1).maxPages == 0)
    }

    @Test func fastDescribeBuysMorePages() {
        #expect(ScanBudget(workSetSize: 1_000, putRate: 100, describeRate: 50).maxPages == 500)
    }
}

@Suite struct ProgressEstimatorTests {
    @Test func rateAndETAOverTheWindow() {
        var p = ProgressEstimator(window: 10)
        p.record(time: 0, done: 0)
        #expect(p.rate == nil)
        p.record(time: 5, done: 50)
        p.record(time: 10, done: 100)
        #expect(p.rate == 10)
        #expect(p.eta(remaining: 300) == 30)
        // Old samples leave the window: the rate follows the recent pace.
        p.record(time: 20, done: 120)
        p.record(time: 25, done: 130)
        #expect(p.rate! < 3)
    }

    @Test func stalledJobHasNoETA() {
        var p = ProgressEstimator()
        p.record(time: 0, done: 10)
        p.record(time: 5, done: 10)
        #expect(p.eta(remaining: 5) == nil)
        #expect(p.eta(remaining: 0) == 0)
    }

    @Test(arguments: [(0.0, "0s"), (59.4, "59s"), (245, "4m05s"), (11_220, "3h07m"), (187_200, "2d04h")])
    func durationText(seconds: Double, text: String) {
        #expect(DurationText.format(seconds: seconds) == text)
    }
}

@Suite struct PutOutcomeTests {
    @Test func classification() {
        #expect(PutOutcome.classify(errorCode: nil) == .confirmed)
        #expect(PutOutcome.classify(errorCode: "ValidationException") == .failedPermanently)
        #expect(PutOutcome.classify(errorCode: "ResourceNotFoundException") == .stopBusinessUnit(.listNotFound))
        #expect(PutOutcome.classify(errorCode: "AccessDeniedException") == .stopBusinessUnit(.accessDenied))
        // A bad secret: the request was refused before anything was looked at.
        #expect(PutOutcome.classify(errorCode: "InvalidSignatureException") == .stopBusinessUnit(.accessDenied))
        #expect(PutOutcome.classify(errorCode: "ThrottlingException") == .retryLater)
        #expect(PutOutcome.classify(errorCode: "InternalServerException") == .retryLater)
    }
}
