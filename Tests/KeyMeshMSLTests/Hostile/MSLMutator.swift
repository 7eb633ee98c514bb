// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import KeyMeshTestSupport

@testable import KeyMeshMSL

/// Seeded mutations of an MSL JSON object (docs/MSL.md §1, §12): member deletion, type swaps,
/// numbers at and past 2^53, fractions and exponents, strings past 8 KiB, nesting past depth 16,
/// duplicate members, base64 without padding, with `-`/`_`, white space or NUL, byte flips and
/// truncation. Each mutation says whether it removed or mistyped a member the reader requires,
/// so the caller can expect that reader's parse error.
struct MSLMutator {
    let random: SeededRandom
    enum Kind { case string, int, object }
    /// Members the reader of this object requires (deleting one is its parse error).
    let required: Set<String>
    /// The type the reader reads each member as (another type is its parse error).
    let types: [String: Kind]

    struct Mutation {
        var bytes: [UInt8]
        /// "delete scheme", "type publickey", …
        var label: String
        /// A required member was removed or replaced by a value of the wrong type.
        var breaksRequiredMember: Bool
    }

    private static let marker = "@@MSL-MUTATION@@"

    func mutate(_ object: JSONObject) -> Mutation {
        let keys = object.keys
        let key = keys.isEmpty ? "scheme" : keys[random.next(below: keys.count)]
        var copy = object
        switch random.next(below: 12) {
        case 0:
            copy[key] = nil
            return Mutation(bytes: MSLJSON.encode(.object(copy)), label: "delete \(key)", breaksRequiredMember: required.contains(key))
        case 1:
            let swaps: [JSONValue] = ["x", 7, ["a": 1], [1, "b"], .null, true]
            let swap = swaps[random.next(below: swaps.count)]
            copy[key] = swap
            let wrong = switch types[key] {
            case .string?: swap.stringValue == nil
            case .int?: swap.intValue == nil
            case .object?: swap.objectValue == nil
            case nil: false
            }
            return Mutation(bytes: MSLJSON.encode(.object(copy)), label: "type \(key) \(swap)", breaksRequiredMember: wrong)
        case 2:
            let numbers = ["9007199254740992", "9007199254740993", "-1", "1e3", "1.5", "1E400", "-0", "99999999999999999"]
            return raw(copy, key, numbers[random.next(below: numbers.count)])
        case 3:
            return raw(copy, key, "\"" + String(repeating: "A", count: (8 << 10) + 4) + "\"")
        case 4:
            let depth = 16 + random.next(below: 4)
            return raw(copy, key, String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
        case 5:
            copy[Self.marker] = object[key] ?? .null
            return replace(copy, "\"\(Self.marker)\"", with: "\"\(key)\"", label: "duplicate \(key)")
        case 6...8:
            guard let text = object[key]?.stringValue else { return flip(copy) }
            copy[key] = .string(base64Variant(text))
            return Mutation(bytes: MSLJSON.encode(.object(copy)), label: "base64 \(key)", breaksRequiredMember: false)
        case 9:
            let bytes = MSLJSON.encode(.object(copy))
            return Mutation(bytes: Array(bytes.prefix(random.next(below: bytes.count))), label: "truncate",
                            breaksRequiredMember: false)
        default:
            return flip(copy)
        }
    }

    /// A member's value replaced by raw JSON text (numbers JSONValue cannot hold, deep nesting).
    private func raw(_ object: JSONObject, _ key: String, _ text: String) -> Mutation {
        var copy = object
        copy[key] = .string(Self.marker)
        return replace(copy, "\"\(Self.marker)\"", with: text, label: "raw \(key)=\(text.prefix(24))")
    }

    private func replace(_ object: JSONObject, _ target: String, with text: String, label: String) -> Mutation {
        let encoded = String(decoding: MSLJSON.encode(.object(object)), as: UTF8.self)
        return Mutation(bytes: Array(encoded.replacingOccurrences(of: target, with: text).utf8), label: label,
                        breaksRequiredMember: false)
    }

    private func flip(_ object: JSONObject) -> Mutation {
        var bytes = MSLJSON.encode(.object(object))
        for _ in 0..<(1 + random.next(below: 3)) where !bytes.isEmpty {
            bytes[random.next(below: bytes.count)] ^= UInt8(1 << random.next(below: 8))
        }
        return Mutation(bytes: bytes, label: "flip", breaksRequiredMember: false)
    }

    /// Base64 text damaged the ways docs/MSL.md §1 names: padding stripped, `-`/`_`, white space
    /// (accepted), NUL, a stray `=` in the middle.
    private func base64Variant(_ text: String) -> String {
        switch random.next(below: 6) {
        case 0: return String(text.reversed().drop { $0 == "=" }.reversed())
        case 1: return text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_") + "-_=="
        case 2: return text.isEmpty ? " " : String(text.prefix(text.count / 2)) + " \r\n\t" + String(text.dropFirst(text.count / 2))
        case 3: return text + "\u{0}"
        case 4: return "=" + text
        default: return String(text.dropLast(random.next(below: 3) + 1))
        }
    }
}
