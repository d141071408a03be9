import Foundation

/// A tick placed on an axis with its label.
public struct AxisTick: Sendable, Hashable {
    /// The data value (for time axes: ms since the epoch, UTC).
    public var value: Double
    /// Canvas coordinate along the axis (x for a time axis, y for a value axis).
    public var position: Double
    /// The label text.
    public var label: String
    /// Where the label is drawn, or nil when it is hidden (it would overlap a marker or leave the chart).
    public var labelFrame: Rect?

    /// Creates a placed tick.
    public init(value: Double, position: Double, label: String, labelFrame: Rect?) {
        self.value = value
        self.position = position
        self.label = label
        self.labelFrame = labelFrame
    }
}

/// What a value (y) axis shows: number style, unit, fixed or data-driven domain.
public struct ValueAxisSpec: Sendable, Hashable {
    /// How tick labels are written.
    public var formatter: TickFormatter
    /// Unit written above the axis, e.g. `USDT`, `σ`.
    public var unit: String?
    /// A fixed domain (e.g. −1…1 for correlation); nil = data range plus ``margin``.
    public var fixedDomain: ClosedRange<Double>?
    /// Whether the domain must include zero (volumes).
    public var includesZero: Bool
    /// Fraction of the data range added above and below.
    public var margin: Double

    /// Creates an axis spec; by default plain labels, no unit, a data-driven domain with 6 % margins.
    public init(formatter: TickFormatter = TickFormatter(), unit: String? = nil, fixedDomain: ClosedRange<Double>? = nil,
                includesZero: Bool = false, margin: Double = 0.06) {
        self.formatter = formatter
        self.unit = unit
        self.fixedDomain = fixedDomain
        self.includesZero = includesZero
        self.margin = margin
    }

    /// The axis domain for data spanning `lower…upper`.
    public func domain(lower: Double, upper: Double) -> (Double, Double) {
        if let fixedDomain { return (fixedDomain.lowerBound, fixedDomain.upperBound) }
        var lo = lower, hi = upper
        if includesZero {
            lo = min(lo, 0)
            hi = max(hi, 0)
        }
        if !(hi > lo) {
            let pad = lo == 0 ? 1 : abs(lo) * 0.001
            return (lo - pad, hi + pad)
        }
        let pad = (hi - lo) * margin
        return (includesZero && lo == 0 ? 0 : lo - pad, includesZero && hi == 0 ? 0 : hi + pad)
    }
}

/// A last-value marker: a coloured tag on the value axis with the value printed in it.
public struct ValueTag: Sendable, Hashable {
    /// The value marked (data units).
    public var value: Double
    /// Fill colour of the tag (text is black or white for contrast).
    public var color: Color
    /// Drawn from the last point to the axis as a dotted line when set (its x in canvas units).
    public var lineFromX: Double?

    /// Creates a tag for `value`.
    public init(value: Double, color: Color, lineFromX: Double? = nil) {
        self.value = value
        self.color = color
        self.lineFromX = lineFromX
    }
}

/// A last-value tag with its text and frame in the axis column.
public struct PlacedTag: Sendable, Hashable {
    /// The tag as requested.
    public var tag: ValueTag
    /// The value as printed in the tag.
    public var text: String
    /// The tag box in the axis column (moved apart from other tags when they would overlap).
    public var frame: Rect
}

/// A placed value axis: scale, ticks and labels, offset and unit, last-value tags.
public struct ValueAxisLayout: Sendable, Hashable {
    /// Maps values to canvas y.
    public var scale: LinearScale
    /// Tick spacing in data units.
    public var step: Double
    /// Ticks in ascending value, with labels (hidden ones have no frame).
    public var ticks: [AxisTick]
    /// `+63,950` when tick labels are relative to an offset.
    public var offsetLabel: String?
    /// Unit written above the axis, if any.
    public var unit: String?
    /// Last-value tags with their frames and texts.
    public var tags: [PlacedTag]

    /// The tick labels as drawn (hidden ones excluded).
    public var visibleLabels: [String] { ticks.filter { $0.labelFrame != nil }.map(\.label) }
}

/// A placed time (x) axis.
public struct TimeAxisLayout: Sendable, Hashable {
    /// Maps instants to canvas x.
    public var scale: TimeScale
    /// The step between ticks.
    public var step: TimeTickLocator.Step
    /// Ticks in time order, with labels (hidden ones have no frame).
    public var ticks: [AxisTick]
    /// Dates covered and zone, e.g. `2024-07-19 UTC`.
    public var caption: String
    /// Where the caption is drawn (under the labels, right-aligned).
    public var captionFrame: Rect?

    /// The tick labels as drawn (hidden ones excluded).
    public var visibleLabels: [String] { ticks.filter { $0.labelFrame != nil }.map(\.label) }
}
