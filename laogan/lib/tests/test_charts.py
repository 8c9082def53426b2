import io
import subprocess
from decimal import Decimal
from unittest import mock
from xml.etree import ElementTree

from django.test import SimpleTestCase
from PIL import Image

from laogan.lib import charts
from laogan.lib.charts import Rect, Text, bar_chart_png, bar_chart_svg, layout

SVG = "{http://www.w3.org/2000/svg}"


def bars(chart):
    return [s for s in chart.shapes if isinstance(s, Rect) and s.h == charts.BAR_HEIGHT]


def texts(chart):
    return [s.text for s in chart.shapes if isinstance(s, Text)]


class LayoutTest(SimpleTestCase):
    def test_a_bar_is_as_long_as_its_share_of_the_largest(self):
        chart = layout(["上门看望", "住院探望"], [300, 150], "看望")
        long, short = bars(chart)
        self.assertAlmostEqual(short.w * 2, long.w)

    def test_two_series_draw_two_bars_per_label_and_a_legend(self):
        chart = layout(["住院", "去世"], [[1, 2], [3, 4]], series=["2025年", "2026年"])
        self.assertEqual(len(bars(chart)), 4)
        self.assertIn("2025年", texts(chart))
        self.assertIn("2026年", texts(chart))

    def test_decimal_money_is_printed_with_two_decimals(self):
        chart = layout(["慰问金"], [Decimal("12345.5")])
        self.assertIn("12,345.50", texts(chart))

    def test_zero_and_missing_values_draw_no_bar(self):
        chart = layout(["甲", "乙", "丙"], [0, None, 5])
        zero, missing, five = bars(chart)
        self.assertEqual((zero.w, missing.w), (0, 0))
        self.assertGreater(five.w, 0)
        self.assertIn("—", texts(chart))

    def test_per_label_scale_gives_each_figure_its_own_full_length(self):
        chart = layout(["人次", "元"], [[10, Decimal("5000")], [20, Decimal("10000")]], series=["去年", "今年"], scale="per_label")
        last_year_visits, visits, last_year_money, money = bars(chart)
        self.assertAlmostEqual(visits.w, money.w)
        self.assertAlmostEqual(last_year_visits.w * 2, visits.w)

    def test_a_long_label_is_wrapped_onto_two_lines(self):
        label = "慰问金发放金额（含节日慰问和生日慰问及其他各类慰问）"
        chart = layout([label], [1])
        lines = [s.text for s in chart.shapes if isinstance(s, Text) and s.size == charts.LABEL_SIZE]
        self.assertEqual(len(lines), 2)
        self.assertTrue(label.startswith(lines[0]))

    def test_values_must_match_the_labels(self):
        with self.assertRaises(ValueError):
            layout(["甲", "乙"], [1])
        with self.assertRaises(ValueError):
            layout(["甲"], [[1], [2]], series=["只有一个"])
        with self.assertRaises(ValueError):
            layout([], [])

    def test_text_is_refused_as_a_value(self):
        with self.assertRaises(TypeError):
            layout(["甲"], ["3"])


class PngTest(SimpleTestCase):
    def test_it_is_a_png_sized_for_print(self):
        image = Image.open(io.BytesIO(bar_chart_png(["住院", "去世"], [3, 1], "老干部队伍")))
        self.assertEqual(image.format, "PNG")
        self.assertEqual(image.width, charts.WIDTH * charts.PNG_SCALE)
        # 1600 px over 16 cm: about 254 dpi, sharp when printed.
        self.assertGreater(image.info["dpi"][0], 250)

    def test_it_draws_the_bars_in_the_series_colours(self):
        image = Image.open(io.BytesIO(bar_chart_png(["住院"], [[1], [2]], series=["2025年", "2026年"]))).convert("RGB")
        colours = {c for _, c in image.getcolors(maxcolors=1 << 20)}
        self.assertIn((0x9A, 0xA5, 0xB1), colours)
        self.assertIn((0xB3, 0x26, 0x1E), colours)

    def test_a_missing_font_names_the_package_to_install(self):
        charts.font_file.cache_clear()
        charts._font.cache_clear()
        self.addCleanup(charts.font_file.cache_clear)
        self.addCleanup(charts._font.cache_clear)
        nowhere = {False: ("/nonexistent/a.ttc", 2), True: ("/nonexistent/b.ttc", 2)}
        with mock.patch.object(charts, "FONT_FILES", nowhere), \
                mock.patch.object(charts.subprocess, "run", autospec=True, side_effect=FileNotFoundError("fc-match")):
            with self.assertRaisesRegex(charts.ChartFontMissing, "fonts-noto-cjk"):
                bar_chart_png(["住院"], [1])

    def test_fc_match_answering_with_a_latin_font_is_not_taken(self):
        charts.font_file.cache_clear()
        self.addCleanup(charts.font_file.cache_clear)
        latin = subprocess.CompletedProcess([], 0, stdout="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf\t0\tDejaVu Sans", stderr="")
        with mock.patch.object(charts.subprocess, "run", autospec=True, return_value=latin):
            path, index = charts.font_file()
        self.assertIn("CJK", path)


class SvgTest(SimpleTestCase):
    def test_it_is_svg_with_the_labels_and_values_as_text(self):
        svg = bar_chart_svg(["住院", "家庭困难报告"], [[1, 0], [3, 2]], "老干部队伍", series=["2025年", "2026年"])
        root = ElementTree.fromstring(svg)
        self.assertEqual(root.tag, f"{SVG}svg")
        words = [t.text for t in root.iter(f"{SVG}text")]
        for word in ("老干部队伍", "住院", "家庭困难报告", "2025年", "2026年", "3", "2"):
            self.assertIn(word, words)
        self.assertIn("Noto Sans CJK SC", root.get("font-family"))

    def test_markup_in_a_label_is_escaped(self):
        root = ElementTree.fromstring(bar_chart_svg(["<甲&乙>"], [1]))
        self.assertIn("<甲&乙>", [t.text for t in root.iter(f"{SVG}text")])

    def test_png_and_svg_are_drawn_from_the_same_layout(self):
        svg = ElementTree.fromstring(bar_chart_svg(["住院", "去世"], [3, 1]))
        chart = layout(["住院", "去世"], [3, 1])
        widths = [round(float(r.get("width")), 1) for r in svg.iter(f"{SVG}rect") if float(r.get("height")) == charts.BAR_HEIGHT]
        self.assertEqual(widths, [round(b.w, 1) for b in bars(chart)])
