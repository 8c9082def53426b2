"""The annual summary as files: Word, Excel, PDF and JSON, all made from one summary.Summary."""

import json

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "json": "application/json",
}
# The formats that print each figure's months beside its value; the others (and the page) are spared counting them.
WITH_MONTHS = {"xlsx"}


def render_summary(result, fmt, *, with_records=False):
    """Return (bytes, content type) of the summary in `fmt`."""
    from ..summary import as_json

    if fmt == "json":
        data = json.dumps(as_json(result), ensure_ascii=False, indent=2).encode()
    elif fmt == "docx":
        from .docx import render

        data = render(result)
    elif fmt == "xlsx":
        from .xlsx import render

        data = render(result, with_records=with_records)
    elif fmt == "pdf":
        from .pdf import render

        data = render(result)
    else:
        raise ValueError(fmt)
    return data, CONTENT_TYPES[fmt]
