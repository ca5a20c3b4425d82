/// Decides how much of the AWS opt-out list is worth scanning before a backfill.
///
/// Scanning (`DescribeOptedOutNumbers`, 100 numbers a page) exists only to avoid putting numbers
/// AWS already holds. It can never save more than the whole work set, so the scan may spend at
/// most the time that putting the whole work set would take:
///
///     pages / describeRate  ≤  workSet / putRate
///
/// The scan stops (and says so) once that budget is spent; what it has seen is still used.
/// With the default quotas (put 10/s, describe 1/s) a work set of W numbers buys W/10 pages,
/// which covers lists of up to 10·W numbers: the scan is skipped only where it would not pay.
public struct ScanBudget: Sendable, Equatable {
    public var workSetSize: Int
    public var putRate: Double
    public var describeRate: Double

    public init(workSetSize: Int, putRate: Double, describeRate: Double) {
        self.workSetSize = workSetSize
        self.putRate = putRate
        self.describeRate = describeRate
    }

    /// Pages the scan may read in all (at least one when there is any work: a first page also
    /// tells whether the list is small enough to be read whole).
    public var maxPages: Int {
        guard workSetSize > 0, putRate > 0, describeRate > 0 else { return 0 }
        let pages = Double(workSetSize) * describeRate / putRate
        return max(1, Int(pages.rounded(.down)))
    }

    /// Whether to fetch another page after `pagesRead` pages.
    public func shouldFetch(pagesRead: Int) -> Bool { pagesRead < maxPages }
}
