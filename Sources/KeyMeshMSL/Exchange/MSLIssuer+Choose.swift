// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

extension MSLIssuer {
    /// Session keys and response key data from the first offer that works (docs/MSL.md §3).
    ///
    /// Every offer is parsed first (a malformed one fails the request); recognised unimplemented
    /// schemes are skipped; the issuer's schemes are walked in its order, each scheme's offers
    /// in the order given; a failed attempt is remembered and the next is tried; if all fail the
    /// last error is thrown, and `KEYX_FACTORY_NOT_FOUND` when no offer names a scheme it runs.
    func choose(offers: [JSONValue], identity: String, hasMasterToken: Bool)
        throws(MSLError) -> (keys: MSLSessionKeys, keydata: MSLKeyResponseKeyData)
    {
        guard !offers.isEmpty else { throw MSLError(.mslParseError, "no key request data") }
        guard offers.count <= MSLExchangeLimits.maxOffers else { throw MSLError(.mslParseError, "more than 16 offers") }
        var parsed: [MSLKeyRequestData] = []
        for offer in offers {
            if let request = try MSLKeyRequestData.parse(offer) { parsed.append(request) }
        }
        var lastError: MSLError?
        for scheme in policy.schemeOrder {
            for request in parsed where request.scheme == scheme {
                do {
                    return try attempt(request, identity: identity, hasMasterToken: hasMasterToken)
                } catch {
                    lastError = error
                }
            }
        }
        throw lastError ?? MSLError(.keyxFactoryNotFound, "no offered scheme is implemented")
    }

    /// One attempt (docs/MSL.md §5).
    func attempt(_ request: MSLKeyRequestData, identity: String, hasMasterToken: Bool)
        throws(MSLError) -> (keys: MSLSessionKeys, keydata: MSLKeyResponseKeyData)
    {
        switch request {
        case .diffieHellman(let id, let peer):
            guard let parameters = policy.dhParameters(id: id) else {
                throw MSLError(.unknownKeyxParametersID, "unknown DH parameters id")
            }
            _ = try parameters.peerValue(peer)  // refused before the issuer's own exponentiation
            let pair = try MSLDHKeyPair(parameters: parameters)
            let keys = try pair.sessionKeys(peerPublicValue: peer)
            return (keys, .diffieHellman(parametersID: id, publicValue: pair.publicValue))
        case .asymmetricWrapped(let id, let mechanism, let publicKey):
            let keys = MSLSessionKeys.random(using: random)
            let wrapped = try MSLAsymmetricWrap.wrap(keys, mechanism: mechanism, publicKeyDER: publicKey, using: random)
            return (keys, .asymmetricWrapped(keyPairID: id, encryptionKey: wrapped.encryptionKey, hmacKey: wrapped.hmacKey))
        case .symmetricWrapped(.session):
            throw hasMasterToken
                ? MSLError(.wrapNotSupported, "a session has no wrapping key")
                : MSLError(.keyxMasterTokenMissing, "SESSION needs a master token")
        case .symmetricWrapped(.psk):
            guard !policy.preSharedKeys.isEmpty else { throw MSLError(.unsupportedKeyxKeyID, "no pre-shared keys") }
            guard let psk = policy.preSharedKey(identity: identity) else {
                throw MSLError(.entityNotFound, "no pre-shared keys for this identity")
            }
            let keys = MSLSessionKeys.random(using: random)
            let wrapped = try MSLSymmetricWrap.wrap(keys, wrappingKey: psk.wrappingKey)
            return (keys, .symmetricWrapped(keyID: .psk, encryptionKey: wrapped.encryptionKey, hmacKey: wrapped.hmacKey))
        }
    }
}
