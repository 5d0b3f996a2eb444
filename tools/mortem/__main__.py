from __future__ import annotations

from mortem.cli.main import console_main

console_main()
