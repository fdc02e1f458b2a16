import json
import signal
import sys
import time

from app import work

stop = False


def on_term(signum, frame):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)
print(json.dumps({"ready": True, "result": work.compute(10), "optimize": sys.flags.optimize}), flush=True)
if "--serve" in sys.argv:
    while not stop:
        time.sleep(0.05)
    print("stopped cleanly", flush=True)
