/// Waiters of one rate-limit key: strict priority between lanes, round robin between BUs inside a lane
/// (every request costs one token, so plain round robin is deficit round robin), FIFO inside a BU.
struct FairQueue: Sendable {
    private struct FIFO: Sendable {
        private var items: [UInt64] = []
        private var head = 0
        var isEmpty: Bool { head == items.count }
        var first: UInt64? { isEmpty ? nil : items[head] }

        mutating func push(_ id: UInt64) { items.append(id) }

        mutating func pop() -> UInt64 {
            let id = items[head]
            head += 1
            if head > 64 && head * 2 > items.count {
                items.removeFirst(head)
                head = 0
            }
            return id
        }

        mutating func remove(_ id: UInt64) -> Bool {
            guard let index = items[head...].firstIndex(of: id) else { return false }
            items.remove(at: index)
            return true
        }
    }

    private struct LaneQueue: Sendable {
        /// BUs with waiters, in round-robin order; `cursor` is the BU served next.
        var order: [String] = []
        var cursor = 0
        var byBU: [String: FIFO] = [:]

        mutating func dropBU(at index: Int) {
            byBU[order[index]] = nil
            order.remove(at: index)
            if index < cursor { cursor -= 1 }
            if cursor >= order.count { cursor = 0 }
        }
    }

    private var lanes = [LaneQueue](repeating: LaneQueue(), count: Lane.allCases.count)
    private(set) var count = 0
    private(set) var countByLane = [Int](repeating: 0, count: Lane.allCases.count)

    var isEmpty: Bool { count == 0 }

    mutating func enqueue(_ id: UInt64, lane: Lane, bu: String) {
        if lanes[lane.rawValue].byBU[bu] == nil { lanes[lane.rawValue].order.append(bu) }
        lanes[lane.rawValue].byBU[bu, default: FIFO()].push(id)
        count += 1
        countByLane[lane.rawValue] += 1
    }

    /// The waiter `pop()` would return, without removing it.
    func peek() -> (lane: Lane, id: UInt64)? {
        for lane in Lane.allCases where countByLane[lane.rawValue] > 0 {
            let queue = lanes[lane.rawValue]
            return (lane, queue.byBU[queue.order[queue.cursor]]!.first!)
        }
        return nil
    }

    mutating func pop() -> (lane: Lane, id: UInt64)? {
        guard let (lane, _) = peek() else { return nil }
        let bu = lanes[lane.rawValue].order[lanes[lane.rawValue].cursor]
        let id = lanes[lane.rawValue].byBU[bu]!.pop()
        if lanes[lane.rawValue].byBU[bu]!.isEmpty {
            lanes[lane.rawValue].dropBU(at: lanes[lane.rawValue].cursor)
        } else {
            lanes[lane.rawValue].cursor = (lanes[lane.rawValue].cursor + 1) % lanes[lane.rawValue].order.count
        }
        count -= 1
        countByLane[lane.rawValue] -= 1
        return (lane, id)
    }

    /// Removes a waiter that gave up (cancelled). False if it is not queued (already granted).
    mutating func remove(_ id: UInt64, lane: Lane, bu: String) -> Bool {
        guard lanes[lane.rawValue].byBU[bu]?.remove(id) == true else { return false }
        if lanes[lane.rawValue].byBU[bu]!.isEmpty, let index = lanes[lane.rawValue].order.firstIndex(of: bu) {
            lanes[lane.rawValue].dropBU(at: index)
        }
        count -= 1
        countByLane[lane.rawValue] -= 1
        return true
    }
}
