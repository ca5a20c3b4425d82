import Reporting
import SyncCore
import Testing

@Suite struct BackfillReportTests {
    @Test func summaryTableHasOneRowPerBUAndATotal() {
        let text = BackfillReport.summaryTable([
            BackfillProgress(businessUnit: "cards", phase: .done, rowsRead: 1200, invalid: 12, duplicates: 30,
                             alreadyInAWS: 100, planned: 1058, put: 1050, failed: 8, elapsedSeconds: 12.34),
            BackfillProgress(businessUnit: "travel-uk", phase: .stopped, rowsRead: 10, invalid: 1,
                             elapsedSeconds: 1, stopReason: "list not found"),
        ])
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        #expect(lines[0].hasPrefix("business unit"))
        #expect(lines[2].hasPrefix("cards"))
        #expect(lines[2].contains("1200") && lines[2].contains("1050") && lines[2].hasSuffix("12.3"))
        #expect(lines[4].hasPrefix("total"))
        #expect(lines[4].contains("1210"))
    }

    @Test func progressLineShowsRatioRateAndETA() {
        let u = BackfillProgress(businessUnit: "cards", phase: .dispatch, planned: 10_000, put: 4_490, failed: 10)
        let line = BackfillReport.progressLine(u, rate: 98.4, eta: 56, nameWidth: 8, barWidth: 20)
        #expect(line == "cards    [#########-----------]  45.0%  4500/10000  98/s  ETA 56s  errors 10")
    }

    @Test func stoppedLineNamesTheReason() {
        let u = BackfillProgress(businessUnit: "shop", phase: .stopped, planned: 0, stopReason: "opt-out list not found")
        #expect(BackfillReport.progressLine(u, rate: nil, eta: nil, nameWidth: 4).hasSuffix("STOPPED: opt-out list not found"))
    }
}
