"""The ``tiermatch`` command line: one module per command group, every command thin over the services.

Each command reads its options, calls :mod:`tiermatch.services`, and prints
the answer; :func:`~._common.boundary` turns every domain error into a message
and exit code 1. Heavy libraries are imported inside commands, so that
``tiermatch --help`` starts at once.
"""

from __future__ import annotations

import typer

from . import day, keys, models, programme, register, run, serve, vocabulary

__all__ = ["app"]

app = typer.Typer(
    help="tiermatch: match Thai SMEs to first-tier buyers, exporters, importers and retailers.\n\n"
    "Example: tiermatch demo",
    no_args_is_help=True,
    rich_markup_mode=None,
)
for module in (run, register, models, serve, programme):
    module.register_commands(app)
app.add_typer(keys.keys_app, name="keys")
app.add_typer(keys.users_app, name="users")
app.add_typer(vocabulary.vocabulary_app, name="vocabulary")
app.add_typer(day.day_app, name="day")
