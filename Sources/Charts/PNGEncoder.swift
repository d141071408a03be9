import CCairo
import Foundation

/// A PNG writer for Cairo ARGB32 surfaces, tuned for charts: "Up" row filter and zlib level 1.
///
/// Cairo's own writer (libpng defaults: adaptive filters, zlib level 6) spends ~30 ms on a
/// 1200 × 700 chart; charts are mostly flat colour, so the Up filter with the fastest zlib level
/// gives files of similar size in a fraction of the time. Opaque images are written as RGB
/// (colour type 2), others as RGBA with alpha un-premultiplied (colour type 6).
enum PNGEncoder {
    /// Encodes `height` rows of `width` native-endian premultiplied ARGB32 pixels, `stride` bytes apart.
    static func encode(pixels: UnsafePointer<UInt8>, width: Int, height: Int, stride: Int, level: Int32 = 1) -> Data? {
        guard width > 0, height > 0 else { return nil }
        var opaque = true
        for y in 0..<height where opaque {
            let row = UnsafeRawPointer(pixels + y * stride).assumingMemoryBound(to: UInt32.self)
            for x in 0..<width where row[x] >> 24 != 0xFF {
                opaque = false
                break
            }
        }
        let channels = opaque ? 3 : 4
        let rowBytes = 1 + width * channels
        var raw = [UInt8](repeating: 0, count: rowBytes * height)
        var previous = [UInt8](repeating: 0, count: width * channels)
        var current = [UInt8](repeating: 0, count: width * channels)
        raw.withUnsafeMutableBufferPointer { out in
            for y in 0..<height {
                let row = UnsafeRawPointer(pixels + y * stride).assumingMemoryBound(to: UInt32.self)
                if opaque {
                    for x in 0..<width {
                        let p = row[x]
                        current[3 * x] = UInt8(truncatingIfNeeded: p >> 16)
                        current[3 * x + 1] = UInt8(truncatingIfNeeded: p >> 8)
                        current[3 * x + 2] = UInt8(truncatingIfNeeded: p)
                    }
                } else {
                    for x in 0..<width {
                        let p = row[x], a = p >> 24
                        func channel(_ v: UInt32) -> UInt8 { a == 0 ? 0 : UInt8(min(255, (v * 255 + a / 2) / a)) }
                        current[4 * x] = channel((p >> 16) & 0xFF)
                        current[4 * x + 1] = channel((p >> 8) & 0xFF)
                        current[4 * x + 2] = channel(p & 0xFF)
                        current[4 * x + 3] = UInt8(a)
                    }
                }
                let base = y * rowBytes
                out[base] = 2  // filter type Up
                for i in 0..<current.count { out[base + 1 + i] = current[i] &- previous[i] }
                swap(&previous, &current)
            }
        }
        var compressedLength = compressBound(uLong(raw.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedLength))
        let status = compress2(&compressed, &compressedLength, raw, uLong(raw.count), level)
        guard status == Z_OK else { return nil }

        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        png.reserveCapacity(Int(compressedLength) + 64)
        var header = [UInt8]()
        header += bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        header += [8, opaque ? 2 : 6, 0, 0, 0]  // bit depth, colour type, compression, filter, interlace
        appendChunk("IHDR", header[...], to: &png)
        appendChunk("IDAT", compressed[0..<Int(compressedLength)], to: &png)
        appendChunk("IEND", [][...], to: &png)
        return png
    }

    private static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }

    private static func appendChunk(_ type: String, _ body: ArraySlice<UInt8>, to png: inout Data) {
        let typeBytes = Array(type.utf8)
        png.append(contentsOf: bigEndian(UInt32(body.count)))
        png.append(contentsOf: typeBytes)
        png.append(contentsOf: body)
        var crc = crc32(0, typeBytes, uInt(typeBytes.count))
        crc = body.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, uInt($0.count)) }
        png.append(contentsOf: bigEndian(UInt32(truncatingIfNeeded: crc)))
    }
}
