"""Time from saving a note to casefile serve's "rebuilt in" line, median of 5 edits.

Usage: python3 scripts/serve_latency.py [FOLDER_FOR_THE_COPY] [--poll]
Copies the brief (content/, casefile.yaml, ...) into a temporary folder under FOLDER (default
/dev/shm, RAM-backed), runs target/release/casefile serve --port 0 on it, rewrites
content/people/ruoming-pang.md five times and timestamps the server's stderr lines.
"""
import os, shutil, subprocess, sys, threading, time, queue, statistics, tempfile
src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
base = sys.argv[1] if len(sys.argv) > 1 else "/dev/shm"
extra = sys.argv[2:]
root = tempfile.mkdtemp(dir=base)
for name in ["casefile.yaml", "content", "static", "themes", "templates"]:
    p = os.path.join(src, name)
    if os.path.isdir(p): shutil.copytree(p, os.path.join(root, name))
    elif os.path.isfile(p): shutil.copy(p, os.path.join(root, name))
proc = subprocess.Popen([f"{src}/target/release/casefile", "serve", "--root", root, "--port", "0", *extra],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
lines = queue.Queue()
def pump():
    for line in proc.stderr:
        lines.put((time.monotonic(), line.rstrip()))
threading.Thread(target=pump, daemon=True).start()
print(proc.stdout.readline().strip())
first = lines.get(timeout=60); print("first:", first[1])
note = os.path.join(root, "content/people/ruoming-pang.md")
text = open(note).read()
lat, builds = [], []
try:
    for i in range(5):
        time.sleep(1.5)
        t0 = time.monotonic()
        with open(note, "w") as f: f.write(text + f"\nEdit number {i}.\n")
        while True:
            t, line = lines.get(timeout=30)
            if line.startswith("rebuilt in") or line.startswith("build failed"): break
        lat.append((t - t0) * 1000); builds.append(int(line.split()[2]))
        print(f"edit {i}: {lat[-1]:.0f} ms save->line; {line}")
finally:
    proc.terminate(); proc.wait(); shutil.rmtree(root)
print(f"median save->rebuilt line: {statistics.median(lat):.0f} ms; median build: {statistics.median(builds)} ms ({base} {' '.join(extra)})")
