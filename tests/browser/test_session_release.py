"""Issue 10: a closed tab's upload is released once its disconnected-session TTL is over, without any other traffic.

Observed from outside, as an operator would: the server's own /_stcore/metrics report the bytes its
UploadedFileManager holds. The TTL is 2 s here; the test waits for the release (up to a minute) and asserts that it
happens, never how fast (bench/session_memory.py measures the memory and the time)."""

from __future__ import annotations

import re
import time
import urllib.request

from tests.browser.harness import REPO_ROOT, wait_for_app

TTL = ["--server.disconnectedSessionTTL", "2"]
RECORDS = b"id,event_id,text,themes\nmine-1,kampala-2007,Train labour inspectors,protection\n"
UPLOADS = re.compile(r'^cache_memory_bytes\{cache_type="UploadedFileManager",cache=""\} (\d+)$', re.M)


def uploaded_bytes(base: str) -> int:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{base}/_stcore/metrics", timeout=10) as response:
        found = UPLOADS.search(response.read().decode())
    return int(found.group(1)) if found else 0


def test_a_closed_tabs_upload_is_released_after_the_ttl(streamlit_server, browser):
    base = streamlit_server(REPO_ROOT / "app.py", cwd=REPO_ROOT, extra_args=TTL)
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/upload")
    wait_for_app(page)
    page.locator("[data-testid='stFileUploader']").first.locator("input[type='file']").set_input_files(
        files=[{"name": "mine.csv", "mimeType": "text/csv", "buffer": RECORDS}]
    )
    page.get_by_text("Rows added").wait_for(timeout=30_000)
    assert uploaded_bytes(base) >= len(RECORDS)  # held while the tab is open
    context.close()
    deadline = time.monotonic() + 60
    while uploaded_bytes(base) and time.monotonic() < deadline:
        time.sleep(1)
    assert uploaded_bytes(base) == 0, "the closed tab's upload is still held by the server"
