// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// A JSON object whose keys are compared by their exact UTF-8 bytes. Insertion order is kept;
/// canonical encoding sorts by code point.
///
/// Lookups are O(1) amortised: past ``indexThreshold`` members a hash index keyed by the name's
/// UTF-8 bytes (``ExactKey``, never `String`, whose hashing is canonical-equivalence based) maps
/// each name to its position, so parsing an object is linear in its size (docs/SECURITY.md,
/// "Parsing untrusted input"). Small objects, the common case, are scanned and allocate no index.
/// Removing a member is O(n): later positions shift.
public struct JSONObject: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// Objects with more members than this keep a hash index.
    static let indexThreshold = 12

    private var entries: [(key: String, value: JSONValue)] = []
    /// The position in `entries` of every member, or empty while the object is small.
    private var positions: [ExactKey: Int] = [:]

    /// An empty object.
    public init() {}

    /// An object from literal members (later duplicates replace earlier ones).
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        for (key, value) in elements { self[key] = value }
    }

    /// An object from members whose names are computed (later duplicates replace earlier ones).
    public init(_ members: some Sequence<(String, JSONValue)>) {
        for (key, value) in members { self[key] = value }
    }

    /// Whether the object has no members.
    public var isEmpty: Bool { entries.isEmpty }

    /// The number of members.
    public var count: Int { entries.count }

    /// The member names, in insertion order.
    public var keys: [String] { entries.map(\.key) }

    /// The member called exactly `key` (byte-wise); setting `nil` removes it.
    public subscript(key: String) -> JSONValue? {
        get { index(of: key).map { entries[$0].value } }
        set {
            switch (index(of: key), newValue) {
            case (let i?, let v?): entries[i].value = v
            case (let i?, nil): remove(at: i)
            case (nil, let v?): appendNew(key, v)
            case (nil, nil): break
            }
        }
    }

    /// Whether a member called exactly `key` exists.
    public func contains(_ key: String) -> Bool { index(of: key) != nil }

    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> {
        entries.makeIterator()
    }

    /// Members sorted by the UTF-8 bytes of their names (= Unicode code point order).
    public var sortedEntries: [(key: String, value: JSONValue)] {
        entries.sorted { ExactKey.precedes($0.key, $1.key) }
    }

    /// Same members with equal values, in any order: O(n) with the index.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for entry in lhs.entries {
            guard let other = rhs[entry.key], other == entry.value else { return false }
        }
        return true
    }

    /// Appends a member named `key` holding `null` unless one exists: one hash lookup, so the
    /// parser can refuse a duplicate before parsing its value. Returns whether it was appended.
    mutating func appendIfAbsent(_ key: String) -> Bool {
        if !positions.isEmpty {
            guard positions.updateValue(entries.count, forKey: ExactKey(key)) == nil else { return false }
            entries.append((key, .null))
            return true
        }
        guard !contains(key) else { return false }
        appendNew(key, .null)
        return true
    }

    /// Replaces the value of the last member (after ``appendIfAbsent(_:)``).
    mutating func setLastValue(_ value: JSONValue) {
        guard !entries.isEmpty else { return }
        entries[entries.count - 1].value = value
    }

    private mutating func appendNew(_ key: String, _ value: JSONValue) {
        entries.append((key, value))
        if !positions.isEmpty {
            positions[ExactKey(key)] = entries.count - 1
        } else if entries.count > Self.indexThreshold {
            positions.reserveCapacity(entries.count * 2)
            for (n, entry) in entries.enumerated() { positions[ExactKey(entry.key)] = n }
        }
    }

    private mutating func remove(at i: Int) {
        let removed = entries.remove(at: i)
        guard !positions.isEmpty else { return }
        positions[ExactKey(removed.key)] = nil
        for n in i..<entries.count { positions[ExactKey(entries[n].key)] = n }
    }

    private func index(of key: String) -> Int? {
        if !positions.isEmpty { return positions[ExactKey(key)] }
        return entries.firstIndex { ExactKey.equal($0.key, key) }
    }
}

/// A member name hashed and compared by its exact UTF-8 bytes: `"caf\u{E9}"` and
/// `"cafe\u{301}"` are different keys here, though Swift's `String ==` calls them equal.
struct ExactKey: Hashable, Sendable {
    let name: String

    init(_ name: String) { self.name = name }

    static func == (lhs: ExactKey, rhs: ExactKey) -> Bool { equal(lhs.name, rhs.name) }

    func hash(into hasher: inout Hasher) {
        var name = name
        name.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Byte equality of two names.
    static func equal(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in b.withUTF8 { y in x.count == y.count && x.elementsEqual(y) } }
    }

    /// Byte order of two names (= code point order).
    static func precedes(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in b.withUTF8 { y in x.lexicographicallyPrecedes(y) } }
    }
}
