// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser

/// Reads one `keymesh serve` setting: the flag if given, else its environment variable (a flag
/// wins, docs/SERVER.md "Options"). A value that does not parse or is out of range stops the
/// server with one message naming the variable, before it binds its port.
enum ServeSetting {
    /// A whole number of at least `minimum`, or nil if neither flag nor variable is set.
    static func integer(_ flag: Int?, _ variable: String, _ environment: [String: String], minimum: Int = 1) throws -> Int? {
        guard let text = flag.map(String.init) ?? environment[variable] else { return nil }
        guard let value = Int(text), value >= minimum else {
            throw ValidationError("invalid \(variable): \(text) (a whole number, at least \(minimum))")
        }
        return value
    }

    /// A finite number in `minimum...maximum`, or nil if neither flag nor variable is set.
    static func number(_ flag: Double?, _ variable: String, _ environment: [String: String],
                       minimum: Double, maximum: Double = 86_400 * 365) throws -> Double? {
        guard let text = flag.map({ String($0) }) ?? environment[variable] else { return nil }
        guard let value = Double(text), value.isFinite, value >= minimum, value <= maximum else {
            throw ValidationError("invalid \(variable): \(text) (at least \(minimum))")
        }
        return value
    }
}
