// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshMSL

/// `keymesh msl respond`: an MSL issuer for one entity, one answer line per request line
/// (docs/MSL.md §10). Token lineages are kept in memory for the life of the process.
struct MSLRespondCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "respond", abstract: "Answer key request lines with key response lines and master tokens.")

    @Option(help: "The entity the tokens are issued to (default: the one --psk entity, else keymesh-entity).")
    var identity: String?

    @OptionGroup var keys: MSLTestKeyOptions

    @Option(name: .customLong("psk"), help: "Pre-shared keys of an entity, ID=ENCHEX:HMACHEX (repeatable).")
    var psk: [String] = []

    @Option(help: "Seconds from issue to the renewal window.")
    var renewalWindow: Int64 = 60

    @Option(help: "Seconds from issue to expiry.")
    var expiration: Int64 = 120

    func run() async throws {
        let issuer: MSLIssuer
        do {
            let policy = try MSLIssuerPolicy(renewalWindow: renewalWindow, lifetime: expiration,
                                             dhParameters: try keys.dhParameters(), preSharedKeys: try preSharedKeys())
            issuer = MSLIssuer(keys: try keys.issuerKeys() ?? MSLIssuerKeys.random(keyID: keys.mslKeyID), policy: policy)
        } catch let error as MSLError {
            throw ValidationError("\(error)")
        }
        let lineage = MSLMemoryLineage()
        let entity = try identity ?? (psk.count == 1 ? preSharedKeys().first?.identity : nil) ?? "keymesh-entity"
        for line in StdinLines(limit: MSLLines.maxLine) {
            MSLLines.write(await answer(line, identity: entity, issuer: issuer, lineage: lineage))
        }
    }

    /// One answer line: an issuance, or the MSL error that refused the request.
    private func answer(_ line: StdinLines.Line, identity: String, issuer: MSLIssuer,
                        lineage: MSLMemoryLineage) async -> JSONObject {
        do {
            guard case .bytes(let bytes) = line else { throw MSLError(.mslParseError, "line longer than 64 KiB") }
            let (offers, token) = try Self.request(try MSLJSON.parse(bytes))
            let issuance: MSLIssuance
            if let token {
                issuance = try issuer.renew(offers: offers, masterToken: token, now: MSLLines.now)
            } else {
                issuance = try issuer.issue(offers: offers, identity: identity, issuerData: nil, now: MSLLines.now)
            }
            try await lineage.commit(issuance, identity: issuance.identity)
            return ["ok": true, "scheme": .string(issuance.scheme.rawValue),
                    "encryptionkey": MSLLines.hex(issuance.sessionKeys.encryptionKey.unsafeExportSecret()),
                    "hmackey": MSLLines.hex(issuance.sessionKeys.hmacKey.unsafeExportSecret()),
                    "keyresponsedata": issuance.keyResponseData]
        } catch let error as MSLError {
            return MSLLines.failure(error)
        } catch {
            return MSLLines.failure(MSLError(.mslParseError, "\(error)"))
        }
    }

    /// A bare `keyrequestdata`, a bare array of them, or
    /// `{"keyrequestdata": object-or-array, "mastertoken": object}`.
    static func request(_ value: JSONValue) throws(MSLError) -> (offers: [JSONValue], token: JSONValue?) {
        if let offers = value.arrayValue { return (offers, nil) }
        guard let object = value.objectValue else { throw MSLError(.mslParseError, "a line must be a JSON object or array") }
        guard let wrapped = object["keyrequestdata"] else { return ([value], nil) }
        let offers = wrapped.arrayValue ?? [wrapped]
        return (offers, object["mastertoken"])
    }

    private func preSharedKeys() throws -> [(identity: String, keys: MSLPreSharedKey)] {
        try psk.map { spec in
            guard let equals = spec.firstIndex(of: "=") else { throw ValidationError("--psk must be ID=ENCHEX:HMACHEX") }
            return (String(spec[..<equals]), try MSLPreSharedKey.parse(String(spec[spec.index(after: equals)...])))
        }
    }
}
