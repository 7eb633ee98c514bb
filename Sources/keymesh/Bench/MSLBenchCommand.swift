// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import Crypto
import CryptoExtras
import Foundation
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshMSL

/// `keymesh bench msl`: MSL key exchanges answered per second by the issuer, per scheme, beside
/// the cost of the scheme's dominant primitive measured in the same interleaved rounds
/// (docs/MSL.md; docs/PERFORMANCE.md "MSL").
///
/// One exchange is everything `MSLIssuer.issue` does for one offer: parse the offer, make and
/// wrap or derive the session keys, issue the master token (AES-CBC + HMAC), build the response.
/// The requester's offer is made once, outside the timing. Floors: DH, one key generation and
/// one shared-secret computation in the same group (the issuer's two exponentiations); the
/// wrapped schemes, one RSA-OAEP encryption per session key to the same 2048-bit key;
/// SYMMETRIC_WRAPPED, one AES key wrap per key. For information, the RSA rows also time
/// "floor + SPKI parse": the same two encryptions to a key parsed from the request's DER each
/// time, as the issuer must (a fresh key also sets up its Montgomery context on first use).
struct MSLBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "msl", abstract: "MSL issuer exchanges per second beside their dominant primitive.")

    @Option(help: "Seconds to spend on each operation in all (split across the rounds).")
    var seconds: Double = 3

    @Option(help: "Interleaved rounds; the ratio is the median of the per-round ratios.")
    var rounds: Int = 5

    @Option(help: "Only the rows whose name contains this (e.g. JWE_RSA, SYMMETRIC).")
    var only: String?

    func run() throws {
        let measure = Measure(seconds: seconds, rounds: max(rounds, 1))
        let fixture = try MSLBenchFixture()
        typealias Operation = () throws -> Void
        var rows: [(String, String, Operation, Operation, (String, Operation)?)] = [
            ("DIFFIE_HELLMAN rfc3526-modp2048", "DH keygen + shared secret", fixture.dhFloor,
             { try fixture.issue(fixture.dhOffer) }, nil),
        ]
        for (mechanism, offer) in fixture.rsaOffers {
            rows.append(("ASYMMETRIC_WRAPPED \(mechanism.rawValue)", "2 RSA-OAEP encryptions", fixture.rsaFloor,
                         { try fixture.issue(offer) }, ("floor + SPKI parse (information)", fixture.rsaParseFloor)))
        }
        rows.append(("SYMMETRIC_WRAPPED PSK", "2 AES key wraps", fixture.keyWrapFloor,
                     { try fixture.issue(fixture.pskOffer) }, nil))

        print("KeyMesh \(KeyMeshVersion.current) — MSL issuer benchmark, \(ProcessInfo.processInfo.activeProcessorCount) cores, "
              + "\(measure.rounds) interleaved rounds (rates: medians; ratios: medians of per-round floor/exchange)")
        for (name, floorName, floor, exchange, extra) in rows where only.map(name.contains) ?? true {
            var operations = [("floor", floor), ("exchange", exchange)]
            if let extra { operations.append(("extra", extra.1)) }
            let rates = try measure.interleaved(operations)
            let floorRates = rates["floor"] ?? [], exchangeRates = rates["exchange"] ?? []
            let ratio = zip(floorRates, exchangeRates).map { $0 / $1 }.median
            print(name)
            var table = [BenchRow(name: "floor: \(floorName)", perSecond: floorRates.median, note: "= 1.00x")]
            if let extra, let extraRates = rates["extra"] {
                let extraRatio = zip(floorRates, extraRates).map { $0 / $1 }.median
                table.append(BenchRow(name: extra.0, perSecond: extraRates.median, note: "floor/this \(extraRatio.ratio)"))
            }
            table.append(BenchRow(name: "exchange (issue + master token)", perSecond: exchangeRates.median,
                                  note: "floor/exchange \(ratio.ratio)"))
            BenchRow.print(table)
        }
    }
}

/// One issuer and one offer of each kind, made before timing starts.
struct MSLBenchFixture {
    static let identity = "bench-entity"
    let issuer: MSLIssuer
    let dhOffer: JSONValue
    let dhPeer: [UInt8]
    let rsaOffers: [(MSLAsymmetricMechanism, JSONValue)]
    let rsaKey: _RSA.Encryption.PublicKey
    let rsaDER: [UInt8]
    let pskOffer: JSONValue
    let wrappingKey: SymmetricKey
    let now = Int64(Date().timeIntervalSince1970)

    init() throws {
        let psk = try MSLPreSharedKey(encryptionKey: SystemRandom().secret(count: 16), hmacKey: SystemRandom().secret(count: 32))
        issuer = MSLIssuer(keys: try MSLIssuerKeys.random(keyID: "bench"),
                           policy: try MSLIssuerPolicy(preSharedKeys: [(Self.identity, psk)]))
        let dh = try MSLKeyRequest.diffieHellman(parameters: .rfc3526Group14)
        dhOffer = dh.keyRequestData
        dhPeer = try MSLDHKeyPair(parameters: .rfc3526Group14).publicValue
        let pair = try MSLRSAKeyPair()
        rsaOffers = MSLAsymmetricMechanism.allCases.filter { $0 != .ecc }.map { mechanism in
            (mechanism, MSLKeyRequestData.asymmetricWrapped(keyPairID: "bench", mechanism: mechanism,
                                                             publicKeyDER: pair.publicKeyDER).json)
        }
        rsaKey = try _RSA.Encryption.PublicKey(derRepresentation: pair.publicKeyDER)
        rsaDER = pair.publicKeyDER
        pskOffer = MSLKeyRequest.symmetricWrapped(preSharedKey: psk).keyRequestData
        wrappingKey = SymmetricKey(size: .bits128)
    }

    func issue(_ offer: JSONValue) throws {
        _ = try issuer.issue(offers: [offer], identity: Self.identity, issuerData: nil, now: now)
    }

    func dhFloor() throws {
        _ = try MSLDHKeyPair(parameters: .rfc3526Group14).sessionKeys(peerPublicValue: dhPeer)
    }

    func rsaFloor() throws {
        _ = try rsaKey.encrypt(SystemRandom().bytes(count: 16), padding: .PKCS1_OAEP)
        _ = try rsaKey.encrypt(SystemRandom().bytes(count: 32), padding: .PKCS1_OAEP)
    }

    func rsaParseFloor() throws {
        let key = try _RSA.Encryption.PublicKey(derRepresentation: rsaDER)
        _ = try key.encrypt(SystemRandom().bytes(count: 16), padding: .PKCS1_OAEP)
        _ = try key.encrypt(SystemRandom().bytes(count: 32), padding: .PKCS1_OAEP)
    }

    func keyWrapFloor() throws {
        _ = try AES.KeyWrap.wrap(SymmetricKey(size: .bits128), using: wrappingKey)
        _ = try AES.KeyWrap.wrap(SymmetricKey(size: .bits256), using: wrappingKey)
    }
}
