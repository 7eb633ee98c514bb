// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshCrypto

/// Loads test vectors from the `Vectors/` folder beside a test file (swift-crypto's pattern).
public enum VectorLoader {
    /// The bytes of `Vectors/<name>` in the folder of `file`.
    public static func data(_ name: String, folder: String = "Vectors", file: StaticString = #filePath) throws -> Data {
        let url = URL(fileURLWithPath: "\(file)").deletingLastPathComponent()
            .appendingPathComponent(folder).appendingPathComponent(name)
        return try Data(contentsOf: url)
    }

    /// Decodes `Vectors/<name>` as JSON into `T`.
    public static func load<T: Decodable>(_ type: T.Type, _ name: String, file: StaticString = #filePath) throws -> T {
        try JSONDecoder().decode(T.self, from: data(name, file: file))
    }

    /// Every file in `<folder>/` beside `file`, sorted by name.
    public static func files(in folder: String, file: StaticString = #filePath) throws -> [URL] {
        let url = URL(fileURLWithPath: "\(file)").deletingLastPathComponent().appendingPathComponent(folder)
        return try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}

extension Array where Element == UInt8 {
    /// Parses lowercase or uppercase hex; traps on bad test data.
    public init(hex: String) {
        let chars = Array(hex.utf8)
        precondition(chars.count % 2 == 0, "odd-length hex in a test vector") // test data
        self = stride(from: 0, to: chars.count, by: 2).map { i in
            UInt8(String(decoding: chars[i..<(i + 2)], as: UTF8.self), radix: 16) ?? 0
        }
    }

    /// Lowercase hex.
    public var hex: String { Hex.encode(self) }
}
