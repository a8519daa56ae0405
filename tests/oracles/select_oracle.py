#!/usr/bin/python3
"""Reference answers for feature selection (src/learn/select.c), from
scipy.special.betainc, scipy.stats.pearsonr and
sklearn.feature_selection.mutual_info_regression, on random data (seeded)
and on the real tables under tests/data.

usage: select_oracle.py OUTDIR [TEST_DATA]
Writes into OUTDIR:
  betainc_ref.csv   a,b,x,value
  pearson_<i>.csv   x,y            pearson_ref.csv  case,n,r,p
  mi_<name>.csv     f0..f{p-1},y   mi_ref.csv       case,k,seed,kinds,feature,mi
                    (kinds: one letter per feature, c continuous, d discrete)
  select_zeus.csv   the Zeus table with some time_per_epoch cells blanked;
  select_ref.csv    feature,n,r,p,mi (mi empty where cells are missing)
Numbers are written with repr(), so both sides read the same doubles (log
transforms are done here, once). Run by tests/unit/test_learn_select.c;
exits 77 when numpy, scipy or scikit-learn is missing.
"""
import csv
import math
import os
import sys
import warnings

try:
    import numpy as np
    from scipy import special, stats
    from sklearn.feature_selection import mutual_info_regression
except ImportError as e:  # the C test reports this as skipped
    print(f"select_oracle: {e}", file=sys.stderr)
    sys.exit(77)


def num(v):
    v = float(v)
    return "nan" if math.isnan(v) else repr(v)


def write_csv(path, header, columns):
    with open(path, "w") as f:
        f.write(",".join(header) + "\n")
        for row in zip(*columns):
            f.write(",".join(num(v) for v in row) + "\n")


def zeus(test_data):
    rows = list(csv.DictReader(open(os.path.join(test_data, "learn", "zeus_a40_power.csv"))))
    return {k: np.array([float(r[k]) for r in rows]) for k in ("batch_size", "power_limit", "time_per_epoch",
                                                                 "average_power")}


def seaa(test_data):
    rows = list(csv.DictReader(open(os.path.join(test_data, "seaa2023", "runs.csv"))))
    return {k: np.array([float(r[k]) for r in rows]) for k in ("GFLOPs", "average power draw (W)",
                                                                 "gpu usage (%)", "energy (MJ)")}


def betainc_cases(out):
    rs = np.random.RandomState(5)
    rows = []
    for a in (0.5, 1.0, 2.5, 10.0, 48.5, 499.0, 1999.0):
        for b in (a, 0.7, 3.0, 150.0):
            for x in (1e-6, 0.01, 0.2, 0.5, 0.77, 0.999):
                rows.append((a, b, x))
    for _ in range(40):
        a = 10 ** rs.uniform(-1, 3.3)
        rows.append((a, a, rs.uniform(0, 0.5)))
    with open(os.path.join(out, "betainc_ref.csv"), "w") as f:
        f.write("a,b,x,value\n")
        for a, b, x in rows:
            f.write(f"{a!r},{b!r},{x!r},{float(special.betainc(a, b, x))!r}\n")


def pearson_cases(out, test_data):
    rs = np.random.RandomState(6)
    cases = []
    for n, c in ((3, 0.5), (4, -2.0), (10, 0.3), (50, 0.0), (100, 1.0), (1000, -0.2), (4000, 0.05),
                 (500, 8.0), (200, -30.0)):
        x = rs.standard_normal(n) * 1e3 + 1e6  # a large offset: centring matters
        y = c * (x - 1e6) / 1e3 + rs.standard_normal(n)
        cases.append((x, y))
    cases.append((np.array([1.0, 2.0]), np.array([5.0, 3.0])))        # n = 2: r = -1, p = 1
    cases.append((np.array([1.0, 1.0, 1.0]), np.array([1.0, 2.0, 4.0])))  # constant: NaN
    z = zeus(test_data)
    for k in ("batch_size", "power_limit", "time_per_epoch"):
        cases.append((z[k], z["average_power"]))
    cases.append((np.log(z["time_per_epoch"]), z["average_power"]))
    s = seaa(test_data)
    cases.append((s["GFLOPs"], s["energy (MJ)"]))
    cases.append((s["average power draw (W)"], s["energy (MJ)"]))
    with open(os.path.join(out, "pearson_ref.csv"), "w") as f:
        f.write("case,n,r,p\n")
        for i, (x, y) in enumerate(cases):
            write_csv(os.path.join(out, f"pearson_{i}.csv"), ["x", "y"], [x, y])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the constant case warns
                r, p = stats.pearsonr(x, y)
            f.write(f"{i},{len(x)},{num(r)},{num(p)}\n")


