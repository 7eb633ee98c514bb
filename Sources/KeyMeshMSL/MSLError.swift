// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// An MSL error: the numeric code of Netflix MSL's `MslError` with its response code
/// (docs/MSL.md §9). On the wire `internalcode` is `100000 + code`.
///
/// `detail` says what was wrong for logs and tests; it never carries key material.
public struct MSLError: Error, Equatable, Sendable, CustomStringConvertible {
    public let code: MSLErrorCode
    public let detail: String

    public init(_ code: MSLErrorCode, _ detail: String = "") {
        self.code = code
        self.detail = detail
    }

    /// `100000 + code`, the `internalcode` MSL puts in an error header.
    public var internalCode: Int { 100_000 + code.rawValue }

    public var description: String { detail.isEmpty ? code.name : "\(code.name): \(detail)" }

    /// Equal when the codes are equal (the detail is for people).
    public static func == (lhs: MSLError, rhs: MSLError) -> Bool { lhs.code == rhs.code }
}

/// MSL's response codes (`errorcode` in an error header).
public enum MSLResponseCode: Int, Sendable {
    case fail = 1, transientFailure = 2, entityReauth = 3, userReauth = 4, keyxRequired = 5
    case entityDataReauth = 6, userDataReauth = 7, expired = 8, replayed = 9, ssoTokenRejected = 10
}

/// The MSL error codes KeyMesh raises, with MSL's numbers and names (docs/MSL.md §9).
public enum MSLErrorCode: Int, Sendable, CaseIterable {
    case mslParseError = 0
    case invalidPublicKey = 3
    case invalidPrivateKey = 4
    case ciphertextIllegalBlockSize = 7
    case ciphertextBadPadding = 8
    case ciphertextEnvelopeParseError = 12
    case sessionKeyCreationFailure = 21
    case invalidSymmetricKey = 24
    case wrapNotSupported = 27
    case unwrapNotSupported = 28
    case wrapError = 32
    case unwrapError = 33
    case invalidJWK = 34
    case invalidJWKKeydata = 35
    case jweParseError = 41
    case invalidAlgorithmParams = 42
    case jweAlgorithmMismatch = 43
    case invalidWrappingKey = 51
    case unidentifiedCiphertextEnvelope = 52
    case unidentifiedSignatureEnvelope = 53
    case unsupportedCiphertextEnvelope = 54
    case unidentifiedAlgorithm = 57
    case signatureEnvelopeParseError = 58
    case mastertokenUntrusted = 1000
    case mastertokenKeyCreationError = 1001
    case mastertokenExpiresBeforeRenewal = 1002
    case mastertokenSessiondataMissing = 1003
    case mastertokenSequenceNumberOutOfRange = 1004
    case mastertokenSerialNumberOutOfRange = 1005
    case mastertokenTokendataInvalid = 1006
    case mastertokenSignatureInvalid = 1007
    case mastertokenSessiondataInvalid = 1008
    case mastertokenSequenceNumberOutOfSync = 1009
    case mastertokenTokendataMissing = 1010
    case mastertokenTokendataParseError = 1011
    case mastertokenSessiondataParseError = 1012
    case mastertokenIdentityRevoked = 1013
    case mastertokenRejectedByApp = 1014
    case mastertokenIssuerdataEncodeError = 1015
    case entityNotFound = 4005
    case entityRevoked = 4025
    case messageExpiredNotRenewable = 6044
    case messageExpiredNoKeyrequestData = 6045
    case unidentifiedKeyxScheme = 7000
    case keyxFactoryNotFound = 7001
    case keyxRequestNotFound = 7002
    case unidentifiedKeyxKeyID = 7003
    case unsupportedKeyxKeyID = 7004
    case unidentifiedKeyxMechanism = 7005
    case unsupportedKeyxMechanism = 7006
    case keyxResponseRequestMismatch = 7007
    case keyxPrivateKeyMissing = 7008
    case unknownKeyxParametersID = 7009
    case keyxMasterTokenMissing = 7010
    case keyxInvalidPublicKey = 7011
    case keyxPublicKeyMissing = 7012
    case keyxWrappingKeyMissing = 7013
    case keyxWrappingKeyIDMissing = 7014
    case keyxInvalidWrappingKey = 7015
    case keyxIncorrectData = 7016
    case keyxIncorrectMechanism = 7017
    case keyxDerivationKeyMissing = 7018
    case keyxInvalidEncryptionKey = 7019
    case keyxInvalidHMACKey = 7020
    case keyxInvalidWrapdata = 7021
    case unsupportedKeyxScheme = 7022
    case keyxIdentityNotFound = 7023

