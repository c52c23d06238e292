"""The master's web UI in headless Chromium lists both agents, shows a task launched while the
page stays open appear and reach TASK_FINISHED without a reload, and shows its stdout: once
following the operator event stream and once with the stream blocked, by polling."""
import os
import shutil
import subprocess
import sys
import tempfile
import traceback

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from cairn_local import Local

BOUND_S = 60  # every wait; the machine is small and shared
TASK = "ui-hello"
OUTPUT = "hello-from-ui"


def browser(profile_dir):
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 "--window-size=1280,900", "--user-data-dir=" + profile_dir):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def wait(driver, what, condition):
    """Waits for `condition(driver)` to be truthy; `what` names it in the failure."""
    def attempt(d):
        try:
            return condition(d)
        except StaleElementReferenceException:
            return False  # the table was redrawn under us; look again
    return WebDriverWait(driver, BOUND_S, poll_frequency=0.2).until(attempt, "waiting for " + what)


def js(driver, script, *args):
    return driver.execute_script(script, *args)


def task_row_state(driver):
    return js(driver, "const r = document.querySelector('#tasks tbody tr[data-task-name=\"%s\"]');"
                      "return r && r.dataset.state" % TASK)


def live_mode(driver):
    return js(driver, "return document.getElementById('live').dataset.mode")


def run(driver, local, shot, mode):
    if mode == "polling":  # as if the master had no event stream
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/api/v1*"]})
    driver.get(local.url("/"))
    wait(driver, "the page to be live by " + mode, lambda d: live_mode(d) == mode)
    wait(driver, "the overview to count 2 agents", lambda d: js(
        d, "const e = document.querySelector('#overview-agents .card-value');"
           "return e && e.dataset.value") == "2")
    shot("1-overview")

    driver.find_element(By.CSS_SELECTOR, "#nav a[data-route=agents]").click()
    wait(driver, "2 agents listed", lambda d: js(
        d, "return document.querySelectorAll('#agents tbody tr[data-agent-id]').length") == 2)
    # A click on a header sorts by that column; a second click reverses the order.
    agent_ids = ("return [...document.querySelectorAll('#agents tbody tr')]"
                 ".map(r => r.dataset.agentId)")
    driver.find_element(By.CSS_SELECTOR, "#agents th[data-key=id] button").click()
    ascending = js(driver, agent_ids)
    assert ascending == sorted(ascending), ascending
    driver.find_element(By.CSS_SELECTOR, "#agents th[data-key=id] button").click()
    wait(driver, "the agents in descending order",
         lambda d: js(d, agent_ids) == list(reversed(ascending)))

    driver.find_element(By.CSS_SELECTOR, "#nav a[data-route=tasks]").click()
    wait(driver, "the tasks page", lambda d: d.find_elements(By.ID, "tasks"))
    # A reload would drop this mark: it proves that what follows arrives live.
    js(driver, "window.cairn_test_mark = 'still here';")
    execute = subprocess.Popen(
        [local.cairn, "execute", "--master", local.address, "--name", TASK,
         "--command", "sleep 2; echo " + OUTPUT],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait(driver, "the task to appear", task_row_state)
        wait(driver, "the task to finish", lambda d: task_row_state(d) == "TASK_FINISHED")
        out, _ = execute.communicate(timeout=BOUND_S)
    finally:
        if execute.poll() is None:
            execute.kill()
            execute.wait()
    assert execute.returncode == 0, "cairn execute failed:\n" + out
    assert js(driver, "return window.cairn_test_mark") == "still here", "the page reloaded"
    shot("2-task-finished")

    # The filter keeps the task and drops everything when nothing matches.
    box = driver.find_element(By.ID, "tasks-filter")
    box.send_keys("no-such-task")
    wait(driver, "the filter to hide every task", lambda d: js(
        d, "return document.querySelectorAll('#tasks tbody tr[data-task-id]').length") == 0)
    box.clear()
    box.send_keys(TASK)
    wait(driver, "the filter to show the task", task_row_state)

    wait(driver, "a click on the task", lambda d: js(
        d, "const a = document.querySelector('#tasks tbody tr[data-task-name=\"%s\"] a.task-link');"
           "if (!a) return false; a.click(); return true;" % TASK))
    wait(driver, "the task page to say TASK_FINISHED", lambda d: js(
        d, "const e = document.getElementById('task-state'); return e && e.dataset.state")
        == "TASK_FINISHED")
    history = wait(driver, "the status history", lambda d: js(
        d, "const s = [...document.querySelectorAll('#task-history tbody tr[data-state]')]"
           ".map(r => r.dataset.state); return s.includes('TASK_FINISHED') && s"))
    assert "TASK_RUNNING" in history, history

    wait(driver, "the stdout button", lambda d: d.find_elements(By.ID, "open-stdout"))
    driver.find_element(By.ID, "open-stdout").click()
    wait(driver, "the sandbox listing", lambda d: js(
        d, "return document.querySelector('#sandbox-table tr[data-name=stdout]') !== null"))
    wait(driver, OUTPUT + " in stdout", lambda d: OUTPUT in js(
        d, "const e = document.getElementById('file-content'); return e ? e.textContent : ''"))
    shot("3-stdout")
    assert live_mode(driver) == mode, live_mode(driver)


def run_once(cairn, artifacts, mode):
    """A fresh cluster and browser; True when every step passed."""
    profile = tempfile.mkdtemp(prefix="cairn-ui-chromium-")
    local = Local(cairn, agents=2)
    driver = None

    def shot(name):
        driver.save_screenshot(os.path.join(artifacts, "%s-%s.png" % (mode, name)))

    try:
        driver = browser(profile)
        run(driver, local, shot, mode)
        print("ui_test %s: passed" % mode)
        return True
    except Exception:  # report everything we know, then fail
        print("ui_test %s: FAILED" % mode)
        traceback.print_exc()
        if driver is not None:
            try:
                shot("failure")
                for entry in driver.get_log("browser"):
                    print("browser:", entry.get("level"), entry.get("message"))
            except WebDriverException as e:
                print("could not save the failure's screenshot:", e)
        print("cairn local's log:\n" + local.logs())
        return False
    finally:
        if driver is not None:
            driver.quit()
        local.stop()
        shutil.rmtree(profile, ignore_errors=True)


def main():
    cairn, artifacts = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    os.makedirs(artifacts, exist_ok=True)
    results = [run_once(cairn, artifacts, mode) for mode in ("stream", "polling")]
    print("screenshots in " + artifacts)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
