"""The annual summary as a Word document a secretary edits and hands in.

Laid out the way such summaries are printed in Chinese offices (after GB/T 9704): A4 with the official margins,
a centred title in 宋体 二号, the prose in 三号 with a two-character first-line indent on a 28-point line, section
headings 一、二、 in 黑体, and page numbers "— 1 —" centred in the footer. After the prose, each area has a table of
its figures against last year and a chart.

python-docx only sets the Latin font of a run (w:ascii, w:hAnsi); Word then shows Chinese in the theme's East-Asian
font, which on a Chinese Windows is 等线 and on other systems anything at all. So every run, the styles it uses and
the document defaults name their East-Asian font explicitly (w:eastAsia), and the theme references are removed,
because in Word a theme attribute wins over a named font in the same w:rFonts.
"""

import io

from django.utils import timezone
from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from .common import (area_chart_png, change_text, day_text, is_partial, ordinal, period_text, rate_text,
                     title_lines, value_text)

LATIN = "Times New Roman"  # digits and Latin letters, as Chinese official documents set them
SONG = "宋体"  # SimSun: title, prose and tables
HEI = "黑体"  # SimHei: section headings
KAI = "楷体"  # KaiTi: the unit and date line, notes

TITLE_PT = 22  # 二号
BODY_PT = 16  # 三号
TABLE_PT = 10.5  # 五号, the usual size of a table in a report
NOTE_PT = 12
LINE_PT = 28  # 固定值28磅, the usual line of an official document in 三号

TEXT_WIDTH = Mm(210 - 28 - 26)
COLUMN_WIDTHS = (Cm(4.2), Cm(1.2), Cm(3.0), Cm(2.4), Cm(2.6), Cm(2.2))  # the 15.6 cm text width
TITLE_CHARS = 20  # characters of 二号 on one line of the text width
THEME_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def render(summary):
    """Return the .docx bytes of `summary`."""
    doc = Document()
    _set_up_page(doc)
    _set_up_styles(doc)
    _set_properties(doc, summary)

    title = doc.add_paragraph(style="Title")
    _run(title, "\n".join(title_lines(summary.title, TITLE_CHARS)), SONG, TITLE_PT, bold=True)
    byline = doc.add_paragraph()
    byline.alignment = WD_ALIGN_PARAGRAPH.CENTER
    byline.paragraph_format.space_after = Pt(LINE_PT)
    _run(byline, f"{summary.unit.name}　{day_text(timezone.localdate())}", KAI, BODY_PT)

    for text in summary.paragraphs:
        _prose(doc, text)

    note = doc.add_paragraph()
    note.paragraph_format.space_before = Pt(12)
    note.paragraph_format.line_spacing_rule = WD_LINE_SPACING.ONE_POINT_FIVE
    _run(note, f"以下数据由“老干部之家”系统根据登记的记录统计，统计期间为{period_text(summary)}，"
               f"与{summary.year - 1}年全年对比；每个数字均可在系统中查到其所依据的记录。", KAI, NOTE_PT)

    for n, area in enumerate(summary.areas, 1):
        heading = doc.add_paragraph(style="Heading 1")
        _run(heading, f"{ordinal(n)}、{area.area.label_zh}", HEI, BODY_PT)
        _figures_table(doc, summary, area)
        picture = doc.add_paragraph()
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.paragraph_format.space_before = Pt(6)
        # The body's exact 28-point line would crop the picture to one line's height.
        picture.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        run = _run(picture, "", SONG, TABLE_PT)
        run.add_picture(io.BytesIO(area_chart_png(summary, area)), width=TEXT_WIDTH - Cm(0.2))

    _page_numbers(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _set_up_page(doc):
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(25)


def _set_up_styles(doc):
    # The document defaults carry theme fonts; a run without its own rFonts would fall back to them.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            _fonts(rpr, SONG, BODY_PT)
            _language(rpr)

    normal = doc.styles["Normal"]
    _fonts(normal.element.get_or_add_rPr(), SONG, BODY_PT)
    _language(normal.element.get_or_add_rPr())
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PT)
    fmt.space_before = fmt.space_after = Pt(0)

    title = doc.styles["Title"]
    _fonts(title.element.get_or_add_rPr(), SONG, TITLE_PT)
    title.font.bold = True
    title.font.color.rgb = RGBColor(0, 0, 0)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    title.paragraph_format.space_before = Pt(0)
    title.paragraph_format.space_after = Pt(12)
    _no_border(title)

    heading = doc.styles["Heading 1"]
    _fonts(heading.element.get_or_add_rPr(), HEI, BODY_PT)
    heading.font.bold = False  # 黑体 is heavy already; Word's fake bold smears it
    heading.font.color.rgb = RGBColor(0, 0, 0)
    heading.paragraph_format.space_before = Pt(LINE_PT / 2)
    heading.paragraph_format.space_after = Pt(6)
    heading.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    heading.paragraph_format.line_spacing = Pt(LINE_PT)
    heading.paragraph_format.keep_with_next = True


