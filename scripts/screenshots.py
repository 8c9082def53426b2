"""Take the README's screenshots from a running demo (make run): phone and desktop widths.

    .venv/bin/python scripts/screenshots.py [BASE_URL] [OUT_DIR]
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(sys.argv[2] if len(sys.argv) > 2 else "docs/screenshots")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage"]
PAGES = [
    ("dashboard", "/"),
    ("members", "/members/?q=q"),
    ("visits", "/visits/"),
    ("requests", "/services/"),
    ("liaison", "/liaison/"),
    ("annual", "/reports/annual/"),
]


def shoot(browser, username, pages, width, height, suffix):
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1, locale="zh-CN")
    page = context.new_page()
    page.goto(BASE + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "laogan-demo-2026")
    page.click("button.primary")
    page.wait_for_load_state("networkidle")
    for name, path in pages:
        page.goto(BASE + path)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(OUT / f"{name}-{suffix}.png"), full_page=True)
    context.close()


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        shoot(browser, "staff1", PAGES, 360, 740, "phone")
        shoot(browser, "secretary", PAGES, 1280, 800, "desktop")
        browser.close()


if __name__ == "__main__":
    main()
