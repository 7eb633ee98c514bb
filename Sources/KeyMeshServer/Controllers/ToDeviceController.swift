// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Hummingbird
import KeyMeshMatrixAPI
import KeyMeshStore

/// `PUT /sendToDevice/{eventType}/{txnId}` (matrix-e2e.md §2.8): queues one event per
/// recipient device, `*` meaning all of a user's devices; a repeated txnId on the same access
/// token is acknowledged without queuing again. KeyMesh does not federate: recipients on other
/// servers, and unknown users or devices, are skipped, as Synapse skips unknown local devices.
struct ToDeviceController<Context: RequestContext>: Sendable {
    let state: ServerState

    func addRoutes(to router: Router<Context>) {
        for group in ClientAPI.groups(router) {
            group.put("sendToDevice/:eventType/:txnId") { request, context in try await send(request, context) }
        }
    }

    func send(_ request: Request, _ context: Context) async throws -> Response {
        let requester = try await state.authenticator.require(request)
        guard let rawType = context.parameters.get("eventType"), let rawTxn = context.parameters.get("txnId") else {
            throw MatrixError.unrecognized()
        }
        let type = rawType.removingPercentEncoding ?? rawType
        let txnID = rawTxn.removingPercentEncoding ?? rawTxn
        guard !type.isEmpty, type.utf8.count <= 255, !txnID.isEmpty, txnID.utf8.count <= 255 else {
            throw MatrixError.invalidParam("Event type and transaction id must be 1 to 255 bytes")
        }
        let body = try await RequestJSON.object(request, limit: state.config.maxRequestBytes)
        var messages: [ToDeviceMessage] = []
        for (user, devices) in try body.object("messages").objectMembers(at: "messages") {
            for (deviceID, content) in devices {
                guard let object = content.objectValue else {
                    throw MatrixError.badJSON("messages.\(user).\(deviceID) must be an object")
                }
                guard state.users.isLocal(user) else { continue }
                messages.append(ToDeviceMessage(sender: requester.userID, recipient: DeviceRef(userID: user, deviceID: deviceID),
                                                type: type, contentJSON: try KeyUpload.canonical(object)))
            }
        }
        let recipients = try await state.store.sendToDevice(
            messages, transaction: ToDeviceTransaction(tokenHash: requester.tokenHash, transactionID: txnID))
        state.notifier.notify(recipients)
        return JSONResponse.make([:])
    }
}
