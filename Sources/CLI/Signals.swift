import Dispatch
import Foundation
import OptOutSync

/// SIGINT and SIGTERM ask long commands to stop gracefully (stop sending, record what is in
/// flight, exit 75); a second signal exits at once (the outbox still holds the work).
final class SignalHandlers {
    private let sources: [any DispatchSourceSignal]

    init(onFirst stop: StopFlag, console: Console) {
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if stop.isRequested {
                    console.err("optout-sync: second signal, exiting now (work is checkpointed)\n")
                    exit(ExitCode.interrupted.rawValue)
                }
                console.err("optout-sync: stopping: finishing requests in flight (signal again to exit now)\n")
                stop.request()
            }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}
