import Foundation
import Logging
import Postgres

/// `Benchmarks copy out|in CONNINFO TABLE ROWS` — one direction per process, so the read's peak
/// memory (VmHWM) is the read's alone. Prints `copy DIR rows=N seconds=S vmhwm_kb=K`.
///
/// - out: `COPY table TO STDOUT`, parsing every row (the id as Int64, the phone as a String) the
///   way the snapshot reader does.
/// - in: `COPY table FROM STDIN` of generated rows shaped like the table scripts/bench/copy makes.
func runCopyBench(_ arguments: [String]) async throws -> Int32 {
    if arguments.first == "notify", arguments.count == 3, let rounds = Int(arguments[2]) {
        return try await runNotifyLatency(conninfo: arguments[1], rounds: rounds)
    }
    guard arguments.count == 4, let rows = Int(arguments[3]), ["out", "in"].contains(arguments[0]) else {
        FileHandle.standardError.write(Data("usage: Benchmarks copy out|in CONNINFO TABLE ROWS | copy notify CONNINFO ROUNDS\n".utf8))
        return 64
    }
    let table = try PostgresQualifiedName(parsing: arguments[2])
    let conn = try await PostgresConnection.connect(conninfo: arguments[1], logger: .disabled)
    let start = ContinuousClock.now
    var count = 0
    if arguments[0] == "out" {
        var idSum: Int64 = 0
        var phoneBytes = 0
        count = try await conn.copyOut("COPY \(table) TO STDOUT") { row in
            idSum &+= row.int64(0) ?? 0
            phoneBytes += row.string(1)?.utf8.count ?? 0
        }
        precondition(idSum != 0 && phoneBytes > 0)
    } else {
        count = try await conn.copyIn("COPY \(table) (id, phone, region, changed_at) FROM STDIN") { writer in
            for i in 0..<rows {
                writer.append(i + 1)
                try writer.append("+1206" + String(5_000_000 + i))
                try writer.append("US")
                try writer.append("2026-12-03 10:00:00+00")
                try writer.endRow()
            }
        }
    }
    let elapsed = start.duration(to: .now)
    await conn.close()
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print("copy \(arguments[0]) rows=\(count) seconds=\(String(format: "%.3f", seconds)) vmhwm_kb=\(peakResidentKilobytes())")
    return count == rows ? 0 : 1
}

/// `Benchmarks copy notify CONNINFO ROUNDS`: NOTIFY → wake-up of a listener parked in `poll`,
/// measured from just before `pg_notify` is sent to the listener's return. Prints p50/p99/max in µs.
private func runNotifyLatency(conninfo: String, rounds: Int) async throws -> Int32 {
    let listener = try await PostgresConnection.connect(conninfo: conninfo, logger: .disabled)
    let sender = try await PostgresConnection.connect(conninfo: conninfo, logger: .disabled)
    try await listener.listen("bench")
    let clock = ContinuousClock()
    var micros: [Int64] = []
    for i in 0..<rounds {
        let waiting = Task { try await listener.waitForNotification(timeout: .seconds(5)) }
        try await Task.sleep(for: .milliseconds(2))  // let the listener park in poll
        let sent = clock.now
        try await sender.notify("bench", payload: String(i))
        guard try await waiting.value?.payload == String(i) else { return 1 }
        let latency = sent.duration(to: clock.now)
        micros.append(latency.components.seconds * 1_000_000 + latency.components.attoseconds / 1_000_000_000_000)
    }
    micros.sort()
    print("notify rounds=\(rounds) p50_us=\(micros[micros.count / 2]) p99_us=\(micros[micros.count * 99 / 100]) max_us=\(micros.last!)")
    return 0
}

/// VmHWM (peak resident set) of this process from /proc/self/status.
func peakResidentKilobytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return -1 }
    return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
}
