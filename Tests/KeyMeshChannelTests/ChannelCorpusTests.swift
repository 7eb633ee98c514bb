// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshTestSupport
import Testing

/// The channel fuzz corpus (`Corpus/channel`, grown by `scripts/fuzz`, docs/SECURITY.md
/// "Fuzzing") replayed through the same code the fuzz target runs (`Support/ChannelFuzzing.swift`).
@Suite("Fuzz corpus replay: channel frames and handshakes")
struct ChannelCorpusTests {
    @Test("every channel corpus input, and any crash ever found, replays without a trap")
    func replay() throws {
        let files = try VectorLoader.files(in: "Corpus/channel").filter { $0.lastPathComponent != "README.md" }
        #expect(files.count >= 8)
        for file in files { ChannelFuzzing.run([UInt8](try Data(contentsOf: file))) }
    }
}
