import AWS
import Configuration
import Foundation
import Logging
import OptOutSync
import PhoneNumbers
import Postgres
import Reporting
import SyncCore
import SyncStore

/// `optout-sync check`: the configuration (already loaded and valid when this runs) and each
/// dependency, as a table of BU × check. Per BU: `config`, `legacy table` (the configured table and
/// columns exist), `sample` (a few values and what they normalise to, masked), `invalid share`
/// (over a sample of at most `sampleSize` rows), then unless `--no-aws` `aws credentials` (resolved,
/// the role assumed) and `opt-out list` (DescribeOptOutLists); last the state database.
enum CheckCommand {
    struct Row: Equatable {
        var businessUnit: String
        var check: String
        /// nil when the check passed; else the exit code this failure stands for.
        var failure: ExitCode?
        var detail: String
    }

    static func run(_ context: CommandContext, aws checkAWS: Bool = true) async -> ExitCode {
        var rows: [Row] = []
        let aws: Result<AWSSetup, any Error>? = checkAWS ? Result { try AWSSetup(context) } : nil
        for bu in context.selectedBusinessUnits {
            rows.append(configRow(bu))
            rows += await legacyRows(context, bu)
            switch aws {
            case .success(let setup): rows += await awsRows(context, setup, bu)
            case .failure(let error): rows.append(Row(businessUnit: bu.name, check: "aws", failure: ExitCode(for: error), detail: "\(error)"))
            case nil: break
            }
        }
        rows.append(await stateDatabaseRow(context))
        let table = TextTable(header: ["BU", "CHECK", "RESULT", "DETAIL"],
                              rows: rows.map { [$0.businessUnit, $0.check, $0.failure == nil ? "OK" : "FAIL", $0.detail] })
        context.console.out(table.render())
        return rows.compactMap(\.failure).first ?? .success
    }

    static func configRow(_ bu: BusinessUnitConfig) -> Row {
        var detail = "list \(bu.optOutList), \(bu.awsRegion), account \(bu.account), table \(bu.legacy.table)"
        if let eventLog = bu.legacy.eventLog { detail += " (event log by \(eventLog.timeColumn))" }
        return Row(businessUnit: bu.name, check: "config", failure: nil, detail: detail)
    }

    /// Rows of the legacy table read to judge the invalid share, at most.
    static let sampleSize = 10_000
    /// Sample values shown (masked: they are personal data).
    static let shownValues = 5

    /// The BU's legacy table: inspected (a wrong table or column fails, naming the column and its
    /// configuration key), then a sample normalised the way the snapshot does it.
    static func legacyRows(_ context: CommandContext, _ bu: BusinessUnitConfig) async -> [Row] {
        func row(_ check: String, _ detail: String, failure: ExitCode? = nil) -> Row {
            Row(businessUnit: bu.name, check: check, failure: failure, detail: detail)
        }
        let connection: PostgresConnection
        do {
            connection = try await StateDatabase.connectLegacy(context, bu)
        } catch {
            return [row("legacy table", String(describing: error), failure: ExitCode(for: error))]
        }
        defer { Task { await connection.close() } }
        do {
            let table = try await LegacyTable.inspect(bu.legacy, businessUnit: bu.name, on: connection)
            let locator = table.primaryKey.isEmpty ? "ctid (no primary key)" : "primary key (\(table.primaryKey.joined(separator: ", ")))"
            var rows = [row("legacy table", "\(bu.legacy.table): configured columns found; rows located by \(locator)")]
            let sample = try await table.sample(maxRows: sampleSize, defaultRegion: bu.defaultRegion, on: connection)
            let normalizer = try Normalizer(defaultRegion: bu.defaultRegion)
            let results = await normalizer.normalizeAll(sample.rows.map { RawPhoneNumber($0.raw, region: $0.region) })
                .map { $0.applying(context.config.sync.unverifiedNumbers) }
            for index in shownIndices(results) {
                let (raw, region) = sample.rows[index]
                rows.append(row("sample", "\(raw.map(PhoneMask.mask) ?? "NULL") (\(region)) → \(describe(results[index]))"))
            }
            let invalid = results.count { $0.e164 == nil }
            let share = results.isEmpty ? "no rows selected" : String(format: "%.1f%% invalid (%d of %d rows)", 100 * Double(invalid) / Double(results.count), invalid, results.count)
            rows.append(row("invalid share", "\(share); sample: \(sample.method)"))
            return rows
        } catch let error as LegacyTable.Error {
            return [row("legacy table", error.description, failure: .configuration)]
        } catch {
            context.logger.error("legacy table check failed", ["bu": bu.name, "error": String(describing: error)])
            return [row("legacy table", String(describing: error), failure: ExitCode(for: error))]
        }
    }

    /// The first `shownValues` sample rows, with the first invalid one among them when the
    /// sample has one (so the output shows what a rejected value looks like).
    static func shownIndices(_ results: [NormalizationResult]) -> [Int] {
        var indices = Array(results.indices.prefix(shownValues))
        if !indices.contains(where: { results[$0].e164 == nil }), let invalid = results.firstIndex(where: { $0.e164 == nil }), !indices.isEmpty {
            indices[indices.count - 1] = invalid
        }
        return indices
    }

