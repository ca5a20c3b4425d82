import Dispatch
import Foundation
import Synchronization

/// One raw value of a legacy row: the phone column as written and the row's region column (nil when
/// the BU has no region column).
public struct RawPhoneNumber: Hashable, Sendable {
    public var value: String?
    public var region: String?

    public init(_ value: String?, region: String? = nil) {
        self.value = value
        self.region = region
    }
}

extension Normalizer {
    /// How many threads `normalizeAll` uses by default: one per core.
    public static var defaultThreadCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Normalises a batch on `threads` threads (results in input order). Runs on a Dispatch queue, not
    /// on Swift's cooperative pool, and suspends the caller until the batch is done.
    public func normalizeAll(_ inputs: [RawPhoneNumber], threads: Int = Normalizer.defaultThreadCount) async -> [NormalizationResult] {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(returning: self.normalizeAllBlocking(inputs, threads: threads))
            }
        }
    }

    /// The blocking form of `normalizeAll`: `threads` workers (`DispatchQueue.concurrentPerform`) take
    /// chunks of `chunkSize` values in turn until the batch is done. Never call it on the cooperative pool.
    public func normalizeAllBlocking(_ inputs: [RawPhoneNumber], threads: Int = Normalizer.defaultThreadCount) -> [NormalizationResult] {
        let count = inputs.count
        let chunkSize = 256
        let workers = min(max(1, threads), (count + chunkSize - 1) / chunkSize)
        return [NormalizationResult](unsafeUninitializedCapacity: count) { buffer, initialized in
            let output = BatchOutput(base: buffer.baseAddress)
            let work: @Sendable (Int) -> Void = { _ in
                while true {
                    let start = output.nextChunk.add(chunkSize, ordering: .relaxed).oldValue
                    if start >= count { return }
                    for i in start..<min(start + chunkSize, count) {
                        (output.base! + i).initialize(to: self.normalize(inputs[i].value, region: inputs[i].region))
                    }
                }
            }
            if workers <= 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: work) }
            initialized = count
        }
    }
}

/// The output buffer shared by the workers of one batch. `@unchecked Sendable` because each chunk
/// (hence each slot) is claimed by exactly one worker through the atomic counter, and the buffer
/// outlives `concurrentPerform`, which returns only after every worker finished.
private final class BatchOutput: @unchecked Sendable {
    let base: UnsafeMutablePointer<NormalizationResult>?
    /// Index of the first value of the next unclaimed chunk.
    let nextChunk = Atomic<Int>(0)

    init(base: UnsafeMutablePointer<NormalizationResult>?) { self.base = base }
}
