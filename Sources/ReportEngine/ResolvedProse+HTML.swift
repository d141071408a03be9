import Ink

extension ResolvedProse {
    /// The prose as HTML: Markdown through Ink, headings one level below the section headings, every placeholder
    /// value HTML-escaped where its token stood, then sanitised (``ProseSanitizer``): raw HTML in the Markdown shows
    /// as text, and a link whose URL is not http(s), mailto or relative (`javascript:…` from a `-p` value) is not a link.
    public func html() -> String {
        ProseSanitizer.sanitise(substituting(in: HTMLRenderer.shiftHeadings(MarkdownParser().html(from: markdown)), HTMLEscaping.escape))
    }
}
