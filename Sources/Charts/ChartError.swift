/// Why a chart could not be rendered or written.
public enum ChartError: Error, CustomStringConvertible, Equatable {
    /// The requested canvas size is not drawable (zero, negative or too large).
    case invalidSize(width: Double, height: Double)
    /// Cairo reported an error status.
    case cairo(operation: String, status: String)
    /// The output could not be written.
    case writeFailed(path: String, reason: String)
    /// An output path with an extension other than `.png` or `.pdf`.
    case unsupportedFormat(path: String)

    /// One line saying what failed and where.
    public var description: String {
        switch self {
        case let .invalidSize(width, height): "invalid canvas size \(width)×\(height)"
        case let .cairo(operation, status): "cairo \(operation) failed: \(status)"
        case let .writeFailed(path, reason): "\(path): cannot write chart: \(reason)"
        case let .unsupportedFormat(path): "\(path): unsupported chart format (expected .png or .pdf)"
        }
    }
}
