// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI

/// The `keydata` of a key response (docs/MSL.md §5).
public enum MSLKeyResponseKeyData: Sendable, Equatable {
    /// §5.1: the issuer's public value for the same parameter set.
    case diffieHellman(parametersID: String, publicValue: [UInt8])
    /// §5.2: the two keys wrapped to the requester's RSA key.
    case asymmetricWrapped(keyPairID: String, encryptionKey: [UInt8], hmacKey: [UInt8])
    /// §5.3: the two keys wrapped with AES key wrap.
    case symmetricWrapped(keyID: MSLSymmetricKeyID, encryptionKey: [UInt8], hmacKey: [UInt8])

    public var scheme: MSLScheme {
        switch self {
        case .diffieHellman: .diffieHellman
        case .asymmetricWrapped: .asymmetricWrapped
        case .symmetricWrapped: .symmetricWrapped
        }
    }

    var json: JSONValue {
        switch self {
        case .diffieHellman(let id, let value):
            ["parametersid": .string(id), "publickey": .string(MSLBase64.encode(value))]
        case .asymmetricWrapped(let id, let enc, let mac):
            ["keypairid": .string(id), "encryptionkey": .string(MSLBase64.encode(enc)), "hmackey": .string(MSLBase64.encode(mac))]
        case .symmetricWrapped(let id, let enc, let mac):
            ["keyid": .string(id.rawValue), "encryptionkey": .string(MSLBase64.encode(enc)), "hmackey": .string(MSLBase64.encode(mac))]
        }
    }

    static func parse(_ keydata: MSLObjectReader, scheme: MSLScheme) throws(MSLError) -> MSLKeyResponseKeyData {
        let limit = MSLExchangeLimits.maxWrappedKeyBytes
        switch scheme {
        case .diffieHellman:
            let (id, value) = try MSLKeyRequestData.dhKeyData(keydata)
            return .diffieHellman(parametersID: id, publicValue: value)
        case .asymmetricWrapped:
            return .asymmetricWrapped(keyPairID: try keydata.string("keypairid"),
                                      encryptionKey: try keydata.binary("encryptionkey", maxBytes: limit),
                                      hmacKey: try keydata.binary("hmackey", maxBytes: limit))
        case .symmetricWrapped:
            return .symmetricWrapped(keyID: try MSLSymmetricKeyID.parse(try keydata.string("keyid")),
                                     encryptionKey: try keydata.binary("encryptionkey", maxBytes: limit),
                                     hmacKey: try keydata.binary("hmackey", maxBytes: limit))
        }
    }
}

/// A key response, `{"mastertoken", "scheme", "keydata"}` (docs/MSL.md §2).
public struct MSLKeyResponseData: Sendable {
    public let masterToken: MSLMasterToken
    public let keydata: MSLKeyResponseKeyData

    public init(masterToken: MSLMasterToken, keydata: MSLKeyResponseKeyData) {
        self.masterToken = masterToken
        self.keydata = keydata
    }

    public var scheme: MSLScheme { keydata.scheme }

    /// The `keyresponsedata` object; the token as its original bytes.
    public var json: JSONValue {
        ["mastertoken": masterToken.json, "scheme": .string(scheme.rawValue), "keydata": keydata.json]
    }

    /// Reads a key response in the §2 order: `mastertoken` (verified when `issuerKeys` hold the
    /// issuer's keys), `scheme`, `keydata`.
    /// - Throws: `MSL_PARSE_ERROR` for a missing or mistyped member, the §6 token errors,
    ///   `UNIDENTIFIED_KEYX_SCHEME`, `KEYX_FACTORY_NOT_FOUND` for a recognised unimplemented scheme,
    ///   `UNIDENTIFIED_KEYX_KEY_ID`, `KEYX_INVALID_PUBLIC_KEY` (empty DH public value).
    public static func parse(_ value: JSONValue, issuerKeys: [MSLIssuerKeys] = []) throws(MSLError) -> MSLKeyResponseData {
        let reader = try MSLObjectReader(value, code: .mslParseError)
        let token = try MSLMasterToken.parse(.object(try reader.object("mastertoken")), issuerKeys: issuerKeys)
        guard let scheme = try MSLScheme.parse(try reader.string("scheme")) else {
            throw MSLError(.keyxFactoryNotFound, "no factory for this scheme")
        }
        let keydata = try MSLObjectReader(.object(try reader.object("keydata")), code: .mslParseError)
        return MSLKeyResponseData(masterToken: token, keydata: try MSLKeyResponseKeyData.parse(keydata, scheme: scheme))
    }
}
