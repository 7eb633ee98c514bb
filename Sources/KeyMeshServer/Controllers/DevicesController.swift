// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Hummingbird
import KeyMeshMatrixAPI
import KeyMeshStore

/// A user's own devices: `GET /devices`, `GET`/`PUT`/`DELETE /devices/{deviceId}` and
/// `POST /delete_devices`. Deleting needs the account password (user-interactive auth) and
/// removes the device's tokens, keys and queued messages; a device that does not exist (already
/// deleted) counts as deleted, 200 after auth, as the spec and Synapse answer. Renames and
/// deletions are device-list changes.
struct DevicesController<Context: RequestContext>: Sendable {
    let state: ServerState

    func addRoutes(to router: Router<Context>) {
        for group in ClientAPI.groups(router) {
            group.get("devices") { request, _ in
                let requester = try await state.authenticator.require(request)
                let devices = try await state.store.devices(of: requester.userID)
                return JSONResponse.make(["devices": .array(devices.map { .object(Self.json($0)) })])
            }
            group.get("devices/:deviceId") { request, context in
                let requester = try await state.authenticator.require(request)
                let device = DeviceRef(userID: requester.userID, deviceID: try Self.deviceID(context))
                guard let record = try await state.store.device(device) else { throw MatrixError.notFound("Device not found") }
                return JSONResponse.make(Self.json(record))
            }
            group.put("devices/:deviceId") { request, context in
                let requester = try await state.authenticator.require(request)
                let body = try await RequestJSON.object(request, limit: state.config.maxRequestBytes)
                let name = try body.optionalString("display_name")
                if let name { try Self.checkDisplayName(name) }
                let device = DeviceRef(userID: requester.userID, deviceID: try Self.deviceID(context))
                guard try await state.store.device(device) != nil else { throw MatrixError.notFound("Device not found") }
                // a missing display_name leaves the name as it is
                if body.contains("display_name") {
                    _ = try await state.store.setDisplayName(device, to: name)
                    await state.deviceListChanged(requester.userID)
                }
                return JSONResponse.make([:])
            }
            group.delete("devices/:deviceId") { request, context in
                let requester = try await state.authenticator.require(request)
                let deviceID = try Self.deviceID(context)
                let body = try await RequestJSON.optionalObject(request, limit: state.config.maxRequestBytes)
                // no existence check: a device already gone is 200 after auth (spec: "removed
                // previously"), so a retry after a lost response succeeds
                try await delete([deviceID], auth: try body.optionalObject("auth"), requester: requester)
                return JSONResponse.make([:])
            }
            group.post("delete_devices") { request, _ in
                let requester = try await state.authenticator.require(request)
                let body = try await RequestJSON.object(request, limit: state.config.maxRequestBytes)
                guard let list = body["devices"]?.arrayValue else { throw MatrixError.missingParam("Missing devices") }
                let ids = try list.map { value throws(MatrixError) -> String in
                    guard let id = value.stringValue else { throw .badJSON("devices must be strings") }
                    try Self.checkDeviceID(id)
                    return id
                }
                try await delete(ids, auth: try body.optionalObject("auth"), requester: requester)
                return JSONResponse.make([:])
            }
        }
    }

    private func delete(_ deviceIDs: [String], auth: JSONObject?, requester: Requester) async throws {
        try await state.interactiveAuth.complete(auth, purpose: "delete_devices", stage: .password,
                                                 userID: requester.userID)
        for id in deviceIDs {
            _ = try await state.store.deleteDevice(DeviceRef(userID: requester.userID, deviceID: id))
        }
        await state.deviceListChanged(requester.userID)
    }

    /// A device as the spec's `Device` object, with `display_name`, `last_seen_ip` and
    /// `last_seen_ts` always present, null when unknown (KeyMesh does not record where or when
    /// a device was seen). The spec lets them be absent, but matrix-nio's schema requires all
    /// three keys and refuses `GET /devices` without them; Synapse sends nulls too.
    static func json(_ record: DeviceRecord) -> JSONObject {
        ["device_id": .string(record.device.deviceID), "display_name": record.displayName.map { .string($0) } ?? .null,
         "last_seen_ip": nil, "last_seen_ts": nil]
    }

    static func deviceID(_ context: Context) throws(MatrixError) -> String {
        try PathParameter.identifier(context, "deviceId", "Device id")
    }

    /// Device ids follow the one ``Identifier`` rule (1 to 255 bytes of printable ASCII), so
    /// they are safe in URLs, key ids (`ed25519:<id>`) and logs.
    static func checkDeviceID(_ id: String) throws(MatrixError) {
        try Identifier.check(id, "Device id")
    }

    /// Display names: at most 100 characters (as Synapse).
    static func checkDisplayName(_ name: String) throws(MatrixError) {
        guard name.count <= 100 else { throw .invalidParam("Display name is longer than 100 characters") }
    }
}
