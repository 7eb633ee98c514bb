// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import KeyMeshMatrixAPI
import KeyMeshStore
import Synchronization

/// `POST /keys/upload`, `/keys/query`, `/keys/claim` and `GET /keys/changes`
/// (docs/SERVER.md "Endpoints").
struct KeysController<Context: RequestContext>: Sendable {
    let state: ServerState
    /// Follow pairs already written, so a repeated query does not write again.
    private let followed = FollowedPairs()

    init(state: ServerState) {
        self.state = state
    }

    func addRoutes(to router: Router<Context>) {
        for group in ClientAPI.groups(router) {
            group.post("keys/upload") { request, _ in try await upload(request) }
            group.post("keys/query") { request, _ in try await query(request) }
            group.post("keys/claim") { request, _ in try await claim(request) }
            group.get("keys/changes") { request, _ in try await changes(request) }
        }
    }

    func upload(_ request: Request) async throws -> Response {
        let requester = try await state.authenticator.require(request)
        let body = try await RequestJSON.object(request, limit: state.config.maxRequestBytes)
        let limits = state.config.keys
        // checked against the stored device keys, written only if they are still those (one
        // transaction, bound to the device existing: docs/SERVER.md "Upload rules"); a concurrent
        // upload that replaced them in between makes this one check again
        for attempt in 1...3 {
            let stored = try await state.store.deviceKeys([requester.userID: [requester.device.deviceID]])
            let storedJSON = stored[requester.userID]?[requester.device.deviceID]
            let upload = try KeyUpload(body, requester: requester.device, storedDeviceKeys: storedJSON, limits: limits)
            let write = KeyUploadWrite(deviceKeys: upload.deviceKeysJSON, fallbackKeys: upload.fallbackKeys,
                                       oneTimeKeys: upload.oneTimeKeys, precondition: .storedDeviceKeys(storedJSON),
                                       maxOneTimeKeys: limits.maxOneTimeKeys, maxFallbackKeys: limits.maxFallbackKeys,
                                       maxClaimedIDs: limits.maxClaimedIDs)
            do {
                try await state.store.upload(requester.device, write)
            } catch KeyStoreError.oneTimeKeyConflict(let id) {
                throw MatrixError.invalidParam("One-time key \(id) already exists with a different key")
            } catch KeyStoreError.deviceKeysChanged where attempt < 3 {
                continue
            } catch KeyStoreError.deviceKeysChanged {
                throw MatrixError(.conflict, "M_UNKNOWN", "The device keys changed during the upload: retry")
            }
            if upload.deviceKeysJSON != nil, upload.deviceKeysJSON != storedJSON { await state.deviceListChanged(requester.userID) }
            break
        }
        return JSONResponse.make(["one_time_key_counts": .object(try await state.oneTimeKeyCounts(requester.device))])
    }

    func query(_ request: Request) async throws -> Response {
        let requester = try await state.authenticator.require(request)
        let body = try await RequestJSON.object(request, limit: state.config.maxRequestBytes)
        let limits = state.config.keys
        let asked = try body.object("device_keys")
        guard asked.count <= limits.maxQueryUsers else {
            throw KeyUpload.tooLarge("At most \(limits.maxQueryUsers) users in one /keys/query")
        }
        var wanted: [String: [String]] = [:]
        var deviceCount = 0
        for (user, value) in asked {
            try Identifier.check(user, "device_keys user id")
            let ids = value.arrayValue?.compactMap(\.stringValue)
            guard let ids, ids.count == value.arrayValue?.count else {
                throw MatrixError.badJSON("device_keys.\(user) must be a list of device ids")
            }
            for id in ids { try Identifier.check(id, "device_keys.\(user) device id") }
            deviceCount += ids.count
            guard deviceCount <= limits.maxQueryDevices else {
                throw KeyUpload.tooLarge("At most \(limits.maxQueryDevices) devices in one /keys/query")
            }
            wanted[user] = ids
        }
        try await follow(requester.device, wanted.keys.filter { $0 != requester.userID && state.users.isLocal($0) })
        var found = try await state.store.deviceKeys(wanted, limit: limits.maxQueryDevices)
        // a known local user without (matching) devices is `{}`; unknown users stay absent (as Synapse)
        for user in wanted.keys where found[user] == nil && state.users.isLocal(user) {
            if try await state.store.passwordHash(of: user) != nil { found[user] = [:] }
        }
        let names = try await state.store.displayNames(of: Array(found.keys))
        let queried = Array(wanted.keys)
        let crossSigning = CrossSigningView(viewer: requester.userID, keys: try await state.store.crossSigningKeys(of: queried),
                                            signatures: try await state.store.signatures(on: queried))
        // stored objects are spliced in as text, with the display name appended under `unsigned`
        let deviceKeys = found.sorted(by: { $0.key < $1.key }).map { user, devices in
            (key: user, value: JSONSplice.object(devices.sorted(by: { $0.key < $1.key }).map { deviceID, json in
                let signed = crossSigning.merged(json, user: user, id: deviceID)
                guard let name = names[user]?[deviceID] else { return (key: deviceID, value: signed) }
                let unsigned = JSONSplice.value(["device_display_name": .string(name)])
                return (key: deviceID, value: JSONSplice.appending(to: String(decoding: signed, as: UTF8.self),
                                                                   key: "unsigned", value: unsigned))
            }))
        }
        return JSONResponse.make(bytes: JSONSplice.object([
            (key: "device_keys", value: JSONSplice.object(deviceKeys)), (key: "failures", value: Array("{}".utf8)),
        ] + crossSigning.members()))
    }

