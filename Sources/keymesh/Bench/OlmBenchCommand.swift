// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import Foundation
import KeyMeshCrypto
import KeyMeshOlm

/// `keymesh bench olm`: Olm session creation and messaging against the X25519 floor of this
/// machine, and against vodozemac (through its Python binding), in interleaved rounds.
struct OlmBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "olm",
        abstract: "Benchmark Olm: primitives (the floor), session creation, 1 KiB messages, and vodozemac.")

    @Option(help: "Seconds to spend on each operation in all (split across the rounds).")
    var seconds: Double = 2

    @Option(help: "Interleaved rounds; ratios are the median of the per-round ratios.")
    var rounds: Int = 7

    @Option(help: "Python with vodozemac installed, for the same-run comparison.")
    var python: String = ".venv/bin/python"

    @Option(help: "The vodozemac benchmark script.")
    var vodozemacScript: String = "Benchmarks/vodozemac_olm_bench.py"

    func run() throws {
        let measure = Measure(seconds: seconds, rounds: max(rounds, 1))
        let peer = VodozemacPeer(python: python, script: vodozemacScript, slice: seconds / Double(max(rounds, 1)))
        var vodozemac: [[String: Double]] = []
        let rates = try measure.interleaved(try OlmOperations().operations) {
            if let figures = peer.measure() { vodozemac.append(figures) }
        }
        let report = OlmBenchReport(rates: rates, vodozemac: vodozemac)
        print("KeyMesh \(KeyMeshVersion.current) — Olm benchmark, \(ProcessInfo.processInfo.activeProcessorCount) cores, "
              + "\(measure.rounds) interleaved rounds (rates: medians; ratios: medians of per-round ratios)")
        report.printPrimitives()
        report.printOlm()
        if vodozemac.isEmpty {
            print("vodozemac: not measured (\(peer.problem ?? "unknown"); `bash scripts/setup --peers` installs it)")
        } else {
            report.printVodozemac()
        }
    }
}

/// Runs one slice of `Benchmarks/vodozemac_olm_bench.py` per round.
final class VodozemacPeer {
    let python: String
    let script: String
    let slice: Double
    private(set) var problem: String?

    init(python: String, script: String, slice: Double) {
        self.python = python
        self.script = script
        self.slice = slice
        if !FileManager.default.isExecutableFile(atPath: python) { problem = "no \(python)" }
        if !FileManager.default.fileExists(atPath: script) { problem = "no \(script)" }
    }

    func measure() -> [String: Double]? {
        guard problem == nil else { return nil }
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, String(slice)]
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            problem = "\(error)"
            return nil
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let figures = try? JSONSerialization.jsonObject(with: data) as? [String: Double]
        else {
            problem = "the script failed; is vodozemac installed for \(python)?"
            return nil
        }
        return figures
    }
}
