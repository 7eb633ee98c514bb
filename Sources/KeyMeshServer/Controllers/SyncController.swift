// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import KeyMeshMatrixAPI
import KeyMeshStore

/// `GET /sync` for a room-less key server (docs/SERVER.md "Endpoints"): `to_device` events,
/// `device_lists`, the user's global `account_data`, `device_one_time_keys_count`,
/// `device_unused_fallback_key_types` and `next_batch`.
///
/// - `since` acknowledges: the device's to-device events at or below it are deleted first.
/// - At most 100 to-device events per response, in arrival order.
/// - `account_data`: on an initial sync every type the user stored, on an incremental one the
///   types written since the token (latest content, once each); bounded by `AccountDataLimits`.
/// - With `timeout` (ms, capped by the server) an incremental sync with nothing to report waits
///   until a to-device event, a device-list change, a claim of the device's keys or a write of
///   the user's account data arrives. An initial sync (no `since`) answers at once and reports
///   no `device_lists`.
/// - `next_batch` moves only when the response reports something new, so a client never sees
///   the same token with different content.
struct SyncController<Context: RequestContext>: Sendable {
    let state: ServerState
    static var eventLimit: Int { 100 }
    /// Long-polls re-read the store this often, so writes by other server processes are seen.
    static var recheckInterval: Duration { .seconds(1) }

    func addRoutes(to router: Router<Context>) {
        for group in ClientAPI.groups(router) {
            group.get("sync") { request, _ in try await sync(request) }
        }
    }

    func sync(_ request: Request) async throws -> Response {
        let requester = try await state.authenticator.require(request)
        let query = request.uri.queryParameters
        // a filter (an id or inline JSON) is checked as Synapse checks it; with no rooms it
        // changes nothing in the answer (docs/SERVER.md "Filters")
        if let filter = query.get("filter") { _ = try Filter.resolve(filter) }
        let since = try query.get("since").map { text throws(MatrixError) in try SyncToken.parse(text, parameter: "since") }
        var timeout = Duration.zero
        if let text = query.get("timeout") {
            guard let ms = Int64(text), ms >= 0 else { throw MatrixError.invalidParam("timeout must be a whole number of milliseconds") }
            timeout = min(.milliseconds(ms), state.config.maxSyncTimeout)
        }
        if let since {
            // a token from the future (another server's, or a wiped database's) would acknowledge
            // messages the client never saw: refuse it instead of deleting them
            guard since <= (try await state.store.currentPosition()) else {
                throw MatrixError.invalidParam("Unknown since token")
            }
            try await state.store.acknowledgeToDevice(requester.device, upTo: since)
        }
        let deadline = ContinuousClock.now + timeout
        var batch = try await state.store.syncBatch(for: requester.device, since: since ?? 0, limit: Self.eventLimit)
        while let since, batch.isEmpty, ContinuousClock.now < deadline, !Task.isCancelled {
            await state.notifier.wait(for: requester.userID, timeout: min(deadline - ContinuousClock.now, Self.recheckInterval))
            batch = try await state.store.syncBatch(for: requester.device, since: since, limit: Self.eventLimit)
        }
        return JSONResponse.make(try await body(batch, device: requester.device, initial: since == nil))
    }

    func body(_ batch: SyncBatch, device: DeviceRef, initial: Bool) async throws -> JSONObject {
        var events: [JSONValue] = []
        for message in batch.toDevice {
            events.append(["type": .string(message.type), "sender": .string(message.sender),
                           "content": try JSONResponse.stored(message.contentJSON)])
        }
        var accountData: [JSONValue] = []
        for entry in batch.accountData {
            accountData.append(["type": .string(entry.type), "content": try JSONResponse.stored(entry.contentJSON)])
        }
        let counts = try await state.oneTimeKeyCounts(device)
        let fallback = try await state.store.unusedFallbackKeyTypes(device)
        let changed = initial ? [] : batch.changedUsers
        return [
            "next_batch": .string(SyncToken.make(batch.nextPosition)),
            "to_device": ["events": .array(events)],
            "device_lists": ["changed": .array(changed.map { .string($0) }), "left": []],
            "account_data": ["events": .array(accountData)],
            "device_one_time_keys_count": .object(counts),
            "device_unused_fallback_key_types": .array(fallback.map { .string($0) }),
        ]
    }
}
