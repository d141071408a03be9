/// A font: family, size in canvas units (points on PDF pages, pixels at scale 1) and weight.
public struct Font: Sendable, Hashable {
    /// Weight of the face.
    public enum Weight: Sendable, Hashable {
        case regular
        case bold
    }

    /// A fontconfig family name; charts use DejaVu Sans.
    public var family: String
    /// Em size in canvas units.
    public var size: Double
    public var weight: Weight

    public init(family: String = "DejaVu Sans", size: Double, weight: Weight = .regular) {
        self.family = family
        self.size = size
        self.weight = weight
    }

    /// The same font in bold.
    public var bold: Font { Font(family: family, size: size, weight: .bold) }
}

/// Which point of a text's box is placed at the anchor position.
public struct TextAnchor: Sendable, Hashable {
    /// Horizontal reference of the text box.
    public enum Horizontal: Sendable, Hashable { case leading, center, trailing }
    /// Vertical reference of the text box; `baseline` is the first line's baseline.
    public enum Vertical: Sendable, Hashable { case top, middle, baseline, bottom }

    public var horizontal: Horizontal
    public var vertical: Vertical

    public init(_ horizontal: Horizontal, _ vertical: Vertical) {
        self.horizontal = horizontal
        self.vertical = vertical
    }

    public static let topLeading = TextAnchor(.leading, .top)
    public static let topCenter = TextAnchor(.center, .top)
    public static let topTrailing = TextAnchor(.trailing, .top)
    public static let leading = TextAnchor(.leading, .middle)
    public static let center = TextAnchor(.center, .middle)
    public static let trailing = TextAnchor(.trailing, .middle)
    public static let bottomCenter = TextAnchor(.center, .bottom)
}

/// The measured box of a laid-out text, in canvas units.
public struct TextMetrics: Sendable, Hashable {
    /// Logical width (advance) of the widest line.
    public var width: Double
    /// Logical height of all lines.
    public var height: Double
    /// Distance from the top of the box to the first line's baseline.
    public var baseline: Double
    /// Number of lines after wrapping.
    public var lineCount: Int

    public init(width: Double, height: Double, baseline: Double, lineCount: Int) {
        self.width = width
        self.height = height
        self.baseline = baseline
        self.lineCount = lineCount
    }

    public var size: Size { Size(width: width, height: height) }
}
