/// A configuration problem found before start-up; printed by ArgumentParser as `Error: <description>` (exit 1).
public struct RunError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
