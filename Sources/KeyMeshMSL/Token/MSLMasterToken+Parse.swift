// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

extension MSLMasterToken {
    /// Reads a master token object (docs/MSL.md §6 "Reading"). The token is verified when one of
    /// `issuerKeys` checks its signature; then its session data is decrypted and read. A token no
    /// key verifies is returned unverified (plaintext fields only); issuers refuse it.
    ///
    /// - Throws: `MSL_PARSE_ERROR` (not an object, `tokendata`/`signature` missing or not base64),
    ///   `MASTERTOKEN_TOKENDATA_MISSING`, `MASTERTOKEN_TOKENDATA_PARSE_ERROR`,
    ///   `MASTERTOKEN_EXPIRES_BEFORE_RENEWAL`, `MASTERTOKEN_SEQUENCE_NUMBER_OUT_OF_RANGE`,
    ///   `MASTERTOKEN_SERIAL_NUMBER_OUT_OF_RANGE`, `MASTERTOKEN_SESSIONDATA_MISSING`, and for a
    ///   verified token the envelope and session data errors of §6.
    public static func parse(_ value: JSONValue, issuerKeys: [MSLIssuerKeys]) throws(MSLError) -> MSLMasterToken {
        let outer = try MSLObjectReader(value, code: .mslParseError)
        let tokendata = try outer.binary("tokendata")
        guard !tokendata.isEmpty else { throw MSLError(.mastertokenTokendataMissing, "empty tokendata") }
        let signature = try outer.binary("signature")
        let verifier = issuerKeys.first { MSLSignatureEnvelope.verify(signature, data: tokendata, keys: $0) }

        // Numbers are read wide and range-checked below, so 2^53 + 1 is out of range, not unparseable.
        let reader = try MSLObjectReader(bytes: tokendata, code: .mastertokenTokendataParseError, maxInteger: MSLJSON.wideInteger)
        let renewalWindow = try reader.int("renewalwindow")
        let expiration = try reader.int("expiration")
        guard renewalWindow.magnitude <= MSLJSON.maxInteger.magnitude, expiration.magnitude <= MSLJSON.maxInteger.magnitude else {
            throw MSLError(.mastertokenTokendataParseError, "times outside ±2^53")
        }
        guard expiration >= renewalWindow else {
            throw MSLError(.mastertokenExpiresBeforeRenewal, "expiration before renewal window")
        }
        let sequenceNumber = try reader.int("sequencenumber")
        guard (0...MSLJSON.maxInteger).contains(sequenceNumber) else {
            throw MSLError(.mastertokenSequenceNumberOutOfRange, "sequence number outside 0…2^53")
        }
        let serialNumber = try reader.int("serialnumber")
        guard (0...MSLJSON.maxInteger).contains(serialNumber) else {
            throw MSLError(.mastertokenSerialNumberOutOfRange, "serial number outside 0…2^53")
        }
        let sessiondata = try reader.binary("sessiondata")
        guard !sessiondata.isEmpty else { throw MSLError(.mastertokenSessiondataMissing, "empty sessiondata") }

        var session: MSLSessionData?
        var verifiedKeyID: String?
        // An envelope naming a key id other than the verifying key's leaves the token
        // unverified (docs/MSL.md §9 Decision): issuers then refuse it as MASTERTOKEN_UNTRUSTED.
        if let verifier, var plaintext = try MSLCiphertextEnvelope.open(sessiondata, keys: verifier) {
            defer { SecretBytes.wipe(&plaintext) }
            session = try MSLSessionData.parse(plaintext)
            verifiedKeyID = verifier.keyID
        }
        return MSLMasterToken(
            renewalWindow: renewalWindow, expiration: expiration, sequenceNumber: sequenceNumber,
            serialNumber: serialNumber, tokendata: tokendata, signature: signature,
            verifiedKeyID: verifiedKeyID, session: session)
    }
}
