// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

extension MSLMasterToken {
    /// Issues a token (docs/MSL.md §6 "Issuing"): session data encrypted into a version 1
    /// envelope under `issuerKeys`, `tokendata` signed with the raw HMAC-SHA256.
    /// - Throws: `MASTERTOKEN_EXPIRES_BEFORE_RENEWAL` and the `…_OUT_OF_RANGE` codes for numbers
    ///   §6 would refuse on reading, `MSL_PARSE_ERROR` for an identity with NUL or over 8 KiB,
    ///   `MASTERTOKEN_ISSUERDATA_ENCODE_ERROR` when the token would exceed the §12 string limit.
    public static func issue(identity: String, keys: MSLSessionKeys, issuerData: JSONObject?,
                             renewalWindow: Int64, expiration: Int64, sequenceNumber: Int64, serialNumber: Int64,
                             issuerKeys: MSLIssuerKeys,
                             random: some RandomSource = SystemRandom()) throws(MSLError) -> MSLMasterToken {
        guard expiration >= renewalWindow else {
            throw MSLError(.mastertokenExpiresBeforeRenewal, "expiration before renewal window")
        }
        guard (0...MSLJSON.maxInteger).contains(sequenceNumber) else {
            throw MSLError(.mastertokenSequenceNumberOutOfRange, "sequence number outside 0…2^53")
        }
        guard (0...MSLJSON.maxInteger).contains(serialNumber) else {
            throw MSLError(.mastertokenSerialNumberOutOfRange, "serial number outside 0…2^53")
        }
        guard renewalWindow.magnitude <= MSLJSON.maxInteger.magnitude, expiration.magnitude <= MSLJSON.maxInteger.magnitude else {
            throw MSLError(.mastertokenExpiresBeforeRenewal, "times outside ±2^53")
        }
        guard !identity.utf8.contains(0), identity.utf8.count <= MSLJSON.limits.maxStringBytes else {
            throw MSLError(.mslParseError, "identity with NUL or too long")
        }
        let session = MSLSessionData(identity: identity, keys: keys, issuerData: issuerData)
        var plaintext = session.plaintext()
        defer { SecretBytes.wipe(&plaintext) }
        guard !plaintext.isEmpty else { throw MSLError(.mastertokenIssuerdataEncodeError, "issuer data not encodable") }
        let envelope = try MSLCiphertextEnvelope.seal(plaintext, keys: issuerKeys, random: random)
        // Every integer was checked above to lie within ±2^53 (docs/MSL.md §1).
        var writer = MSLJSONWriter(capacity: 160 + envelope.count / 3 * 4)
        writer.int("expiration", expiration)
        writer.int("renewalwindow", renewalWindow)
        writer.int("sequencenumber", sequenceNumber)
        writer.int("serialnumber", serialNumber)
        writer.base64("sessiondata", envelope)
        let tokendata = writer.finish()
        // A reader takes strings of at most 8 KiB (docs/MSL.md §12): refuse a token it could not read.
        guard (tokendata.count + 2) / 3 * 4 <= MSLJSON.limits.maxStringBytes else {
            throw MSLError(.mastertokenIssuerdataEncodeError, "identity and issuer data too large for a token")
        }
        return MSLMasterToken(
            renewalWindow: renewalWindow, expiration: expiration, sequenceNumber: sequenceNumber,
            serialNumber: serialNumber, tokendata: tokendata,
            signature: MSLSignatureEnvelope.sign(tokendata, keys: issuerKeys),
            verifiedKeyID: issuerKeys.keyID, session: session)
    }
}
