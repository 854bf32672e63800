"""Time from saving a note to `casefile serve` serving the edited page, median of N edits.

Usage: python3 scripts/serve_latency.py [--brief DIR] [--runs N] [--poll] [--bin PATH]

Copies the brief (default: this repository's own; e.g. --brief /dev/shm/corpus10k-ns for a
generated corpus) into a temporary folder in /dev/shm, starts `casefile serve --port 0` on the
copy, waits for the first build, then N times rewrites the first person note in place with one
more sentence holding a unique word and polls that note's page with curl until the word is
served: what a writer waits for after saving (watcher, debounce, rebuild, serving). Also prints
serve's own "rebuilt in" lines. The copy is removed and serve stopped by its process id.
"""
import argparse, os, shutil, statistics, subprocess, tempfile, threading, time, queue

here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--brief", default=here)
ap.add_argument("--runs", type=int, default=7)
ap.add_argument("--poll", action="store_true")
ap.add_argument("--bin", default=f"{here}/target/release/casefile")
args = ap.parse_args()

root = tempfile.mkdtemp(dir="/dev/shm", prefix="serve-latency-")
for name in ["casefile.yaml", "content", "static", "themes", "templates"]:
    p = os.path.join(args.brief, name)
    if os.path.isdir(p): shutil.copytree(p, os.path.join(root, name))
    elif os.path.isfile(p): shutil.copy(p, os.path.join(root, name))
people = os.path.join(root, "content/people")
note = os.path.join(people, sorted(n for n in os.listdir(people) if n.endswith(".md"))[0])
slug = os.path.basename(note)[:-3]
proc = subprocess.Popen([args.bin, "serve", "--root", root, "--port", "0"] + (["--poll"] if args.poll else []),
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
lines = queue.Queue()
def pump():
    for line in proc.stderr:
        lines.put(line.rstrip())
threading.Thread(target=pump, daemon=True).start()
url = proc.stdout.readline().strip().split()[-1] + f"people/{slug}/"
def fetch():
    r = subprocess.run(["curl", "-fs", url], capture_output=True, text=True)
    return r.stdout if r.returncode == 0 else ""
print(lines.get(timeout=600))
text = open(note).read()
latencies = []
try:
    for i in range(args.runs):
        time.sleep(1.5)
        marker = f"latencyedit{i}x{os.getpid()}"
        start = time.monotonic()
        with open(note, "w") as f: f.write(text + f"Edited {marker}.\n")
        while marker not in fetch():
            if time.monotonic() - start > 120: raise SystemExit("the edit never reached the page")
        latencies.append((time.monotonic() - start) * 1000)
        print(f"edit {i + 1}: {latencies[-1]:.0f} ms")
    time.sleep(1.5)
finally:
    with open(note, "w") as f: f.write(text)
    proc.terminate(); proc.wait(); shutil.rmtree(root)
while not lines.empty():
    line = lines.get()
    if line.startswith(("rebuilt", "caught", "build failed")): print("  serve:", line)
print(f"median save -> page served: {statistics.median(latencies):.0f} ms "
      f"(min {min(latencies):.0f}, max {max(latencies):.0f}, {len(latencies)} edits; {args.brief})")
