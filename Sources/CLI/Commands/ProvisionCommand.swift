import OptOutSync
import Reporting

/// `optout-sync provision [--dry-run]`: one table row per list and pool, with what was (or would be) done.
enum ProvisionCommand {
    static func run(_ context: CommandContext, dryRun: Bool) async -> ExitCode {
        let aws: AWSSetup
        do {
            aws = try AWSSetup(context)
        } catch {
            context.console.err("optout-sync: \(error)\n")
            return ExitCode(for: error)
        }
        let provisioner = Provisioner(gateway: aws.gateway, logger: context.logger)
        var steps: [Provisioner.Step] = []
        for unit in context.selectedBusinessUnits {
            steps += await provisioner.provision(unit, target: aws.targets[unit.name]!, dryRun: dryRun)
        }
        let table = TextTable(header: ["BU", "RESOURCE", "ACTION", "DETAIL"],
                              rows: steps.map { [$0.businessUnit, $0.resource, $0.action.rawValue, $0.detail] })
        context.console.out(table.render())
        let failures = steps.filter { $0.action == .failed }
        if failures.isEmpty { return .success }
        let denied = failures.allSatisfy { $0.errorCode.map { $0.hasPrefix("AccessDenied") } ?? false }
        return denied ? .permissionDenied : (failures.contains { $0.errorCode == "Unavailable" } ? .unavailable : .failure)
    }
}
