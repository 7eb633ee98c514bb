// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

extension KeyMeshClient {
    /// How long the sync loop waits after a failed sync: `initial`, doubling up to `maximum`.
    public struct Backoff: Sendable {
        public var initial: Duration
        public var maximum: Duration

        public init(initial: Duration = .seconds(1), maximum: Duration = .seconds(60)) {
            self.initial = initial
            self.maximum = maximum
        }
    }

    /// Syncs until the task is cancelled, handing each non-empty batch of messages to `handle`
    /// and acknowledging the batch once `handle` returns (a `handle` that throws ends the loop,
    /// and the batch comes back on the next start).
    ///
    /// A sync that fails for a passing reason (no connection, a 5xx answer, 429) is retried
    /// after a back-off that doubles from `backoff.initial` to `backoff.maximum` and resets after
    /// a success; any other failure (a 401 for a revoked token, a store error) ends the loop
    /// by throwing it.
    /// - Parameter timeout: the long-poll time of each `/sync`.
    public func syncLoop(timeout: Duration = .seconds(30), backoff: Backoff = Backoff(),
                         handle: @Sendable ([ReceivedMessage]) async throws -> Void) async throws {
        var delay = backoff.initial
        while !Task.isCancelled {
            let messages: [ReceivedMessage]
            do {
                messages = try await sync(timeout: timeout)
                delay = backoff.initial
            } catch let error as ClientError where Self.isPassing(error) {
                try await Task.sleep(for: delay)
                delay = min(delay * 2, backoff.maximum)
                continue
            }
            guard !messages.isEmpty else { continue }
            try await handle(messages)
            try await acknowledge(messages)
        }
    }

    /// Whether a failure is worth retrying unchanged.
    static func isPassing(_ error: ClientError) -> Bool {
        switch error {
        case .transport: true
        case .server(let status, _, _): status >= 500 || status == 429
        case .malformedResponse, .notLoggedIn, .storeLocked, .wrongStoreKey, .store, .noCrossSigningKeys, .cannotVerify,
             .authorisation, .msl: false
        }
    }
}
