"""Survey files: the sheet of code slips, the blank paper questionnaire, the results as Excel and as a one-page PDF.

PDFs are printed by WeasyPrint with Debian's Noto CJK fonts named by family, so the Chinese text is embedded and
stays selectable (tests read it back with pypdf).
"""

import base64
import io
import logging

import segno
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from laogan.lib import charts

from .models import SCALE_LABELS, SCALE_LEVELS, QuestionKind, Response
from .results import OTHER

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def _pdf(html):
    from weasyprint import HTML

    return HTML(string=html, base_url=None).write_pdf()


def day_text(day):
    return f"{day.year}年{day.month}月{day.day}日"


# -- slips and the paper questionnaire ------------------------------------------------------------------------------

def qr_data_uri(text):
    return segno.make(text, error="m").svg_data_uri(scale=4, border=2)


def slips_pdf(survey, slips, answer_url):
    """Return the PDF of the slips: per slip a stub with the member's name (cut off at handing over), the code, and
    a QR that opens the answer page with the code in the #fragment (never sent to the server, so never logged)."""
    rows = [{
        "name": s.member.name, "unit": s.unit_name, "code": s.display_code,
        "qr": qr_data_uri(f"{answer_url}#{s.display_code}"),
    } for s in slips]
    context = {"survey": survey, "slips": rows, "answer_url": answer_url, "closes": day_text(survey.closes_on),
               "hotline": survey.audience.display_hotline}
    return _pdf(render_to_string("surveys/slips_pdf.html", context))


def questionnaire_pdf(survey):
    """Return the blank paper questionnaire: the member fills it in and seals it in an envelope with the slip."""
    questions = list(survey.questions.prefetch_related("choices"))
    items = []
    for q in questions:
        if q.kind == QuestionKind.SCALE:
            options = [label for _, label in SCALE_LEVELS]
        elif q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            options = [c.text for c in q.choices.all()]
        else:
            options = []
        items.append({"question": q, "options": options, "multiple": q.kind == QuestionKind.MULTIPLE})
    context = {"survey": survey, "items": items, "closes": day_text(survey.closes_on)}
    return _pdf(render_to_string("surveys/questionnaire_pdf.html", context))


# -- results ----------------------------------------------------------------------------------------------------------

def percent_text(value):
    return "—" if value is None else f"{value}%"


def satisfaction_chart_svg(results):
    scale = [qr for qr in results.questions if qr.question.kind == QuestionKind.SCALE]
    labels = [qr.question.label for qr in scale] + ["全部满意度题"]
    values = [qr.satisfaction for qr in scale] + [results.satisfaction]
    return charts.bar_chart_svg(labels, values, "各项满意率（%）", fmt=lambda v: f"{v:.1f}%",
                                note="满意率＝选“非常满意”或“满意”的回答÷该题有效回答")


def results_pdf(results):
    """Return the one-page PDF: the headline numbers, the chart of satisfaction per question, the group table."""
    svg = satisfaction_chart_svg(results)
    texts = sum(len(qr.texts) for qr in results.questions)
    context = {
        "r": results, "survey": results.survey, "chart": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(),
        "printed": day_text(timezone.localdate()), "period": f"{day_text(results.survey.opens_on)}至{day_text(results.survey.closes_on)}",
        "rate": percent_text(results.rate), "satisfaction": percent_text(results.satisfaction), "texts": texts,
        "groups": [{"label": g.label, "responses": g.responses, "satisfaction": percent_text(g.satisfaction)} for g in results.groups],
    }
    return _pdf(render_to_string("surveys/results_pdf.html", context))


def response_rows(results):
    """Return (header, rows): one row per questionnaire in random (key) order, free text left out — it is listed
    on its own so that a recognisable sentence does not reveal its writer's other answers."""
    survey = results.survey
    questions = [qr.question for qr in results.questions if qr.question.kind != QuestionKind.TEXT]
    choice_text = {c.pk: c.text for q in questions for c in q.choices.all()}
    header = ["答卷编号"] + (["党小组"] if results.groups else []) + [q.label for q in questions]
    rows = []
    for response in Response.objects.filter(survey=survey).prefetch_related("answers").order_by("id"):
        by_question = {}
        for a in response.answers.all():
            text = SCALE_LABELS[a.scale] if a.scale is not None else choice_text.get(a.choice_id, "")
            by_question.setdefault(a.question_id, []).append(text)
        row = [response.short_id]
        if results.groups:
            row.append(results.group_labels.get(response.group_id, OTHER))
        row += ["、".join(sorted(by_question.get(q.pk, []))) for q in questions]
        rows.append(row)
    return header, rows


def results_xlsx(results):
    """Return the workbook: 概况, 各题, 党小组, 答卷 (no free text), 意见建议 (sorted)."""
    survey = results.survey
    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def sheet(title, header, rows, widths):
        ws = book.create_sheet(title=title)
        for i, w in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.append([_cell(ws, h, bold) for h in header])
        for row in rows:
            ws.append([_cell(ws, v) for v in row])

    sheet("概况", ["项目", "数值"], [
        ["问卷", survey.title], ["调查对象", survey.audience.name],
        ["调查时间", f"{day_text(survey.opens_on)}至{day_text(survey.closes_on)}"],
        ["发放答卷码（人）", results.invited], ["补发答卷码（份）", results.replacements],
        ["收回答卷（份）", results.responses], ["已使用答卷码（个）", results.codes_used],
        ["回收率", percent_text(results.rate)],
        ["满意度题有效回答（个）", results.answered], ["其中满意、非常满意（个）", results.satisfied],
        ["满意率", percent_text(results.satisfaction)],
        ["纸质录入（份）", results.channels.get("paper", 0)], ["电话录入（份）", results.channels.get("phone", 0)],
        ["本人网上作答（份）", results.channels.get("online", 0)], ["计算方法", results.rule],
    ], [26, 60])
    rows = []
    for qr in results.questions:
        if qr.question.kind == QuestionKind.TEXT:
            rows.append([qr.question.text, "（文字意见）", qr.answered, "", ""])
            continue
        for t in qr.counts:
            rows.append([qr.question.text, t.label, t.n, percent_text(t.share),
                         percent_text(qr.satisfaction) if t is qr.counts[0] else ""])
    sheet("各题", ["题目", "选项", "人数", "占本题回答", "本题满意率"], rows, [50, 14, 8, 12, 12])
    if results.groups:
        sheet("党小组", ["党小组", "答卷（份）", "满意度题回答（个）", "满意（个）", "满意率"],
              [[g.label, g.responses, g.answered, g.satisfied, percent_text(g.satisfaction)] for g in results.groups],
              [18, 12, 18, 12, 10])
    header, rows = response_rows(results)
    sheet("答卷", header, rows, [12] + [14] * (len(header) - 1))
    texts = [[qr.question.label, t] for qr in results.questions for t in qr.texts]
    sheet("意见建议", ["题目", "内容（按文字排序，与答卷先后无关）"], texts, [14, 80])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(ws, value, font=None):
    cell = WriteOnlyCell(ws, value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # a member's "=..." is text, never a formula
    if font is not None:
        cell.font = font
    return cell
