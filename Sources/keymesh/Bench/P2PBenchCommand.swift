// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import Foundation
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshP2P

/// `keymesh bench p2p`: complete P2P exchanges (docs/P2P.md §5-§6) per second, both roles in
/// one process, beside the X25519 floor measured in the same interleaved rounds.
///
/// One exchange is `P2PInitiator.start` (a fresh ephemeral key: one X25519 base-point
/// multiplication), `P2PSessionRequest.parse` + `P2PResponder.respond` (3 agreements) and
/// `P2PInitiator.receive` (3 agreements): 7 X25519 operations. The floor does those 7 directly
/// (one key generation and six agreements). Pool refills are not counted: each exchange takes a
/// copy of a full pool (a refill is one more key generation, paid once per exchange by `maintain`).
struct P2PBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "p2p", abstract: "P2P exchanges per second beside the X25519 floor of the same run.")

    @Option(help: "Seconds to spend on each operation in all (split across the rounds).")
    var seconds: Double = 4

    @Option(help: "Interleaved rounds; the ratio is the median of the per-round ratios.")
    var rounds: Int = 7

    func run() throws {
        let measure = Measure(seconds: seconds, rounds: max(rounds, 1))
        let fixture = try P2PBenchFixture()
        let a = Curve25519SecretKey(), b = Curve25519SecretKey()
        let rates = try measure.interleaved([
            ("floor", {
                _ = Curve25519SecretKey()
                for _ in 0..<6 { _ = try a.diffieHellman(with: b.publicKey) }
            }),
            ("exchange", { try fixture.exchange() }),
            ("exchange+seal", { try fixture.exchange(messages: true) }),
        ])
        let floor = rates["floor"] ?? [], exchange = rates["exchange"] ?? [], sealed = rates["exchange+seal"] ?? []
        let ratio = zip(floor, exchange).map { $0 / $1 }.median
        let sealedRatio = zip(floor, sealed).map { $0 / $1 }.median
        print("KeyMesh \(KeyMeshVersion.current) — P2P benchmark, \(ProcessInfo.processInfo.activeProcessorCount) cores, "
              + "\(measure.rounds) interleaved rounds (rates: medians; ratios: medians of per-round ratios)")
        BenchRow.print([
            BenchRow(name: "X25519 floor (1 keygen + 6 DH)", perSecond: floor.median, note: "= 1.00x"),
            BenchRow(name: "exchange (start, respond, receive)", perSecond: exchange.median,
                     note: "floor/exchange \(ratio.ratio)"),
            BenchRow(name: "exchange + proof + grant sealed/opened", perSecond: sealed.median,
                     note: "floor/exchange \(sealedRatio.ratio)"),
        ])
    }
}

/// Two devices of one user with signed records, and a full responder pool to copy per exchange.
struct P2PBenchFixture {
    static let userID = "@bench:example.org"
    static let now: Int64 = 1_767_225_600_000

    let initiator: P2PLocalDevice
    let responder: P2PLocalDevice
    let responderRecord: P2PPoolRecord
    let initiatorRecord: P2PPoolRecord
    let pool: P2PKeyPool
    let random = SystemRandom()

    init() throws {
        var pool = P2PKeyPool()
        pool.maintain(now: Self.now, random: random)
        var initiatorPool = P2PKeyPool()
        initiatorPool.maintain(now: Self.now, random: random)
        let (initiator, initiatorRecord) = try Self.device("BENCHJOINER", pool: initiatorPool)
        let (responder, responderRecord) = try Self.device("BENCHAUTH", pool: pool)
        self.initiator = initiator
        self.responder = responder
        self.initiatorRecord = initiatorRecord
        self.responderRecord = responderRecord
        self.pool = pool
    }

    private static func device(_ deviceID: String, pool: P2PKeyPool) throws -> (P2PLocalDevice, P2PPoolRecord) {
        let signer = Ed25519SecretKey()
        let identity = P2PIdentity(random: SystemRandom())
        let unsigned = P2PPoolRecord.unsigned(userID: userID, deviceID: deviceID, identityKey: identity.publicKey,
                                              keys: pool.entries)
        let signed = try JSONSigner.sign(unsigned, entity: userID, keyID: .ed25519(deviceID), key: signer)
        let record = try P2PPoolRecord.verify(signed, userID: userID, deviceID: deviceID, deviceEd25519: signer.publicKey)
        return (P2PLocalDevice(userID: userID, deviceID: deviceID, identity: identity, record: signed), record)
    }

    /// One complete exchange; with `messages`, then an `authproof` and an `authgrant`.
    func exchange(messages: Bool = false) throws {
        guard let entry = responderRecord.nominate(now: Self.now, random: random) else { throw BenchFailure.noKey }
        let (start, request) = try P2PInitiator.start(local: initiator, remote: responderRecord, entry: entry,
                                                      purpose: .join, now: Self.now, random: random)
        var pool = self.pool
        let (answer, response) = try P2PResponder.respond(to: try P2PSessionRequest.parse(request),
                                                          verifiedRecord: initiatorRecord, local: responder,
                                                          pool: &pool, now: Self.now)
        guard var authoriser = answer,
              case .established(var joiner) = try start.receive(response, local: initiator, remote: responderRecord)
        else { throw BenchFailure.notEstablished }
        guard joiner.vcs == authoriser.vcs else { throw BenchFailure.notEstablished }
        guard messages else { return }
        _ = try authoriser.open(try joiner.seal(.authproof, ["vcm": "ABCDE"]), now: Self.now)
        _ = try joiner.open(try authoriser.seal(.authgrant, Self.grant), now: Self.now)
    }

    static let grant: JSONObject = [
        "master_key": .string(Base64.encode([UInt8](repeating: 1, count: 32))),
        "self_signing_key": .string(Base64.encode([UInt8](repeating: 2, count: 32))),
        "user_signing_key": .string(Base64.encode([UInt8](repeating: 3, count: 32))),
    ]

    enum BenchFailure: Error { case noKey, notEstablished }
}
