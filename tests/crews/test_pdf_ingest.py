"""PDF ingest: text of each page becomes chunks (pypdf), titled and sourced by page."""

from __future__ import annotations

from pathlib import Path

from xops.knowledge.ingest import file_chunks


def minimal_pdf(pages: list[str]) -> bytes:
    """A valid PDF with one line of Helvetica text per page (offsets computed, no PDF library needed)."""
    objects: list[bytes] = []
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    font = 3 + 2 * len(pages)
    for i, text in enumerate(pages):
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
                       f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_each_pdf_page_becomes_chunks(tmp_path: Path) -> None:
    pdf = tmp_path / "finops-runbook.pdf"
    pdf.write_bytes(minimal_pdf(["Release unattached Elastic IPs every week", "Snapshot retention is 90 days"]))
    chunks = list(file_chunks(pdf, kind="document"))
    assert [c.source for c in chunks] == ["finops-runbook.pdf page 1", "finops-runbook.pdf page 2"]
    assert "Release unattached Elastic IPs every week" in chunks[0].text
    assert "Snapshot retention is 90 days" in chunks[1].text
    assert {c.pillar for c in chunks} == {"finops"} and len({c.id for c in chunks}) == 2
