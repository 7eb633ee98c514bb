// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation

/// Measures operation rates in interleaved rounds, so that slow drift in machine speed (shared
/// hosts vary by 2x over minutes) hits every operation of a round alike. Ratios are computed
/// per round and the median is reported.
struct Measure {
    let seconds: Double
    let rounds: Int

    /// Calls of `body` per second over one slice, after a 10 ms warm-up.
    func rate(slice: Double, _ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        let warmUp = clock.now.advanced(by: .milliseconds(10))
        while clock.now < warmUp { try body() }
        var calls = 0
        let start = clock.now
        let end = start.advanced(by: .milliseconds(Int64(slice * 1000)))
        while clock.now < end {
            try body()
            calls += 1
        }
        let elapsed = start.duration(to: clock.now)
        let secondsElapsed = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(calls) / secondsElapsed
    }

    /// Runs every operation once per round, `rounds` times, each for an equal share of `seconds`.
    /// - Returns: per operation, its rate in each round.
    func interleaved(_ operations: [(String, () throws -> Void)],
                     between: (() -> Void)? = nil) throws -> [String: [Double]] {
        var rates: [String: [Double]] = [:]
        let slice = seconds / Double(rounds)
        for _ in 0..<rounds {
            for (name, body) in operations { rates[name, default: []].append(try rate(slice: slice, body)) }
            between?()
        }
        return rates
    }
}

extension Array where Element == Double {
    /// The median (the upper middle for an even count); 0 when empty.
    var median: Double { isEmpty ? 0 : sorted()[count / 2] }
}

/// One row of a benchmark table.
struct BenchRow {
    let name: String
    let perSecond: Double
    let note: String

    static func print(_ rows: [BenchRow]) {
        let width = rows.map(\.name.count).max() ?? 10
        for row in rows {
            let name = row.name.padding(toLength: width, withPad: " ", startingAt: 0)
            let rate = String(format: "%10.0f /s", row.perSecond)
            Swift.print("  \(name)  \(rate)  \(row.note)")
        }
    }
}

extension Double {
    var ratio: String { String(format: "%.2fx", self) }
}
