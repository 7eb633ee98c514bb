// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import Foundation
import KeyMeshCrypto
import KeyMeshOlm

/// `keymesh bench olm`: Olm session creation and messaging against the X25519/Ed25519 floor of
/// this machine, and against vodozemac (through its Python binding) in the same run.
struct OlmBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "olm",
        abstract: "Benchmark Olm: primitives (the floor), session creation, 1 KiB messages, and vodozemac.")

    @Option(help: "Seconds to spend on each measurement.")
    var seconds: Double = 1.5

    @Option(help: "Python with vodozemac installed, for the same-run comparison (default: .venv/bin/python).")
    var python: String = ".venv/bin/python"

    @Option(help: "The vodozemac benchmark script.")
    var vodozemacScript: String = "Benchmarks/vodozemac_olm_bench.py"

    func run() throws {
        let measure = Measure(seconds: seconds)
        let floor = try PrimitiveFloor(measure: measure)
        let olm = try OlmFigures(measure: measure)
        print("KeyMesh \(KeyMeshVersion.current) — Olm benchmark (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
        print("Floor (swift-crypto primitives on this machine):")
        BenchRow.print([
            BenchRow(name: "X25519 agreement", perSecond: floor.x25519, note: ""),
            BenchRow(name: "X25519 key generation", perSecond: floor.x25519KeyGen, note: ""),
            BenchRow(name: "Ed25519 sign", perSecond: floor.ed25519Sign, note: ""),
            BenchRow(name: "Ed25519 verify", perSecond: floor.ed25519Verify, note: ""),
            BenchRow(name: "HMAC-SHA-256 (1 byte)", perSecond: floor.hmac, note: ""),
            BenchRow(name: "HKDF-SHA-256 (80 bytes)", perSecond: floor.hkdf, note: ""),
        ])
        print("Olm (cost ratio = time per operation / time of the X25519 work it must do; 1.00x = the floor):")
        BenchRow.print([
            BenchRow(name: "outbound session creation", perSecond: olm.outbound,
                     note: "ratio \((floor.outboundFloor / olm.outbound).ratio)  (floor: 3 agreements + 2 key generations = \(Int(floor.outboundFloor))/s)"),
            BenchRow(name: "inbound session creation", perSecond: olm.inbound,
                     note: "ratio \((floor.inboundFloor / olm.inbound).ratio)  (floor: 3 agreements = \(Int(floor.inboundFloor))/s; includes decrypting the first message)"),
            BenchRow(name: "1 KiB encrypt + decrypt", perSecond: olm.message,
                     note: "ratio to X25519 agreement \((floor.x25519 / olm.message).ratio)"),
            BenchRow(name: "ratchet turn (2 msgs)", perSecond: olm.ratchetTurn,
                     note: "ratio \((floor.ratchetFloor / olm.ratchetTurn).ratio)  (floor: 4 agreements + 2 key generations)"),
        ])
        compareWithVodozemac(olm)
    }

    private func compareWithVodozemac(_ olm: OlmFigures) {
        guard FileManager.default.isExecutableFile(atPath: python),
              FileManager.default.fileExists(atPath: vodozemacScript)
        else {
            print("vodozemac: not measured (no \(python) or \(vodozemacScript); run `bash .ci/run` once to install it)")
            return
        }
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [vodozemacScript, String(seconds)]
        process.standardOutput = pipe
        do { try process.run() } catch {
            print("vodozemac: not measured (\(error))")
            return
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let figures = try? JSONSerialization.jsonObject(with: data) as? [String: Double],
              let outbound = figures["outbound"], let inbound = figures["inbound"], let message = figures["message"]
        else {
            print("vodozemac: not measured (the script failed; is vodozemac installed for \(python)?)")
            return
        }
        print("vodozemac \(figures["version"].map { _ in "" } ?? "")(Rust, through its Python binding, same machine, same run):")
        BenchRow.print([
            BenchRow(name: "outbound session creation", perSecond: outbound, note: "KeyMesh/vodozemac \((olm.outbound / outbound).ratio)"),
            BenchRow(name: "inbound session creation", perSecond: inbound, note: "KeyMesh/vodozemac \((olm.inbound / inbound).ratio)"),
            BenchRow(name: "1 KiB encrypt + decrypt", perSecond: message, note: "KeyMesh/vodozemac \((olm.message / message).ratio)"),
        ])
    }
}
