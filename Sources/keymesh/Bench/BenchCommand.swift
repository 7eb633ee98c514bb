// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser

/// `keymesh bench …`: benchmarks that report ratios against a baseline measured in the same run.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure KeyMesh on this machine (build with -c release).",
        subcommands: [OlmBenchCommand.self, StoreBenchCommand.self, ChannelBenchCommand.self, JSONBenchCommand.self, P2PBenchCommand.self, MSLBenchCommand.self]
    )
}
