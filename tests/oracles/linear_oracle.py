#!/usr/bin/python3
"""Reference answers for the linear models (src/learn/linear.c), from
scikit-learn: LinearRegression, Ridge and Lasso (tol=1e-10) at every alpha of
the seed's grid, and GridSearchCV over that grid with the very folds
jc_cv_grid_search draws (its permutation is re-implemented below).

usage: linear_oracle.py OUTDIR [TEST_DATA]
Writes into OUTDIR:
  lin_<name>.csv  one data set: columns x0..x{p-1}, y (numbers as %.17g)
  lin_ref.csv     dataset,model,alpha,term,value: term is intercept or coefN
  lin_cv.csv      dataset,model,folds,seed,alpha,mean_mse,chosen
Run by tests/unit/test_learn_linear.c; exits 77 when scikit-learn is missing.
"""
import csv
import math
import os
import sys

try:
    import numpy as np
    from sklearn.linear_model import Lasso, LinearRegression, Ridge
    from sklearn.model_selection import GridSearchCV
except ImportError as e:  # the C test reports this as skipped
    print(f"linear_oracle: {e}", file=sys.stderr)
    sys.exit(77)

GRID = [1e-4, 1e-3, 1e-2, 0.1, 1.0, 10.0]
M64 = (1 << 64) - 1


# ---- jc_permutation (src/learn/prep.c over src/util/rng.c), in Python ----
class JcRng:
    """xoshiro256** seeded through splitmix64, as jc_rng_seed does."""

    def __init__(self, seed):
        x = seed & M64
        self.s = []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & M64
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
            self.s.append(z ^ (z >> 31))

    @staticmethod
    def _rotl(v, k):
        return ((v << k) | (v >> (64 - k))) & M64

    def next(self):
        s = self.s
        result = (self._rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = self._rotl(s[3], 45)
        return result

    def below(self, n):
        """Lemire's multiply-shift with rejection (jc_rng_below)."""
        m = self.next() * n
        low = m & M64
        if low < n:
            threshold = ((1 << 64) - n) % n
            while low < threshold:
                m = self.next() * n
                low = m & M64
        return m >> 64


def jc_permutation(n, seed):
    rng = JcRng(seed)
    perm = list(range(n))
    for i in range(n, 1, -1):
        j = rng.below(i)
        perm[i - 1], perm[j] = perm[j], perm[i - 1]
    return perm


def jc_folds(n, k, seed):
    """(train, validation) index lists of jc_cv_grid_search's k folds."""
    perm = jc_permutation(n, seed)
    base, extra = divmod(n, k)
    out = []
    for f in range(k):
        b = f * base + min(f, extra)
        e = b + base + (1 if f < extra else 0)
        out.append((np.array(perm[:b] + perm[e:]), np.array(perm[b:e])))
    return out


# ---- data sets ----
def random_set(n, p, seed):
    rs = np.random.RandomState(seed)
    mix = rs.standard_normal((p, p)) * 0.4 + np.eye(p)
    x = rs.standard_normal((n, p)) @ mix  # correlated columns
    w = rs.uniform(-3, 3, p)
    w[rs.rand(p) < 0.3] = 0  # some irrelevant features, for the lasso
    y = x @ w + 2.5 + 0.5 * rs.standard_normal(n)
    return x, y


def zeus_set(test_data):
    """Real: the Zeus A40 power trace; average power from batch size, power
    limit and log epoch time, standardised as the evaluation harness does."""
    rows = list(csv.DictReader(open(os.path.join(test_data, "learn", "zeus_a40_power.csv"))))
    x = np.array([[float(r["batch_size"]), float(r["power_limit"]), math.log(float(r["time_per_epoch"]))]
                  for r in rows])
    y = np.array([float(r["average_power"]) for r in rows])
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    return x, y


def seaa_set(test_data):
    """Real, tiny: the five runs of tests/data/seaa2023/runs.csv, unscaled."""
    rows = list(csv.DictReader(open(os.path.join(test_data, "seaa2023", "runs.csv"))))
    cols = ["GFLOPs", "average power draw (W)", "gpu usage (%)"]
    x = np.array([[float(r[c]) for c in cols] for r in rows])
    y = np.array([float(r["energy (MJ)"]) for r in rows])
    return x, y


def write_set(outdir, name, x, y):
    with open(os.path.join(outdir, f"lin_{name}.csv"), "w") as f:
        p = x.shape[1]
        f.write(",".join([f"x{j}" for j in range(p)] + ["y"]) + "\n")
        for row, t in zip(x, y):
            f.write(",".join(repr(float(v)) for v in list(row) + [t]) + "\n")


def model(kind, alpha):
    if kind == "ols":
        return LinearRegression()
    if kind == "ridge":
        return Ridge(alpha=alpha)
    return Lasso(alpha=alpha, tol=1e-10, max_iter=1_000_000)


def main():
    outdir = sys.argv[1]
    test_data = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "data")
    sets = {
        "random": random_set(120, 5, 11),
        "wide": random_set(8, 12, 12),          # more columns than rows
        "zeus": zeus_set(test_data),
        "seaa": seaa_set(test_data),
    }
    x, y = random_set(60, 4, 13)
    sets["duplicate"] = (np.column_stack([x, x[:, 1]]), y)  # rank deficient
    # the lasso optimum is unique only for data in general position: not for
    # a duplicated column, where any split of the weight is optimal
    lasso_sets = {"random", "zeus", "seaa", "wide"}
    refs, cvs = [], []
    for name, (x, y) in sets.items():
        write_set(outdir, name, x, y)
        fits = [("ols", 0.0)] + [("ridge", a) for a in GRID]
        if name in lasso_sets:
            fits += [("lasso", a) for a in GRID]
        for kind, alpha in fits:
            m = model(kind, alpha).fit(x, y)
            refs.append((name, kind, alpha, "intercept", float(m.intercept_)))
            refs += [(name, kind, alpha, f"coef{j}", float(c)) for j, c in enumerate(m.coef_)]
    for name, seed in (("random", 7), ("zeus", 42)):
        x, y = sets[name]
        folds = jc_folds(len(y), 5, seed)
        for kind in ("ridge", "lasso"):
            gs = GridSearchCV(model(kind, 1.0), {"alpha": GRID}, cv=folds, scoring="neg_mean_squared_error")
            gs.fit(x, y)
            for a, s in zip(GRID, gs.cv_results_["mean_test_score"]):
                cvs.append((name, kind, 5, seed, a, -float(s), int(a == gs.best_params_["alpha"])))
    with open(os.path.join(outdir, "lin_ref.csv"), "w") as f:
        f.write("dataset,model,alpha,term,value\n")
        for r in refs:
            f.write(f"{r[0]},{r[1]},{r[2]!r},{r[3]},{r[4]!r}\n")
    with open(os.path.join(outdir, "lin_cv.csv"), "w") as f:
        f.write("dataset,model,folds,seed,alpha,mean_mse,chosen\n")
        for r in cvs:
            f.write(",".join(repr(v) if isinstance(v, float) else str(v) for v in r) + "\n")


if __name__ == "__main__":
    main()
