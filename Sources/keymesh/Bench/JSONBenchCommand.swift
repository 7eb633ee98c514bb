// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import Foundation
import KeyMeshMatrixAPI

/// `keymesh bench json`: parse cost per byte of hostile shapes against a 1 KiB body, measured in
/// interleaved rounds of the same run. A parser linear in its input shows ratios near 1x; the
/// quadratic member lookup it replaced showed thousands (docs/PERFORMANCE.md, "JSON parsing").
struct JSONBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "json", abstract: "JSON parse ns/byte for large and deep documents beside a 1 KiB body.")

    @Option(help: "Seconds per document in all (split over rounds).")
    var seconds = 2.0

    @Option(help: "Interleaved rounds; ratios are the median of per-round ratios.")
    var rounds = 5

    func run() throws {
        let documents = Self.documents()
        let measure = Measure(seconds: seconds, rounds: max(rounds, 1))
        let operations: [(String, () throws -> Void)] = documents.map { document in
            (document.name, {
                do { _ = try JSONParser.parse(document.bytes) } catch {
                    guard document.refused else { throw error }
                }
            })
        }
        let rates = try measure.interleaved(operations)
        print("keymesh bench json — \(measure.rounds) interleaved rounds, \(seconds) s per document (build with -c release)")
        print("  document                          bytes     ns/byte   ratio to 1 KiB body   to 1 KiB of same shape")
        func bytesPerSecond(_ document: Document) -> [Double] {
            (rates[document.name] ?? []).map { $0 * Double(document.bytes.count) }
        }
        let baseline = bytesPerSecond(documents[0])
        for document in documents {
            let subject = bytesPerSecond(document)
            let ratios = zip(baseline, subject).map { $0 / $1 }  // > 1: dearer per byte than the baseline
            var line = "  " + document.name.padding(toLength: 32, withPad: " ", startingAt: 0)
                + String(format: "%8d  %10.3f   %@", document.bytes.count, 1e9 / subject.median, ratios.median.ratio)
            if let shape = documents.first(where: { $0.name == document.shapeBaseline }) {
                let shapeRatios = zip(bytesPerSecond(shape), subject).map { $0 / $1 }
                line += String(repeating: " ", count: 18) + shapeRatios.median.ratio
            }
            print(line)
        }
    }

    struct Document {
        let name: String
        let bytes: [UInt8]
        /// Whether the parser must refuse it (the refusal is what is timed).
        let refused: Bool
        /// The 1 KiB document of the same shape, if this is a large one.
        var shapeBaseline: String?
    }

    static func documents() -> [Document] {
        let depth = JSONParser.maxDepth
        return [
            Document(name: "1 KiB body (baseline)", bytes: body(), refused: false),
            Document(name: "1 KiB object, small members", bytes: object(bytes: 1 << 10), refused: false),
            Document(name: "1 MiB object, small members", bytes: object(bytes: 1 << 20), refused: false,
                     shapeBaseline: "1 KiB object, small members"),
            Document(name: "1 KiB array, small values", bytes: array(bytes: 1 << 10), refused: false),
            Document(name: "1 MiB array, small values", bytes: array(bytes: 1 << 20), refused: false,
                     shapeBaseline: "1 KiB array, small values"),
            Document(name: "nested array at depth \(depth)",
                      bytes: Array((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8),
                      refused: false),
            Document(name: "1 MiB nested array (refused)",
                      bytes: [UInt8](repeating: UInt8(ascii: "["), count: 1 << 20), refused: true),
        ]
    }

    /// A /keys/upload-like body of about 1 KiB.
    static func body() -> [UInt8] {
        var keys: [String] = []
        for n in 0..<10 { keys.append("\"signed_curve25519:AAAAAQ\(n)\":{\"key\":\"zKbLg+NrIjpnagy+pIY6uPL4ZwEG2v+8F9lmgsnlZzs\"}") }
        let text = "{\"device_keys\":{\"user_id\":\"@alice:example.org\",\"device_id\":\"JLAFKJWSCS\","
            + "\"algorithms\":[\"m.olm.v1.curve25519-aes-sha2\",\"m.megolm.v1.aes-sha2\"]},"
            + "\"one_time_keys\":{" + keys.joined(separator: ",") + "}}"
        return Array(text.utf8)
    }

    /// `{"k0":0,"k1":1,…}` of about `bytes` bytes.
    static func object(bytes: Int) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        var n = 0
        while out.count < bytes - 24 {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            out += Array("\"k\(String(n, radix: 16))\":\(n % 1000)".utf8)
            n += 1
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// `[10000,10001,…]` of about `bytes` bytes.
    static func array(bytes: Int) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "[")]
        var n = 0
        while out.count < bytes - 8 {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            out += Array(String(10_000 + n % 90_000).utf8)
            n += 1
        }
        out.append(UInt8(ascii: "]"))
        return out
    }
}
