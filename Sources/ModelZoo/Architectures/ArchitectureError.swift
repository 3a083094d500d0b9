/// Why an architecture could not be built from a set of weights.
///
/// Every problem found is listed at once: tensors the architecture needs that the
/// checkpoint lacks, tensors the checkpoint has that the architecture does not use,
/// and tensors whose shape differs from what the architecture expects.
public struct ArchitectureError: Error, CustomStringConvertible, Equatable {
    /// A tensor present with the wrong shape.
    public struct ShapeMismatch: Equatable, Sendable {
        public let name: String
        public let expected: [Int]
        public let found: [Int]

        public init(name: String, expected: [Int], found: [Int]) {
            self.name = name
            self.expected = expected
            self.found = found
        }
    }

    /// The architecture (and variant) being built, e.g. `resnet50`.
    public let architecture: String
    public var missing: [String] = []
    public var unexpected: [String] = []
    public var wrongShape: [ShapeMismatch] = []
    /// Other problems: unreadable tensors, non-float tensors, unsupported configurations.
    public var other: [String] = []

    public init(architecture: String, missing: [String] = [], unexpected: [String] = [],
                wrongShape: [ShapeMismatch] = [], other: [String] = []) {
        self.architecture = architecture
        self.missing = missing
        self.unexpected = unexpected
        self.wrongShape = wrongShape
        self.other = other
    }

    /// True when nothing is wrong.
    public var isEmpty: Bool { missing.isEmpty && unexpected.isEmpty && wrongShape.isEmpty && other.isEmpty }

    public var description: String {
        var lines = ["cannot build \(architecture) from these weights:"]
        func section(_ title: String, _ items: [String]) {
            guard !items.isEmpty else { return }
            lines.append("  \(title) (\(items.count)):")
            let shown = items.prefix(40)
            lines += shown.map { "    \($0)" }
            if items.count > shown.count { lines.append("    ... and \(items.count - shown.count) more") }
        }
        section("missing", missing)
        section("unexpected", unexpected)
        section("wrong shape", wrongShape.map { "\($0.name): expected \($0.expected), found \($0.found)" })
        section("other", other)
        return lines.joined(separator: "\n")
    }
}
