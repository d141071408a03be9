import Foundation

/// An sRGB colour with straight (non-premultiplied) alpha, components in 0…1.
public struct Color: Sendable, Hashable, CustomStringConvertible {
    /// Red component, 0…1.
    public var red: Double
    /// Green component, 0…1.
    public var green: Double
    /// Blue component, 0…1.
    public var blue: Double
    /// Opacity, 0 (transparent) … 1 (opaque).
    public var alpha: Double

    /// Creates a colour from sRGB components and alpha, each 0…1.
    public init(red: Double, green: Double, blue: Double, alpha: Double = 1) {
        self.red = red
        self.green = green
        self.blue = blue
        self.alpha = alpha
    }

    /// A colour from a 24-bit `0xRRGGBB` literal, e.g. `Color(hex: 0x0072B2)`.
    public init(hex: UInt32, alpha: Double = 1) {
        self.init(red: Double((hex >> 16) & 0xFF) / 255, green: Double((hex >> 8) & 0xFF) / 255,
                  blue: Double(hex & 0xFF) / 255, alpha: alpha)
    }

    /// The same colour with another alpha.
    public func withAlpha(_ alpha: Double) -> Color { Color(red: red, green: green, blue: blue, alpha: alpha) }

    /// Linear interpolation in sRGB between `self` (t = 0) and `other` (t = 1); t is clamped to 0…1.
    public func mixed(with other: Color, _ t: Double) -> Color {
        let u = min(1, max(0, t))
        return Color(red: red + (other.red - red) * u, green: green + (other.green - green) * u,
                     blue: blue + (other.blue - blue) * u, alpha: alpha + (other.alpha - alpha) * u)
    }

    /// Relative luminance (WCAG), used to pick black or white text on a filled cell.
    public var luminance: Double {
        func channel(_ c: Double) -> Double { c <= 0.039_28 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4) }
        return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)
    }

    /// 8-bit components (rounded), as they appear in an opaque PNG pixel.
    public var rgb8: (red: UInt8, green: UInt8, blue: UInt8) {
        func byte(_ c: Double) -> UInt8 { UInt8(max(0, min(255, (c * 255).rounded()))) }
        return (byte(red), byte(green), byte(blue))
    }

    /// `#RRGGBB` (alpha omitted).
    public var description: String {
        let c = rgb8
        func hex(_ v: UInt8) -> String {
            let s = String(v, radix: 16, uppercase: true)
            return s.count == 1 ? "0" + s : s
        }
        return "#" + hex(c.red) + hex(c.green) + hex(c.blue)
    }

    /// Opaque black.
    public static let black = Color(red: 0, green: 0, blue: 0)
    /// Opaque white.
    public static let white = Color(red: 1, green: 1, blue: 1)
}
