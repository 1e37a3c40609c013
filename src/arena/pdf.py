"""Every PDF the site prints (announcements, receipts, notices, reports, certificates) is
rendered here: in child processes (arena.printing is what they run), one at a time per serving
process with a second waiting (arena.offload.PDFS, waited for in the loop: queued renders hold
nothing). WeasyPrint takes 0.1–0.5 s a page and grows the process that runs it, which is why it
never runs in the server itself."""

from __future__ import annotations

from arena import offload, printing

PDF_WORKERS = 1
"""Child processes rendering PDFs per serving process (PDFS lets a second render wait in line)."""
RENDERS_PER_CHILD = 20
"""PDFs a child renders before it is replaced. With the Noto CJK fonts its peak grows by about
10 MB a PDF (the bench's notices: 245 MB after the first, 740 MB after 45), never shrinking."""
PDF_MEMORY = 2 * 1024 * 1024 * 1024
"""A PDF child's address space (RLIMIT_AS): the fonts' files are mapped into it, about 300 MB
beyond its resident memory; at 1 GiB a child 45 PDFs old failed a notice it had printed before."""
PDF_CHILDREN = offload.Children(PDF_WORKERS, replace_after=RENDERS_PER_CHILD, warm=printing.warm_up,
                                memory=PDF_MEMORY)


async def render_pdf(html: str, *, english: bool = False) -> bytes:
    """The PDF of `html`, rendered off the event loop when one of the few render slots is free."""
    return await offload.run_in_process(offload.PDFS, printing.html_to_pdf, html, english, children=PDF_CHILDREN)