def mi_cases(out, test_data):
    rs = np.random.RandomState(8)
    cases = []
    # continuous, a non-linear relation
    x = rs.standard_normal((500, 3))
    y = np.sin(2 * x[:, 0]) + x[:, 1] ** 2 + 0.3 * rs.standard_normal(500)
    cases.append(("cont", x, y, "ccc", 5, 42))
    # ties in continuous features (rounded), k = 3 (scikit-learn's default)
    x = np.round(rs.standard_normal((300, 2)) * 2)
    y = x[:, 0] + 0.5 * rs.standard_normal(300)
    cases.append(("ties", x, y, "cc", 3, 0))
    # discrete features in many small groups (scikit-learn searches those by
    # brute force) and a target with ties
    d1 = rs.randint(0, 60, 400).astype(float)
    d2 = rs.randint(0, 25, 400).astype(float)
    c = rs.standard_normal(400)
    y = np.round(np.sqrt(d1) + c, 1)
    cases.append(("disc_small", np.column_stack([d1, c, d2]), y, "dcd", 5, 7))
    # discrete features in a few large groups (k-d tree search)
    d1 = rs.randint(0, 4, 600).astype(float)
    y = d1 * 0.7 + rs.standard_normal(600)
    cases.append(("disc_large", np.column_stack([d1, rs.standard_normal(600)]), y, "dc", 5, 123))
    # real: the Zeus A40 table, as the seed treats its metadata: batch size and
    # power limit discrete, epoch time continuous, also as a log
    z = zeus(test_data)
    x = np.column_stack([z["batch_size"], z["power_limit"], z["time_per_epoch"], np.log(z["time_per_epoch"])])
    cases.append(("zeus", x, z["average_power"], "ddcc", 5, 42))
    x = np.column_stack([z["batch_size"], z["power_limit"], z["average_power"]])
    cases.append(("zeus_time", x, np.log(z["time_per_epoch"]), "ddc", 3, 0))
    # real, tiny: five runs (k must stay below the row count)
    s = seaa(test_data)
    x = np.column_stack([s["GFLOPs"], s["average power draw (W)"], s["gpu usage (%)"]])
    cases.append(("seaa", x, s["energy (MJ)"], "ccc", 3, 42))
    with open(os.path.join(out, "mi_ref.csv"), "w") as f:
        f.write("case,k,seed,kinds,feature,mi\n")
        for name, x, y, kinds, k, seed in cases:
            p = x.shape[1]
            write_csv(os.path.join(out, f"mi_{name}.csv"), [f"f{j}" for j in range(p)] + ["y"],
                      [x[:, j] for j in range(p)] + [y])
            mi = mutual_info_regression(x, y, discrete_features=np.array([c == "d" for c in kinds]),
                                        n_neighbors=k, random_state=seed)
            for j, v in enumerate(mi):
                f.write(f"{name},{k},{seed},{kinds},{j},{num(v)}\n")


def select_case(out, test_data):
    """Missing cells: every fifth time_per_epoch blanked. Pearson is scipy's
    on the rows left; the other features' MI is scikit-learn's on the whole
    table (the blanked column does not change their noise)."""
    z = zeus(test_data)
    t = z["time_per_epoch"].copy()
    t[::5] = np.nan
    names = ["batch_size", "power_limit", "time_per_epoch"]
    cols = [z["batch_size"], z["power_limit"], t]
    y = z["average_power"]
    write_csv(os.path.join(out, "select_zeus.csv"), names + ["average_power"], cols + [y])
    filled = np.column_stack([z["batch_size"], z["power_limit"], np.where(np.isnan(t), 0.0, t)])
    mi = mutual_info_regression(filled, y, discrete_features=np.array([True, True, False]), n_neighbors=5,
                                random_state=42)
    with open(os.path.join(out, "select_ref.csv"), "w") as f:
        f.write("feature,n,r,p,mi\n")
        for j, (name, v) in enumerate(zip(names, cols)):
            keep = ~np.isnan(v)
            r, p = stats.pearsonr(v[keep], y[keep])
            m = "" if not keep.all() else num(mi[j])
            f.write(f"{name},{int(keep.sum())},{num(r)},{num(p)},{m}\n")


def main():
    out = sys.argv[1]
    test_data = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "data")
    betainc_cases(out)
    pearson_cases(out, test_data)
    mi_cases(out, test_data)
    select_case(out, test_data)


if __name__ == "__main__":
    main()
