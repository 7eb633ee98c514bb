// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import Foundation
import KeyMeshStore
import KeyMeshStoreSQLite

/// `keymesh bench store`: what one `/keys/claim` costs the embedded SQLite store as the number of
/// stored one-time keys grows. One store per size holds that many background keys (spread over
/// 100 devices) plus a target device; rounds claim from the target in every store in turn
/// (interleaved, so machine drift hits all sizes alike) and re-stock it untimed. Reported: claims
/// per second per size and the per-round ratio to the smallest store (1.00x = flat).
struct StoreBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Claim cost of the SQLite store from 1e3 to 1e6 stored one-time keys.")

    @Option(help: "Stored one-time keys per store, comma-separated.")
    var sizes = "1000,10000,100000,1000000"

    @Option(help: "Claims per store per round.")
    var claims = 2000

    @Option(help: "Rounds (interleaved across sizes).")
    var rounds = 5

    @Option(help: "Folder for the benchmark databases (deleted afterwards).")
    var dir = FileManager.default.temporaryDirectory.appendingPathComponent("keymesh-bench-store").path

    func run() async throws {
        let sizes = self.sizes.split(separator: ",").compactMap { Int($0) }
        guard !sizes.isEmpty, claims > 0, rounds > 0 else { throw ValidationError("need sizes, claims and rounds > 0") }
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let target = DeviceRef(userID: "@target:bench", deviceID: "TARGET")
        var stores: [(size: Int, store: SQLiteStore)] = []
        for size in sizes {
            let clock = ContinuousClock()
            let start = clock.now
            let store = try SQLiteStore(path: "\(dir)/claims-\(size).sqlite")
            try await store.openDevice(target, displayName: nil, tokenHash: "bench-target")
            let perDevice = max(size / 100, 1)
            var made = 0
            var device = 0
            while made < size {
                let count = min(perDevice, size - made)
                let owner = DeviceRef(userID: "@u\(device):bench", deviceID: "D\(device)")
                // key writes are accepted only for an existing device (docs/STORE.md "Uploads")
                try await store.openDevice(owner, displayName: nil, tokenHash: "bench-\(device)")
                for chunk in stride(from: 0, to: count, by: 10_000) {
                    let keys = (chunk..<min(chunk + 10_000, count)).map { Self.key("b\($0)") }
                    try await store.addOneTimeKeys(owner, keys: keys)
                }
                made += count
                device += 1
            }
            print("seeded \(size) keys in \(clock.now - start)")
            stores.append((size, store))
        }
        var rates: [Int: [Double]] = [:]
        var serial = 0
        for round in 0..<rounds {
            for (size, store) in stores {
                serial += 1
                let stock = (0..<claims).map { Self.key("r\(serial)-\($0)") }
                try await store.addOneTimeKeys(target, keys: stock)
                let request = [ClaimRequest(device: target, algorithm: "signed_curve25519")]
                let clock = ContinuousClock()
                let start = clock.now
                for _ in 0..<claims {
                    guard try await store.claim(request).first?.isFallback == false else {
                        throw ValidationError("target ran out of keys")
                    }
                }
                let elapsed = clock.now - start
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                rates[size, default: []].append(Double(claims) / seconds)
            }
            print("round \(round + 1)/\(rounds) done")
        }
        let baseline = try require(sizes.first)
        print("\nclaims against the embedded SQLite store (\(claims) per store per round, \(rounds) rounds, medians)")
        for size in sizes {
            let perRound = zip(rates[size] ?? [], rates[baseline] ?? []).map { $1 / $0 }  // cost ratio = baseline rate / rate
            let rate = (rates[size] ?? []).median
            print(String(format: "  %9d stored keys  %8.0f claims/s  %7.1f µs/claim  cost vs %d: %@",
                         size, rate, 1e6 / rate, baseline, perRound.median.ratio))
        }
    }

    static func key(_ id: String) -> StoredKeyObject {
        // The store never looks inside: a realistic size (~170 bytes) is what matters here.
        let json = #"{"key":"\#(String(repeating: "k", count: 43))","signatures":{"@target:bench":{"ed25519:TARGET":"\#(String(repeating: "s", count: 86))"}}}"#
        return StoredKeyObject(algorithm: "signed_curve25519", keyID: id, json: json, identity: id)
    }
}

private func require<T>(_ value: T?) throws -> T {
    guard let value else { throw ValidationError("no sizes") }
    return value
}
