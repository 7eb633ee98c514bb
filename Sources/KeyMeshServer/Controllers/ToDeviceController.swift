// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Hummingbird
import KeyMeshMatrixAPI
import KeyMeshStore

/// `PUT /sendToDevice/{eventType}/{txnId}` (docs/SERVER.md "Endpoints"): queues one event per
/// recipient device, `*` meaning all of a user's devices; a repeated txnId from the same
/// device (the spec's scope) is acknowledged without queuing again. KeyMesh does not federate: recipients on other
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
        // decoded once, then checked: `%00` is NUL and refused, so two txn ids never collide
        let type = try PathParameter.identifier(context, "eventType", "Event type")
        let txnID = try PathParameter.identifier(context, "txnId", "Transaction id")
        let body = try await RequestJSON.object(request, limit: state.config.maxRequestBytes)
        let limits = state.storeLimits
        var messages: [ToDeviceMessage] = []
        for (user, devices) in try body.object("messages").objectMembers(at: "messages") {
            try Identifier.check(user, "User id")
            for (deviceID, content) in devices {
                try Identifier.check(deviceID, "Device id")  // `*` is printable ASCII: allowed
                guard let object = content.objectValue else {
                    throw MatrixError.badJSON("messages.\(user).\(deviceID) must be an object")
                }
                guard state.users.isLocal(user) else { continue }
                guard messages.count < limits.toDevicePerRequest else {
                    throw MatrixError(.contentTooLarge, "M_TOO_LARGE",
                                      "Limit exceeded: at most \(limits.toDevicePerRequest) to-device messages per request")
                }
                let content = try KeyUpload.canonical(object)
                // each queued copy is kept until the recipient syncs: its size bounds the queue's bytes
                guard content.utf8.count <= state.config.maxToDeviceBytes else {
                    throw MatrixError(.contentTooLarge, "M_TOO_LARGE",
                                      "A to-device message's content is larger than \(state.config.maxToDeviceBytes) bytes")
                }
                messages.append(ToDeviceMessage(sender: requester.userID, recipient: DeviceRef(userID: user, deviceID: deviceID),
                                                type: type, contentJSON: content))
            }
        }
        // the sender's device must still exist when this commits (docs/SECURITY.md "Writes")
        let recipients = try await state.store.sendToDevice(
            messages, transaction: ToDeviceTransaction(sender: requester.device, transactionID: txnID), limits: limits)
        state.notifier.notify(recipients)
        return JSONResponse.make([:])
    }
}
