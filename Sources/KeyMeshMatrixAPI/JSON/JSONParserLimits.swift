// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

extension JSONParser {
    /// Bounds on one document, each refused with its own ``JSONParseError`` before the work it
    /// would cost is done (docs/SECURITY.md, "Parsing untrusted input").
    ///
    /// The defaults accept any legitimate Matrix body (the server reads at most 1 MiB) and the
    /// client's own records and server answers: a 1 MiB object of members as small as
    /// `"k1f2a":1,` or a 1 MiB array of values as small as `12345,` parses. Only documents
    /// that no Matrix API produces (a quarter-million-element array of single digits, a string
    /// longer than any request body) are refused.
    public struct Limits: Sendable, Equatable {
        /// The deepest array/object nesting accepted (the top-level value is depth 1).
        public var maxDepth: Int
        /// The most members one object may have.
        public var maxMembers: Int
        /// The most elements one array may have.
        public var maxElements: Int
        /// The longest string (member names too), in UTF-8 bytes after unescaping.
        public var maxStringBytes: Int
        /// The largest document, in bytes.
        public var maxInputBytes: Int
        /// The largest integer magnitude accepted (MSL allows `2^53`, docs/MSL.md §1).
        public var maxInteger: Int64

        /// Limits from explicit values.
        public init(maxDepth: Int = 100, maxMembers: Int = 131_072, maxElements: Int = 262_144,
                    maxStringBytes: Int = 1 << 20, maxInputBytes: Int = 16 << 20,
                    maxInteger: Int64 = JSONValue.maxSafeInteger) {
            self.maxDepth = maxDepth
            self.maxMembers = maxMembers
            self.maxElements = maxElements
            self.maxStringBytes = maxStringBytes
            self.maxInputBytes = maxInputBytes
            self.maxInteger = maxInteger
        }

        /// The defaults used by every caller that passes none: depth 100, 131,072 members per
        /// object, 262,144 elements per array, 1 MiB per string, 16 MiB per document.
        public static let `default` = Limits()
    }
}
