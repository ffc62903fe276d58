#!/usr/bin/env bash
# engine::assign_max beside SciPy's linear_sum_assignment (maximize=True) on the
# same random n x n matrices, in one run (docs/benchmarks.md, "Batch matching").
# Prints each side's median and the ratio, and fails if the two do not find the
# same optimum on every matrix.
#
# SciPy is Debian's python3-scipy, but not installed as a package: in Debian 12 it
# depends on python3-pythran (a compiler for building SciPy's sources), which needs
# libboost-dev 1.74, and that conflicts with the libboost1.81-dev this project
# builds with. So its run-time dependencies are installed (scripts/install-deps.sh)
# and its .deb is fetched with `apt-get download` and unpacked under build/scipy,
# which Debian's own python3 then imports from.
#   BIN (default build/release/bench/micro/assignment_bench), N (default 500),
#   COUNT (matrices, default 20), SEED (default 1), OUT (default a temp dir).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${BIN:-$root/build/release/bench/micro/assignment_bench}
n=${N:-500}
count=${COUNT:-20}
seed=${SEED:-1}
out=${OUT:-$(mktemp -d /tmp/sb-bench-assignment.XXXXXX)}
mkdir -p "$out"
py=/usr/bin/python3  # Debian's, which python3-numpy installs into
scipy_root=$root/build/scipy
export PYTHONPATH=$scipy_root/usr/lib/python3/dist-packages
if ! "$py" -c 'import scipy.optimize' 2>/dev/null; then
  "$root/scripts/install-deps.sh" python3 python3-numpy python3-decorator libblas3 liblapack3 \
    libgfortran5 liblbfgsb0
  mkdir -p "$scipy_root"
  (cd "$scipy_root" && rm -f python3-scipy_*.deb && apt-get download -q python3-scipy &&
     dpkg-deb -x python3-scipy_*.deb .)
  "$py" -c 'import scipy.optimize' || { echo "SciPy does not import from $scipy_root" >&2; exit 1; }
fi
[ -x "$bin" ] || { echo "no $bin: BUILD_TYPE=Release scripts/build.sh assignment_bench" >&2; exit 1; }
"$bin" --n "$n" --count "$count" --seed "$seed" --dir "$out"
"$py" - "$out" "$n" "$count" <<'PY'
import sys, time, statistics
import numpy as np
import scipy
from scipy.optimize import linear_sum_assignment
out, n, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ours = {}
for line in open(f"{out}/ours.tsv"):
    k, pairs, total, secs = line.split("\t")
    ours[int(k)] = (int(pairs), float(total), float(secs))
times, worst = [], 0.0
for k in range(count):
    m = np.fromfile(f"{out}/m{k}.f64", dtype="<f8").reshape(n, n)
    t0 = time.perf_counter()
    rows, cols = linear_sum_assignment(m, maximize=True)
    times.append(time.perf_counter() - t0)
    total = float(m[rows, cols].sum())
    worst = max(worst, abs(total - ours[k][1]))
    if len(rows) != ours[k][0] or abs(total - ours[k][1]) > 1e-6:
        sys.exit(f"matrix {k}: SciPy {len(rows)} pairs, total {total:.9f}; ours {ours[k][0]}, {ours[k][1]:.9f}")
sp = statistics.median(times)
us = statistics.median(v[2] for v in ours.values())
print(f"scipy.optimize.linear_sum_assignment {n}x{n} (SciPy {scipy.__version__}): median {sp*1e3:.3f} ms, "
      f"min {min(times)*1e3:.3f} ms, max {max(times)*1e3:.3f} ms")
print(f"same optimum on all {count} matrices (largest difference {worst:.2e}); "
      f"engine::assign_max / SciPy median time: {us/sp:.2f}")
PY
