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
    /// Regular or bold.
    public var weight: Weight

    /// Creates a font; DejaVu Sans unless another family is named.
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

    /// Horizontal reference.
    public var horizontal: Horizontal
    /// Vertical reference.
    public var vertical: Vertical

    /// Creates an anchor from its horizontal and vertical references.
    public init(_ horizontal: Horizontal, _ vertical: Vertical) {
        self.horizontal = horizontal
        self.vertical = vertical
    }

    /// Top-left corner.
    public static let topLeading = TextAnchor(.leading, .top)
    /// Middle of the top edge.
    public static let topCenter = TextAnchor(.center, .top)
    /// Top-right corner.
    public static let topTrailing = TextAnchor(.trailing, .top)
    /// Middle of the left edge.
    public static let leading = TextAnchor(.leading, .middle)
    /// Centre of the box.
    public static let center = TextAnchor(.center, .middle)
    /// Middle of the right edge.
    public static let trailing = TextAnchor(.trailing, .middle)
    /// Middle of the bottom edge.
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

    /// Creates metrics from measured values.
    public init(width: Double, height: Double, baseline: Double, lineCount: Int) {
        self.width = width
        self.height = height
        self.baseline = baseline
        self.lineCount = lineCount
    }

    /// Width and height together.
    public var size: Size { Size(width: width, height: height) }
}
