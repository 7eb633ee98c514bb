// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// The key exchange schemes KeyMesh implements (docs/MSL.md §2, §5).
public enum MSLScheme: String, Sendable, CaseIterable {
    case diffieHellman = "DIFFIE_HELLMAN"
    case asymmetricWrapped = "ASYMMETRIC_WRAPPED"
    case symmetricWrapped = "SYMMETRIC_WRAPPED"

    /// MSL names KeyMesh recognises but has no factory for (docs/MSL.md §2).
    public static let recognisedUnimplemented = ["JWE_LADDER", "JWK_LADDER", "AUTHENTICATED_DH", "WIDEVINE"]

    /// KeyMesh's preference: forward-secret first (docs/MSL.md §3).
    public static let preferenceOrder: [MSLScheme] = [.diffieHellman, .asymmetricWrapped, .symmetricWrapped]

    /// The scheme named exactly `name` (UTF-8 bytes); nil for a recognised unimplemented name.
    /// - Throws: `UNIDENTIFIED_KEYX_SCHEME` for any other string (MSL's wiki `DH` included).
    public static func parse(_ name: String) throws(MSLError) -> MSLScheme? {
        if let scheme = allCases.first(where: { $0.rawValue.mslEquals(name) }) { return scheme }
        if recognisedUnimplemented.contains(where: { $0.mslEquals(name) }) { return nil }
        throw MSLError(.unidentifiedKeyxScheme, "unknown key exchange scheme")
    }
}

/// The `keyid` of SYMMETRIC_WRAPPED key data (docs/MSL.md §5.3).
public enum MSLSymmetricKeyID: String, Sendable, CaseIterable {
    case psk = "PSK"
    case session = "SESSION"

    /// The key id named exactly `name`, else `UNIDENTIFIED_KEYX_KEY_ID`.
    public static func parse(_ name: String) throws(MSLError) -> MSLSymmetricKeyID {
        guard let id = allCases.first(where: { $0.rawValue.mslEquals(name) }) else {
            throw MSLError(.unidentifiedKeyxKeyID, "unknown symmetric key id")
        }
        return id
    }
}

/// Sizes refused before any cryptography (docs/MSL.md §12).
enum MSLExchangeLimits {
    /// At most 16 offers are read.
    static let maxOffers = 16
    /// A DH public value for p of up to 8192 bits, with some leading zeros.
    static let maxDHPublicBytes = 1100
    /// A DER SPKI of an RSA key of up to 8192 bits.
    static let maxRSAPublicKeyBytes = 1200
    /// A wrapped key (the largest is a JWE JSON serialization under an 8192-bit key).
    static let maxWrappedKeyBytes = 6144
}
