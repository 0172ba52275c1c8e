"""HTML to PDF with WeasyPrint, for reports people file (assessment results, later
certificates). The HTML is ours and carries its own styles; WeasyPrint may load data: URLs and
nothing else (no network, no files), so a name or an answer in a report can never make the
server fetch a URL. Pango is a system library: without it, reports are unavailable and say
how to install it, while the rest of the portal runs."""

ALLOWED_PROTOCOLS = ("data",)


class PdfUnavailable(RuntimeError):
    """WeasyPrint or its system libraries are missing on this server."""


def render(html: str) -> bytes:
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as error:  # OSError: Pango's libraries are not installed
        raise PdfUnavailable("PDF reports need WeasyPrint and the Pango library (Debian: "
                             "apt-get install libpango-1.0-0 libpangoft2-1.0-0)") from error
    fetcher = URLFetcher(allowed_protocols=ALLOWED_PROTOCOLS, timeout=1)
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
