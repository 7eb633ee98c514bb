// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshMSL

/// `keymesh msl request`: prints one `keyrequestdata` line, reads the answer line, prints the
/// session keys and what the token shows (docs/MSL.md §10).
struct MSLRequestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request", abstract: "Print a key request line, read the response line, print the session keys.")

    @Option(help: "DIFFIE_HELLMAN, ASYMMETRIC_WRAPPED or SYMMETRIC_WRAPPED.")
    var scheme: String

    @Option(help: "ASYMMETRIC_WRAPPED mechanism: RSA, JWK_RSA, JWK_RSAES, JWE_RSA or JWEJS_RSA.")
    var mechanism = "RSA"

    @Option(help: "DIFFIE_HELLMAN parameter set id.")
    var parametersid = MSLDHParameters.rfc3526Group14.id

    @Option(help: "SYMMETRIC_WRAPPED: the entity whose pre-shared keys --psk gives.")
    var identity: String?

    @Option(name: .customLong("psk"), help: "SYMMETRIC_WRAPPED: the entity's pre-shared keys ENCHEX:HMACHEX.")
    var psk: String?

    @OptionGroup var keys: MSLTestKeyOptions

    func run() throws {
        let request: MSLKeyRequest
        let issuerKeys: [MSLIssuerKeys]
        do {
            request = try makeRequest()
            issuerKeys = try keys.issuerKeys().map { [$0] } ?? []
        } catch let error as MSLError {
            throw ValidationError("\(error)")
        }
        guard case .object(let offer) = request.keyRequestData else { throw ValidationError("internal: offer is not an object") }
        MSLLines.write(offer)
        var lines = StdinLines(limit: MSLLines.maxLine)
        guard let line = lines.next() else { return }
        MSLLines.write(Self.complete(line, request: request, issuerKeys: issuerKeys))
    }

    private func makeRequest() throws -> MSLKeyRequest {
        switch scheme {
        case MSLScheme.diffieHellman.rawValue:
            guard let parameters = try keys.dhParameters().first(where: { $0.id.utf8.elementsEqual(parametersid.utf8) }) else {
                throw ValidationError("unknown --parametersid \(parametersid): give it with --dh \(parametersid)=PHEX:GHEX")
            }
            return try MSLKeyRequest.diffieHellman(parameters: parameters)
        case MSLScheme.asymmetricWrapped.rawValue:
            return try MSLKeyRequest.asymmetricWrapped(mechanism: try MSLAsymmetricMechanism.parse(mechanism))
        case MSLScheme.symmetricWrapped.rawValue:
            guard let psk else { throw ValidationError("SYMMETRIC_WRAPPED needs --psk ENCHEX:HMACHEX") }
            return MSLKeyRequest.symmetricWrapped(preSharedKey: try MSLPreSharedKey.parse(psk))
        default:
            throw ValidationError("--scheme must be DIFFIE_HELLMAN, ASYMMETRIC_WRAPPED or SYMMETRIC_WRAPPED")
        }
    }

    /// The result line for the answer `line`: keys and token fields, a passed-on refusal, or
    /// the MSL error that refused the answer.
    static func complete(_ line: StdinLines.Line, request: MSLKeyRequest, issuerKeys: [MSLIssuerKeys]) -> JSONObject {
        do {
            guard case .bytes(let bytes) = line else { throw MSLError(.mslParseError, "line longer than 64 KiB") }
            let value = try MSLJSON.parse(bytes)
            guard let object = value.objectValue else { throw MSLError(.mslParseError, "the answer must be a JSON object") }
            if object["ok"]?.boolValue == false { return object }
            let (keys, token) = try MSLRequester.complete(response: object["keyresponsedata"] ?? value, requests: [request],
                                                         issuerKeys: issuerKeys)
            return ["ok": true, "encryptionkey": MSLLines.hex(keys.encryptionKey.unsafeExportSecret()),
                    "hmackey": MSLLines.hex(keys.hmacKey.unsafeExportSecret()), "mastertoken": .object(fields(of: token))]
        } catch let error as MSLError {
            return MSLLines.failure(error)
        } catch {
            return MSLLines.failure(MSLError(.mslParseError, "\(error)"))
        }
    }

    /// The token's plaintext fields, and its identity and keys when it verified (docs/MSL.md §10).
    static func fields(of token: MSLMasterToken) -> JSONObject {
        var fields: JSONObject = ["renewalwindow": .int(token.renewalWindow), "expiration": .int(token.expiration),
                                  "sequencenumber": .int(token.sequenceNumber), "serialnumber": .int(token.serialNumber),
                                  "verified": .bool(token.session != nil)]
        if let session = token.session {
            fields["identity"] = .string(session.identity)
            fields["encryptionkey"] = MSLLines.hex(session.keys.encryptionKey.unsafeExportSecret())
            fields["hmackey"] = MSLLines.hex(session.keys.hmacKey.unsafeExportSecret())
        }
        return fields
    }
}
