"""The special issue (专刊): the year's reflections whose authors agreed to publication, as a large-print PDF booklet.

Printed by WeasyPrint from learning/booklet.html on A5 pages (an A4 sheet folded), body text 16 pt. Fonts are named
by family (Debian's Noto CJK) so WeasyPrint embeds the subset used and the text stays selectable. The table of
contents takes its page numbers from the laid-out pages (target-counter), so it can never disagree with the
footers. Scanned handwritten pages are embedded as images; an uploaded PDF is rasterised page by page with
pdftoppm (poppler) and a Word document contributes its paragraphs as text.
"""

import base64
import io
import logging
import re
import subprocess
import tempfile
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from django.template.loader import render_to_string
from django.utils import timezone

from .models import Reflection

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

MAX_PDF_PAGES = 6  # of one uploaded PDF; a reflection is a page or two, a longer file is cut with a note
WORD_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class NothingToPrint(Exception):
    pass


def day_text(day):
    return f"{day.year}年{day.month}月{day.day}日"


def default_title(unit, year):
    centre = unit.centre if unit.centre_id and unit.centre_id != unit.pk else unit
    name = centre.name if unit.kind != "group" else f"{centre.name}{unit.name}"
    return f"{name}{year}年学习心得专刊"


def reflections_for(unit, year, *, user=None, ids=None):
    """Return the consented reflections of the unit's subtree in the year, in party-group and name order."""
    rows = Reflection.objects.visible_to(user) if user is not None else Reflection.objects.all()
    rows = rows.in_unit(unit).in_year(year).consented().select_related("member__unit")
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.order_by("unit_path", "member__name_pinyin", "written_on", "pk")


def render(unit, year, reflections, *, title="", today=None):
    """Return the PDF bytes of the special issue; raise NothingToPrint when there is no reflection to print."""
    from weasyprint import HTML

    reflections = list(reflections)
    if not reflections:
        raise NothingToPrint
    today = today or timezone.localdate()
    articles = [_article(n, r) for n, r in enumerate(reflections, 1)]
    html = render_to_string("learning/booklet.html", {
        "title": title or default_title(unit, year), "unit": unit, "year": year, "date_text": day_text(today),
        "articles": articles, "count": len(articles),
    })
    return HTML(string=html, base_url=None).write_pdf()


def _article(n, r):
    byline = r.member.name
    if r.dictated:
        byline += f"（口述，{r.scribe}代笔）"
    images, paragraphs, note = [], _paragraphs(r.text), ""
    if r.file:
        try:
            content = r.file.open("rb").read()
        except OSError:
            content = b""
            note = "（原稿文件缺失）"
        if content and r.file_kind == "image":
            images.append(_data_uri(content, "image/jpeg"))
        elif content and r.file_kind == "pdf":
            pages, cut = _pdf_pages(content)
            images.extend(_data_uri(p, "image/png") for p in pages)
            if cut:
                note = f"（原稿较长，此处仅收录前{MAX_PDF_PAGES}页）"
            elif not pages:
                note = "（原稿PDF无法读取）"
        elif content and r.file_kind == "docx" and not paragraphs:
            paragraphs = _docx_paragraphs(content)
    return {"anchor": f"a{n}", "title": r.title, "byline": byline, "group": r.member.unit.name,
            "date_text": day_text(r.written_on), "paragraphs": paragraphs, "images": images, "note": note}


def _paragraphs(text):
    return [p.strip() for p in re.split(r"\n+", text or "") if p.strip()]


def _data_uri(content, content_type):
    return f"data:{content_type};base64,{base64.b64encode(content).decode()}"


def _pdf_pages(content):
    """Return (PNG bytes of each page up to MAX_PDF_PAGES, whether pages were left out)."""
    from pypdf import PdfReader

    try:
        total = len(PdfReader(io.BytesIO(content)).pages)
    except Exception:
        return [], False
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(content)
        last = min(total, MAX_PDF_PAGES)
        done = subprocess.run(["pdftoppm", "-r", "110", "-gray", "-png", "-f", "1", "-l", str(last), str(src),
                               str(Path(tmp) / "p")], capture_output=True, timeout=120)
        if done.returncode != 0:
            return [], False
        pages = [p.read_bytes() for p in sorted(Path(tmp).glob("p-*.png"))]
    return pages, total > MAX_PDF_PAGES


def _docx_paragraphs(content):
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            root = ElementTree.fromstring(archive.read("word/document.xml"))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError):
        return []
    out = []
    for para in root.iter(f"{WORD_NS}p"):
        text = "".join(t.text or "" for t in para.iter(f"{WORD_NS}t")).strip()
        if text:
            out.append(text)
    return out
