"""``affiliate``: the project's command line (the Makefile calls it).

  affiliate env               print the shell exports for DAGSTER_HOME / DAGSTER_PG_URL / DATABASE_URL
  affiliate db url            print the warehouse URL (starts the embedded server when needed)
  affiliate db stop           stop the embedded server
  affiliate demo              materialize every asset on the bundled offline data and print the tables
  affiliate summary           print the tables and row counts of every layer
  affiliate forecast ID       print a product's demand forecast (--days N, --json)
"""

from __future__ import annotations

import argparse
import shlex
import sys


def _cmd_env(args: argparse.Namespace) -> int:
    from affiliate_assets.lib.instance import dagster_environment

    for key, value in dagster_environment().items():
        print(f"export {key}={shlex.quote(value)}")
    return 0


def _cmd_db(args: argparse.Namespace) -> int:
    from affiliate_assets.lib import embedded_postgres
    from affiliate_assets.lib.settings import load_settings
    from affiliate_assets.lib.warehouse import resolve_database_url

    settings = load_settings()
    if args.action == "url":
        print(resolve_database_url(settings))
    elif args.action == "stop":
        if settings.database_url:
            print("DATABASE_URL is set: that server is not ours to stop")
        elif embedded_postgres.stop(settings.pg_data_dir):
            print(f"stopped the embedded PostgreSQL in {settings.pg_data_dir}")
        else:
            print("the embedded PostgreSQL was not running")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    import dagster as dg

    from affiliate_assets.demo import default_window_start, print_summary, run_demo
    from affiliate_assets.lib.instance import apply_dagster_environment
    from affiliate_assets.lib.warehouse import Warehouse, redact

    env = apply_dagster_environment()
    print(f"warehouse: {redact(env['DATABASE_URL'])}\nDAGSTER_HOME: {env['DAGSTER_HOME']}")
    from affiliate_assets.definitions import defs

    with dg.DagsterInstance.get() as instance:
        run_demo(defs, instance, start=default_window_start(args.days) if args.days else None)
    print_summary(Warehouse())
    print(
        "\nOpen the UI:        make ui    (Dagster at http://127.0.0.1:3000, lineage under Assets → Lineage)"
        "\nBrowse dbt docs:    make docs  (http://127.0.0.1:8580)"
    )
    return 0


def _cmd_summary(args: argparse.Namespace) -> int:
    from affiliate_assets.demo import print_summary
    from affiliate_assets.lib.warehouse import Warehouse

    print_summary(Warehouse())
    return 0


def _cmd_forecast(args: argparse.Namespace) -> int:
    import json

    from affiliate_assets.defs.forecasting.query import NotFound, product_forecast, render_text
    from affiliate_assets.lib.warehouse import Warehouse

    try:
        payload = product_forecast(Warehouse(), args.product_id, args.days)
    except NotFound as exc:
        print(exc.message, file=sys.stderr)
        return 2
    print(json.dumps(payload, ensure_ascii=False, indent=2) if args.json else render_text(payload))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="affiliate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("env", help="print shell exports").set_defaults(func=_cmd_env)
    db = sub.add_parser("db", help="the warehouse server")
    db.add_argument("action", choices=["url", "stop"])
    db.set_defaults(func=_cmd_db)
    demo = sub.add_parser("demo", help="materialize everything offline")
    demo.add_argument("--days", type=int, default=None,
                      help="only the last N daily partitions (default: all since the sample start)")
    demo.set_defaults(func=_cmd_demo)
    sub.add_parser("summary", help="tables and row counts").set_defaults(func=_cmd_summary)
    forecast = sub.add_parser("forecast", help="a product's demand forecast from ml.demand_forecasts")
    forecast.add_argument("product_id", type=int)
    forecast.add_argument("--days", type=int, default=14, help="days of the horizon to list (default 14)")
    forecast.add_argument("--json", action="store_true", help="print the API's JSON instead of text")
    forecast.set_defaults(func=_cmd_forecast)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
