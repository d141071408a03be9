import CCairo

extension Canvas {
    /// One device column of a dense run: its x, the extent of its vertices, and where the line enters and leaves it.
    struct EnvelopeColumn {
        var x: Double
        var top: Double
        var bottom: Double
        var first: Double
        var last: Double
    }

    /// Draws dense runs (vertices grouped by device column, as ``ColumnAggregation`` makes them) in the current
    /// colour as what a stroke of `width` would paint: each stretch of adjacent columns is one filled outline — every
    /// column a bar from its top to its bottom, as wide as the line and half a line width longer at each end, joined
    /// to the next column's — and a jump between columns that are not adjacent is stroked as a segment.
    ///
    /// Within a stretch every segment of the original polyline lies inside the outline: a segment inside a column
    /// spans at most that column's extent, and one between adjacent columns runs between the two extents, which the
    /// outline joins linearly.
    func fillDenseRuns(_ runs: [[Point]], width: Double) {
        let half = width / 2
        let adjacent = 1.5 / scale
        var jumps: [(Point, Point)] = []
        for run in runs where run.count > 1 {
            let columns = Self.envelopeColumns(of: run)
            var start = 0
            for i in 1...columns.count where i == columns.count || columns[i].x - columns[i - 1].x > adjacent {
                addOutline(columns[start..<i], half: half)
                if i < columns.count {
                    jumps.append((Point(x: columns[i - 1].x, y: columns[i - 1].last), Point(x: columns[i].x, y: columns[i].first)))
                }
                start = i
            }
        }
        cairo_fill(context)
        guard !jumps.isEmpty else { return }
        setStroke(.solid(width))
        for (a, b) in jumps {
            cairo_move_to(context, a.x, a.y)
            cairo_line_to(context, b.x, b.y)
        }
        cairo_stroke(context)
    }

    /// The vertices of `run` grouped by equal x, in order.
    static func envelopeColumns(of run: [Point]) -> [EnvelopeColumn] {
        var columns: [EnvelopeColumn] = []
        columns.reserveCapacity(run.count / 2)
        for p in run {
            if let c = columns.last, c.x == p.x {
                columns[columns.count - 1].top = min(c.top, p.y)
                columns[columns.count - 1].bottom = max(c.bottom, p.y)
                columns[columns.count - 1].last = p.y
            } else {
                columns.append(EnvelopeColumn(x: p.x, top: p.y, bottom: p.y, first: p.y, last: p.y))
            }
        }
        return columns
    }

    /// Adds the outline of adjacent columns to the current path: tops left to right, bottoms right to left, half a
    /// line width outside them, each column as wide as the line (at most the column pitch, so the outline never
    /// turns back on itself); all outlines wind the same way, so overlapping ones fill as their union.
    private func addOutline(_ columns: ArraySlice<EnvelopeColumn>, half: Double) {
        guard let first = columns.first else { return }
        let side = min(half, 0.5 / scale)
        cairo_move_to(context, first.x - side, first.top - half)
        for c in columns {
            cairo_line_to(context, c.x - side, c.top - half)
            cairo_line_to(context, c.x + side, c.top - half)
        }
        for c in columns.reversed() {
            cairo_line_to(context, c.x + side, c.bottom + half)
            cairo_line_to(context, c.x - side, c.bottom + half)
        }
        cairo_close_path(context)
    }
}
