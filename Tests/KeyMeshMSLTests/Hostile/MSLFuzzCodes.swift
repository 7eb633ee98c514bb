// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

@testable import KeyMeshMSL

/// The error codes each MSL entry point may fail with, from docs/MSL.md §3, §5, §6, §9 (and the
/// DocC of each function). Anything else from hostile input is a finding. Shared with
/// Fuzz/Sources/fuzz-msl by a link.
enum MSLFuzzCodes {
    /// `MSLKeyRequestData.parse` (§3 step 1, §5).
    static let request: Set<MSLErrorCode> = [
        .mslParseError, .unidentifiedKeyxScheme, .unidentifiedKeyxKeyID, .unidentifiedKeyxMechanism,
        .keyxInvalidPublicKey,
    ]

    /// The session-data envelope (§6): a malformed envelope, another issuer's key id, decryption.
    static let envelope: Set<MSLErrorCode> = [
        .ciphertextEnvelopeParseError, .mastertokenUntrusted, .ciphertextIllegalBlockSize, .ciphertextBadPadding,
    ]

    /// Decrypted session data (§6).
    static let session: Set<MSLErrorCode> = [
        .mastertokenSessiondataParseError, .unidentifiedAlgorithm, .mastertokenKeyCreationError,
    ]

    /// `MSLMasterToken.parse` (§6 "Reading").
    static let token: Set<MSLErrorCode> = envelope.union(session).union([
        .mslParseError, .mastertokenTokendataMissing, .mastertokenTokendataParseError,
        .mastertokenExpiresBeforeRenewal, .mastertokenSequenceNumberOutOfRange, .mastertokenSerialNumberOutOfRange,
        .mastertokenSessiondataMissing,
    ])

    /// `MSLKeyResponseData.parse` (§2): the token's errors, then scheme and key data.
    static let response: Set<MSLErrorCode> = token.union([
        .unidentifiedKeyxScheme, .keyxFactoryNotFound, .unidentifiedKeyxKeyID, .keyxInvalidPublicKey,
    ])

    /// One issuer attempt (§3 step 2, §5).
    static let attempt: Set<MSLErrorCode> = [
        .unknownKeyxParametersID, .invalidPrivateKey, .keyxInvalidPublicKey, .unsupportedKeyxMechanism,
        .invalidPublicKey, .wrapError, .wrapNotSupported, .keyxMasterTokenMissing, .unsupportedKeyxKeyID,
        .entityNotFound, .invalidWrappingKey, .keyxFactoryNotFound, .mastertokenIssuerdataEncodeError,
    ]

    /// `MSLIssuer.issue` (§3).
    static let issue: Set<MSLErrorCode> = request.union(attempt)

    /// `MSLIssuer.renew` (§7): the token must verify, then as `issue`.
    static let renew: Set<MSLErrorCode> = token.union(issue)

    /// The requester's unwraps (§5.1 – §5.3).
    static let jwk: Set<MSLErrorCode> = [.sessionKeyCreationFailure, .invalidJWK]
    static let jwe: Set<MSLErrorCode> = jwk.union([
        .jweParseError, .jweAlgorithmMismatch, .ciphertextBadPadding, .invalidSymmetricKey,
        .invalidAlgorithmParams, .unwrapError,
    ])
    static let unwrap: Set<MSLErrorCode> = jwe.union([
        .keyxInvalidPublicKey, .unsupportedKeyxMechanism, .keyxPrivateKeyMissing, .invalidWrappingKey,
    ])

    /// `MSLRequester.complete` (§2, §5).
    static let complete: Set<MSLErrorCode> = response.union(unwrap).union([.keyxResponseRequestMismatch])
}