    /// MSL's constant name, as written in `"error"` by `keymesh msl` and the server.
    public var name: String {
        switch self {
        case .mslParseError: "MSL_PARSE_ERROR"
        case .invalidPublicKey: "INVALID_PUBLIC_KEY"
        case .invalidPrivateKey: "INVALID_PRIVATE_KEY"
        case .ciphertextIllegalBlockSize: "CIPHERTEXT_ILLEGAL_BLOCK_SIZE"
        case .ciphertextBadPadding: "CIPHERTEXT_BAD_PADDING"
        case .ciphertextEnvelopeParseError: "CIPHERTEXT_ENVELOPE_PARSE_ERROR"
        case .sessionKeyCreationFailure: "SESSION_KEY_CREATION_FAILURE"
        case .invalidSymmetricKey: "INVALID_SYMMETRIC_KEY"
        case .wrapNotSupported: "WRAP_NOT_SUPPORTED"
        case .unwrapNotSupported: "UNWRAP_NOT_SUPPORTED"
        case .wrapError: "WRAP_ERROR"
        case .unwrapError: "UNWRAP_ERROR"
        case .invalidJWK: "INVALID_JWK"
        case .invalidJWKKeydata: "INVALID_JWK_KEYDATA"
        case .jweParseError: "JWE_PARSE_ERROR"
        case .invalidAlgorithmParams: "INVALID_ALGORITHM_PARAMS"
        case .jweAlgorithmMismatch: "JWE_ALGORITHM_MISMATCH"
        case .invalidWrappingKey: "INVALID_WRAPPING_KEY"
        case .unidentifiedCiphertextEnvelope: "UNIDENTIFIED_CIPHERTEXT_ENVELOPE"
        case .unidentifiedSignatureEnvelope: "UNIDENTIFIED_SIGNATURE_ENVELOPE"
        case .unsupportedCiphertextEnvelope: "UNSUPPORTED_CIPHERTEXT_ENVELOPE"
        case .unidentifiedAlgorithm: "UNIDENTIFIED_ALGORITHM"
        case .signatureEnvelopeParseError: "SIGNATURE_ENVELOPE_PARSE_ERROR"
        case .mastertokenUntrusted: "MASTERTOKEN_UNTRUSTED"
        case .mastertokenKeyCreationError: "MASTERTOKEN_KEY_CREATION_ERROR"
        case .mastertokenExpiresBeforeRenewal: "MASTERTOKEN_EXPIRES_BEFORE_RENEWAL"
        case .mastertokenSessiondataMissing: "MASTERTOKEN_SESSIONDATA_MISSING"
        case .mastertokenSequenceNumberOutOfRange: "MASTERTOKEN_SEQUENCE_NUMBER_OUT_OF_RANGE"
        case .mastertokenSerialNumberOutOfRange: "MASTERTOKEN_SERIAL_NUMBER_OUT_OF_RANGE"
        case .mastertokenTokendataInvalid: "MASTERTOKEN_TOKENDATA_INVALID"
        case .mastertokenSignatureInvalid: "MASTERTOKEN_SIGNATURE_INVALID"
        case .mastertokenSessiondataInvalid: "MASTERTOKEN_SESSIONDATA_INVALID"
        case .mastertokenSequenceNumberOutOfSync: "MASTERTOKEN_SEQUENCE_NUMBER_OUT_OF_SYNC"
        case .mastertokenTokendataMissing: "MASTERTOKEN_TOKENDATA_MISSING"
        case .mastertokenTokendataParseError: "MASTERTOKEN_TOKENDATA_PARSE_ERROR"
        case .mastertokenSessiondataParseError: "MASTERTOKEN_SESSIONDATA_PARSE_ERROR"
        case .mastertokenIdentityRevoked: "MASTERTOKEN_IDENTITY_REVOKED"
        case .mastertokenRejectedByApp: "MASTERTOKEN_REJECTED_BY_APP"
        case .mastertokenIssuerdataEncodeError: "MASTERTOKEN_ISSUERDATA_ENCODE_ERROR"
        case .entityNotFound: "ENTITY_NOT_FOUND"
        case .entityRevoked: "ENTITY_REVOKED"
        case .messageExpiredNotRenewable: "MESSAGE_EXPIRED_NOT_RENEWABLE"
        case .messageExpiredNoKeyrequestData: "MESSAGE_EXPIRED_NO_KEYREQUEST_DATA"
        case .unidentifiedKeyxScheme: "UNIDENTIFIED_KEYX_SCHEME"
        case .keyxFactoryNotFound: "KEYX_FACTORY_NOT_FOUND"
        case .keyxRequestNotFound: "KEYX_REQUEST_NOT_FOUND"
        case .unidentifiedKeyxKeyID: "UNIDENTIFIED_KEYX_KEY_ID"
        case .unsupportedKeyxKeyID: "UNSUPPORTED_KEYX_KEY_ID"
        case .unidentifiedKeyxMechanism: "UNIDENTIFIED_KEYX_MECHANISM"
        case .unsupportedKeyxMechanism: "UNSUPPORTED_KEYX_MECHANISM"
        case .keyxResponseRequestMismatch: "KEYX_RESPONSE_REQUEST_MISMATCH"
        case .keyxPrivateKeyMissing: "KEYX_PRIVATE_KEY_MISSING"
        case .unknownKeyxParametersID: "UNKNOWN_KEYX_PARAMETERS_ID"
        case .keyxMasterTokenMissing: "KEYX_MASTER_TOKEN_MISSING"
        case .keyxInvalidPublicKey: "KEYX_INVALID_PUBLIC_KEY"
        case .keyxPublicKeyMissing: "KEYX_PUBLIC_KEY_MISSING"
        case .keyxWrappingKeyMissing: "KEYX_WRAPPING_KEY_MISSING"
        case .keyxWrappingKeyIDMissing: "KEYX_WRAPPING_KEY_ID_MISSING"
        case .keyxInvalidWrappingKey: "KEYX_INVALID_WRAPPING_KEY"
        case .keyxIncorrectData: "KEYX_INCORRECT_DATA"
        case .keyxIncorrectMechanism: "KEYX_INCORRECT_MECHANISM"
        case .keyxDerivationKeyMissing: "KEYX_DERIVATION_KEY_MISSING"
        case .keyxInvalidEncryptionKey: "KEYX_INVALID_ENCRYPTION_KEY"
        case .keyxInvalidHMACKey: "KEYX_INVALID_HMAC_KEY"
        case .keyxInvalidWrapdata: "KEYX_INVALID_WRAPDATA"
        case .unsupportedKeyxScheme: "UNSUPPORTED_KEYX_SCHEME"
        case .keyxIdentityNotFound: "KEYX_IDENTITY_NOT_FOUND"
        }
    }

    /// The response code MSL pairs with this error: master-token errors ask the entity to
    /// re-authenticate, expired messages say EXPIRED, everything else is FAIL.
    public var responseCode: MSLResponseCode {
        switch rawValue {
        case 1000...1014: .entityReauth
        case 6044, 6045: .expired
        default: .fail
        }
    }
}
