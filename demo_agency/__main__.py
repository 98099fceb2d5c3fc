"""``python -m demo_agency --out data/demo [--today YYYY-MM-DD] [--seed 7] [--clients 12] [--months 18]
[--vendor-files]``."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from demo_agency import simulate, write_demo


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m demo_agency",
        description="Write the demo agency's configuration and vendor-format export files into an inbox.",
    )
    parser.add_argument("--out", type=Path, required=True, help="output folder (agency.yaml and inbox/)")
    parser.add_argument("--today", type=_date, default=None, help="as-of date, YYYY-MM-DD (default: today)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--clients", type=int, default=12, help="number of clients, 1-16")
    parser.add_argument("--months", type=int, default=18, help="full months of history before this month")
    parser.add_argument(
        "--vendor-files",
        action="store_true",
        help="also write the Direct, VK Ads, Calltouch, CoMagic and lead (Calltouch requests, Metrika, "
        "amoCRM, Bitrix24) data as inbox export files (and mark those accounts `via: inbox`) instead of "
        "serving them through the fake APIs",
    )
    args = parser.parse_args(argv)
    today = args.today or dt.date.today()
    try:
        agency = simulate(today, seed=args.seed, months=args.months, n_clients=args.clients)
    except ValueError as exc:
        parser.error(str(exc))
    written = write_demo(agency, args.out, vendor_files=args.vendor_files)
    print(written.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
