"""Input checks shared by the flow-based algorithms: validate once, then trust the arrays."""

from __future__ import annotations

import numpy as np

from ..errors import InvalidCandidateGraphError

__all__ = ["check_candidate_graph", "check_int_array", "raise_if"]


def check_int_array(name, values, problems, *, min_value=None):
    """Return ``values`` as an int64 array, appending any problem found to ``problems``."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        problems.append(f"{name}: expected a 1-d array, found shape {arr.shape}")
        return None
    if arr.size == 0:
        return arr.astype(np.int64)
    if arr.dtype.kind in "iu":
        out = arr.astype(np.int64, copy=False)
    elif arr.dtype.kind in "fb":
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            bad = np.flatnonzero(~np.isfinite(arr) | (arr != np.round(arr)))
            problems.append(
                f"{name}: expected whole numbers, found {arr[bad[0]]} at position {bad[0]}"
                f" ({bad.size} such values)"
            )
            return None
        out = arr.astype(np.int64)
    else:
        problems.append(f"{name}: expected integers, found dtype {arr.dtype}")
        return None
    if min_value is not None and out.min() < min_value:
        bad = np.flatnonzero(out < min_value)
        problems.append(
            f"{name}: expected values >= {min_value}, found {out[bad[0]]} at position {bad[0]}"
            f" ({bad.size} such values)"
        )
    return out


def raise_if(problems, error=InvalidCandidateGraphError):
    if problems:
        raise error("; ".join(problems))


def check_candidate_graph(
    rows, cols, scores, supplier_capacity, buyer_capacity, names=("supplier_capacity", "buyer_capacity")
):
    """Validate a candidate graph once; return it as (rows, cols, scores, cap_s, cap_b) arrays."""
    problems: list[str] = []
    name_s, name_b = names
    rows_ = check_int_array("rows", rows, problems, min_value=0)
    cols_ = check_int_array("cols", cols, problems, min_value=0)
    cap_s = check_int_array(name_s, supplier_capacity, problems, min_value=0)
    cap_b = check_int_array(name_b, buyer_capacity, problems, min_value=0)
    try:
        scores_ = np.asarray(scores, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidCandidateGraphError(f"scores: expected numbers, found {exc}") from exc
    if scores_.ndim != 1:
        problems.append(f"scores: expected a 1-d array, found shape {scores_.shape}")
        scores_ = None
    elif not np.all(np.isfinite(scores_)):
        bad = np.flatnonzero(~np.isfinite(scores_))
        problems.append(f"scores: expected finite numbers, found {scores_[bad[0]]} at edge {bad[0]} ({bad.size} such)")
    arrays_ok = not any(a is None for a in (rows_, cols_, scores_, cap_s, cap_b))
    if arrays_ok and not (len(rows_) == len(cols_) == len(scores_)):
        problems.append(
            f"rows, cols and scores must have equal lengths, found {len(rows_)}, {len(cols_)} and {len(scores_)}"
        )
        arrays_ok = False
    if rows_ is not None and cap_s is not None and rows_.size and rows_.max() >= len(cap_s):
        bad = np.flatnonzero(rows_ >= len(cap_s))
        problems.append(
            f"rows: expected supplier positions < n_suppliers = {len(cap_s)} (len({name_s})),"
            f" found {rows_[bad[0]]} at edge {bad[0]} ({bad.size} such)"
        )
    if cols_ is not None and cap_b is not None and cols_.size and cols_.max() >= len(cap_b):
        bad = np.flatnonzero(cols_ >= len(cap_b))
        problems.append(
            f"cols: expected buyer positions < n_buyers = {len(cap_b)} (len({name_b})),"
            f" found {cols_[bad[0]]} at edge {bad[0]} ({bad.size} such)"
        )
    if not arrays_ok or problems:
        raise_if(problems)
    n_b = len(cap_b)
    if rows_.size > 1:
        keys = rows_ * max(n_b, 1) + cols_
        # Candidates usually arrive sorted by (supplier, buyer): then one pass proves uniqueness.
        if not np.all(keys[1:] > keys[:-1]):
            order = np.argsort(keys, kind="stable")
            sorted_keys = keys[order]
            dup = np.flatnonzero(sorted_keys[1:] == sorted_keys[:-1])
            if dup.size:
                first, second = order[dup[0]], order[dup[0] + 1]
                problems.append(
                    f"duplicate candidate pairs: {dup.size} edges repeat an earlier pair, e.g."
                    f" (supplier {rows_[first]}, buyer {cols_[first]}) at edges {first} and {second}"
                )
    raise_if(problems)
    return rows_, cols_, scores_, cap_s, cap_b