def _no_border(style):
    # Word's built-in Title style has a blue rule under it; a Chinese report title has none.
    ppr = style.element.find(qn("w:pPr"))
    if ppr is not None:
        for border in ppr.findall(qn("w:pBdr")):
            ppr.remove(border)


def _set_properties(doc, summary):
    props = doc.core_properties
    props.title = summary.title
    props.author = summary.unit.name
    props.subject = f"{summary.year}年度工作总结"
    props.language = "zh-CN"
    props.created = props.modified = timezone.now()
    props.last_modified_by = "老干部之家"
    props.revision = 1


def _prose(doc, text):
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Pt(2 * BODY_PT)
    # firstLineChars keeps the indent at two characters when someone changes the font size in Word.
    fmt.element.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), "200")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _run(paragraph, text, SONG, BODY_PT)


def _figures_table(doc, summary, area):
    header = ("指标", "单位", f"{summary.year}年", f"{summary.year - 1}年", "增减", "增减幅度")
    table = doc.add_table(rows=1, cols=len(header))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _repeat_as_header(table.rows[0])
    for cell, text in zip(table.rows[0].cells, header):
        _shade(cell, "E8E8E8")
        _cell_text(cell, text, HEI, WD_ALIGN_PARAGRAPH.CENTER)
    if is_partial(summary):
        # A year in progress says so under its year, in small type so the header stays two lines at most.
        note = f"截至{summary.period.end.month}月{summary.period.end.day}日"
        _run(table.rows[0].cells[2].paragraphs[0], "\n" + note, SONG, 9)
    for row in area.rows:
        cells = table.add_row().cells
        _cell_text(cells[0], row.figure.label_zh, SONG, WD_ALIGN_PARAGRAPH.LEFT)
        _cell_text(cells[1], row.figure.unit, SONG, WD_ALIGN_PARAGRAPH.CENTER)
        _cell_text(cells[2], value_text(row.value), SONG, WD_ALIGN_PARAGRAPH.RIGHT)
        _cell_text(cells[3], value_text(row.previous), SONG, WD_ALIGN_PARAGRAPH.RIGHT)
        _cell_text(cells[4], change_text(row), SONG, WD_ALIGN_PARAGRAPH.RIGHT)
        _cell_text(cells[5], rate_text(row), SONG, WD_ALIGN_PARAGRAPH.RIGHT)
    # Word reads the cell widths, LibreOffice and WPS the grid: set both.
    for column, width in zip(table.columns, COLUMN_WIDTHS):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, COLUMN_WIDTHS):
            cell.width = width
    return table


def _cell_text(cell, text, font, alignment):
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    paragraph.alignment = alignment
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE  # the body's fixed 28 pt would make tall, sparse rows
    fmt.space_before = fmt.space_after = Pt(3)
    _run(paragraph, text, font, TABLE_PT)


def _repeat_as_header(row):
    trpr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)


def _shade(cell, fill):
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _page_numbers(doc):
    """Put "— n —" centred in the footer, n being Word's PAGE field (so it stays right after edits)."""
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, "— ", SONG, 14)
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        run = _run(paragraph, "", SONG, 14)
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        elif kind == "text":
            run.text = text
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
    _run(paragraph, " —", SONG, 14)


def _run(paragraph, text, font, size, bold=None):
    run = paragraph.add_run(text)
    _fonts(run._r.get_or_add_rPr(), font, size)
    if bold is not None:
        run.bold = bold
    return run


def _fonts(rpr, east_asian, size=None):
    """Name the fonts of a run or style: `east_asian` for Chinese, Times New Roman for Latin letters and digits."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        _insert_in_order(rpr, rfonts)
    for attribute in THEME_ATTRIBUTES:
        rfonts.attrib.pop(qn(attribute), None)
    rfonts.set(qn("w:ascii"), LATIN)
    rfonts.set(qn("w:hAnsi"), LATIN)
    rfonts.set(qn("w:cs"), LATIN)
    rfonts.set(qn("w:eastAsia"), east_asian)
    if size is not None:
        for tag in ("w:sz", "w:szCs"):
            element = rpr.find(qn(tag))
            if element is None:
                element = OxmlElement(tag)
                _insert_in_order(rpr, element)
            element.set(qn("w:val"), str(int(size * 2)))  # half-points


def _language(rpr):
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        _insert_in_order(rpr, lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")  # Chinese line breaking and punctuation rules


# The order w:rPr children must appear in (ECMA-376 CT_RPr); Word refuses a file with them out of order.
RPR_ORDER = ("rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline", "shadow",
             "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w", "kern",
             "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs",
             "em", "lang", "eastAsianLayout", "specVanish", "oMath")


def _insert_in_order(rpr, element):
    rank = RPR_ORDER.index(element.tag.split("}")[1])
    for i, child in enumerate(rpr):
        name = child.tag.split("}")[1] if "}" in child.tag else ""
        if name in RPR_ORDER and RPR_ORDER.index(name) > rank:
            rpr.insert(i, element)
            return
    rpr.append(element)
