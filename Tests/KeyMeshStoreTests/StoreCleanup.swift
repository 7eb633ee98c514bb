// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStorePostgres
import KeyMeshTestSupport
import Synchronization
import Testing

/// Closes the PostgreSQL stores a test case made and drops its databases when the case ends,
/// and lets only a few PostgreSQL test cases run at once: every store holds pooled connections
/// and a LISTEN connection, and a CI cluster allows about 100 connections in all.
struct StoreCleanup: SuiteTrait, TestTrait, TestScoping {
    /// PostgreSQL test cases that may hold stores at the same time.
    static let slots = Slots(count: 6)

    @TaskLocal static var registry: Registry?

    var isRecursive: Bool { true }

    func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        testCase == nil ? nil : self
    }

    func provideScope(for test: Test, testCase: Test.Case?,
                      performing function: @Sendable () async throws -> Void) async throws {
        let registry = Registry()
        do {
            try await Self.$registry.withValue(registry) { try await function() }
        } catch {
            await registry.finish()
            throw error
        }
        await registry.finish()
    }

    /// The registry of the running test case, holding one of the ``slots`` from the first call.
    /// - Throws: when the suite lacks `.storeCleanup` (stores would leak their connections).
    static func current() async throws -> Registry {
        guard let registry else {
            Issue.record("a suite making PostgreSQL stores needs the .storeCleanup trait")
            throw PostgresTestDatabaseError.notConfigured
        }
        await registry.holdSlot()
        return registry
    }

    /// What one test case made.
    final class Registry: Sendable {
        private struct State {
            var stores: [PostgresStore] = []
            var databases: [PostgresTestDatabase] = []
            var holdsSlot = false
        }

        private let state = Mutex(State())

        func register(_ store: PostgresStore) { state.withLock { $0.stores.append(store) } }

        func register(_ database: PostgresTestDatabase) { state.withLock { $0.databases.append(database) } }

        func holdSlot() async {
            let first = state.withLock { state in
                defer { state.holdsSlot = true }
                return !state.holdsSlot
            }
            if first { await StoreCleanup.slots.acquire() }
        }

        /// Closes the stores, drops the databases (best effort: CI machines are fresh) and
        /// gives the slot back.
        func finish() async {
            let (stores, databases, holdsSlot) = state.withLock { state in
                defer { state = State() }
                return (state.stores, state.databases, state.holdsSlot)
            }
            for store in stores { await store.close() }
            for database in databases { try? await database.drop() }
            if holdsSlot { await StoreCleanup.slots.release() }
        }
    }

    /// A counting semaphore for async code.
    actor Slots {
        private var free: Int
        private var waiting: [CheckedContinuation<Void, Never>] = []

        init(count: Int) { free = count }

        func acquire() async {
            if free > 0 {
                free -= 1
                return
            }
            await withCheckedContinuation { waiting.append($0) }
        }

        func release() {
            if waiting.isEmpty {
                free += 1
            } else {
                waiting.removeFirst().resume()
            }
        }
    }
}

extension Trait where Self == StoreCleanup {
    /// Closes the PostgreSQL stores each test makes (see ``StoreCleanup``).
    static var storeCleanup: Self { StoreCleanup() }
}