    /// Records that `watcher` follows `targets` (docs/SERVER.md "Device lists").
    private func follow(_ device: DeviceRef, _ targets: [String]) async throws {
        let watcher = device.userID
        let new = followed.pairs.withLock { seen in targets.filter { !seen.contains(watcher + "\u{0}" + $0) } }
        guard !new.isEmpty else { return }
        let recorded = try await state.store.follow(device, targets: new, limit: state.config.maxFollowsPerUser)
        followed.pairs.withLock { seen in
            if seen.count > 1_000_000 { seen.removeAll() }  // a cache, not a record: the table is
            for target in recorded { seen.insert(watcher + "\u{0}" + target) }
        }
    }

    func claim(_ request: Request) async throws -> Response {
        let requester = try await state.authenticator.require(request)
        let body = try await RequestJSON.object(request, limit: state.config.maxRequestBytes)
        let maxKeys = state.config.keys.maxClaimKeys
        var requests: [ClaimRequest] = []
        for (user, devices) in try body.object("one_time_keys").objectMembers(at: "one_time_keys") {
            try Identifier.check(user, "one_time_keys user id")
            for (deviceID, value) in devices {
                try Identifier.check(deviceID, "one_time_keys.\(user) device id")
                guard let algorithm = value.stringValue else {
                    throw MatrixError.badJSON("one_time_keys.\(user).\(deviceID) must be an algorithm name")
                }
                try Identifier.check(algorithm, "one_time_keys.\(user).\(deviceID) algorithm")
                requests.append(ClaimRequest(device: DeviceRef(userID: user, deviceID: deviceID), algorithm: algorithm))
                guard requests.count <= maxKeys else { throw KeyUpload.tooLarge("At most \(maxKeys) keys in one /keys/claim") }
            }
        }
        // the limiter charges at most its burst, so any claim within the limit succeeds once the
        // bucket has refilled, and `retry_after_ms` says exactly when (docs/SECURITY.md "Limits")
        if let wait = state.claimLimiter.take(requester.userID, cost: Double(max(requests.count, 1))) {
            throw RateLimiter.limited(retryAfterMs: wait)
        }
        let claimed = try await state.store.claim(requests)
        state.notifier.notify(Set(claimed.map(\.device.userID)))
        // {user: {device: {"algorithm:id": stored object}}}, the stored objects spliced in as text
        let byUser = Dictionary(grouping: claimed, by: \.device.userID)
        let oneTimeKeys = byUser.keys.sorted().map { user in
            let byDevice = Dictionary(grouping: byUser[user] ?? [], by: \.device.deviceID)
            return (key: user, value: JSONSplice.object(byDevice.keys.sorted().map { deviceID in
                (key: deviceID, value: JSONSplice.object((byDevice[deviceID] ?? []).map {
                    (key: "\($0.key.algorithm):\($0.key.keyID)", value: Array($0.key.json.utf8))
                }))
            }))
        }
        return JSONResponse.make(bytes: JSONSplice.object([
            (key: "one_time_keys", value: JSONSplice.object(oneTimeKeys)), (key: "failures", value: Array("{}".utf8)),
        ]))
    }

    func changes(_ request: Request) async throws -> Response {
        let requester = try await state.authenticator.require(request)
        guard let fromText = request.uri.queryParameters.get("from") else { throw MatrixError.missingParam("Missing from") }
        let from = try SyncToken.parse(fromText, parameter: "from")
        // `to` defaults to now (Synapse ignores it; we honour it when given)
        var end = try await state.store.currentPosition()
        if let text = request.uri.queryParameters.get("to") { end = try SyncToken.parse(text, parameter: "to") }
        let changed = try await state.store.deviceListChanges(for: requester.userID, from: from, to: end)
        return JSONResponse.make(["changed": .array(changed.map { .string($0) }), "left": []])
    }
}

/// A cache of `watcher\0target` pairs already stored by ``EventStore/follow(_:targets:)``.
final class FollowedPairs: Sendable {
    let pairs = Mutex<Set<String>>([])
}
