import Postgres
import SyncStore
import Testing
import TestSupport

@Suite struct BackfillStoreTests {
    /// A batch recorded twice (its commit's reply lost, the connection retried) is counted once.
    @Test func recordingABatchAgainCountsNothingTwice() async throws {
        try await SnapshotHarness.with { h in
            let store = BackfillStore(schema: h.schema, businessUnit: "cards")
            let run = try await store.startRun(on: h.conn)
            try await h.conn.execute("""
                INSERT INTO optout_sync.outbox (bu, e164, direction, action, lane)
                VALUES ('cards', '+447911123456', 'to_aws', 'put', 2), ('cards', '+442079460958', 'to_aws', 'put', 2),
                       ('cards', '+442079460959', 'to_aws', 'put', 2)
                """)
            let items = try await store.claim(limit: 10, owner: "test", on: h.conn).sorted { $0.e164 < $1.e164 }
            #expect(items.map(\.e164) == ["+442079460958", "+442079460959", "+447911123456"])
            let batch: [(item: BackfillStore.Item, outcome: BackfillStore.Outcome)] = [
                (items[0], .confirmed), (items[2], .confirmed),
                (items[1], .failed(code: "ValidationException", reason: "INVALID_PHONE_NUMBER")),
            ]
            try await store.record(batch, runID: run.id, on: h.conn)
            try await store.record(batch, runID: run.id, on: h.conn)

            let counted = try await store.latestRun(on: h.conn)?.progress
            #expect(counted?.put == 2 && counted?.failed == 1, "\(String(describing: counted))")
            let states = try await h.conn.query("SELECT state, count(*)::bigint FROM optout_sync.sync_state GROUP BY 1 ORDER BY 1")
                .map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(Int64.self, at: 1))" }
            #expect(states == ["failed_to_aws 1", "in_sync 2"])
            #expect(try await h.conn.query("SELECT count(*)::bigint FROM optout_sync.outbox")[0].decode(Int64.self, at: 0) == 0)
        }
    }
}
