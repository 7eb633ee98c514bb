// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI

/// One key request offer, `{"scheme", "keydata"}` (docs/MSL.md §2, §5).
public enum MSLKeyRequestData: Sendable, Equatable {
    /// §5.1: `{"parametersid","publickey"}`; the public value as received (leading zeros kept).
    case diffieHellman(parametersID: String, publicValue: [UInt8])
    /// §5.2: `{"keypairid","mechanism","publickey"}`, the key a DER SPKI.
    case asymmetricWrapped(keyPairID: String, mechanism: MSLAsymmetricMechanism, publicKeyDER: [UInt8])
    /// §5.3: `{"keyid"}`.
    case symmetricWrapped(keyID: MSLSymmetricKeyID)

    public var scheme: MSLScheme {
        switch self {
        case .diffieHellman: .diffieHellman
        case .asymmetricWrapped: .asymmetricWrapped
        case .symmetricWrapped: .symmetricWrapped
        }
    }

    /// The `keyrequestdata` object.
    public var json: JSONValue {
        let keydata: JSONValue = switch self {
        case .diffieHellman(let id, let value): ["parametersid": .string(id), "publickey": .string(MSLBase64.encode(value))]
        case .asymmetricWrapped(let id, let mechanism, let key):
            ["keypairid": .string(id), "mechanism": .string(mechanism.rawValue), "publickey": .string(MSLBase64.encode(key))]
        case .symmetricWrapped(let keyID): ["keyid": .string(keyID.rawValue)]
        }
        return ["scheme": .string(scheme.rawValue), "keydata": keydata]
    }

    /// Reads one offer (docs/MSL.md §3 step 1). Returns nil for a recognised unimplemented scheme.
    /// - Throws: `MSL_PARSE_ERROR` (not an object, member missing, mistyped, bad base64 or too
    ///   long), `UNIDENTIFIED_KEYX_SCHEME`, `UNIDENTIFIED_KEYX_MECHANISM`, `UNIDENTIFIED_KEYX_KEY_ID`,
    ///   `KEYX_INVALID_PUBLIC_KEY` (empty DH public value).
    public static func parse(_ value: JSONValue) throws(MSLError) -> MSLKeyRequestData? {
        let reader = try MSLObjectReader(value, code: .mslParseError)
        let scheme = try MSLScheme.parse(try reader.string("scheme"))
        let keydata = try MSLObjectReader(.object(try reader.object("keydata")), code: .mslParseError)
        guard let scheme else { return nil }
        switch scheme {
        case .diffieHellman:
            let (id, value) = try dhKeyData(keydata)
            return .diffieHellman(parametersID: id, publicValue: value)
        case .asymmetricWrapped:
            let id = try keydata.string("keypairid")
            let mechanism = try mechanism(try keydata.string("mechanism"))
            let key = try keydata.binary("publickey", maxBytes: MSLExchangeLimits.maxRSAPublicKeyBytes)
            return .asymmetricWrapped(keyPairID: id, mechanism: mechanism, publicKeyDER: key)
        case .symmetricWrapped:
            return .symmetricWrapped(keyID: try MSLSymmetricKeyID.parse(try keydata.string("keyid")))
        }
    }

    /// DIFFIE_HELLMAN `keydata`, the same in a request and a response (docs/MSL.md §5.1):
    /// `parametersid` and a non-empty `publickey` (else `KEYX_INVALID_PUBLIC_KEY`).
    static func dhKeyData(_ keydata: MSLObjectReader) throws(MSLError) -> (parametersID: String, publicValue: [UInt8]) {
        let id = try keydata.string("parametersid")
        let value = try keydata.binary("publickey", maxBytes: MSLExchangeLimits.maxDHPublicBytes)
        guard !value.isEmpty else { throw MSLError(.keyxInvalidPublicKey, "empty DH public value") }
        return (id, value)
    }

    /// A mechanism by exact name; `ECC` is kept (its offer fails when tried, §3), any other
    /// unknown name is `UNIDENTIFIED_KEYX_MECHANISM`.
    static func mechanism(_ name: String) throws(MSLError) -> MSLAsymmetricMechanism {
        guard let mechanism = MSLAsymmetricMechanism.allCases.first(where: { $0.rawValue.mslEquals(name) }) else {
            throw MSLError(.unidentifiedKeyxMechanism, "unknown mechanism")
        }
        return mechanism
    }
}
