// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation

/// Runs a closure repeatedly for a time budget and reports operations per second.
struct Measure {
    let seconds: Double

    /// Calls `body` (which performs `perCall` operations) until `seconds` pass, after a short warm-up.
    /// - Returns: operations per second (median of three slices, so one noisy slice cannot skew it).
    func rate(perCall: Int = 1, _ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        let warmUp = clock.now.advanced(by: .milliseconds(50))
        while clock.now < warmUp { try body() }
        var rates: [Double] = []
        for _ in 0..<3 {
            var calls = 0
            let start = clock.now
            let end = start.advanced(by: .milliseconds(Int64(seconds * 1000 / 3)))
            while clock.now < end {
                try body()
                calls += 1
            }
            let elapsed = start.duration(to: clock.now)
            let secondsElapsed = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            rates.append(Double(calls * perCall) / secondsElapsed)
        }
        return rates.sorted()[1]
    }
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
            let rate = String(format: "%12.0f /s", row.perSecond)
            Swift.print("  \(name)  \(rate)  \(row.note)")
        }
    }
}

extension Double {
    var ratio: String { String(format: "%.2fx", self) }
}
