// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshCrypto
import KeyMeshMSL
import KeyMeshMatrixAPI

/// MSL master tokens from the server (docs/MSL.md §11, docs/CLIENT.md "MSL master tokens"): the
/// device obtains one with its access token and renews it by signing the request with the
/// token's session HMAC key. Every exchange uses a fresh Diffie-Hellman (group 14) or RSA key
/// pair, thrown away afterwards; the token and its session keys are committed, sealed, to the
/// client store before the call returns.
extension KeyMeshClient {
    /// The master token this device holds, with its session keys; nil if none.
    public var masterToken: MSLTokenSession? { state.msl }

    /// Asks the server for a new master token (a new lineage: any earlier token of this device
    /// can no longer be renewed), authenticated by the access token.
    /// - Parameters:
    ///   - scheme: `DIFFIE_HELLMAN` (forward secret, the default) or `ASYMMETRIC_WRAPPED`;
    ///     `SYMMETRIC_WRAPPED` needs a pre-shared key a device does not have and is refused
    ///     here (`UNSUPPORTED_KEYX_KEY_ID`).
    ///   - mechanism: the RSA mechanism of `ASYMMETRIC_WRAPPED` (docs/MSL.md §5.2).
    /// - Throws: ``ClientError/msl(code:name:status:)`` if the server refuses or its answer
    ///   fails the checks (nothing is stored then); ``ClientError/notLoggedIn``.
    @discardableResult
    public func obtainMasterToken(scheme: MSLScheme = .diffieHellman,
                                  mechanism: MSLAsymmetricMechanism = .rsa) async throws -> MSLTokenSession {
        try await exclusively {
            let session = try requireSession()
            let request = try Self.mslKeyRequest(scheme, mechanism)
            let response = try await connection.msl("token", token: session.accessToken,
                                                    body: ["keyrequestdata": [request.keyRequestData]])
            return try keepMasterToken(Self.mslComplete(response, request))
        }
    }

    /// Renews the held master token (docs/MSL.md §7, §11): same serial number, the next
    /// sequence number, new session keys. The request is signed with the token's session HMAC
    /// key over `{"keyrequestdata":[…],"timestamp":now}`; no access token is sent.
    /// - Throws: ``ClientError/msl(code:name:status:)``: `KEYX_MASTER_TOKEN_MISSING` (7010) if
    ///   the device holds no token; the server's refusal otherwise. A refusal that says the
    ///   token is dead (response code ENTITY_REAUTH: revoked, not the newest, untrusted) also
    ///   forgets the token, so the app obtains a new one with ``obtainMasterToken(scheme:mechanism:)``.
    @discardableResult
    public func renewMasterToken(scheme: MSLScheme = .diffieHellman,
                                 mechanism: MSLAsymmetricMechanism = .rsa) async throws -> MSLTokenSession {
        try await exclusively {
            guard let current = state.msl else {
                throw ClientError.msl(code: MSLErrorCode.keyxMasterTokenMissing.rawValue,
                                      name: MSLErrorCode.keyxMasterTokenMissing.name, status: 0)
            }
            let request = try Self.mslKeyRequest(scheme, mechanism)
            let header = MSLJSON.encode(.object(["keyrequestdata": [request.keyRequestData],
                                                 "timestamp": .int(Int64(Date().timeIntervalSince1970))]))
            let signature = HMACSHA256.mac(key: current.keys.hmacKey, message: header)
            let response: JSONValue
            do {
                response = try await connection.msl("renew", token: nil, body: [
                    "mastertoken": current.masterToken, "headerdata": .string(MSLBase64.encode(header)),
                    "signature": .string(MSLBase64.encode(signature)),
                ])
            } catch ClientError.msl(let code, let name, let status) where status == 401 {
                try store.commit([.msl(nil)])  // the token is dead: forget it (committed before the throw)
                throw ClientError.msl(code: code, name: name, status: status)
            }
            return try keepMasterToken(Self.mslComplete(response, request))
        }
    }

    private func keepMasterToken(_ token: MSLTokenSession) -> MSLTokenSession {
        state.msl = token
        pending.append(.msl(token))
        return token
    }

    /// A fresh key request of `scheme` (a new key pair each time, docs/MSL.md §5).
    static func mslKeyRequest(_ scheme: MSLScheme, _ mechanism: MSLAsymmetricMechanism) throws -> MSLKeyRequest {
        do {
            switch scheme {
            case .diffieHellman:
                return try MSLKeyRequest.diffieHellman(parameters: .rfc3526Group14)
            case .asymmetricWrapped:
                return try MSLKeyRequest.asymmetricWrapped(mechanism: mechanism, keyPairID: "keymesh-" + Hex.encode(SystemRandom().bytes(count: 8)))
            case .symmetricWrapped:
                throw MSLError(.unsupportedKeyxKeyID, "a device holds no pre-shared key")
            }
        } catch let error as MSLError {
            throw ClientError.msl(code: error.code.rawValue, name: error.code.name, status: 0)
        }
    }

    /// The session keys and token of `response`, checked against `request` (docs/MSL.md §5).
    static func mslComplete(_ response: JSONValue, _ request: MSLKeyRequest) throws -> MSLTokenSession {
        do {
            let (keys, token) = try MSLRequester.complete(response: response, requests: [request], issuerKeys: [])
            return MSLTokenSession(token: token, keys: keys)
        } catch {
            throw ClientError.msl(code: error.code.rawValue, name: error.code.name, status: 0)
        }
    }
}
