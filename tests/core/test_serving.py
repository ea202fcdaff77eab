"""A worker tunes its garbage collector when its server starts serving (ASGI lifespan startup),
not when something merely imports the application: tests and commands keep Python's defaults."""

import json
import os
import subprocess
import sys

from commonweal.core.serving import GEN0_THRESHOLD

# Imports the ASGI application, reports the collector's settings, runs the lifespan startup as a
# server would, and reports them again.
_WORKER = """
import asyncio, gc, json
from commonweal.asgi import application

def state():
    return {"threshold": gc.get_threshold()[0], "frozen": gc.get_freeze_count()}

async def startup():
    sent, inbox = [], [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    async def receive():
        return inbox.pop(0)
    async def send(message):
        sent.append(message["type"])
    await application({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)
    return sent

imported = state()
sent = asyncio.run(startup())
print(json.dumps({"imported": imported, "sent": sent, "serving": state()}))
"""


def test_the_asgi_lifespan_startup_freezes_the_heap_and_raises_the_young_threshold(tmp_path):
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "commonweal.settings", "COMMONWEAL_VAR_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", _WORKER], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])

    assert report["imported"] == {"threshold": 700, "frozen": 0}
    assert report["sent"] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert report["serving"]["threshold"] == GEN0_THRESHOLD
    assert report["serving"]["frozen"] > 10_000  # Django, the apps and their modules
