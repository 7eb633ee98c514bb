// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshCrypto
import KeyMeshTestSupport
import Testing

@testable import KeyMeshOlm

/// Random and mutated inputs through every Olm parser and the pickle loaders: they must return a
/// value or a typed error, never trap. Seeds are fixed and printed in the test names; any input
/// that ever trapped belongs in `Corpus/` (replayed below).
@Suite("Parsers survive random and mutated input")
struct FuzzTests {
    static func mutate(_ bytes: [UInt8], _ random: SeededRandom) -> [UInt8] {
        var out = bytes
        for _ in 0..<(1 + random.next(below: 4)) {
            switch random.next(below: 5) {
            case 0 where !out.isEmpty: out[random.next(below: out.count)] ^= UInt8(1 << random.next(below: 8))
            case 1 where !out.isEmpty: out[random.next(below: out.count)] = UInt8(random.next(below: 256))
            case 2: out.insert(UInt8(random.next(below: 256)), at: random.next(below: out.count + 1))
            case 3 where !out.isEmpty: out.remove(at: random.next(below: out.count))
            default: out = Array(out.prefix(random.next(below: out.count + 1)))
            }
        }
        return out
    }

    static func seeds() throws -> [[UInt8]] {
        var pair = try SessionPair(seed: 50, established: false)
        let preKey = try pair.aliceSession.encrypt(Array("seed corpus".utf8))
        let normal = try pair.bobSession.encrypt(Array("reply".utf8))
        return [preKey.bytes, normal.bytes, [0x03], [0x03, 0x0A, 0x20]]
    }

    /// Runs one input through every message parser; returns how many parsed.
    @discardableResult
    static func parseAll(_ input: [UInt8]) -> Int {
        var parsed = 0
        if (try? NormalMessage(bytes: input)) != nil { parsed += 1 }
        if (try? PreKeyMessage(bytes: input)) != nil { parsed += 1 }
        for type in [0, 1, 2] where (try? OlmMessage(type: type, bytes: input)) != nil { parsed += 1 }
        if (try? OlmMessage(type: 0, body: String(decoding: input, as: UTF8.self))) != nil { parsed += 1 }
        return parsed
    }

    @Test("100,000 random and mutated messages (seed 0xF022) never trap, and a session refuses them unchanged")
    func messages() throws {
        let random = SeededRandom(seed: 0xF022)
        let seeds = try Self.seeds()
        var pair = try SessionPair(seed: 51)
        let before = Fingerprint.of(pair.bobSession)
        var parsed = 0
        for n in 0..<100_000 {
            let input = n % 4 == 0 ? random.bytes(count: random.next(below: 200))
                                   : Self.mutate(seeds[random.next(below: seeds.count)], random)
            parsed += Self.parseAll(input)
            if n % 50 == 0, let message = try? OlmMessage(type: 1, bytes: input) {
                #expect(throws: DecryptionError.self) { try pair.bobSession.decrypt(message) }
            }
        }
        #expect(parsed > 0)  // the mutations reach past the parsers, not just the version byte
        #expect(Fingerprint.of(pair.bobSession) == before)
    }

    @Test("100,000 mutated pickle bodies (seed 0x91C1E), sealed with the right key, never trap")
    func pickles() throws {
        let random = SeededRandom(seed: 0x91C1E)
        let key = SealingKey(using: random)
        let account = OlmAccount(random: random)
        account.generateOneTimeKeys(count: 2)
        account.generateFallbackKey()
        var pair = try SessionPair(seed: 52)
        _ = try pair.bobSession.decrypt(try pair.aliceSession.encrypt([1]))
        let accountPlain = try key.open(account.pickle(with: key), kind: .account)
        let sessionPlain = try key.open(pair.bobSession.pickle(with: key), kind: .session)
        var opened = 0
        for n in 0..<100_000 {
            let kind: PickleKind = n % 2 == 0 ? .account : .session
            let input = Self.mutate(kind == .account ? accountPlain : sessionPlain, random)
            let pickle = Pickle(bytes: key.seal(input, associatedData: kind.associatedData, using: random))
            switch kind {
            case .account: if (try? OlmAccount(pickle: pickle, key: key)) != nil { opened += 1 }
            case .session: if (try? OlmSession(pickle: pickle, key: key)) != nil { opened += 1 }
            }
            if n % 1000 == 0 {
                var raw = pickle.bytes
                raw[random.next(below: raw.count)] ^= 1
                #expect(throws: PickleError.authenticationFailure) { try OlmSession(pickle: Pickle(bytes: raw), key: key) }
            }
        }
        #expect(opened > 0)
    }

    /// The files of one corpus folder (`Corpus/olm-message`, `Corpus/olm-pickle`, grown by
    /// `scripts/fuzz`, docs/SECURITY.md "Fuzzing").
    static func corpus(_ target: String) throws -> [(name: String, bytes: [UInt8])] {
        try VectorLoader.files(in: "Corpus/\(target)").filter { $0.lastPathComponent != "README.md" }
            .map { ($0.lastPathComponent, [UInt8](try Data(contentsOf: $0))) }
    }

    @Test("the committed corpora and every crash found by the fuzz targets replay without a trap")
    func corpus() throws {
        let messages = try Self.corpus("olm-message"), pickles = try Self.corpus("olm-pickle")
        #expect(messages.count >= 10 && !pickles.isEmpty)
        let key = SealingKey(using: SeededRandom(seed: 1))
        for (_, bytes) in messages {
            Self.parseAll(bytes)
            _ = try? OlmMessage(type: 1, body: String(decoding: bytes, as: UTF8.self))
            _ = try? OlmAccount(pickle: Pickle(bytes: bytes), key: key)
            _ = try? OlmSession(pickle: Pickle(bytes: bytes), key: key)
        }
        // as Fuzz/Sources/fuzz-olm-pickle does: the first byte picks the kind, the rest is the
        // state sealed with the right key, so the decoder behind the MAC sees it
        var opened = 0
        for (_, bytes) in pickles {
            let kind: PickleKind = (bytes.first ?? 0) & 1 == 0 ? .account : .session
            let sealed = Pickle(bytes: key.seal(Array(bytes.dropFirst()), associatedData: kind.associatedData,
                                                using: SeededRandom(seed: 2)))
            switch kind {
            case .account: if (try? OlmAccount(pickle: sealed, key: key)) != nil { opened += 1 }
            case .session: if (try? OlmSession(pickle: sealed, key: key)) != nil { opened += 1 }
            }
            _ = try? OlmAccount(pickle: Pickle(bytes: bytes), key: key)
            _ = try? OlmSession(pickle: Pickle(bytes: bytes), key: key)
        }
        #expect(opened > 0)  // the seeds include a real account and session state
    }
}
