// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

extension P2PSession {
    /// Storage form (holds both direction keys: the caller seals it).
    public func encoded() -> JSONObject {
        [
            "version": 1,
            "role": .string(role.rawValue),
            "purpose": .string(purpose.rawValue),
            "local_device_id": .string(localDeviceID),
            "local_key_id": .string(localKeyID),
            "remote_device_id": .string(remoteDeviceID),
            "remote_key_id": .string(remoteKeyID),
            "created_ts": .int(createdAt),
            "state": .string(state.rawValue),
            "send_key": .string(Base64.encode(sendKey.unsafeExportSecret())),
            "receive_key": .string(Base64.encode(receiveKey.unsafeExportSecret())),
            "vcs": .string(code),
            "last_sent": .int(Int64(clamping: lastSent)),
            "last_received": .int(Int64(clamping: lastReceived)),
        ]
    }

    /// The inverse of ``encoded()``.
    public init(decoding object: JSONObject) throws(P2PError) {
        let reader = P2PJSONReader(object, context: "session")
        guard object["version"]?.intValue == 1 else { throw .malformed("session.version must be 1") }
        guard let role = Role(rawValue: try reader.string("role")) else { throw .malformed("session.role is unknown") }
        guard let purpose = P2PPurpose(rawValue: try reader.string("purpose")) else {
            throw .malformed("session.purpose is unknown")
        }
        guard let state = State(rawValue: try reader.string("state")) else { throw .malformed("session.state is unknown") }
        let code = try reader.string("vcs")
        guard code.utf8.count == 5, (try? P2PAuthCode.value(of: code)) != nil else { throw .malformed("session.vcs is not 5 symbols") }
        let lastSent = try reader.int("last_sent"), lastReceived = try reader.int("last_received")
        guard lastSent >= 1, lastReceived >= 1 else { throw .malformed("session sequences start at 1") }
        self.role = role
        self.purpose = purpose
        localDeviceID = try reader.id("local_device_id")
        localKeyID = try reader.id("local_key_id")
        remoteDeviceID = try reader.id("remote_device_id")
        remoteKeyID = try reader.id("remote_key_id")
        createdAt = try reader.int("created_ts")
        self.state = state
        sendKey = try reader.secret("send_key", length: 32)
        receiveKey = try reader.secret("receive_key", length: 32)
        self.code = code
        self.lastSent = UInt64(lastSent)
        self.lastReceived = UInt64(lastReceived)
    }
}
