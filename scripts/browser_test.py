"""Drives `glyphsim serve` in headless Chromium: draw, wait for neighbours and a verdict, screenshot.

Run through scripts/browser-test.sh, which installs Chromium, chromium-driver and selenium and
builds the binary. Exits non-zero when a check fails; the last line reads "N passed, M failed".
"""
import argparse
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

passed, failed = 0, 0
WORK = tempfile.mkdtemp(prefix="glyphsim-browser-")  # the server's log and a downloaded image


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"  ok    {name}")
    else:
        failed += 1
        print(f"  FAIL  {name} {detail}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(args, port):
    log = open(os.path.join(WORK, "serve.log"), "w")
    process = subprocess.Popen([args.glyphsim, "serve", args.model, "--data", args.data, "--port", str(port)],
                               stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 300
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"glyphsim serve exited with {process.returncode}; see {log.name}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/health", timeout=2) as r:
                if json.load(r)["status"] == "ok":
                    return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("glyphsim serve did not answer within 300 s")


def browser():
    options = webdriver.ChromeOptions()
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--hide-scrollbars", "--force-color-profile=srgb", "--lang=en-US"]:
        options.add_argument(flag)
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary:
        options.binary_location = binary
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def emulate(driver, width, height, scale, mobile):
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile})


def draw(driver, canvas, strokes):
    """Draws strokes given in canvas fractions [(x, y), ...] with the mouse (pointer events)."""
    size = canvas.size
    for stroke in strokes:
        chain = ActionChains(driver, duration=10)
        x0, y0 = stroke[0]
        chain.move_to_element_with_offset(canvas, int((x0 - 0.5) * size["width"]), int((y0 - 0.5) * size["height"]))
        chain.click_and_hold()
        px, py = x0, y0
        for x, y in stroke[1:]:
            chain.move_by_offset(int((x - px) * size["width"]), int((y - py) * size["height"]))
            px, py = x, y
        chain.release()
        chain.perform()


# A glyph of three strokes: a tall arch and a crossbar (roughly like many alphabets' "A"-forms).
GLYPH = [
    [(0.30, 0.80), (0.36, 0.60), (0.42, 0.40), (0.50, 0.22)],
    [(0.50, 0.22), (0.58, 0.40), (0.64, 0.60), (0.70, 0.80)],
    [(0.36, 0.58), (0.50, 0.57), (0.64, 0.58)],
]


# The same glyph drawn again a little smaller and to the right, as a second hand might.
GLYPH_AGAIN = [[(0.08 + 0.85 * x, 0.06 + 0.85 * y) for x, y in stroke] for stroke in GLYPH]


def wait_for_search(driver):
    """Until the answer to the sheet as it is now is shown (not one for a stroke before)."""
    WebDriverWait(driver, 60).until(lambda d: d.find_element(By.ID, "neighbours").get_attribute("data-busy") == "0"
                                    and len(d.find_elements(By.CSS_SELECTOR, "#neighbours .neighbour")) > 0
                                    and d.find_element(By.ID, "verdict").get_attribute("data-state") in ("same", "different", "neutral"))
    WebDriverWait(driver, 60).until(lambda d: d.execute_script(
        "return Array.from(document.querySelectorAll('#neighbours img, #best-image')).every(i => i.complete && i.naturalWidth > 0)"))


def wait_for_compare(driver):
    WebDriverWait(driver, 60).until(lambda d: d.find_element(By.ID, "compare-verdict").get_attribute("data-busy") == "0"
                                    and d.find_element(By.ID, "compare-verdict").get_attribute("data-state") in ("same", "different", "neutral"))


