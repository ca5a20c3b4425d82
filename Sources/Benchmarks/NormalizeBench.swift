import Dispatch
import Foundation
import PhoneNumbers

/// `Benchmarks normalize CORPUS.json [--default-region US] [--repeat 3]`: throughput of
/// `Normalizer.normalizeAllBlocking` on one thread and on all cores, over a corpus written by
/// scripts/phonenumbers-reference.py (rows of raw, region, reference answer). Run by scripts/bench/normalize.
enum NormalizeBench {
    static func run(_ arguments: [String]) throws {
        guard let path = arguments.first else {
            print("usage: Benchmarks normalize CORPUS.json [--default-region US] [--repeat 3]")
            return
        }
        let defaultRegion = value(of: "--default-region", in: arguments) ?? "US"
        let repeats = Int(value(of: "--repeat", in: arguments) ?? "3") ?? 3
        let rows = try JSONDecoder().decode([[String?]].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        let inputs = rows.map { RawPhoneNumber($0[0], region: $0[1]) }
        let normalizer = try Normalizer(defaultRegion: defaultRegion)

        print("normalize: \(inputs.count) values from \(URL(fileURLWithPath: path).lastPathComponent), default region \(defaultRegion)")
        let cores = Normalizer.defaultThreadCount
        for threads in Array(Set([1, 2, cores])).sorted() {
            var best = Double.infinity, cpuOfBest = 0.0
            var results: [NormalizationResult] = []
            for _ in 0..<repeats {
                let start = DispatchTime.now().uptimeNanoseconds, cpuStart = processCPUSeconds()
                results = normalizer.normalizeAllBlocking(inputs, threads: threads)
                let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                if wall < best { best = wall; cpuOfBest = processCPUSeconds() - cpuStart }
            }
            let mismatches = zip(results, rows).filter { $0.cacheEncoding != $1[2] }.count
            // CPU time well below threads × wall means the workers waited (other load, or locks).
            let line = String(format: "  threads %d: best of %d %.3f s (CPU %.3f s), %.0f values/s, %.1f µs CPU/value",
                              threads, repeats, best, cpuOfBest, Double(inputs.count) / best, cpuOfBest / Double(inputs.count) * 1e6)
            print(line + (mismatches == 0 ? "" : ", \(mismatches) answers differ from the reference"))
        }
    }

    private static func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private static func value(of option: String, in arguments: [String]) -> String? {
        arguments.firstIndex(of: option).flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
    }
}
