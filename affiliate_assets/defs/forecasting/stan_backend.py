"""A Prophet Stan backend that hands CmdStan its data through a fast JSON encoder.

Why: profiling a 3-year daily fit showed ~60 % of ``Prophet.fit`` spent *writing the input JSON*, not
optimizing: Prophet turns its arrays into nested Python lists, and stanio walks every element in Python
and then streams it through ``json.dump``'s pure-Python encoder. Here the same lists go through orjson
(or the C encoder of ``json.dumps`` when orjson is missing) into a temp file whose path CmdStan reads.
The numbers written are the same shortest round-trip reprs, so the optimum — and every forecast — is
identical; only the fit gets faster. Everything else (LBFGS, Newton for short series, the Newton
fallback) mirrors ``prophet.models.CmdStanPyBackend.fit``.

Imports prophet at module top: import this module only inside functions (Definitions load < 3 s).
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any

from prophet.models import CmdStanPyBackend

try:  # orjson ships with dagster-dbt; the C json encoder is the fallback.
    import orjson

    def _dumps(obj: Any) -> bytes:
        return orjson.dumps(obj, option=orjson.OPT_SERIALIZE_NUMPY)
except ImportError:  # pragma: no cover - depends on the environment

    def _dumps(obj: Any) -> bytes:
        return json.dumps(obj, default=float).encode()


class FastJsonBackend(CmdStanPyBackend):
    """``CmdStanPyBackend`` with the data/init JSON written by a C encoder (same values, less time)."""

    def fit(self, stan_init: dict[str, Any], stan_data: dict[str, Any], **kwargs: Any):
        if "inits" not in kwargs and "init" in kwargs:
            stan_init = self.sanitize_custom_inits(stan_init, kwargs.pop("init"))
        inits, data = self.prepare_data(stan_init, stan_data)
        with tempfile.TemporaryDirectory(prefix="prophet-") as tmp:
            data_path = os.path.join(tmp, "data.json")
            inits_path = os.path.join(tmp, "inits.json")
            with open(data_path, "wb") as fh:
                fh.write(_dumps(data))
            with open(inits_path, "wb") as fh:
                fh.write(_dumps(inits))
            args: dict[str, Any] = {
                "data": data_path,
                "inits": inits_path,
                "algorithm": "Newton" if float(data["T"]) < 100 else "LBFGS",  # type: ignore[arg-type]
                "iter": int(1e4),
                "output_dir": tmp,
            }
            args.update(kwargs)
            try:
                self.stan_fit = self.model.optimize(**args)
            except RuntimeError:
                if not self.newton_fallback or args["algorithm"] == "Newton":
                    raise
                args["algorithm"] = "Newton"
                self.stan_fit = self.model.optimize(**args)
            params = self.stan_to_dict_numpy(self.stan_fit.column_names, self.stan_fit.optimized_params_np)
        for name in params:
            params[name] = params[name].reshape((1, -1))
        return params