    static func describe(_ result: NormalizationResult) -> String {
        switch result {
        case .valid(let number): PhoneMask.mask(number.description)
        case .unverified(let number): PhoneMask.mask(number.description) + " (possible only: sent, AWS decides)"
        case .invalid(let reason): "invalid: \(reason.code)"
        }
    }

    /// The BU's credentials (a role assumed when `role_arn` is set: the call STS would refuse) and
    /// its opt-out list. A missing list names the fix.
    static func awsRows(_ context: CommandContext, _ aws: AWSSetup, _ bu: BusinessUnitConfig) async -> [Row] {
        guard let target = aws.targets[bu.name] else { return [] }
        var rows: [Row] = []
        do {
            let credentials = try await target.client.credentials.credentials()
            var detail = bu.roleARN.map { "role \($0) assumed" } ?? "credentials found"
            detail += "; access key \(maskAccessKey(credentials.accessKeyID))"
            if let expiration = credentials.expiration {
                detail += ", temporary until \(expiration.formatted(.iso8601))"
            }
            rows.append(Row(businessUnit: bu.name, check: "aws credentials", failure: nil, detail: detail))
        } catch {
            return [Row(businessUnit: bu.name, check: "aws credentials", failure: awsExitCode(error), detail: "\(error)")]
        }
        // The account is known from the list or role ARN; else it is that of the default credentials.
        let where_ = target.account == "default" ? target.region : "\(target.region), account \(target.account)"
        do {
            let provisioner = Provisioner(gateway: aws.gateway, logger: context.logger)
            if let list = try await provisioner.describeList(target: target, bu: bu.name) {
                rows.append(Row(businessUnit: bu.name, check: "opt-out list", failure: nil,
                                detail: "\(list.optOutListName) exists in \(where_) (created \(list.createdTimestamp.formatted(.iso8601)))"))
            } else {
                rows.append(Row(businessUnit: bu.name, check: "opt-out list", failure: .configuration,
                                detail: "\(target.listName) not found in \(where_): run optout-sync provision (or fix opt_out_list)"))
            }
        } catch {
            let detail = awsErrorCode(error).map { "\($0.code): \($0.reason)" } ?? "\(error)"
            rows.append(Row(businessUnit: bu.name, check: "opt-out list", failure: awsExitCode(error), detail: detail))
        }
        return rows
    }

    /// `AKIDEXAMPLE` → `AKID…MPLE`: enough to tell keys apart, not to copy one.
    static func maskAccessKey(_ id: String) -> String {
        id.count > 8 ? "\(id.prefix(4))…\(id.suffix(4))" : "***"
    }

    /// Refused credentials or permissions (AccessDenied, an unknown key, a bad signature, an expired
    /// token) → 77; credentials missing or misconfigured → 78; no answer or another failure → 69.
    static func awsExitCode(_ error: any Error) -> ExitCode {
        if let code = awsErrorCode(error)?.code {
            return PutOutcome.accessRefusedCodes.contains(code) ? .permissionDenied : .unavailable
        }
        if let credentials = error as? CredentialError {
            return credentials.kind == .failed ? .unavailable : .configuration
        }
        return .unavailable
    }

    /// Connects, compares the applied schema version with this binary's, and checks the privileges
    /// the daemon needs on the state tables.
    static func stateDatabaseRow(_ context: CommandContext) async -> Row {
        let schema = context.config.stateDatabase.schema
        var row = Row(businessUnit: "-", check: "state database", failure: nil, detail: "")
        do {
            let migrator = try Migrator(logger: context.logger)
            row = try await StateDatabase.withConnection(context) { connection in
                let version = try await migrator.appliedVersion(on: connection, schema: schema)
                guard version >= migrator.latestVersion else {
                    return Row(businessUnit: "-", check: "state database", failure: .unavailable,
                               detail: "schema \(schema) at version \(version) of \(migrator.latestVersion): run optout-sync migrate")
                }
                let missing = try await tablesLackingPrivileges(connection, schema: schema)
                guard missing.isEmpty else {
                    return Row(businessUnit: "-", check: "state database", failure: .permissionDenied,
                               detail: "no SELECT/INSERT/UPDATE/DELETE on \(missing.joined(separator: ", "))")
                }
                return Row(businessUnit: "-", check: "state database", failure: nil,
                           detail: "connected; schema \(schema) at version \(version) of \(migrator.latestVersion)")
            }
        } catch {
            context.logger.error("state database check failed", ["error": String(describing: error)])
            row.failure = ExitCode(for: error)
            row.detail = String(describing: error)
        }
        return row
    }

    /// Tables of `schema` on which the current user lacks a privilege the daemon uses.
    static func tablesLackingPrivileges(_ connection: PostgresConnection, schema: String) async throws -> [String] {
        let rows = try await connection.query("""
            SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = \(schema) AND c.relkind IN ('r', 'p')
              AND NOT has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE')
            ORDER BY 1
            """)
        return try rows.map { try $0.decode(String.self, column: "name") }
    }
}
