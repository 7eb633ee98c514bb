// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMSL
import KeyMeshMatrixAPI
import KeyMeshStore

/// `keymesh serve` as an MSL issuer for its devices (docs/MSL.md §7, §11): issues master tokens
/// to devices that hold an access token and renews them for whoever proves it holds a token's
/// session keys. Entity identity `USER_ID|DEVICE_ID`, issuer data `{"user_id","device_id"}`.
///
/// One request is one store transaction (``MSLStoreLineage``): the token is recorded as its
/// device's newest with a compare-and-set, and a refused request stores nothing.
struct MSLService: Sendable {
    let issuer: MSLIssuer
    let settings: MSLSettings
    let store: any ServerStore

    /// `settings.issuerKeys` should be set (``buildApplication(config:)`` sets it); without, the
    /// keys are random for this process only (in-process tests).
    /// - Throws: `MSL_PARSE_ERROR` for a window or lifetime the issuer refuses (docs/MSL.md §7).
    init(settings: MSLSettings, store: any ServerStore) throws(MSLError) {
        let keys: MSLIssuerKeys
        if let given = settings.issuerKeys { keys = given } else { keys = try MSLIssuerKeys.random(keyID: "keymesh-process") }
        let policy = try MSLIssuerPolicy(renewalWindow: settings.renewalWindow, lifetime: settings.lifetime)
        issuer = MSLIssuer(keys: keys, policy: policy)
        self.settings = settings
        self.store = store
    }

    /// The token identity of a device (docs/MSL.md §11).
    static func identity(of device: DeviceRef) -> String { "\(device.userID)|\(device.deviceID)" }

    /// A new token for `device` (authenticated by its access token), recorded as its newest:
    /// earlier lineages can no longer be renewed. Returns the `keyresponsedata`.
    func issue(offers: [JSONValue], for device: DeviceRef, now: Int64) async throws -> JSONValue {
        let identity = Self.identity(of: device)
        let issuance = try issuer.issue(offers: offers, identity: identity,
                                        issuerData: ["user_id": .string(device.userID), "device_id": .string(device.deviceID)],
                                        now: now)
        try await MSLStoreLineage(store: store, device: device).record(issuance, identity: identity)
        return issuance.keyResponseData
    }

    /// Renews the token of a `/renew` body (docs/MSL.md §11): the token must verify under our
    /// keys, the header must be signed with its session HMAC key and be dated within
    /// ``MSLSettings/clockTolerance`` of `now`, its device must exist, and it must be its
    /// lineage's newest token. Returns the `keyresponsedata`.
    func renew(_ body: JSONValue, now: Int64) async throws -> JSONValue {
        let request = try MSLRenewalRequest(body)
        let token = try issuer.verify(masterToken: request.masterToken)
        guard let session = token.session else { throw MSLError(.mastertokenUntrusted, "the master token is not verified") }
        guard request.verify(hmacKey: session.keys.hmacKey) else {
            throw MSLError(.mastertokenUntrusted, "headerdata is not signed with the token's session key")
        }
        let header = try request.header()
        guard abs(now - header.timestamp) <= settings.clockTolerance else {
            throw MSLError(.messageExpiredNotRenewable, "the header's timestamp is too far from the server's clock")
        }
        let device = try Self.device(of: session)
        guard try await store.device(device) != nil else {
            throw MSLError(.mastertokenIdentityRevoked, "the token's device no longer exists")
        }
        let issuance = try issuer.renew(offers: header.offers, token: token, now: now)
        try await MSLStoreLineage(store: store, device: device).record(issuance, identity: session.identity)
        return issuance.keyResponseData
    }

    /// The device named by a verified token's issuer data, which must agree with its identity.
    static func device(of session: MSLSessionData) throws(MSLError) -> DeviceRef {
        guard let user = session.issuerData?["user_id"]?.stringValue, let id = session.issuerData?["device_id"]?.stringValue,
              Array(identity(of: DeviceRef(userID: user, deviceID: id)).utf8) == Array(session.identity.utf8)
        else { throw MSLError(.mastertokenIdentityRevoked, "the token names no device of this server") }
        return DeviceRef(userID: user, deviceID: id)
    }
}
