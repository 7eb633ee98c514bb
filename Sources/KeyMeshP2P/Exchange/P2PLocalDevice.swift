// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI

/// Who we are in an exchange (docs/P2P.md §5).
public struct P2PLocalDevice: Sendable {
    public let userID: String, deviceID: String
    public let identity: P2PIdentity
    /// Our own signed pool record, sent in requests.
    public let record: JSONObject

    public init(userID: String, deviceID: String, identity: P2PIdentity, record: JSONObject) {
        self.userID = userID
        self.deviceID = deviceID
        self.identity = identity
        self.record = record
    }
}

extension P2PLocalDevice: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "P2PLocalDevice(\(userID) \(deviceID), identity secret redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["userID": userID, "deviceID": deviceID, "identity": identity], displayStyle: .struct)
    }
}
