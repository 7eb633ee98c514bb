// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshTestSupport
import Testing

@testable import KeyMeshMSL

/// The `fuzz-msl` corpus (Corpus/msl, grown by `scripts/fuzz`, docs/SECURITY.md "Fuzzing")
/// replayed through the code the fuzz target runs (`MSLFuzzing.swift`): no trap, every failure an
/// MSL code its entry point documents (docs/MSL.md §9), and the expectation in each seed's name.
@Suite("Hostile MSL: fuzz corpus replay (docs/MSL.md §9, §12)")
struct MSLCorpusReplayTests {
    static let folder = "../Corpus/msl"

    @Test("every corpus input replays without a trap, with documented codes and named expectations")
    func replay() throws {
        let files = try VectorLoader.files(in: Self.folder).filter { $0.lastPathComponent != "README.md" }
        #expect(files.count >= 40)
        var named = 0
        for file in files {
            let name = file.lastPathComponent
            let outcome = MSLFuzzing.run([UInt8](try Data(contentsOf: file)))
            #expect(outcome.violations.isEmpty, "\(name): \(outcome.violations)")
            let parts = name.split(separator: "-").map(String.init)
            guard parts.count >= 3 else { continue }
            if parts[0] == "ok" {
                named += 1
                #expect(outcome.successes.contains(parts[1]), "\(name): \(parts[1]) failed with \(outcome.failures[parts[1]].map(\.name) ?? "-")")
            } else if parts[0] == "edge" {
                named += 1
                #expect(outcome.failures[parts[1]]?.rawValue == Int(parts[2]),
                        "\(name): \(parts[1]) gave \(outcome.failures[parts[1]].map(\.name) ?? "success")")
            }
        }
        #expect(named >= 40)
    }

    @Test("the committed seeds are the ones MSLSeedCorpus describes (names present)")
    func seedsPresent() throws {
        let present = Set(try VectorLoader.files(in: Self.folder).map(\.lastPathComponent))
        for (name, _) in try MSLSeedCorpus.files() { #expect(present.contains(name), "missing seed \(name)") }
    }

    /// Rewrites the seeds (the RSA offers and DH answers hold fresh randomness, so only on demand):
    /// `KEYMESH_WRITE_MSL_SEEDS=1 swift test --filter MSLCorpusReplayTests`.
    @Test("write the seed corpus", .enabled(if: ProcessInfo.processInfo.environment["KEYMESH_WRITE_MSL_SEEDS"] == "1"))
    func writeSeeds() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(Self.folder)
        for (name, bytes) in try MSLSeedCorpus.files() {
            try Data(bytes).write(to: folder.appendingPathComponent(name))
        }
    }
}
