// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

/// An MSL issuer (docs/MSL.md §3, §7): answers key request offers with a key response and a new
/// master token. Pure: it never checks whether a renewed token is the newest of its lineage
/// (that is ``MSLTokenLineage``, committed by the caller).
public struct MSLIssuer: Sendable {
    /// The keys new tokens are issued under.
    public let keys: MSLIssuerKeys
    /// Older keys whose tokens are still renewed (read, never written).
    public let acceptedKeys: [MSLIssuerKeys]
    public let policy: MSLIssuerPolicy
    let random: any RandomSource

    /// `random` defaults to a ``BufferedRandom`` over the system source: an issuance's session
    /// keys, IV and serial number then cost no system call each (docs/PERFORMANCE.md "MSL").
    public init(keys: MSLIssuerKeys, acceptedKeys: [MSLIssuerKeys] = [], policy: MSLIssuerPolicy,
                random: some RandomSource = BufferedRandom()) {
        self.keys = keys
        self.acceptedKeys = acceptedKeys
        self.policy = policy
        self.random = random
    }

    /// Every key a token may be verified with: the current one first.
    public var verificationKeys: [MSLIssuerKeys] { [keys] + acceptedKeys }

    /// A new lineage for `identity` (entity authentication done by the caller): sequence
    /// number 0, a random serial number in 0 … 2^53, times from `now` (docs/MSL.md §7).
    public func issue(offers: [JSONValue], identity: String, issuerData: JSONObject?, now: Int64) throws(MSLError) -> MSLIssuance {
        let serial = randomSerialNumber()
        return try answer(offers: offers, identity: identity, issuerData: issuerData, sequenceNumber: 0,
                          serialNumber: serial, previous: nil, now: now)
    }

    /// Renews `masterToken` (docs/MSL.md §7): it must verify under these keys
    /// (`MASTERTOKEN_UNTRUSTED`); the new token keeps identity, issuer data and serial number,
    /// takes sequence number + 1 (2^53 wraps to 0) and times from `now`. Expired tokens renew.
    public func renew(offers: [JSONValue], masterToken: JSONValue, now: Int64) throws(MSLError) -> MSLIssuance {
        let token = try verify(masterToken: masterToken)
        return try renew(offers: offers, token: token, now: now)
    }

    /// Renews a token already returned by ``verify(masterToken:)``; its signature is checked
    /// again against these keys (`MASTERTOKEN_UNTRUSTED`), so a token parsed elsewhere is safe.
    public func renew(offers: [JSONValue], token: MSLMasterToken, now: Int64) throws(MSLError) -> MSLIssuance {
        guard let session = token.session,
              verificationKeys.contains(where: { MSLSignatureEnvelope.verify(token.signature, data: token.tokendata, keys: $0) })
        else { throw MSLError(.mastertokenUntrusted, "token not verified by these keys") }
        return try answer(offers: offers, identity: session.identity, issuerData: session.issuerData,
                          sequenceNumber: MSLMasterToken.nextSequenceNumber(after: token.sequenceNumber),
                          serialNumber: token.serialNumber, previous: token, now: now)
    }

    /// Parses a token and requires it verified and decrypted by these keys.
    /// - Throws: the §6 reading errors, `MASTERTOKEN_UNTRUSTED` when no key verifies it.
    public func verify(masterToken: JSONValue) throws(MSLError) -> MSLMasterToken {
        let token = try MSLMasterToken.parse(masterToken, issuerKeys: verificationKeys)
        guard token.isVerified, token.session != nil else {
            throw MSLError(.mastertokenUntrusted, "token not issued by these keys")
        }
        return token
    }

    private func answer(offers: [JSONValue], identity: String, issuerData: JSONObject?, sequenceNumber: Int64,
                        serialNumber: Int64, previous: MSLMasterToken?, now: Int64) throws(MSLError) -> MSLIssuance {
        guard now.magnitude <= UInt64(MSLJSON.maxInteger / 2) else {
            throw MSLError(.mslParseError, "clock outside ±2^52 seconds")
        }
        let chosen = try choose(offers: offers, identity: identity, hasMasterToken: previous != nil)
        let token = try MSLMasterToken.issue(
            identity: identity, keys: chosen.keys, issuerData: issuerData,
            renewalWindow: now + policy.renewalWindow, expiration: now + policy.lifetime,
            sequenceNumber: sequenceNumber, serialNumber: serialNumber, issuerKeys: keys, random: random)
        return MSLIssuance(scheme: chosen.keydata.scheme, sessionKeys: chosen.keys, masterToken: token,
                           previous: previous, identity: identity,
                           response: MSLKeyResponseData(masterToken: token, keydata: chosen.keydata))
    }

    /// Uniform in 0 … 2^53 by rejection of 54-bit draws.
    func randomSerialNumber() -> Int64 {
        while true {
            var word: UInt64 = 0
            withUnsafeMutableBytes(of: &word) { random.fill($0) }
            let candidate = word & ((1 << 54) - 1)
            if candidate <= UInt64(MSLJSON.maxInteger) { return Int64(candidate) }
        }
    }
}
