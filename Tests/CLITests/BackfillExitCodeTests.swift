@testable import CLI
import OptOutSync
import SyncCore
import Testing

@Suite struct BackfillExitCodeTests {
    private func done(invalid: Int = 0, failed: Int = 0) -> BackfillService.Result {
        .done(BackfillProgress(businessUnit: "a", phase: .done, invalid: invalid, failed: failed))
    }

    @Test func cleanRunIsSuccess() {
        #expect(BackfillCommand.exitCode([done(), done()]) == .success)
    }

    @Test func quarantinedOrRefusedNumbersArePartial() {
        #expect(BackfillCommand.exitCode([done(), done(invalid: 3)]) == .partial)
        #expect(BackfillCommand.exitCode([done(failed: 1)]) == .partial)
    }

    @Test func oneStoppedBUIsPartialButDeniedEverywhereIs77() {
        let denied = BackfillService.Result.stopped(BackfillProgress(businessUnit: "b", phase: .stopped), .accessDenied)
        let missing = BackfillService.Result.stopped(BackfillProgress(businessUnit: "c", phase: .stopped), .listNotFound)
        #expect(BackfillCommand.exitCode([done(), missing]) == .partial)
        #expect(BackfillCommand.exitCode([done(), denied]) == .partial)
        #expect(BackfillCommand.exitCode([denied, denied]) == .permissionDenied)
    }

    @Test func unavailableWinsThenInterrupted() {
        let p = BackfillProgress(businessUnit: "a")
        #expect(BackfillCommand.exitCode([.interrupted(p), .unavailable(p, "down")]) == .unavailable)
        #expect(BackfillCommand.exitCode([done(invalid: 1), .interrupted(p)]) == .interrupted)
        #expect(BackfillCommand.exitCode([.failed(p, "x"), done()]) == .failure)
    }

    @Test func aDryRunPlanIsSuccess() {
        #expect(BackfillCommand.exitCode([.planned(BackfillProgress(businessUnit: "a", phase: .done, invalid: 4))]) == .success)
    }
}
