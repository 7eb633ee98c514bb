// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// The `mechanism` of ASYMMETRIC_WRAPPED key request data (docs/MSL.md §5.2).
public enum MSLAsymmetricMechanism: String, Sendable, CaseIterable {
    /// The raw key bytes, RSA-OAEP (SHA-1).
    case rsa = "RSA"
    /// The key as a JWK with `key_ops`, RSA-OAEP (SHA-1).
    case jwkRSA = "JWK_RSA"
    /// The key as a JWK with `key_ops`, RSA PKCS#1 v1.5 encryption.
    case jwkRSAES = "JWK_RSAES"
    /// The key as a JWK with `use`, in MSL's draft JWE compact serialization.
    case jweRSA = "JWE_RSA"
    /// The key as a JWK with `use`, in MSL's draft JWE JSON serialization.
    case jwejsRSA = "JWEJS_RSA"
    /// Recognised but never implemented by MSL: always `UNSUPPORTED_KEYX_MECHANISM`.
    case ecc = "ECC"

    /// The mechanism named exactly `name` (compared as UTF-8 bytes).
    ///
    /// - Parameter name: The `mechanism` string of the key request data.
    /// - Returns: One of the five implemented mechanisms.
    /// - Throws: `UNSUPPORTED_KEYX_MECHANISM` for `ECC`, `UNIDENTIFIED_KEYX_MECHANISM` for any
    ///   other string.
    public static func parse(_ name: String) throws(MSLError) -> MSLAsymmetricMechanism {
        guard let mechanism = allCases.first(where: { $0.rawValue.utf8.elementsEqual(name.utf8) }) else {
            throw MSLError(.unidentifiedKeyxMechanism, "unknown mechanism")
        }
        guard mechanism != .ecc else { throw MSLError(.unsupportedKeyxMechanism, "ECC is not implemented") }
        return mechanism
    }
}