def screenshot(driver, path, width, scale, mobile):
    """The whole page: the viewport grown to the document's height, then captured."""
    height = driver.execute_script("return Math.ceil(document.documentElement.scrollHeight)")
    emulate(driver, width, height, scale, mobile)
    time.sleep(0.3)
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
    with open(path, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    print(f"  saved {path} ({width} px wide)")


def verdict_is_largest(driver, word_id):
    return driver.execute_script("""
        const word = document.getElementById(arguments[0]);
        const size = (el) => parseFloat(getComputedStyle(el).fontSize);
        const visible = Array.from(document.querySelectorAll('body *')).filter(el =>
            el.offsetParent !== null && el.children.length === 0 && el.textContent.trim() && el !== word);
        return visible.every(el => size(el) < size(word));""", word_id)


def run(args):
    if args.url:  # a server already running (while working on the page)
        server, url = None, args.url
        port = int(url.rstrip("/").rsplit(":", 1)[1])
    else:
        port = free_port()
        server = start_server(args, port)
        url = f"http://127.0.0.1:{port}/"
    driver = browser()
    try:
        print(f"search mode at 1400 px ({url})")
        emulate(driver, 1400, 1000, 1, False)
        driver.get(url)
        WebDriverWait(driver, 20).until(lambda d: "glyphs to search" in d.find_element(By.ID, "model-line").text)
        check("the page loads and reads the model", True)
        check("empty state before drawing", driver.find_element(By.ID, "verdict").get_attribute("data-state") == "empty")
        canvas = driver.find_element(By.ID, "draw-canvas")
        draw(driver, canvas, GLYPH)
        wait_for_search(driver)
        items = driver.find_elements(By.CSS_SELECTOR, "#neighbours .neighbour")
        check("12 neighbours with thumbnails appear after drawing", len(items) == 12, f"(found {len(items)})")
        distances = [float(e.find_element(By.CSS_SELECTOR, ".distance").text) for e in items]
        check("neighbours are sorted by distance", distances == sorted(distances), str(distances))
        check("the verdict is the largest text on the page", verdict_is_largest(driver, "verdict-word"))
        word = driver.find_element(By.ID, "verdict-word").text
        check("a same/different verdict is shown", word in ("Same character", "Different character"), repr(word))
        # The canvas is sent as dark ink on white paper: the server must read it so (check via /v1/embed polarity:
        # the drawn PNG's border is white).
        border_white = driver.execute_script("""
            const c = document.getElementById('draw-canvas'), d = c.getContext('2d').getImageData(0, 0, c.width, 1).data;
            return d[0] > 250 && d[1] > 250 && d[2] > 250;""")
        check("the canvas is dark ink on white paper", border_white)
        screenshot(driver, f"{args.screenshots}/search-1400.png", 1400, 1, False)

        answers = lambda d: int(d.find_element(By.ID, "neighbours").get_attribute("data-searches") or 0)
        before = answers(driver)
        driver.find_element(By.CSS_SELECTOR, "[data-pad='query'] [data-role='undo']").click()
        WebDriverWait(driver, 60).until(lambda d: answers(d) > before)
        check("undo searches again with the strokes left", len(driver.find_elements(By.CSS_SELECTOR, "#neighbours .neighbour")) == 12)
        driver.find_element(By.CSS_SELECTOR, "[data-pad='query'] [data-role='clear']").click()
        WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "verdict").get_attribute("data-state") == "empty")
        check("clear empties the results", len(driver.find_elements(By.CSS_SELECTOR, "#neighbours .neighbour")) == 0)

        print("compare mode at 1400 px")
        emulate(driver, 1400, 900, 1, False)
        driver.find_element(By.ID, "tab-compare").click()
        draw(driver, driver.find_element(By.CSS_SELECTOR, "[data-pad='a'] canvas"), GLYPH)
        draw(driver, driver.find_element(By.CSS_SELECTOR, "[data-pad='b'] canvas"), GLYPH)
        wait_for_compare(driver)
        compare_word = driver.find_element(By.ID, "compare-word").text
        check("the same drawing twice is the same character", compare_word == "Same character", repr(compare_word))
        legend = driver.find_element(By.ID, "compare-legend").text
        check("the compare verdict shows distance and threshold", "distance 0.000" in legend and "threshold" in legend, repr(legend))
        driver.find_element(By.CSS_SELECTOR, "[data-pad='b'] [data-role='clear']").click()
        WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "compare-verdict").get_attribute("data-state") == "empty")
        draw(driver, driver.find_element(By.CSS_SELECTOR, "[data-pad='b'] canvas"), GLYPH_AGAIN)
        wait_for_compare(driver)
        check("a second drawing gets a verdict", driver.find_element(By.ID, "compare-word").text in ("Same character", "Different characters"))
        screenshot(driver, f"{args.screenshots}/compare-1400.png", 1400, 1, False)

        print("a scan through the file picker")
        emulate(driver, 1400, 1000, 1, False)
        driver.find_element(By.ID, "tab-search").click()
        scan = os.path.join(WORK, "scan.png")
        urllib.request.urlretrieve(f"http://127.0.0.1:{port}/v1/entries/0/image", scan)
        driver.find_element(By.CSS_SELECTOR, "[data-pad='query'] input[type=file]").send_keys(os.path.abspath(scan))
        wait_for_search(driver)
        sources = [e.get_attribute("src") for e in driver.find_elements(By.CSS_SELECTOR, "#neighbours .neighbour img")]
        # The collection is embedded as uploads are read (the model's own reading), so the
        # drawing, opened from a file, must find itself first.
        check("an Omniglot image opened from a file finds itself first", sources[0].endswith("/v1/entries/0/image"), sources[0])

        print("search mode at 390 px (phone)")
        emulate(driver, 390, 844, 2, True)
        driver.get(url)
        WebDriverWait(driver, 20).until(lambda d: "glyphs to search" in d.find_element(By.ID, "model-line").text)
        overflow = driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth + 1")
        check("no sideways scrolling at 390 px", not overflow)
        draw(driver, driver.find_element(By.ID, "draw-canvas"), GLYPH)
        wait_for_search(driver)
        phone_items = len(driver.find_elements(By.CSS_SELECTOR, "#neighbours .neighbour"))
        check("9 neighbours on a phone", phone_items == 9, f"(found {phone_items})")
        screenshot(driver, f"{args.screenshots}/search-390.png", 390, 2, True)

        severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        check("no errors in the browser console", not severe, json.dumps(severe)[:400])
    finally:
        driver.quit()
        if server is None:
            return
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=20)
            check("SIGTERM stops the server cleanly", code == 0, f"(exit {code})")
        except subprocess.TimeoutExpired:
            server.kill()
            check("SIGTERM stops the server cleanly", False, "(still running after 20 s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--glyphsim")
    parser.add_argument("--model")
    parser.add_argument("--data")
    parser.add_argument("--url", help="test this running server instead of starting one")
    parser.add_argument("--screenshots", required=True)
    try:
        run(parser.parse_args())
    except Exception as error:  # a wait that timed out, an element that is missing: a failure, said plainly
        check("the run completes", False, f"({type(error).__name__}: {str(error).strip()[:300]})")
    print(f"browser: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
